//! Configuration: the TOML file, profiles for several teams, the keymap and the theme.
//!
//! ```toml
//! default_profile = "demo"
//! [ui]
//! refresh_secs = 5
//! [keys]
//! move_down = ["j", "down"]
//! [profiles.work]
//! api_key_env = "SALESLOFT_API_KEY"
//! ```
//!
//! API keys never live in the file: a profile names an environment variable
//! (`api_key_env`) or a command that prints the key (`api_key_cmd`).

mod alerts;
mod error;
mod file;
pub mod keymap;
mod keys;
pub mod oauth;
mod paths;
mod profile;
mod secret;
mod table;
pub mod theme;
pub mod views;
mod webhooks;

#[cfg(test)]
mod tests;

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use serde::Deserialize;
use serde::de::{self, Deserializer};

pub use alerts::{AlertMetric, AlertRule, Threshold};
pub use error::ConfigError;
pub use file::{
    DEFAULT_CONFIG, warn_if_world_readable, warn_if_world_readable_as, write_default_if_missing,
};
pub use keymap::{Action, Key, KeySpec, Keymap};
pub use oauth::{OAuthGrant, OAuthProfile};
pub use paths::Paths;
pub use profile::{ResolvedProfile, the_key_from};
pub use secret::run_secret_command;
pub use theme::{Theme, ThemeName, no_color_requested};
pub use webhooks::WebhooksConfig;

/// The built-in profile: the embedded simulator, no key, no real data.
pub const DEMO_PROFILE: &str = "demo";
/// The real SalesLoft API root (resources are under `/v2`).
pub const SALESLOFT_BASE_URL: &str = "https://api.salesloft.com";
pub const DEFAULT_BUDGET_RESERVE: f64 = 0.2;
/// Default share of every budget window the background sync may take.
pub const DEFAULT_BACKGROUND_SHARE: f64 = crate::budget::governor::DEFAULT_BULK_SHARE;
/// Default threshold above which a load asks first: 10% of SalesLoft's 600 points.
pub const DEFAULT_CONFIRM_ABOVE_POINTS: u32 = 60;

/// The whole config file.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// The profile used without `--profile`.
    pub default_profile: String,
    #[serde(deserialize_with = "table::section")]
    pub ui: UiConfig,
    /// Action name → key(s); each entry replaces that action's default keys.
    #[serde(deserialize_with = "keymap::deserialize_keys")]
    pub keys: HashMap<String, KeySpec>,
    #[serde(deserialize_with = "table::sections")]
    pub profiles: BTreeMap<String, ProfileConfig>,
    /// `[webhooks]`: the signed-webhook receiver inside the dashboard.
    #[serde(deserialize_with = "table::section")]
    pub webhooks: WebhooksConfig,
    /// `[[alerts]]`: rules for `sltui alerts`.
    pub alerts: Vec<AlertRule>,
    /// `[[views]]`: named views for the dashboard (the cadences table, the
    /// people search, a cadence's detail; the bad entries are skipped and
    /// reported together, the rest loads).
    #[serde(deserialize_with = "views::deserialize")]
    pub views: views::SavedViews,
    #[serde(rename = "api_key")]
    no_plain_api_key: NoPlainApiKey,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            default_profile: DEMO_PROFILE.to_string(),
            ui: UiConfig::default(),
            keys: HashMap::new(),
            profiles: BTreeMap::new(),
            webhooks: WebhooksConfig::default(),
            alerts: Vec::new(),
            views: views::SavedViews::default(),
            no_plain_api_key: NoPlainApiKey,
        }
    }
}

/// `[ui]`: defaults for every profile.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct UiConfig {
    /// Seconds between live polls.
    #[serde(deserialize_with = "refresh_secs")]
    pub refresh_secs: u64,
    /// The starting time range for rates; `0` means all time.
    pub time_range_days: u32,
    pub theme: ThemeName,
    /// The dashboard captures the mouse (click to select, wheel to scroll);
    /// `false` leaves it to the terminal, for its own text selection.
    pub mouse: bool,
}

