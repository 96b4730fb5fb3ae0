//! A sent email's engagement, decided when it is sent and queued as timed
//! events ([`Live::plan_engagement`]).

use std::cmp::Reverse;

use super::events;
use super::report::EventKind;
use super::state::Live;
use crate::sim::dataset::{BOUNCE_RATE, SECOND, engagement_odds};
use crate::sim::model::{Dataset, Email, Micros};
use crate::sim::rng::Rng;

impl Live {
    pub(super) fn push(&mut self, due: Micros, email_id: u64, kind: EventKind) {
        self.seq += 1;
        self.queue.push(Reverse((due, self.seq, email_id, kind)));
    }

    /// Decides what a sent email will do and queues it: a bounce (only for a fresh
    /// send), or opens, clicks and a reply, `mean_delay` seconds apart on average.
    pub(super) fn plan_engagement(
        &mut self,
        ds: &Dataset,
        e: &Email,
        at: Micros,
        mean_delay: f64,
        may_bounce: bool,
    ) {
        let (quality, bounce_factor) = events::email_quality(ds, e);
        let delay = |rng: &mut Rng, mean: f64| (rng.exp(mean * SECOND as f64) as Micros) + 1;
        if may_bounce && e.views == 0 && e.clicks == 0 && e.replies == 0 && !e.bounced {
            let p = BOUNCE_RATE * bounce_factor;
            if self.rng.chance(p) {
                let due = at + delay(&mut self.rng, 20.0);
                self.push(due, e.id, EventKind::Bounce);
                return;
            }
        }
        let (p_open, p_click, p_reply) = engagement_odds(quality);
        let p_reply = (p_reply * events::reply_factor(ds, e)).min(0.6);
        if !self.rng.chance(p_open) {
            return;
        }
        let open_at = at + delay(&mut self.rng, mean_delay);
        self.push(open_at, e.id, EventKind::View);
        let mut t = open_at;
        while self.rng.chance(0.4) {
            t += delay(&mut self.rng, mean_delay * 2.0);
            self.push(t, e.id, EventKind::View);
        }
        if self.rng.chance(p_click) {
            let due = open_at + delay(&mut self.rng, mean_delay / 2.0);
            self.push(due, e.id, EventKind::Click);
        }
        if self.rng.chance(p_reply) {
            let due = open_at + delay(&mut self.rng, mean_delay * 3.0);
            self.push(due, e.id, EventKind::Reply);
        }
    }
}
