//! `sltui webhooks`: the signed-webhook receiver, headless. One line per accepted
//! event (or a JSON object per line with `--json`), emails folded into the same
//! engagement aggregator the dashboard uses (keyed by email id, so a redelivered or
//! re-polled email never counts twice), and the counts when it stops (see
//! `webhooks_output`).

use std::collections::BTreeMap;

use anyhow::anyhow;
use chrono::Utc;

use super::args::WebhooksArgs;
use super::opts::GlobalOpts;
use super::webhooks_output::Output;
use crate::config::{self, Paths};
use crate::metrics::{Aggregator, TimeRange};
use crate::webhooks::{self, TokenSource};

pub async fn run(global: &GlobalOpts, args: WebhooksArgs) -> anyhow::Result<i32> {
    let paths = Paths::discover_with(global.config.as_deref())?;
    if global.config.is_some() && !paths.config_file.is_file() {
        anyhow::bail!(
            "config file {} does not exist; create it, or drop --config to use the default location",
            paths.config_file.display()
        );
    }
    let cfg = config::load(&paths.config_file)?.webhooks;
    let listen = args.listen.or(cfg.listen).ok_or_else(|| {
        anyhow!(
            "say where to listen: --listen 127.0.0.1:9000, or `listen` under [webhooks] in {}",
            paths.config_file.display()
        )
    })?;
    let source = match TokenSource::pick(args.token_env.as_deref(), args.token_cmd.as_deref())? {
        Some(s) => s,
        None => TokenSource::pick(cfg.token_env.as_deref(), cfg.token_cmd.as_deref())?
            .ok_or_else(|| {
                anyhow!(
                    "no webhook token: pass --token-env NAME or --token-cmd CMD, or set token_env / \
                     token_cmd under [webhooks] in {}",
                    paths.config_file.display()
                )
            })?,
    };
    let token = source.resolve()?;
    let (receiver, mut events) = webhooks::start(listen, token).await?;
    eprintln!(
        "sltui: listening for SalesLoft webhooks on {} (token from {}); Ctrl-C stops",
        receiver.url(),
        source.describe()
    );
    let mut out = Output {
        json: args.json,
        agg: Aggregator::new(TimeRange::All, Utc::now()),
        by_type: BTreeMap::new(),
    };
    let mut accepted = 0u64;
    let stop = stop_signal();
    tokio::pin!(stop);
    loop {
        if args.max_events.is_some_and(|max| accepted >= max) {
            break;
        }
        tokio::select! {
            ev = events.recv() => {
                let Some(ev) = ev else { break };
                accepted += 1;
                if !out.event(&ev) {
                    break; // stdout closed
                }
            }
            _ = &mut stop => break,
        }
    }
    let stats = receiver.stats();
    receiver.shutdown().await;
    out.summary(&stats);
    Ok(0)
}

/// Ctrl-C, or SIGTERM (a service manager stopping it): either way the counts are printed.
async fn stop_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        if let Ok(mut term) = signal(SignalKind::terminate()) {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = term.recv() => {}
            }
            return;
        }
    }
    let _ = tokio::signal::ctrl_c().await;
}
