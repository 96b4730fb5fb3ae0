//! Writing records: idempotent upserts by id (an older version never replaces a
//! newer one), the rows' encoding, and the sweep of rows a full sync did not see.
//! Reading them back is [`super::reads`]; the first frame's sums, [`super::summary`].

use std::sync::Arc;

use chrono::{DateTime, TimeZone, Utc};
use rusqlite::{Transaction, params};
use serde::Serialize;

use super::{Store, StoreResult};
use crate::api::models::Timestamped;
use crate::api::models::{Cadence, Call, Email, EmailTemplate, Membership, Person, Step, User};
use crate::metrics::EmailFact;
use crate::metrics::email_fact;

/// A record the store keeps. Rows are [`prepare`](StoreRecord::prepare)d (encoded)
/// outside any lock, then written in one transaction.
pub trait StoreRecord: Sized {
    /// The table, also the resource's name in the sync checkpoints.
    const TABLE: &'static str;
    fn prepare(rows: &[Self]) -> Prepared;
}

/// Rows encoded for their table, ready to write.
#[derive(Debug, Clone)]
pub struct Prepared {
    pub(crate) kind: Kind,
}

#[derive(Debug, Clone)]
pub(crate) enum Kind {
    Json {
        table: &'static str,
        extra: &'static [&'static str],
        rows: Vec<JsonRow>,
    },
    Facts(Vec<EmailFact>),
}

#[derive(Debug, Clone)]
pub(crate) struct JsonRow {
    pub(crate) id: i64,
    pub(crate) updated_us: i64,
    pub(crate) data: String,
    pub(crate) extra: [Option<i64>; 2],
}

