//! Where sltui points: the embedded simulator (demo) or a real server, with which
//! key and which profile. Flags and environment win over the config file.

use anyhow::{Context, bail};

use super::opts::{API_KEY_ENV, DEFAULT_BASE_URL, GlobalOpts};
use crate::api::{Grant, OAuthSettings};
use crate::config::{self, Config, OAuthGrant, Paths, ResolvedProfile};

/// The resolved settings for one run.
pub struct Target {
    pub paths: Paths,
    pub config: Config,
    pub profile: ResolvedProfile,
    /// Run against the embedded simulator.
    pub demo: bool,
    /// Base URL of the real server (ignored in demo mode).
    pub base_url: String,
    /// The key, never printed.
    pub api_key: Option<String>,
    /// OAuth credentials from the profile, when it uses OAuth and no key was
    /// given by flag or environment. The client secret is never printed.
    pub oauth: Option<OAuthSettings>,
    /// Where the credential came from, in words (never the key itself): for
    /// the dashboard's auth-failed state.
    pub key_source: Option<String>,
    pub read_only: bool,
    /// A warning to show before the TUI starts (e.g. a world-readable config file).
    pub warnings: Vec<String>,
}

/// The configuration and the profile a run uses, before any credential is looked up.
pub struct Chosen {
    pub paths: Paths,
    pub config: Config,
    pub profile: ResolvedProfile,
    pub warnings: Vec<String>,
}

/// Reads the config (writing the commented default on first run) and picks the profile.
pub fn choose(global: &GlobalOpts) -> anyhow::Result<Chosen> {
    let paths = Paths::discover_with(global.config.as_deref())?;
    if let Some(explicit) = &global.config {
        // Only a missing file is refused here; anything else that is there (a
        // directory, an unreadable file) gets its own reason from `config::load`.
        let missing =
            std::fs::metadata(explicit).is_err_and(|e| e.kind() == std::io::ErrorKind::NotFound);
        if missing {
            bail!(
                "config file {} does not exist; create it, or drop --config to use the default location",
                explicit.display()
            );
        }
    } else if let Err(e) = config::write_default_if_missing(&paths.config_file) {
        // Not fatal: run on defaults, but say so.
        tracing::warn!("could not write the default config: {e:#}");
    }
    let mut warnings = Vec::new();
    if let Some(w) = config::warn_if_world_readable(&paths.config_file) {
        warnings.push(w);
    }
    let config = config::load(&paths.config_file)?;
    let profile = config.profile(global.profile.as_deref())?;
    Ok(Chosen {
        paths,
        config,
        profile,
        warnings,
    })
}

/// Reads the config (writing the commented default on first run), picks the
/// profile and decides demo versus real.
pub fn resolve(global: &GlobalOpts, allow_demo: bool) -> anyhow::Result<Target> {
    let Chosen {
        paths,
        config,
        profile,
        mut warnings,
    } = choose(global)?;
    let read_only = global.read_only || profile.read_only;

    let credentials_given = global.api_key.is_some() || global.base_url.is_some();
    let demo = allow_demo && (global.demo || (!credentials_given && profile.uses_simulator()));
    if demo {
        return Ok(Target {
            paths,
            config,
            profile,
            demo,
            base_url: String::new(),
            api_key: None,
            oauth: None,
            key_source: None,
            read_only,
            warnings,
        });
    }
    let base_url = global
        .base_url
        .clone()
        .or_else(|| profile.base_url.clone())
        .unwrap_or_else(|| DEFAULT_BASE_URL.to_string());
    let flag_key = global.api_key.clone().filter(|k| !k.trim().is_empty());
    let oauth = match (&flag_key, &profile.oauth) {
        (None, Some(_)) => Some(oauth_settings(&paths, &profile)?),
        _ => None,
    };
    if let Some(o) = &oauth
        && let Some(w) = config::warn_if_world_readable_as(&o.token_file, "OAuth token file")
    {
        warnings.push(w);
    }
    let key_source = profile.key_source(flag_key.as_deref(), API_KEY_ENV, oauth.is_some());
    let api_key = match flag_key {
        Some(k) => Some(k),
        None if oauth.is_some() => None,
        None => profile
            .api_key()
            .with_context(|| format!("profile {:?}: could not read the API key", profile.name))?,
    };
    Ok(Target {
        paths,
        config,
        profile,
        demo,
        base_url,
        api_key,
        oauth,
        key_source,
        read_only,
        warnings,
    })
}

/// `host[:port]` of a base URL.
pub fn server_label(base_url: &str) -> String {
    let rest = base_url.split_once("://").map_or(base_url, |(_, r)| r);
    rest.split('/').next().unwrap_or(rest).to_string()
}

impl Target {
    /// Whether there is a credential (an API key or OAuth) for a real server.
    pub fn has_credentials(&self) -> bool {
        self.api_key.is_some() || self.oauth.is_some()
    }

    /// What this run's store, audit entries and status bar are named after:
    /// `demo` for the embedded simulator, the profile's name, or, for the
    /// built-in demo profile pointed at a server by `--base-url`/`--api-key`,
    /// that server's `host[:port]` (never "demo": real data must not look like
    /// the demo's, nor share its store).
    pub fn label(&self) -> String {
        if self.demo {
            return crate::config::DEMO_PROFILE.to_string();
        }
        if self.profile.uses_simulator() {
            return server_label(&self.base_url);
        }
        self.profile.name.clone()
    }

    /// Says in the log file (call it once the file logging is set up) what
    /// `command` runs against and where the key came from, in the words of the
    /// auth-failed state and doctor ([`ResolvedProfile::key_source`]).
    pub fn log_start(&self, command: &str) {
        tracing::info!(
            command,
            target = %self.label(),
            demo = self.demo,
            key_source = self.key_source.as_deref().unwrap_or("none"),
            "starting"
        );
    }

    /// The client settings for `base_url` with this target's credentials.
    pub fn api_config(&self, base_url: &str) -> crate::api::ApiConfig {
        let mut cfg = crate::api::ApiConfig::new(base_url, self.api_key.clone());
        cfg.oauth = self.oauth.clone();
        cfg
    }
}

/// The profile's OAuth settings with the client secret looked up (this may run
/// `client_secret_cmd`, so call it before the TUI takes the terminal).
pub fn oauth_settings(paths: &Paths, profile: &ResolvedProfile) -> anyhow::Result<OAuthSettings> {
    let Some(o) = &profile.oauth else {
        bail!(
            "profile {:?} has no [profiles.{}.oauth] table",
            profile.name,
            profile.name
        );
    };
    let client_secret = o.client_secret(&profile.name)?;
    Ok(OAuthSettings {
        profile: profile.name.clone(),
        token_url: o.token_url().to_string(),
        client_id: o.client_id.trim().to_string(),
        client_secret,
        grant: match o.grant {
            OAuthGrant::RefreshToken => Grant::RefreshToken,
            OAuthGrant::ClientCredentials => Grant::ClientCredentials,
        },
        scope: o.scope.clone(),
        token_file: paths.token_file(&profile.name),
    })
}
