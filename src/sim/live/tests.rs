use super::*;
use crate::sim::dataset::{GenOptions, generate};
use crate::sim::truth::check_consistency;

const NOW: Micros = 1_714_564_800_123_457;
const TICK: Micros = 500_000;

fn team(people: usize) -> Dataset {
    generate(&GenOptions {
        seed: 5,
        people,
        cadences: 40,
        users: 12,
        now: NOW,
    })
}

fn run(ds: &mut Dataset, seed: u64, ticks: i64) -> LiveReport {
    let mut live = Live::new(seed);
    let mut total = LiveReport::default();
    for i in 1..=ticks {
        let r = live.advance(ds, NOW + i * TICK);
        total.emails_sent += r.emails_sent;
        total.views += r.views;
        total.clicks += r.clicks;
        total.replies += r.replies;
        total.bounces += r.bounces;
        total.calls += r.calls;
        total.memberships_added += r.memberships_added;
        total.memberships_moved += r.memberships_moved;
        total.rows_changed += r.rows_changed;
    }
    total
}

fn fingerprint(ds: &Dataset) -> String {
    format!(
        "{:?}{:?}{:?}{:?}",
        ds.people.iter().collect::<Vec<_>>(),
        ds.memberships.iter().collect::<Vec<_>>(),
        ds.emails.iter().collect::<Vec<_>>(),
        ds.calls.iter().collect::<Vec<_>>(),
    )
}

#[test]
fn counts_stay_consistent_through_many_advances() {
    let mut ds = team(1500);
    let before = (ds.emails.len(), ds.memberships.len(), ds.calls.len());
    // Ten simulated minutes at the dashboard's pace.
    let total = run(&mut ds, 1, 1200);
    assert_eq!(ds.now, NOW + 1200 * TICK);
    let problems = check_consistency(&ds);
    assert!(problems.is_empty(), "{problems:#?}");
    assert!(total.emails_sent > 100, "{total:?}");
    assert!(
        total.views > 50 && total.clicks > 0 && total.replies > 0,
        "{total:?}"
    );
    assert!(total.bounces > 0 && total.calls > 0, "{total:?}");
    assert!(
        total.memberships_added > 0 && total.memberships_moved > 0,
        "{total:?}"
    );
    assert!(ds.emails.len() > before.0 && ds.memberships.len() > before.1);
    assert!(ds.calls.len() > before.2);
    // New rows continue the id sequences and are indexed by updated_at.
    let fresh = ds
        .emails
        .range_updated(std::ops::Bound::Excluded(NOW), std::ops::Bound::Unbounded)
        .count();
    assert!(fresh >= total.emails_sent as usize);
}

#[test]
fn dashboard_sees_email_events_every_few_seconds() {
    let mut ds = team(5000);
    let mut live = Live::new(9);
    let mut quiet_streak = 0;
    let mut events = 0;
    for i in 1..=40 {
        let r = live.advance(&mut ds, NOW + i * TICK);
        let n = r.emails_sent + r.views + r.clicks + r.replies + r.bounces;
        events += n;
        quiet_streak = if n == 0 { quiet_streak + 1 } else { 0 };
        assert!(quiet_streak < 6, "no email events for 3 s (tick {i})");
    }
    // 20 seconds: several email events per second overall.
    assert!(events >= 60, "{events} email events in 20 s");
}

#[test]
fn same_seed_and_clock_same_changes() {
    let mut a = team(600);
    let mut b = team(600);
    let mut c = team(600);
    run(&mut a, 3, 200);
    run(&mut b, 3, 200);
    run(&mut c, 4, 200);
    assert_eq!(fingerprint(&a), fingerprint(&b));
    assert_ne!(fingerprint(&a), fingerprint(&c));
}

#[test]
fn time_never_runs_backwards() {
    let mut ds = team(300);
    let mut live = Live::new(1);
    live.advance(&mut ds, NOW + 10 * TICK);
    let snapshot = fingerprint(&ds);
    let r = live.advance(&mut ds, NOW);
    assert_eq!(r, LiveReport::default());
    assert_eq!(ds.now, NOW + 10 * TICK);
    assert_eq!(fingerprint(&ds), snapshot);
}