impl Prepared {
    pub fn len(&self) -> usize {
        match &self.kind {
            Kind::Json { rows, .. } => rows.len(),
            Kind::Facts(f) => f.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Upserts the rows inside `tx`, never replacing a row by an older version.
    pub(crate) fn write(&self, tx: &Transaction<'_>, generation: i64) -> rusqlite::Result<()> {
        match &self.kind {
            Kind::Facts(facts) => write_facts(tx, facts, generation),
            Kind::Json { table, extra, rows } => {
                let mut st = tx.prepare_cached(&upsert_sql(table, extra))?;
                for r in rows {
                    match extra.len() {
                        0 => st.execute(params![r.id, r.updated_us, generation, r.data])?,
                        1 => {
                            st.execute(params![r.id, r.updated_us, generation, r.data, r.extra[0]])?
                        }
                        _ => st.execute(params![
                            r.id,
                            r.updated_us,
                            generation,
                            r.data,
                            r.extra[0],
                            r.extra[1]
                        ])?,
                    };
                }
                Ok(())
            }
        }
    }
}

/// The columns beside `id, updated_us, seen, data` that a JSON-backed record
/// table keeps for its queries (its rows' `extra`, in this order); `None` for a
/// table that is not JSON-backed.
pub(crate) fn extra_columns(table: &str) -> Option<&'static [&'static str]> {
    Some(match table {
        "people" | "cadences" | "users" | "email_templates" => &[],
        "steps" | "calls" => &["cadence_id"],
        "memberships" => &["person_id", "cadence_id"],
        _ => return None,
    })
}

fn json_rows<T: Serialize>(
    table: &'static str,
    rows: &[T],
    key: impl Fn(&T) -> (u64, i64, [Option<i64>; 2]),
) -> Prepared {
    let extra = extra_columns(table).unwrap_or_default();
    let rows = rows
        .iter()
        .map(|r| {
            let (id, updated_us, extra) = key(r);
            JsonRow {
                id: id64(id),
                updated_us,
                data: compact(r),
                extra,
            }
        })
        .collect();
    Prepared {
        kind: Kind::Json { table, extra, rows },
    }
}

/// The record as compact JSON. The models skip their unset (`None`) fields when
/// serialized (`skip_serializing_if`) and read a missing field as `None`, so a stored
/// person takes a few hundred bytes.
pub(super) fn compact<T: Serialize>(row: &T) -> String {
    serde_json::to_string(row).unwrap_or_else(|_| "null".to_string())
}

/// The upsert of the JSON-backed tables; `extra` names the indexed columns.
fn upsert_sql(table: &str, extra: &[&str]) -> String {
    let mut cols = vec!["id", "updated_us", "seen", "data"];
    cols.extend_from_slice(extra);
    let marks: Vec<String> = (1..=cols.len()).map(|i| format!("?{i}")).collect();
    let mut set = vec![
        "seen = excluded.seen".to_string(),
        format!(
            "data = CASE WHEN excluded.updated_us >= {table}.updated_us THEN excluded.data ELSE {table}.data END"
        ),
    ];
    for c in extra {
        set.push(format!(
            "{c} = CASE WHEN excluded.updated_us >= {table}.updated_us THEN excluded.{c} ELSE {table}.{c} END"
        ));
    }
    set.push(format!(
        "updated_us = max({table}.updated_us, excluded.updated_us)"
    ));
    format!(
        "INSERT INTO {table} ({}) VALUES ({}) ON CONFLICT(id) DO UPDATE SET {}",
        cols.join(", "),
        marks.join(", "),
        set.join(", ")
    )
}

fn ref_id(r: &Option<crate::api::models::Ref>) -> Option<i64> {
    r.as_ref()
        .and_then(|r| r.id_u64())
        .and_then(|v| i64::try_from(v).ok())
}

pub(crate) fn id64(id: u64) -> i64 {
    i64::try_from(id).unwrap_or(i64::MAX)
}

impl StoreRecord for Person {
    const TABLE: &'static str = "people";
    fn prepare(rows: &[Self]) -> Prepared {
        json_rows(Self::TABLE, rows, |r| {
            (r.id, r.updated_at.timestamp_micros(), [None, None])
        })
    }
}

impl StoreRecord for Cadence {
    const TABLE: &'static str = "cadences";
    fn prepare(rows: &[Self]) -> Prepared {
        json_rows(Self::TABLE, rows, |r| {
            (r.id, r.updated_at.timestamp_micros(), [None, None])
        })
    }
}

impl StoreRecord for Step {
    const TABLE: &'static str = "steps";
    fn prepare(rows: &[Self]) -> Prepared {
        json_rows(Self::TABLE, rows, |r| {
            (
                r.id,
                r.updated_at.timestamp_micros(),
                [ref_id(&r.cadence), None],
            )
        })
    }
}

impl StoreRecord for Membership {
    const TABLE: &'static str = "memberships";
    fn prepare(rows: &[Self]) -> Prepared {
        json_rows(Self::TABLE, rows, |r| {
            (
                r.id,
                r.updated_at.timestamp_micros(),
                [ref_id(&r.person), ref_id(&r.cadence)],
            )
        })
    }
}

impl StoreRecord for User {
    const TABLE: &'static str = "users";
    fn prepare(rows: &[Self]) -> Prepared {
        json_rows(Self::TABLE, rows, |r| {
            (
                r.id,
                r.updated_at.map_or(0, |t| t.timestamp_micros()),
                [None, None],
            )
        })
    }
}

impl StoreRecord for Call {
    const TABLE: &'static str = "calls";
    fn prepare(rows: &[Self]) -> Prepared {
        json_rows(Self::TABLE, rows, |r| {
            (
                r.id,
                r.updated_at.timestamp_micros(),
                [ref_id(&r.cadence), None],
            )
        })
    }
}

impl StoreRecord for EmailTemplate {
    const TABLE: &'static str = "email_templates";
    fn prepare(rows: &[Self]) -> Prepared {
        json_rows(Self::TABLE, rows, |r| {
            (r.id, r.updated_at().timestamp_micros(), [None, None])
        })
    }
}

impl StoreRecord for Email {
    const TABLE: &'static str = "email_facts";
    fn prepare(rows: &[Self]) -> Prepared {
        Prepared {
            kind: Kind::Facts(rows.iter().map(email_fact).collect()),
        }
    }
}

fn write_facts(tx: &Transaction<'_>, facts: &[EmailFact], generation: i64) -> rusqlite::Result<()> {
    let mut st = tx.prepare_cached(
        "INSERT INTO email_facts (id, updated_us, seen, cadence_id, step_id, flags, sent_at,
                                  template_id, person_id)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
         ON CONFLICT(id) DO UPDATE SET
           seen = excluded.seen,
           cadence_id = CASE WHEN excluded.updated_us >= email_facts.updated_us
                        THEN excluded.cadence_id ELSE email_facts.cadence_id END,
           step_id = CASE WHEN excluded.updated_us >= email_facts.updated_us
                     THEN excluded.step_id ELSE email_facts.step_id END,
           flags = CASE WHEN excluded.updated_us >= email_facts.updated_us
                   THEN excluded.flags ELSE email_facts.flags END,
           sent_at = CASE WHEN excluded.updated_us >= email_facts.updated_us
                     THEN excluded.sent_at ELSE email_facts.sent_at END,
           template_id = CASE WHEN excluded.updated_us >= email_facts.updated_us
                         THEN excluded.template_id ELSE email_facts.template_id END,
           person_id = CASE WHEN excluded.updated_us >= email_facts.updated_us
                       THEN excluded.person_id ELSE email_facts.person_id END,
           updated_us = max(email_facts.updated_us, excluded.updated_us)",
    )?;
    for f in facts {
        let flags = i64::from(f.flags());
        st.execute(params![
            id64(f.email_id),
            f.updated_at.timestamp_micros(),
            generation,
            f.cadence_id.map(id64),
            f.step_id.map(id64),
            flags,
            f.sent_at.map(|t| t.timestamp_micros()),
            f.template_id.map(id64),
            f.person_id.map(id64),
        ])?;
    }
    Ok(())
}

