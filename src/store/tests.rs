use chrono::DateTime;

use super::*;
use crate::api::CursorPosition;
use crate::api::models::{Cadence, Email, Membership, Person, Step, User};

fn person(id: u64, updated: &str, first: &str) -> Person {
    serde_json::from_value(serde_json::json!({
        "id": id,
        "created_at": "2024-01-01T09:00:00.000000-04:00",
        "updated_at": updated,
        "first_name": first,
        "last_name": "Lovelace",
        "email_address": format!("p{id}@example.com"),
        "title": null,
        "tags": ["vip"],
        "custom_fields": {"tier": "gold"},
        "counts": {"emails_sent": 3, "emails_viewed": 1},
        "owner": {"_href": "https://api.salesloft.com/v2/users/7", "id": 7},
        "cadences": [{"id": 5}]
    }))
    .expect("person json")
}

#[test]
fn a_fresh_file_is_migrated_and_reopens() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("nested").join("p.sqlite");
    let store = Store::open(&path).expect("opens a new file");
    assert_eq!(store.schema_version().unwrap(), SCHEMA_VERSION);
    drop(store);
    let store = Store::open(&path).expect("reopens");
    assert_eq!(store.schema_version().unwrap(), SCHEMA_VERSION);
    assert_eq!(store.count("people").unwrap(), 0);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o077, 0, "the store is private: {mode:o}");
    }
}

#[test]
fn records_round_trip_and_older_versions_never_win() {
    let mut store = Store::open_in_memory().unwrap();
    let p = person(1, "2024-03-01T10:00:00.123456-04:00", "Ada");
    store.upsert(std::slice::from_ref(&p), 1).unwrap();
    assert_eq!(store.people().unwrap(), vec![p.clone()]);

    // The same id again, older: ignored; newer: replaces; repeated: idempotent.
    let older = person(1, "2024-02-01T10:00:00.000000-04:00", "Old");
    store.upsert(&[older], 1).unwrap();
    assert_eq!(
        store.people().unwrap()[0].first_name.as_deref(),
        Some("Ada")
    );
    let newer = person(1, "2024-04-01T10:00:00.000001+02:00", "Grace");
    store.upsert(&[newer.clone(), newer.clone()], 1).unwrap();
    assert_eq!(store.people().unwrap(), vec![newer]);
    assert_eq!(store.count("people").unwrap(), 1);
}

#[test]
fn every_resource_round_trips() {
    let mut store = Store::open_in_memory().unwrap();
    let cadence: Cadence = serde_json::from_value(serde_json::json!({
        "id": 5, "created_at": "2024-01-01T00:00:00Z", "updated_at": "2024-01-02T00:00:00Z",
        "name": "Q1 outbound", "current_state": "active", "archived": false,
        "counts": {"cadence_people": null, "meetings_booked": 2}
    }))
    .unwrap();
    let step: Step = serde_json::from_value(serde_json::json!({
        "id": 50, "created_at": "2024-01-01T00:00:00Z", "updated_at": "2024-01-02T00:00:00Z",
        "type": "email", "name": "Intro", "day": 1, "step_number": 1,
        "cadence": {"_href": "https://api.salesloft.com/v2/cadences/5", "id": 5}
    }))
    .unwrap();
    let membership: Membership = serde_json::from_value(serde_json::json!({
        "id": 500, "created_at": "2024-01-01T00:00:00Z", "updated_at": "2024-01-02T00:00:00Z",
        "current_state": "active", "currently_on_cadence": true,
        "cadence": {"id": 5}, "person": {"id": 1}, "counts": {"views": 2}
    }))
    .unwrap();
    let email: Email = serde_json::from_value(serde_json::json!({
        "id": 9000, "created_at": "2024-01-01T00:00:00Z",
        "updated_at": "2024-01-03T00:00:00.654321Z", "status": "sent", "bounced": true,
        "sent_at": "2024-01-02T10:00:00.000001Z", "counts": {"views": 1, "replies": 2},
        "cadence": {"id": 5}, "step": {"id": 50}
    }))
    .unwrap();
    store.upsert(std::slice::from_ref(&cadence), 1).unwrap();
    store.upsert(std::slice::from_ref(&step), 1).unwrap();
    store.upsert(std::slice::from_ref(&membership), 1).unwrap();
    store.upsert(std::slice::from_ref(&email), 1).unwrap();
    assert_eq!(store.cadences().unwrap(), vec![cadence]);
    assert_eq!(store.steps().unwrap(), vec![step]);
    assert_eq!(store.memberships().unwrap(), vec![membership.clone()]);
    assert_eq!(store.cadence_memberships(5).unwrap(), vec![membership]);
    assert!(store.cadence_memberships(6).unwrap().is_empty());
    let facts = store.email_facts().unwrap();
    assert_eq!(facts, vec![crate::metrics::email_fact(&email)]);
    let data = store.dashboard_data().unwrap();
    assert_eq!((data.cadences.len(), data.email_facts.len()), (1, 1));
}

