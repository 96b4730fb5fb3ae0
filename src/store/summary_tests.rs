//! The per-day sums (`fact_days`, kept by triggers) against the aggregator's
//! count of the stored facts: random inserts, changes, older updates and sweeps,
//! read for ranges starting at arbitrary seconds.

use chrono::{DateTime, TimeDelta, TimeZone, Utc};

use super::schema::MIGRATIONS;
use super::summary::FACT_AT;
use super::*;
use crate::metrics::{Aggregator, EmailFact, Engagement, GroupTotals, TimeRange};

/// Engagement per cadence, per step, and in total.
type Counts = (Vec<(u64, Engagement)>, Vec<(u64, Engagement)>, Engagement);

/// Test inputs from `fastrand`, seeded: a failing seed replays.
struct Rng(fastrand::Rng);

impl Rng {
    fn new(seed: u64) -> Rng {
        Rng(fastrand::Rng::with_seed(seed))
    }

    fn below(&mut self, n: u64) -> u64 {
        self.0.u64(..n)
    }
}

const BASE: i64 = 1_790_000_000; // 2026-09-21

fn at(secs: i64) -> DateTime<Utc> {
    Utc.timestamp_opt(secs, 0).single().unwrap()
}

fn random_fact(rng: &mut Rng, id: u64, updated: i64) -> EmailFact {
    let flags = rng.below(128);
    EmailFact {
        email_id: id,
        cadence_id: (rng.below(6) != 0).then(|| rng.below(4) + 1),
        step_id: (rng.below(5) != 0).then(|| rng.below(6) + 10),
        sent: flags & 1 != 0 || rng.below(3) != 0,
        bounced: flags & 2 != 0,
        viewed: flags & 4 != 0,
        clicked: flags & 8 != 0,
        replied: flags & 16 != 0,
        view_tracked: flags & 32 == 0,
        click_tracked: flags & 64 == 0,
        template_id: (flags & 3 == 0).then(|| rng.below(3) + 500),
        person_id: None,
        // Sent times over 40 days, at any second; some unknown (the range then
        // goes by updated_at).
        sent_at: (rng.below(8) != 0).then(|| at(BASE - rng.below(40 * 86_400) as i64)),
        updated_at: at(updated),
    }
}

/// What the aggregator counts over the facts in the store, for the range
/// starting at `since` (unix seconds) or all time.
fn counted(store: &Store, since: Option<i64>) -> Counts {
    let (range, now) = match since {
        Some(s) => (TimeRange::Days(30), at(s) + TimeDelta::days(30)),
        None => (TimeRange::All, at(BASE)),
    };
    let mut agg = Aggregator::new(range, now);
    store
        .for_each_email_fact(|f| {
            agg.upsert(f);
        })
        .unwrap();
    let cadences = (1..=4).map(|c| (c, agg.by_cadence(c))).collect();
    let steps = (10..16).map(|s| (s, agg.by_step(s))).collect();
    (cadences, steps, agg.totals())
}

/// The same read from the stored sums.
fn summed(totals: &GroupTotals) -> Counts {
    let sum = |by_step: bool, key: u64| {
        let mut e = Engagement::default();
        for ((cadence, step), x) in totals {
            if (if by_step { *step } else { *cadence }) == Some(key) {
                e += *x;
            }
        }
        e
    };
    let cadences = (1..=4).map(|c| (c, sum(false, c))).collect();
    let steps = (10..16).map(|s| (s, sum(true, s))).collect();
    let mut all = Engagement::default();
    for (_, x) in totals {
        all += *x;
    }
    (cadences, steps, all)
}

fn check(store: &Store, rng: &mut Rng, round: usize) {
    let mut starts = vec![None];
    for _ in 0..4 {
        starts.push(Some(BASE - rng.below(45 * 86_400) as i64));
    }
    for since in starts {
        let totals = store.range_totals(since.map(|s| s as u32)).unwrap();
        assert!(totals.iter().all(|(_, e)| !e.is_empty()));
        assert_eq!(
            summed(&totals),
            counted(store, since),
            "round {round}, range from {since:?}"
        );
    }
}

