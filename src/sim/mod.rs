//! The embedded SalesLoft simulator: the demo default and the test double.
//!
//! It behaves like the real SalesLoft REST API v2 on the wire (see
//! `salesloft-api.md`): list envelopes and paging, Rails bracket filters, the
//! per-team cost budget with its two headers, bearer auth, and 422 field errors.
//! It never imports `crate::api`: a shared struct would hide wrong field names.
//!
//! Choices where the real API is not documented:
//! * auth failures (401) are not charged, since no team can be charged, but carry
//!   the rate-limit headers like every `/v2` answer;
//! * `x-ratelimit-endpoint-cost` states the endpoint's price even on 401 and 429
//!   answers, which charge nothing; 404 and 422 answers are charged;
//! * a 429 carries `Retry-After` (whole seconds until the budget window rolls over),
//!   unless [`pessimism`] says otherwise;
//! * an unknown `person_id`/`cadence_id` when adding a membership or logging a
//!   call is a 404 `{"error":"Not Found"}`;
//! * deleting an already removed membership answers 204 again (idempotent);
//! * the API key belongs to the team's first user (the admin): `GET /v2/me`;
//! * a (re-)added membership starts `staged`; a malformed body or query is a 400
//!   `{"error": ...}`; invalid `sort_direction` is a 422 like invalid `sort_by`;
//! * mutations are stamped with the wall clock (never before `ds.now`, strictly
//!   increasing) and move `ds.now` up to that stamp.
//!
//! Test-only endpoints (no auth, no charge): `GET /_sim/stats`,
//! `POST /_sim/stats/reset`, `GET /_sim/truth/engagement[?since=<iso>]`,
//! `GET /_sim/truth/counts` (records per resource, as a full sync should store them),
//! `GET /_sim/truth/consistency` (`{"problems": [...]}`, empty when every count
//! agrees), `GET /_sim/faults` and `POST /_sim/faults` (change the injected
//! faults while running, see [`faults::http::set_faults`]). The stats reset clears
//! counters only (requests, faults), not the budget.
//!
//! Fault injection ([`faults`]) is off by default and reproducible from the seed.
//!
//! OAuth ([`oauth`]): `POST /oauth/token` (refresh_token and client_credentials
//! grants, rotating refresh tokens) issues access tokens that every `/v2`
//! endpoint accepts besides the API key; `/_sim/oauth*` issue and revoke tokens.
//!
//! Webhooks ([`webhooks`], [`subscriptions`]): `/v2/webhook_subscriptions` keeps
//! the team's subscriptions (GET, POST, GET/PUT/DELETE by id); every change to an
//! email, a membership or a person is POSTed to each enabled subscription of its
//! event type, signed like SalesLoft's, and retried three times on failure. With
//! `webhook` set, that callback is subscribed to every type at start.

pub mod body;
pub mod dataset;
pub mod error;
pub mod faults;
pub mod groups;
pub mod iso;
pub mod json;
pub mod limiter;
pub mod list;
pub mod lists;
pub mod live;
pub mod lock;
pub mod model;
pub mod oauth;
pub mod ops;
pub mod pairs;
pub mod pessimism;
pub mod privacy;
pub mod query;
pub mod revocation;
pub mod rng;
pub mod routes;
pub mod server;
pub mod shared;
pub mod subscriptions;
pub mod team;
pub mod truth;
pub mod webhooks;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use self::faults::{FaultConfig, FaultKind, Faults};
use self::limiter::Limiter;
use self::shared::Shared;

