//! The event loop: one task owns the state. Inputs are terminal events, a 4 Hz tick
//! and worker events; each goes through `update`, effects go to the worker, and the
//! screen is redrawn only when something changed.

use std::time::Duration;

use crossterm::event::{Event, EventStream};
use futures::StreamExt;
use tokio::time::MissedTickBehavior;

use crate::api::BudgetSnapshot;
use crate::worker::{Envelope, WorkerEvent, WorkerHandle};

use super::context::DashboardContext;
use super::msg::{Effect, Msg};
use super::setup::StateSetup;
use super::state::{AppState, Clock, Level, Session};
use super::style::Styles;
use super::terminal::Tui;
use super::update::{init, update};
use super::views;

/// Worker events handled before the next draw, at most (keeps keys responsive).
const BURST: usize = 256;

pub fn new_state(ctx: &DashboardContext) -> AppState {
    let session = Session {
        profile_label: ctx.profile_label.clone(),
        demo: ctx.demo,
        read_only: ctx.read_only,
        refresh_secs: ctx.refresh_secs,
        reserve: ctx.reserve,
        confirm_above: ctx.confirm_above,
        has_store: ctx.has_store,
        mouse: ctx.mouse,
    };
    // One warning for every bad `[[views]]` entry; the palette and the log say why.
    if let Some(details) = ctx.views.details() {
        tracing::warn!("{details}");
    }
    StateSetup {
        keymap: ctx.keymap.clone(),
        styles: Styles::from_theme(&ctx.theme),
        range: ctx.time_range,
        webhooks: ctx.webhooks,
        key_source: ctx.key_source.clone(),
        alerts: ctx.alerts.clone(),
        views: ctx.views.views.clone(),
        skipped_views: ctx.views.errors.clone(),
        config_path: ctx.config_path.clone(),
        warnings: ctx.views.warning().into_iter().collect(),
        hub: ctx.hub,
        ..StateSetup::new(session, Clock::system())
    }
    .build()
}

/// What the status bar shows of the budget: a redraw when it changes.
fn budget_key(b: &BudgetSnapshot) -> (u64, u32, u64, Vec<u32>) {
    (b.requests, b.estimated, b.throttled, b.per_interval.clone())
}

