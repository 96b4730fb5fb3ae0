//! The options of doctor, cost, report, enroll and webhooks (the other
//! subcommands keep theirs beside their code). A leaf: the commands read them
//! and `Command` holds them.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{ArgGroup, Args, ValueEnum};

use super::opts::TargetOpts;

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
