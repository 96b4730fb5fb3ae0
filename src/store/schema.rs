//! The schema and its migrations. `PRAGMA user_version` holds the number of
//! migrations applied; each runs in its own transaction, so a crash mid-way
//! leaves the file at the previous version.

use std::path::Path;

use rusqlite::Connection;

use super::{StoreError, StoreResult};

/// Migration `i` takes the schema from version `i` to `i + 1`.
pub(super) const MIGRATIONS: &[&str] = &[
    // 1: records, email facts, sync checkpoints.
    "
    CREATE TABLE meta (
        key   TEXT PRIMARY KEY,
        value TEXT NOT NULL
    ) WITHOUT ROWID;

    -- Records keep the API's JSON (nulls and empty values dropped) plus the
    -- columns queries need. `seen` is the full-sync generation that last saw
    -- the row: a finished full sync removes rows it did not see (deleted upstream).
    CREATE TABLE people (
        id         INTEGER PRIMARY KEY,
        updated_us INTEGER NOT NULL,
        seen       INTEGER NOT NULL,
        data       TEXT NOT NULL
    );
    CREATE TABLE cadences (
        id         INTEGER PRIMARY KEY,
        updated_us INTEGER NOT NULL,
        seen       INTEGER NOT NULL,
        data       TEXT NOT NULL
    );
    CREATE TABLE steps (
        id         INTEGER PRIMARY KEY,
        updated_us INTEGER NOT NULL,
        seen       INTEGER NOT NULL,
        cadence_id INTEGER,
        data       TEXT NOT NULL
    );
    CREATE INDEX steps_cadence ON steps(cadence_id);
    CREATE TABLE memberships (
        id         INTEGER PRIMARY KEY,
        updated_us INTEGER NOT NULL,
        seen       INTEGER NOT NULL,
        person_id  INTEGER,
        cadence_id INTEGER,
        data       TEXT NOT NULL
    );
    CREATE INDEX memberships_cadence ON memberships(cadence_id);
    CREATE INDEX memberships_person ON memberships(person_id);
    CREATE TABLE users (
        id         INTEGER PRIMARY KEY,
        updated_us INTEGER NOT NULL,
        seen       INTEGER NOT NULL,
        data       TEXT NOT NULL
    );
    -- One row per email: what the engagement aggregates need (see metrics::EmailFact).
    -- flags: 1 sent, 2 bounced, 4 viewed, 8 clicked, 16 replied.
    CREATE TABLE email_facts (
        id         INTEGER PRIMARY KEY,
        updated_us INTEGER NOT NULL,
        seen       INTEGER NOT NULL,
        cadence_id INTEGER,
        step_id    INTEGER,
        flags      INTEGER NOT NULL,
        sent_at    INTEGER
    );
    CREATE INDEX email_facts_cadence ON email_facts(cadence_id);

    -- Where the sync of each resource stands.
    CREATE TABLE sync_state (
        resource    TEXT PRIMARY KEY,
        -- Current full-sync generation (see `seen`).
        generation  INTEGER NOT NULL DEFAULT 0,
        -- A full sync in progress: everything updated at or before this instant
        -- is read by windows; NULL when none is running.
        high_water  TEXT,
        -- Records expected by the running full sync (for progress).
        expected    INTEGER,
        -- The incremental cursor (CursorPosition as JSON) once a full sync finished.
        cursor      TEXT,
        full_done_at TEXT,
        synced_at   TEXT
    ) WITHOUT ROWID;
    -- The windows of a running full sync: window `idx` starts at `start`
    -- (CursorPosition as JSON) and holds up to 100 pages of 100 records.
    CREATE TABLE sync_windows (
        resource TEXT NOT NULL,
        idx      INTEGER NOT NULL,
        start    TEXT NOT NULL,
        done     INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (resource, idx)
    ) WITHOUT ROWID;
    -- Pages read so far: their total_count at read time and their first and last
    -- records, to find records skipped when the window shrank between two reads.
    CREATE TABLE sync_pages (
        resource TEXT NOT NULL,
        idx      INTEGER NOT NULL,
        page     INTEGER NOT NULL,
        count    INTEGER NOT NULL,
        len      INTEGER NOT NULL,
        first_at TEXT,
        last_at  TEXT,
        last_ids TEXT,
        PRIMARY KEY (resource, idx, page)
    ) WITHOUT ROWID;
    ",
    // 2: per-(cadence, step, UTC day) sums of the counted (sent) email facts, kept
    // by triggers, so a start reads a few thousand rows instead of every email;
    // plus an index on each fact's range time, for the exact recount of the day
    // a range starts in. See `records::FACT_AT` (the same expression, kept equal
    // by a test) and metrics::Aggregator (the same counting rules).
    "
    CREATE TABLE fact_days (
        cadence_id INTEGER NOT NULL,  -- 0 when the email has no cadence
        step_id    INTEGER NOT NULL,  -- 0 when it has no step
        day        INTEGER NOT NULL,  -- range time / 86400
        sent       INTEGER NOT NULL,
        delivered  INTEGER NOT NULL,
        opened     INTEGER NOT NULL,
        clicked    INTEGER NOT NULL,
        replied    INTEGER NOT NULL,
        bounced    INTEGER NOT NULL,
        -- Day first: a range reads only its days.
        PRIMARY KEY (day, cadence_id, step_id)
    ) WITHOUT ROWID;

    CREATE INDEX email_facts_at ON email_facts(
        max(1, min(4294967295, coalesce(sent_at, updated_us) / 1000000)));

    INSERT INTO fact_days
    SELECT coalesce(cadence_id, 0), coalesce(step_id, 0),
           max(1, min(4294967295, coalesce(sent_at, updated_us) / 1000000)) / 86400,
           count(*),
           sum(1 - (flags >> 1 & 1)),
           sum((1 - (flags >> 1 & 1)) * (flags >> 2 & 1)),
           sum((1 - (flags >> 1 & 1)) * (flags >> 3 & 1)),
           sum((1 - (flags >> 1 & 1)) * (flags >> 4 & 1)),
           sum(flags >> 1 & 1)
    FROM email_facts WHERE flags & 1
    GROUP BY 1, 2, 3;

    CREATE TRIGGER fact_days_add AFTER INSERT ON email_facts WHEN new.flags & 1
    BEGIN
        INSERT INTO fact_days VALUES (
            coalesce(new.cadence_id, 0), coalesce(new.step_id, 0),
            max(1, min(4294967295, coalesce(new.sent_at, new.updated_us) / 1000000)) / 86400,
            1,
            1 - (new.flags >> 1 & 1),
            (1 - (new.flags >> 1 & 1)) * (new.flags >> 2 & 1),
            (1 - (new.flags >> 1 & 1)) * (new.flags >> 3 & 1),
            (1 - (new.flags >> 1 & 1)) * (new.flags >> 4 & 1),
            new.flags >> 1 & 1)
        ON CONFLICT (day, cadence_id, step_id) DO UPDATE SET
            sent = sent + excluded.sent, delivered = delivered + excluded.delivered,
            opened = opened + excluded.opened, clicked = clicked + excluded.clicked,
            replied = replied + excluded.replied, bounced = bounced + excluded.bounced;
    END;

    CREATE TRIGGER fact_days_remove AFTER DELETE ON email_facts WHEN old.flags & 1
    BEGIN
        UPDATE fact_days SET
            sent = sent - 1,
            delivered = delivered - (1 - (old.flags >> 1 & 1)),
            opened = opened - (1 - (old.flags >> 1 & 1)) * (old.flags >> 2 & 1),
            clicked = clicked - (1 - (old.flags >> 1 & 1)) * (old.flags >> 3 & 1),
            replied = replied - (1 - (old.flags >> 1 & 1)) * (old.flags >> 4 & 1),
            bounced = bounced - (old.flags >> 1 & 1)
        WHERE cadence_id = coalesce(old.cadence_id, 0) AND step_id = coalesce(old.step_id, 0)
          AND day = max(1, min(4294967295, coalesce(old.sent_at, old.updated_us) / 1000000)) / 86400;
        DELETE FROM fact_days
        WHERE cadence_id = coalesce(old.cadence_id, 0) AND step_id = coalesce(old.step_id, 0)
          AND day = max(1, min(4294967295, coalesce(old.sent_at, old.updated_us) / 1000000)) / 86400
          AND sent <= 0;
    END;

    -- A changed fact: remove the old contribution, add the new one. Only when
    -- something counted changed (a re-read of the same email changes nothing).
    CREATE TRIGGER fact_days_change AFTER UPDATE ON email_facts
    WHEN (old.flags & 1 OR new.flags & 1)
     AND (old.flags IS NOT new.flags OR old.cadence_id IS NOT new.cadence_id
          OR old.step_id IS NOT new.step_id
          OR max(1, min(4294967295, coalesce(old.sent_at, old.updated_us) / 1000000)) / 86400
             IS NOT max(1, min(4294967295, coalesce(new.sent_at, new.updated_us) / 1000000)) / 86400)
    BEGIN
        UPDATE fact_days SET
            sent = sent - 1,
            delivered = delivered - (1 - (old.flags >> 1 & 1)),
            opened = opened - (1 - (old.flags >> 1 & 1)) * (old.flags >> 2 & 1),
            clicked = clicked - (1 - (old.flags >> 1 & 1)) * (old.flags >> 3 & 1),
            replied = replied - (1 - (old.flags >> 1 & 1)) * (old.flags >> 4 & 1),
            bounced = bounced - (old.flags >> 1 & 1)
        WHERE old.flags & 1
          AND cadence_id = coalesce(old.cadence_id, 0) AND step_id = coalesce(old.step_id, 0)
          AND day = max(1, min(4294967295, coalesce(old.sent_at, old.updated_us) / 1000000)) / 86400;
        DELETE FROM fact_days
        WHERE old.flags & 1
          AND cadence_id = coalesce(old.cadence_id, 0) AND step_id = coalesce(old.step_id, 0)
          AND day = max(1, min(4294967295, coalesce(old.sent_at, old.updated_us) / 1000000)) / 86400
          AND sent <= 0;
        INSERT INTO fact_days
        SELECT coalesce(new.cadence_id, 0), coalesce(new.step_id, 0),
               max(1, min(4294967295, coalesce(new.sent_at, new.updated_us) / 1000000)) / 86400,
               1,
               1 - (new.flags >> 1 & 1),
               (1 - (new.flags >> 1 & 1)) * (new.flags >> 2 & 1),
               (1 - (new.flags >> 1 & 1)) * (new.flags >> 3 & 1),
               (1 - (new.flags >> 1 & 1)) * (new.flags >> 4 & 1),
               new.flags >> 1 & 1
        WHERE new.flags & 1
        ON CONFLICT (day, cadence_id, step_id) DO UPDATE SET
            sent = sent + excluded.sent, delivered = delivered + excluded.delivered,
            opened = opened + excluded.opened, clicked = clicked + excluded.clicked,
            replied = replied + excluded.replied, bounced = bounced + excluded.bounced;
    END;
    ",
];

