//! Following the team database's changes: listen on `sltui_changes`; on each
//! announcement above the last number applied (and every few seconds
//! regardless) read the rows changed past it in one snapshot and send them as
//! events. Any failure of the listening connection or of a read: say so once,
//! connect again (backing off up to a few seconds) and catch up from the last
//! number applied, so nothing is lost or doubled.
//!
//! Runs on a thread of its own: the client blocks.

use std::collections::HashSet;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use super::answers::{detail, person};
use super::shared::{Shared, lock};
use crate::api::models::Step;
use crate::store::pg::{ChangeListener, ChangeSet, HubStatus};
use crate::store::start::Changes;
use crate::worker::PUSHED;
use crate::worker::protocol::{HubSeen, WorkerEvent};
use crate::worker::store_sync::StoreEvent;

/// How long one wait for announcements lasts (also how soon a stop is seen).
const WAIT: Duration = Duration::from_millis(500);
/// The longest pause between two tries to reconnect.
const MAX_BACKOFF: Duration = Duration::from_secs(5);

/// Follows the database from change number `from` until the worker stops.
pub fn run(shared: &Shared, from: i64) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a small runtime for the follower's re-reads");
    let mut follower = Follower {
        shared,
        rt,
        through: from,
        problem: None,
        backoff: Duration::from_millis(100),
    };
    follower.hub_status();
    if shared.opts.rest {
        follower
            .rt
            .block_on(super::answers::send_rest(shared, false));
    }
    while !shared.stopped() {
        let Some(mut listener) = follower.connect() else {
            follower.pause();
            continue;
        };
        // Whatever happened while not listening.
        if !follower.catch_up() {
            follower.pause();
            continue;
        }
        if !follower.listen(&mut listener) {
            follower.pause();
        }
    }
}

struct Follower<'a> {
    shared: &'a Shared,
    /// For the re-reads shared with the request answers.
    rt: tokio::runtime::Runtime,
    /// Every change up to this number has been sent.
    through: i64,
    /// What is wrong with the database, as last said.
    problem: Option<String>,
    backoff: Duration,
}

