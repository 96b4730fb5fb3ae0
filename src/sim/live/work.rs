//! The reps' work: doing the step a membership is on (send the email, make the
//! call), moving it to the next step or finishing it, adding people to cadences,
//! and the odd manual removal.

use super::{Live, LiveReport};
use crate::sim::dataset::{
    SECOND, call_outcome, step_click_tracking, template_for, usual_sent_status,
};
use crate::sim::model::{
    Call, Dataset, Email, Membership, MembershipCounts, MembershipState, Micros, StepType,
};

/// The first enabled step of a cadence at or after position `from`.
fn enabled_step_from(ds: &Dataset, cadence_id: u64, from: usize) -> Option<u64> {
    let c = ds.cadences.get(cadence_id)?;
    c.step_ids
        .iter()
        .skip(from)
        .copied()
        .find(|id| ds.steps.get(*id).is_some_and(|s| !s.disabled))
}

/// The enabled step after `step_id` in its cadence.
fn next_step(ds: &Dataset, cadence_id: u64, step_id: u64) -> Option<u64> {
    let c = ds.cadences.get(cadence_id)?;
    let pos = c.step_ids.iter().position(|id| *id == step_id)?;
    enabled_step_from(ds, cadence_id, pos + 1)
}

impl Live {
    fn new_action(&mut self) -> u64 {
        self.next_action += 1;
        self.next_action - 1
    }

    /// A rep works one membership: starts it, or does its current step.
    pub(super) fn work_step(&mut self, ds: &mut Dataset, t: Micros, report: &mut LiveReport) {
        // Reps mostly work people already under way; now and then they start one
        // that was staged, scheduled or still processing.
        let mut picked = None;
        for _ in 0..4 {
            let Some(mid) = self.rng.try_pick(&self.candidates).copied() else {
                return;
            };
            let Some(m) = ds.memberships.get(mid) else {
                continue;
            };
            let waiting = matches!(
                m.state,
                MembershipState::Staged | MembershipState::Scheduled | MembershipState::Processing
            );
            if m.state == MembershipState::Active || (waiting && self.rng.chance(0.2)) {
                picked = Some(m.clone());
                break;
            }
        }
        let Some(m) = picked else {
            return;
        };
        let mid = m.id;
        match m.state {
            MembershipState::Staged | MembershipState::Scheduled | MembershipState::Processing => {
                let first = enabled_step_from(ds, m.cadence_id, 0);
                let action = self.new_action();
                ds.memberships.update(mid, |x| {
                    x.state = MembershipState::Active;
                    x.step_id = first;
                    x.latest_action_id = Some(action);
                    x.updated_at = x.updated_at.max(t);
                });
                report.memberships_moved += 1;
                report.rows_changed += 1;
                return;
            }
            MembershipState::Active => {}
            _ => return,
        }
        let mut counts = MembershipCounts::default();
        if let Some(step_id) = m.step_id {
            match ds.steps.get(step_id).map(|s| s.kind) {
                Some(StepType::Email) => {
                    counts.sent_emails = u32::from(self.send_email(ds, &m, step_id, t, report));
                }
                Some(StepType::Phone) => {
                    counts.calls = u32::from(self.make_call(ds, &m, step_id, t, report));
                }
                _ => {}
            }
        }
        let next = m.step_id.and_then(|s| next_step(ds, m.cadence_id, s));
        let action = next.map(|_| self.new_action());
        ds.memberships.update(mid, |x| {
            x.counts.sent_emails += counts.sent_emails;
            x.counts.calls += counts.calls;
            if x.state == MembershipState::Active {
                match next {
                    Some(s) => {
                        x.step_id = Some(s);
                        x.latest_action_id = action.or(x.latest_action_id);
                    }
                    None => {
                        x.state = MembershipState::Completed;
                        x.step_id = None;
                    }
                }
            }
            x.updated_at = x.updated_at.max(t);
        });
        report.memberships_moved += 1;
        report.rows_changed += 1;
    }

