//! Aggregator tests on hand-built facts.

use chrono::{DateTime, TimeDelta, Utc};

use super::aggregator::stored_size;
use super::*;

fn now() -> DateTime<Utc> {
    DateTime::from_timestamp(1_717_000_000, 0).unwrap()
}

/// A delivered, unengaged email in cadence 1, step 10, sent a day ago.
fn fact(id: u64) -> EmailFact {
    EmailFact {
        email_id: id,
        cadence_id: Some(1),
        step_id: Some(10),
        sent: true,
        bounced: false,
        viewed: false,
        clicked: false,
        replied: false,
        view_tracked: true,
        click_tracked: true,
        template_id: None,
        person_id: None,
        sent_at: Some(now() - TimeDelta::days(1)),
        updated_at: now() - TimeDelta::days(1),
    }
}

fn eng(
    sent: u64,
    delivered: u64,
    opened: u64,
    clicked: u64,
    replied: u64,
    bounced: u64,
) -> Engagement {
    Engagement {
        sent,
        delivered,
        opened,
        clicked,
        replied,
        bounced,
        // Every email of these tests is tracked.
        view_tracked: delivered,
        click_tracked: delivered,
    }
}

#[test]
fn definitions_on_hand_built_facts() {
    let mut a = Aggregator::new(TimeRange::All, now());
    a.upsert(EmailFact {
        bounced: true,
        viewed: true,
        ..fact(1)
    });
    a.upsert(EmailFact {
        sent: false,
        viewed: true,
        replied: true,
        ..fact(2)
    });
    a.upsert(EmailFact {
        viewed: true,
        clicked: true,
        ..fact(3)
    });
    a.upsert(fact(4));
    assert_eq!(a.len(), 4);
    assert_eq!(a.by_cadence(1), eng(3, 2, 1, 1, 0, 1));
    assert_eq!(a.totals(), a.by_cadence(1));
    let r = a.totals().rates();
    assert_eq!(r.open, Some(0.5));
    assert_eq!(format_rate(r.bounce), "33.3%");
    assert_eq!(format_rate(r.reply), "0.0%");
    assert!(sent_status("sent_from_gmail") && sent_status("sent_from_external"));
    assert!(!sent_status("delivering") && !sent_status("failed"));
}

#[test]
fn unknown_cadence_and_only_unsent_give_dashes() {
    let mut a = Aggregator::default();
    a.upsert(EmailFact {
        sent: false,
        ..fact(1)
    });
    assert!(a.by_cadence(1).is_empty());
    assert!(a.by_cadence(99).is_empty());
    assert_eq!(format_rate(a.by_cadence(1).rates().open), "—");
    assert_eq!(
        a.cadence_ids(),
        vec![1],
        "the cadence is known even with nothing sent"
    );
}

#[test]
fn same_fact_twice_changes_nothing() {
    let mut a = Aggregator::default();
    assert!(a.upsert(fact(1)));
    let before = a.totals();
    assert!(!a.upsert(fact(1)));
    assert_eq!(a.totals(), before);
    assert_eq!(a.len(), 1);
}

#[test]
fn update_replaces_contribution() {
    let mut a = Aggregator::default();
    a.upsert(fact(1));
    let later = now();
    assert!(a.upsert(EmailFact {
        viewed: true,
        updated_at: later,
        ..fact(1)
    }));
    assert_eq!(a.by_cadence(1), eng(1, 1, 1, 0, 0, 0));
    // Bounce reported later: the open no longer counts, the email is not delivered.
    assert!(a.upsert(EmailFact {
        viewed: true,
        bounced: true,
        updated_at: later,
        ..fact(1)
    }));
    assert_eq!(a.by_cadence(1), eng(1, 0, 0, 0, 0, 1));
    assert_eq!(a.latest_updated_at(), Some(later));
}

#[test]
fn stale_update_is_ignored() {
    let mut a = Aggregator::default();
    a.upsert(EmailFact {
        replied: true,
        updated_at: now(),
        ..fact(1)
    });
    assert!(!a.upsert(fact(1)), "an older copy must not undo the reply");
    assert_eq!(a.by_cadence(1).replied, 1);
}

#[test]
fn moving_cadence_moves_counts() {
    let mut a = Aggregator::default();
    a.upsert(fact(1));
    assert!(a.upsert(EmailFact {
        cadence_id: Some(2),
        step_id: Some(20),
        updated_at: now(),
        ..fact(1)
    }));
    assert_eq!(a.cadence_ids(), vec![2]);
    assert!(a.by_cadence(1).is_empty());
    assert!(a.by_step(10).is_empty());
    assert_eq!(a.by_step(20).sent, 1);
}

