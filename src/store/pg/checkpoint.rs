//! The sync engine's checkpoints on PostgreSQL, as in the SQLite store: records
//! and the checkpoint that covers them are written in one transaction.

use chrono::{DateTime, FixedOffset, Utc};
use postgres::GenericClient;

use super::records::write;
use super::{Fail, PgStore, write_tx};
use crate::api::CursorPosition;
use crate::store::{PageMark, Prepared, ResourceState, StoreResult, TABLES, WindowMark};

type Time = DateTime<FixedOffset>;

fn parse_time(s: Option<String>) -> Option<Time> {
    s.and_then(|s| DateTime::parse_from_rfc3339(&s).ok())
}

fn fmt_time(t: &Option<Time>) -> Option<String> {
    t.map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Micros, false))
}

fn cursor_json(c: &CursorPosition) -> String {
    serde_json::to_string(c).unwrap_or_else(|_| "{}".into())
}

fn state_of(c: &mut impl GenericClient, resource: &str) -> Result<ResourceState, postgres::Error> {
    let row = c.query_opt(
        "SELECT generation, high_water, expected, cursor, full_done_at, synced_at
         FROM sync_state WHERE resource = $1",
        &[&resource],
    )?;
    let Some(r) = row else {
        return Ok(ResourceState {
            resource: resource.to_string(),
            ..ResourceState::default()
        });
    };
    Ok(ResourceState {
        resource: resource.to_string(),
        generation: r.try_get(0)?,
        high_water: parse_time(r.try_get(1)?),
        expected: r.try_get::<_, Option<i64>>(2)?.map(|n| n.max(0) as u64),
        cursor: r
            .try_get::<_, Option<String>>(3)?
            .and_then(|c| serde_json::from_str(&c).ok()),
        full_done_at: r.try_get(4)?,
        synced_at: r.try_get(5)?,
    })
}

fn put_state(c: &mut impl GenericClient, s: &ResourceState) -> Result<(), postgres::Error> {
    c.execute(
        "INSERT INTO sync_state (resource, generation, high_water, expected, cursor,
                                 full_done_at, synced_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT (resource) DO UPDATE SET generation = excluded.generation,
           high_water = excluded.high_water, expected = excluded.expected,
           cursor = excluded.cursor, full_done_at = excluded.full_done_at,
           synced_at = excluded.synced_at",
        &[
            &s.resource,
            &s.generation,
            &fmt_time(&s.high_water),
            &s.expected.map(|n| n as i64),
            &s.cursor.as_ref().map(cursor_json),
            &s.full_done_at,
            &s.synced_at,
        ],
    )?;
    Ok(())
}

fn clear_windows(c: &mut impl GenericClient, resource: &str) -> Result<(), postgres::Error> {
    c.execute("DELETE FROM sync_windows WHERE resource = $1", &[&resource])?;
    c.execute("DELETE FROM sync_pages WHERE resource = $1", &[&resource])?;
    Ok(())
}

impl PgStore {
    /// The state of `resource` (a fresh one when never synced).
    pub fn resource_state(&self, resource: &str) -> StoreResult<ResourceState> {
        self.read(|c| state_of(c, resource))
    }

    /// Starts a full sync of `resource` (a new generation); see the SQLite store.
    pub fn begin_full(
        &self,
        resource: &str,
        high_water: Option<Time>,
        expected: Option<u64>,
    ) -> StoreResult<ResourceState> {
        self.run(|c| {
            let mut tx = write_tx(c)?;
            let mut state = state_of(&mut tx, resource)?;
            state.generation += 1;
            state.high_water = high_water;
            state.expected = expected;
            clear_windows(&mut tx, resource)?;
            if high_water.is_some() {
                tx.execute(
                    "INSERT INTO sync_windows (resource, idx, start) VALUES ($1, 0, $2)",
                    &[&resource, &cursor_json(&CursorPosition::start())],
                )?;
            }
            put_state(&mut tx, &state)?;
            tx.commit()?;
            Ok(state)
        })
    }

    pub fn windows(&self, resource: &str) -> StoreResult<Vec<WindowMark>> {
        self.run_with(|c| {
            let rows = c.query(
                "SELECT idx, start, done FROM sync_windows WHERE resource = $1 ORDER BY idx",
                &[&resource],
            )?;
            rows.iter()
                .map(|r| {
                    let idx = r.try_get::<_, i32>(0)?;
                    let start = serde_json::from_str(r.try_get::<_, &str>(1)?).map_err(|e| {
                        Fail::Refused(format!(
                            "window {idx} of the {resource} sync is unreadable ({e}); run \
                             `sltui sync --full`"
                        ))
                    })?;
                    Ok(WindowMark {
                        idx: idx as u32,
                        start,
                        done: r.try_get(2)?,
                    })
                })
                .collect()
        })
    }

