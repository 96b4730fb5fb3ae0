//! `sltui hub --db postgres://…`: the team's one connection to SalesLoft, headless
//! (see [`crate::hub`]). One line on stderr per event worth knowing; Ctrl-C stops
//! it cleanly (the lead is released at once, so a standby takes over).

use anyhow::Context;
use clap::Args;

use super::dashboard_hooks::demo_key;
use super::{GlobalOpts, logging, target};
use crate::api::ApiClient;
use crate::hub::{self, HubOptions};
use crate::sim::SimConfig;
use crate::sync::CancelToken;

/// Exit code after Ctrl-C (128 + SIGINT), as shells expect.
const INTERRUPTED: i32 = 130;

#[derive(Debug, Clone, Args)]
pub struct HubArgs {
    #[command(flatten)]
    pub target: super::TargetOpts,
    /// This hub's name in the status line and the job log (default: host-pid).
    #[arg(long, value_name = "NAME")]
    pub name: Option<String>,
    /// Seconds between polls of emails, memberships and people.
    #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub poll_secs: u64,
    /// Seconds between syncs of every resource.
    #[arg(long, default_value_t = 600, value_parser = clap::value_parser!(u64).range(10..=86400))]
    pub full_every_secs: u64,
}

pub async fn run(global: &GlobalOpts, args: HubArgs) -> anyhow::Result<i32> {
    let target = target::resolve(global, true)?;
    for w in &target.warnings {
        eprintln!("sltui: warning: {w}");
    }
    // --db (after or before `hub`), else SLTUI_DATABASE_URL, else the profile's
    // db_url / db_url_env.
    let db = match global.db.clone() {
        Some(db) => Some(db),
        None => match std::env::var("SLTUI_DATABASE_URL") {
            Ok(db) => Some(db),
            Err(_) => target.profile.team_db_url().map_err(anyhow::Error::msg)?,
        },
    };
    let Some(db) = db.filter(|d| !d.trim().is_empty()) else {
        anyhow::bail!(
            "no database: pass --db postgres://USER@HOST/DB (or set SLTUI_DATABASE_URL); \
             the hub keeps the team's data in PostgreSQL"
        );
    };
    let _ = logging::init_file_logging(&target.paths.log_dir);
    let (sim, client) = if target.demo {
        let key = demo_key();
        let sim = crate::sim::start(SimConfig {
            addr: ([127, 0, 0, 1], 0).into(),
            api_key: key.clone(),
            live: true,
            ..SimConfig::default()
        })
        .await
        .context("could not start the embedded simulator for demo mode")?;
        let client = ApiClient::new(crate::api::ApiConfig::new(&sim.base_url(), Some(key)))?;
        (Some(sim), client)
    } else {
        if !target.has_credentials() {
            anyhow::bail!(
                "no API key for {}: set SALESLOFT_API_KEY, pass --api-key, or set api_key_env / \
                 api_key_cmd in profile {:?} of {} (or run `sltui hub --demo --db …`)",
                target.base_url,
                target.profile.name,
                target.paths.config_file.display()
            );
        }
        let client = ApiClient::new(target.api_config(&target.base_url))
            .with_context(|| format!("cannot use {}", target.base_url))?;
        (None, client)
    };
    let spent = super::spent::SayOnDrop(client.budget().clone());
    let mut opts = HubOptions::new(db, args.name.clone().unwrap_or_else(hub::default_name));
    opts.poll_secs = args.poll_secs;
    opts.full_every_secs = args.full_every_secs;
    opts.reserve = target.profile.budget_reserve;
    opts.share = target.profile.background_share;
    let stop = CancelToken::new();
    let interrupted = {
        let stop = stop.clone();
        tokio::spawn(async move {
            if tokio::signal::ctrl_c().await.is_ok() {
                eprintln!("\nsltui: stopping the hub (Ctrl-C again quits at once)");
                stop.cancel();
                if tokio::signal::ctrl_c().await.is_ok() {
                    std::process::exit(INTERRUPTED);
                }
                return true;
            }
            false
        })
    };
    let result = hub::run(client, opts, stop.clone()).await;
    let was_interrupted = stop.is_cancelled();
    interrupted.abort();
    if let Some(sim) = sim {
        sim.shutdown().await;
    }
    drop(spent);
    match result {
        Err(e) => {
            eprintln!("sltui: {e}");
            Ok(1)
        }
        Ok(()) if was_interrupted => Ok(INTERRUPTED),
        Ok(()) => Ok(0),
    }
}
