//! Staged rows ([`super::staging`]) end up in their tables as direct writes would.

use super::Store;
use crate::api::models::{Membership, Person};
use crate::store::{PageMark, StoreRecord};

fn person(id: u64, second: u32, title: &str) -> Person {
    serde_json::from_value(serde_json::json!({
        "id": id,
        "created_at": "2024-05-01T09:00:00.000000-04:00",
        "updated_at": format!("2024-05-01T09:00:{second:02}.000000-04:00"),
        "first_name": "Ada",
        "title": title,
    }))
    .expect("a person")
}

fn mark(page: u32) -> PageMark {
    PageMark {
        idx: 0,
        page,
        count: 300,
        len: 2,
        first_at: None,
        last_at: None,
        last_ids: vec![u64::from(page)],
    }
}

#[test]
fn staged_rows_reach_their_table_as_direct_writes_would() {
    let mut staged = Store::open_in_memory().unwrap();
    let mut direct = Store::open_in_memory().unwrap();
    let g = staged.begin_full("people", None, None).unwrap().generation;
    direct.begin_full("people", None, None).unwrap();
    // A newer version staged before an older one, and a row already stored
    // newer than its staged version: neither older version wins.
    let pages = [
        vec![person(3, 20, "new"), person(1, 5, "one")],
        vec![person(3, 10, "old"), person(2, 7, "two")],
    ];
    direct.upsert(&[person(2, 9, "stored newer")], g).unwrap();
    staged.upsert(&[person(2, 9, "stored newer")], g).unwrap();
    for (i, rows) in pages.iter().enumerate() {
        let p = Person::prepare(rows);
        let m = mark(i as u32 + 1);
        staged
            .stage_pages_prepared(&[("people", &m, &p, g)])
            .unwrap();
        direct
            .save_pages_prepared(&[("people", &m, &p, g)])
            .unwrap();
    }
    // Staged: checkpoints saved, rows not yet in the table.
    assert_eq!(staged.pages("people").unwrap().len(), 2);
    assert_eq!(staged.count("people").unwrap(), 1);
    assert_eq!(staged.merge_staged().unwrap(), 4);
    assert_eq!(staged.merge_staged().unwrap(), 0, "nothing left staged");
    let titles = |s: &Store| -> Vec<(u64, Option<String>)> {
        s.people()
            .unwrap()
            .into_iter()
            .map(|p| (p.id, p.title))
            .collect()
    };
    assert_eq!(titles(&staged), titles(&direct));
    assert_eq!(
        titles(&staged),
        vec![
            (1, Some("one".into())),
            (2, Some("stored newer".into())),
            (3, Some("new".into())),
        ]
    );
}

#[test]
fn a_version_four_store_is_upgraded_in_place_and_stages() {
    use crate::store::schema::MIGRATIONS;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("v4.sqlite");
    {
        // A store as the previous sltui wrote it: schema 4, a person stored.
        let mut conn = rusqlite::Connection::open(&path).unwrap();
        let tx = conn.transaction().unwrap();
        for step in &MIGRATIONS[..4] {
            tx.execute_batch(&step()).unwrap();
        }
        tx.pragma_update(None, "user_version", 4).unwrap();
        tx.execute(
            "INSERT INTO people (id, updated_us, seen, data) VALUES (9, 1, 1, ?1)",
            [r#"{"id":9,"first_name":"Kept"}"#],
        )
        .unwrap();
        tx.commit().unwrap();
    }
    let mut store = Store::open(&path).unwrap();
    assert_eq!(store.schema_version().unwrap(), 5);
    assert_eq!(store.count("people").unwrap(), 1, "the rows stay");
    let g = store.begin_full("people", None, None).unwrap().generation;
    let p = Person::prepare(&[person(4, 1, "staged")]);
    store
        .stage_pages_prepared(&[("people", &mark(1), &p, g)])
        .unwrap();
    drop(store);
    // Reopened (as after a crash): the next full sync's start merges them.
    let mut store = Store::open(&path).unwrap();
    assert_eq!(store.count("people").unwrap(), 1);
    store.begin_full("people", None, None).unwrap();
    assert_eq!(store.count("people").unwrap(), 2);
    let ids: Vec<u64> = store.people().unwrap().iter().map(|p| p.id).collect();
    assert!(ids.contains(&4), "{ids:?}");
}

#[test]
fn staged_rows_keep_their_indexed_columns() {
    let mut store = Store::open_in_memory().unwrap();
    let m: Membership = serde_json::from_value(serde_json::json!({
        "id": 77,
        "created_at": "2024-05-01T09:00:00.000000-04:00",
        "updated_at": "2024-05-01T09:00:00.000000-04:00",
        "person": {"id": 5},
        "cadence": {"id": 9},
    }))
    .unwrap();
    let p = Membership::prepare(&[m]);
    store
        .stage_pages_prepared(&[("cadence_memberships", &mark(1), &p, 1)])
        .unwrap();
    store.merge_staged().unwrap();
    let got = store.cadence_memberships(9).unwrap();
    assert_eq!(got.iter().map(|m| m.id).collect::<Vec<_>>(), vec![77]);
}
