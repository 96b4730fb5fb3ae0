//! Property test: random upserts (with repeats, changes and stale copies) give the same
//! aggregates as a recount of the final facts, and `changed` is exactly "something moved".

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, TimeDelta, Utc};

use super::*;

fn now() -> DateTime<Utc> {
    DateTime::from_timestamp(1_717_000_000, 0).unwrap()
}

/// Test inputs from `fastrand`, seeded: a failing seed replays.
struct Rng(fastrand::Rng);

impl Rng {
    fn new(seed: u64) -> Rng {
        Rng(fastrand::Rng::with_seed(seed))
    }
    fn below(&mut self, n: u64) -> u64 {
        self.0.u64(..n)
    }
    fn chance(&mut self, one_in: u64) -> bool {
        self.below(one_in) == 0
    }
}

fn random_fact(rng: &mut Rng) -> EmailFact {
    let cadence = rng.below(5);
    EmailFact {
        email_id: rng.below(40),
        cadence_id: (cadence > 0).then_some(cadence),
        step_id: (cadence > 0).then(|| cadence * 100 + rng.below(3)),
        sent: !rng.chance(5),
        bounced: rng.chance(6),
        viewed: rng.chance(2),
        clicked: rng.chance(3),
        replied: rng.chance(4),
        view_tracked: !rng.chance(7),
        click_tracked: !rng.chance(4),
        template_id: (cadence > 0).then(|| rng.below(2)),
        person_id: None,
        sent_at: (!rng.chance(8))
            .then(|| now() - TimeDelta::seconds(rng.below(60 * 86_400) as i64)),
        updated_at: now() - TimeDelta::seconds(rng.below(2_000) as i64),
    }
}

type Snapshot = (
    Engagement,
    BTreeMap<u64, Engagement>,
    BTreeMap<u64, Engagement>,
    Vec<u64>,
);

fn snapshot(a: &Aggregator) -> Snapshot {
    let cadences = (1..5).map(|c| (c, a.by_cadence(c))).collect();
    let steps = (1..5)
        .flat_map(|c| (0..3).map(move |s| c * 100 + s))
        .map(|s| (s, a.by_step(s)))
        .filter(|(_, e)| !e.is_empty())
        .collect();
    (a.totals(), cadences, steps, a.cadence_ids())
}

fn recount(facts: &HashMap<u64, EmailFact>, range: TimeRange, now: DateTime<Utc>) -> Snapshot {
    let since = range.since(now);
    let (mut totals, mut cadences, mut steps) =
        (Engagement::default(), BTreeMap::new(), BTreeMap::new());
    let mut ids: Vec<u64> = facts.values().filter_map(|f| f.cadence_id).collect();
    ids.sort_unstable();
    ids.dedup();
    for c in 1..5 {
        cadences.insert(c, Engagement::default());
    }
    for f in facts.values() {
        let at = f.sent_at.unwrap_or(f.updated_at);
        if since.is_some_and(|s| at < s) {
            continue;
        }
        // The definitions, written out again (not through `Engagement::of_flags`).
        let delivered = f.sent && !f.bounced;
        let n = |b: bool| u64::from(b);
        let e = Engagement {
            sent: n(f.sent),
            delivered: n(delivered),
            opened: n(delivered && f.view_tracked && f.viewed),
            clicked: n(delivered && f.click_tracked && f.clicked),
            replied: n(delivered && f.replied),
            bounced: n(f.sent && f.bounced),
            view_tracked: n(delivered && f.view_tracked),
            click_tracked: n(delivered && f.click_tracked),
        };
        totals += e;
        if let Some(c) = f.cadence_id {
            *cadences.entry(c).or_default() += e;
        }
        if let Some(s) = f.step_id {
            *steps.entry(s).or_default() += e;
        }
    }
    steps.retain(|_, e: &mut Engagement| !e.is_empty());
    (totals, cadences, steps, ids)
}

