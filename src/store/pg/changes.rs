//! Live readers: the change sequence and LISTEN/NOTIFY.
//!
//! Every insert or real change of a record, job or hub status row takes the next
//! number of one global sequence (its `seq`), and the statement that wrote it
//! sends `NOTIFY sltui_changes, '<seq>'` (delivered at commit; the number only).
//! Numbers commit in order (the writers' advisory lock, migration 1), so a reader
//! that has applied everything up to N asks for the rows past N and misses
//! nothing, whether a notification was lost or its connection dropped:
//!
//! 1. `w = store.change_seq()`, then load the data (rows changed meanwhile come
//!    again below; applying them twice is harmless).
//! 2. `listener = store.listen()`; on each `listener.wait(..)` that returns a
//!    number above `w` (or on a timeout, or after reconnecting):
//!    `set = store.changes_after(w)`, apply it, `w = set.through`.
//!
//! Removals are kept a while ([`PgStore::prune_removals`]; the hub keeps a
//! week): a reader that asks past a pruned number gets `stale` and re-reads
//! everything instead of trusting the removals it can still see.

use std::time::Duration;

use postgres::fallible_iterator::FallibleIterator;

use super::PgStore;
use super::conn::{PgErrorKind, Session, Target, describe, off_runtime};
use super::jobs::{JOB_COLUMNS, Job, job_from};
use super::lead::{HUB_COLUMNS, HubStatus, hub_from};
use super::records::{FACT_COLUMNS, PERSON_COLUMNS, fact_from, person_row_from};
use crate::api::models::{Cadence, Call, EmailTemplate, Membership, Step, User};
use crate::metrics::EmailFact;
use crate::store::{PersonRow, StoreError, StoreResult};

/// The meta key of the highest removal number pruned.
const PRUNED_KEY: &str = "removals_pruned_through";

/// The channel the change numbers are announced on.
pub const CHANNEL: &str = "sltui_changes";

/// The tables that carry change numbers.
const SEQ_TABLES: &[&str] = &[
    "people",
    "cadences",
    "steps",
    "memberships",
    "users",
    "email_facts",
    "calls",
    "email_templates",
    "removals",
    "jobs",
    "hub_status",
];

/// What changed after a change number, read in one snapshot.
#[derive(Debug, Clone, Default)]
pub struct ChangeSet {
    /// The highest change number this set covers: ask for the changes after it
    /// next time (the number asked for when nothing changed).
    pub through: i64,
    pub people: Vec<PersonRow>,
    pub cadences: Vec<Cadence>,
    pub steps: Vec<Step>,
    pub users: Vec<User>,
    pub memberships: Vec<Membership>,
    pub facts: Vec<EmailFact>,
    /// Calls logged or changed (migration 7).
    pub calls: Vec<Call>,
    /// Email templates created or changed (migration 7).
    pub templates: Vec<EmailTemplate>,
    /// Rows removed (table, id): deleted upstream, found by a full sync.
    pub removed: Vec<(String, u64)>,
    pub jobs: Vec<Job>,
    /// The hub's status, when it changed.
    pub hub: Option<HubStatus>,
    /// Removals past the number asked for were pruned: the reader may have
    /// missed some, so it re-reads everything (the rows above still apply).
    pub stale: bool,
}

impl ChangeSet {
    pub fn is_empty(&self) -> bool {
        self.people.is_empty()
            && self.cadences.is_empty()
            && self.steps.is_empty()
            && self.users.is_empty()
            && self.memberships.is_empty()
            && self.facts.is_empty()
            && self.calls.is_empty()
            && self.templates.is_empty()
            && self.removed.is_empty()
            && self.jobs.is_empty()
            && self.hub.is_none()
            && !self.stale
    }
}

