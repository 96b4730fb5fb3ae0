//! Command-line interface: global options, subcommands and dispatch.

mod alerts;
mod auth_cmd;
mod cadence_cmd;
mod cost_cmd;
mod dashboard;
mod dashboard_hooks;
mod dashboard_hub;
mod demo;
mod doctor;
mod doctor_db;
mod enroll;
mod hub_cmd;
mod hub_db;
mod logging;
#[cfg(test)]
mod parse_tests;
mod report;
mod script;
mod sim_cmd;
mod sim_webhooks;
mod spent;
mod sync_cmd;
mod target;
mod webhooks_cmd;
mod webhooks_output;

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{ArgGroup, Args, Parser, Subcommand, ValueEnum};

/// The real API's base URL.
pub const DEFAULT_BASE_URL: &str = "https://api.salesloft.com/v2";
/// The environment variable `--api-key` is read from.
pub const API_KEY_ENV: &str = "SALESLOFT_API_KEY";

#[derive(Debug, Parser)]
#[command(
    name = "sltui",
    version,
    about = "A terminal dashboard for SalesLoft: cadences, people, live engagement, enrollment, and the team's API budget.",
    long_about = None,
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalOpts,
    #[command(subcommand)]
    pub command: Option<Command>,
}

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

// Parsed once per run: the size of the simulator's many flags does not matter.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the SalesLoft simulator on loopback until stopped.
    Sim(SimArgs),
    /// Check reachability, authentication, budget headers and the main endpoints.
    Doctor(DoctorArgs),
    /// Compare what reading N records costs by page walk and by cursor walk.
    Cost(CostArgs),
    /// Print engagement and outcomes per cadence, or per step, template, day or week.
    Report(ReportArgs),
    /// Enroll people into a cadence, exactly once each; one line per person.
    Enroll(EnrollArgs),
    /// The OAuth tokens of a profile: status, import a refresh token, logout.
    Auth(auth_cmd::AuthArgs),
    /// Receive SalesLoft's signed webhooks; one line per accepted event.
    Webhooks(WebhooksArgs),
    /// Read the team's records into the local store (cost-optimal, resumable).
    Sync(sync_cmd::SyncArgs),
    /// The team's one connection to SalesLoft: sync, live poll and enrollment jobs
    /// into PostgreSQL (leader election: run several, one works).
    Hub(hub_cmd::HubArgs),
    /// Evaluate the [[alerts]] rules once: print the firing ones; exit 1 if any fires.
    Alerts(alerts::AlertsArgs),
    /// Export a cadence's definition as JSON, or import one as a new cadence.
    Cadence(cadence_cmd::CadenceArgs),
}