#[test]
fn a_full_sync_into_an_empty_table_has_nothing_to_sweep_and_the_next_one_sweeps() {
    let mut store = Store::open_in_memory().unwrap();
    let high = DateTime::parse_from_rfc3339("2024-05-01T10:00:00Z").unwrap();
    let end = CursorPosition::since(high);
    let st = store.begin_full("people", Some(high), Some(2)).unwrap();
    let rows = [
        person(1, "2024-05-01T10:00:00Z", "A"),
        person(2, "2024-05-01T10:00:00Z", "B"),
    ];
    store.upsert(&rows, st.generation).unwrap();
    let key = "full_sync_began_empty:people";
    assert_eq!(store.meta(key).unwrap(), Some(st.generation.to_string()));
    assert_eq!(store.finish_full("people", "people", &end).unwrap(), 0);
    assert_eq!(
        store.meta(key).unwrap(),
        None,
        "the mark goes with the sync"
    );
    assert_eq!(store.count("people").unwrap(), 2);
    // Not empty now: the next full sync removes what it does not see.
    let st = store.begin_full("people", Some(high), Some(1)).unwrap();
    assert_eq!(store.meta(key).unwrap(), None);
    store.upsert(&rows[1..], st.generation).unwrap();
    assert_eq!(store.finish_full("people", "people", &end).unwrap(), 1);
    assert_eq!(store.count("people").unwrap(), 1);
}

#[test]
fn checkpoints_survive_reopening_and_finishing_sweeps_unseen_rows() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("c.sqlite");
    let mut store = Store::open(&path).unwrap();
    store
        .upsert(&[person(1, "2024-01-01T00:00:00Z", "Gone")], 0)
        .unwrap();
    let high = DateTime::parse_from_rfc3339("2024-05-01T10:00:00.000007-04:00").unwrap();
    let st = store.begin_full("people", Some(high), Some(2)).unwrap();
    assert_eq!(st.generation, 1);
    let mark = PageMark {
        idx: 0,
        page: 1,
        count: 2,
        len: 2,
        first_at: Some(high),
        last_at: Some(high),
        last_ids: vec![2, 3],
    };
    let rows = [
        person(2, "2024-05-01T10:00:00.000007-04:00", "A"),
        person(3, "2024-05-01T10:00:00.000007-04:00", "B"),
    ];
    store
        .save_page("people", &mark, &rows, st.generation)
        .unwrap();
    let next = CursorPosition {
        after: Some(high),
        seen_at_boundary: vec![2, 3],
    };
    store.add_window("people", 1, &next).unwrap();
    drop(store);

    let mut store = Store::open(&path).unwrap();
    let st = store.resource_state("people").unwrap();
    assert!(st.full_running());
    assert_eq!((st.high_water, st.expected), (Some(high), Some(2)));
    assert_eq!(store.pages("people").unwrap(), vec![mark]);
    let wins = store.windows("people").unwrap();
    assert_eq!(wins.len(), 2);
    assert_eq!(wins[1].start, next);
    let removed = store
        .finish_full("people", "people", &CursorPosition::since(high))
        .unwrap();
    assert_eq!(removed, 1, "person 1 was not seen by the full sync");
    assert_eq!(store.count("people").unwrap(), 2);
    let st = store.resource_state("people").unwrap();
    assert!(!st.full_running());
    assert_eq!(st.cursor, Some(CursorPosition::since(high)));
    assert!(store.windows("people").unwrap().is_empty());
    assert!(store.last_synced_at().unwrap().is_some());
}

