//! Where sltui keeps its files, following the platform's conventions (XDG on Linux).

use std::path::{Path, PathBuf};

use anyhow::Context;
use directories::ProjectDirs;

/// The config file, the data directory (local store, audit log) and the log directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Paths {
    pub config_file: PathBuf,
    pub data_dir: PathBuf,
    pub log_dir: PathBuf,
}

impl Paths {
    /// The platform's directories for `sltui`, e.g. on Linux `~/.config/sltui/config.toml`,
    /// `~/.local/share/sltui` and `~/.local/state/sltui`.
    pub fn discover() -> anyhow::Result<Paths> {
        let dirs = ProjectDirs::from("", "", "sltui").context(
            "cannot find the home directory to place sltui's files; set HOME, or pass --config",
        )?;
        let log_dir = match dirs.state_dir() {
            Some(state) => state.to_path_buf(),
            None => dirs.data_local_dir().join("logs"),
        };
        Ok(Paths {
            config_file: dirs.config_dir().join("config.toml"),
            data_dir: dirs.data_dir().to_path_buf(),
            log_dir,
        })
    }

    /// Like [`Paths::discover`], with the config file from `--config` when given.
    pub fn discover_with(config_file: Option<&Path>) -> anyhow::Result<Paths> {
        let paths = Paths::discover()?;
        Ok(match config_file {
            Some(path) => paths.with_config_file(path),
            None => paths,
        })
    }

    /// Replaces the config file (`--config PATH`).
    pub fn with_config_file(mut self, path: impl Into<PathBuf>) -> Paths {
        self.config_file = path.into();
        self
    }

    /// The local SQLite store.
    pub fn store_file(&self) -> PathBuf {
        self.data_dir.join("store.sqlite")
    }

    /// The profile's local store (the sync engine's database), e.g.
    /// `~/.local/share/sltui/stores/work.sqlite`; one per profile, so teams never mix.
    pub fn profile_store_file(&self, profile: &str) -> PathBuf {
        let mut name: String = profile
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || matches!(c, '-' | '_') {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        if name.is_empty() {
            name = "default".into();
        }
        self.data_dir.join("stores").join(format!("{name}.sqlite"))
    }

    /// The append-only log of mutations (enrollments) sltui made.
    pub fn audit_log(&self) -> PathBuf {
        self.data_dir.join("audit.log")
    }

    /// The profile's OAuth token file (refresh token and current access token),
    /// e.g. `~/.local/share/sltui/oauth/work.json`; written with mode 0600.
    pub fn token_file(&self, profile: &str) -> PathBuf {
        crate::api::auth::token_file(&self.data_dir, profile)
    }

    /// The tracing log; never the terminal the TUI draws on.
    pub fn log_file(&self) -> PathBuf {
        self.log_dir.join("sltui.log")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn discovered_paths_are_named_for_sltui_and_override_wins() {
        let Ok(paths) = Paths::discover() else {
            return; // no home directory in this environment
        };
        assert!(paths.config_file.ends_with("config.toml"));
        assert!(paths.config_file.to_string_lossy().contains("sltui"));
        assert!(paths.data_dir.to_string_lossy().contains("sltui"));
        assert!(paths.log_dir.to_string_lossy().contains("sltui"));
        assert!(paths.store_file().starts_with(&paths.data_dir));
        let store = paths.profile_store_file("../work team");
        assert!(store.starts_with(paths.data_dir.join("stores")));
        assert!(store.ends_with("___work_team.sqlite"), "{store:?}");
        let custom = Paths::discover_with(Some(Path::new("/tmp/x.toml"))).unwrap();
        assert_eq!(custom.config_file, PathBuf::from("/tmp/x.toml"));
        assert_eq!(custom.data_dir, paths.data_dir);
    }
}
