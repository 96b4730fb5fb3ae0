//! A profile with every default filled in, and the API key lookup.

use super::{ConfigError, ThemeName};

/// A profile ready to use: the file's values over the `[ui]` values over the defaults.
///
/// Holds where the API key comes from, never the key itself.
#[derive(Debug, Clone, PartialEq)]
pub struct ResolvedProfile {
    pub name: String,
    /// `None`: the embedded simulator. Otherwise the API root without `/v2`,
    /// e.g. `https://api.salesloft.com`.
    pub base_url: Option<String>,
    pub api_key_env: Option<String>,
    pub api_key_cmd: Option<String>,
    /// OAuth instead of an API key (the secret is looked up on demand).
    pub oauth: Option<super::OAuthProfile>,
    pub refresh_secs: u64,
    /// Fraction of the per-minute API budget kept for the user's own actions.
    pub budget_reserve: f64,
    /// Fraction of each budget window the background sync may take.
    pub background_share: f64,
    /// The dashboard asks before a load estimated above this many points.
    pub confirm_above_points: u32,
    pub read_only: bool,
    pub theme: ThemeName,
    /// `0` means all time.
    pub time_range_days: u32,
    /// The team database's URL (`db_url`), or where to find it (`db_url_env`).
    pub db_url: Option<String>,
    pub db_url_env: Option<String>,
}

/// "the key from SOURCE" ([`ResolvedProfile::key_source`]), or "the key".
pub fn the_key_from(source: Option<&str>) -> String {
    match source {
        Some(s) => format!("the key from {s}"),
        None => "the key".to_string(),
    }
}

impl ResolvedProfile {
    pub fn uses_simulator(&self) -> bool {
        self.base_url.is_none()
    }

    /// Where a run's credential comes from, in the one wording doctor, the
    /// dashboard's auth-failed state and the logs use (never the key, nor the
    /// profile's command, which may hold one): `--api-key`, `env VAR` (the flag's
    /// variable `env_var`: clap reads both into the flag, so a flag equal to the
    /// variable is the variable), `OAuth of profile NAME`, `env VAR (api_key_env
    /// of profile NAME)`, `api_key_cmd of profile NAME`; `None` without one.
    pub fn key_source(&self, flag_key: Option<&str>, env_var: &str, oauth: bool) -> Option<String> {
        let name = &self.name;
        if let Some(key) = flag_key {
            let from_env = std::env::var(env_var).is_ok_and(|v| v == key);
            return Some(if from_env {
                format!("env {env_var}")
            } else {
                "--api-key".to_string()
            });
        }
        if oauth {
            return Some(format!("OAuth of profile {name}"));
        }
        match (&self.api_key_env, &self.api_key_cmd) {
            (Some(var), _) => Some(format!("env {var} (api_key_env of profile {name})")),
            (None, Some(_)) => Some(format!("api_key_cmd of profile {name}")),
            (None, None) => None,
        }
    }

    /// The team database's URL: `db_url`, or the value of the variable named by
    /// `db_url_env`; `Ok(None)` when the profile names neither. The error never
    /// shows the URL (it may hold a password).
    pub fn team_db_url(&self) -> Result<Option<String>, String> {
        if let Some(var) = &self.db_url_env {
            let value = std::env::var(var).unwrap_or_default();
            if value.trim().is_empty() {
                return Err(format!(
                    "profile `{}`: db_url_env names {var}, which is empty or not set; set it \
                     to the team database's postgres:// URL",
                    self.name
                ));
            }
            return Ok(Some(value.trim().to_string()));
        }
        Ok(self.db_url.clone())
    }

    /// Looks the API key up: from the environment variable named by `api_key_env`, or from
    /// the trimmed standard output of `api_key_cmd` run with `sh -c`. `Ok(None)` when the
    /// profile names neither (the simulator needs no key).
    ///
    /// The command inherits stdin and stderr, so a password manager can prompt: call this
    /// before the terminal switches to the TUI.
    pub fn api_key(&self) -> Result<Option<String>, ConfigError> {
        if let Some(var) = &self.api_key_env {
            let value = std::env::var(var).unwrap_or_default();
            let key = value.trim();
            if key.is_empty() {
                return Err(ConfigError::ApiKeyEnv {
                    profile: self.name.clone(),
                    var: var.clone(),
                });
            }
            return Ok(Some(key.to_string()));
        }
        match &self.api_key_cmd {
            Some(cmd) => self.run_key_command(cmd).map(Some),
            None => Ok(None),
        }
    }