#[test]
fn the_checkpoint_aside_copies_the_log_while_the_store_keeps_writing() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("c.sqlite");
    let mut store = Store::open(&path).unwrap();
    assert!(
        Store::open_in_memory()
            .unwrap()
            .checkpoint_aside()
            .is_none(),
        "an in-memory store has no file to copy into"
    );
    let aside = store.checkpoint_aside().expect("a file-backed store");
    store.bulk_writes(true).unwrap();
    let rows: Vec<Person> = (1..=3_000)
        .map(|i| person(i, "2024-05-01T09:00:00.000000-04:00", "Ada"))
        .collect();
    store.upsert(&rows, 1).unwrap();
    let file_len = || std::fs::metadata(&path).unwrap().len();
    let before = file_len();
    // The store's own connection is inside a write transaction meanwhile (as
    // during a merge): the checkpoint on its own connection still copies what
    // was committed.
    let tx = store.conn.unchecked_transaction().unwrap();
    tx.execute_batch("DELETE FROM people WHERE id <= 10")
        .unwrap();
    std::thread::spawn(move || aside()).join().unwrap();
    tx.commit().unwrap();
    assert!(
        file_len() > before + 100_000,
        "the committed pages were copied into the file: {before} -> {}",
        file_len()
    );
    store.bulk_writes(false).unwrap();
    drop(store);
    let store = Store::open(&path).unwrap();
    assert_eq!(store.count("people").unwrap(), 2_990);
}

#[test]
fn bulk_writes_tune_the_connection_and_give_it_back() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("b.sqlite");
    let mut store = Store::open(&path).unwrap();
    let pragma = |s: &Store, name: &str| -> i64 {
        s.conn
            .query_row(&format!("PRAGMA {name}"), [], |r| r.get(0))
            .unwrap()
    };
    store.bulk_writes(true).unwrap();
    assert_eq!(pragma(&store, "cache_size"), -65_536);
    assert_eq!(pragma(&store, "wal_autocheckpoint"), 65_536);
    let rows: Vec<Person> = (1..=3_000)
        .map(|i| person(i * 7_919 % 3_001, "2024-05-01T09:00:00.000000-04:00", "Ada"))
        .collect();
    store.upsert(&rows, 1).unwrap();
    store.bulk_writes(false).unwrap();
    assert_eq!(pragma(&store, "cache_size"), -2_000);
    assert_eq!(pragma(&store, "wal_autocheckpoint"), 1_000);
    assert_eq!(pragma(&store, "journal_size_limit"), 8_388_608);
    drop(store);
    // What was written with the log left uncopied is all there after reopening.
    let store = Store::open(&path).unwrap();
    assert_eq!(store.count("people").unwrap(), 3_000);
    assert_eq!(store.people().unwrap().len(), 3_000);
}

#[test]
fn a_file_that_is_not_a_database_is_refused_and_left_alone() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.sqlite");
    let junk = b"this is not sqlite at all, just some text that a user saved here\n".repeat(100);
    std::fs::write(&path, &junk).unwrap();
    let err = Store::open(&path).expect_err("junk is refused");
    assert!(matches!(err, StoreError::Corrupt { .. }), "{err:?}");
    let text = err.to_string();
    assert!(text.contains("bad.sqlite"), "{text}");
    assert!(text.contains("move it aside"), "{text}");
    assert_eq!(std::fs::read(&path).unwrap(), junk, "the file is untouched");
}

#[test]
fn a_damaged_database_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("torn.sqlite");
    {
        let mut store = Store::open(&path).unwrap();
        let rows: Vec<Person> = (1..=2000)
            .map(|i| person(i, "2024-01-01T00:00:00Z", "X"))
            .collect();
        store.upsert(&rows, 1).unwrap();
        store
            .conn
            .execute_batch("PRAGMA wal_checkpoint(TRUNCATE);")
            .unwrap();
    }
    // Overwrite the middle of the file (table pages) with garbage.
    let mut bytes = std::fs::read(&path).unwrap();
    let mid = bytes.len() / 2;
    for b in &mut bytes[mid..mid + 8192] {
        *b = 0xA5;
    }
    std::fs::write(&path, &bytes).unwrap();
    let _ = std::fs::remove_file(dir.path().join("torn.sqlite-wal"));
    let err = match Store::open(&path) {
        Err(e) => e,
        Ok(store) => store.people().expect_err("reading a torn table fails"),
    };
    assert!(
        matches!(err, StoreError::Corrupt { .. } | StoreError::Sql { .. }),
        "{err:?}"
    );
    assert!(err.to_string().contains("torn.sqlite"), "{err}");
}