impl Follower<'_> {
    fn connect(&mut self) -> Option<ChangeListener> {
        match self.shared.store.listen() {
            Ok(l) => Some(l),
            Err(e) => {
                self.failed(e.to_string());
                None
            }
        }
    }

    /// Waits for announcements and catches up on them, until the connection
    /// fails (false) or the worker stops (true).
    fn listen(&mut self, listener: &mut ChangeListener) -> bool {
        let mut last = Instant::now();
        while !self.shared.stopped() {
            let every = Duration::from_secs(self.shared.safety_secs.load(Ordering::Relaxed));
            let waited = listener.wait(WAIT);
            if listener.is_closed() {
                // Ended by the server: a closed listener may only time out.
                self.failed("the team database ended the listening connection".into());
                return false;
            }
            match waited {
                Ok(Some(n)) if n > self.through => {}
                Ok(_) if last.elapsed() >= every => {}
                Ok(_) => continue,
                Err(e) => {
                    self.failed(e.to_string());
                    return false;
                }
            }
            if !self.catch_up() {
                return false;
            }
            last = Instant::now();
        }
        true
    }

    /// Reads and sends what changed past `through`; false when the read failed.
    fn catch_up(&mut self) -> bool {
        let set = match self.shared.store.changes_after(self.through) {
            Ok(set) => set,
            Err(e) => {
                self.failed(e.to_string());
                return false;
            }
        };
        if self.problem.take().is_some() {
            self.shared.emit(WorkerEvent::HubDatabase { problem: None });
        }
        self.backoff = Duration::from_millis(100);
        let hub = set.hub.is_some();
        self.send(set);
        if hub {
            self.hub_status();
        }
        self.shared
            .emit(WorkerEvent::Heartbeat { at: Instant::now() });
        true
    }

    fn failed(&mut self, why: String) {
        if self.problem.as_ref() != Some(&why) {
            tracing::warn!(error = %why, "the team database failed; reconnecting");
            if self.problem.is_none() {
                self.shared.emit(WorkerEvent::HubDatabase {
                    problem: Some(why.clone()),
                });
            }
            self.problem = Some(why);
        }
    }

    fn pause(&mut self) {
        let end = Instant::now() + self.backoff;
        while Instant::now() < end && !self.shared.stopped() {
            std::thread::sleep(Duration::from_millis(50));
        }
        self.backoff = (self.backoff * 2).min(MAX_BACKOFF);
    }

    /// The hub's status row, measured on the database's clock.
    fn hub_status(&mut self) {
        match self.shared.store.hub_status_at() {
            Ok((status, now)) => {
                let hub = status.map(|s| seen(&s, now));
                self.shared.emit(WorkerEvent::HubStatus { hub });
                // The database answered ("updated 0s ago" from the start).
                self.shared
                    .emit(WorkerEvent::Heartbeat { at: Instant::now() });
            }
            Err(e) => self.failed(e.to_string()),
        }
    }

    /// Sends one change set as the events the dashboard folds.
    fn send(&mut self, set: ChangeSet) {
        self.through = self.through.max(set.through);
        let shared = self.shared;
        let ChangeSet {
            people,
            cadences,
            steps,
            users,
            memberships,
            facts,
            calls,
            templates,
            removed,
            jobs,
            stale,
            ..
        } = set;
        // The funnel shown counts its cadence's emails too: a changed one (sent,
        // opened, replied...) counts it again, while live updates are on.
        let facts_of_shown = shared.live.load(Ordering::Relaxed)
            && lock(&shared.funnel)
                .as_ref()
                .is_some_and(|shown| facts.iter().any(|f| f.cadence_id == Some(shown.cadence_id)));
        if !facts.is_empty() {
            if shared.live.load(Ordering::Relaxed) {
                super::answers::release_held(shared);
                for chunk in facts.chunks(2_000) {
                    shared.emit(WorkerEvent::EmailFacts {
                        id: PUSHED,
                        facts: chunk.to_vec(),
                        live: true,
                    });
                }
            } else {
                let mut held = lock(&shared.held);
                for f in facts {
                    match held.get(&f.email_id) {
                        Some(old) if old.updated_at > f.updated_at => {}
                        _ => {
                            held.insert(f.email_id, f);
                        }
                    }
                }
            }
        }
        let removed_in = |t: &str| -> Vec<u64> {
            removed
                .iter()
                .filter(|(tbl, _)| tbl == t)
                .map(|(_, id)| *id)
                .collect()
        };
        // The counts have no removal, and removals past a pruned number may be
        // missing: the people and every fact are read again, whole. Rare: a
        // full sync's sweep, or a dashboard a week behind.
        if stale || !removed_in("email_facts").is_empty() {
            if stale {
                tracing::info!(
                    "the team database pruned removals this dashboard had not seen; reading everything again"
                );
            }
            self.rt.block_on(super::answers::send_rest(shared, true));
        }
        if !people.is_empty() {
            shared.emit(WorkerEvent::Store(StoreEvent::Changed(Box::new(Changes {
                people,
                facts: Vec::new(),
            }))));
        }
        let gone = removed_in("people");
        if !gone.is_empty() {
            shared.emit(WorkerEvent::PeopleDeleted { ids: gone });
        }
        if (stale || !cadences.is_empty() || !removed_in("cadences").is_empty())
            && let Ok(cadences) = shared.store.cadences()
        {
            shared.emit(WorkerEvent::Cadences {
                id: PUSHED,
                cadences,
            });
        }
        let steps_gone = stale || !removed_in("steps").is_empty();
        if !steps.is_empty() || steps_gone {
            self.send_steps(&steps, steps_gone);
        }
        if (stale || !users.is_empty())
            && let Ok(users) = shared.store.users()
        {
            shared.emit(WorkerEvent::Users { id: PUSHED, users });
        }
        let members_gone = stale || !removed_in("memberships").is_empty();
        if !memberships.is_empty() || members_gone {
            let cadences: HashSet<u64> =
                memberships.iter().filter_map(|m| m.cadence_id()).collect();
            let people: HashSet<u64> = memberships.iter().filter_map(|m| m.person_id()).collect();
            let open_detail = *lock(&shared.detail);
            if let Some(c) = open_detail.filter(|c| members_gone || cadences.contains(c)) {
                let _ = self.rt.block_on(detail(shared, PUSHED, c));
            }
            let open_person = *lock(&shared.person);
            if let Some(p) = open_person.filter(|p| members_gone || people.contains(p)) {
                let _ = self.rt.block_on(person(shared, PUSHED, p));
            }
        }
        // The funnel shown counts its cadence's emails and calls and names its
        // templates: counted again when one of them changed (or one was
        // removed: which cadence it was on is gone with it).
        let shown = lock(&shared.funnel).clone();
        if let Some(shown) = shown
            && (stale
                || facts_of_shown
                || !removed_in("email_facts").is_empty()
                || shown.touched_by(&calls, &templates)
                || !removed_in("calls").is_empty()
                || !removed_in("email_templates").is_empty())
        {
            self.rt
                .block_on(super::answers::refresh_funnel(shared, shown));
        }
        if !jobs.is_empty() {
            let mut watched = lock(&shared.jobs);
            let mut any = false;
            for job in jobs {
                if let Some(slot) = watched.get_mut(&job.key) {
                    *slot = job;
                    any = true;
                }
            }
            drop(watched);
            if any {
                shared.jobs_changed.send_modify(|n| *n += 1);
            }
        }
    }

    /// Every cadence's steps that changed (all of them after a removal).
    fn send_steps(&self, changed: &[Step], removal: bool) {
        let shared = self.shared;
        let mut ids: Vec<u64> = changed
            .iter()
            .filter_map(|s| s.cadence.as_ref().and_then(|c| c.id_u64()))
            .collect();
        if removal && let Ok(all) = shared.store.steps() {
            ids.extend(
                all.iter()
                    .filter_map(|s| s.cadence.as_ref().and_then(|c| c.id_u64())),
            );
        }
        ids.sort_unstable();
        ids.dedup();
        for cadence_id in ids {
            if let Ok(steps) = shared.store.cadence_steps(cadence_id) {
                shared.emit(WorkerEvent::CadenceSteps {
                    id: PUSHED,
                    cadence_id,
                    steps,
                });
            }
        }
    }
}

/// The status row as the dashboard shows it, ages on the database's clock.
pub fn seen(s: &HubStatus, now: chrono::DateTime<chrono::Utc>) -> HubSeen {
    let age = |t: Option<chrono::DateTime<chrono::Utc>>| {
        t.map(|t| (now - t).to_std().unwrap_or(Duration::ZERO))
    };
    HubSeen {
        name: s.hub_name.clone(),
        synced_ago: age(s.last_sync_at),
        updated_ago: age(s.updated_at),
        budget_remaining: s.budget_remaining,
        budget_limit: s.budget_limit,
        read_at: Instant::now(),
    }
}
