//! The token file (JSON, mode 0600, replaced atomically) and the OS file lock that
//! keeps two sltui processes from refreshing one profile at once.

use std::fmt;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

use crate::api::ApiResult;
use crate::api::error::ApiError;

/// The token file's content (JSON). `Debug` shows no token.
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredTokens {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub access_token: Option<String>,
    /// When the access token expires, in Unix seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<i64>,
    /// The access token's whole lifetime (`expires_in`), in seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_in: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
    /// The app and endpoint the tokens came from: a cached access token is
    /// used only with the same ones.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_url: Option<String>,
}

impl fmt::Debug for StoredTokens {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let set = |o: &Option<String>| o.as_ref().map(|_| "<redacted>");
        f.debug_struct("StoredTokens")
            .field("refresh_token", &set(&self.refresh_token))
            .field("access_token", &set(&self.access_token))
            .field("expires_at", &self.expires_at)
            .field("expires_in", &self.expires_in)
            .field("scope", &self.scope)
            .field("client_id", &self.client_id)
            .field("token_url", &self.token_url)
            .finish()
    }
}

pub(super) fn unix_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

/// Reads a token file; `Ok(None)` when there is none. The error text names the
/// file and what to do, never its content.
pub fn read_tokens(path: &Path) -> Result<Option<StoredTokens>, String> {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => {
            return Err(format!(
                "cannot read the token file {}: {e}",
                path.display()
            ));
        }
    };
    if text.trim().is_empty() {
        return Ok(None);
    }
    serde_json::from_str(&text).map(Some).map_err(|e| {
        format!(
            "the token file {} is damaged ({}); delete it and store the refresh token again \
             with `sltui auth import`",
            path.display(),
            // Never `e` itself: its text can quote the file's content.
            match e.classify() {
                serde_json::error::Category::Eof => "it is cut short",
                serde_json::error::Category::Data => "it has unexpected fields",
                _ => "it is not valid JSON",
            }
        )
    })
}

/// Writes a token file atomically: a new temporary file (mode 0600) in the same
/// directory (created with mode 0700), synced, then renamed over the old one.
pub fn write_tokens(path: &Path, tokens: &StoredTokens) -> std::io::Result<()> {
    static SERIAL: AtomicU32 = AtomicU32::new(0);
    let dir = match path.parent().filter(|d| !d.as_os_str().is_empty()) {
        Some(d) => d.to_path_buf(),
        None => PathBuf::from("."),
    };
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(&dir)?;
    let name = path
        .file_name()
        .map_or_else(|| "tokens".into(), |n| n.to_string_lossy().into_owned());
    let tmp = dir.join(format!(
        ".{name}.{}.{}.tmp",
        std::process::id(),
        SERIAL.fetch_add(1, Ordering::Relaxed)
    ));
    let json = serde_json::to_vec_pretty(tokens).map_err(std::io::Error::other)?;
    let written = (|| {
        let mut opts = std::fs::OpenOptions::new();
        opts.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
        let mut file = opts.open(&tmp)?;
        file.write_all(&json)?;
        file.write_all(b"\n")?;
        file.sync_all()?;
        drop(file);
        std::fs::rename(&tmp, path)
    })();
    if written.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    written?;
    // Make the rename itself durable; not every platform can sync a directory.
    #[cfg(unix)]
    if let Ok(d) = std::fs::File::open(&dir) {
        let _ = d.sync_all();
    }
    Ok(())
}

/// The per-profile token file under the data directory, e.g.
/// `~/.local/share/sltui/oauth/work.json`. Characters outside `[A-Za-z0-9_-]`
/// in the profile name are escaped, so every profile gets its own file.
pub fn token_file(data_dir: &Path, profile: &str) -> PathBuf {
    let mut name = String::new();
    for b in profile.bytes() {
        if b.is_ascii_alphanumeric() || b == b'-' || b == b'_' {
            name.push(b as char);
        } else {
            name.push_str(&format!("%{b:02X}"));
        }
    }
    if name.is_empty() {
        name.push_str("%00");
    }
    data_dir.join("oauth").join(format!("{name}.json"))
}

/// How long to wait at most for another process's refresh.
const LOCK_WAIT: Duration = Duration::from_secs(45);

/// An exclusive OS lock (`File::try_lock`: `flock` on Unix, `LockFileEx` on Windows)
/// on `TOKEN_FILE.lock`, held while one sltui process refreshes a profile's tokens.
/// Dropping it releases the lock, and so does the OS when a process dies, so a
/// crashed sltui never leaves a lock behind. The file itself stays (deleting a
/// lock file that another process has open and waits on would let two hold it).
pub(super) struct RefreshLock {
    _file: std::fs::File,
}

