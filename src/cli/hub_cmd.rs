//! `sltui hub --db postgres://…`: the team's one connection to SalesLoft, headless
//! (see [`crate::hub`]). One line on stderr per event worth knowing; Ctrl-C stops
//! it cleanly (the lead is released at once, so a standby takes over).

use anyhow::Context;
use clap::Args;

use super::opts::GlobalOpts;
use super::{logging, target};
use crate::api::ApiClient;
use crate::hub::{self, HubOptions};
use crate::sync::CancelToken;

/// Exit code after Ctrl-C (128 + SIGINT), as shells expect.
const INTERRUPTED: i32 = 130;

#[derive(Debug, Clone, Args)]
pub struct HubArgs {
    #[command(flatten)]
    pub target: super::opts::TargetOpts,
    /// This hub's name in the status line and the job log (default: host-pid).
    #[arg(long, value_name = "NAME")]
    pub name: Option<String>,
    /// Seconds between polls of emails, memberships and people.
    #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub poll_secs: u64,
    /// Seconds between syncs of every resource.
    #[arg(long, default_value_t = 600, value_parser = clap::value_parser!(u64).range(10..=86400))]
    pub full_every_secs: u64,
    /// The address SalesLoft POSTs webhooks to (it must reach this hub's receiver,
    /// directly or through a proxy); the leader keeps a subscription per event type
    /// pointed at it.
    #[arg(long, value_name = "URL")]
    pub callback_url: Option<String>,
    /// Where this hub's webhook receiver listens (default: the profile's
    /// [webhooks] listen, else 0.0.0.0 on the callback URL's port, else 0.0.0.0:8787).
    /// Without --callback-url the receiver runs and subscriptions are left alone.
    #[arg(long, value_name = "ADDR")]
    pub webhook_listen: Option<std::net::SocketAddr>,
}

/// The hub's webhook settings from the flags and the profile's `[webhooks]`.
pub(super) fn hub_webhooks(
    args: &HubArgs,
    cfg: &crate::config::WebhooksConfig,
) -> anyhow::Result<Option<hub::HubWebhooks>> {
    if args.callback_url.is_none() && args.webhook_listen.is_none() {
        return Ok(None);
    }
    let callback_url = match args.callback_url.as_deref().map(str::trim) {
        Some(u) if !(u.starts_with("http://") || u.starts_with("https://")) || u.len() < 10 => {
            anyhow::bail!(
                "--callback-url must be the http:// or https:// address SalesLoft can reach, \
                 like https://hooks.example.com/sltui"
            )
        }
        Some(u) => Some(u.to_string()),
        None => None,
    };
    let listen = args
        .webhook_listen
        .or(cfg.listen)
        .unwrap_or_else(|| hub::default_listen(callback_url.as_deref()));
    let token =
        crate::webhooks::TokenSource::pick(cfg.token_env.as_deref(), cfg.token_cmd.as_deref())?
            .map(|source| source.resolve())
            .transpose()?;
    Ok(Some(hub::HubWebhooks {
        listen,
        callback_url,
        token,
    }))
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
    target.log_start("hub");
    let (sim, client) = if target.demo {
        super::demo::say("hub");
        let demo = super::demo::Demo::start(true).await?;
        (Some(demo.sim), demo.client)
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
    opts.webhooks = hub_webhooks(&args, &target.config.webhooks)?;
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
