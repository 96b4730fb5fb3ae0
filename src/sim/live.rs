//! Live activity: moves the simulator's clock from `ds.now` to a new `now` and
//! makes the team do things in between — reps add people to cadences and work
//! their steps (emails go out, calls get made, people finish cadences), and
//! recipients open, click, reply or bounce.
//!
//! Engagement is decided when an email is sent and queued as timed events (in
//! compressed time: seconds to minutes, so a dashboard visibly moves); each event
//! updates the email, its membership and its person together, keeping every count
//! equal to the aggregates defined in `sim::dataset`. Same seed and same sequence
//! of `now`s, same changes.

mod events;
mod plan;
mod report;
mod state;
mod work;

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};

use super::dataset::SECOND;
use super::model::{Dataset, EmailStatus, MembershipState, Micros};
use super::rng::Rng;

use report::EventKind;
pub use report::LiveReport;
pub use state::Live;

/// At most this much simulated activity per `advance` (after a long pause the
/// simulator catches up on queued events but does not invent hours of sends).
const MAX_WINDOW: Micros = 60 * SECOND;

impl Live {
    pub fn new(seed: u64) -> Self {
        Self {
            rng: Rng::new(seed ^ 0x11FE_11FE),
            started: false,
            candidates: Vec::new(),
            seen_memberships: 0,
            pending: HashMap::new(),
            queue: BinaryHeap::new(),
            seq: 0,
            next_action: 0,
            next_mailing: 0,
            ticks: 0,
        }
    }

    /// Moves `ds` from `ds.now` to `now` (a `now` in the past changes nothing).
    pub fn advance(&mut self, ds: &mut Dataset, now: Micros) -> LiveReport {
        let mut report = LiveReport::default();
        if now <= ds.now {
            return report;
        }
        if !self.started {
            self.start(ds);
        }
        if ds.memberships.len() != self.seen_memberships || self.ticks.is_multiple_of(120) {
            self.refresh_candidates(ds);
        }
        self.ticks += 1;
        let from = ds.now.max(now - MAX_WINDOW);
        let seconds = (now - from) as f64 / SECOND as f64;
        let scale = (self.candidates.len() as f64 / 1000.0).clamp(0.5, 4.0);

        // Work: steps done (emails, calls), people added, a few removals.
        let mut times: Vec<(Micros, u8)> = Vec::new();
        for (kind, per_second) in [(0u8, 2.0 * scale), (1, 0.3 * scale), (2, 0.05 * scale)] {
            let n = self.poisson(per_second * seconds);
            for _ in 0..n {
                times.push((self.rng.range_i64(from + 1, now + 1), kind));
            }
        }
        times.sort_unstable();
        for (t, kind) in times {
            // Queued engagement that falls due before this piece of work goes first.
            self.drain(ds, t, &mut report);
            match kind {
                0 => self.work_step(ds, t, &mut report),
                1 => self.enroll(ds, t, &mut report),
                _ => self.remove_one(ds, t, &mut report),
            }
        }
        self.drain(ds, now, &mut report);
        ds.now = now;
        report
    }

    /// Number of events in a window with the given expected count.
    fn poisson(&mut self, mean: f64) -> u32 {
        if mean <= 0.0 {
            return 0;
        }
        let whole = mean.floor();
        (whole as u32) + u32::from(self.rng.chance(mean - whole))
    }

    /// First call: learn id counters, pending emails, and give recent emails a
    /// chance of late engagement so the first seconds already show movement.
    fn start(&mut self, ds: &Dataset) {
        self.started = true;
        let mut max_action = 0;
        let mut max_mailing = 0;
        for e in ds.emails.iter() {
            max_action = max_action.max(e.action_id.unwrap_or(0));
            max_mailing = max_mailing.max(e.mailing_id);
            if matches!(e.status, EmailStatus::Scheduled | EmailStatus::Pending)
                && let (Some(step), None) = (e.step_id, e.sent_at)
            {
                self.pending.insert((e.person_id, step), e.id);
            }
        }
        for m in ds.memberships.iter() {
            max_action = max_action.max(m.latest_action_id.unwrap_or(0));
        }
        self.next_action = max_action + 1;
        self.next_mailing = max_mailing + 1;
        let recent = ds.now - 3 * 24 * 3600 * SECOND;
        let late: Vec<u64> = ds
            .emails
            .range_updated(
                std::ops::Bound::Included(recent),
                std::ops::Bound::Unbounded,
            )
            .filter(|e| e.status.is_sent() && !e.bounced && e.sent_at.is_some_and(|s| s >= recent))
            .map(|e| e.id)
            .collect();
        for id in late {
            if let Some(e) = ds.emails.get(id) {
                let e = e.clone();
                if self.rng.chance(0.35) {
                    self.plan_engagement(ds, &e, ds.now, 90.0, false);
                }
            }
        }
    }

    fn refresh_candidates(&mut self, ds: &Dataset) {
        self.candidates = ds
            .memberships
            .iter()
            .filter(|m| {
                matches!(
                    m.state,
                    MembershipState::Active
                        | MembershipState::Staged
                        | MembershipState::Scheduled
                        | MembershipState::Processing
                )
            })
            .map(|m| m.id)
            .collect();
        self.seen_memberships = ds.memberships.len();
    }

    /// Applies every queued event due at or before `until`, in time order.
    fn drain(&mut self, ds: &mut Dataset, until: Micros, report: &mut LiveReport) {
        while let Some(Reverse((due, _, email_id, kind))) = self.queue.peek().copied() {
            if due > until {
                break;
            }
            self.queue.pop();
            events::apply(ds, email_id, kind, due.max(ds.now + 1), report);
        }
    }
}

#[cfg(test)]
mod tests;