    fn run_key_command(&self, cmd: &str) -> Result<String, ConfigError> {
        super::secret::run_secret_command(cmd).map_err(|failure| ConfigError::ApiKeyCmd {
            profile: self.name.clone(),
            command: cmd.to_string(),
            failure,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn profile(env: Option<&str>, cmd: Option<&str>) -> ResolvedProfile {
        ResolvedProfile {
            name: "work".into(),
            base_url: Some("https://api.salesloft.com".into()),
            api_key_env: env.map(String::from),
            api_key_cmd: cmd.map(String::from),
            oauth: None,
            refresh_secs: 5,
            budget_reserve: 0.2,
            background_share: 0.2,
            confirm_above_points: 60,
            read_only: false,
            theme: ThemeName::Default,
            time_range_days: 30,
            db_url: None,
            db_url_env: None,
        }
    }

    #[test]
    fn key_from_env() {
        // PATH is set in any test environment; no set_var needed.
        let path = std::env::var("PATH").unwrap();
        assert_eq!(
            profile(Some("PATH"), None).api_key().unwrap(),
            Some(path.trim().to_string())
        );
        let err = profile(Some("SLTUI_TEST_SURELY_UNSET_7d1f"), None)
            .api_key()
            .unwrap_err();
        let text = err.to_string();
        assert!(
            text.contains("SLTUI_TEST_SURELY_UNSET_7d1f") && text.contains("`work`"),
            "{text}"
        );
    }

    #[test]
    fn key_from_command_is_trimmed() {
        let p = profile(None, Some("printf '  abc123\\n'"));
        assert_eq!(p.api_key().unwrap(), Some("abc123".into()));
        assert_eq!(
            p.key_source(None, "SLTUI_TEST_UNSET_1a", false).as_deref(),
            Some("api_key_cmd of profile work"),
            "the command (it may hold a key) is not shown"
        );
    }

    #[test]
    fn failing_command_error_hides_its_output() {
        // The command prints "hunter2-secret", a string its own text does not contain.
        let err = profile(None, Some("printf 'hunter%s' 2-secret; exit 3"))
            .api_key()
            .unwrap_err();
        let text = err.to_string();
        assert!(text.contains("exit status 3"), "{text}");
        assert!(text.contains("`work`"), "{text}");
        assert!(!text.contains("hunter2-secret"), "{text}");
        let err = profile(None, Some("true")).api_key().unwrap_err();
        assert!(err.to_string().contains("printed nothing"), "{err}");
    }

    #[test]
    fn team_db_url_from_the_profile_or_its_variable() {
        assert_eq!(profile(None, None).team_db_url(), Ok(None));
        let p = ResolvedProfile {
            db_url: Some("postgres://h/db".into()),
            ..profile(None, None)
        };
        assert_eq!(p.team_db_url(), Ok(Some("postgres://h/db".into())));
        let path = std::env::var("PATH").unwrap();
        let p = ResolvedProfile {
            db_url_env: Some("PATH".into()),
            ..profile(None, None)
        };
        assert_eq!(p.team_db_url(), Ok(Some(path.trim().to_string())));
        let p = ResolvedProfile {
            db_url_env: Some("SLTUI_TEST_SURELY_UNSET_9c2e".into()),
            ..profile(None, None)
        };
        let err = p.team_db_url().unwrap_err();
        assert!(err.contains("SLTUI_TEST_SURELY_UNSET_9c2e"), "{err}");
    }

    #[test]
    fn no_key_source_means_no_key() {
        let p = ResolvedProfile {
            base_url: None,
            ..profile(None, None)
        };
        assert!(p.uses_simulator());
        assert_eq!(p.api_key().unwrap(), None);
        assert_eq!(p.key_source(None, "SLTUI_TEST_UNSET_1a", false), None);
    }

    #[test]
    fn the_key_source_in_one_wording() {
        let p = profile(Some("TEAM_KEY"), None);
        let src = |flag: Option<&str>, var: &str, oauth: bool| p.key_source(flag, var, oauth);
        assert_eq!(
            src(Some("k"), "SLTUI_TEST_UNSET_1a", false).as_deref(),
            Some("--api-key")
        );
        // PATH is set: a flag equal to the variable came from it.
        let path = std::env::var("PATH").unwrap();
        assert_eq!(src(Some(&path), "PATH", false).as_deref(), Some("env PATH"));
        assert_eq!(
            src(None, "PATH", true).as_deref(),
            Some("OAuth of profile work")
        );
        assert_eq!(
            src(None, "PATH", false).as_deref(),
            Some("env TEAM_KEY (api_key_env of profile work)")
        );
    }
}
