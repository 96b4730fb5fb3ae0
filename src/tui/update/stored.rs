//! The local store's data into the state: the first frame's read
//! ([`apply_load`]) and the worker's store reports ([`on_event`]: the people
//! and facts read after the first frame, what a sync changed, its progress).
//! What the status line says of it is `tui::stored`'s.

use std::collections::HashMap;
use std::sync::Arc;

use crate::metrics::{Aggregator, TimeRange};
use crate::search::PersonEntry;
use crate::store::start::{Changes, Rest, StoreLoad, Stored};
use crate::store::{DashboardData, PersonRow};
pub use crate::worker::store_sync::StoreEvent;
use crate::worker::{LayoutBase, PeopleChange};

use super::super::msg::Effect;
use super::super::state::{AppState, IndexStatus, Level};
use super::super::store_status::SyncLine;
/// What the screen says of the store, for callers that feed it here.
pub use super::super::stored::{offline, offline_refusal, stale_text, sync_text};
use super::results::research as people_changed;
use super::writes::free;
use super::{nav, people};

/// Puts the store's data into a fresh state, before the first frame, with the
/// people and email facts given in full (as small stores and tests have them).
pub fn seed(state: &mut AppState, mut data: DashboardData) {
    let facts = std::mem::take(&mut data.email_facts);
    let people = std::mem::take(&mut data.people);
    seed_data(state, data);
    let wall = state.clock.wall;
    state.metrics.agg = Aggregator::from_totals(state.metrics.range, wall, Vec::new());
    let mut agg = Aggregator::new(TimeRange::All, wall);
    agg.reserve(facts.len());
    for f in facts {
        agg.upsert(f);
    }
    let people = people.iter().map(person_row).collect();
    take_rest(
        state,
        Rest {
            people,
            agg,
            index: None,
        },
        &mut Vec::new(),
    );
}

/// The first frame's part of the store: cadences, steps and users (the
/// engagement numbers are set by the caller).
fn seed_data(state: &mut AppState, data: DashboardData) {
    let now = state.clock.now;
    let DashboardData {
        cadences,
        steps,
        users,
        synced_at,
        ..
    } = data;
    state.cadences.list.replace(cadences);
    state.cadences.list.fetch.arrived(now);
    let mut by_cadence: HashMap<u64, Vec<_>> = HashMap::new();
    for s in steps {
        if let Some(c) = s.cadence.as_ref().and_then(|c| c.id_u64()) {
            by_cadence.entry(c).or_default().push(s);
        }
    }
    state.cadences.steps.extend(by_cadence);
    state.team.users = users
        .iter()
        .filter_map(|u| u.label().map(|n| (u.id, n)))
        .collect();
    state.cadences.list.owners = state.team.users.clone();
    state.conn.store.stale = true;
    state.conn.store.seeded = true;
    state.conn.store.synced_at = synced_at;
}

/// The people and email facts read after the first frame: the stored people join
/// the index (people the worker listed meanwhile keep their newer entry and their
/// place, so search results, marks and an open enrollment stay valid), and the
/// facts replace the stored totals, with the facts that arrived meanwhile
/// replayed on top. Many stored people joining a filled index are laid out by
/// the worker (the search stays on the index shown until then).
fn take_rest(state: &mut AppState, rest: Rest, fx: &mut Vec<Effect>) {
    let Rest { people, agg, index } = rest;
    state.people.search.only_walk = false;
    let wall = state.clock.wall;
    let m = &mut state.metrics;
    m.agg.absorb(agg, wall, &mut m.series);
    let had = state.people.search.index.len();
    let changed = match index {
        // Nobody listed yet (the usual start): the index built off this task.
        Some(built) if had == 0 && state.people.search.relayout.is_none() => {
            let old = std::mem::replace(&mut state.people.search.index, built);
            free(old, fx);
            true
        }
        Some(built) => {
            let index = &state.people.search.index;
            let fill: Vec<Arc<PersonEntry>> = (built.entries().iter())
                .filter(|e| index.by_id(e.id).is_none())
                .cloned()
                .collect();
            free(built, fx);
            // Many go to the worker as one shared list (nothing per person here).
            let fill = if fill.len() > super::relayout::FEW_NEW {
                vec![PeopleChange::FillAll(fill.into())]
            } else {
                fill.into_iter().map(PeopleChange::Fill).collect()
            };
            super::relayout::change(state, fill, fx)
        }
        None => {
            let fill = people
                .into_iter()
                .map(|r| PeopleChange::Fill(row_entry(r).into()));
            super::relayout::change(state, fill.collect(), fx)
        }
    };
    if !matches!(state.people.search.status, IndexStatus::Failed(_)) {
        state.people.search.status = IndexStatus::Done {
            total: state.people.search.index.len(),
        };
    }
    if changed || state.people.search.index.len() != had {
        people_changed(state);
    }
    state
        .cadences
        .list
        .rebuild(&state.metrics.agg, &state.metrics.loaded);
}