impl Default for UiConfig {
    fn default() -> Self {
        UiConfig {
            refresh_secs: 5,
            time_range_days: 30,
            theme: ThemeName::Default,
            mouse: true,
        }
    }
}

/// `[profiles.NAME]`: one SalesLoft team (or the simulator).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProfileConfig {
    /// Use the embedded simulator instead of a server.
    #[serde(default)]
    pub simulator: bool,
    /// API root; defaults to [`SALESLOFT_BASE_URL`].
    #[serde(default)]
    pub base_url: Option<String>,
    /// Name of the environment variable holding the API key.
    #[serde(default)]
    pub api_key_env: Option<String>,
    /// Command (run with `sh -c`) whose standard output is the API key.
    #[serde(default)]
    pub api_key_cmd: Option<String>,
    #[serde(default, deserialize_with = "optional_refresh_secs")]
    pub refresh_secs: Option<u64>,
    #[serde(default = "default_budget_reserve", deserialize_with = "fraction")]
    pub budget_reserve: f64,
    /// The share of every budget window the background sync (and the people
    /// index walk) may take.
    #[serde(default = "default_background_share", deserialize_with = "share")]
    pub background_share: f64,
    /// Loads estimated above this many points ask first; default 10% of the budget.
    #[serde(default)]
    pub confirm_above_points: Option<u32>,
    #[serde(default)]
    pub read_only: bool,
    #[serde(default)]
    pub theme: Option<ThemeName>,
    /// `[profiles.NAME.oauth]`: OAuth instead of an API key.
    #[serde(default, deserialize_with = "table::optional_section")]
    pub oauth: Option<OAuthProfile>,
    /// The team database (`postgres://…`) a dashboard reads instead of SalesLoft.
    #[serde(default)]
    pub db_url: Option<String>,
    /// Name of the environment variable holding the team database's URL.
    #[serde(default)]
    pub db_url_env: Option<String>,
    #[serde(default, rename = "api_key")]
    no_plain_api_key: NoPlainApiKey,
}

impl Default for ProfileConfig {
    fn default() -> Self {
        ProfileConfig {
            simulator: false,
            base_url: None,
            api_key_env: None,
            api_key_cmd: None,
            refresh_secs: None,
            budget_reserve: DEFAULT_BUDGET_RESERVE,
            background_share: DEFAULT_BACKGROUND_SHARE,
            confirm_above_points: None,
            read_only: false,
            theme: None,
            oauth: None,
            db_url: None,
            db_url_env: None,
            no_plain_api_key: NoPlainApiKey,
        }
    }
}

/// Largest config file read: sltui's is a few KB, so a bigger one is the wrong file.
pub const MAX_CONFIG_BYTES: u64 = 1 << 20;

/// Reads the config file; a missing file gives the defaults. A file that is too big
/// or is not UTF-8 text is an error naming where it went wrong.
pub fn load(path: &Path) -> Result<Config, ConfigError> {
    use std::io::Read;
    let read_error = |source| ConfigError::Read {
        path: path.to_path_buf(),
        source,
    };
    #[cfg(unix)]
    {
        // Opening a named pipe or socket for reading would wait for a writer forever.
        use std::os::unix::fs::FileTypeExt;
        if let Ok(meta) = std::fs::metadata(path)
            && (meta.file_type().is_fifo() || meta.file_type().is_socket())
        {
            return Err(read_error(std::io::Error::other(
                "it is a named pipe or socket, not a file",
            )));
        }
    }
    let file = match std::fs::File::open(path) {
        Ok(file) => file,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Config::default()),
        Err(e) => return Err(read_error(e)),
    };
    let mut bytes = Vec::new();
    // `take`: never read a device or a runaway file whole.
    file.take(MAX_CONFIG_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(read_error)?;
    if bytes.len() as u64 > MAX_CONFIG_BYTES {
        return Err(ConfigError::Invalid {
            path: path.to_path_buf(),
            message: format!(
                "the file is larger than {} KiB; a sltui config is a few KB: is this the \
                 right file?",
                MAX_CONFIG_BYTES / 1024
            ),
        });
    }
    match std::str::from_utf8(&bytes) {
        Ok(text) => parse(path, text),
        Err(e) => Err(error::not_text(path, &bytes, &e)),
    }
}