/// How to run the simulator.
#[derive(Clone, Debug)]
pub struct SimConfig {
    /// Where to listen; port 0 picks a free port.
    pub addr: SocketAddr,
    pub seed: u64,
    pub people: usize,
    pub cadences: usize,
    pub users: usize,
    /// The bearer token every `/v2` request must carry.
    pub api_key: String,
    /// Cost points per window.
    pub budget: u32,
    /// Length of a budget window in seconds (60 on the real API).
    pub minute_secs: f64,
    /// Delay before answering each `/v2` request.
    pub latency_ms: u64,
    /// Make things happen over time (emails sent, opened, replied...).
    pub live: bool,
    pub live_tick_ms: u64,
    /// Chance in `0..=1` that a `/v2` request meets one of `faults`.
    pub fault_rate: f64,
    pub faults: Vec<FaultKind>,
    /// How long a `timeout` fault holds a request (a `slow` one: half of it).
    pub fault_timeout_ms: u64,
    /// Extra latency per request, uniform in `0..=latency_jitter_ms`.
    pub latency_jitter_ms: u64,
    /// Every `/v2` request fails with a 503 from this many seconds after the
    /// start, for `outage_secs`.
    pub outage_after_secs: Option<f64>,
    pub outage_secs: f64,
    /// Fraction in `0..=1` of each budget window spent by other integrations.
    pub other_load: f64,
    /// Subscribe this callback to every event type the simulator emits, at start
    /// (its retry delay and timeout also apply to subscriptions made through the
    /// API). Without it, only `/v2/webhook_subscriptions` subscribes.
    pub webhook: Option<webhooks::WebhookTarget>,
    /// The OAuth app behind `POST /oauth/token` (see [`oauth`]).
    pub oauth: oauth::OAuthConfig,
    /// The real API's rough edges, each switched on by itself (see [`pessimism`]).
    pub pessimism: pessimism::Pessimism,
    /// The key's user is a rep, not a team admin, and other groups' records
    /// are hidden (see [`privacy`]).
    pub non_admin: bool,
    /// With `non_admin`: the team's group privacy is `all_public`, so the rep's
    /// key sees every record (nothing hidden; totals complete).
    pub all_public: bool,
    /// Revoke the API key this many seconds after the start (see [`revocation`]).
    pub revoke_key_after_secs: Option<f64>,
}

impl SimConfig {
    /// The fault settings, checked.
    pub fn fault_config(&self) -> anyhow::Result<FaultConfig> {
        let outage = match self.outage_after_secs {
            Some(after) if self.outage_secs > 0.0 => Some((
                faults::check_secs("the outage start", after).map_err(anyhow::Error::msg)?,
                faults::check_secs("the outage length", self.outage_secs)
                    .map_err(anyhow::Error::msg)?,
            )),
            _ => None,
        };
        let cfg = FaultConfig {
            rate: self.fault_rate,
            kinds: self.faults.clone(),
            timeout: Duration::from_millis(self.fault_timeout_ms),
            jitter: Duration::from_millis(self.latency_jitter_ms),
            outage,
            other_load: self.other_load,
        };
        cfg.validate().map_err(anyhow::Error::msg)?;
        Ok(cfg)
    }
}

impl Default for SimConfig {
    fn default() -> Self {
        Self {
            addr: SocketAddr::from(([127, 0, 0, 1], 7878)),
            seed: 42,
            people: 5000,
            cadences: 40,
            users: 12,
            api_key: "demo-key".to_string(),
            budget: 600,
            minute_secs: 60.0,
            latency_ms: 0,
            live: false,
            live_tick_ms: 500,
            fault_rate: 0.0,
            faults: Vec::new(),
            fault_timeout_ms: 30_000,
            latency_jitter_ms: 0,
            outage_after_secs: None,
            outage_secs: 0.0,
            other_load: 0.0,
            webhook: None,
            oauth: oauth::OAuthConfig::default(),
            pessimism: pessimism::Pessimism::default(),
            non_admin: false,
            all_public: false,
            revoke_key_after_secs: None,
        }
    }
}

/// A running simulator. Dropping it stops the server too; `shutdown` also
/// waits for it to finish.
pub struct SimHandle {
    addr: SocketAddr,
    shutdown: Option<oneshot::Sender<()>>,
    server: Option<JoinHandle<()>>,
    ticker: Option<JoinHandle<()>>,
    webhooks: Option<(JoinHandle<()>, Arc<webhooks::WebhookStats>)>,
    /// Whether `SimConfig::webhook` was set.
    webhook_configured: bool,
}

impl SimHandle {
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// e.g. `http://127.0.0.1:7878/v2`
    pub fn base_url(&self) -> String {
        format!("http://{}/v2", self.addr)
    }

    /// What the webhook deliveries did so far (`None` without `webhook` while no
    /// delivery was made to a subscription either).
    pub fn webhook_stats(&self) -> Option<webhooks::WebhookStatsSnapshot> {
        self.webhooks
            .as_ref()
            .map(|(_, stats)| stats.snapshot())
            .filter(|s| self.webhook_configured || s.events > 0)
    }

