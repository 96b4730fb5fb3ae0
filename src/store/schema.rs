//! The schema and its migrations. `PRAGMA user_version` holds the number of
//! migrations applied; each runs in its own transaction, so a crash mid-way
//! leaves the file at the previous version.

use std::path::Path;

use rusqlite::Connection;

use super::error::{StoreError, StoreResult};

/// An email fact's range time in unix seconds, as SQL over `email_facts`: its
/// `sent_at`, else its `updated_at`, clamped to 1..=u32::MAX as the aggregator
/// does. Schema migration 2 indexes and sums by this very expression.
pub(crate) const FACT_AT: &str = "max(1, min(4294967295, coalesce(sent_at, updated_us) / 1000000))";

/// Migration `i` takes the schema from version `i` to `i + 1`.
pub(super) const MIGRATIONS: &[fn() -> String] = &[
    || RECORDS.to_string(),
    fact_days,
    tracking,
    || ANALYTICS.to_string(),
    || SYNC_ROWS.to_string(),
];

/// Migration 1: records, email facts, sync checkpoints.
const RECORDS: &str = "
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
    -- flags: 1 sent, 2 bounced, 4 viewed, 8 clicked, 16 replied (migration 3 adds
    -- 32 sent without view tracking, 64 without click tracking).
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
    ";

/// The counts of a `fact_days` row, and each one's contribution from one sent
/// email fact (`{r}` is the row: `new.`, `old.` or nothing), as
/// `metrics::Engagement::of_email` counts it: delivered unless bounced; opened,
/// clicked and replied only when delivered.
const COUNTS: [(&str, &str); 6] = [
    ("sent", "1"),
    ("delivered", "(1 - ({r}flags >> 1 & 1))"),
    ("opened", "(1 - ({r}flags >> 1 & 1)) * ({r}flags >> 2 & 1)"),
    ("clicked", "(1 - ({r}flags >> 1 & 1)) * ({r}flags >> 3 & 1)"),
    ("replied", "(1 - ({r}flags >> 1 & 1)) * ({r}flags >> 4 & 1)"),
    ("bounced", "({r}flags >> 1 & 1)"),
];

/// The counts of migration 3 on: [`COUNTS`] plus the tracked delivered emails,
/// the open and click rates' denominators (flag 32 = sent without view
/// tracking, 64 = without click tracking; see `metrics::flags`). Opened and
/// clicked count only tracked emails.
const TRACKED_COUNTS: [(&str, &str); 8] = [
    ("sent", "1"),
    ("delivered", "(1 - ({r}flags >> 1 & 1))"),
    (
        "opened",
        "(1 - ({r}flags >> 1 & 1)) * (1 - ({r}flags >> 5 & 1)) * ({r}flags >> 2 & 1)",
    ),
    (
        "clicked",
        "(1 - ({r}flags >> 1 & 1)) * (1 - ({r}flags >> 6 & 1)) * ({r}flags >> 3 & 1)",
    ),
    ("replied", "(1 - ({r}flags >> 1 & 1)) * ({r}flags >> 4 & 1)"),
    ("bounced", "({r}flags >> 1 & 1)"),
    (
        "view_tracked",
        "(1 - ({r}flags >> 1 & 1)) * (1 - ({r}flags >> 5 & 1))",
    ),
    (
        "click_tracked",
        "(1 - ({r}flags >> 1 & 1)) * (1 - ({r}flags >> 6 & 1))",
    ),
];

/// The SQL that fills `fact_days` from the stored facts, and the triggers that keep
/// it, for the given counts.
fn fact_day_sums(counts: &[(&str, &str)]) -> (String, String) {
    let names = counts
        .iter()
        .map(|(n, _)| *n)
        .collect::<Vec<_>>()
        .join(", ");
    let count = |r: &str, i: usize| counts[i].1.replace("{r}", r);
    let day = |r: &str| {
        let at = FACT_AT
            .replace("sent_at", &format!("{r}sent_at"))
            .replace("updated_us", &format!("{r}updated_us"));
        format!("{at} / 86400")
    };
    let key = |r: &str| {
        format!(
            "{}, coalesce({r}cadence_id, 0), coalesce({r}step_id, 0)",
            day(r)
        )
    };
    let is_key = |r: &str| {
        format!(
            "day = {} AND cadence_id = coalesce({r}cadence_id, 0) AND step_id = coalesce({r}step_id, 0)",
            day(r)
        )
    };
    // Adds the sent email `r` to its row (creating it).
    let add = |r: &str| {
        let values: Vec<String> = (0..counts.len()).map(|i| count(r, i)).collect();
        let sums = counts
            .iter()
            .map(|(n, _)| format!("{n} = {n} + excluded.{n}"))
            .collect::<Vec<_>>()
            .join(", ");
        format!(
            "INSERT INTO fact_days (day, cadence_id, step_id, {names})
             SELECT {}, {} WHERE {r}flags & 1
             ON CONFLICT (day, cadence_id, step_id) DO UPDATE SET {sums};",
            key(r),
            values.join(", ")
        )
    };
    // Takes the sent email `r` out of its row (removing the row once empty).
    let remove = |r: &str| {
        let less: Vec<String> = (0..counts.len())
            .map(|i| format!("{n} = {n} - {c}", n = counts[i].0, c = count(r, i)))
            .collect();
        format!(
            "UPDATE fact_days SET {} WHERE {r}flags & 1 AND {};
             DELETE FROM fact_days WHERE {r}flags & 1 AND {} AND sent <= 0;",
            less.join(", "),
            is_key(r),
            is_key(r)
        )
    };
    let backfill: Vec<String> = (0..counts.len())
        .map(|i| format!("sum({})", count("", i)))
        .collect();
    let fill = format!(
        "INSERT INTO fact_days (day, cadence_id, step_id, {names})
        SELECT {}, {} FROM email_facts WHERE flags & 1 GROUP BY 1, 2, 3;",
        key(""),
        backfill.join(", ")
    );
    let triggers = format!(
        "CREATE TRIGGER fact_days_add AFTER INSERT ON email_facts WHEN new.flags & 1
        BEGIN {} END;

        CREATE TRIGGER fact_days_remove AFTER DELETE ON email_facts WHEN old.flags & 1
        BEGIN {} END;

        -- A changed fact: out of its old row, into its new one; only when something
        -- counted changed (a re-read of the same email changes nothing).
        CREATE TRIGGER fact_days_change AFTER UPDATE ON email_facts
        WHEN (old.flags & 1 OR new.flags & 1)
         AND (old.flags IS NOT new.flags OR old.cadence_id IS NOT new.cadence_id
              OR old.step_id IS NOT new.step_id OR {} IS NOT {})
        BEGIN {} {} END;",
        add("new."),
        remove("old."),
        day("old."),
        day("new."),
        remove("old."),
        add("new."),
    );
    (fill, triggers)
}

