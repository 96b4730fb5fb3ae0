//! The team store on PostgreSQL: what the SQLite [`Store`](super::Store) keeps,
//! in the `sltui` schema of a shared database, for one hub that writes and any
//! number of dashboards that read.
//!
//! * [`PgStore::connect`] takes a `postgres://` URL (shown only without its
//!   password) and migrates the schema: versioned migrations embedded in the
//!   binary, applied once each under an advisory lock ([`schema`]).
//! * Records, checkpoints and the dashboard's reads mirror the SQLite store's
//!   ([`RecordStore`](super::RecordStore) is the one interface of both).
//! * Every insert or change of a record takes a number of one global change
//!   sequence, and the writing statement sends `NOTIFY sltui_changes, '<seq>'`:
//!   a reader asks for what changed after the last number it saw
//!   ([`PgStore::changes_after`], [`ChangeListener`]); a missed notification
//!   loses nothing.
//! * Records pushed by webhooks go through the same upserts ([`pushed`]).
//! * Enrollment jobs (filed idempotently, claimed with `SKIP LOCKED`), an audit
//!   row per mutation, the hub's status row, and leader election on a session
//!   advisory lock ([`PgStore::try_lead`]).
//!
//! * Fencing: a leading hub fences its store ([`PgStore::fence`]): every write
//!   transaction then checks, under the write lock, that the leader's lock is
//!   still held by that hub's lock session, and fails (writing nothing) when it
//!   is not. Writes are serialized by the write lock, so no write of a hub that
//!   lost the lead can commit after a write of the hub that took it over.
//!
//! The connection is one session behind a mutex, opened again on the next call
//! after it was lost. Calls block; from async code they run on a helper thread
//! (see [`conn`]).

mod backend;
mod changes;
mod checkpoint;
mod conn;
mod health;
mod jobs;
mod lead;
mod lookups;
mod pushed;
mod records;
mod schema;

use std::fmt;
use std::sync::Mutex;
use std::sync::atomic::{AtomicI32, Ordering};

use postgres::Client;

pub use changes::{CHANNEL, ChangeListener, ChangeSet};
pub use conn::{PgError, PgErrorKind};
pub use health::{DbHealth, HEALTH_TABLES};
pub use jobs::{AuditEntry, Job, JobOutcome, JobRequest, JobState};
pub use lead::{HubStatus, Leadership};
pub use lookups::HUB_ME_KEY;
pub use pushed::WEBHOOK_SECRET_KEY;
pub use schema::PG_SCHEMA_VERSION;

use self::conn::{Session, Target, describe, off_runtime};
use super::{StoreError, StoreResult};

/// An open team store. `Send + Sync`: share it behind an `Arc`; calls are
/// serialized on its one session.
pub struct PgStore {
    target: Target,
    session: Mutex<Option<Session>>,
    /// The server process of the leader's lock session when fenced, else 0:
    /// set on every session this store opens (`sltui.fence_pid`).
    fence: AtomicI32,
}

impl fmt::Debug for PgStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PgStore")
            .field("db", &self.target.shown)
            .finish()
    }
}

impl PgStore {
    /// Connects to the database at `url` and brings its schema to this build's
    /// version (creating it in an empty database). Refuses a database migrated
    /// by a newer sltui.
    pub fn connect(url: &str) -> StoreResult<PgStore> {
        let target = Target::parse(url).map_err(StoreError::Postgres)?;
        let session = off_runtime(|| -> Result<Session, PgError> {
            let mut client = target.connect()?;
            schema::migrate(&mut client, &target)?;
            Ok(Session::new(client))
        })
        .map_err(StoreError::Postgres)?;
        Ok(PgStore {
            target,
            session: Mutex::new(Some(session)),
            fence: AtomicI32::new(0),
        })
    }

    /// The server process of this store's session (to find it in
    /// `pg_stat_activity`).
    pub fn session_pid(&self) -> StoreResult<i32> {
        self.run(|c| {
            c.query_one("SELECT pg_backend_pid()", &[])
                .map(|r| r.get(0))
        })
    }

    /// Fences this store's writes to the lead held by the session with server
    /// process `lead_pid` (see the module's doc); `None` lifts the fence. A
    /// fenced write after the lead was lost fails with [`FENCED`] in its message.
    pub fn fence(&self, lead_pid: Option<i32>) -> StoreResult<()> {
        let pid = lead_pid.unwrap_or(0);
        self.fence.store(pid, Ordering::SeqCst);
        self.run(|c| set_fence(c, pid))
    }

    /// The database, as messages name it (the URL without its password).
    pub fn target(&self) -> &str {
        &self.target.shown
    }

    /// The schema version of the database.
    pub fn schema_version(&self) -> StoreResult<i64> {
        self.read(schema::version)
    }

    /// Applies the migrations this build knows and the database lacks; how many
    /// it applied (0 when up to date). [`PgStore::connect`] does this already.
    pub fn migrate(&self) -> StoreResult<usize> {
        let (target, fence) = (&self.target, self.fence.load(Ordering::SeqCst));
        let mut guard = self.session.lock().unwrap_or_else(|e| e.into_inner());
        let slot = &mut *guard;
        off_runtime(move || -> Result<usize, PgError> {
            let s = Self::live(slot, target, fence)?;
            schema::migrate(s.client(), target)
        })
        .map_err(StoreError::Postgres)
    }