#[test]
fn range_filtering_and_set_range() {
    let mut a = Aggregator::new(TimeRange::Days(30), now());
    a.upsert(fact(1));
    let old = EmailFact {
        sent_at: Some(now() - TimeDelta::days(40)),
        viewed: true,
        ..fact(2)
    };
    assert!(
        !a.upsert(old),
        "an out-of-range email of a known cadence changes no aggregate"
    );
    assert_eq!(a.len(), 2);
    assert_eq!(a.by_cadence(1), eng(1, 1, 0, 0, 0, 0));
    // A sent email without sent_at is placed by updated_at.
    a.upsert(EmailFact {
        sent_at: None,
        updated_at: now() - TimeDelta::days(50),
        ..fact(3)
    });
    assert_eq!(a.totals().sent, 1);

    a.set_range(TimeRange::All, now());
    assert_eq!(a.range(), TimeRange::All);
    assert_eq!(a.by_cadence(1), eng(3, 3, 1, 0, 0, 0));
    a.set_range(TimeRange::Days(45), now());
    assert_eq!(a.by_cadence(1), eng(2, 2, 1, 0, 0, 0));
    // The window slides with the clock.
    a.set_range(TimeRange::Days(45), now() + TimeDelta::days(10));
    assert_eq!(a.by_cadence(1), eng(1, 1, 0, 0, 0, 0));
    a.set_range(TimeRange::Days(7), now() + TimeDelta::days(10));
    assert!(a.totals().is_empty());
    assert_eq!(
        a.cadence_ids(),
        vec![1],
        "stored facts keep their cadence known"
    );
}

#[test]
fn step_aggregates() {
    let mut a = Aggregator::default();
    a.upsert(EmailFact {
        viewed: true,
        ..fact(1)
    });
    a.upsert(EmailFact {
        step_id: Some(11),
        replied: true,
        ..fact(2)
    });
    a.upsert(EmailFact {
        step_id: Some(11),
        ..fact(3)
    });
    a.upsert(EmailFact {
        cadence_id: None,
        step_id: None,
        ..fact(4)
    });
    assert_eq!(a.by_step(10), eng(1, 1, 1, 0, 0, 0));
    assert_eq!(a.by_step(11), eng(2, 2, 0, 0, 1, 0));
    assert_eq!(a.by_cadence(1).sent, 3);
    assert_eq!(a.totals().sent, 4, "a one-off email counts in totals only");
    assert_eq!(a.step_ids(1), vec![10, 11]);
    assert_eq!(a.cadence_ids(), vec![1]);
}

#[test]
fn series_records_transitions_observed_live() {
    let mut a = Aggregator::default();
    let mut s = ActivitySeries::new(std::time::Duration::from_secs(10), 3);
    let t = now();
    // Initial load: history is not live activity.
    a.upsert(EmailFact {
        viewed: true,
        ..fact(1)
    });
    a.upsert(fact(2));
    // Live: a new email already opened, then an existing email gets a reply and a click.
    a.upsert_observed(
        EmailFact {
            viewed: true,
            ..fact(3)
        },
        t,
        &mut s,
    );
    let reply = EmailFact {
        replied: true,
        clicked: true,
        updated_at: t,
        ..fact(2)
    };
    assert!(a.upsert_observed(reply.clone(), t, &mut s));
    // Seen again: no new transitions.
    assert!(!a.upsert_observed(reply, t, &mut s));
    a.upsert_observed(
        EmailFact {
            viewed: true,
            updated_at: t,
            ..fact(1)
        },
        t,
        &mut s,
    );
    // A bounced email's view is not an open.
    a.upsert_observed(
        EmailFact {
            bounced: true,
            viewed: true,
            ..fact(4)
        },
        t,
        &mut s,
    );
    assert_eq!(s.series(1, ActivityKind::Open, t), vec![0, 0, 1]);
    assert_eq!(s.series(1, ActivityKind::Reply, t), vec![0, 0, 1]);
    assert_eq!(s.series(1, ActivityKind::Click, t), vec![0, 0, 1]);
    let u = a.apply(EmailFact {
        viewed: true,
        replied: true,
        updated_at: t,
        ..fact(2)
    });
    assert_eq!(
        u.transitions,
        Transitions {
            cadence_id: Some(1),
            opened: true,
            clicked: false,
            replied: false
        }
    );
}

#[test]
fn stored_facts_are_compact() {
    // 16 bytes of value + 8 of key: 1M emails fit in ~50 MB of table.
    assert_eq!(stored_size(), 16);
}