impl RefreshLock {
    pub(super) async fn acquire(token_file: &Path) -> ApiResult<RefreshLock> {
        let mut name = token_file.as_os_str().to_owned();
        name.push(".lock");
        let path = PathBuf::from(name);
        let failed = |e: std::io::Error| ApiError::Config {
            message: format!(
                "cannot create or lock the lock file {} ({e}); make the data directory writable",
                path.display()
            ),
        };
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            let mut builder = std::fs::DirBuilder::new();
            builder.recursive(true);
            #[cfg(unix)]
            std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
            builder.create(dir).map_err(failed)?;
        }
        let mut opts = std::fs::OpenOptions::new();
        opts.write(true).create(true).truncate(false);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
        let file = opts.open(&path).map_err(failed)?;
        let deadline = Instant::now() + LOCK_WAIT;
        loop {
            match file.try_lock() {
                Ok(()) => return Ok(RefreshLock { _file: file }),
                Err(std::fs::TryLockError::WouldBlock) => {
                    if Instant::now() > deadline {
                        return Err(ApiError::Config {
                            message: format!(
                                "another sltui has been refreshing the OAuth tokens for over {} s \
                                 (it holds the lock on {}); stop that sltui or try again",
                                LOCK_WAIT.as_secs(),
                                path.display()
                            ),
                        });
                    }
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
                Err(std::fs::TryLockError::Error(e)) => return Err(failed(e)),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_refresh_lock_excludes_a_second_holder_until_dropped() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path();
        let token = dir.join("oauth/p.json");
        let first = RefreshLock::acquire(&token).await.unwrap();
        let second = tokio::spawn({
            let token = token.clone();
            async move { RefreshLock::acquire(&token).await.map(|_| ()) }
        });
        tokio::time::sleep(Duration::from_millis(200)).await;
        assert!(
            !second.is_finished(),
            "the second waits while the first holds it"
        );
        drop(first);
        tokio::time::timeout(Duration::from_secs(5), second)
            .await
            .expect("the second gets the lock once the first lets go")
            .unwrap()
            .unwrap();
    }

    #[tokio::test]
    async fn a_lock_file_left_by_a_dead_process_is_free() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path();
        let token = dir.join("oauth/p.json");
        std::fs::create_dir_all(token.parent().unwrap()).unwrap();
        // What a crashed sltui leaves: the file, with no process holding its lock.
        std::fs::write(dir.join("oauth/p.json.lock"), "4242\n").unwrap();
        let started = Instant::now();
        let lock = tokio::time::timeout(Duration::from_secs(5), RefreshLock::acquire(&token))
            .await
            .expect("not waited on")
            .unwrap();
        assert!(started.elapsed() < Duration::from_secs(2));
        drop(lock);
    }

    #[test]
    fn token_files_are_per_profile_and_escaped() {
        let d = Path::new("/data");
        assert_eq!(token_file(d, "work"), Path::new("/data/oauth/work.json"));
        assert_eq!(
            token_file(d, "../x y"),
            Path::new("/data/oauth/%2E%2E%2Fx%20y.json")
        );
        assert_ne!(token_file(d, "a.b"), token_file(d, "a_b"));
        assert_eq!(token_file(d, ""), Path::new("/data/oauth/%00.json"));
    }

    #[test]
    fn write_is_atomic_private_and_round_trips() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path();
        let path = dir.join("oauth/p.json");
        let tokens = StoredTokens {
            refresh_token: Some("r1".into()),
            access_token: Some("a1".into()),
            expires_at: Some(5),
            ..StoredTokens::default()
        };
        write_tokens(&path, &tokens).unwrap();
        assert_eq!(read_tokens(&path).unwrap(), Some(tokens.clone()));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode(&path), 0o600);
            assert_eq!(mode(path.parent().unwrap()), 0o700);
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
            write_tokens(&path, &tokens).unwrap();
            assert_eq!(mode(&path), 0o600, "a rewrite makes the file private again");
        }
        let names: Vec<_> = std::fs::read_dir(path.parent().unwrap())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names.len(), 1, "no temporary file is left: {names:?}");
        std::fs::write(&path, "{not json").unwrap();
        let err = read_tokens(&path).unwrap_err();
        assert!(
            err.contains("damaged") && err.contains("sltui auth import"),
            "{err}"
        );
        assert_eq!(read_tokens(&dir.join("none.json")).unwrap(), None);
    }
}
