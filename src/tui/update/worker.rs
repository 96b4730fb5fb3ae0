//! Worker events: data in, with the stale-answer guard (a view takes an answer only
//! for the request id it waits for), progress and errors in words.

use crate::worker::PUSHED;
use crate::worker::protocol::{ConnectionState, RequestId, WorkerEvent};

use super::super::msg::Effect;
use super::super::state::{AppState, IndexStatus, Level, Unreachable};
use super::writes::rebuild_cadences;
use super::{enroll, hub, nav, people};

pub(crate) fn on_event(state: &mut AppState, event: WorkerEvent, fx: &mut Vec<Effect>) {
    let now = state.clock.now;
    match event {
        WorkerEvent::Started { id, label } => {
            state.tasks.running.retain(|(r, _)| *r != id);
            state.tasks.running.push((id, label));
        }
        WorkerEvent::Finished { id, error } => on_finished(state, id, error, fx),
        WorkerEvent::Cadences { id, cadences } => {
            // Pushed: the team database changed (a dashboard on `--db`).
            if !state.cadences.list.fetch.wants(id) && id != PUSHED {
                return;
            }
            state.cadences.list.replace(cadences);
            state.cadences.list.fetch.arrived(now);
            // Live data replaces what the local store showed.
            state.conn.store.stale = false;
            rebuild_cadences(state);
            nav::request_engagement(state, fx);
        }
        WorkerEvent::CadenceSteps {
            cadence_id, steps, ..
        } => {
            // Steps are facts about a cadence, whoever asked: keep them for the
            // detail and the enrollment's step picker.
            state.cadences.steps.insert(cadence_id, steps);
        }
        WorkerEvent::CadenceMembers {
            id,
            cadence_id,
            members,
        } => {
            let steps = state.detail_step_count();
            if let Some(d) = &mut state.cadences.detail
                && d.cadence_id == cadence_id
                && (d.fetch.wants(id) || id == PUSHED)
            {
                d.members = members;
                // People on the cadence first, in the worker's order otherwise.
                d.members.sort_by_key(|(m, _)| !m.currently_on_cadence);
                d.fetch.arrived(now);
                let len = steps + d.members.len();
                d.cursor.clamp(len);
                let on = d.members.iter().filter(|(m, _)| m.currently_on_cadence);
                let on = on.count() as u64;
                // One count of the people on a cadence everywhere: its memberships'.
                state.cadences.list.set_on_cadence(cadence_id, on);
                rebuild_cadences(state);
            }
        }
        WorkerEvent::EmailFacts { facts, live, .. } => {
            // Folding is idempotent by email id, so any batch is safe to take.
            let wall = state.clock.wall;
            let mut changed = false;
            // While the store's totals are shown, the facts read so far keep up.
            if let Some(parked) = &mut state.metrics.parked {
                for fact in &facts {
                    parked.upsert(fact.clone());
                }
            }
            let m = &mut state.metrics;
            for fact in facts {
                changed |= if live {
                    m.agg.upsert_observed(fact, wall, &mut m.series)
                } else {
                    m.agg.upsert(fact)
                };
            }
            if live {
                m.live_at = Some(now);
            }
            if changed {
                // The alerts and the trends read the aggregator's facts.
                state.analytics.facts.changed();
                state.analytics.alerts.dirty = true;
                rebuild_cadences(state);
            }
        }
        WorkerEvent::EngagementLoaded { id, cadence_id } => {
            if state.metrics.fetch.wants(id) {
                state.analytics.alerts.dirty = true;
                state.metrics.loaded.insert(cadence_id);
                state.metrics.fetch.arrived(now);
                rebuild_cadences(state);
            }
        }
        WorkerEvent::EngagementDone {
            id,
            requests,
            points,
        } => {
            // Say what the load spent of the team's budget (nothing to say when
            // the store or earlier loads had it all).
            if state.metrics.fetch.wants(id) && requests > 0 {
                let text = format!(
                    "engagement over {} loaded: {points} point{} spent in {requests} request{}",
                    state.metrics.range,
                    if points == 1 { "" } else { "s" },
                    if requests == 1 { "" } else { "s" },
                );
                state.say(Level::Info, text);
            }
        }
        WorkerEvent::EngagementEstimate {
            id,
            range,
            cadence_ids,
            emails,
            cost,
        } => super::cost::on_estimate(state, id, range, cadence_ids, emails, cost, fx),
        WorkerEvent::StoredEngagement {
            id,
            range,
            totals,
            synced_at,
        } => super::cost::on_stored(state, id, range, totals, synced_at),
        WorkerEvent::Store(report) => {
            fx.extend(super::stored::on_event(state, report));
        }
        WorkerEvent::Deferred { id, reason } => {
            let text = format!("waiting for budget: {reason}");
            if state.metrics.fetch.wants(id) {
                state.metrics.deferred = Some(reason);
            }
            state.say(Level::Warn, text);
        }
        // Only `report` asks for the team's calls.
        WorkerEvent::Calls { .. } => {}
        WorkerEvent::Funnel {
            id,
            cadence_id,
            range,
            steps,
            funnel,
            templates,
            titles,
        } => {
            let data = super::super::funnel::FunnelData {
                range,
                rows: funnel,
                templates,
                titles,
            };
            super::funnel::on_funnel(state, id, cadence_id, data, steps);
        }
        WorkerEvent::PeopleBatch { id, people } => people::on_batch(state, id, people, fx),
        WorkerEvent::PeopleDeleted { ids } => people::on_deleted(state, &ids, fx),
        WorkerEvent::PeopleIndexed { id, total, index } => {
            // Laid out by the worker: swapped in, with what only the dashboard
            // knows added. Without an index the walk listed only changes: they
            // went in page by page (a changed person laid out by the worker).
            if let Some(built) = index {
                people::adopt(state, id, *built, fx);
            }
            state.people.search.status = IndexStatus::Done {
                total: total.max(state.people.search.index.len()),
            };
        }
        WorkerEvent::PeopleLaidOut { id, index } => {
            super::relayout::on_laid_out(state, id, index, fx);
        }
        WorkerEvent::PersonFound { id, person } => {
            let Some((waiting, email)) = state.people.search.lookup.waiting.clone() else {
                return;
            };
            if waiting != id {
                return;
            }
            state.people.search.lookup.waiting = None;
            people::on_found(state, email, person, fx);
        }
        WorkerEvent::PersonDetail {
            id,
            person,
            memberships,
        } => {
            people::learned(state, &person, fx);
            if let Some(p) = &mut state.people.person
                && (p.fetch.wants(id) || id == PUSHED)
                && p.person_id == person.id
            {
                p.person = Some(person);
                p.memberships = memberships;
                p.memberships
                    .sort_by_key(|m| (!m.currently_on_cadence, std::cmp::Reverse(m.added_at)));
                p.fetch.arrived(now);
                p.cursor.clamp(p.memberships.len());
            }
        }
        WorkerEvent::EnrollProgress {
            id,
            person_id,
            outcome,
        } => {
            if let Some(task) = state.tasks.list.iter_mut().find(|t| t.id == id) {
                task.outcomes.retain(|(p, _)| *p != person_id);
                task.outcomes.push((person_id, outcome));
            }
        }
        WorkerEvent::LiveState {
            enabled,
            paused_reason,
        } => {
            if paused_reason.is_some() && paused_reason != state.conn.live.paused_reason {
                let why = paused_reason.clone().unwrap_or_default();
                state.say(Level::Warn, format!("live updates paused: {why}"));
            }
            state.conn.live.enabled = enabled;
            state.conn.live.paused_reason = paused_reason;
        }
        WorkerEvent::Me {
            user, all_public, ..
        } => {
            state.team.me = Some(user.id);
            state.team.admin = Some(user.team_admin);
            state.team.all_public = all_public;
        }
        WorkerEvent::Users { users, .. } => {
            state.team.users = users
                .into_iter()
                .filter_map(|u| u.label().map(|n| (u.id, n)))
                .collect();
            // The filter's `owner:` words read them.
            state.cadences.list.owners = state.team.users.clone();
            if !state.cadences.list.filter.is_empty() {
                rebuild_cadences(state);
            }
        }
        WorkerEvent::Connection {
            state:
                ConnectionState::AuthFailed {
                    retry_in_secs,
                    reason,
                },
        } => super::auth::on_failed(state, retry_in_secs, reason),
        WorkerEvent::Connection {
            state: ConnectionState::Up,
        } if state.conn.auth.is_some() => super::reload::on_up(state, fx),
        WorkerEvent::Connection { state: connection } => {
            on_connection(state, connection);
            // Back from offline on stored data: the old failure no longer means
            // offline (the reload decides), and the live data is read now.
            if state.conn.unreachable.is_none() && state.conn.store.stale {
                state.cadences.list.fetch.error = None;
                if !state.cadences.list.fetch.is_loading() {
                    nav::load_cadences(state, fx);
                }
            }
        }
        WorkerEvent::Heartbeat { at } => state.conn.heartbeat = Some(at),
        WorkerEvent::TaskNote { id, note } => {
            if let Some(task) = state.tasks.list.iter_mut().find(|t| t.id == id) {
                task.note = note;
            }
        }
        WorkerEvent::HubStatus { hub } => hub::on_status(state, hub),
        WorkerEvent::HubDatabase { problem } => hub::on_database(state, problem),
        WorkerEvent::Error { message } => state.say(Level::Error, message),
    }
}

