//! What every simulator handler shares: the world, the limiter, the counters, the
//! faults and the state of the test-only services, behind one `Arc` (axum's
//! `State`), and the shape of an endpoint's answer. The handlers (server.rs and the
//! `http` files beside each service) import it; it imports only the state types.

use std::collections::BTreeMap;
use std::sync::{Mutex, RwLock, RwLockReadGuard, RwLockWriteGuard};
use std::time::Duration;

use axum::http::StatusCode;

use super::faults::Faults;
use super::limiter::Limiter;
use super::model::Dataset;
use super::oauth::OAuth;
use super::ops::World;
use super::pessimism::Pessimism;
use super::query::ApiError;
use super::revocation::KeyRevocation;
use super::subscriptions::Subscriptions;

/// Counters for `/_sim/stats`.
#[derive(Debug, Default)]
pub struct Stats {
    pub requests: u64,
    pub cost_charged: u64,
    pub throttled: u64,
    pub unauthorized: u64,
    /// List requests whose `updated_at` range holds no instant (an empty list
    /// for a point): a sync should never ask one.
    pub empty_ranges: u64,
    pub by_endpoint: BTreeMap<&'static str, u64>,
    /// Points charged per endpoint.
    pub charged_by_endpoint: BTreeMap<&'static str, u64>,
    pub by_status: BTreeMap<u16, u64>,
}

/// Everything the handlers share.
#[derive(Debug)]
pub struct Shared {
    pub world: RwLock<World>,
    pub limiter: Mutex<Limiter>,
    pub stats: Mutex<Stats>,
    pub faults: Mutex<Faults>,
    pub api_key: String,
    pub latency: Duration,
    /// API root for `_href`s, e.g. `http://127.0.0.1:7878/v2`.
    pub base: String,
    /// The OAuth token service; its access tokens work like the API key.
    pub oauth: OAuth,
    /// The rough edges switched on (see [`super::pessimism`]).
    pub pessimism: Pessimism,
    /// The seed, for the pessimistic answers that depend on it.
    pub seed: u64,
    /// `/v2/webhook_subscriptions`, and where [`super::webhooks`] delivers.
    pub subscriptions: Mutex<Subscriptions>,
    /// The API key revoked while running (see [`super::revocation`]).
    pub revocation: KeyRevocation,
}

impl Shared {
    pub fn new(
        ds: Dataset,
        limiter: Limiter,
        api_key: String,
        latency: Duration,
        base: String,
        faults: Faults,
    ) -> Self {
        Self {
            world: RwLock::new(World::new(ds)),
            limiter: Mutex::new(limiter),
            stats: Mutex::new(Stats::default()),
            faults: Mutex::new(faults),
            api_key,
            latency,
            base,
            oauth: OAuth::default(),
            pessimism: Pessimism::default(),
            seed: 0,
            subscriptions: Mutex::default(),
            revocation: Default::default(),
        }
    }

    pub fn read(&self) -> RwLockReadGuard<'_, World> {
        self.world.read().unwrap_or_else(|e| e.into_inner())
    }

    pub fn write(&self) -> RwLockWriteGuard<'_, World> {
        self.world.write().unwrap_or_else(|e| e.into_inner())
    }
}

/// A status and the JSON body, already written (bodies are serialized on the
/// blocking thread that built them, not on the async workers).
pub(super) type Answer = Result<(StatusCode, Option<String>), ApiError>;
