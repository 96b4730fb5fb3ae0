//! `update(&mut AppState, Msg) -> Vec<Effect>`: the only place the state changes.
//! A plain function: tests feed it keys, actions and worker events and look at the
//! state and the effects, no terminal needed.

mod actions;
mod alerts;
mod auth;
mod cost;
mod enroll;
mod funnel;
mod hub;
mod mouse;
mod nav;
mod palette;
mod people;
mod ranking;
mod relayout;
mod reload;
mod results;
mod saved;
pub mod stored;
mod trends;
mod worker;
mod writes;
mod yank;

use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

use crate::config::keymap::Action;
use crate::worker::protocol::{Priority, Request};

use super::msg::{Effect, Msg};
use super::state::{AppState, Popup, View};
use super::text_input::Edit;
use writes::{rebuild_cadences, sync_live};

/// The requests the dashboard starts with.
pub fn init(state: &mut AppState) -> Vec<Effect> {
    let mut fx = Vec::new();
    let secs = state.session.refresh_secs.max(1);
    fx.push(
        state
            .request(Priority::Visible, Request::SetPollInterval { secs })
            .1,
    );
    // Who we are (whose personal cadences can take people) and the team's users
    // (cadence owners by name); both cached by the worker.
    fx.push(state.request(Priority::Visible, Request::Me).1);
    fx.push(state.request(Priority::Visible, Request::Users).1);
    // A fully synced local store: its emails count every range here and the live
    // poll catches up from where it stands; its people fill the index. Neither is
    // read again.
    let coverage = state.conn.store.coverage;
    if state.conn.store.seeded
        && let Some(through) = coverage.emails_through
    {
        fx.push(
            state
                .request(Priority::Background, Request::LiveFrom { through })
                .1,
        );
        state.metrics.local = true;
        let ids: Vec<u64> = state.cadences.list.cadences.iter().map(|c| c.id).collect();
        state.metrics.loaded.extend(ids);
    }
    nav::load_cadences(state, &mut fx);
    if !(state.conn.store.seeded && coverage.people) {
        people::start_index(state, &mut fx);
    }
    sync_live(state, &mut fx);
    fx
}

pub fn update(state: &mut AppState, msg: Msg) -> Vec<Effect> {
    let mut fx = Vec::new();
    let ranked = ranking::before(state);
    match msg {
        Msg::Key(key) => on_key(state, key, &mut fx),
        Msg::Action(action) => {
            if matches!(state.popup, Some(Popup::Enroll(_))) {
                enroll::on_action(state, action, &mut fx);
            } else if matches!(state.popup, Some(Popup::Cost(_))) {
                cost::on_action(state, action, &mut fx);
            } else if matches!(state.popup, Some(Popup::Palette(_))) {
                let chosen = palette::on_action(state, action);
                run_chosen(state, chosen, &mut fx);
            } else if matches!(state.popup, Some(Popup::SaveView(_))) {
                saved::on_action(state, action, &mut fx);
            } else {
                actions::on_action(state, action, &mut fx);
            }
        }
        Msg::Paste(text) => on_paste(state, &text),
        Msg::Mouse(ev) => mouse::on_mouse(state, ev, update, &mut fx),
        Msg::Resize(w, h) => state.screen.size = (w, h),
        Msg::Tick => on_tick(state, &mut fx),
        Msg::Worker(event) => worker::on_event(state, event, &mut fx),
        Msg::Budget(snapshot) => state.conn.budget = Some(snapshot),
        Msg::Note(level, text) => state.say(level, text),
        Msg::ViewSaved { view, error } => saved::on_saved(state, view, error),
        Msg::Stored(load) => stored::apply_load(state, *load),
        Msg::Signal(name) => {
            tracing::info!(signal = name, "quitting on signal");
            state.quit = true;
            fx.push(Effect::Quit);
        }
    }
    ranking::keep(state, ranked);
    relayout::lay_out_if_searched(state, &mut fx);
    fx
}

/// Runs what the palette chose: an action as its key would, or a saved view.
fn run_chosen(state: &mut AppState, chosen: Option<super::palette::Entry>, fx: &mut Vec<Effect>) {
    match chosen {
        Some(super::palette::Entry::Action(a)) => actions::on_action(state, a, fx),
        Some(super::palette::Entry::View(i)) => saved::apply(state, i, fx),
        Some(super::palette::Entry::Skipped(i)) => saved::explain_skipped(state, i),
        None => {}
    }
}