fn json_after<T: serde::de::DeserializeOwned>(
    tx: &mut postgres::Transaction<'_>,
    table: &str,
    seq: i64,
    through: &mut i64,
) -> Result<Vec<T>, postgres::Error> {
    let mut rows = tx.query_raw(
        &format!("SELECT seq, data::text FROM {table} WHERE seq > $1 ORDER BY seq"),
        [&seq],
    )?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        *through = (*through).max(r.try_get(0)?);
        if let Ok(v) = serde_json::from_str(r.try_get::<_, &str>(1)?) {
            out.push(v);
        }
    }
    Ok(out)
}

impl PgStore {
    /// The highest change number committed so far (0 for a new database). Take
    /// it before loading data, then follow with [`PgStore::changes_after`].
    pub fn change_seq(&self) -> StoreResult<i64> {
        let mut parts: Vec<String> = SEQ_TABLES
            .iter()
            .map(|t| format!("(SELECT max(seq) FROM {t})"))
            .collect();
        // Pruned removals were committed too: never below them.
        parts.push(format!(
            "(SELECT value::int8 FROM meta WHERE key = '{PRUNED_KEY}')"
        ));
        let sql = format!("SELECT coalesce(greatest({}), 0)::int8", parts.join(", "));
        self.read(|c| c.query_one(&sql, &[]).map(|r| r.get(0)))
    }

    /// Everything that changed after change number `seq`, in one snapshot.
    pub fn changes_after(&self, seq: i64) -> StoreResult<ChangeSet> {
        self.read(|c| {
            let mut tx = c
                .build_transaction()
                .isolation_level(postgres::IsolationLevel::RepeatableRead)
                .read_only(true)
                .start()?;
            let mut set = ChangeSet {
                through: seq,
                ..ChangeSet::default()
            };
            let mut through = seq;
            set.cadences = json_after(&mut tx, "cadences", seq, &mut through)?;
            set.steps = json_after(&mut tx, "steps", seq, &mut through)?;
            set.users = json_after(&mut tx, "users", seq, &mut through)?;
            set.memberships = json_after(&mut tx, "memberships", seq, &mut through)?;
            set.calls = json_after(&mut tx, "calls", seq, &mut through)?;
            set.templates = json_after(&mut tx, "email_templates", seq, &mut through)?;
            let sql =
                format!("SELECT {PERSON_COLUMNS}, seq FROM people WHERE seq > $1 ORDER BY seq");
            for r in tx.query(&sql, &[&seq])? {
                through = through.max(r.try_get(r.len() - 1)?);
                set.people.push(person_row_from(&r)?);
            }
            let sql =
                format!("SELECT {FACT_COLUMNS}, seq FROM email_facts WHERE seq > $1 ORDER BY seq");
            let mut rows = tx.query_raw(&sql, [&seq])?;
            while let Some(r) = rows.next()? {
                through = through.max(r.try_get(r.len() - 1)?);
                set.facts.push(fact_from(&r)?);
            }
            drop(rows);
            for r in tx.query(
                "SELECT seq, tbl, id FROM removals WHERE seq > $1 ORDER BY seq",
                &[&seq],
            )? {
                through = through.max(r.try_get(0)?);
                set.removed
                    .push((r.try_get(1)?, r.try_get::<_, i64>(2)? as u64));
            }
            let sql = format!("SELECT {JOB_COLUMNS}, seq FROM jobs WHERE seq > $1 ORDER BY seq");
            for r in tx.query(&sql, &[&seq])? {
                through = through.max(r.try_get(r.len() - 1)?);
                set.jobs.push(job_from(&r)?);
            }
            let pruned: Option<String> = tx
                .query_opt("SELECT value FROM meta WHERE key = $1", &[&PRUNED_KEY])?
                .map(|r| r.get(0));
            set.stale = pruned
                .and_then(|v| v.parse::<i64>().ok())
                .is_some_and(|horizon| seq < horizon);
            let sql = format!("SELECT {HUB_COLUMNS}, seq FROM hub_status WHERE seq > $1");
            if let Some(r) = tx.query_opt(&sql, &[&seq])? {
                through = through.max(r.try_get(r.len() - 1)?);
                set.hub = Some(hub_from(&r)?);
            }
            tx.commit()?;
            set.through = through;
            Ok(set)
        })
    }

