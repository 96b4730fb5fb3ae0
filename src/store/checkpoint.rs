//! The sync engine's checkpoints: per resource, the running full sync (its high
//! water mark, windows and pages read) or the incremental cursor. Records and the
//! checkpoint that covers them are written in one transaction, so after a crash or
//! Ctrl-C the next run continues exactly where the store says, re-reading nothing
//! it already holds.

use chrono::{DateTime, FixedOffset, Utc};
use rusqlite::{OptionalExtension, params};

use super::records::{Prepared, StoreRecord};
use super::{Store, StoreResult};
use crate::api::CursorPosition;

type Time = DateTime<FixedOffset>;

/// Where one resource's sync stands.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ResourceState {
    pub resource: String,
    /// Generation of the current (or last) full sync; rows carry the one that saw them.
    pub generation: i64,
    /// A full sync in progress reads everything updated at or before this instant.
    pub high_water: Option<Time>,
    /// Records the running full sync expects (from the server's count).
    pub expected: Option<u64>,
    /// The incremental cursor, once a full sync finished.
    pub cursor: Option<CursorPosition>,
    pub full_done_at: Option<DateTime<Utc>>,
    pub synced_at: Option<DateTime<Utc>>,
}

impl ResourceState {
    /// A full sync is under way (started, not finished).
    pub fn full_running(&self) -> bool {
        self.high_water.is_some()
    }
}

/// A window of a running full sync.
#[derive(Debug, Clone, PartialEq)]
pub struct WindowMark {
    pub idx: u32,
    pub start: CursorPosition,
    pub done: bool,
}

/// A page read in a window.
#[derive(Debug, Clone, PartialEq)]
pub struct PageMark {
    pub idx: u32,
    pub page: u32,
    /// The window's `total_count` when this page was read (`u64::MAX`: not sent).
    pub count: u64,
    /// Records on the page.
    pub len: u32,
    pub first_at: Option<Time>,
    pub last_at: Option<Time>,
    /// Ids of the page's records at `last_at`.
    pub last_ids: Vec<u64>,
}

fn parse_time(s: Option<String>) -> Option<Time> {
    s.and_then(|s| DateTime::parse_from_rfc3339(&s).ok())
}

fn fmt_time(t: &Option<Time>) -> Option<String> {
    t.map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Micros, false))
}

fn utc(s: Option<String>) -> Option<DateTime<Utc>> {
    parse_time(s).map(|t| t.with_timezone(&Utc))
}

fn cursor_json(c: &CursorPosition) -> String {
    serde_json::to_string(c).unwrap_or_else(|_| "{}".into())
}

fn now_text() -> String {
    Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Micros, true)
}

impl Store {
    /// The state of `resource` (a fresh one when never synced).
    pub fn resource_state(&self, resource: &str) -> StoreResult<ResourceState> {
        let row = self
            .conn
            .query_row(
                "SELECT generation, high_water, expected, cursor, full_done_at, synced_at
                 FROM sync_state WHERE resource = ?1",
                [resource],
                |r| {
                    Ok((
                        r.get::<_, i64>(0)?,
                        r.get::<_, Option<String>>(1)?,
                        r.get::<_, Option<i64>>(2)?,
                        r.get::<_, Option<String>>(3)?,
                        r.get::<_, Option<String>>(4)?,
                        r.get::<_, Option<String>>(5)?,
                    ))
                },
            )
            .optional()
            .map_err(|e| self.sql(e))?;
        let Some((generation, high, expected, cursor, full_done, synced)) = row else {
            return Ok(ResourceState {
                resource: resource.to_string(),
                ..ResourceState::default()
            });
        };
        Ok(ResourceState {
            resource: resource.to_string(),
            generation,
            high_water: parse_time(high),
            expected: expected.map(|n| n.max(0) as u64),
            cursor: cursor.and_then(|c| serde_json::from_str(&c).ok()),
            full_done_at: utc(full_done),
            synced_at: utc(synced),
        })
    }

