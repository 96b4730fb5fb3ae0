//! Command-line interface: the command line (`Cli`, `Command`) and the dispatch
//! down to each subcommand. The options live in leaves the subcommands read
//! (`opts`: shared, `args`, `sim_args` and the subcommands' own files: each
//! command's); no file below imports this one.

mod alerts;
mod args;
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
mod opts;
#[cfg(test)]
mod parse_tests;
mod report;
mod script;
mod sim_args;
mod sim_cmd;
mod sim_webhooks;
mod spent;
mod sync_cmd;
mod target;
mod webhooks_cmd;
mod webhooks_output;

use clap::{Parser, Subcommand};

pub use args::{
    CostArgs, DoctorArgs, EnrollArgs, ReportArgs, ReportBy, ReportFormat, WebhooksArgs,
};
pub use opts::{API_KEY_ENV, ConfigOpts, DEFAULT_BASE_URL, GlobalOpts, TargetOpts};
pub use sim_args::SimArgs;

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