#[test]
fn a_newer_schema_or_a_foreign_database_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let newer = dir.path().join("newer.sqlite");
    {
        let c = rusqlite::Connection::open(&newer).unwrap();
        c.pragma_update(None, "user_version", SCHEMA_VERSION + 5)
            .unwrap();
    }
    let err = Store::open(&newer).unwrap_err();
    assert!(matches!(err, StoreError::TooNew { .. }), "{err:?}");
    assert!(err.to_string().contains("newer sltui"), "{err}");

    let foreign = dir.path().join("foreign.sqlite");
    {
        let c = rusqlite::Connection::open(&foreign).unwrap();
        c.execute_batch("CREATE TABLE notes (x TEXT);").unwrap();
    }
    let err = Store::open(&foreign).unwrap_err();
    assert!(matches!(err, StoreError::Corrupt { .. }), "{err:?}");
}

#[test]
fn a_hundred_thousand_rows_go_in_one_batch() {
    let mut store = Store::open_in_memory().unwrap();
    let base = person(1, "2024-01-01T00:00:00Z", "Bulk");
    let rows: Vec<Person> = (1..=100_000u64)
        .map(|id| Person { id, ..base.clone() })
        .collect();
    store.upsert(&rows, 1).unwrap();
    assert_eq!(store.count("people").unwrap(), 100_000);
    store.upsert(&rows[..10], 2).unwrap();
    assert_eq!(store.sweep("people", 2).unwrap(), 99_990);
}

#[test]
fn stored_records_carry_no_null_members_and_read_back_the_same() {
    // Only the required fields: every optional one is unset.
    let t = "2024-01-01T00:00:00Z";
    let base = serde_json::json!({"id": 9, "created_at": t, "updated_at": t});
    fn check<T>(value: &serde_json::Value)
    where
        T: serde::Serialize + serde::de::DeserializeOwned + PartialEq + std::fmt::Debug,
    {
        let row: T = serde_json::from_value(value.clone()).expect("minimal json");
        let text = super::records::compact(&row);
        assert!(!text.contains("null"), "{text}");
        assert_eq!(serde_json::from_str::<T>(&text).unwrap(), row, "{text}");
    }
    check::<Person>(&base);
    check::<Cadence>(&base);
    check::<Step>(&base);
    check::<Membership>(&base);
    check::<Email>(&base);
    check::<User>(&serde_json::json!({"id": 9}));
    // Set fields stay, nulls sent by the API are dropped (read back as `None`).
    let mut p = person(1, t, "Ada");
    p.title = None;
    let text = super::records::compact(&p);
    assert!(
        text.contains(r#""first_name":"Ada""#) && !text.contains("title"),
        "{text}"
    );
    assert_eq!(serde_json::from_str::<Person>(&text).unwrap(), p);
}

#[test]
fn the_start_read_lists_people_as_their_label_and_streams_every_fact() {
    let mut store = Store::open_in_memory().unwrap();
    let mut rows: Vec<Person> = (1..=3)
        .map(|i| person(i, "2024-01-01T00:00:00Z", "Ada"))
        .collect();
    rows[1].display_name = Some("The Countess".into());
    rows[1].person_company_name = Some("Analytical Engines".into());
    rows[1].title = Some("CTO".into());
    rows[2].first_name = None;
    rows[2].last_name = Some(String::new());
    store.upsert(&rows, 1).unwrap();
    let email: Email = serde_json::from_value(serde_json::json!({
        "id": 77, "created_at": "2024-01-01T00:00:00Z", "updated_at": "2024-01-02T00:00:00Z",
        "status": "sent", "counts": {"views": 1}, "cadence": {"id": 5}, "step": {"id": 50}
    }))
    .unwrap();
    store.upsert(std::slice::from_ref(&email), 1).unwrap();

    let mut facts = Vec::new();
    let (data, _) = store.dashboard_summary(None).unwrap();
    let people = store.person_rows().unwrap();
    store.for_each_email_fact(|f| facts.push(f)).unwrap();
    assert!(data.people.is_empty() && data.email_facts.is_empty());
    assert_eq!(facts, store.email_facts().unwrap());
    assert_eq!(facts.len(), 1);
    let full = store.people().unwrap();
    assert_eq!(people.len(), full.len());
    for (row, p) in people.iter().zip(&full) {
        assert_eq!(row.id, p.id);
        assert_eq!(row.name, p.label());
        assert_eq!(row.email, p.email_address.clone().unwrap_or_default());
        assert_eq!(
            row.company,
            p.person_company_name.clone().unwrap_or_default()
        );
        assert_eq!(row.title, p.title.clone().unwrap_or_default());
    }
    assert_eq!(people[0].name, "Ada Lovelace");
    assert_eq!(people[1].name, "The Countess");
    assert_eq!(people[1].company, "Analytical Engines");
    assert_eq!(people[2].name, "p3@example.com");
}