#[derive(Debug, Clone, Args)]
pub struct SimArgs {
    /// Address to listen on (port 0 picks a free port).
    #[arg(long, default_value = "127.0.0.1:7878")]
    pub addr: SocketAddr,
    /// Seed of the generated dataset (same seed, same data).
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// Number of people.
    #[arg(long, default_value_t = 5000)]
    pub people: usize,
    /// Number of cadences.
    #[arg(long, default_value_t = 40)]
    pub cadences: usize,
    /// Number of users (reps) on the team.
    #[arg(long, default_value_t = 12)]
    pub users: usize,
    /// The bearer token clients must send.
    #[arg(long, default_value = "demo-key")]
    pub api_key: String,
    /// Cost points allowed per budget window.
    #[arg(long, default_value_t = 600)]
    pub budget: u32,
    /// Length of the budget window in seconds (shorten it for tests and benchmarks).
    #[arg(long, default_value_t = 60.0)]
    pub minute_secs: f64,
    /// Added latency per request, in milliseconds.
    #[arg(long, default_value_t = 0)]
    pub latency_ms: u64,
    /// Let time move: new sends, opens, clicks, replies and bounces arrive continuously.
    #[arg(long)]
    pub live: bool,
    /// Chance (0 to 1) that a request meets one of --faults (reproducible from --seed).
    #[arg(long, default_value_t = 0.0, value_name = "F", value_parser = sim_cmd::fraction)]
    pub fault_rate: f64,
    /// Faults to inject, comma-separated: 5xx, timeout, reset, malformed, slow.
    #[arg(long, value_name = "LIST", value_delimiter = ',', value_parser = sim_cmd::fault)]
    pub faults: Vec<crate::sim::faults::FaultKind>,
    /// How long a `timeout` fault holds a request, in milliseconds.
    #[arg(long, default_value_t = 30_000, value_name = "MS")]
    pub fault_timeout_ms: u64,
    /// Random extra latency per request, up to this many milliseconds.
    #[arg(long, default_value_t = 0, value_name = "N")]
    pub latency_jitter_ms: u64,
    /// Start an outage (every request fails with 503) this many seconds after start.
    #[arg(long, value_name = "S", value_parser = sim_cmd::secs)]
    pub outage_after: Option<f64>,
    /// How long the outage lasts, in seconds.
    #[arg(long, value_name = "D", value_parser = sim_cmd::secs)]
    pub outage_secs: Option<f64>,
    /// Fraction (0 to 1) of each budget window spent by other integrations of the team.
    #[arg(long, default_value_t = 0.0, value_name = "F", value_parser = sim_cmd::fraction)]
    pub other_load: f64,
    /// POST signed webhooks (email_updated, cadence_membership_*, person_*) for every change to URL.
    #[arg(long, value_name = "URL", requires = "webhook_token")]
    pub webhook_url: Option<String>,
    /// The callback token the webhooks are signed with (HMAC-SHA1).
    #[arg(long, value_name = "T", requires = "webhook_url")]
    pub webhook_token: Option<String>,
    /// Seconds between the retries of a failed delivery (three retries, like SalesLoft).
    #[arg(long, default_value_t = 15.0, value_name = "S", value_parser = sim_cmd::secs)]
    pub webhook_retry_secs: f64,
    /// Lifetime of the OAuth access tokens `POST /oauth/token` issues, in seconds.
    #[arg(long, default_value_t = 7200, value_name = "S", value_parser = clap::value_parser!(u64).range(1..))]
    pub token_expiry_secs: u64,
    /// The client_id of the simulated OAuth app.
    #[arg(long, default_value = "demo-client-id", value_name = "ID")]
    pub oauth_client_id: String,
    /// The client_secret of the simulated OAuth app.
    #[arg(long, default_value = "demo-client-secret", value_name = "SECRET")]
    pub oauth_client_secret: String,
    /// Revoke the API key this many seconds after the start: from then on every request with
    /// it is refused (401), as when an admin revokes the key while a dashboard runs.
    #[arg(long, value_name = "S", value_parser = sim_cmd::secs)]
    pub revoke_key_after: Option<f64>,
    #[command(flatten)]
    pub pessimism: sim_cmd::PessimismArgs,
}

#[derive(Debug, Clone, Args)]
pub struct DoctorArgs {
    #[command(flatten)]
    pub target: TargetOpts,
    /// Write a diagnostic folder (every secret redacted) to DIR.
    #[arg(long, value_name = "DIR")]
    pub bundle: Option<PathBuf>,
}

#[derive(Debug, Clone, Args)]
pub struct CostArgs {
    /// Number of records to read.
    #[arg(long)]
    pub records: u64,
    /// Records per page for the page walk (1-100).
    #[arg(long, default_value_t = 100, value_parser = clap::value_parser!(u64).range(1..=100))]
    pub per_page: u64,
    /// Points the team may spend a minute.
    #[arg(long, default_value_t = 600, value_parser = clap::value_parser!(u64).range(1..))]
    pub budget: u64,
}

/// How `report` prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReportFormat {
    /// Aligned columns with percentages.
    Table,
    /// A header and one row per cadence; rates as fractions, empty when undefined.
    Csv,
    /// An array of objects; rates as fractions or null.
    Json,
}

#[derive(Debug, Clone, Args)]
pub struct ReportArgs {
    #[command(flatten)]
    pub target: TargetOpts,
    /// Only this cadence (repeat for several; default: every cadence).
    #[arg(long = "cadence", value_name = "ID")]
    pub cadences: Vec<u64>,
    /// Only emails sent in the last N days (default: all time).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub days: Option<u32>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = ReportFormat::Table)]
    pub format: ReportFormat,
    /// Rows per cadence (default), per step of one --cadence, per template of one
    /// --step, or per day or week and cadence.
    #[arg(long, value_enum, default_value_t = ReportBy::Cadence)]
    pub by: ReportBy,
    /// The step whose templates `--by template` compares.
    #[arg(long, value_name = "ID")]
    pub step: Option<u64>,
}

/// What one row of `report` is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReportBy {
    /// One row per cadence: engagement, outcomes, calls.
    Cadence,
    /// One row per step of the cadence, in order (needs one --cadence).
    Step,
    /// One row per email template of a step, against the step's leader (needs --cadence and --step).
    Template,
    /// One row per UTC day and cadence.
    Day,
    /// One row per ISO week (Monday first, UTC) and cadence.
    Week,
}

