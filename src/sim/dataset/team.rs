//! Users (the reps), cadences and their steps.

use super::basis::{
    CADENCE_BASE, DAY, GenOptions, HOUR, MINUTE, SECOND, STEP_BASE, TEMPLATE_BASE, USER_BASE,
};
use super::names::{
    CADENCE_TAGS, CADENCES, EMAIL_STEP_NAMES, FIRST_NAMES, LAST_NAMES, OTHER_STEP_NAMES,
    PHONE_STEP_NAMES, USER_ROLES,
};
use crate::sim::model::{Cadence, EmailTemplate, Micros, Step, StepType, User};
use crate::sim::rng::Rng;

const TEAMS: &[(&str, &str)] = &[
    ("Northwind Labs", "northwindlabs.io"),
    ("Acme Analytics", "acmeanalytics.com"),
    ("Brightline Software", "brightline.io"),
    ("Copperleaf Health", "copperleafhealth.com"),
];

pub(super) struct Team {
    pub team_id: u64,
    pub team_name: String,
    pub users: Vec<User>,
    pub cadences: Vec<Cadence>,
    pub steps: Vec<Step>,
    pub templates: Vec<EmailTemplate>,
}

/// A UUID-v4-shaped string.
pub(super) fn guid(rng: &mut Rng) -> String {
    let a = rng.next_u64();
    let b = rng.next_u64();
    format!(
        "{:08x}-{:04x}-4{:03x}-{:x}{:03x}-{:012x}",
        a >> 32,
        (a >> 16) & 0xffff,
        a & 0xfff,
        8 + (b >> 62),
        (b >> 48) & 0xfff,
        b & 0xffff_ffff_ffff
    )
}

pub(super) fn build(rng: &mut Rng, opts: &GenOptions) -> Team {
    let now = opts.now;
    let (team_name, domain) = *rng.pick(TEAMS);
    let team_id = 104_000 + rng.range(0, 900);
    let users = build_users(rng, opts, domain);
    let (cadences, steps, templates) = build_cadences(rng, opts, &users);
    debug_assert!(users.iter().all(|u| u.updated_at <= now));
    Team {
        team_id,
        team_name: team_name.to_string(),
        users,
        cadences,
        steps,
        templates,
    }
}

fn build_users(rng: &mut Rng, opts: &GenOptions, domain: &str) -> Vec<User> {
    let now = opts.now;
    let n = opts.users.max(1);
    let mut taken = std::collections::HashSet::new();
    let mut users = Vec::with_capacity(n);
    for i in 0..n {
        let (first, last) = loop {
            let f = *rng.pick(FIRST_NAMES);
            let l = *rng.pick(LAST_NAMES);
            if taken.insert((f, l)) {
                break (f, l);
            }
        };
        let admin = i == 0;
        let created_at = if admin {
            now - 900 * DAY - rng.range_i64(0, DAY)
        } else {
            now - rng.range_i64(60 * DAY, 800 * DAY)
        };
        let updated_at = (created_at + rng.range_i64(HOUR, 120 * DAY)).min(now - MINUTE);
        users.push(User {
            id: USER_BASE + i as u64,
            guid: guid(rng),
            first_name: first.to_string(),
            last_name: last.to_string(),
            email: format!(
                "{}.{}@{}",
                first.to_lowercase(),
                last.to_lowercase(),
                domain
            ),
            job_role: Some(if admin {
                "Operations".to_string()
            } else {
                rng.pick(USER_ROLES).to_string()
            }),
            team_admin: admin,
            // One rep has left the team (only on teams big enough to spare one).
            active: !(n >= 6 && i == n - 1),
            time_zone: "US/Eastern".to_string(),
            created_at,
            updated_at: updated_at.max(created_at),
        });
    }
    users
}

fn cadence_name(i: usize) -> (String, &'static str) {
    let (name, function) = CADENCES[i % CADENCES.len()];
    const VARIANTS: &[&str] = &["", " (EMEA)", " (APAC)", " v2", " - West", " - East", " v3"];
    let round = i / CADENCES.len();
    let variant = VARIANTS
        .get(round)
        .map_or_else(|| format!(" #{round}"), |v| v.to_string());
    (format!("{name}{variant}"), function)
}

