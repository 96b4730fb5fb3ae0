//! The team database's schema: versioned migrations embedded in the binary, in
//! the `sltui` schema of the database. `schema_migrations` lists the ones
//! applied; each is applied once, in its own transaction, under a
//! transaction-level advisory lock, so several hubs and dashboards starting at
//! once migrate it exactly once. A database migrated by a newer sltui is refused.

use postgres::Client;

use super::conn::{PgError, PgErrorKind, Target, describe};

/// Advisory lock keys (one number space per database): "sltui" and a role.
pub(crate) const MIGRATE_LOCK: i64 = 0x736c_7475_6901;
/// Taken by every transaction that draws change numbers, so they commit in order.
pub(crate) const WRITE_LOCK: i64 = 0x736c_7475_6902;
/// Held (session level) by the hub that leads.
pub(crate) const LEAD_LOCK: i64 = 0x736c_7475_6903;

/// The SQL computing what one sent email adds to its `fact_days` row, over a
/// relation `r(sign, sent_at, updated_us, cadence_id, step_id, flags)` where
/// `sign` is 1 for a row coming in and -1 for one going out; as
/// `metrics::Engagement::of_email` counts: delivered unless bounced; opened,
/// clicked and replied only when delivered. Groups whose sums cancel are skipped.
macro_rules! fact_days_delta {
    () => {
        " INSERT INTO sltui.fact_days AS f
            (day, cadence_id, step_id, sent, delivered, opened, clicked, replied, bounced)
          SELECT sltui.fact_at(sent_at, updated_us) / 86400, coalesce(cadence_id, 0),
                 coalesce(step_id, 0),
                 sum(sign),
                 sum(sign * (1 - ((flags >> 1) & 1))),
                 sum(sign * (1 - ((flags >> 1) & 1)) * ((flags >> 2) & 1)),
                 sum(sign * (1 - ((flags >> 1) & 1)) * ((flags >> 3) & 1)),
                 sum(sign * (1 - ((flags >> 1) & 1)) * ((flags >> 4) & 1)),
                 sum(sign * ((flags >> 1) & 1))
          FROM r WHERE flags & 1 = 1
          GROUP BY 1, 2, 3
          HAVING sum(sign) <> 0 OR sum(sign * ((flags >> 1) & 1)) <> 0
              OR sum(sign * ((flags >> 2) & 1)) <> 0 OR sum(sign * ((flags >> 3) & 1)) <> 0
              OR sum(sign * ((flags >> 4) & 1)) <> 0
          ON CONFLICT (day, cadence_id, step_id) DO UPDATE SET
            sent = f.sent + excluded.sent, delivered = f.delivered + excluded.delivered,
            opened = f.opened + excluded.opened, clicked = f.clicked + excluded.clicked,
            replied = f.replied + excluded.replied, bounced = f.bounced + excluded.bounced; "
    };
}

/// Migration 2: per-(UTC day, cadence, step) sums of the sent email facts, kept
/// by statement-level triggers over the statement's transition tables: a batch
/// upsert of 1,000 facts costs one grouped upsert of a few rows, not 1,000 row
/// triggers, and the dashboard's first frame reads a few thousand rows whatever
/// the number of emails (a plain `GROUP BY` over a million facts takes the better
/// part of a second). Filled from the facts already stored. (Its text is fixed:
/// migration 4 replaces the trigger function with tracking-aware sums.)
const FACT_DAYS: &str = concat!(
    "CREATE TABLE sltui.fact_days (
        day        bigint NOT NULL,  -- range time / 86400
        cadence_id bigint NOT NULL,  -- 0 when the email has no cadence
        step_id    bigint NOT NULL,  -- 0 when it has no step
        sent       bigint NOT NULL,
        delivered  bigint NOT NULL,
        opened     bigint NOT NULL,
        clicked    bigint NOT NULL,
        replied    bigint NOT NULL,
        bounced    bigint NOT NULL,
        PRIMARY KEY (day, cadence_id, step_id)
    );
    CREATE INDEX fact_days_empty ON sltui.fact_days (day) WHERE sent <= 0;
    CREATE INDEX email_facts_at ON sltui.email_facts (sltui.fact_at(sent_at, updated_us));

    CREATE FUNCTION sltui.fact_days_keep() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF TG_OP = 'INSERT' THEN
        WITH r AS (SELECT 1 AS sign, sent_at, updated_us, cadence_id, step_id, flags
                   FROM new_rows)",
    fact_days_delta!(),
    "ELSIF TG_OP = 'DELETE' THEN
        WITH r AS (SELECT -1 AS sign, sent_at, updated_us, cadence_id, step_id, flags
                   FROM old_rows)",
    fact_days_delta!(),
    "  DELETE FROM sltui.fact_days WHERE sent <= 0;
      ELSE
        WITH r AS (SELECT 1 AS sign, sent_at, updated_us, cadence_id, step_id, flags
                   FROM new_rows
                   UNION ALL
                   SELECT -1, sent_at, updated_us, cadence_id, step_id, flags
                   FROM old_rows)",
    fact_days_delta!(),
    "  DELETE FROM sltui.fact_days WHERE sent <= 0;
      END IF;
      RETURN NULL;
    END $$;

    CREATE TRIGGER fact_days_insert AFTER INSERT ON sltui.email_facts
      REFERENCING NEW TABLE AS new_rows
      FOR EACH STATEMENT EXECUTE FUNCTION sltui.fact_days_keep();
    CREATE TRIGGER fact_days_update AFTER UPDATE ON sltui.email_facts
      REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
      FOR EACH STATEMENT EXECUTE FUNCTION sltui.fact_days_keep();
    CREATE TRIGGER fact_days_delete AFTER DELETE ON sltui.email_facts
      REFERENCING OLD TABLE AS old_rows
      FOR EACH STATEMENT EXECUTE FUNCTION sltui.fact_days_keep();

    WITH r AS (SELECT 1 AS sign, sent_at, updated_us, cadence_id, step_id, flags
               FROM sltui.email_facts)",
    fact_days_delta!(),
);