/// Parses and checks config text; `path` is only used in error messages.
pub fn parse(path: &Path, text: &str) -> Result<Config, ConfigError> {
    let config: Config =
        toml::from_str(text).map_err(|e| ConfigError::from_toml(path, text, &e))?;
    config.check(path)?;
    Ok(config)
}

impl Config {
    fn check(&self, path: &Path) -> Result<(), ConfigError> {
        let invalid = |message: String| ConfigError::Invalid {
            path: path.to_path_buf(),
            message,
        };
        for (name, p) in &self.profiles {
            let problem = if p.api_key_env.is_some() && p.api_key_cmd.is_some() {
                Some("set either api_key_env or api_key_cmd, not both".to_string())
            } else if p.simulator && p.base_url.is_some() {
                Some("a profile uses either `simulator = true` or a base_url, not both".into())
            } else if p
                .api_key_env
                .as_deref()
                .is_some_and(|v| !secret::is_env_var_name(v))
            {
                Some(
                    "api_key_env must be the NAME of an environment variable (like \
                      SALESLOFT_API_KEY), not the key itself"
                        .into(),
                )
            } else if p
                .api_key_cmd
                .as_deref()
                .is_some_and(|c| c.trim().is_empty())
            {
                Some("api_key_cmd is empty".into())
            } else if p.oauth.is_some() && (p.api_key_env.is_some() || p.api_key_cmd.is_some()) {
                Some("a profile uses either an API key (api_key_env / api_key_cmd) or oauth, not both".into())
            } else if p.oauth.is_some() && p.simulator {
                Some("oauth needs a server (base_url), not `simulator = true`".into())
            } else if let Some(problem) = p.oauth.as_ref().and_then(OAuthProfile::problem) {
                Some(problem)
            } else if let Some(problem) = db_problem(p) {
                Some(problem)
            } else if let Some(url) = p.base_url.as_deref()
                && !(url.starts_with("https://") || url.starts_with("http://"))
            {
                Some(format!(
                    "base_url `{url}` must start with https:// (or http://)"
                ))
            } else {
                None
            };
            if let Some(problem) = problem {
                return Err(invalid(format!("[profiles.{name}]: {problem}")));
            }
        }
        if let Some(problem) = self.webhooks.problem() {
            return Err(invalid(problem));
        }
        self.keymap().map(|_| ()).map_err(|e| e.in_file(path))
    }

    /// The keymap: defaults plus the `[keys]` overrides.
    pub fn keymap(&self) -> Result<Keymap, ConfigError> {
        Keymap::from_config(&self.keys)
    }

    /// Profile names a user can pick: the built-in `demo` and the file's, sorted.
    pub fn profile_names(&self) -> Vec<String> {
        let mut names: Vec<String> = self.profiles.keys().cloned().collect();
        if !self.profiles.contains_key(DEMO_PROFILE) {
            names.push(DEMO_PROFILE.to_string());
        }
        names.sort();
        names
    }

