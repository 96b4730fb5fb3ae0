//! Where sltui points: the embedded simulator (demo) or a real server, with which
//! key and which profile. Flags and environment win over the config file.

use anyhow::{Context, bail};

use super::{DEFAULT_BASE_URL, GlobalOpts};
use crate::config::{self, Config, Paths, ResolvedProfile};

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
    pub read_only: bool,
    /// A warning to show before the TUI starts (e.g. a world-readable config file).
    pub warnings: Vec<String>,
}

/// Reads the config (writing the commented default on first run), picks the
/// profile and decides demo versus real.
pub fn resolve(global: &GlobalOpts, allow_demo: bool) -> anyhow::Result<Target> {
    let paths = Paths::discover_with(global.config.as_deref())?;
    if let Some(explicit) = &global.config {
        if !explicit.is_file() {
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
            read_only,
            warnings,
        });
    }
    let base_url = global
        .base_url
        .clone()
        .or_else(|| profile.base_url.clone())
        .unwrap_or_else(|| DEFAULT_BASE_URL.to_string());
    let api_key = match global.api_key.clone().filter(|k| !k.trim().is_empty()) {
        Some(k) => Some(k),
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
        read_only,
        warnings,
    })
}