/// The schema version this build writes.
pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

pub(super) fn migrate(conn: &mut Connection, path: &Path) -> StoreResult<()> {
    let sql = |e: rusqlite::Error| StoreError::Sql {
        path: path.to_path_buf(),
        detail: e.to_string(),
    };
    let version: i64 = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .map_err(sql)?;
    if version > SCHEMA_VERSION {
        return Err(StoreError::TooNew {
            path: path.to_path_buf(),
            found: version,
            known: SCHEMA_VERSION,
        });
    }
    if version < 0 {
        return Err(StoreError::Corrupt {
            path: path.to_path_buf(),
            detail: format!("schema version {version}"),
        });
    }
    if version == 0 {
        // A fresh file must be empty; anything else is someone else's database.
        let tables: i64 = conn
            .query_row(
                "SELECT count(*) FROM sqlite_master WHERE type = 'table'",
                [],
                |r| r.get(0),
            )
            .map_err(sql)?;
        if tables > 0 {
            return Err(StoreError::Corrupt {
                path: path.to_path_buf(),
                detail: format!("it holds {tables} tables but no sltui schema version"),
            });
        }
    }
    if version > 0 && version < SCHEMA_VERSION {
        // Never migrate (write to) a damaged file: check it whole, once, first.
        let check: String = conn
            .query_row("PRAGMA quick_check(1)", [], |r| r.get(0))
            .map_err(|e| super::sql_at(path, e))?;
        if check != "ok" {
            return Err(StoreError::Corrupt {
                path: path.to_path_buf(),
                detail: format!("integrity check: {check}"),
            });
        }
    }
    for (i, step) in MIGRATIONS.iter().enumerate().skip(version as usize) {
        let tx = conn.transaction().map_err(sql)?;
        tx.execute_batch(step).map_err(sql)?;
        tx.pragma_update(None, "user_version", (i + 1) as i64)
            .map_err(sql)?;
        tx.commit().map_err(sql)?;
    }
    Ok(())
}
