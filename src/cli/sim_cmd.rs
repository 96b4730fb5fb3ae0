//! `sltui sim`: serve the simulator standalone until Ctrl-C.

use clap::Args;

use super::SimArgs;
use super::sim_webhooks;
use crate::sim::faults::{self, FaultKind};
use crate::sim::pessimism::Pessimism;
use crate::sim::{SimConfig, start};

/// The real API's rough edges (see `sim::pessimism`), each off by default.
#[derive(Debug, Clone, Default, Args)]
#[command(next_help_heading = "Pessimistic simulator (the real API's rough edges)")]
pub struct PessimismArgs {
    /// All of the flags below at once.
    #[arg(long)]
    pub pessimistic: bool,
    /// A 429 carries no Retry-After header (none is documented).
    #[arg(long)]
    pub no_retry_after: bool,
    /// A sliding one-minute budget window instead of fixed windows.
    #[arg(long)]
    pub sliding_window: bool,
    /// /v2/steps ignores updated_at[...] filters (the OpenAPI file documents none there).
    #[arg(long)]
    pub steps_ignore_updated_at: bool,
    /// Numbers (step_number, day, counts, nested ids) sometimes sent as strings, and unknown
    /// enum values (email status, step type, membership state); deterministic from --seed.
    #[arg(long)]
    pub loose_json: bool,
    /// Unknown paths, 502s and 503s answer an HTML page (text/html), not JSON.
    #[arg(long)]
    pub html_errors: bool,
    /// Deep list pages answer slower (0.5 ms per page number).
    #[arg(long)]
    pub slow_deep_pages: bool,
    /// The key's user is a rep, not a team admin (/v2/me team_admin: false), group privacy
    /// is on, and people of other groups (with their memberships, emails, calls) are hidden.
    /// Not part of --pessimistic.
    #[arg(long)]
    pub non_admin: bool,
    /// With --non-admin: the team's group privacy is all_public (/v2/team), so the rep's key
    /// sees every record and totals are complete.
    #[arg(long, requires = "non_admin")]
    pub all_public: bool,
}

impl PessimismArgs {
    pub fn pessimism(&self) -> Pessimism {
        if self.pessimistic {
            return Pessimism::all();
        }
        Pessimism {
            no_retry_after: self.no_retry_after,
            sliding_window: self.sliding_window,
            steps_ignore_updated_at: self.steps_ignore_updated_at,
            loose_json: self.loose_json,
            html_errors: self.html_errors,
            slow_deep_pages: self.slow_deep_pages,
        }
    }
}

/// `--fault-rate` and `--other-load`: a number from 0 to 1.
pub(super) fn fraction(s: &str) -> Result<f64, String> {
    let v: f64 = s
        .trim()
        .parse()
        .map_err(|_| format!("{s:?} is not a number; give a fraction from 0 to 1, e.g. 0.2"))?;
    faults::check_fraction("the value", v)
}

/// One name of `--faults`.
pub(super) fn fault(s: &str) -> Result<FaultKind, String> {
    s.parse()
}

/// `--outage-after` and `--outage-secs`: seconds, 0 or more.
pub(super) fn secs(s: &str) -> Result<f64, String> {
    let v: f64 = s
        .trim()
        .parse()
        .map_err(|_| format!("{s:?} is not a number of seconds"))?;
    faults::check_secs("the value", v).map(|_| v)
}

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
fn fault_summary(cfg: &SimConfig) -> Option<String> {
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

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::*;
    use crate::cli::{Cli, Command};

    fn parse(args: &[&str]) -> Result<SimConfig, String> {
        let mut argv = vec!["sltui", "sim"];
        argv.extend_from_slice(args);
        let cli = Cli::try_parse_from(argv).map_err(|e| e.to_string())?;
        match cli.command {
            Some(Command::Sim(a)) => config(a).map_err(|e| e.to_string()),
            _ => Err("not sim".into()),
        }
    }

    #[test]
    fn oauth_flags_configure_the_token_endpoint() {
        let cfg = parse(&[
            "--token-expiry-secs",
            "30",
            "--oauth-client-id",
            "app",
            "--oauth-client-secret",
            "s",
        ])
        .unwrap();
        assert_eq!(cfg.oauth.token_expiry_secs, 30);
        assert_eq!(cfg.oauth.client_id, "app");
        assert_eq!(cfg.oauth.client_secret, "s");
        let plain = parse(&[]).unwrap();
        assert_eq!(plain.oauth.token_expiry_secs, 7200);
        assert_eq!(plain.oauth.client_id, "demo-client-id");
        let err = parse(&["--token-expiry-secs", "0"]).unwrap_err();
        assert!(err.contains("token-expiry-secs"), "{err}");
    }

    #[test]
    fn pessimistic_switches_everything_and_each_flag_alone() {
        assert_eq!(
            parse(&["--pessimistic"]).unwrap().pessimism,
            Pessimism::all()
        );
        let one = parse(&["--html-errors", "--sliding-window"])
            .unwrap()
            .pessimism;
        assert!(one.html_errors && one.sliding_window && !one.loose_json);
        assert_eq!(parse(&[]).unwrap().pessimism, Pessimism::default());
    }

    #[test]
    fn fault_flags_parse_and_are_checked() {
        let cfg = parse(&[
            "--fault-rate",
            "0.2",
            "--faults",
            "5xx,timeout,reset,malformed",
            "--latency-jitter-ms",
            "30",
            "--outage-after",
            "10",
            "--outage-secs",
            "5",
            "--other-load",
            "0.5",
        ])
        .unwrap();
        assert_eq!(cfg.fault_rate, 0.2);
        assert_eq!(
            cfg.faults,
            vec![
                FaultKind::ServerError,
                FaultKind::Timeout,
                FaultKind::Reset,
                FaultKind::Malformed
            ]
        );
        assert_eq!((cfg.outage_after_secs, cfg.outage_secs), (Some(10.0), 5.0));
        assert_eq!(cfg.other_load, 0.5);
        assert!(fault_summary(&cfg).unwrap().contains("20% of requests"));
        let plain = parse(&[]).unwrap();
        assert_eq!((plain.fault_rate, plain.faults.len()), (0.0, 0));
        assert_eq!(fault_summary(&plain), None);

        let err = parse(&["--fault-rate", "1.5", "--faults", "5xx"]).unwrap_err();
        assert!(err.contains("from 0 to 1"), "{err}");
        let err = parse(&["--fault-rate", "0.1", "--faults", "5xx,boom"]).unwrap_err();
        assert!(err.contains("unknown fault \"boom\""), "{err}");
        let err = parse(&["--fault-rate", "0.1"]).unwrap_err();
        assert!(err.contains("needs --faults"), "{err}");
        let err = parse(&["--faults", "reset"]).unwrap_err();
        assert!(err.contains("needs --fault-rate"), "{err}");
        let err = parse(&["--outage-after", "3"]).unwrap_err();
        assert!(err.contains("--outage-secs"), "{err}");
        let err = parse(&["--other-load", "x"]).unwrap_err();
        assert!(err.contains("not a number"), "{err}");
    }
}
