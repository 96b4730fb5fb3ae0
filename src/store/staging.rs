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
