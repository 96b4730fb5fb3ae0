//! Deterministic generation of a realistic team: reps, cadences and their steps,
//! people, cadence memberships, emails and calls, with counts that agree.
//!
//! Count definitions (shared with `sim::live`, checked by the tests):
//! * an email is *sent* when its status is `sent`, `sent_from_gmail` or
//!   `sent_from_external`; only sent emails carry engagement;
//! * a bounced email keeps status `sent` and has no views, clicks or replies;
//! * membership `counts.sent_emails`/`bounces` = sent / bounced emails of that person
//!   on that cadence; `views`/`clicks`/`replies` = how many of those emails have
//!   `views`/`clicks`/`replies` > 0 (emails, not events); `calls` = calls of that
//!   person on that cadence;
//! * person `counts` are the same aggregates over all the person's emails and calls,
//!   one-off emails (no cadence) included.

mod activity;
#[cfg(test)]
mod analytics_tests;
mod clumps;
mod engage;
mod names;
mod people;
mod plan;
mod team;
#[cfg(test)]
mod tests;
mod touch;

use std::collections::HashMap;

use super::model::{Cadence, Dataset, EmailStatus, Micros, Step, StepType, Table};
use super::rng::{Rng, hash_unit};

pub const SECOND: Micros = 1_000_000;
pub const MINUTE: Micros = 60 * SECOND;
pub const HOUR: Micros = 60 * MINUTE;
pub const DAY: Micros = 24 * HOUR;

/// How far back generated email activity reaches.
pub const HISTORY: Micros = 180 * DAY;

pub(crate) const USER_BASE: u64 = 6_970;
pub(crate) const PERSON_BASE: u64 = 103_358_219;
pub(crate) const CADENCE_BASE: u64 = 25_591;
pub(crate) const STEP_BASE: u64 = 198_394;
pub(crate) const MEMBERSHIP_BASE: u64 = 71_245_537;
pub(crate) const EMAIL_BASE: u64 = 8_190_809;
pub(crate) const CALL_BASE: u64 = 2_113_993;
pub(crate) const MAILING_BASE: u64 = 3_121_331;
pub(crate) const ACTION_BASE: u64 = 343_305_158;
pub(crate) const TEMPLATE_BASE: u64 = 1_462_077;

/// What to generate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GenOptions {
    pub seed: u64,
    pub people: usize,
    pub cadences: usize,
    pub users: usize,
    /// The simulator's "now"; nothing generated is later than this.
    pub now: Micros,
}

impl Default for GenOptions {
    fn default() -> Self {
        Self {
            seed: 42,
            people: 5000,
            cadences: 40,
            users: 12,
            now: wall_clock_micros(),
        }
    }
}

/// The current wall-clock time in microseconds since the epoch.
pub fn wall_clock_micros() -> Micros {
    chrono::Utc::now().timestamp_micros()
}

/// Builds a whole team. Same options, same dataset, byte for byte.
pub fn generate(opts: &GenOptions) -> Dataset {
    let mut rng = Rng::new(opts.seed);
    let mut team = team::build(&mut rng.fork(1), opts);
    let mut people = people::build(&mut rng.fork(2), opts, &team.users);
    let act = activity::build(&mut rng.fork(3), opts.now, &team, &mut people.people);
    let team_templates = std::mem::take(&mut team.templates);

    let mut cadences = team.cadences;
    for c in &mut cadences {
        let meetings = act.meetings_by_cadence.get(&c.id).copied().unwrap_or(0);
        c.meetings_booked = meetings;
        c.opportunities_created = meetings * 2 / 5;
    }

    let mut ds = Dataset {
        team_id: team.team_id,
        team_name: team.team_name,
        utc_offset_minutes: -240,
        now: opts.now,
        users: Table::from_rows(USER_BASE, team.users),
        people: Table::from_rows(PERSON_BASE, people.people),
        cadences: Table::from_rows(CADENCE_BASE, cadences),
        steps: Table::from_rows(STEP_BASE, team.steps),
        email_templates: Table::from_rows(TEMPLATE_BASE, team_templates),
        memberships: Table::from_rows(MEMBERSHIP_BASE, act.memberships),
        emails: Table::from_rows(EMAIL_BASE, act.emails),
        calls: Table::from_rows(CALL_BASE, act.calls),
        person_by_email: people.by_email,
        membership_by_pair: act.membership_by_pair,
        call_dispositions: names::CALL_DISPOSITIONS
            .iter()
            .map(|s| s.to_string())
            .collect(),
        call_sentiments: names::CALL_SENTIMENTS
            .iter()
            .map(|s| s.to_string())
            .collect(),
        privacy: None,
    };
    clumps::apply(&mut rng.fork(4), &mut ds);
    ds
}