    /// The open session, connecting again when there is none or it was lost
    /// (a new session gets the store's fence first).
    fn live<'a>(
        slot: &'a mut Option<Session>,
        target: &Target,
        fence: i32,
    ) -> Result<&'a mut Session, PgError> {
        if slot.as_ref().is_none_or(Session::is_closed) {
            *slot = None;
            let mut client = target.connect()?;
            if fence != 0 {
                set_fence(&mut client, fence)
                    .map_err(|e| target.error(PgErrorKind::Connect(describe(&e))))?;
            }
            *slot = Some(Session::new(client));
        }
        Ok(slot.as_mut().expect("just connected"))
    }

    /// Runs `f` on the session (off any async runtime), turning its error into
    /// a [`StoreError`] that names the database.
    pub(crate) fn run<R: Send>(
        &self,
        f: impl FnOnce(&mut Client) -> Result<R, postgres::Error> + Send,
    ) -> StoreResult<R> {
        self.run_with(|c| f(c).map_err(Fail::Db))
    }

    /// [`PgStore::run`] for work that can also refuse for a reason of its own.
    pub(crate) fn run_with<R: Send>(
        &self,
        f: impl FnOnce(&mut Client) -> Result<R, Fail> + Send,
    ) -> StoreResult<R> {
        let (target, fence) = (&self.target, self.fence.load(Ordering::SeqCst));
        let mut guard = self.session.lock().unwrap_or_else(|e| e.into_inner());
        let slot = &mut *guard;
        off_runtime(move || -> Result<R, PgError> {
            let s = Self::live(slot, target, fence)?;
            f(s.client()).map_err(|e| match e {
                Fail::Db(e) => target.error(PgErrorKind::Query(describe(&e))),
                Fail::Refused(why) => target.error(PgErrorKind::Refused(why)),
            })
        })
        .map_err(StoreError::Postgres)
    }

    /// [`PgStore::run`] for work that only reads: when the connection turns out
    /// to be lost (the server restarted, the session was terminated), it
    /// connects again and runs `f` once more, so a reader does not see the drop.
    pub(crate) fn read<R: Send>(
        &self,
        mut f: impl FnMut(&mut Client) -> Result<R, postgres::Error> + Send,
    ) -> StoreResult<R> {
        let (target, fence) = (&self.target, self.fence.load(Ordering::SeqCst));
        let mut guard = self.session.lock().unwrap_or_else(|e| e.into_inner());
        let slot = &mut *guard;
        off_runtime(move || -> Result<R, PgError> {
            let first = f(Self::live(slot, target, fence)?.client());
            // The session died under the read (closed, or ended by the server).
            let out = match first {
                Err(_) if slot.as_ref().is_none_or(Session::is_closed) => {
                    f(Self::live(slot, target, fence)?.client())
                }
                other => other,
            };
            out.map_err(|e| target.error(PgErrorKind::Query(describe(&e))))
        })
        .map_err(StoreError::Postgres)
    }

    /// A new session of its own (for LISTEN, or to hold a session lock).
    pub(crate) fn new_session(&self) -> StoreResult<Session> {
        let target = &self.target;
        off_runtime(|| target.connect().map(Session::new)).map_err(StoreError::Postgres)
    }

    /// A value from the key/value table (e.g. the server the data came from).
    pub fn meta(&self, key: &str) -> StoreResult<Option<String>> {
        self.read(|c| {
            c.query_opt("SELECT value FROM meta WHERE key = $1", &[&key])
                .map(|r| r.map(|r| r.get(0)))
        })
    }

    pub fn set_meta(&self, key: &str, value: &str) -> StoreResult<()> {
        self.run(|c| {
            c.execute(
                "INSERT INTO meta (key, value) VALUES ($1, $2)
                 ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                &[&key, &value],
            )
            .map(|_| ())
        })
    }
}

/// Why a unit of work on the session failed.
pub(crate) enum Fail {
    Db(postgres::Error),
    /// Refused for a reason of ours, in words.
    Refused(String),
}

impl From<postgres::Error> for Fail {
    fn from(e: postgres::Error) -> Self {
        Fail::Db(e)
    }
}

/// The words a fenced write fails with once its hub lost the lead.
pub const FENCED: &str = "this hub no longer leads (another hub took over); nothing was written";

/// Sets the session's fence (0: none).
fn set_fence(c: &mut Client, pid: i32) -> Result<(), postgres::Error> {
    let value = if pid == 0 {
        String::new()
    } else {
        pid.to_string()
    };
    c.execute("SELECT set_config('sltui.fence_pid', $1, false)", &[&value])
        .map(|_| ())
}

/// Starts a transaction that may draw change numbers: takes the write lock
/// first, so change numbers commit in order (see migration 1), then, on a
/// fenced session, checks that the lead is still held (one round trip for both).
pub(crate) fn write_tx(c: &mut Client) -> Result<postgres::Transaction<'_>, postgres::Error> {
    let mut tx = c.transaction()?;
    tx.batch_execute(&format!(
        "SELECT pg_advisory_xact_lock({write});
         DO $fence$ BEGIN
           IF coalesce(current_setting('sltui.fence_pid', true), '') <> ''
              AND NOT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND granted
                   AND objsubid = 1 AND ((classid::int8 << 32) | objid::int8) = {lead}
                   AND pid = nullif(current_setting('sltui.fence_pid', true), '')::int) THEN
             RAISE EXCEPTION '{FENCED}' USING ERRCODE = 'SLT01';
           END IF;
         END $fence$;",
        write = schema::WRITE_LOCK,
        lead = schema::LEAD_LOCK,
    ))?;
    Ok(tx)
}

#[cfg(test)]
mod tests {
    use super::schema::{MIGRATIONS, WRITE_LOCK};

    #[test]
    fn the_sql_write_lock_is_the_rust_one() {
        assert!(MIGRATIONS[0].1.contains(&WRITE_LOCK.to_string()));
    }
}
