//! A simulated team synced by the real sync engine into an in-memory SQLite
//! store, over real loopback HTTP: the records every store test starts from.
//!
//! Use from a test binary with `#[path = "synced_team/mod.rs"] mod synced_team;`.
#![allow(dead_code)]

use std::sync::{Arc, Mutex};
use std::time::Duration;

use sltui::api::{ApiClient, ApiConfig};
use sltui::sim::{self, SimConfig};
use sltui::store::Store;
use sltui::sync::{Engine, SyncOptions};

/// Starts a simulator of `people` people and 6 cadences taking `key`, syncs all
/// of it into a memory store (panicking after `guard` or on a failed sync), and
/// stops the simulator.
pub async fn synced_team(key: &str, people: usize, guard: Duration) -> Arc<Mutex<Store>> {
    let sim = sim::start(SimConfig {
        addr: ([127, 0, 0, 1], 0).into(),
        api_key: key.into(),
        people,
        cadences: 6,
        budget: 1_000_000,
        ..SimConfig::default()
    })
    .await
    .expect("simulator starts");
    let mut cfg = ApiConfig::new(&sim.base_url(), Some(key.into()));
    cfg.budget_limit = 1_000_000;
    let client = ApiClient::new(cfg).expect("client");
    let source = Arc::new(Mutex::new(Store::open_in_memory().expect("memory store")));
    let report = tokio::time::timeout(
        guard,
        Engine::new(client, source.clone(), SyncOptions::default()).run(),
    )
    .await
    .expect("sync finishes");
    assert!(report.ok(), "the sync of the simulator works: {report:?}");
    sim.shutdown().await;
    source
}
