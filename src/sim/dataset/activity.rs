//! Cadence memberships and everything they did: emails, calls, and the counts
//! on memberships and people that must agree with them.

use std::collections::HashMap;

use super::basis::{
    CALL_BASE, DAY, EMAIL_BASE, HISTORY, HOUR, MAILING_BASE, MEMBERSHIP_BASE, MINUTE, PairIndex,
    SECOND, USER_BASE,
};
use super::builder::Builder;
use super::plan::{Class, Plan, Track, plans, tracks};
use super::team::Team;
use super::touch::{Contact, EmailKind, Origin};
use crate::sim::model::{
    Call, Email, Membership, MembershipCounts, MembershipState, Micros, Person, StepType,
};
use crate::sim::rng::Rng;

pub(super) struct Activity {
    pub memberships: Vec<Membership>,
    pub emails: Vec<Email>,
    pub calls: Vec<Call>,
    pub membership_by_pair: PairIndex,
    pub meetings_by_cadence: HashMap<u64, u32>,
}

pub(super) fn build(rng: &mut Rng, now: Micros, team: &Team, people: &mut [Person]) -> Activity {
    let tracks = tracks(team.team_id, team);
    let plans = plans(rng, now, &tracks, people);
    let contacts = vec![Contact::default(); people.len()];
    let mut b = Builder {
        rng,
        now,
        people,
        contacts,
        emails: Vec::new(),
        calls: Vec::new(),
        meetings: HashMap::new(),
        team_id: team.team_id,
        next_action: super::basis::ACTION_BASE,
    };
    let mut memberships = Vec::with_capacity(plans.len());
    let mut pairs = PairIndex::with_capacity(plans.len());
    for (i, plan) in plans.iter().enumerate() {
        let id = MEMBERSHIP_BASE + i as u64;
        let m = b.membership(id, plan, &tracks[plan.cadence]);
        pairs.insert((m.person_id, m.cadence_id), id);
        memberships.push(m);
    }
    b.one_offs(team);
    b.finish_people();
    let Builder {
        mut emails,
        mut calls,
        meetings,
        ..
    } = b;
    sort_by_time(&mut emails, |e| e.created_at);
    for (i, e) in emails.iter_mut().enumerate() {
        e.id = EMAIL_BASE + i as u64;
        e.mailing_id = MAILING_BASE + i as u64;
    }
    sort_by_time(&mut calls, |c| c.created_at);
    for (i, c) in calls.iter_mut().enumerate() {
        c.id = CALL_BASE + i as u64;
    }
    Activity {
        memberships,
        emails,
        calls,
        membership_by_pair: pairs,
        meetings_by_cadence: meetings,
    }
}

/// Stable sort by a timestamp, moving each (large) row once: sorts a small
/// index, then applies the permutation in place by following its cycles.
pub(super) fn sort_by_time<T>(rows: &mut [T], key: impl Fn(&T) -> Micros) {
    let mut order: Vec<(Micros, usize)> =
        rows.iter().enumerate().map(|(i, r)| (key(r), i)).collect();
    order.sort_unstable();
    let perm: Vec<usize> = order.into_iter().map(|(_, i)| i).collect();
    let mut done = vec![false; rows.len()];
    for start in 0..rows.len() {
        if done[start] {
            continue;
        }
        let mut cur = start;
        loop {
            done[cur] = true;
            let next = perm[cur];
            if next == start {
                break;
            }
            rows.swap(cur, next);
            cur = next;
        }
    }
}

