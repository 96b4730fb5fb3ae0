//! Migration 3: tracking-aware sums and template ids, on new and on upgraded files.

use chrono::{TimeZone, Utc};
use rusqlite::Connection;

use super::Store;
use super::schema::{MIGRATIONS, SCHEMA_VERSION};
use crate::metrics::{EmailFact, Engagement};

fn fact(id: u64, view_tracked: bool, click_tracked: bool, viewed: bool) -> EmailFact {
    let at = Utc.timestamp_opt(1_714_000_000 + id as i64, 0).unwrap();
    EmailFact {
        email_id: id,
        cadence_id: Some(7),
        step_id: Some(70),
        sent: true,
        bounced: false,
        viewed,
        clicked: false,
        replied: id.is_multiple_of(2),
        view_tracked,
        click_tracked,
        template_id: Some(900 + id % 2),
        person_id: None,
        sent_at: Some(at),
        updated_at: at,
    }
}

fn totals(store: &Store) -> Engagement {
    store
        .range_totals(None)
        .unwrap()
        .into_iter()
        .map(|(_, e)| e)
        .fold(Engagement::default(), |mut a, e| {
            a += e;
            a
        })
}

#[test]
fn untracked_emails_leave_the_open_and_click_denominators() {
    let mut store = Store::open_in_memory().unwrap();
    let facts = [
        fact(1, true, true, true),
        fact(2, false, true, false),
        fact(3, true, false, false),
        fact(4, false, false, false),
    ];
    store.upsert_email_facts(&facts, 1).unwrap();
    let e = totals(&store);
    assert_eq!((e.sent, e.delivered, e.opened), (4, 4, 1));
    assert_eq!((e.view_tracked, e.click_tracked), (2, 2));
    assert_eq!(e.rates().open, Some(0.5), "1 open of 2 tracked, not of 4");
    // The facts read back whole, template included.
    let back = store.email_facts().unwrap();
    assert_eq!(back.len(), 4);
    for f in &facts {
        assert!(back.contains(f), "{f:?} round-trips");
    }
    // A fact that turns tracking off moves out of the denominator.
    store
        .upsert_email_facts(
            &[EmailFact {
                updated_at: facts[0].updated_at + chrono::TimeDelta::seconds(5),
                ..fact(1, false, true, false)
            }],
            1,
        )
        .unwrap();
    let e = totals(&store);
    assert_eq!((e.opened, e.view_tracked), (0, 1));
}

#[test]
fn a_version_two_file_upgrades_and_counts_its_old_facts_as_tracked() {
    let dir = std::env::temp_dir().join(format!("sltui-tracking-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("v2.sqlite");
    {
        // Build a version-2 file by hand, with two facts as version 2 wrote them.
        let conn = Connection::open(&path).unwrap();
        for m in &MIGRATIONS[..2] {
            conn.execute_batch(&m()).unwrap();
        }
        conn.pragma_update(None, "user_version", 2).unwrap();
        conn.execute_batch(
            "INSERT INTO email_facts (id, updated_us, seen, cadence_id, step_id, flags, sent_at)
             VALUES (1, 1714000000000000, 1, 7, 70, 1 | 4, 1714000000000000),
                    (2, 1714000001000000, 1, 7, 70, 1 | 16, 1714000001000000);
             INSERT INTO sync_state (resource, generation, cursor, full_done_at, synced_at)
             VALUES ('emails', 1, '{}', '2024-04-25T00:00:00Z', '2024-04-25T00:00:00Z');",
        )
        .unwrap();
    }
    let store = Store::open(&path).unwrap();
    assert_eq!(store.schema_version().unwrap(), SCHEMA_VERSION);
    // Migration 4: the facts have no recipients yet, so the emails are read
    // again in full; calls and templates have tables of their own.
    let emails = store.resource_state("emails").unwrap();
    assert!(
        emails.cursor.is_none() && emails.full_done_at.is_none(),
        "{emails:?}"
    );
    assert!(store.calls().unwrap().is_empty() && store.email_templates().unwrap().is_empty());
    let e = totals(&store);
    assert_eq!((e.sent, e.delivered, e.opened, e.replied), (2, 2, 1, 1));
    assert_eq!((e.view_tracked, e.click_tracked), (2, 2));
    let facts = store.email_facts().unwrap();
    assert!(
        facts
            .iter()
            .all(|f| f.view_tracked && f.template_id.is_none() && f.person_id.is_none())
    );
    drop(store);
    let _ = std::fs::remove_dir_all(&dir);
}
