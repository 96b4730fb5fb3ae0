//! `sltui sim`'s flags and their parsers (what they make is `sim_cmd`'s).

use std::net::SocketAddr;

use clap::Args;

use crate::sim::faults::{self, FaultKind};
use crate::sim::pessimism::Pessimism;

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
    #[arg(long, default_value_t = 0.0, value_name = "F", value_parser = fraction)]
    pub fault_rate: f64,
    /// Faults to inject, comma-separated: 5xx, timeout, reset, malformed, slow.
    #[arg(long, value_name = "LIST", value_delimiter = ',', value_parser = fault)]
    pub faults: Vec<crate::sim::faults::FaultKind>,
    /// How long a `timeout` fault holds a request, in milliseconds.
    #[arg(long, default_value_t = 30_000, value_name = "MS")]
    pub fault_timeout_ms: u64,
    /// Random extra latency per request, up to this many milliseconds.
    #[arg(long, default_value_t = 0, value_name = "N")]
    pub latency_jitter_ms: u64,
    /// Start an outage (every request fails with 503) this many seconds after start.
    #[arg(long, value_name = "S", value_parser = secs)]
    pub outage_after: Option<f64>,
    /// How long the outage lasts, in seconds.
    #[arg(long, value_name = "D", value_parser = secs)]
    pub outage_secs: Option<f64>,
    /// Fraction (0 to 1) of each budget window spent by other integrations of the team.
    #[arg(long, default_value_t = 0.0, value_name = "F", value_parser = fraction)]
    pub other_load: f64,
    /// POST signed webhooks (email_updated, cadence_membership_*, person_*) for every change to URL.
    #[arg(long, value_name = "URL", requires = "webhook_token")]
    pub webhook_url: Option<String>,
    /// The callback token the webhooks are signed with (HMAC-SHA1).
    #[arg(long, value_name = "T", requires = "webhook_url")]
    pub webhook_token: Option<String>,
    /// Seconds between the retries of a failed delivery (three retries, like SalesLoft).
    #[arg(long, default_value_t = 15.0, value_name = "S", value_parser = secs)]
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
    #[arg(long, value_name = "S", value_parser = secs)]
    pub revoke_key_after: Option<f64>,
    #[command(flatten)]
    pub pessimism: PessimismArgs,
}

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