    /// Deletes the removals noted more than `keep` ago and moves the pruned
    /// horizon (meta `removals_pruned_through`) past them; how many went.
    pub fn prune_removals(&self, keep: Duration) -> StoreResult<u64> {
        let secs = keep.as_secs_f64();
        self.run(|c| {
            let mut tx = super::write_tx(c)?;
            let r = tx.query_one(
                "WITH gone AS (DELETE FROM removals WHERE at < now() - make_interval(secs => $1)
                               RETURNING seq)
                 SELECT count(*), max(seq) FROM gone",
                &[&secs],
            )?;
            let (n, horizon): (i64, Option<i64>) = (r.get(0), r.get(1));
            if let Some(h) = horizon {
                tx.execute(
                    "INSERT INTO meta (key, value) VALUES ($1, $2)
                     ON CONFLICT (key) DO UPDATE
                       SET value = greatest(meta.value::int8, excluded.value::int8)::text",
                    &[&PRUNED_KEY, &h.to_string()],
                )?;
            }
            tx.commit()?;
            Ok(n as u64)
        })
    }

    /// A connection of its own that listens on [`CHANNEL`].
    pub fn listen(&self) -> StoreResult<ChangeListener> {
        let mut session = self.new_session()?;
        let target = self.target.clone();
        off_runtime(|| session.client().batch_execute(&format!("LISTEN {CHANNEL}")))
            .map_err(|e| StoreError::Postgres(target.error(PgErrorKind::Connect(describe(&e)))))?;
        Ok(ChangeListener { session, target })
    }
}

/// A connection listening for change numbers ([`PgStore::listen`]).
pub struct ChangeListener {
    session: Session,
    target: Target,
}

impl std::fmt::Debug for ChangeListener {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ChangeListener")
            .field("db", &self.target.shown)
            .finish()
    }
}

impl ChangeListener {
    /// Waits up to `timeout` for announcements; the highest number among those
    /// that arrived (all pending ones are taken), `None` when none came. An
    /// error means the connection is gone: listen again, then catch up with
    /// [`PgStore::changes_after`].
    pub fn wait(&mut self, timeout: Duration) -> StoreResult<Option<i64>> {
        let target = &self.target;
        let session = &mut self.session;
        off_runtime(move || -> Result<Option<i64>, postgres::Error> {
            let client = session.client();
            let mut n = client.notifications();
            let mut best: Option<i64> = None;
            let mut take = |note: postgres::Notification| {
                if note.channel() == CHANNEL
                    && let Ok(v) = note.payload().trim().parse::<i64>()
                {
                    best = Some(best.map_or(v, |b| b.max(v)));
                }
            };
            let first = n.timeout_iter(timeout).next()?;
            if let Some(first) = first {
                take(first);
                let mut more = n.iter();
                while let Some(note) = more.next()? {
                    take(note);
                }
            }
            Ok(best)
        })
        .map_err(|e| StoreError::Postgres(target.error(PgErrorKind::Connect(describe(&e)))))
    }

    /// Whether the connection is gone (ended by the server, or cut): a closed
    /// listener's [`ChangeListener::wait`] may just time out, so ask this too.
    pub fn is_closed(&self) -> bool {
        self.session.is_closed()
    }

    /// The server process of this connection (to find it in `pg_stat_activity`).
    pub fn backend_pid(&mut self) -> StoreResult<i32> {
        let target = &self.target;
        let session = &mut self.session;
        off_runtime(move || {
            session
                .client()
                .query_one("SELECT pg_backend_pid()", &[])
                .map(|r| r.get(0))
        })
        .map_err(|e| StoreError::Postgres(target.error(PgErrorKind::Query(describe(&e)))))
    }
}
