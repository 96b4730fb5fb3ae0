//! Single touches: one email with its engagement, one call. Both keep the
//! person's counts and last-contact facts up to date as they are made.

use super::basis::{
    BOUNCE_RATE, DAY, HOUR, MEETING_PER_REPLY, MINUTE, SECOND, call_outcome, engagement_odds,
    usual_sent_status,
};
use super::builder::Builder;
use super::touch::{EmailKind, Origin, Touch};
use crate::sim::model::{Call, Email, EmailStatus, Micros};
use crate::sim::rng::Rng;

/// A random time in `[t, t + mean-ish]` drawn from an exponential, in micros.
fn later(rng: &mut Rng, t: Micros, mean: Micros) -> Micros {
    t + rng.exp(mean as f64) as Micros + rng.range_i64(1, SECOND)
}

impl Builder<'_> {
    fn sent_status(&mut self, user_id: u64) -> EmailStatus {
        let usual = usual_sent_status(user_id);
        if self.rng.chance(0.9) {
            usual
        } else {
            EmailStatus::Sent
        }
    }

    fn personalization(&mut self) -> f32 {
        if self.rng.chance(0.8) {
            100.0
        } else {
            (self.rng.range(300, 1000) as f32) / 10.0
        }
    }

    /// Makes one email row (id and mailing id are assigned later, in creation order).
    pub(super) fn email(
        &mut self,
        person: usize,
        user_id: u64,
        origin: Option<Origin>,
        created_at: Micros,
        kind: EmailKind,
    ) -> Touch {
        let now = self.now;
        let person_id = self.people[person].id;
        let mut row = Email {
            id: 0,
            person_id,
            user_id,
            cadence_id: origin.map(|o| o.cadence_id),
            step_id: origin.map(|o| o.step_id),
            mailing_id: 0,
            action_id: origin.map(|o| o.action_id),
            template_id: origin.and_then(|o| o.template_id),
            status: EmailStatus::Scheduled,
            bounced: false,
            view_tracking: self.rng.chance(0.95),
            click_tracking: origin.map_or_else(|| self.rng.chance(0.7), |o| o.click_tracking),
            personalization: self.personalization(),
            send_after: None,
            sent_at: None,
            views: 0,
            clicks: 0,
            replies: 0,
            unique_devices: 0,
            unique_locations: 0,
            created_at,
            updated_at: created_at,
        };
        let mut touch = Touch::default();
        match kind {
            EmailKind::Pending {
                send_after,
                pending,
            } => {
                row.status = if pending {
                    EmailStatus::Pending
                } else {
                    EmailStatus::Scheduled
                };
                row.send_after = Some(send_after);
                row.updated_at = (created_at + self.rng.range_i64(1_000, SECOND)).min(now);
            }
            EmailKind::Send { send_at } => {
                row.send_after = Some(send_at);
                let roll = self.rng.f64();
                if roll < 0.006 {
                    row.status = EmailStatus::Failed;
                    row.updated_at = (send_at + self.rng.range_i64(SECOND, 5 * MINUTE)).min(now);
                } else if roll < 0.010 {
                    row.status = EmailStatus::Cancelled;
                    row.send_after = None;
                    row.updated_at = created_at + (send_at - created_at) / 2;
                } else {
                    row.status = self.sent_status(user_id);
                    let sent_at = send_at + self.rng.range_i64(2 * SECOND, 90 * SECOND);
                    row.sent_at = Some(sent_at);
                    touch = self.engage(&mut row, origin, sent_at);
                }
            }
        }
        touch.updated_at = row.updated_at;
        if touch.sent {
            let p = &mut self.people[person];
            p.counts.emails_sent += 1;
            p.counts.emails_viewed += u32::from(touch.viewed);
            p.counts.emails_clicked += u32::from(touch.clicked);
            p.counts.emails_replied_to += u32::from(touch.replied);
            p.counts.emails_bounced += u32::from(touch.bounced);
            p.bouncing |= touch.bounced;
            p.updated_at = p.updated_at.max(row.updated_at);
            if let Some(sent_at) = row.sent_at {
                self.contacted(person, sent_at, 1, user_id);
            }
            if let Some(r) = touch.replied_at {
                let c = &mut self.contacts[person];
                c.replied_at = Some(c.replied_at.map_or(r, |x| x.max(r)));
            }
        }
        self.emails.push(row);
        touch
    }

    /// Delivery and engagement of a just-sent email; only events up to `now` happen.
    fn engage(&mut self, row: &mut Email, origin: Option<Origin>, sent_at: Micros) -> Touch {
        let now = self.now;
        let rng = &mut *self.rng;
        let mut touch = Touch {
            sent: true,
            ..Touch::default()
        };
        let mut last = sent_at + rng.range_i64(50_000, 3 * SECOND);
        let bounce_p = BOUNCE_RATE * origin.map_or(1.0, |o| o.bounce_factor);
        if rng.chance(bounce_p) {
            row.bounced = true;
            touch.bounced = true;
            row.updated_at = (sent_at + rng.range_i64(5 * SECOND, 2 * MINUTE)).min(now);
            return touch;
        }
        let (p_open, p_click, p_reply) = engagement_odds(origin.map_or(1.0, |o| o.quality));
        let p_reply = (p_reply * origin.map_or(1.0, |o| o.reply_factor)).min(0.6);
        if rng.chance(p_open) {
            let open_at = later(rng, sent_at, 6 * HOUR);
            if open_at <= now {
                if row.view_tracking {
                    let mut views = 1;
                    while views < 12 && rng.chance(0.45) {
                        views += 1;
                    }
                    row.views = views;
                    row.unique_devices = 1 + u32::from(views > 2 && rng.chance(0.3));
                    row.unique_locations = 1 + u32::from(views > 1 && rng.chance(0.15));
                    touch.viewed = true;
                    let span = (now - open_at).min(7 * DAY);
                    let last_view = open_at + rng.range_i64(0, span.max(1)) * i64::from(views > 1);
                    last = last.max(last_view);
                }
                if row.click_tracking && rng.chance(p_click) {
                    let click_at = later(rng, open_at, 20 * MINUTE);
                    if click_at <= now {
                        row.clicks = 1 + u32::from(rng.chance(0.3));
                        touch.clicked = true;
                        last = last.max(click_at);
                    }
                }
                if rng.chance(p_reply) {
                    let reply_at = later(rng, open_at, 3 * HOUR);
                    if reply_at <= now {
                        row.replies = 1 + u32::from(rng.chance(0.08));
                        touch.replied = true;
                        touch.replied_at = Some(reply_at);
                        last = last.max(reply_at);
                        if let Some(o) = origin
                            && rng.chance(MEETING_PER_REPLY)
                        {
                            *self.meetings.entry(o.cadence_id).or_insert(0) += 1;
                        }
                    }
                }
            }
        }
        row.updated_at = last.min(now).max(row.created_at);
        touch
    }

    /// Records the latest contact of a person.
    pub(super) fn contacted(&mut self, person: usize, at: Micros, kind: u8, by: u64) {
        let c = &mut self.contacts[person];
        if at >= c.last_at {
            c.last_at = at;
            c.kind = kind;
            c.by = by;
        }
    }

    /// Makes one call row; returns its `updated_at`, or `None` when the person has
    /// no number to call.
    pub(super) fn call(
        &mut self,
        person: usize,
        user_id: u64,
        origin: Option<Origin>,
        at: Micros,
    ) -> Option<Micros> {
        let p = &self.people[person];
        let to = p.phone.clone().or_else(|| p.mobile_phone.clone())?;
        let person_id = p.id;
        let outcome = call_outcome(self.rng);
        let updated_at = (at + self.rng.range_i64(100_000, 3 * SECOND)).min(self.now);
        if outcome.sentiment == Some("Demo Scheduled")
            && let Some(o) = origin
        {
            *self.meetings.entry(o.cadence_id).or_insert(0) += 1;
        }
        self.calls.push(Call {
            id: 0,
            person_id,
            user_id,
            cadence_id: origin.map(|o| o.cadence_id),
            step_id: origin.map(|o| o.step_id),
            to,
            duration: Some(outcome.duration),
            disposition: Some(outcome.disposition.to_string()),
            sentiment: outcome.sentiment.map(str::to_string),
            notes: None,
            created_at: at,
            updated_at,
        });
        let p = &mut self.people[person];
        p.counts.calls += 1;
        p.updated_at = p.updated_at.max(updated_at);
        self.contacted(person, at, 2, user_id);
        Some(updated_at)
    }
}
