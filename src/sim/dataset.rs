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
mod basis;
mod builder;
mod clumps;
mod engage;
mod names;
mod people;
mod plan;
mod team;
#[cfg(test)]
mod tests;
mod touch;

use super::model::{Dataset, Table};
use super::rng::Rng;

pub use basis::{
    BOUNCE_RATE, CallOutcome, DAY, GenOptions, HISTORY, HOUR, MEETING_PER_REPLY, MINUTE, SECOND,
    cadence_bounce_factor, cadence_quality, call_outcome, email_position, engagement_odds,
    step_click_tracking, step_quality, template_for, template_reply_factor, usual_sent_status,
    wall_clock_micros,
};
pub(crate) use basis::{
    CADENCE_BASE, CALL_BASE, EMAIL_BASE, MEMBERSHIP_BASE, PERSON_BASE, STEP_BASE, TEMPLATE_BASE,
    USER_BASE,
};

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