#[derive(Debug, Clone, Args)]
#[command(group(ArgGroup::new("who").required(true).multiple(true).args(["people", "emails"])))]
pub struct EnrollArgs {
    #[command(flatten)]
    pub target: TargetOpts,
    /// Refuse every enrollment (say what was refused).
    #[arg(long)]
    pub read_only: bool,
    /// The cadence to enroll into: its id, or its exact name.
    #[arg(long, value_name = "ID|NAME")]
    pub cadence: String,
    /// A person by id or by exact email address (repeatable).
    #[arg(long = "person", value_name = "ID|EMAIL")]
    pub people: Vec<String>,
    /// A person by exact email address (repeatable).
    #[arg(long = "email", value_name = "ADDR")]
    pub emails: Vec<String>,
    /// Start at this step of the cadence (default: its first step).
    #[arg(long, value_name = "ID")]
    pub step: Option<u64>,
    /// Add them on behalf of this teammate (an id, an email address or an exact
    /// name): a team cadence takes any teammate, a personal cadence only its
    /// owner. Default: the key's own user.
    #[arg(long, value_name = "ID|EMAIL|NAME")]
    pub user: Option<String>,
    /// Change nothing: say what would happen, from reads only.
    #[arg(long)]
    pub dry_run: bool,
}

#[derive(Debug, Clone, Args)]
pub struct WebhooksArgs {
    /// Configuration file (default: config.toml in the user's config directory).
    #[arg(long, value_name = "PATH")]
    pub config: Option<PathBuf>,
    /// Address to listen on, like 127.0.0.1:9000 (default: `listen` under [webhooks]).
    #[arg(long, value_name = "ADDR")]
    pub listen: Option<SocketAddr>,
    /// Environment variable holding the subscription's callback_token.
    #[arg(long, value_name = "NAME", conflicts_with = "token_cmd")]
    pub token_env: Option<String>,
    /// Command (run with `sh -c`) that prints the callback_token.
    #[arg(long, value_name = "CMD")]
    pub token_cmd: Option<String>,
    /// One JSON object per line, and a final {"summary": ...} line.
    #[arg(long)]
    pub json: bool,
    /// Stop after N accepted events.
    #[arg(long, value_name = "N")]
    pub max_events: Option<u64>,
}

/// Runs the parsed command line; the returned code becomes the process exit code.
pub async fn run(cli: Cli) -> anyhow::Result<i32> {
    let on_db = matches!(
        cli.command,
        None | Some(
            Command::Report(_)
                | Command::Enroll(_)
                | Command::Alerts(_)
                | Command::Doctor(_)
                | Command::Hub(_)
        )
    );
    let db_given = cli.global.db.is_some()
        || match &cli.command {
            Some(Command::Doctor(a)) => a.target.db.is_some(),
            Some(Command::Sync(a)) => a.target.db.is_some(),
            _ => false,
        };
    if db_given && !on_db {
        anyhow::bail!(
            "--db works with the dashboard (no command), report, enroll, alerts, doctor and hub; drop it here"
        );
    }
    match cli.command {
        Some(Command::Sim(args)) => sim_cmd::run(args).await,
        Some(Command::Doctor(args)) => doctor::run(&cli.global.with(&args.target), args).await,
        Some(Command::Cost(args)) => Ok(cost_cmd::run(&args)),
        Some(Command::Report(args)) => report::run(&cli.global.with(&args.target), args).await,
        Some(Command::Enroll(args)) => {
            let mut global = cli.global.with(&args.target);
            global.read_only |= args.read_only;
            enroll::run(&global, args).await
        }
        Some(Command::Auth(args)) => {
            let file = ConfigOpts {
                config: args.file.config.clone(),
                profile: args.file.profile.clone(),
            };
            auth_cmd::run(&cli.global.with_config(&file), args).await
        }
        Some(Command::Webhooks(args)) => {
            let file = ConfigOpts {
                config: args.config.clone(),
                profile: None,
            };
            webhooks_cmd::run(&cli.global.with_config(&file), args).await
        }
        Some(Command::Sync(args)) => sync_cmd::run(&cli.global.with(&args.target), args).await,
        Some(Command::Hub(args)) => hub_cmd::run(&cli.global.with(&args.target), args).await,
        Some(Command::Alerts(args)) => alerts::run(&cli.global.with(&args.target), args).await,
        Some(Command::Cadence(args)) => {
            let mut global = cli.global.with(args.target());
            global.read_only |= args.read_only();
            cadence_cmd::run(&global, args).await
        }
        None => dashboard::run(&cli.global).await,
    }
}
