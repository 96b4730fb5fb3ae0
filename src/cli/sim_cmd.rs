//! `sltui sim`: serve the simulator standalone until Ctrl-C.

use super::sim_args::SimArgs;
use super::sim_webhooks;
use crate::sim::faults::FaultKind;
use crate::sim::{SimConfig, start};

/// The simulator's settings from the flags, with the combinations checked.
pub(super) fn config(args: SimArgs) -> anyhow::Result<SimConfig> {
    if !(args.minute_secs.is_finite() && args.minute_secs > 0.0) {
        anyhow::bail!("--minute-secs must be a positive number of seconds");
    }
    if args.fault_rate > 0.0 && args.faults.is_empty() {
        anyhow::bail!(
            "--fault-rate needs --faults (some of 5xx,timeout,reset,malformed,slow) to say which faults"
        );
    }
    if !args.faults.is_empty() && args.fault_rate == 0.0 {
        anyhow::bail!("--faults needs --fault-rate F (0 < F <= 1) to inject anything");
    }
    match (args.outage_after, args.outage_secs) {
        (Some(_), None) => anyhow::bail!("--outage-after needs --outage-secs D (how long)"),
        (None, Some(_)) => anyhow::bail!("--outage-secs needs --outage-after S (when it starts)"),
        _ => {}
    }
    let mut kinds: Vec<FaultKind> = Vec::new();
    for k in args.faults {
        if !kinds.contains(&k) {
            kinds.push(k);
        }
    }
    let cfg = SimConfig {
        pessimism: args.pessimism.pessimism(),
        non_admin: args.pessimism.non_admin,
        all_public: args.pessimism.all_public,
        revoke_key_after_secs: args.revoke_key_after,
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
        fault_rate: args.fault_rate,
        faults: kinds,
        fault_timeout_ms: args.fault_timeout_ms,
        latency_jitter_ms: args.latency_jitter_ms,
        outage_after_secs: args.outage_after,
        outage_secs: args.outage_secs.unwrap_or(0.0),
        other_load: args.other_load,
        oauth: crate::sim::oauth::OAuthConfig {
            client_id: args.oauth_client_id,
            client_secret: args.oauth_client_secret,
            token_expiry_secs: args.token_expiry_secs,
            ..Default::default()
        },
        webhook: sim_webhooks::webhook_target(
            &args.webhook_url,
            &args.webhook_token,
            args.webhook_retry_secs,
        )?,
        ..SimConfig::default()
    };
    cfg.fault_config()?;
    Ok(cfg)
}

/// One line about the faults in force, when there are any.
pub(super) fn fault_summary(cfg: &SimConfig) -> Option<String> {
    let mut parts = Vec::new();
    if cfg.fault_rate > 0.0 {
        let names: Vec<&str> = cfg.faults.iter().map(|k| k.name()).collect();
        let holds = cfg
            .faults
            .iter()
            .any(|k| matches!(k, FaultKind::Timeout | FaultKind::Slow));
        let held = if holds {
            format!(" (timeouts hold {} ms)", cfg.fault_timeout_ms)
        } else {
            String::new()
        };
        parts.push(format!(
            "{}% of requests meet {}{held}",
            cfg.fault_rate * 100.0,
            names.join(","),
        ));
    }
    if cfg.latency_jitter_ms > 0 {
        parts.push(format!("latency jitter up to {} ms", cfg.latency_jitter_ms));
    }
    if let Some(after) = cfg.outage_after_secs.filter(|_| cfg.outage_secs > 0.0) {
        parts.push(format!("outage from {after} s for {} s", cfg.outage_secs));
    }
    if cfg.other_load > 0.0 {
        parts.push(format!(
            "other integrations spend {}% of each window",
            cfg.other_load * 100.0
        ));
    }
    (!parts.is_empty()).then(|| format!("Faults (seed {}): {}.", cfg.seed, parts.join("; ")))
}

pub async fn run(args: SimArgs) -> anyhow::Result<i32> {
    let cfg = config(args)?;
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
    if let Some(line) = fault_summary(&cfg) {
        println!("{line}");
    }
    let rough = cfg.pessimism.names();
    if !rough.is_empty() {
        println!("Pessimistic: {}.", rough.join(", "));
    }
    if cfg.non_admin && cfg.all_public {
        println!(
            "Non-admin: the key's user is a rep of group 1 (team_admin false) on a team whose \
             group privacy is all_public: every record is visible."
        );
    } else if cfg.non_admin {
        println!(
            "Non-admin: the key's user is a rep of group 1 (team_admin false, group privacy \
             on); people of other groups and their memberships, emails and calls are hidden."
        );
    }
    let root = format!("http://{}", handle.addr());
    println!(
        "OAuth: POST {root}/oauth/token (client id {}, access tokens live {} s); \
         get a refresh token with: curl -X POST {root}/_sim/oauth/authorize",
        cfg.oauth.client_id, cfg.oauth.token_expiry_secs
    );
    if let Some(line) = sim_webhooks::sim_summary(&cfg) {
        println!("{line}");
    }
    tokio::signal::ctrl_c().await?;
    if let Some(stats) = handle.webhook_stats() {
        println!("{}", sim_webhooks::sim_stats_line(&stats));
    }
    handle.shutdown().await;
    Ok(0)
}
