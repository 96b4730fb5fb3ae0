//! The options every command shares: the global ones (before any subcommand)
//! and the target and config options a subcommand takes again after its name.
//! A leaf: the subcommands and `target` read these, and it reads none of them.

use std::path::PathBuf;

use clap::Args;

/// The real API's base URL.
pub const DEFAULT_BASE_URL: &str = "https://api.salesloft.com/v2";
/// The environment variable `--api-key` is read from.
pub const API_KEY_ENV: &str = "SALESLOFT_API_KEY";

/// The dashboard's options, given before any subcommand (`sltui --profile team
/// report` keeps working). Each subcommand takes again only the ones that mean
/// something to it ([`TargetOpts`], [`ConfigOpts`], `--read-only` for enroll),
/// so `sltui sim --help` lists only the simulator's own.
#[derive(Debug, Clone, Default, Args)]
pub struct GlobalOpts {
    /// SalesLoft API base URL ("/v2" is added when missing).
    #[arg(long, env = "SALESLOFT_BASE_URL", value_name = "URL")]
    pub base_url: Option<String>,
    /// API key or OAuth access token, sent as `Authorization: Bearer`.
    #[arg(
        long,
        env = "SALESLOFT_API_KEY",
        hide_env_values = true,
        value_name = "KEY"
    )]
    pub api_key: Option<String>,
    /// Configuration file (default: config.toml in the user's config directory).
    #[arg(long, value_name = "PATH")]
    pub config: Option<PathBuf>,
    /// Profile from the configuration file.
    #[arg(long, value_name = "NAME")]
    pub profile: Option<String>,
    /// Run against the embedded simulator even when credentials are configured.
    #[arg(long)]
    pub demo: bool,
    /// Disable every mutation (enrollment, person edits).
    #[arg(long)]
    pub read_only: bool,
    /// The dashboard leaves the mouse to the terminal (its own text selection
    /// works; no click or wheel in the dashboard). Also `[ui] mouse = false`.
    #[arg(long)]
    pub no_mouse: bool,
    /// The team hub's PostgreSQL (postgres://…): the dashboard, report, enroll and
    /// alerts read from it and send SalesLoft nothing, doctor checks it (or db_url /
    /// db_url_env in the profile).
    #[arg(long, value_name = "URL")]
    pub db: Option<String>,
}

impl GlobalOpts {
    /// These options with a subcommand's own on top (a flag after the
    /// subcommand wins over one before it; the environment fills in below both).
    pub fn with(&self, t: &TargetOpts) -> GlobalOpts {
        GlobalOpts {
            base_url: t.base_url.clone().or_else(|| self.base_url.clone()),
            api_key: t.api_key.clone().or_else(|| self.api_key.clone()),
            demo: self.demo || t.demo,
            db: t.db.clone().or_else(|| self.db.clone()),
            ..self.with_config(&t.file)
        }
    }

    /// These options with a subcommand's `--config`/`--profile` on top.
    pub fn with_config(&self, c: &ConfigOpts) -> GlobalOpts {
        GlobalOpts {
            config: c.config.clone().or_else(|| self.config.clone()),
            profile: c.profile.clone().or_else(|| self.profile.clone()),
            ..self.clone()
        }
    }
}

/// `--config` and `--profile` after a subcommand.
#[derive(Debug, Clone, Default, Args)]
pub struct ConfigOpts {
    /// Configuration file (default: config.toml in the user's config directory).
    #[arg(long, value_name = "PATH")]
    pub config: Option<PathBuf>,
    /// Profile from the configuration file.
    #[arg(long, value_name = "NAME")]
    pub profile: Option<String>,
}

/// Which SalesLoft a scripting command talks to, after the subcommand.
#[derive(Debug, Clone, Default, Args)]
pub struct TargetOpts {
    /// SalesLoft API base URL ("/v2" is added when missing; env SALESLOFT_BASE_URL).
    #[arg(long, value_name = "URL")]
    pub base_url: Option<String>,
    /// API key or OAuth access token, sent as `Authorization: Bearer` (env SALESLOFT_API_KEY).
    #[arg(long, value_name = "KEY")]
    pub api_key: Option<String>,
    #[command(flatten)]
    pub file: ConfigOpts,
    /// Run against the embedded simulator even when credentials are configured.
    #[arg(long)]
    pub demo: bool,
    /// The team hub's PostgreSQL (postgres://…): `report`, `enroll` and `alerts` read
    /// from it and send SalesLoft nothing, `doctor` checks it; `hub` keeps it (env
    /// SLTUI_DATABASE_URL for the hub).
    #[arg(long, value_name = "URL")]
    pub db: Option<String>,
}
