//! The cost question: an engagement load is estimated first (one point), loads
//! at once when it is cheap, and otherwise asks: Load / Use stored data / Cancel
//! (Cancel focused). A local store that covers the range is used without asking
//! (`metrics.local`: no request at all).

use std::collections::HashSet;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use crate::budget::ReadCost;
use crate::metrics::{Aggregator, GroupTotals, TimeRange};
use crate::worker::protocol::{Priority, Request, RequestId};

use super::super::cost::{CostChoice, CostQuestion, RangeChoice};
use super::super::msg::Effect;
use super::super::state::{AppState, Level, Popup};
use super::writes::rebuild_cadences;

/// Asks the worker what reading `ids` over the current range would cost.
pub(crate) fn estimate(state: &mut AppState, ids: Vec<u64>, fx: &mut Vec<Effect>) {
    let range = state.metrics.range;
    let (id, effect) = state.request(
        Priority::Visible,
        Request::EstimateEngagement {
            cadence_ids: ids.clone(),
            range,
        },
    );
    state.metrics.estimating = Some(id);
    state.metrics.asked = ids;
    state.metrics.deferred = None;
    fx.push(effect);
}

/// Reads the engagement of `ids` over the current range.
pub(crate) fn load(state: &mut AppState, ids: Vec<u64>, fx: &mut Vec<Effect>) {
    let range = state.metrics.range;
    let (id, effect) = state.request(
        Priority::Visible,
        Request::Engagement {
            cadence_ids: ids.clone(),
            range,
        },
    );
    state.metrics.fetch.start(id);
    state.metrics.asked = ids;
    state.metrics.deferred = None;
    fx.push(effect);
}

/// The user's answer for the current range, if any.
pub fn choice(state: &AppState) -> Option<CostChoice> {
    state.cost_choice()
}

/// The estimate arrived: load when it is within the threshold, else ask.
pub(crate) fn on_estimate(
    state: &mut AppState,
    id: RequestId,
    range: TimeRange,
    cadence_ids: Vec<u64>,
    emails: Option<u64>,
    cost: Option<ReadCost>,
    fx: &mut Vec<Effect>,
) {
    if state.metrics.estimating != Some(id) {
        return;
    }
    state.metrics.estimating = None;
    if range != state.metrics.range {
        return;
    }
    let asked = state.metrics.asked.clone();
    let limit = state.session.confirm_above.unwrap_or(u32::MAX);
    if cost.is_some_and(|c| c.points <= u64::from(limit)) {
        state.metrics.choice = Some(RangeChoice {
            range,
            choice: CostChoice::Load,
        });
        load(state, asked, fx);
        return;
    }
    let question = CostQuestion {
        range,
        cadence_ids,
        asked,
        emails,
        cost,
        limit: state.conn.budget.as_ref().map_or(600, |b| b.limit),
        stored: state
            .session
            .has_store
            .then_some(state.conn.store.synced_at),
        focus: CostChoice::Cancel,
        back: state.metrics.previous.take(),
    };
    if state.popup.is_none() {
        state.popup = Some(Popup::Cost(Box::new(question)));
    } else {
        // Another dialog is open: the question waits for it to close.
        state.metrics.question = Some(Box::new(question));
    }
}

/// Opens a question that waited for another dialog to close.
pub(crate) fn show_waiting(state: &mut AppState) {
    if state.popup.is_none()
        && let Some(q) = state.metrics.question.take()
        && q.range == state.metrics.range
    {
        state.popup = Some(Popup::Cost(q));
    }
}

/// A key while the question is open.
pub(crate) fn on_key(state: &mut AppState, key: &KeyEvent, fx: &mut Vec<Effect>) {
    let Some(Popup::Cost(q)) = &mut state.popup else {
        return;
    };
    let shift = key.modifiers.contains(KeyModifiers::SHIFT);
    match key.code {
        KeyCode::Left | KeyCode::Char('h') | KeyCode::BackTab => q.move_focus(-1),
        KeyCode::Tab if shift => q.move_focus(-1),
        KeyCode::Right | KeyCode::Char('l') | KeyCode::Tab => q.move_focus(1),
        KeyCode::Enter => {
            let choice = q.focus;
            answer(state, choice, fx);
        }
        KeyCode::Esc => answer(state, CostChoice::Cancel, fx),
        // Quitting spends nothing: the quit key works here as everywhere.
        _ if state.keymap.action_for(key) == Some(crate::config::keymap::Action::Quit) => {
            state.quit = true;
            fx.push(Effect::Quit);
        }
        _ => {}
    }
}