    /// Stops the live ticker and the server, waiting (briefly) for open
    /// connections to finish.
    pub async fn shutdown(mut self) {
        if let Some(t) = self.ticker.take() {
            t.abort();
        }
        if let Some((t, _)) = self.webhooks.take() {
            t.abort();
        }
        crate::serve::stop(self.shutdown.take(), self.server.take()).await;
    }
}

impl Drop for SimHandle {
    fn drop(&mut self) {
        if let Some(t) = self.ticker.take() {
            t.abort();
        }
        if let Some((t, _)) = self.webhooks.take() {
            t.abort();
        }
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

/// Generates the dataset, binds `cfg.addr` and serves in a spawned task.
pub async fn start(cfg: SimConfig) -> anyhow::Result<SimHandle> {
    let fault_cfg = cfg.fault_config()?;
    let opts = dataset::GenOptions {
        seed: cfg.seed,
        people: cfg.people,
        cadences: cfg.cadences,
        users: cfg.users,
        now: dataset::wall_clock_micros(),
    };
    let non_admin = cfg.non_admin;
    let group_public = !cfg.all_public;
    let ds = tokio::task::spawn_blocking(move || {
        let mut ds = dataset::generate(&opts);
        if non_admin {
            ds.privacy = privacy::for_key(&ds, group_public);
        }
        ds
    })
    .await
    .context("generating the simulated dataset")?;
    if non_admin && ds.privacy.is_none() {
        anyhow::bail!("--non-admin needs an active rep on the team: raise --users");
    }
    let listener = tokio::net::TcpListener::bind(cfg.addr)
        .await
        .with_context(|| format!("binding the simulator to {}", cfg.addr))?;
    let addr = listener.local_addr()?;
    let started = Instant::now();
    let mut limiter = Limiter::new(cfg.budget, cfg.minute_secs, started);
    limiter.set_other_load(fault_cfg.other_load);
    limiter.set_sliding(cfg.pessimism.sliding_window);
    let mut shared = Shared::new(
        ds,
        limiter,
        cfg.api_key.clone(),
        Duration::from_millis(cfg.latency_ms),
        format!("http://{addr}/v2"),
        Faults::new(cfg.seed, fault_cfg, started),
    );
    shared.oauth = oauth::OAuth::new(cfg.oauth.clone());
    shared.pessimism = cfg.pessimism;
    shared.seed = cfg.seed;
    if let Some(at) = revocation::scheduled(started, cfg.revoke_key_after_secs) {
        shared.revocation.revoke_at(at);
    }
    let shared = Arc::new(shared);
    let app = server::router(shared.clone());
    let (tx, server) = crate::serve::spawn(listener, app, "simulator server");
    if let Some(target) = &cfg.webhook {
        let guid = {
            let w = shared.read();
            w.me()
                .and_then(|id| w.ds.users.get(id))
                .map(|u| u.guid.clone())
                .unwrap_or_default()
        };
        let mut subs = lock::lock(&shared.subscriptions);
        subs.policy = target.policy();
        for event in webhooks::EMITTED {
            subs.add(&target.url, &target.token, event, &guid, target.policy());
        }
    }
    let stats = Arc::new(webhooks::WebhookStats::default());
    let webhooks = Some((webhooks::spawn(shared.clone(), stats.clone()), stats));
    let ticker = cfg
        .live
        .then(|| tokio::spawn(live_ticker(shared, cfg.seed, cfg.live_tick_ms)));
    tracing::info!("SalesLoft simulator listening on http://{addr}/v2");
    Ok(SimHandle {
        addr,
        shutdown: Some(tx),
        server: Some(server),
        ticker,
        webhooks,
        webhook_configured: cfg.webhook.is_some(),
    })
}

/// Advances the world every `tick_ms` to the wall clock.
async fn live_ticker(shared: Arc<Shared>, seed: u64, tick_ms: u64) {
    let mut live = live::Live::new(seed);
    let mut every = tokio::time::interval(Duration::from_millis(tick_ms.max(1)));
    every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    loop {
        every.tick().await;
        let now = dataset::wall_clock_micros();
        let mut w = shared.write();
        let _report = live.advance(&mut w.ds, now);
        drop(w);
    }
}