    /// The named profile (or `default_profile`) with every default filled in.
    pub fn profile(&self, name: Option<&str>) -> Result<ResolvedProfile, ConfigError> {
        let name = name.unwrap_or(&self.default_profile);
        let demo = ProfileConfig {
            simulator: true,
            ..ProfileConfig::default()
        };
        let p = match self.profiles.get(name) {
            Some(p) => p,
            None if name == DEMO_PROFILE => &demo,
            None => {
                return Err(ConfigError::UnknownProfile {
                    name: name.to_string(),
                    known: self.profile_names(),
                });
            }
        };
        Ok(ResolvedProfile {
            name: name.to_string(),
            base_url: (!p.simulator).then(|| {
                p.base_url
                    .as_deref()
                    .unwrap_or(SALESLOFT_BASE_URL)
                    .trim_end_matches('/')
                    .to_string()
            }),
            api_key_env: p.api_key_env.clone(),
            api_key_cmd: p.api_key_cmd.clone(),
            oauth: p.oauth.clone(),
            refresh_secs: p.refresh_secs.unwrap_or(self.ui.refresh_secs),
            budget_reserve: p.budget_reserve,
            background_share: p.background_share,
            confirm_above_points: p
                .confirm_above_points
                .unwrap_or(DEFAULT_CONFIRM_ABOVE_POINTS),
            read_only: p.read_only,
            theme: p.theme.unwrap_or(self.ui.theme),
            time_range_days: self.ui.time_range_days,
            db_url: p.db_url.clone(),
            db_url_env: p.db_url_env.clone(),
        })
    }
}

/// What is wrong with a profile's team database settings.
fn db_problem(p: &ProfileConfig) -> Option<String> {
    if p.db_url.is_some() && p.db_url_env.is_some() {
        return Some("set either db_url or db_url_env, not both".into());
    }
    if let Some(var) = p.db_url_env.as_deref()
        && !secret::is_env_var_name(var)
    {
        return Some(
            "db_url_env must be the NAME of an environment variable (like SLTUI_DATABASE_URL), \
             not the URL itself"
                .into(),
        );
    }
    let url = p.db_url.as_deref()?.trim();
    if !(url.starts_with("postgres://") || url.starts_with("postgresql://")) {
        return Some(format!(
            "db_url `{}` must be a postgres:// URL",
            crate::redact::database_url(url)
        ));
    }
    None
}

fn default_budget_reserve() -> f64 {
    DEFAULT_BUDGET_RESERVE
}

fn fraction<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
    let v = f64::deserialize(d)?;
    if (0.0..=1.0).contains(&v) {
        Ok(v)
    } else {
        Err(de::Error::custom(format!(
            "budget_reserve is a fraction of the API budget between 0 and 1 (like 0.2), not {v}"
        )))
    }
}

fn default_background_share() -> f64 {
    DEFAULT_BACKGROUND_SHARE
}

fn share<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
    let v = f64::deserialize(d)?;
    if v > 0.0 && v <= 1.0 {
        Ok(v)
    } else {
        Err(de::Error::custom(format!(
            "background_share is the fraction of each minute's API budget the background sync \
             may take, above 0 and at most 1 (like 0.2), not {v}"
        )))
    }
}

fn refresh_secs<'de, D: Deserializer<'de>>(d: D) -> Result<u64, D::Error> {
    let v = u64::deserialize(d)?;
    if (1..=3600).contains(&v) {
        Ok(v)
    } else {
        Err(de::Error::custom(format!(
            "refresh_secs must be between 1 and 3600 seconds, not {v}"
        )))
    }
}

fn optional_refresh_secs<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u64>, D::Error> {
    refresh_secs(d).map(Some)
}

/// Present only to reject `api_key = ...` with a helpful message.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
struct NoPlainApiKey;

impl<'de> Deserialize<'de> for NoPlainApiKey {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        // Consume the value without ever putting it in the message.
        de::IgnoredAny::deserialize(d)?;
        Err(de::Error::custom(
            "a plain-text `api_key` is not allowed in the config file; put the key in an \
             environment variable and set `api_key_env = \"VARIABLE_NAME\"`, or set \
             `api_key_cmd` to a command that prints it (like \"pass show salesloft\")",
        ))
    }
}
