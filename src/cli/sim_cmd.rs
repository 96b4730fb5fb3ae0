//! `sltui sim`: serve the simulator standalone until Ctrl-C.

use super::SimArgs;
use crate::sim::{SimConfig, start};

pub async fn run(args: SimArgs) -> anyhow::Result<i32> {
    if !(args.minute_secs.is_finite() && args.minute_secs > 0.0) {
        anyhow::bail!("--minute-secs must be a positive number of seconds");
    }
    let cfg = SimConfig {
        addr: args.addr,
        seed: args.seed,
        people: args.people,
        cadences: args.cadences,
        users: args.users,
        api_key: args.api_key,
        budget: args.budget,
        minute_secs: args.minute_secs,
        latency_ms: args.latency_ms,
        live: args.live,
        ..SimConfig::default()
    };
    eprintln!(
        "Generating {} people and {} cadences (seed {})...",
        cfg.people, cfg.cadences, cfg.seed
    );
    let handle = start(cfg.clone())
        .await
        .map_err(|e| anyhow::anyhow!("could not start the simulator on {}: {e:#}", cfg.addr))?;
    println!("SalesLoft simulator listening on {}", handle.base_url());
    println!(
        "Try: SALESLOFT_BASE_URL={} SALESLOFT_API_KEY=<the --api-key> sltui doctor",
        handle.base_url()
    );
    println!(
        "Budget: {} points per {} s window; live activity: {}. Ctrl-C stops it.",
        cfg.budget,
        cfg.minute_secs,
        if cfg.live { "on" } else { "off" }
    );
    tokio::signal::ctrl_c().await?;
    handle.shutdown().await;
    Ok(0)
}