fn on_key(state: &mut AppState, key: KeyEvent, fx: &mut Vec<Effect>) {
    if key.kind == KeyEventKind::Release {
        return;
    }
    // ctrl-c always quits, even while typing.
    if key.code == KeyCode::Char('c') && key.modifiers.contains(KeyModifiers::CONTROL) {
        state.quit = true;
        fx.push(Effect::Quit);
        return;
    }
    if matches!(state.popup, Some(Popup::Enroll(_))) {
        enroll::on_key(state, &key, fx);
        return;
    }
    if matches!(state.popup, Some(Popup::Cost(_))) {
        cost::on_key(state, &key, fx);
        return;
    }
    if matches!(state.popup, Some(Popup::Palette(_))) {
        let chosen = palette::on_key(state, &key);
        run_chosen(state, chosen, fx);
        return;
    }
    if matches!(state.popup, Some(Popup::SaveView(_))) {
        saved::on_key(state, &key, fx);
        return;
    }
    if state.typing() {
        on_typing_key(state, &key, fx);
        return;
    }
    if let Some(action) = state.keymap.action_for(&key) {
        actions::on_action(state, action, fx);
    }
}

/// A key while the view's filter or search input has focus.
fn on_typing_key(state: &mut AppState, key: &KeyEvent, fx: &mut Vec<Effect>) {
    let view = state.view;
    let input = match view {
        View::Cadences => &mut state.cadences.list.filter,
        _ => &mut state.people.search.query,
    };
    match input.handle_key(key) {
        Edit::Changed => match view {
            View::Cadences => rebuild_cadences(state),
            _ => people::query_changed(state),
        },
        Edit::Moved => {}
        Edit::Ignored => match key.code {
            KeyCode::Enter => {
                leave_input(state, false);
                if view == View::People {
                    people::lookup_now(state, fx);
                }
            }
            KeyCode::Esc => leave_input(state, true),
            KeyCode::Up => actions::on_action(state, Action::Up, fx),
            KeyCode::Down => actions::on_action(state, Action::Down, fx),
            KeyCode::PageUp => actions::on_action(state, Action::PageUp, fx),
            KeyCode::PageDown => actions::on_action(state, Action::PageDown, fx),
            _ => {}
        },
    }
}

/// Leaves the focused input; `clear` (esc) also empties it.
fn leave_input(state: &mut AppState, clear: bool) {
    match state.view {
        View::Cadences => {
            state.cadences.list.filter_focused = false;
            if clear && !state.cadences.list.filter.is_empty() {
                state.cadences.list.filter.clear();
                rebuild_cadences(state);
            }
        }
        _ => {
            state.people.search.focused = false;
            if clear && !state.people.search.query.is_empty() {
                state.people.search.query.clear();
                people::query_changed(state);
            }
        }
    }
}

fn on_paste(state: &mut AppState, text: &str) {
    if let Some(Popup::Enroll(flow)) = &mut state.popup {
        flow.paste(text, &mut state.people.search.index);
        return;
    }
    match state.view {
        View::Cadences => {
            state.cadences.list.filter_focused = true;
            state.cadences.list.filter.insert_str(text);
            rebuild_cadences(state);
        }
        View::People => {
            state.people.search.focused = true;
            state.people.search.query.insert_str(text);
            people::query_changed(state);
        }
        _ => {}
    }
}

fn on_tick(state: &mut AppState, fx: &mut Vec<Effect>) {
    let now = state.clock.now;
    let mut redraw = false;
    if !state.tasks.running.is_empty()
        || state
            .tasks
            .list
            .last()
            .is_some_and(|t| t.finished.is_none())
        || matches!(
            state.conn.store.sync,
            super::store_status::SyncLine::Running(_)
        )
    {
        state.screen.spinner = state.screen.spinner.wrapping_add(1);
        redraw = true;
    }
    let before = state.screen.messages.len();
    state.screen.messages.retain(|m| m.until > now);
    redraw |= state.screen.messages.len() != before;
    // "updated N s ago" changes once a second: redraw every 4th tick.
    state.screen.ticks = state.screen.ticks.wrapping_add(1);
    redraw |= state.screen.ticks.is_multiple_of(4);
    people::lookup_if_due(state, fx);
    redraw |= alerts::on_tick(state);
    redraw |= trends::refresh(state, false);
    let had = state.popup.is_some();
    cost::show_waiting(state);
    redraw |= state.popup.is_some() != had;
    state.screen.redraw = redraw || !fx.is_empty();
}