    /// Sends the email of an email step (a queued one if there is one); returns
    /// whether an email went out.
    fn send_email(
        &mut self,
        ds: &mut Dataset,
        m: &Membership,
        step_id: u64,
        t: Micros,
        report: &mut LiveReport,
    ) -> bool {
        let Some(person) = ds.people.get(m.person_id) else {
            return false;
        };
        if person.email_address.is_none() || person.do_not_contact {
            return false;
        }
        let status = usual_sent_status(m.user_id);
        let send_after = (t - self.rng.range_i64(SECOND, 20 * SECOND)).max(ds.now + 1);
        let queued = self
            .pending
            .remove(&(m.person_id, step_id))
            .filter(|id| ds.emails.get(*id).is_some_and(|e| e.sent_at.is_none()));
        let email_id = if let Some(id) = queued {
            ds.emails.update(id, |e| {
                e.status = status;
                e.send_after = Some(send_after.min(t));
                e.sent_at = Some(t);
                e.updated_at = e.updated_at.max(t);
            });
            id
        } else {
            let id = ds.emails.next_id();
            let mailing_id = self.next_mailing;
            self.next_mailing += 1;
            let action_id = m.latest_action_id.unwrap_or_else(|| self.new_action());
            let created_at = (send_after - self.rng.range_i64(SECOND, 30 * SECOND)).max(ds.now + 1);
            ds.emails.insert(Email {
                id,
                person_id: m.person_id,
                user_id: m.user_id,
                cadence_id: Some(m.cadence_id),
                step_id: Some(step_id),
                mailing_id,
                action_id: Some(action_id),
                template_id: ds.steps.get(step_id).and_then(|s| template_for(s, id)),
                status,
                bounced: false,
                view_tracking: self.rng.chance(0.95),
                click_tracking: step_click_tracking(ds.team_id, step_id),
                personalization: 100.0,
                send_after: Some(send_after.min(t)),
                sent_at: Some(t),
                views: 0,
                clicks: 0,
                replies: 0,
                unique_devices: 0,
                unique_locations: 0,
                created_at: created_at.min(t),
                updated_at: t,
            });
            id
        };
        ds.people.update(m.person_id, |p| {
            p.counts.emails_sent += 1;
            p.last_contacted_at = Some(t);
            p.last_contacted_type = Some("email".to_string());
            p.last_contacted_by = Some(m.user_id);
            p.updated_at = p.updated_at.max(t);
        });
        report.emails_sent += 1;
        report.rows_changed += 2;
        if let Some(e) = ds.emails.get(email_id).cloned() {
            self.plan_engagement(ds, &e, t, 25.0, true);
        }
        true
    }

    /// Makes the call of a phone step; returns whether a call was made.
    fn make_call(
        &mut self,
        ds: &mut Dataset,
        m: &Membership,
        step_id: u64,
        t: Micros,
        report: &mut LiveReport,
    ) -> bool {
        let Some(person) = ds.people.get(m.person_id) else {
            return false;
        };
        let Some(to) = person.phone.clone().or_else(|| person.mobile_phone.clone()) else {
            return false;
        };
        let outcome = call_outcome(&mut self.rng);
        ds.calls.insert(Call {
            id: ds.calls.next_id(),
            person_id: m.person_id,
            user_id: m.user_id,
            cadence_id: Some(m.cadence_id),
            step_id: Some(step_id),
            to,
            duration: Some(outcome.duration),
            disposition: Some(outcome.disposition.to_string()),
            sentiment: outcome.sentiment.map(str::to_string),
            notes: None,
            created_at: t,
            updated_at: t,
        });
        ds.people.update(m.person_id, |p| {
            p.counts.calls += 1;
            p.last_contacted_at = Some(t);
            p.last_contacted_type = Some("call".to_string());
            p.last_contacted_by = Some(m.user_id);
            p.updated_at = p.updated_at.max(t);
        });
        report.calls += 1;
        report.rows_changed += 2;
        true
    }

    /// A rep adds someone to one of the active cadences.
    pub(super) fn enroll(&mut self, ds: &mut Dataset, t: Micros, report: &mut LiveReport) {
        let cadences: Vec<u64> = ds
            .cadences
            .iter()
            .filter(|c| c.current_state() == "active" && !c.step_ids.is_empty())
            .map(|c| c.id)
            .collect();
        for _ in 0..5 {
            let Some(cid) = self.rng.try_pick(&cadences).copied() else {
                return;
            };
            let index = self.rng.index(ds.people.len());
            let Some(p) = ds.people.iter().nth(index) else {
                return;
            };
            if p.email_address.is_none()
                || p.do_not_contact
                || ds.membership_by_pair.contains_key(&(p.id, cid))
            {
                continue;
            }
            let Some(c) = ds.cadences.get(cid) else {
                return;
            };
            let user_id = if c.team_cadence {
                p.owner_id.unwrap_or(c.owner_id)
            } else {
                c.owner_id
            };
            let person_id = p.id;
            let id = ds.memberships.next_id();
            let action = self.new_action();
            ds.memberships.insert(Membership {
                id,
                person_id,
                cadence_id: cid,
                user_id,
                state: MembershipState::Active,
                step_id: enabled_step_from(ds, cid, 0),
                latest_action_id: Some(action),
                counts: MembershipCounts::default(),
                added_at: t,
                created_at: t,
                updated_at: t,
            });
            ds.membership_by_pair.insert((person_id, cid), id);
            self.candidates.push(id);
            self.seen_memberships = ds.memberships.len();
            report.memberships_added += 1;
            report.rows_changed += 1;
            return;
        }
    }

    /// A rep takes someone off a cadence by hand.
    pub(super) fn remove_one(&mut self, ds: &mut Dataset, t: Micros, report: &mut LiveReport) {
        let Some(mid) = self.rng.try_pick(&self.candidates).copied() else {
            return;
        };
        let changed = ds.memberships.update(mid, |m| {
            if m.state != MembershipState::Active {
                return false;
            }
            m.state = MembershipState::Removed;
            m.step_id = None;
            m.updated_at = m.updated_at.max(t);
            true
        });
        if changed == Some(true) {
            report.memberships_moved += 1;
            report.rows_changed += 1;
        }
    }
}