    fn put_state(tx: &rusqlite::Transaction<'_>, s: &ResourceState) -> rusqlite::Result<()> {
        let ts = |t: &Option<DateTime<Utc>>| {
            t.map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Micros, true))
        };
        tx.execute(
            "INSERT INTO sync_state (resource, generation, high_water, expected, cursor,
                                     full_done_at, synced_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
             ON CONFLICT(resource) DO UPDATE SET generation = excluded.generation,
               high_water = excluded.high_water, expected = excluded.expected,
               cursor = excluded.cursor, full_done_at = excluded.full_done_at,
               synced_at = excluded.synced_at",
            params![
                s.resource,
                s.generation,
                fmt_time(&s.high_water),
                s.expected.map(|n| n as i64),
                s.cursor.as_ref().map(cursor_json),
                ts(&s.full_done_at),
                ts(&s.synced_at),
            ],
        )?;
        Ok(())
    }

    /// Starts a full sync of `resource` (a new generation): everything updated at
    /// or before `high_water` is to be read, from window 0 at the very start.
    /// `high_water` `None`: the resource is empty, nothing to read.
    pub fn begin_full(
        &mut self,
        resource: &str,
        high_water: Option<Time>,
        expected: Option<u64>,
    ) -> StoreResult<ResourceState> {
        let mut state = self.resource_state(resource)?;
        state.generation += 1;
        state.high_water = high_water;
        state.expected = expected;
        let generation = state.generation;
        self.in_tx(|tx| {
            // Rows a stopped sync left staged belong to the generation before.
            super::staging::merge(tx)?;
            // Into an empty table, every row the sync writes is of its generation:
            // its end has nothing to sweep (and skips reading the whole table).
            let began_empty = match table_of(resource) {
                Some(t) => {
                    !tx.query_row(&format!("SELECT EXISTS (SELECT 1 FROM {t})"), [], |r| {
                        r.get::<_, bool>(0)
                    })?
                }
                None => false,
            };
            let key = began_empty_key(resource);
            if began_empty {
                tx.execute(
                    "INSERT OR REPLACE INTO meta (key, value) VALUES (?1, ?2)",
                    params![key, generation.to_string()],
                )?;
            } else {
                tx.execute("DELETE FROM meta WHERE key = ?1", [&key])?;
            }
            tx.execute("DELETE FROM sync_windows WHERE resource = ?1", [resource])?;
            tx.execute("DELETE FROM sync_pages WHERE resource = ?1", [resource])?;
            if high_water.is_some() {
                tx.execute(
                    "INSERT INTO sync_windows (resource, idx, start) VALUES (?1, 0, ?2)",
                    params![resource, cursor_json(&CursorPosition::start())],
                )?;
            }
            Store::put_state(tx, &state)
        })?;
        Ok(state)
    }

    pub fn windows(&self, resource: &str) -> StoreResult<Vec<WindowMark>> {
        let mut st = self
            .conn
            .prepare("SELECT idx, start, done FROM sync_windows WHERE resource = ?1 ORDER BY idx")
            .map_err(|e| self.sql(e))?;
        let rows = st
            .query_map([resource], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, i64>(2)?,
                ))
            })
            .map_err(|e| self.sql(e))?;
        let mut out = Vec::new();
        for row in rows {
            let (idx, start, done) = row.map_err(|e| self.sql(e))?;
            let start = serde_json::from_str(&start).map_err(|e| {
                self.sql(rusqlite::Error::FromSqlConversionFailure(
                    1,
                    rusqlite::types::Type::Text,
                    Box::new(e),
                ))
            })?;
            out.push(WindowMark {
                idx: idx as u32,
                start,
                done: done != 0,
            });
        }
        Ok(out)
    }

    pub fn pages(&self, resource: &str) -> StoreResult<Vec<PageMark>> {
        let mut st = self
            .conn
            .prepare(
                "SELECT idx, page, count, len, first_at, last_at, last_ids FROM sync_pages
                 WHERE resource = ?1 ORDER BY idx, page",
            )
            .map_err(|e| self.sql(e))?;
        let rows = st
            .query_map([resource], |r| {
                Ok(PageMark {
                    idx: r.get::<_, i64>(0)? as u32,
                    page: r.get::<_, i64>(1)? as u32,
                    // -1: the server sent no count (u64::MAX in memory).
                    count: u64::try_from(r.get::<_, i64>(2)?).unwrap_or(u64::MAX),
                    len: r.get::<_, i64>(3)?.max(0) as u32,
                    first_at: parse_time(r.get(4)?),
                    last_at: parse_time(r.get(5)?),
                    last_ids: r
                        .get::<_, Option<String>>(6)?
                        .and_then(|s| serde_json::from_str(&s).ok())
                        .unwrap_or_default(),
                })
            })
            .map_err(|e| self.sql(e))?;
        rows.collect::<Result<Vec<_>, _>>().map_err(|e| self.sql(e))
    }

    /// Writes one page's records and marks the page read, atomically.
    pub fn save_page<T: StoreRecord>(
        &mut self,
        resource: &str,
        mark: &PageMark,
        rows: &[T],
        generation: i64,
    ) -> StoreResult<()> {
        self.save_page_prepared(resource, mark, &T::prepare(rows), generation)
    }

    /// Like [`Store::save_page`], with the rows encoded beforehand.
    pub fn save_page_prepared(
        &mut self,
        resource: &str,
        mark: &PageMark,
        rows: &Prepared,
        generation: i64,
    ) -> StoreResult<()> {
        self.save_pages_prepared(&[(resource, mark, rows, generation)])
    }

    /// Several pages (resource, mark, rows, generation), each with its
    /// checkpoint, in one transaction: all are saved or none.
    pub fn save_pages_prepared(
        &mut self,
        pages: &[(&str, &PageMark, &Prepared, i64)],
    ) -> StoreResult<()> {
        self.put_pages(pages, Prepared::write)
    }

    /// Several pages (resource, mark, rows, generation), each with its
    /// checkpoint, in one transaction, their rows staged (see
    /// [`super::staging`]): all are saved or none.
    pub fn stage_pages_prepared(
        &mut self,
        pages: &[(&str, &PageMark, &Prepared, i64)],
    ) -> StoreResult<()> {
        self.put_pages(pages, Prepared::stage)
    }

    /// Each page's rows written by `write` (into their table, or staged) and
    /// its checkpoint, all in one transaction.
    fn put_pages(
        &mut self,
        pages: &[(&str, &PageMark, &Prepared, i64)],
        write: fn(&Prepared, &rusqlite::Transaction<'_>, i64) -> rusqlite::Result<()>,
    ) -> StoreResult<()> {
        self.in_tx(|tx| {
            for (resource, mark, rows, generation) in pages {
                write(rows, tx, *generation)?;
                put_page(tx, resource, mark)?;
            }
            Ok(())
        })
    }

    /// Records written outside pages (gap fills), no checkpoint change.
    pub fn save_records<T: StoreRecord>(&mut self, rows: &[T], generation: i64) -> StoreResult<()> {
        self.upsert(rows, generation)
    }

    /// Adds window `idx` starting at `start` (no-op when it exists).
    pub fn add_window(
        &mut self,
        resource: &str,
        idx: u32,
        start: &CursorPosition,
    ) -> StoreResult<()> {
        self.conn
            .execute(
                "INSERT OR IGNORE INTO sync_windows (resource, idx, start) VALUES (?1, ?2, ?3)",
                params![resource, idx, cursor_json(start)],
            )
            .map(|_| ())
            .map_err(|e| self.sql(e))
    }

    pub fn finish_window(&mut self, resource: &str, idx: u32) -> StoreResult<()> {
        self.conn
            .execute(
                "UPDATE sync_windows SET done = 1 WHERE resource = ?1 AND idx = ?2",
                params![resource, idx],
            )
            .map(|_| ())
            .map_err(|e| self.sql(e))
    }

    /// Ends the full sync: the incremental cursor takes over from `cursor`, the
    /// window bookkeeping goes, and rows the sync did not see are removed.
    /// Returns how many rows were removed.
    pub fn finish_full(
        &mut self,
        resource: &str,
        table: &str,
        cursor: &CursorPosition,
    ) -> StoreResult<u64> {
        let mut state = self.resource_state(resource)?;
        let generation = state.generation;
        state.high_water = None;
        state.expected = None;
        state.cursor = Some(cursor.clone());
        let now = Utc::now();
        state.full_done_at = Some(now);
        state.synced_at = Some(now);
        let key = began_empty_key(resource);
        let began_empty = self.meta(&key)? == Some(generation.to_string());
        self.in_tx(|tx| {
            // Every row the sync read is in its table before the sweep.
            super::staging::merge(tx)?;
            tx.execute("DELETE FROM sync_windows WHERE resource = ?1", [resource])?;
            tx.execute("DELETE FROM sync_pages WHERE resource = ?1", [resource])?;
            tx.execute("DELETE FROM meta WHERE key = ?1", [&key])?;
            Store::put_state(tx, &state)
        })?;
        if began_empty {
            return Ok(0);
        }
        self.sweep(table, generation)
    }

    /// Writes records read by the incremental cursor and the cursor's new position.
    pub fn save_cursor<T: StoreRecord>(
        &mut self,
        resource: &str,
        rows: &[T],
        cursor: &CursorPosition,
    ) -> StoreResult<()> {
        self.save_cursor_prepared(resource, &T::prepare(rows), cursor)
    }

    /// Like [`Store::save_cursor`], with the rows encoded beforehand.
    pub fn save_cursor_prepared(
        &mut self,
        resource: &str,
        rows: &Prepared,
        cursor: &CursorPosition,
    ) -> StoreResult<()> {
        let mut state = self.resource_state(resource)?;
        state.cursor = Some(cursor.clone());
        let generation = state.generation;
        self.in_tx(|tx| {
            rows.write(tx, generation)?;
            Store::put_state(tx, &state)
        })
    }

    /// Notes that `resource` is up to date as of now.
    pub fn mark_synced(&mut self, resource: &str) -> StoreResult<()> {
        self.conn
            .execute(
                "INSERT INTO sync_state (resource, synced_at) VALUES (?1, ?2)
                 ON CONFLICT(resource) DO UPDATE SET synced_at = excluded.synced_at",
                params![resource, now_text()],
            )
            .map(|_| ())
            .map_err(|e| self.sql(e))
    }

    /// When the data was last brought up to date (the oldest of the resources'
    /// last syncs, so "as of" never overstates freshness); `None` if never.
    pub fn last_synced_at(&self) -> StoreResult<Option<DateTime<Utc>>> {
        let v: Option<String> = self
            .conn
            .query_row("SELECT min(synced_at) FROM sync_state", [], |r| r.get(0))
            .map_err(|e| self.sql(e))?;
        Ok(utc(v))
    }
}