/// Migration 2: per-(UTC day, cadence, step) sums of the counted (sent) email
/// facts, kept by triggers, so a start reads a few thousand rows instead of
/// every email; plus an index on each fact's range time ([`FACT_AT`]), for the
/// exact recount of the day a range starts in. Filled from the facts already
/// stored. (Its text is fixed: migration 3 changes the sums.)
fn fact_days() -> String {
    let (fill, triggers) = fact_day_sums(&COUNTS);
    format!(
        "CREATE TABLE fact_days (
            day        INTEGER NOT NULL,  -- range time / 86400
            cadence_id INTEGER NOT NULL,  -- 0 when the email has no cadence
            step_id    INTEGER NOT NULL,  -- 0 when it has no step
            sent       INTEGER NOT NULL,
            delivered  INTEGER NOT NULL,
            opened     INTEGER NOT NULL,
            clicked    INTEGER NOT NULL,
            replied    INTEGER NOT NULL,
            bounced    INTEGER NOT NULL,
            -- Day first: a range reads only its days.
            PRIMARY KEY (day, cadence_id, step_id)
        ) WITHOUT ROWID;

        CREATE INDEX email_facts_at ON email_facts({FACT_AT});

        {fill}

        {triggers}"
    )
}

/// Migration 3 (additive): the email template of each fact, and tracking-aware
/// sums: `fact_days` gains `view_tracked` and `click_tracked` (delivered emails
/// sent with view / click tracking on), its triggers count them and count opens
/// and clicks of tracked emails only, and its rows are summed again from the
/// facts (facts stored before this version carry no tracking flag and read as
/// tracked, as they were counted until now).
fn tracking() -> String {
    let (fill, triggers) = fact_day_sums(&TRACKED_COUNTS);
    format!(
        "ALTER TABLE email_facts ADD COLUMN template_id INTEGER;
        ALTER TABLE fact_days ADD COLUMN view_tracked INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE fact_days ADD COLUMN click_tracked INTEGER NOT NULL DEFAULT 0;
        DROP TRIGGER fact_days_add;
        DROP TRIGGER fact_days_remove;
        DROP TRIGGER fact_days_change;
        DELETE FROM fact_days;

        {fill}

        {triggers}"
    )
}

/// Migration 4 (additive): what the step funnel and the template table read
/// besides the counts: each email's recipient (`person_id`, the funnel's
/// people reached), the team's calls (JSON, by cadence) and its email
/// templates (JSON, for their names). Facts stored before carry no recipient:
/// the emails' sync starts over (a full sync, one point per 100 emails), and
/// until it finishes the funnel is read from SalesLoft.
const ANALYTICS: &str = "
    ALTER TABLE email_facts ADD COLUMN person_id INTEGER;
    CREATE TABLE calls (
        id         INTEGER PRIMARY KEY,
        updated_us INTEGER NOT NULL,
        seen       INTEGER NOT NULL,
        cadence_id INTEGER,
        data       TEXT NOT NULL
    );
    CREATE INDEX calls_cadence ON calls(cadence_id);
    CREATE TABLE email_templates (
        id         INTEGER PRIMARY KEY,
        updated_us INTEGER NOT NULL,
        seen       INTEGER NOT NULL,
        data       TEXT NOT NULL
    );
    UPDATE sync_state SET cursor = NULL, full_done_at = NULL WHERE resource = 'emails';
    ";

/// Migration 5 (additive): the rows of a full sync's pages, staged in arrival
/// order with their pages' checkpoints and moved into their tables in id order
/// later (see `store::staging`). `tbl` is the record table, `x1`/`x2` its extra
/// columns.
const SYNC_ROWS: &str = "
    CREATE TABLE sync_rows (
        seq        INTEGER PRIMARY KEY,
        tbl        TEXT NOT NULL,
        id         INTEGER NOT NULL,
        updated_us INTEGER NOT NULL,
        seen       INTEGER NOT NULL,
        data       TEXT NOT NULL,
        x1         INTEGER,
        x2         INTEGER
    );
    ";

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
            .map_err(|e| super::error::sql_at(path, e))?;
        if check != "ok" {
            return Err(StoreError::Corrupt {
                path: path.to_path_buf(),
                detail: format!("integrity check: {check}"),
            });
        }
    }
    for (i, step) in MIGRATIONS.iter().enumerate().skip(version as usize) {
        let step = step();
        let tx = conn.transaction().map_err(sql)?;
        tx.execute_batch(&step).map_err(sql)?;
        tx.pragma_update(None, "user_version", (i + 1) as i64)
            .map_err(sql)?;
        tx.commit().map_err(sql)?;
    }
    Ok(())
}