#[test]
fn random_upserts_match_a_recount_of_the_final_facts() {
    let ranges = [TimeRange::Days(7), TimeRange::Days(30), TimeRange::All];
    for seed in 1..=60u64 {
        let mut rng = Rng::new(seed);
        let mut range = ranges[rng.below(3) as usize];
        let mut a = Aggregator::new(range, now());
        let mut model: HashMap<u64, EmailFact> = HashMap::new();
        let mut previous: Vec<EmailFact> = Vec::new();
        for step in 0..300 {
            // Repeats of earlier facts, changes of earlier emails and fresh facts.
            let f = match rng.below(4) {
                0 if !previous.is_empty() => {
                    previous[rng.below(previous.len() as u64) as usize].clone()
                }
                1 if !previous.is_empty() => {
                    let mut f = previous[rng.below(previous.len() as u64) as usize].clone();
                    f.viewed = !f.viewed;
                    f.updated_at += TimeDelta::seconds(rng.below(3) as i64);
                    f
                }
                _ => random_fact(&mut rng),
            };
            previous.push(f.clone());
            let newer = model
                .get(&f.email_id)
                .is_none_or(|old| f.updated_at >= old.updated_at);
            if newer {
                model.insert(f.email_id, f.clone());
            }
            let before = snapshot(&a);
            let changed = a.upsert(f);
            let after = snapshot(&a);
            assert_eq!(
                changed,
                before != after,
                "seed {seed} step {step}: changed flag"
            );
            assert_eq!(
                after,
                recount(&model, range, now()),
                "seed {seed} step {step}"
            );
            assert_eq!(a.len(), model.len());
            if rng.chance(50) {
                range = ranges[rng.below(3) as usize];
                a.set_range(range, now());
                assert_eq!(
                    snapshot(&a),
                    recount(&model, range, now()),
                    "seed {seed} after set_range"
                );
            }
        }
    }
}

/// A fact sent anywhere in the last ~200 days at a random second (a few land exactly on
/// a UTC midnight or exactly on a range start), so day buckets and the boundary day are
/// both exercised.
fn wide_fact(rng: &mut Rng, now: DateTime<Utc>) -> EmailFact {
    let cadence = rng.below(5);
    let sent_at = match rng.below(10) {
        0 => None,
        1 => {
            // Exactly `days` before now: on the boundary of a `Days(days)` range.
            Some(now - TimeDelta::days(rng.below(120) as i64))
        }
        2 => {
            let midnight = now.timestamp() - now.timestamp().rem_euclid(86_400);
            DateTime::from_timestamp(midnight - 86_400 * rng.below(150) as i64, 0)
        }
        _ => Some(now - TimeDelta::seconds(rng.below(200 * 86_400) as i64)),
    };
    EmailFact {
        email_id: rng.below(120),
        cadence_id: (cadence > 0).then_some(cadence),
        step_id: (cadence > 0).then(|| cadence * 100 + rng.below(3)),
        sent: !rng.chance(5),
        bounced: rng.chance(6),
        viewed: rng.chance(2),
        clicked: rng.chance(3),
        replied: rng.chance(4),
        view_tracked: !rng.chance(7),
        click_tracked: !rng.chance(4),
        template_id: None,
        person_id: None,
        sent_at,
        updated_at: now - TimeDelta::seconds(rng.below(300 * 86_400) as i64),
    }
}

#[test]
fn bucketed_range_totals_match_a_brute_force_recount() {
    for seed in 1..=80u64 {
        let mut rng = Rng::new(seed ^ 0xD1B5_4A32_D192_ED03);
        // A "now" anywhere in the day, so range starts fall at any second.
        let mut now =
            DateTime::from_timestamp(1_700_000_000 + rng.below(400 * 86_400) as i64, 0).unwrap();
        let random_range = |rng: &mut Rng| match rng.below(6) {
            0 => TimeRange::All,
            _ => TimeRange::Days(1 + rng.below(150) as u32),
        };
        let mut range = random_range(&mut rng);
        let mut a = Aggregator::new(range, now);
        let mut model: HashMap<u64, EmailFact> = HashMap::new();
        for step in 0..400 {
            let mut f = wide_fact(&mut rng, now);
            if let Some(old) = model.get(&f.email_id)
                && rng.chance(2)
            {
                // An update of a stored email: same id, maybe moved in time or cadence.
                f = EmailFact {
                    sent_at: if rng.chance(3) {
                        f.sent_at
                    } else {
                        old.sent_at
                    },
                    cadence_id: if rng.chance(4) {
                        f.cadence_id
                    } else {
                        old.cadence_id
                    },
                    step_id: if rng.chance(4) {
                        f.step_id
                    } else {
                        old.step_id
                    },
                    updated_at: old.updated_at + TimeDelta::seconds(rng.below(3) as i64),
                    ..f
                };
            }
            if model
                .get(&f.email_id)
                .is_none_or(|old| f.updated_at >= old.updated_at)
            {
                model.insert(f.email_id, f.clone());
            }
            a.upsert(f);
            if rng.chance(8) {
                range = random_range(&mut rng);
                if rng.chance(2) {
                    // The clock moves on (the window slides).
                    now += TimeDelta::seconds(rng.below(3 * 86_400) as i64);
                }
                a.set_range(range, now);
            }
            assert_eq!(
                snapshot(&a),
                recount(&model, range, now),
                "seed {seed} step {step} range {range:?} now {now}"
            );
        }
    }
}