/// A cadence's engagement multiplier (about 0.45..1.65), fixed per team and cadence
/// so the generator and the live simulation agree on which cadences do well.
pub fn cadence_quality(team_id: u64, cadence_id: u64) -> f64 {
    let u = hash_unit(team_id, cadence_id);
    0.45 + 1.2 * u * u
}

/// A cadence's bounce multiplier (0.6..1.4).
pub fn cadence_bounce_factor(team_id: u64, cadence_id: u64) -> f64 {
    0.6 + 0.8 * hash_unit(team_id ^ 0xB0B0_CE55, cadence_id)
}

/// An email step's engagement multiplier: its own quality times a decay with its
/// position among the cadence's email steps (the first email does best).
pub fn step_quality(team_id: u64, step_id: u64, email_position: usize) -> f64 {
    let u = hash_unit(team_id ^ 0x57E9_0000, step_id);
    let pos = i32::try_from(email_position.min(16)).unwrap_or(16);
    (0.7 + 0.6 * u) * 0.88f64.powi(pos)
}

/// Position of `step_id` among the email steps of its cadence (0 for the first).
pub fn email_position(cadence: &Cadence, steps: &Table<Step>, step_id: u64) -> usize {
    cadence
        .step_ids
        .iter()
        .take_while(|id| **id != step_id)
        .filter(|id| steps.get(**id).is_some_and(|s| s.kind == StepType::Email))
        .count()
}

/// Probability that a delivered email gets opened, and given an open, clicked and replied.
pub fn engagement_odds(quality: f64) -> (f64, f64, f64) {
    let open = (0.48 * quality).clamp(0.04, 0.92);
    let click = (0.14 * quality).clamp(0.01, 0.5);
    let reply = (0.10 * quality).clamp(0.01, 0.4);
    (open, click, reply)
}

/// A template's reply multiplier (0.55..1.55), fixed per team and template: the
/// variants of one step really differ, which the A/B report should find.
pub fn template_reply_factor(team_id: u64, template_id: u64) -> f64 {
    0.55 + hash_unit(team_id ^ 0x7E3F_1A7E, template_id)
}

/// The template variant an email of `step` gets, chosen by `key` (the generator
/// draws it; the live simulation uses the email id).
pub fn template_for(step: &Step, key: u64) -> Option<u64> {
    let n = step.template_ids.len() as u64;
    (n > 0).then(|| step.template_ids[(key % n) as usize])
}

/// Chance that a reply turns into a booked meeting (counted on the cadence).
pub const MEETING_PER_REPLY: f64 = 0.25;

/// Base probability that a sent email bounces.
pub const BOUNCE_RATE: f64 = 0.02;

/// (person id, cadence id) -> membership id.
pub(crate) type PairIndex = HashMap<(u64, u64), u64>;

/// The status a rep's sent emails usually carry: each rep sends through one email
/// client (mostly SalesLoft itself, some Gmail, some another client).
pub fn usual_sent_status(user_id: u64) -> EmailStatus {
    match user_id.saturating_sub(USER_BASE) % 6 {
        3 => EmailStatus::SentFromGmail,
        5 => EmailStatus::SentFromExternal,
        _ => EmailStatus::Sent,
    }
}

/// Whether an email step's template tracks clicks (fixed per team and step).
pub fn step_click_tracking(team_id: u64, step_id: u64) -> bool {
    hash_unit(team_id ^ 0xC11C, step_id) < 0.7
}

/// How a call went: disposition, sentiment (mostly for connected calls), seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CallOutcome {
    pub disposition: &'static str,
    pub sentiment: Option<&'static str>,
    pub duration: u32,
}

/// Draws a realistic call outcome.
pub fn call_outcome(rng: &mut Rng) -> CallOutcome {
    let d = rng.weighted(&[18.0, 40.0, 30.0, 7.0, 5.0]);
    let (sentiment, duration) = match d {
        0 => (
            Some(names::CALL_SENTIMENTS[rng.weighted(&[30.0, 30.0, 10.0, 25.0, 5.0])]),
            rng.range(45, 1200),
        ),
        2 => (None, rng.range(15, 60)),
        _ => (
            rng.chance(0.05).then_some("Not Interested"),
            rng.range(0, 30),
        ),
    };
    CallOutcome {
        disposition: names::CALL_DISPOSITIONS[d],
        sentiment,
        duration: u32::try_from(duration).unwrap_or(0),
    }
}
