//! The generator's fixed units, id bases, options and the per-team qualities
//! the generator and the live simulation agree on (a leaf: the dataset's parts
//! take them from here; dataset.rs re-exports them for the rest of sim).

use super::super::model::{Cadence, EmailStatus, Micros, Step, StepType, Table};
use super::super::rng::{Rng, hash_unit};

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

pub(crate) use super::super::pairs::PairIndex;

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
            Some(super::names::CALL_SENTIMENTS[rng.weighted(&[30.0, 30.0, 10.0, 25.0, 5.0])]),
            rng.range(45, 1200),
        ),
        2 => (None, rng.range(15, 60)),
        _ => (
            rng.chance(0.05).then_some("Not Interested"),
            rng.range(0, 30),
        ),
    };
    CallOutcome {
        disposition: super::names::CALL_DISPOSITIONS[d],
        sentiment,
        duration: u32::try_from(duration).unwrap_or(0),
    }
}