/// Marks a page read (its checkpoint), inside the transaction writing its rows.
fn put_page(
    tx: &rusqlite::Transaction<'_>,
    resource: &str,
    mark: &PageMark,
) -> rusqlite::Result<()> {
    let mut st = tx.prepare_cached(
        "INSERT OR REPLACE INTO sync_pages
           (resource, idx, page, count, len, first_at, last_at, last_ids)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?;
    st.execute(params![
        resource,
        mark.idx,
        mark.page,
        mark.count as i64,
        mark.len,
        fmt_time(&mark.first_at),
        fmt_time(&mark.last_at),
        serde_json::to_string(&mark.last_ids).unwrap_or_else(|_| "[]".into()),
    ])?;
    Ok(())
}

/// The record table a resource's sync writes (as `sync::Resource::table`).
pub(crate) fn table_of(resource: &str) -> Option<&'static str> {
    Some(match resource {
        "users" => "users",
        "cadences" => "cadences",
        "steps" => "steps",
        "people" => "people",
        "cadence_memberships" => "memberships",
        "emails" => "email_facts",
        "calls" => "calls",
        "email_templates" => "email_templates",
        _ => return None,
    })
}

/// The meta key holding the generation of `resource`'s full sync that began
/// with its table empty.
fn began_empty_key(resource: &str) -> String {
    format!("full_sync_began_empty:{resource}")
}