/// Everything the store holds in place of what the dashboard has, so people and
/// facts removed upstream go (the first hand-over when the facts have not come
/// yet). The people come laid out by the worker (or are laid out there).
fn replace_rest(state: &mut AppState, rest: Rest, fx: &mut Vec<Effect>) {
    if state.metrics.agg.is_preset() {
        return take_rest(state, rest, fx);
    }
    let Rest {
        people,
        mut agg,
        index,
    } = rest;
    agg.set_range(state.metrics.agg.range(), state.clock.wall);
    state.people.search.only_walk = false;
    // The replaced facts and people are freed off this task.
    free(std::mem::replace(&mut state.metrics.agg, agg), fx);
    // What waited for a layout is replaced too.
    super::relayout::withdraw(state);
    match index {
        Some(index) => {
            let marked = &mut state.people.search.marked;
            marked.retain(|id| index.by_id(*id).is_some());
            super::relayout::swap(state, index, fx);
        }
        None => {
            let people: Vec<Arc<PersonEntry>> =
                people.into_iter().map(|r| Arc::new(row_entry(r))).collect();
            let ids: std::collections::HashSet<u64> = people.iter().map(|e| e.id).collect();
            state.people.search.marked.retain(|id| ids.contains(id));
            super::relayout::send(state, LayoutBase::Entries(Arc::new(people)), Vec::new(), fx);
        }
    }
    if !matches!(state.people.search.status, IndexStatus::Failed(_)) {
        state.people.search.status = IndexStatus::Done {
            total: state.people.search.index.len(),
        };
    }
    people_changed(state);
    state
        .cadences
        .list
        .rebuild(&state.metrics.agg, &state.metrics.loaded);
}

fn person_row(p: &crate::api::models::Person) -> PersonRow {
    let e = person_entry(p);
    PersonRow {
        id: e.id,
        name: e.name,
        email: e.email,
        company: e.company,
        title: e.title,
    }
}

fn person_entry(p: &crate::api::models::Person) -> PersonEntry {
    PersonEntry {
        id: p.id,
        name: p.label(),
        email: p.email_address.clone().unwrap_or_default(),
        company: p.person_company_name.clone().unwrap_or_default(),
        title: p.title.clone().unwrap_or_default(),
    }
}

/// Applies what the start-up read found: seeds the state, or says why the store is
/// not used.
pub fn apply_load(state: &mut AppState, load: StoreLoad) {
    match load {
        StoreLoad::Absent => {}
        StoreLoad::Loaded(stored) => {
            let Stored {
                data,
                range,
                totals,
                coverage,
            } = *stored;
            seed_data(state, data);
            state.conn.store.coverage = coverage;
            if coverage.people {
                state.people.search.status = IndexStatus::Running;
            }
            let wall = state.clock.wall;
            let mut agg = Aggregator::from_totals(range, wall, totals);
            // A state on another range than the load's shows no stored numbers.
            agg.set_range(state.metrics.range, wall);
            state.metrics.agg = agg;
            state
                .cadences
                .list
                .rebuild(&state.metrics.agg, &state.metrics.loaded);
        }
        StoreLoad::Failed(message) => state.say(Level::Warn, message),
    }
}