impl Builder<'_> {
    fn membership(&mut self, id: u64, plan: &Plan, track: &Track) -> Membership {
        let now = self.now;
        let c = track.cadence;
        let person = &self.people[plan.person];
        let person_id = person.id;
        let user_id = if c.team_cadence {
            person.owner_id.unwrap_or(c.owner_id)
        } else {
            c.owner_id
        };
        let limit = c.archived_at.unwrap_or(now);
        let n = track.steps.len();
        // When each step falls due, non-decreasing.
        let mut times = Vec::with_capacity(n);
        let mut prev = plan.added_at;
        for (s, _, _) in &track.steps {
            let mut t = plan.added_at
                + i64::from(s.day.saturating_sub(1)) * DAY
                + i64::from(s.step_number.saturating_sub(1)) * 2 * HOUR
                + self.rng.range_i64(10 * MINUTE, 4 * HOUR);
            if s.kind != StepType::Email {
                t += self.rng.range_i64(0, 20 * HOUR);
            }
            t = t.max(prev + MINUTE);
            times.push(t);
            prev = t;
        }
        let max_exec = match plan.class {
            Class::Natural => n,
            Class::Removed | Class::Reassigned => self.rng.range(1, n.max(2) as u64) as usize,
            _ => 0,
        };
        let mut counts = MembershipCounts::default();
        let mut last = plan.added_at.max(plan.created_at);
        let mut last_action = None;
        let mut exec = 0;
        let mut stopped = false;
        while exec < max_exec.min(n) {
            let (step, sq, click) = track.steps[exec];
            let t = times[exec];
            if t + 3 * MINUTE > limit {
                break;
            }
            let action_id = self.action();
            last_action = Some(action_id);
            let origin = Origin {
                action_id,
                ..self.origin(track, step, sq, click)
            };
            exec += 1;
            last = last.max(t);
            match step.kind {
                StepType::Email => {
                    let floor = if exec > 1 {
                        times[exec - 2]
                    } else {
                        plan.added_at
                    };
                    let floor = (floor + self.rng.range_i64(SECOND, MINUTE)).min(t);
                    let created = (t - self.rng.range_i64(30 * SECOND, 20 * HOUR)).max(floor);
                    let touch = self.email(
                        plan.person,
                        user_id,
                        Some(origin),
                        created,
                        EmailKind::Send { send_at: t },
                    );
                    counts.sent_emails += u32::from(touch.sent);
                    counts.bounces += u32::from(touch.bounced);
                    counts.views += u32::from(touch.viewed);
                    counts.clicks += u32::from(touch.clicked);
                    counts.replies += u32::from(touch.replied);
                    last = last.max(touch.updated_at);
                    if (touch.bounced && c.remove_bounces_enabled)
                        || (touch.replied && c.remove_replies_enabled)
                    {
                        stopped = true;
                        break;
                    }
                }
                StepType::Phone => {
                    if let Some(u) = self.call(plan.person, user_id, Some(origin), t) {
                        counts.calls += 1;
                        last = last.max(u);
                    }
                }
                _ => {}
            }
        }
        let next = track.steps.get(exec).map(|(s, _, _)| *s);
        let settle = self.rng.range_i64(SECOND, HOUR);
        let (state, step_id) = if stopped {
            (MembershipState::Removed, None)
        } else {
            match plan.class {
                Class::Natural | Class::Removed | Class::Reassigned if exec == n => {
                    last = last.max((times.last().copied().unwrap_or(last) + settle).min(limit));
                    (MembershipState::Completed, None)
                }
                Class::Natural if c.archived_at.is_some() => {
                    last = last.max(limit);
                    (MembershipState::Removed, None)
                }
                Class::Natural => {
                    last_action = Some(self.action());
                    if let (Some(s), Some(due)) = (next, times.get(exec).copied())
                        && s.kind == StepType::Email
                        && due - now < DAY
                    {
                        self.pending_email(plan, user_id, track, exec, due, &mut last);
                    }
                    (MembershipState::Active, next.map(|s| s.id))
                }
                Class::Removed | Class::Reassigned => {
                    let due = times.get(exec).copied().unwrap_or(limit).min(limit);
                    last = last.max(due - self.rng.range_i64(0, 2 * HOUR));
                    let state = if plan.class == Class::Removed {
                        MembershipState::Removed
                    } else {
                        MembershipState::Reassigned
                    };
                    (state, None)
                }
                Class::RemovedNoAction => {
                    last = last.max(plan.added_at + settle);
                    (MembershipState::RemovedNoAction, None)
                }
                Class::Staged | Class::Scheduled => {
                    last_action = Some(self.action());
                    last = last.max(plan.created_at + self.rng.range_i64(1_000, 50_000));
                    let state = if plan.class == Class::Staged {
                        MembershipState::Staged
                    } else {
                        MembershipState::Scheduled
                    };
                    (state, next.map(|s| s.id))
                }
                Class::Processing => {
                    last = last.max(plan.created_at + self.rng.range_i64(1_000, 50_000));
                    (MembershipState::Processing, None)
                }
            }
        };
        let updated_at = last.min(now);
        let p = &mut self.people[plan.person];
        p.updated_at = p.updated_at.max(updated_at.min(now));
        Membership {
            id,
            person_id,
            cadence_id: c.id,
            user_id,
            state,
            step_id,
            latest_action_id: last_action,
            counts,
            added_at: plan.added_at,
            created_at: plan.created_at,
            updated_at,
        }
    }

    /// The next email of an active membership, queued to go out within a day.
    fn pending_email(
        &mut self,
        plan: &Plan,
        user_id: u64,
        track: &Track,
        exec: usize,
        due: Micros,
        last: &mut Micros,
    ) {
        let Some((step, sq, click)) = track.steps.get(exec).copied() else {
            return;
        };
        let floor = (*last).max(self.now - 20 * HOUR);
        let created = self.rng.range_i64(floor, self.now - SECOND).max(floor);
        let origin = Origin {
            action_id: self.next_action,
            ..self.origin(track, step, sq, click)
        };
        let pending = due <= self.now + HOUR;
        let touch = self.email(
            plan.person,
            user_id,
            Some(origin),
            created,
            EmailKind::Pending {
                send_after: due,
                pending,
            },
        );
        *last = (*last).max(touch.updated_at);
    }

    /// A few emails sent by hand, outside any cadence.
    fn one_offs(&mut self, team: &Team) {
        let now = self.now;
        let fallback = team.users.first().map_or(USER_BASE, |u| u.id);
        for pi in 0..self.people.len() {
            let p = &self.people[pi];
            if p.email_address.is_none() || !self.rng.chance(0.12) {
                continue;
            }
            let owner = p.owner_id.unwrap_or(fallback);
            let lo = p.created_at.max(now - HISTORY);
            for _ in 0..self.rng.range(1, 4) {
                let send_at = self.rng.range_i64(lo, now - 5 * MINUTE);
                if send_at <= lo {
                    continue;
                }
                let created = (send_at - self.rng.range_i64(SECOND, 10 * MINUTE)).max(lo);
                self.email(pi, owner, None, created, EmailKind::Send { send_at });
            }
        }
    }

    /// Writes last-contact facts into the people.
    fn finish_people(&mut self) {
        for (p, c) in self.people.iter_mut().zip(&self.contacts) {
            if c.kind != 0 {
                p.last_contacted_at = Some(c.last_at);
                p.last_contacted_type =
                    Some(if c.kind == 1 { "email" } else { "call" }.to_string());
                p.last_contacted_by = Some(c.by);
            }
            p.last_replied_at = c.replied_at;
            p.updated_at = p.updated_at.max(p.created_at).min(self.now);
        }
    }
}
