//! Moving between views and loading what they show: the shared steps of the
//! keymap's actions, the mouse, the palette, saved views, enrollment and the
//! worker's answers.

use crate::metrics::TimeRange;
use crate::worker::protocol::{Priority, Request};

use super::super::msg::Effect;
use super::super::state::{AppState, CadenceDetail, Level, PersonPage, View};
use super::super::widgets::table::Cursor;
use super::writes::{rebuild_cadences, sync_live};
use super::{funnel, people};

/// Shows engagement over `range`: what was read of the range before is kept
/// aside (the cost question's Cancel goes back to it), the new one is read.
pub(crate) fn set_range(state: &mut AppState, range: TimeRange, fx: &mut Vec<Effect>) {
    let before = state.metrics.range;
    super::cost::unpark(state);
    state.metrics.range = range;
    state.analytics.alerts.dirty = true;
    state.metrics.choice = None;
    state.metrics.question = None;
    state.metrics.agg.set_range(range, state.clock.wall);
    if !state.metrics.local {
        let loaded = std::mem::take(&mut state.metrics.loaded);
        state.metrics.previous = Some((before, loaded));
    }
    rebuild_cadences(state);
    state.say(Level::Info, format!("engagement over {range}"));
    request_engagement(state, fx);
    if state.view == View::CadenceDetail {
        funnel::request(state, false, fx);
    }
}

/// Shows a view (without loading anything new) and keeps live polling in step.
pub fn open_view(state: &mut AppState, view: View, fx: &mut Vec<Effect>) {
    let view = match view {
        View::CadenceDetail if state.cadences.detail.is_none() => View::Cadences,
        View::Person if state.people.person.is_none() => View::People,
        v => v,
    };
    state.view = view;
    state.tab_views[view.tab() - 1] = view;
    if view == View::People
        && state.people.search.hits.hits.is_empty()
        && !state.people.search.index.is_empty()
    {
        people::query_changed(state);
    }
    sync_live(state, fx);
}

pub(crate) fn open_detail(state: &mut AppState, cadence_id: u64, fx: &mut Vec<Effect>) {
    if state
        .cadences
        .detail
        .as_ref()
        .is_none_or(|d| d.cadence_id != cadence_id)
    {
        state.cadences.detail = Some(CadenceDetail::new(cadence_id));
    }
    load_detail(state, fx);
    open_view(state, View::CadenceDetail, fx);
}

pub(crate) fn load_detail(state: &mut AppState, fx: &mut Vec<Effect>) {
    let Some(cadence_id) = state.cadences.detail.as_ref().map(|d| d.cadence_id) else {
        return;
    };
    let (id, effect) = state.request(Priority::Visible, Request::CadenceDetail { cadence_id });
    if let Some(d) = &mut state.cadences.detail {
        d.fetch.start(id);
    }
    fx.push(effect);
    funnel::request(state, false, fx);
}

pub(crate) fn open_person(state: &mut AppState, person_id: u64, back: View, fx: &mut Vec<Effect>) {
    if state
        .people
        .person
        .as_ref()
        .is_none_or(|p| p.person_id != person_id)
    {
        state.people.person = Some(PersonPage {
            person_id,
            person: None,
            memberships: Vec::new(),
            fetch: Default::default(),
            cursor: Cursor::default(),
            back,
        });
    } else if let Some(p) = &mut state.people.person {
        p.back = back;
    }
    load_person(state, fx);
    state.view = View::Person;
    state.tab_views[1] = View::Person;
    sync_live(state, fx);
}

pub(crate) fn load_person(state: &mut AppState, fx: &mut Vec<Effect>) {
    let Some(person_id) = state.people.person.as_ref().map(|p| p.person_id) else {
        return;
    };
    let (id, effect) = state.request(Priority::Visible, Request::PersonDetail { person_id });
    if let Some(p) = &mut state.people.person {
        p.fetch.start(id);
    }
    fx.push(effect);
}

pub(crate) fn load_cadences(state: &mut AppState, fx: &mut Vec<Effect>) {
    let (id, effect) = state.request(Priority::Visible, Request::Cadences);
    state.cadences.list.fetch.start(id);
    fx.push(effect);
}

/// Asks for the engagement of every cadence not loaded yet for the current range,
/// the ones on screen first.
pub(crate) fn request_engagement(state: &mut AppState, fx: &mut Vec<Effect>) {
    let mut ids = state.cadences.list.ids_visible_first();
    ids.retain(|id| !state.metrics.loaded.contains(id));
    if let Some(d) = &state.cadences.detail
        && state.view == View::CadenceDetail
    {
        ids.retain(|&id| id != d.cadence_id);
        ids.insert(0, d.cadence_id);
    }
    if ids.is_empty() {
        return;
    }
    use super::super::cost::CostChoice;
    match super::cost::choice(state) {
        Some(CostChoice::Load) => super::cost::load(state, ids, fx),
        // The user chose not to read this range from SalesLoft.
        Some(CostChoice::Stored | CostChoice::Cancel) => {}
        None if state.session.confirm_above.is_none() => super::cost::load(state, ids, fx),
        None => super::cost::estimate(state, ids, fx),
    }
}