#[test]
fn per_day_sums_equal_the_aggregator_through_random_changes_and_sweeps() {
    let mut store = Store::open_in_memory().unwrap();
    let mut rng = Rng::new(7);
    let mut direct = Aggregator::new(TimeRange::All, at(BASE));
    let mut generation = 1;
    let mut swept = false;
    for round in 0..12 {
        for _ in 0..400 {
            let id = rng.below(500);
            // Mostly newer versions; some older ones, which must not win.
            let updated = BASE - 86_400 + round as i64 * 600 + rng.below(1200) as i64 - 300;
            let batch: Vec<EmailFact> = (0..1 + rng.below(3))
                .map(|k| random_fact(&mut rng, id + k, updated))
                .collect();
            store.upsert_email_facts(&batch, generation).unwrap();
            for f in batch {
                direct.upsert(f);
            }
        }
        if round % 4 == 3 {
            // A finished full sync that saw only some emails removes the others.
            generation += 1;
            let seen: Vec<EmailFact> = store
                .email_facts()
                .unwrap()
                .into_iter()
                .filter(|_| rng.below(3) != 0)
                .collect();
            store.upsert_email_facts(&seen, generation).unwrap();
            assert!(store.sweep("email_facts", generation).unwrap() > 0);
            swept = true;
        }
        check(&store, &mut rng, round);
        if !swept {
            // Before any sweep the store holds exactly what the aggregator was fed.
            let all = store.range_totals(None).unwrap();
            assert_eq!(summed(&all).2, direct.totals(), "round {round}");
        }
    }
    // Everything removed: no sums left.
    generation += 1;
    store.sweep("email_facts", generation).unwrap();
    assert!(store.range_totals(None).unwrap().is_empty());
    let rows: i64 = store
        .conn
        .query_row("SELECT count(*) FROM fact_days", [], |r| r.get(0))
        .unwrap();
    assert_eq!(rows, 0, "no empty day rows are kept");
}

#[test]
fn a_version_one_store_gets_its_sums_when_migrated() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("v1.sqlite");
    let mut rng = Rng::new(11);
    let facts: Vec<EmailFact> = (0..2_000)
        .map(|id| {
            let updated = BASE - rng.below(86_400) as i64;
            random_fact(&mut rng, id, updated)
        })
        .collect();
    {
        // A store as the previous sltui wrote it: schema 1, facts, no sums.
        let mut conn = rusqlite::Connection::open(&path).unwrap();
        let tx = conn.transaction().unwrap();
        tx.execute_batch(&MIGRATIONS[0]()).unwrap();
        tx.pragma_update(None, "user_version", 1).unwrap();
        tx.commit().unwrap();
        let mut st = conn
            .prepare(
                "INSERT INTO email_facts (id, updated_us, seen, cadence_id, step_id, flags, sent_at)
                 VALUES (?1, ?2, 1, ?3, ?4, ?5, ?6)",
            )
            .unwrap();
        for f in &facts {
            let flags = f.sent as i64
                | (f.bounced as i64) << 1
                | (f.viewed as i64) << 2
                | (f.clicked as i64) << 3
                | (f.replied as i64) << 4;
            st.execute(rusqlite::params![
                f.email_id as i64,
                f.updated_at.timestamp_micros(),
                f.cadence_id.map(|v| v as i64),
                f.step_id.map(|v| v as i64),
                flags,
                f.sent_at.map(|t| t.timestamp_micros()),
            ])
            .unwrap();
        }
    }
    let store = Store::open(&path).unwrap();
    assert_eq!(store.schema_version().unwrap(), SCHEMA_VERSION);
    check(&store, &mut rng, 0);
    assert!(!store.range_totals(None).unwrap().is_empty());
    drop(store);
}

#[test]
fn the_range_time_is_one_expression_and_its_recount_uses_the_index() {
    // The migration sums and indexes the same expression the reads use.
    let normalize = |s: &str| s.split_whitespace().collect::<String>();
    let sums = normalize(&MIGRATIONS[1]());
    assert!(sums.contains(&normalize(&format!("ON email_facts({FACT_AT})"))));
    for side in ["new", "old"] {
        let expr = FACT_AT
            .replace("sent_at", &format!("{side}.sent_at"))
            .replace("updated_us", &format!("{side}.updated_us"));
        assert!(sums.contains(&normalize(&expr)), "{side}: {expr}");
    }
    let store = Store::open_in_memory().unwrap();
    let plan: Vec<String> = store
        .conn
        .prepare(&format!(
            "EXPLAIN QUERY PLAN SELECT flags FROM email_facts
             WHERE {FACT_AT} >= 1 AND {FACT_AT} < 2 AND flags & 1"
        ))
        .unwrap()
        .query_map([], |r| r.get::<_, String>(3))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert!(
        plan.iter().any(|p| p.contains("email_facts_at")),
        "{plan:?}"
    );
}