/// The status bar says "SalesLoft unreachable, retrying in N s" while down; the
/// data on screen stays, marked stale.
fn on_connection(state: &mut AppState, connection: ConnectionState) {
    let now = state.clock.now;
    match connection {
        ConnectionState::Down {
            retry_in_secs,
            reason,
        } => {
            if state.conn.unreachable.is_none() {
                state.say(
                    Level::Error,
                    format!("SalesLoft unreachable ({reason}); showing the last data received"),
                );
            }
            state.conn.unreachable = Some(Unreachable {
                reason,
                retry_at: now + std::time::Duration::from_secs(retry_in_secs),
            });
        }
        ConnectionState::Up => {
            if state.conn.unreachable.take().is_some() {
                state.say(Level::Info, "SalesLoft answers again");
            }
        }
        // Handled before (super::super::auth).
        ConnectionState::AuthFailed { .. } => {}
    }
}

fn on_finished(state: &mut AppState, id: RequestId, error: Option<String>, fx: &mut Vec<Effect>) {
    let now = state.clock.now;
    state.tasks.running.retain(|(r, _)| *r != id);
    if super::relayout::on_failed(state, id, &error) {
        let why = error.unwrap_or_else(|| "it stopped".into());
        state.say(
            Level::Error,
            format!("the people search was not updated ({why})"),
        );
        return;
    }
    let mut claimed = super::cost::on_finished(state, id, &error);
    if claimed || super::auth::on_finished(state, id, &error) {
        return;
    }
    claimed |= state.cadences.list.fetch.finish(id, error.clone(), now);
    if let Some(d) = &mut state.cadences.detail {
        claimed |= d.fetch.finish(id, error.clone(), now);
    }
    claimed |= super::funnel::on_finished(state, id, error.clone());
    if let Some(p) = &mut state.people.person {
        claimed |= p.fetch.finish(id, error.clone(), now);
    }
    if state.metrics.fetch.wants(id) {
        claimed = true;
        state.metrics.fetch.finish(id, error.clone(), now);
        if error.is_none() {
            // Every cadence asked for is now complete.
            let asked = std::mem::take(&mut state.metrics.asked);
            state.metrics.loaded.extend(asked);
            rebuild_cadences(state);
        }
    }
    if state.people.search.index_request == Some(id) {
        claimed = true;
        state.people.search.index_request = None;
        match &error {
            Some(e) => state.people.search.status = IndexStatus::Failed(e.clone()),
            None if !matches!(state.people.search.status, IndexStatus::Done { .. }) => {
                state.people.search.status = IndexStatus::Done {
                    total: state.people.search.index.len(),
                };
            }
            None => {}
        }
    }
    if state
        .people
        .search
        .lookup
        .waiting
        .as_ref()
        .is_some_and(|(w, _)| *w == id)
    {
        state.people.search.lookup.waiting = None;
        claimed = true;
    }
    if state.tasks.list.iter().any(|t| t.id == id) {
        enroll::on_task_finished(state, id, error.clone(), fx);
        return;
    }
    if let Some(e) = error.filter(|e| !super::super::auth::is_refusal(e)) {
        // Errors of views say so in their own place; say it here too, in words,
        // because a failed read is worth noticing even on another screen.
        let what = if claimed { "" } else { "background work: " };
        state.say(Level::Error, format!("{what}{e}"));
    }
}
