//! People search: the local index, search as you type, marks, and the exact email
//! lookup that goes to the API after a short pause in typing (latest wins).

use std::sync::Arc;
use std::time::Duration;

use crate::api::models::Person;
use crate::worker::PeopleChange;
use crate::worker::protocol::{Priority, Request};

use super::super::msg::Effect;
use super::super::pages::LAY_OUT_HERE;
use super::super::state::{AppState, IndexStatus, Level, View};
use super::relayout;
use super::results::{refreshed, research};
use super::writes::free;
use crate::search::{PeopleIndex, PersonEntry, looks_like_email};

/// Typing pause before an email address is looked up.
pub const LOOKUP_DELAY: Duration = Duration::from_millis(400);

pub(crate) fn entry(p: &Person) -> PersonEntry {
    crate::worker::person_entry(p)
}

/// The worker's index of everyone its walk listed takes the place of the one
/// built from the same pages, unless that one holds just the walk's pages and
/// is laid out for search already (a search typed during the walk), or is being
/// laid out by the worker: then it stays and the worker's is dropped, so two
/// layouts of everyone are never held. Otherwise what the dashboard learned
/// besides (stored people, lookups, a person's detail read after their page,
/// changes waiting for a layout) goes on top, so nobody is lost and the newest
/// entry wins, as when the pages were taken one by one; the worker's index (not
/// laid out: the walk does not know whether anyone searched) is laid out by the
/// worker first ([`relayout::install`]). The search stays on the old index
/// until the swap; the old one is freed off this task.
pub(crate) fn adopt(state: &mut AppState, id: u64, built: PeopleIndex, fx: &mut Vec<Effect>) {
    // Nothing but this walk's pages: the same people in the same order.
    let same = state.people.search.index_request == Some(id);
    let only_walk = std::mem::take(&mut state.people.search.only_walk) && same;
    let shown = &state.people.search;
    let laid_out = shown.index.layout_work() <= built.layout_work().min(LAY_OUT_HERE);
    if only_walk && (laid_out || shown.relayout.is_some()) {
        free(built, fx);
        return;
    }
    let mut changes = Vec::new();
    if !only_walk {
        let old = &state.people.search.index;
        let gone = relayout::gone(state);
        for e in old.entries() {
            if !gone.is_some_and(|g| g.contains(&e.id)) && built.by_id(e.id) != Some(&**e) {
                changes.push(PeopleChange::Upsert(e.clone()));
            }
        }
    }
    changes.extend(relayout::withdraw(state));
    relayout::install(state, built, changes, fx);
}

pub(crate) fn start_index(state: &mut AppState, fx: &mut Vec<Effect>) {
    let (id, effect) = state.request(Priority::Bulk, Request::IndexPeople);
    state.people.search.index_request = Some(id);
    state.people.search.only_walk = state.people.search.index.is_empty();
    if !matches!(state.people.search.status, IndexStatus::Done { .. })
        || state.people.search.index.is_empty()
    {
        state.people.search.status = IndexStatus::Running;
    }
    fx.push(effect);
}

/// Re-runs the search after the query changed; keeps the selection on the same
/// person when they still match, and schedules an email lookup.
pub(crate) fn query_changed(state: &mut AppState) {
    research(state);
    state.people.search.cursor.reset();
    let q = state.people.search.query.value().trim().to_string();
    state.people.search.lookup.pending =
        looks_like_email(&q).then(|| (q, state.clock.now + LOOKUP_DELAY));
}

/// Sends the pending email lookup now (enter in the search input).
pub(crate) fn lookup_now(state: &mut AppState, fx: &mut Vec<Effect>) {
    if let Some((email, _)) = state.people.search.lookup.pending.take() {
        send_lookup(state, email, fx);
    }
}

pub(crate) fn lookup_if_due(state: &mut AppState, fx: &mut Vec<Effect>) {
    if state
        .people
        .search
        .lookup
        .pending
        .as_ref()
        .is_some_and(|(_, due)| *due <= state.clock.now)
    {
        lookup_now(state, fx);
    }
}

fn send_lookup(state: &mut AppState, email: String, fx: &mut Vec<Effect>) {
    let (id, effect) = state.request(
        Priority::Visible,
        Request::PersonByEmail {
            email: email.clone(),
        },
    );
    // Latest wins: an earlier lookup's answer will be ignored.
    state.people.search.lookup.waiting = Some((id, email));
    fx.push(effect);
}

pub(crate) fn toggle_mark(state: &mut AppState) {
    if state.view != View::People {
        state.say(Level::Info, "marking works in the people list (2)");
        return;
    }
    let people = &mut state.people.search;
    let Some(id) = people
        .hits
        .hits
        .get(people.cursor.selected)
        .and_then(|&i| people.index.get(i))
        .map(|p| p.id)
    else {
        return;
    };
    if !people.marked.remove(&id) {
        people.marked.insert(id);
    }
    people.cursor.down(1, people.hits.hits.len());
}

/// A batch of people for the index arrived (`id`: the request it answers). The
/// entries are kept as they came (a walk from the start shares them with the
/// index it lays out for the swap); the index builds what it searches with only
/// when searched.
pub(crate) fn on_batch(
    state: &mut AppState,
    id: u64,
    people: Vec<Arc<PersonEntry>>,
    fx: &mut Vec<Effect>,
) {
    if state.people.search.index_request != Some(id) {
        state.people.search.only_walk = false;
    }
    let changes = people.iter().map(|e| PeopleChange::Upsert(e.clone()));
    relayout::change(state, changes.collect(), fx);
    if !matches!(state.people.search.status, IndexStatus::Done { .. }) {
        state.people.search.status = IndexStatus::Running;
    }
    if !people.is_empty() {
        research(state);
    }
}

/// People deleted in SalesLoft leave the index (laid out again by the worker;
/// left out of the results until then), the marks and the searches.
pub(crate) fn on_deleted(state: &mut AppState, ids: &[u64], fx: &mut Vec<Effect>) {
    state.people.search.only_walk = false;
    for id in ids {
        state.people.search.marked.remove(id);
    }
    let changes = ids.iter().map(|&id| PeopleChange::Remove(id)).collect();
    if relayout::change(state, changes, fx) {
        refreshed(state);
    }
}

/// A person read from SalesLoft (a lookup, their detail) into the index.
pub(crate) fn learned(state: &mut AppState, p: &Person, fx: &mut Vec<Effect>) {
    state.people.search.only_walk = false;
    relayout::change(state, vec![PeopleChange::Upsert(entry(p).into())], fx);
}

pub(crate) fn on_found(
    state: &mut AppState,
    email: String,
    person: Option<Person>,
    fx: &mut Vec<Effect>,
) {
    match person {
        Some(p) => {
            learned(state, &p, fx);
            state.people.search.lookup.answer = Some((email, Some(p.id)));
        }
        None => {
            state.say(
                Level::Info,
                format!("no person with the email address {email}"),
            );
            state.people.search.lookup.answer = Some((email, None));
        }
    }
    research(state);
    // The exact match is first: select it.
    if state
        .people
        .search
        .lookup
        .answer
        .as_ref()
        .is_some_and(|(_, id)| id.is_some())
    {
        state.people.search.cursor.top();
    }
}
