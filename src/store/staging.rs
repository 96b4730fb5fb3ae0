//! Staged rows: how a full sync's pages are written cheaply and still each with
//! its checkpoint in one transaction.
//!
//! A full sync reads records sorted by `updated_at`, so their ids arrive in no
//! order: upserting a page's 100 rows straight into its table touches up to 100
//! different 4 KB pages of the table, and every commit writes each of them to the
//! write-ahead log again (at 100,000 people, about 400 MB of log for 40 MB of
//! rows). Instead, the engine's writer appends each page's rows to `sync_rows`
//! (in arrival order, so a commit touches only the table's last page or two)
//! together with the page's checkpoint ([`Store::stage_pages_prepared`]), and
//! [`Store::merge_staged`] later moves
//! every staged row into its table in one transaction, sorted by id, with the
//! same upsert as a direct write (an older version never replaces a newer one).
//!
//! The merge runs when the writer is idle, when it stops (the end of a sync, or
//! Ctrl-C), when a full sync finishes (before rows it did not see are removed)
//! and when one begins (rows a crash left staged). Until then staged rows are
//! stored (a resumed sync does not read their pages again) but not yet visible
//! to the tables' readers.

use rusqlite::{Transaction, params};

use super::records::{JsonRow, Kind, Prepared, TABLES, extra_columns};
use super::{Store, StoreResult};

impl Prepared {
    /// Appends the rows to `sync_rows` inside `tx` (email facts, which have
    /// columns of their own and triggers, are written to their table directly).
    pub(crate) fn stage(&self, tx: &Transaction<'_>, generation: i64) -> rusqlite::Result<()> {
        let Kind::Json { table, rows, .. } = &self.kind else {
            return self.write(tx, generation);
        };
        let mut st = tx.prepare_cached(
            "INSERT INTO sync_rows (tbl, id, updated_us, seen, data, x1, x2)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        )?;
        for JsonRow {
            id,
            updated_us,
            data,
            extra,
        } in rows
        {
            st.execute(params![
                table, id, updated_us, generation, data, extra[0], extra[1]
            ])?;
        }
        Ok(())
    }
}

/// The merge of one table's staged rows: sorted by id (the table's pages are
/// visited in order, each once), oldest version first, each row upserted as
/// [`Prepared::write`] does; `seen` keeps the newest generation.
fn merge_sql(table: &str, extra: &[&str]) -> String {
    let mut cols = vec!["id", "updated_us", "seen", "data"];
    cols.extend_from_slice(extra);
    let mut picks = vec!["id", "updated_us", "seen", "data"];
    picks.extend_from_slice(&["x1", "x2"][..extra.len()]);
    let newer = format!("excluded.updated_us >= {table}.updated_us");
    let mut set = vec![
        format!("seen = max({table}.seen, excluded.seen)"),
        format!("data = CASE WHEN {newer} THEN excluded.data ELSE {table}.data END"),
    ];
    for c in extra {
        set.push(format!(
            "{c} = CASE WHEN {newer} THEN excluded.{c} ELSE {table}.{c} END"
        ));
    }
    set.push(format!(
        "updated_us = max({table}.updated_us, excluded.updated_us)"
    ));
    format!(
        "INSERT INTO {table} ({}) SELECT {} FROM sync_rows WHERE tbl = ?1 \
         ORDER BY id, updated_us ON CONFLICT(id) DO UPDATE SET {}",
        cols.join(", "),
        picks.join(", "),
        set.join(", ")
    )
}

/// Moves every staged row into its table and empties `sync_rows`, inside `tx`.
/// Returns how many rows were staged.
pub(super) fn merge(tx: &Transaction<'_>) -> rusqlite::Result<u64> {
    let tables: Vec<String> = {
        let mut st = tx.prepare_cached("SELECT DISTINCT tbl FROM sync_rows")?;
        st.query_map([], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?
    };
    if tables.is_empty() {
        return Ok(0);
    }
    for table in &tables {
        // Only ever staged by this build's own record tables.
        let Some(table) = TABLES.iter().find(|t| *t == table) else {
            continue;
        };
        let Some(extra) = extra_columns(table) else {
            continue;
        };
        tx.execute(&merge_sql(table, extra), [table])?;
    }
    let staged = tx.execute("DELETE FROM sync_rows", [])?;
    Ok(staged as u64)
}

impl Store {
    /// Moves every staged row into its table, in one transaction. Returns how
    /// many rows were staged.
    pub fn merge_staged(&mut self) -> StoreResult<u64> {
        self.in_tx(merge)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
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
}