/// A report from the background sync.
/// Returns the requests it leads to.
pub fn on_event(state: &mut AppState, event: StoreEvent) -> Vec<Effect> {
    let mut fx = Vec::new();
    match event {
        StoreEvent::Loaded(Ok(rest)) => take_rest(state, *rest, &mut fx),
        StoreEvent::Reloaded(rest) => replace_rest(state, *rest, &mut fx),
        StoreEvent::Loaded(Err(e)) => {
            // Counting goes on from the live reads alone.
            let wall = state.clock.wall;
            let m = &mut state.metrics;
            m.agg
                .absorb(Aggregator::new(TimeRange::All, wall), wall, &mut m.series);
            state.say(
                Level::Warn,
                format!(
                    "reading the local store's people and emails failed ({e}); \
                     they load from SalesLoft instead"
                ),
            );
            let fx = store_fallback(state);
            state
                .cadences
                .list
                .rebuild(&state.metrics.agg, &state.metrics.loaded);
            return fx;
        }
        StoreEvent::Changed(changes) => {
            let Changes { people, facts } = *changes;
            state.people.search.only_walk &= people.is_empty();
            // A changed person is laid out by the worker.
            let upsert = people
                .into_iter()
                .map(|r| PeopleChange::Upsert(row_entry(r).into()));
            if super::relayout::change(state, upsert.collect(), &mut fx) {
                people_changed(state);
            }
            let mut changed = false;
            for f in facts {
                changed |= state.metrics.agg.upsert(f);
            }
            if changed {
                state
                    .cadences
                    .list
                    .rebuild(&state.metrics.agg, &state.metrics.loaded);
            }
        }
        StoreEvent::Progress(p) => {
            let mut per = match std::mem::take(&mut state.conn.store.sync) {
                SyncLine::Running(per) => per,
                _ => Vec::new(),
            };
            let name = p.resource.name();
            match per.iter_mut().find(|(r, _, _)| *r == name) {
                Some(e) => *e = (name, p.records, p.expected),
                None => per.push((name, p.records, p.expected)),
            }
            state.conn.store.sync = SyncLine::Running(per);
        }
        StoreEvent::Finished {
            ok,
            records,
            error,
            synced_at,
        } => {
            state.conn.store.sync = SyncLine::Done;
            if synced_at.is_some() {
                state.conn.store.synced_at = synced_at;
            }
            // Said for the first run and when the outcome changes; the periodic
            // refreshes and repeated retries stay quiet.
            let was = state.conn.store.last_ok.replace(ok);
            if ok && was != Some(true) {
                state.say(
                    Level::Info,
                    format!("local store up to date ({records} records read)"),
                );
            } else if !ok
                && was != Some(false)
                && !error.as_deref().is_some_and(super::super::auth::is_refusal)
            {
                let what = error.unwrap_or_else(|| "it stopped".to_string());
                state.say(
                    Level::Warn,
                    format!(
                        "the local store was not fully refreshed ({what}); \
                         retrying in the background"
                    ),
                );
            }
        }
    }
    fx
}

fn row_entry(r: PersonRow) -> PersonEntry {
    PersonEntry {
        id: r.id,
        name: r.name,
        email: r.email,
        company: r.company,
        title: r.title,
    }
}

/// The local store's people and emails could not be read after the first frame:
/// read them from SalesLoft as without a store.
pub(crate) fn store_fallback(state: &mut AppState) -> Vec<Effect> {
    let mut fx = Vec::new();
    if state.metrics.local {
        state.metrics.local = false;
        state.metrics.loaded.clear();
        nav::request_engagement(state, &mut fx);
    }
    if state.conn.store.coverage.people && state.people.search.index_request.is_none() {
        people::start_index(state, &mut fx);
    }
    fx
}
