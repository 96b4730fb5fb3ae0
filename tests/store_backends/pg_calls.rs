//! Calls and email templates follow the change sequence (PostgreSQL migration
//! 7), also on a database made by an sltui before it: a call or a template
//! written takes a number, is announced, and `changes_after` returns it; a
//! re-read of the same version does not; a removal is noted.

use std::time::Duration;

use sltui::api::models::{Call, EmailTemplate};
use sltui::store::pg::PG_SCHEMA_VERSION;
use sltui::store::{PgStore, StoreRecord};

use super::pg_support::test_db;

fn call(id: u64, cadence: u64, secs: i64) -> Call {
    let at = chrono::DateTime::from_timestamp(1_700_000_000 + secs, 0).unwrap();
    serde_json::from_value(serde_json::json!({
        "id": id, "created_at": at, "updated_at": at,
        "cadence": {"id": cadence}, "step": {"id": 70}, "called_person": {"id": 5}
    }))
    .expect("a call")
}

fn template(id: u64, title: &str, secs: i64) -> EmailTemplate {
    let at = chrono::DateTime::from_timestamp(1_700_000_000 + secs, 0).unwrap();
    serde_json::from_value(serde_json::json!({
        "id": id, "title": title, "created_at": at, "updated_at": at
    }))
    .expect("a template")
}

/// The database as sltui's schema version 6 left it: calls and templates
/// without change numbers.
const BACK_TO_6: &str = "
    DROP TRIGGER calls_stamp ON sltui.calls;
    DROP TRIGGER calls_removal ON sltui.calls;
    DROP TRIGGER calls_inserted ON sltui.calls;
    DROP TRIGGER calls_updated ON sltui.calls;
    DROP TRIGGER email_templates_stamp ON sltui.email_templates;
    DROP TRIGGER email_templates_removal ON sltui.email_templates;
    DROP TRIGGER email_templates_inserted ON sltui.email_templates;
    DROP TRIGGER email_templates_updated ON sltui.email_templates;
    ALTER TABLE sltui.calls DROP COLUMN seq;
    ALTER TABLE sltui.email_templates DROP COLUMN seq;
    DELETE FROM sltui.schema_migrations WHERE version = 7;";

#[test]
fn calls_and_templates_take_change_numbers_also_on_an_upgraded_database() {
    let db = test_db();
    let mut admin = postgres::Client::connect(&db.url, postgres::NoTls).expect("admin");
    PgStore::connect(&db.url).expect("store connects");
    admin.batch_execute(BACK_TO_6).expect("back to version 6");
    // A version-6 hub wrote a call and a template.
    admin
        .batch_execute(
            "INSERT INTO sltui.calls (id, updated_us, seen, cadence_id, data)
               VALUES (1, 1, 1, 7, '{\"id\": 1}');
             INSERT INTO sltui.email_templates (id, updated_us, seen, data)
               VALUES (9, 1, 1, '{\"id\": 9, \"title\": \"Old\"}');",
        )
        .expect("rows written at version 6");

    // Upgraded in place by the next sltui that connects.
    let s = PgStore::connect(&db.url).expect("store connects");
    assert_eq!(s.schema_version().unwrap(), PG_SCHEMA_VERSION);
    let kept: Vec<(i64, i64)> = admin
        .query(
            "SELECT id, seq FROM sltui.calls UNION ALL SELECT id, seq FROM sltui.email_templates",
            &[],
        )
        .unwrap()
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect();
    assert_eq!(kept, vec![(1, 0), (9, 0)], "rows kept, numbered 0");

    let start = s.change_seq().unwrap();
    let mut listener = s.listen().unwrap();
    s.upsert_prepared(&Call::prepare(&[call(2, 7, 0)]), 1)
        .unwrap();
    let n = listener
        .wait(Duration::from_secs(10))
        .unwrap()
        .expect("the call is announced");
    assert!(n > start, "{n} > {start}");
    s.upsert_prepared(&EmailTemplate::prepare(&[template(9, "Renamed", 5)]), 1)
        .unwrap();
    let m = listener
        .wait(Duration::from_secs(10))
        .unwrap()
        .expect("the template is announced");
    assert!(m > n, "{m} > {n}");
    assert_eq!(s.change_seq().unwrap(), m, "change_seq counts them");
    let set = s.changes_after(start).unwrap();
    assert_eq!(set.calls, vec![call(2, 7, 0)], "the new call");
    assert_eq!(set.templates, vec![template(9, "Renamed", 5)]);
    assert_eq!(set.through, m);
    assert!(set.facts.is_empty() && set.people.is_empty());

    // The same versions again: no number, nothing announced.
    s.upsert_prepared(&Call::prepare(&[call(2, 7, 0)]), 2)
        .unwrap();
    s.upsert_prepared(&EmailTemplate::prepare(&[template(9, "Renamed", 5)]), 2)
        .unwrap();
    assert_eq!(listener.wait(Duration::from_millis(500)).unwrap(), None);
    assert!(s.changes_after(m).unwrap().is_empty());

    // A newer version of the old call, then a call removed (a full sync's sweep).
    s.upsert_prepared(&Call::prepare(&[call(1, 8, 9)]), 2)
        .unwrap();
    admin
        .execute("DELETE FROM sltui.calls WHERE id = 2", &[])
        .unwrap();
    let set = s.changes_after(m).unwrap();
    assert_eq!(set.calls, vec![call(1, 8, 9)]);
    assert_eq!(set.removed, vec![("calls".to_string(), 2)]);
    assert!(set.through > m);
}
