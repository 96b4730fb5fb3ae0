//! The dashboard and the local store: the first frame comes from the store before
//! any network answer, the data is marked stale until live answers replace it, an
//! unreachable API leaves it readable ("offline, data as of …") with enrolling
//! refused, a damaged store is reported and ignored, and the background sync
//! writes through to the store. Stores are built by syncing from the in-process
//! simulator over real loopback HTTP; the worker is the real one.

mod tui_support;

use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use sltui::api::{ApiClient, ApiConfig};
use sltui::config::keymap::Action;
use sltui::sim::{self, SimConfig, SimHandle};
use sltui::store::Store;
use sltui::store::start::{self as start, StoreLoad};
use sltui::sync::{Engine, SyncOptions};
use sltui::tui::msg::Effect;
use sltui::tui::setup::StateSetup;
use sltui::tui::state::AppState;
use sltui::tui::update::stored;
use sltui::tui::update::{init, update};
use sltui::worker::store_sync::{BackgroundSync, StoreEvent, StoreSync};
use sltui::worker::{WorkerHandle, WorkerOptions};
use tui_support::*;

#[path = "dashboard_store/bad_files.rs"]
mod bad_files;
#[path = "dashboard_store/first_frame.rs"]
mod first_frame;
#[path = "dashboard_store/sums.rs"]
mod sums;

const KEY: &str = "dashboard-store-key";
/// Stops a hung test; never a performance threshold.
const HANG_GUARD: Duration = Duration::from_secs(60);

fn screen(state: &AppState, width: u16) -> String {
    screen_text(state, width, 30)
}

async fn start_sim() -> SimHandle {
    sim::start(SimConfig {
        addr: ([127, 0, 0, 1], 0).into(),
        api_key: KEY.into(),
        people: 300,
        cadences: 8,
        budget: 1_000_000,
        ..SimConfig::default()
    })
    .await
    .expect("simulator starts")
}

fn client(base_url: &str) -> ApiClient {
    let mut cfg = ApiConfig::new(base_url, Some(KEY.into()));
    cfg.budget_limit = 1_000_000;
    ApiClient::new(cfg).expect("client")
}

/// A store at `path` filled by a full sync from `sim`; returns the server name kept in it.
async fn sync_store(sim: &SimHandle, path: &Path) -> String {
    let client = client(&sim.base_url());
    let server = client.base_url().to_string();
    let store = Store::open(path).expect("store");
    store.set_meta(start::SERVER_KEY, &server).expect("meta");
    let store = Arc::new(Mutex::new(store));
    let report = tokio::time::timeout(
        HANG_GUARD,
        Engine::new(client, store, SyncOptions::default()).run(),
    )
    .await
    .expect("sync ends");
    assert!(report.ok(), "{report:?}");
    server
}

/// The first-frame read of the store, for the state's range.
fn load_first(path: &Path, server: &str) -> StoreLoad {
    start::load(path, server, state().metrics.range, chrono::Utc::now())
}

/// Feeds worker events to `update` until `done` holds.
async fn pump(state: &mut AppState, worker: &mut WorkerHandle, done: impl Fn(&AppState) -> bool) {
    let deadline = tokio::time::Instant::now() + HANG_GUARD;
    while !done(state) {
        let ev = tokio::time::timeout_at(deadline, worker.events.recv())
            .await
            .expect("the awaited state arrives")
            .expect("worker alive");
        let fx = update(state, sltui::tui::msg::Msg::Worker(ev));
        send(worker, fx);
    }
}

fn live_state() -> AppState {
    live_state_on(sltui::metrics::TimeRange::Days(30))
}

/// [`live_state`] on `range`.
fn live_state_on(range: sltui::metrics::TimeRange) -> AppState {
    let session = sltui::tui::state::Session {
        demo: false,
        profile_label: "work".into(),
        ..session(false)
    };
    // The wall clock matters for "data as of" (today or another day).
    let clock = sltui::tui::state::Clock::system();
    StateSetup {
        session,
        clock,
        range,
        ..setup()
    }
    .build()
}