    pub fn pages(&self, resource: &str) -> StoreResult<Vec<PageMark>> {
        self.read(|c| {
            let rows = c.query(
                "SELECT idx, page, count, len, first_at, last_at, last_ids FROM sync_pages
                 WHERE resource = $1 ORDER BY idx, page",
                &[&resource],
            )?;
            rows.iter()
                .map(|r| {
                    Ok(PageMark {
                        idx: r.try_get::<_, i32>(0)? as u32,
                        page: r.try_get::<_, i32>(1)? as u32,
                        // -1: the server sent no count (u64::MAX in memory).
                        count: u64::try_from(r.try_get::<_, i64>(2)?).unwrap_or(u64::MAX),
                        len: r.try_get::<_, i32>(3)?.max(0) as u32,
                        first_at: parse_time(r.try_get(4)?),
                        last_at: parse_time(r.try_get(5)?),
                        last_ids: r
                            .try_get::<_, Option<String>>(6)?
                            .and_then(|s| serde_json::from_str(&s).ok())
                            .unwrap_or_default(),
                    })
                })
                .collect()
        })
    }

    /// Several pages (resource, mark, rows, generation), each with its
    /// checkpoint, in one transaction: all are saved or none.
    pub fn save_pages_prepared(
        &self,
        pages: &[(&str, &PageMark, &Prepared, i64)],
    ) -> StoreResult<()> {
        self.run(|c| {
            let mut tx = write_tx(c)?;
            for (resource, mark, rows, generation) in pages {
                write(&mut tx, rows, *generation)?;
                tx.execute(
                    "INSERT INTO sync_pages
                       (resource, idx, page, count, len, first_at, last_at, last_ids)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
                     ON CONFLICT (resource, idx, page) DO UPDATE SET count = excluded.count,
                       len = excluded.len, first_at = excluded.first_at,
                       last_at = excluded.last_at, last_ids = excluded.last_ids",
                    &[
                        resource,
                        &(mark.idx as i32),
                        &(mark.page as i32),
                        &(mark.count as i64),
                        &(mark.len as i32),
                        &fmt_time(&mark.first_at),
                        &fmt_time(&mark.last_at),
                        &serde_json::to_string(&mark.last_ids).unwrap_or_else(|_| "[]".into()),
                    ],
                )?;
            }
            tx.commit()
        })
    }

    /// Adds window `idx` starting at `start` (no-op when it exists).
    pub fn add_window(&self, resource: &str, idx: u32, start: &CursorPosition) -> StoreResult<()> {
        self.run(|c| {
            let mut tx = write_tx(c)?;
            tx.execute(
                "INSERT INTO sync_windows (resource, idx, start) VALUES ($1, $2, $3)
                 ON CONFLICT DO NOTHING",
                &[&resource, &(idx as i32), &cursor_json(start)],
            )?;
            tx.commit()
        })
    }

    pub fn finish_window(&self, resource: &str, idx: u32) -> StoreResult<()> {
        self.run(|c| {
            let mut tx = write_tx(c)?;
            tx.execute(
                "UPDATE sync_windows SET done = true WHERE resource = $1 AND idx = $2",
                &[&resource, &(idx as i32)],
            )?;
            tx.commit()
        })
    }

    /// Ends the full sync: the incremental cursor takes over from `cursor`, the
    /// window bookkeeping goes, and rows the sync did not see are removed (in
    /// the same transaction). Returns how many rows were removed.
    pub fn finish_full(
        &self,
        resource: &str,
        table: &str,
        cursor: &CursorPosition,
    ) -> StoreResult<u64> {
        let table = TABLES.iter().copied().find(|t| *t == table);
        self.run(|c| {
            let mut tx = write_tx(c)?;
            let mut state = state_of(&mut tx, resource)?;
            let generation = state.generation;
            state.high_water = None;
            state.expected = None;
            state.cursor = Some(cursor.clone());
            let now = Utc::now();
            state.full_done_at = Some(now);
            state.synced_at = Some(now);
            clear_windows(&mut tx, resource)?;
            put_state(&mut tx, &state)?;
            let removed = match table {
                Some(t) => {
                    tx.execute(&format!("DELETE FROM {t} WHERE seen < $1"), &[&generation])?
                }
                None => 0,
            };
            tx.commit()?;
            Ok(removed)
        })
    }

    /// Writes records read by the incremental cursor and the cursor's new position.
    pub fn save_cursor_prepared(
        &self,
        resource: &str,
        rows: &Prepared,
        cursor: &CursorPosition,
    ) -> StoreResult<()> {
        self.run(|c| {
            let mut tx = write_tx(c)?;
            let mut state = state_of(&mut tx, resource)?;
            state.cursor = Some(cursor.clone());
            write(&mut tx, rows, state.generation)?;
            put_state(&mut tx, &state)?;
            tx.commit()
        })
    }

    /// Notes that `resource` is up to date as of now.
    pub fn mark_synced(&self, resource: &str) -> StoreResult<()> {
        self.run(|c| {
            let mut tx = write_tx(c)?;
            tx.execute(
                "INSERT INTO sync_state (resource, synced_at) VALUES ($1, now())
                 ON CONFLICT (resource) DO UPDATE SET synced_at = excluded.synced_at",
                &[&resource],
            )?;
            tx.commit()
        })
    }

    /// The oldest of the resources' last syncs; `None` if never.
    pub fn last_synced_at(&self) -> StoreResult<Option<DateTime<Utc>>> {
        self.read(|c| {
            c.query_one("SELECT min(synced_at) FROM sync_state", &[])
                .map(|r| r.get(0))
        })
    }
}