fn build_cadences(
    rng: &mut Rng,
    opts: &GenOptions,
    users: &[User],
) -> (Vec<Cadence>, Vec<Step>, Vec<EmailTemplate>) {
    let now = opts.now;
    let n = opts.cadences;
    let active_users: Vec<&User> = users.iter().filter(|u| u.active).collect();
    let admin_id = users.first().map_or(USER_BASE, |u| u.id);
    let mut cadences = Vec::with_capacity(n);
    let mut steps: Vec<Step> = Vec::new();
    let mut templates: Vec<EmailTemplate> = Vec::new();
    for i in 0..n {
        let (name, function) = cadence_name(i);
        // Keep every state present on teams with a handful of cadences.
        let draft = (n >= 5 && i == n - 1) || (i + 1 < n && rng.chance(0.08));
        let archived = !draft && ((n >= 5 && i == n - 2) || rng.chance(0.14));
        let team_cadence = rng.chance(0.35);
        let owner_id = if team_cadence {
            admin_id
        } else {
            rng.try_pick(&active_users).map_or(admin_id, |u| u.id)
        };
        let created_at = if archived {
            now - rng.range_i64(200 * DAY, 700 * DAY)
        } else if rng.chance(0.2) {
            now - rng.range_i64(20 * DAY, 170 * DAY)
        } else {
            now - rng.range_i64(190 * DAY, 650 * DAY)
        };
        let archived_at = archived.then(|| now - rng.range_i64(5 * DAY, 90 * DAY));
        let mut updated_at = (created_at + rng.range_i64(MINUTE, 60 * DAY)).min(now - HOUR);
        if let Some(a) = archived_at {
            updated_at = updated_at.max(a + rng.range_i64(SECOND, MINUTE));
        }
        let id = CADENCE_BASE + i as u64;
        let step_ids = build_steps(rng, id, created_at, now, &mut steps, &mut templates);
        let tag_count = rng.range(0, 3) as usize;
        let mut tags: Vec<String> = Vec::new();
        for _ in 0..tag_count {
            let t = rng.pick(CADENCE_TAGS).to_string();
            if !tags.contains(&t) {
                tags.push(t);
            }
        }
        cadences.push(Cadence {
            id,
            name,
            owner_id,
            creator_id: if rng.chance(0.8) { owner_id } else { admin_id },
            team_cadence,
            shared: team_cadence || rng.chance(0.6),
            draft,
            archived_at,
            cadence_function: function.to_string(),
            tags,
            remove_bounces_enabled: rng.chance(0.6),
            remove_replies_enabled: rng.chance(0.7),
            opt_out_link_included: rng.chance(0.5),
            target_daily_people: *rng.pick(&[0, 0, 25, 50, 100]),
            opportunities_created: 0,
            meetings_booked: 0,
            step_ids,
            created_at,
            updated_at: updated_at.max(created_at),
        });
    }
    (cadences, steps, templates)
}

fn build_steps(
    rng: &mut Rng,
    cadence_id: u64,
    cadence_created: Micros,
    now: Micros,
    steps: &mut Vec<Step>,
    templates: &mut Vec<EmailTemplate>,
) -> Vec<u64> {
    let count = rng.range(3, 13) as usize;
    let mut ids = Vec::with_capacity(count);
    let mut day = 1u32;
    let mut number = 0u32;
    let mut created = cadence_created + rng.range_i64(MINUTE, 2 * HOUR);
    for pos in 0..count {
        if pos > 0 {
            let gap = [0u32, 1, 2, 3, 4, 7][rng.weighted(&[25.0, 20.0, 25.0, 15.0, 10.0, 5.0])];
            if gap > 0 {
                day += gap;
                number = 0;
            }
        }
        number += 1;
        let kind = if pos == 0 {
            [StepType::Email, StepType::Phone, StepType::Other][rng.weighted(&[85.0, 10.0, 5.0])]
        } else {
            [StepType::Email, StepType::Phone, StepType::Other][rng.weighted(&[50.0, 32.0, 18.0])]
        };
        let name = match kind {
            StepType::Email => rng.pick(EMAIL_STEP_NAMES),
            StepType::Phone => rng.pick(PHONE_STEP_NAMES),
            _ => rng.pick(OTHER_STEP_NAMES),
        };
        created += rng.range_i64(SECOND, 10 * MINUTE);
        let updated = if rng.chance(0.3) {
            (created + rng.range_i64(HOUR, 90 * DAY)).min(now - HOUR)
        } else {
            created
        };
        let template_ids = if kind == StepType::Email {
            // Every email step runs an A/B (or A/B/C) test of its templates.
            let variants = 2 + rng.weighted(&[65.0, 35.0]);
            (0..variants)
                .map(|v| add_template(rng, templates, name, v, created))
                .collect()
        } else {
            Vec::new()
        };
        let id = STEP_BASE + steps.len() as u64;
        steps.push(Step {
            id,
            cadence_id,
            day,
            step_number: number,
            kind,
            name: name.to_string(),
            disabled: pos > 0 && rng.chance(0.03),
            multitouch_enabled: false,
            template_ids,
            created_at: created,
            updated_at: updated.max(created),
        });
        ids.push(id);
    }
    ids
}

/// Subject lines the generated templates use, one per A/B variant.
const SUBJECTS: &[&str] = &[
    "Quick question, {{first_name}}",
    "{{company}} and pipeline visibility",
    "Worth a 15 minute chat?",
    "Idea for {{company}}",
    "Following up",
    "Did this land?",
];

/// Adds variant `v` of the template for an email step named `step_name`; returns its id.
fn add_template(
    rng: &mut Rng,
    templates: &mut Vec<EmailTemplate>,
    step_name: &str,
    v: usize,
    created: Micros,
) -> u64 {
    let id = TEMPLATE_BASE + templates.len() as u64;
    let letter = char::from(b'A' + (v % 26) as u8);
    templates.push(EmailTemplate {
        id,
        title: format!("{step_name} ({letter})"),
        subject: rng.pick(SUBJECTS).to_string(),
        body: format!("<div>Hi {{{{first_name}}}},</div><div>{step_name}, version {letter}.</div>"),
        cadence_template: true,
        open_tracking_enabled: true,
        click_tracking_enabled: true,
        shared: false,
        created_at: created,
        updated_at: created,
    });
    id
}