#[test]
fn stored_totals_show_until_the_facts_arrive_then_pending_facts_replay() {
    let range = TimeRange::Days(30);
    let totals = vec![
        ((Some(1), Some(10)), eng(4, 3, 2, 1, 1, 1)),
        ((Some(2), None), eng(1, 1, 0, 0, 0, 0)),
    ];
    let mut a = Aggregator::from_totals(range, now(), totals);
    assert!(a.is_preset());
    assert_eq!(a.by_cadence(1), eng(4, 3, 2, 1, 1, 1));
    assert_eq!(a.by_step(10), eng(4, 3, 2, 1, 1, 1));
    assert_eq!(a.by_cadence(2), eng(1, 1, 0, 0, 0, 0));
    assert_eq!(a.totals(), eng(5, 4, 2, 1, 1, 1));

    // A live fact while the facts load: it waits, the totals stay as stored.
    let mut series = ActivitySeries::new(std::time::Duration::from_secs(60), 10);
    let mut live = fact(99);
    live.viewed = true;
    live.updated_at = now();
    assert!(!a.upsert_observed(live.clone(), now(), &mut series));
    assert_eq!(a.totals(), eng(5, 4, 2, 1, 1, 1));
    // The same range again (the window sliding) keeps the totals.
    a.set_range(range, now() + TimeDelta::seconds(1));
    assert_eq!(a.by_cadence(1), eng(4, 3, 2, 1, 1, 1));

    // The stored facts arrive: they replace the totals, and the waiting fact is
    // applied on top, its engagement recorded as live activity.
    let mut full = Aggregator::new(TimeRange::All, now());
    full.upsert(fact(1));
    full.upsert(EmailFact {
        sent_at: Some(now() - TimeDelta::days(60)),
        ..fact(2)
    });
    assert!(a.absorb(full, now(), &mut series));
    assert!(!a.is_preset());
    assert_eq!(a.range(), range, "narrowed to the state's range");
    assert_eq!(a.by_cadence(1), eng(2, 2, 1, 0, 0, 0));
    assert_eq!(a.by_cadence(2), Engagement::default());
    assert_eq!(
        series
            .total_series(ActivityKind::Open, now())
            .iter()
            .sum::<u64>(),
        1,
        "the waiting live open is recorded"
    );
    // Only once.
    assert!(!a.absorb(Aggregator::default(), now(), &mut series));
    assert_eq!(a.by_cadence(1), eng(2, 2, 1, 0, 0, 0));
}

#[test]
fn another_range_before_the_facts_arrive_shows_no_stored_numbers() {
    let mut a = Aggregator::from_totals(
        TimeRange::Days(30),
        now(),
        vec![((Some(1), Some(10)), eng(4, 3, 2, 1, 1, 1))],
    );
    assert!(a.counts_known());
    a.set_range(TimeRange::Days(7), now());
    assert!(!a.counts_known());
    assert_eq!(a.by_cadence(1), Engagement::default());
    assert_eq!(a.totals(), Engagement::default());
    // Back to the stored range: still unknown (the totals were for a moment ago).
    a.set_range(TimeRange::Days(30), now());
    assert_eq!(a.by_cadence(1), Engagement::default());
    let mut full = Aggregator::new(TimeRange::All, now());
    full.upsert(fact(1));
    a.absorb(full, now(), &mut ActivitySeries::default());
    assert_eq!(a.by_cadence(1), eng(1, 1, 0, 0, 0, 0));
}

#[test]
fn facts_from_gives_back_what_was_folded_to_the_second() {
    let mut agg = Aggregator::new(TimeRange::Days(7), now());
    let mut old = fact(1);
    old.sent_at = Some(now() - TimeDelta::days(20));
    let mut new = fact(2);
    new.cadence_id = Some(9);
    new.step_id = None;
    new.replied = true;
    new.click_tracked = false;
    new.sent_at = Some(now() - TimeDelta::hours(3));
    let mut unsent = fact(3);
    unsent.sent = false;
    unsent.sent_at = None;
    for f in [&old, &new, &unsent] {
        agg.upsert(f.clone());
    }
    let second = |t: DateTime<Utc>| DateTime::from_timestamp(t.timestamp(), 0).unwrap();
    let back = |f: &EmailFact| EmailFact {
        template_id: None,
        person_id: None,
        sent_at: f.sent_at.map(second),
        updated_at: second(f.updated_at),
        ..f.clone()
    };
    // Every fact, the out-of-range one too (the range filters counts, not facts).
    let mut all = agg.facts_from(None);
    all.sort_by_key(|f| f.email_id);
    assert_eq!(all, vec![back(&old), back(&new), back(&unsent)]);
    // From a time: by sent_at, else updated_at.
    let mut recent = agg.facts_from(Some(now() - TimeDelta::days(1)));
    recent.sort_by_key(|f| f.email_id);
    let ids: Vec<u64> = recent.iter().map(|f| f.email_id).collect();
    assert_eq!(ids, [2, 3], "{recent:?}");
}
