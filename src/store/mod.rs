//! The local store: one SQLite database per profile (rusqlite, bundled SQLite).
//!
//! It keeps what the dashboard needs to draw its first frame without the network
//! (people, cadences, steps, memberships, users, and one compact fact per email),
//! and where the sync engine stands for each resource (see [`crate::sync`]).
//!
//! * WAL mode, `synchronous=NORMAL`: a crash loses at most the last transaction,
//!   never corrupts, and readers do not block the writer.
//! * The schema is versioned with `PRAGMA user_version` and migrated forward on open;
//!   a file written by a newer sltui is refused, never downgraded.
//! * Upserts are idempotent by id and never replace a row with an older version of
//!   it (`updated_at` decides), so pages may arrive in any order or twice.
//! * Writes go in batches, one transaction each; 100k rows take well under a second.
//! * A file that is not a database (or is damaged) is reported with its path and
//!   what to do; it is never deleted or overwritten.

pub mod backend;
mod backend_sqlite;
mod checkpoint;
mod error;
pub mod funnel;
pub mod pg;
mod reads;
mod records;
mod schema;
mod staging;
pub mod start;
mod summary;

use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{Connection, OpenFlags};

pub use backend::RecordStore;
pub(crate) use checkpoint::table_of;
pub use checkpoint::{PageMark, ResourceState, WindowMark};
use error::sql_at;
pub use error::{StoreError, StoreResult};
pub use pg::{PgError, PgStore};
pub use reads::PersonRow;
pub use records::{Prepared, StoreRecord, TABLES};
pub use schema::SCHEMA_VERSION;
pub use summary::DashboardData;

/// The path an in-memory store is known by.
const IN_MEMORY: &str = ":memory:";
/// How long a connection waits for another one's lock before it fails.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// An open store. Not shared between threads: wrap it in a mutex when needed.
pub struct Store {
    conn: Connection,
    path: PathBuf,
}

impl fmt::Debug for Store {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Store").field("path", &self.path).finish()
    }
}

impl Store {
    /// Opens (creating it and its directory when missing) the store at `path`, and
    /// migrates it to the current schema.
    pub fn open(path: &Path) -> StoreResult<Store> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            create_private_dir(dir).map_err(|e| StoreError::Io {
                path: path.to_path_buf(),
                detail: format!("cannot create {}: {e}", dir.display()),
            })?;
        }
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = Connection::open_with_flags(path, flags).map_err(|e| StoreError::Io {
            path: path.to_path_buf(),
            detail: e.to_string(),
        })?;
        restrict_permissions(path);
        Store::init(conn, path.to_path_buf())
    }

    /// A private in-memory store (tests, one-off runs).
    pub fn open_in_memory() -> StoreResult<Store> {
        let path = PathBuf::from(IN_MEMORY);
        let conn = Connection::open_in_memory().map_err(|e| StoreError::Io {
            path: path.clone(),
            detail: e.to_string(),
        })?;
        Store::init(conn, path)
    }

    fn init(mut conn: Connection, path: PathBuf) -> StoreResult<Store> {
        let classify = |e: rusqlite::Error| sql_at(&path, e);
        conn.busy_timeout(BUSY_TIMEOUT).map_err(classify)?;
        // The first read of the header: a file that is not SQLite fails here.
        let _: String = conn
            .query_row("PRAGMA journal_mode=WAL", [], |r| r.get(0))
            .map_err(classify)?;
        conn.execute_batch("PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=OFF;")
            .map_err(classify)?;
        // No whole-file check here: it costs a full read of the file at every start.
        // SQLite reports damaged pages when they are read (classified as `Corrupt`
        // by `sql_at`), and `migrate` checks the file before it rewrites anything.
        schema::migrate(&mut conn, &path)?;
        Ok(Store { conn, path })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The schema version of the open file.
    pub fn schema_version(&self) -> StoreResult<i64> {
        self.conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .map_err(|e| self.sql(e))
    }

    pub(crate) fn sql(&self, e: rusqlite::Error) -> StoreError {
        sql_at(&self.path, e)
    }

    /// Runs `f` in one transaction, committed when it succeeds.
    pub(crate) fn in_tx<R>(
        &mut self,
        f: impl FnOnce(&rusqlite::Transaction<'_>) -> rusqlite::Result<R>,
    ) -> StoreResult<R> {
        let path = &self.path;
        let tx = self.conn.transaction().map_err(|e| sql_at(path, e))?;
        let out = f(&tx).map_err(|e| sql_at(path, e))?;
        tx.commit().map_err(|e| sql_at(path, e))?;
        Ok(out)
    }

    /// A value from the key/value table (e.g. the server the data came from).
    pub fn meta(&self, key: &str) -> StoreResult<Option<String>> {
        use rusqlite::OptionalExtension;
        self.conn
            .query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0))
            .optional()
            .map_err(|e| self.sql(e))
    }

    pub fn set_meta(&self, key: &str, value: &str) -> StoreResult<()> {
        self.conn
            .execute(
                "INSERT INTO meta(key, value) VALUES (?1, ?2)
                 ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                [key, value],
            )
            .map(|_| ())
            .map_err(|e| self.sql(e))
    }
}

fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    if dir.is_dir() {
        return Ok(());
    }
    let mut b = std::fs::DirBuilder::new();
    b.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        b.mode(0o700);
    }
    b.create(dir)
}

/// The store holds the team's people: readable by the owner only.
fn restrict_permissions(path: &Path) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let _ = std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600));
    }
    #[cfg(not(unix))]
    let _ = path;
}

#[cfg(test)]
mod staging_tests;
#[cfg(test)]
mod summary_tests;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod tracking_tests;
