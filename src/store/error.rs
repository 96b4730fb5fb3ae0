//! The store's errors, in words that say what to do (a leaf: the backends,
//! the schema and the reads take them from here).

use std::fmt;
use std::path::{Path, PathBuf};

use super::pg::PgError;

/// A problem with the local store, in words that say what to do.
#[derive(Debug)]
pub enum StoreError {
    /// The file exists but is not a usable sltui database.
    Corrupt { path: PathBuf, detail: String },
    /// Written by a newer sltui.
    TooNew {
        path: PathBuf,
        found: i64,
        known: i64,
    },
    /// Opening or creating the file failed (permissions, disk full...).
    Io { path: PathBuf, detail: String },
    /// Any other SQLite failure while reading or writing.
    Sql { path: PathBuf, detail: String },
    /// The team's PostgreSQL database ([`PgStore`]) failed; it says what to do.
    Postgres(PgError),
}

impl fmt::Display for StoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StoreError::Corrupt { path, detail } => write!(
                f,
                "the local store {} is not a valid sltui database ({detail}); move it aside \
                 (it is left untouched) and run `sltui sync` to rebuild it",
                path.display()
            ),
            StoreError::TooNew { path, found, known } => write!(
                f,
                "the local store {} was written by a newer sltui (schema {found}, this one knows \
                 up to {known}); upgrade sltui, or move the file aside and run `sltui sync`",
                path.display()
            ),
            StoreError::Io { path, detail } => write!(
                f,
                "cannot open the local store {}: {detail}; check that the directory exists and \
                 is writable, and that the disk is not full",
                path.display()
            ),
            StoreError::Sql { path, detail } => write!(
                f,
                "the local store {} failed: {detail}; if this repeats, move the file aside and \
                 run `sltui sync` to rebuild it",
                path.display()
            ),
            StoreError::Postgres(e) => write!(f, "{e}"),
        }
    }
}

impl std::error::Error for StoreError {}

pub type StoreResult<T> = Result<T, StoreError>;

/// SQLite result codes that mean the file itself is bad.
pub(super) fn is_corruption(e: &rusqlite::Error) -> bool {
    use rusqlite::ErrorCode;
    matches!(
        e.sqlite_error_code(),
        Some(ErrorCode::NotADatabase | ErrorCode::DatabaseCorrupt)
    )
}

/// A SQLite failure on the store at `path`, classified.
pub(super) fn sql_at(path: &Path, e: rusqlite::Error) -> StoreError {
    if is_corruption(&e) {
        StoreError::Corrupt {
            path: path.to_path_buf(),
            detail: e.to_string(),
        }
    } else {
        StoreError::Sql {
            path: path.to_path_buf(),
            detail: e.to_string(),
        }
    }
}