/// A keymap action while the question is open (tests and remapped keys).
pub(crate) fn on_action(
    state: &mut AppState,
    action: crate::config::keymap::Action,
    fx: &mut Vec<Effect>,
) {
    use crate::config::keymap::Action;
    let Some(Popup::Cost(q)) = &mut state.popup else {
        return;
    };
    match action {
        Action::Up | Action::PrevView => q.move_focus(-1),
        Action::Down | Action::NextView => q.move_focus(1),
        Action::Enter => {
            let choice = q.focus;
            answer(state, choice, fx);
        }
        Action::Back => answer(state, CostChoice::Cancel, fx),
        Action::Quit => {
            state.quit = true;
            fx.push(Effect::Quit);
        }
        _ => {}
    }
}

/// Carries out the user's answer.
pub(crate) fn answer(state: &mut AppState, choice: CostChoice, fx: &mut Vec<Effect>) {
    let Some(Popup::Cost(q)) = state.popup.take() else {
        return;
    };
    let q = *q;
    if q.range != state.metrics.range {
        return;
    }
    state.metrics.choice = Some(RangeChoice {
        range: q.range,
        choice,
    });
    match choice {
        CostChoice::Load => {
            state.say(
                Level::Info,
                format!("loading engagement, {}: {}", q.range, q.cost_brief()),
            );
            load(state, q.asked, fx);
        }
        CostChoice::Stored => {
            let (id, effect) = state.request(
                Priority::Visible,
                Request::StoredEngagement { range: q.range },
            );
            state.metrics.stored_wait = Some(id);
            fx.push(effect);
        }
        CostChoice::Cancel => cancel(state, q),
    }
}

fn cancel(state: &mut AppState, q: CostQuestion) {
    let spared = match q.cost {
        Some(c) => format!("about {} points", c.points),
        None => "an unknown number of points".to_string(),
    };
    let key = |a, d: &str| state.keymap.hint(a).unwrap_or_else(|| d.to_string());
    let (range_key, refresh_key) = (
        key(crate::config::keymap::Action::CycleRange, "t"),
        key(crate::config::keymap::Action::Refresh, "r"),
    );
    match q.back {
        Some((range, loaded)) => {
            let wall = state.clock.wall;
            unpark(state);
            state.metrics.range = range;
            state.metrics.agg.set_range(range, wall);
            state.metrics.loaded = loaded;
            state.metrics.choice = None;
            rebuild_cadences(state);
            state.say(
                Level::Info,
                format!("not loaded ({spared} spared): back to {range}; {range_key} asks again"),
            );
        }
        None => {
            rebuild_cadences(state);
            state.say(
                Level::Info,
                format!(
                    "engagement over {} not loaded ({spared} spared): {refresh_key} asks again",
                    q.range
                ),
            );
        }
    }
}

/// The store's engagement arrived ("Use stored data"): it is shown in place of
/// the facts read so far, which are put aside for the next range.
pub(crate) fn on_stored(
    state: &mut AppState,
    id: RequestId,
    range: TimeRange,
    totals: GroupTotals,
    synced_at: Option<chrono::DateTime<chrono::Utc>>,
) {
    if state.metrics.stored_wait != Some(id) {
        return;
    }
    state.metrics.stored_wait = None;
    if range != state.metrics.range {
        return;
    }
    let wall = state.clock.wall;
    let stored = Aggregator::from_totals(range, wall, totals);
    let facts = std::mem::replace(&mut state.metrics.agg, stored);
    if state.metrics.parked.is_none() {
        state.metrics.parked = Some(facts);
    }
    let ids: HashSet<u64> = state.cadences.list.cadences.iter().map(|c| c.id).collect();
    state.metrics.loaded.extend(ids);
    state.metrics.stored_at = Some((range, synced_at));
    rebuild_cadences(state);
    let when = synced_at.map_or("an unknown time".to_string(), |t| {
        super::super::cost::when(t, wall)
    });
    state.say(
        Level::Info,
        format!("engagement over {range} from the local store (synced {when}), no points spent"),
    );
}

/// Back to the facts read so far, if the store's totals were shown.
pub(crate) fn unpark(state: &mut AppState) {
    if let Some(facts) = state.metrics.parked.take() {
        state.metrics.agg = facts;
    }
    state.metrics.stored_at = None;
}

/// A request of ours ended: an estimate or a stored read that failed says so.
/// True when the id was ours.
pub(crate) fn on_finished(state: &mut AppState, id: RequestId, error: &Option<String>) -> bool {
    if state.metrics.estimating == Some(id) {
        state.metrics.estimating = None;
        if let Some(e) = error {
            state.say(
                Level::Warn,
                format!("could not estimate the engagement load ({e}); press r to try again"),
            );
        }
        return true;
    }
    if state.metrics.stored_wait == Some(id) {
        state.metrics.stored_wait = None;
        if let Some(e) = error {
            state.metrics.choice = None;
            state.say(Level::Warn, e.clone());
        }
        return true;
    }
    false
}