pub(crate) fn utc_micros(us: i64) -> DateTime<Utc> {
    Utc.timestamp_micros(us).single().unwrap_or_default()
}

/// [`Person::label`](crate::api::models::Person::label) from the stored columns.
pub(crate) fn person_label(
    id: u64,
    display: Option<String>,
    first: Option<String>,
    last: Option<String>,
    email: Option<&str>,
) -> String {
    if let Some(d) = display.filter(|s| !s.is_empty()) {
        return d;
    }
    let full = [first, last]
        .into_iter()
        .flatten()
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    if !full.is_empty() {
        return full;
    }
    email.map_or_else(|| format!("person {id}"), str::to_string)
}

/// SQLite's page cache while a full sync writes, in KiB (SQLite's default: 2,000).
const BULK_CACHE_KIB: i64 = 65_536;
/// How many pages the write-ahead log may hold before SQLite copies it into the
/// database, while a full sync writes (SQLite's default: 1,000, about 4 MB).
const BULK_WAL_PAGES: i64 = 65_536;

impl Store {
    /// While a full sync writes pages (`on`): a page cache that holds the tables being
    /// filled, so upserts whose ids arrive in no order find their pages in memory
    /// instead of spilling them and reading them back; and the write-ahead log copied
    /// into the database once at the end (up to 256 MB of log) rather than every 4 MB,
    /// which copies each page once instead of once per few commits. Every commit is as
    /// durable as before (the log is the database until it is copied). When done
    /// (`!on`), SQLite's defaults come back and the log is copied.
    pub fn bulk_writes(&mut self, on: bool) -> StoreResult<()> {
        let sql = if on {
            format!(
                "PRAGMA cache_size = -{BULK_CACHE_KIB}; \
                 PRAGMA wal_autocheckpoint = {BULK_WAL_PAGES};"
            )
        } else {
            // The passive checkpoint copies what the log holds without waiting for
            // readers (one on an older snapshot leaves the rest to a later one); the
            // log file is cut to 8 MB when it starts over.
            "PRAGMA cache_size = -2000; PRAGMA wal_autocheckpoint = 1000; \
             PRAGMA journal_size_limit = 8388608; PRAGMA wal_checkpoint(PASSIVE);"
                .to_string()
        };
        self.conn.execute_batch(&sql).map_err(|e| self.sql(e))
    }

    /// A passive checkpoint on a connection of its own, to run on another thread
    /// while this connection is busy (a full sync's merge of its staged rows): it
    /// copies the log written so far into the file, so the checkpoint that ends
    /// the sync ([`Store::bulk_writes`]) has only the merge's pages left to copy.
    /// It needs no lock on this store. `None` for an in-memory store. Failures
    /// are only logged: the final checkpoint copies whatever this one did not.
    pub fn checkpoint_aside(&self) -> Option<Arc<dyn Fn() + Send + Sync>> {
        if self.path.as_os_str() == super::IN_MEMORY {
            return None;
        }
        let path = self.path.clone();
        Some(Arc::new(move || {
            let flags = rusqlite::OpenFlags::SQLITE_OPEN_READ_WRITE
                | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX;
            let done = rusqlite::Connection::open_with_flags(&path, flags).and_then(|c| {
                c.busy_timeout(super::BUSY_TIMEOUT)?;
                c.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(()))
            });
            if let Err(e) = done {
                tracing::warn!(error = %e, "the checkpoint beside the sync's merge failed");
            }
        }))
    }

    /// Upserts a batch in one transaction (see [`StoreRecord`]).
    pub fn upsert<T: StoreRecord>(&mut self, rows: &[T], generation: i64) -> StoreResult<()> {
        self.upsert_prepared(&T::prepare(rows), generation)
    }

    /// Writes rows encoded beforehand (so a shared store is locked only to write).
    pub fn upsert_prepared(&mut self, rows: &Prepared, generation: i64) -> StoreResult<()> {
        self.in_tx(|tx| rows.write(tx, generation))
    }

    /// Upserts email facts directly (e.g. from the worker's engagement loads).
    pub fn upsert_email_facts(&mut self, facts: &[EmailFact], generation: i64) -> StoreResult<()> {
        self.in_tx(|tx| write_facts(tx, facts, generation))
    }

    /// Removes rows of `table` a finished full sync of generation `generation`
    /// did not see (they were deleted upstream). Returns how many.
    pub(crate) fn sweep(&mut self, table: &str, generation: i64) -> StoreResult<u64> {
        if !TABLES.contains(&table) {
            return Ok(0);
        }
        self.conn
            .execute(
                &format!("DELETE FROM {table} WHERE seen < ?1"),
                [generation],
            )
            .map(|n| n as u64)
            .map_err(|e| self.sql(e))
    }
}

/// The record tables, by resource.
pub const TABLES: &[&str] = &[
    "people",
    "cadences",
    "steps",
    "memberships",
    "users",
    "email_facts",
    "calls",
    "email_templates",
];