pub async fn run(tui: &mut Tui, ctx: DashboardContext) -> anyhow::Result<()> {
    let mut state = new_state(&ctx);
    let DashboardContext {
        worker,
        budget,
        stored,
        ..
    } = ctx;
    // The store's data goes in before the first frame and before any request.
    update(&mut state, Msg::Stored(Box::new(stored)));
    let WorkerHandle {
        requests,
        mut events,
        ..
    } = worker;
    let size = tui.terminal.size()?;
    update(&mut state, Msg::Resize(size.width, size.height));

    let mut worker_alive = true;
    const STOPPED: &str = "the background worker stopped: data will not update (see the log file)";
    // Carries out `update`'s effects; what they report back goes into `update`
    // again as messages (the loop writes no state of its own).
    let carry = |effects: Vec<Effect>, alive: &mut bool| -> Vec<Msg> {
        let mut back = Vec::new();
        for effect in effects {
            match effect {
                Effect::Send {
                    id,
                    priority,
                    request,
                } => {
                    tracing::debug!(id, ?priority, ?request, "request");
                    if requests
                        .send(Envelope {
                            id,
                            priority,
                            request,
                        })
                        .is_err()
                        && *alive
                    {
                        *alive = false;
                        back.push(Msg::Note(Level::Error, STOPPED.into()));
                    }
                }
                // `update` set the state's quit flag when it asked.
                Effect::Quit => {}
                Effect::Save {
                    file_name,
                    contents,
                    what,
                } => {
                    let dir = std::env::current_dir().unwrap_or_else(|_| ".".into());
                    let (level, text) = super::export::save(&dir, &file_name, &contents, &what);
                    back.push(Msg::Note(level, text));
                }
                Effect::Free(value) => {
                    tokio::task::spawn_blocking(move || drop(value.take()));
                }
                Effect::SaveView { path, view } => {
                    let error = crate::config::views::save(&path, &view).err();
                    back.push(Msg::ViewSaved { view, error });
                }
                Effect::Copy(text) => {
                    use std::io::Write;
                    let mut out = std::io::stdout();
                    let written = out
                        .write_all(super::yank::osc52(&text).as_bytes())
                        .and_then(|()| out.flush());
                    if let Err(e) = written {
                        back.push(Msg::Note(Level::Error, format!("could not copy: {e}")));
                    }
                }
            }
        }
        back
    };
    // `update` for one message, then its effects and what they report back.
    macro_rules! deliver {
        ($msg:expr) => {{
            let mut follow = vec![$msg];
            while !follow.is_empty() {
                let fx: Vec<Effect> = follow
                    .into_iter()
                    .flat_map(|m| update(&mut state, m))
                    .collect();
                follow = carry(fx, &mut worker_alive);
            }
        }};
    }
    let effects = init(&mut state);
    let mut follow = carry(effects, &mut worker_alive);
    while !follow.is_empty() {
        let fx: Vec<Effect> = follow
            .into_iter()
            .flat_map(|m| update(&mut state, m))
            .collect();
        follow = carry(fx, &mut worker_alive);
    }

    let mut input = EventStream::new();
    let mut tick = tokio::time::interval(Duration::from_millis(250));
    tick.set_missed_tick_behavior(MissedTickBehavior::Skip);
    let mut last_budget = None;
    tui.terminal.draw(|f| views::draw(f, &state))?;
    super::terminal::panic_for_tests();

    while !state.quit {
        let msg = tokio::select! {
            ev = input.next() => match ev {
                Some(Ok(Event::Key(key))) => Msg::Key(key),
                Some(Ok(Event::Paste(text))) => Msg::Paste(text),
                Some(Ok(Event::Mouse(m))) => Msg::Mouse(m),
                Some(Ok(Event::Resize(w, h))) => Msg::Resize(w, h),
                Some(Ok(_)) => continue,
                Some(Err(e)) => return Err(anyhow::anyhow!("reading the terminal failed: {e}")),
                None => break,
            },
            ev = events.recv(), if worker_alive => match ev {
                Some(ev) => {
                    log_event(&ev);
                    Msg::Worker(ev)
                }
                None => {
                    worker_alive = false;
                    Msg::Note(Level::Error, STOPPED.into())
                }
            },
            _ = tick.tick() => Msg::Tick,
            name = tui.signals.recv() => Msg::Signal(name),
        };
        state.clock = Clock::system();
        let is_tick = matches!(msg, Msg::Tick);
        let worker_msg = matches!(msg, Msg::Worker(_));
        deliver!(msg);
        let mut changed = !is_tick || state.screen.redraw;
        if worker_msg {
            // Take the rest of a burst before drawing once.
            for _ in 0..BURST {
                let Ok(ev) = events.try_recv() else { break };
                log_event(&ev);
                deliver!(Msg::Worker(ev));
            }
        }
        if is_tick || worker_msg {
            let snapshot = budget.snapshot();
            let key = budget_key(&snapshot);
            if last_budget.as_ref() != Some(&key) {
                last_budget = Some(key);
                update(&mut state, Msg::Budget(snapshot));
                changed = true;
            }
        }
        if changed && !state.quit {
            tui.terminal.draw(|f| views::draw(f, &state))?;
        }
    }
    Ok(())
}

fn log_event(ev: &WorkerEvent) {
    match ev {
        WorkerEvent::Error { message } => tracing::warn!(%message, "worker error"),
        WorkerEvent::Finished { id, error: Some(e) } => {
            tracing::info!(id, error = %e, "request failed")
        }
        _ => {}
    }
}