/// The migrations, in order: migration `i` takes the schema to version `i + 1`.
pub(crate) const MIGRATIONS: &[(&str, &str)] = &[
    ("records", include_str!("migrations/1_records.sql")),
    ("fact_days", FACT_DAYS),
    ("jobs", include_str!("migrations/3_jobs.sql")),
    ("tracking", include_str!("migrations/4_tracking.sql")),
    ("removals_at", include_str!("migrations/5_removals_at.sql")),
    ("analytics", include_str!("migrations/6_analytics.sql")),
    (
        "calls_templates_seq",
        include_str!("migrations/7_calls_templates_seq.sql"),
    ),
];

/// The schema version this build writes.
pub const PG_SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

/// The version the database is at (0: never migrated).
pub(crate) fn version(client: &mut impl postgres::GenericClient) -> Result<i64, postgres::Error> {
    let exists: bool = client
        .query_one(
            "SELECT to_regclass('sltui.schema_migrations') IS NOT NULL",
            &[],
        )?
        .get(0);
    if !exists {
        return Ok(0);
    }
    client
        .query_one(
            "SELECT coalesce(max(version), 0)::int8 FROM sltui.schema_migrations",
            &[],
        )
        .map(|r| r.get(0))
}

/// Brings the database to [`PG_SCHEMA_VERSION`]; returns how many migrations
/// this call applied (0 when another process had done it).
pub(crate) fn migrate(client: &mut Client, target: &Target) -> Result<usize, PgError> {
    let q = |e: postgres::Error| target.error(PgErrorKind::Query(describe(&e)));
    let too_new = |found: i64| {
        target.error(PgErrorKind::TooNew {
            found,
            known: PG_SCHEMA_VERSION,
        })
    };
    let found = version(client).map_err(q)?;
    if found > PG_SCHEMA_VERSION {
        return Err(too_new(found));
    }
    let mut applied = 0;
    for (i, (name, sql)) in MIGRATIONS.iter().enumerate() {
        let v = i as i64 + 1;
        if v <= found {
            continue;
        }
        let mut tx = client.transaction().map_err(q)?;
        tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATE_LOCK])
            .map_err(q)?;
        tx.batch_execute(
            "CREATE SCHEMA IF NOT EXISTS sltui;
             CREATE TABLE IF NOT EXISTS sltui.schema_migrations (
                 version    int PRIMARY KEY,
                 name       text NOT NULL,
                 applied_at timestamptz NOT NULL DEFAULT now()
             );",
        )
        .map_err(q)?;
        // Under the lock: another process may have applied it meanwhile.
        let now: i64 = tx
            .query_one(
                "SELECT coalesce(max(version), 0)::int8 FROM sltui.schema_migrations",
                &[],
            )
            .map_err(q)?
            .get(0);
        if now > PG_SCHEMA_VERSION {
            return Err(too_new(now));
        }
        if now >= v {
            tx.commit().map_err(q)?;
            continue;
        }
        tx.batch_execute(sql).map_err(|e| {
            target.error(PgErrorKind::Query(format!(
                "migration {v} ({name}): {}",
                describe(&e)
            )))
        })?;
        tx.execute(
            "INSERT INTO sltui.schema_migrations (version, name) VALUES ($1, $2)",
            &[&(v as i32), name],
        )
        .map_err(q)?;
        tx.commit().map_err(q)?;
        applied += 1;
    }
    Ok(applied)
}
