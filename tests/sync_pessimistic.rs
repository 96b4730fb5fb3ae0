//! `sltui sync` against `sltui sim --pessimistic` over loopback HTTP: full and
//! incremental syncs end with the simulator's record counts although steps
//! ignore `updated_at` filters, numbers arrive as strings and the budget window
//! slides (a small one, 120 points a second); and the report's points and
//! requests per resource are exactly what the simulator charged each endpoint.

mod worker_support;

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::Value;
use sltui::api::models::{NewMembership, PersonUpdate};
use sltui::api::{ApiClient, ApiConfig};
use sltui::sim::pessimism::Pessimism;
use sltui::sim::{self, SimConfig, SimHandle};
use sltui::store::Store;
use sltui::sync::{Engine, Resource, SyncOptions, SyncReport};
use worker_support::{reset_stats, sim_get};

const KEY: &str = "sync-pessimistic-key";
/// Stops a hung test; never a performance threshold.
const HANG_GUARD: Duration = Duration::from_secs(240);
/// A small team budget: the sync paces itself within it.
const BUDGET: u32 = 120;

async fn start() -> SimHandle {
    sim::start(SimConfig {
        addr: ([127, 0, 0, 1], 0).into(),
        api_key: KEY.into(),
        people: 1_500,
        cadences: 40,
        users: 5,
        budget: BUDGET,
        minute_secs: 1.0,
        pessimism: Pessimism::all(),
        ..SimConfig::default()
    })
    .await
    .expect("simulator starts")
}

fn client(sim: &SimHandle) -> ApiClient {
    let mut cfg = ApiConfig::new(&sim.base_url(), Some(KEY.into()));
    cfg.budget_limit = BUDGET;
    ApiClient::new(cfg).expect("client")
}

async fn sync(client: &ApiClient, store: &Arc<Mutex<Store>>) -> SyncReport {
    let run = Engine::new(client.clone(), store.clone(), SyncOptions::default()).run();
    tokio::time::timeout(HANG_GUARD, run)
        .await
        .expect("sync finishes")
}

/// Every resource holds as many rows as the simulator has records.
async fn assert_counts_match_truth(sim: &SimHandle, store: &Arc<Mutex<Store>>) {
    let truth = sim_get(sim, "/_sim/truth/counts").await;
    let store = store.lock().unwrap();
    for res in Resource::ALL {
        let stored = store.count(res.table()).expect("count");
        assert_eq!(
            Some(stored),
            truth[res.name()].as_u64(),
            "{}: stored {stored}, truth {}",
            res.name(),
            truth[res.name()]
        );
    }
}

/// Requests and points per resource equal what the simulator counted and
/// charged at that resource's endpoint, and the totals equal its totals.
async fn assert_split_matches_charges(sim: &SimHandle, report: &SyncReport) {
    let stats = sim_get(sim, "/_sim/stats").await;
    let mut requests = BTreeMap::new();
    let mut points = BTreeMap::new();
    for r in &report.resources {
        let res = Resource::parse(&r.resource).expect("a resource");
        let endpoint = format!("GET {}", res.path());
        requests.insert(endpoint.clone(), r.requests);
        points.insert(endpoint, r.points);
    }
    let charged = |k: &str, v: &Value| v[k].as_u64().unwrap_or(0);
    for (endpoint, n) in &requests {
        assert_eq!(
            *n,
            charged(endpoint, &stats["by_endpoint"]),
            "requests of {endpoint}\n{report:#?}\n{stats:#}"
        );
        assert_eq!(
            points[endpoint],
            charged(endpoint, &stats["charged_by_endpoint"]),
            "points of {endpoint}\n{report:#?}\n{stats:#}"
        );
    }
    let sum = |k: &str| -> u64 { requests.keys().map(|e| charged(e, &stats[k])).sum() };
    assert_eq!(report.requests, sum("by_endpoint"));
    assert_eq!(report.points, sum("charged_by_endpoint"));
    assert_eq!(report.requests, stats["requests"].as_u64().unwrap());
    assert_eq!(report.points, stats["cost_charged"].as_u64().unwrap());
    assert_eq!(report.throttled, stats["throttled"].as_u64().unwrap());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn full_and_incremental_syncs_match_the_truth_and_the_charges() {
    let sim = start().await;
    let client = client(&sim);
    let store = Arc::new(Mutex::new(Store::open_in_memory().expect("store")));

    // Full sync.
    reset_stats(&sim).await;
    let full = sync(&client, &store).await;
    assert!(full.ok(), "{full:#?}");
    assert_counts_match_truth(&sim, &store).await;
    assert_split_matches_charges(&sim, &full).await;
    let steps = full
        .resources
        .iter()
        .find(|r| r.resource == "steps")
        .unwrap();
    assert_eq!(steps.mode, "full read", "{steps:?}");
    let note = steps.note.as_deref().expect("the fallback is said");
    assert!(
        note.contains("ignores the updated_at filter on steps"),
        "{note}"
    );
    for r in full.resources.iter().filter(|r| r.resource != "steps") {
        assert!(r.note.is_none() && r.mode == "full", "{r:?}");
    }
    eprintln!(
        "full: {} records, {} requests, {} points, {} throttled",
        full.records, full.requests, full.points, full.throttled
    );

    // Changes: people edited, people enrolled.
    let cadence = client
        .cadences(&sltui::api::Query::new().set("per_page", 100))
        .await
        .expect("cadences")
        .data
        .into_iter()
        .find(|c| c.state() == sltui::api::models::CadenceState::Active)
        .expect("an active cadence");
    let people = client
        .people(&sltui::api::Query::new().set("per_page", 20))
        .await
        .expect("people")
        .data;
    for (i, p) in people.iter().enumerate() {
        if i % 2 == 0 {
            let update = PersonUpdate {
                title: Some(format!("Pessimist {i}")),
                ..PersonUpdate::default()
            };
            client.update_person(p.id, &update).await.expect("update");
        } else {
            let m = NewMembership {
                person_id: p.id,
                cadence_id: cadence.id,
                user_id: None,
                step_id: None,
            };
            // Already on it is fine too: the truth counts what is there.
            let _ = client.create_membership(&m).await;
        }
    }

    // Incremental sync: still the truth, still the exact split; steps are read
    // in full again (noted in the store), the others by cursor.
    reset_stats(&sim).await;
    let inc = sync(&client, &store).await;
    assert!(inc.ok(), "{inc:#?}");
    assert_counts_match_truth(&sim, &store).await;
    assert_split_matches_charges(&sim, &inc).await;
    for r in &inc.resources {
        let want = match r.resource.as_str() {
            "steps" => "full read",
            "users" => "full",
            _ => "incremental",
        };
        assert_eq!(r.mode, want, "{r:?}");
    }
    let people_report = inc
        .resources
        .iter()
        .find(|r| r.resource == "people")
        .unwrap();
    assert!(people_report.records >= 10, "{people_report:?}");
    let stored = store.lock().unwrap().people().expect("people");
    assert!(
        stored
            .iter()
            .any(|p| p.title.as_deref() == Some("Pessimist 0"))
    );
    eprintln!(
        "incremental: {} records, {} requests, {} points, {} throttled",
        inc.records, inc.requests, inc.points, inc.throttled
    );
    sim.shutdown().await;
}

/// `sltui sync --json --store PATH` against `sim`, with a private home.
async fn sync_command(sim: &SimHandle, home: &std::path::Path) -> (Value, String) {
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_sltui"));
    cmd.env_clear()
        .env("HOME", home)
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("XDG_DATA_HOME", home.join("data"))
        .env("XDG_STATE_HOME", home.join("state"))
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .args([
            "sync",
            "--json",
            "--base-url",
            &sim.base_url(),
            "--api-key",
            KEY,
        ])
        .arg("--store")
        .arg(home.join("store.sqlite"));
    let out = tokio::task::spawn_blocking(move || cmd.output().expect("sltui runs"))
        .await
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    (
        serde_json::from_slice(&out.stdout).expect("a JSON report"),
        stderr,
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sync_json_splits_what_the_server_charged_and_says_the_fallback_once() {
    let sim = start().await;
    let home = std::env::temp_dir().join(format!("sltui-sync-pess-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&home);
    std::fs::create_dir_all(&home).unwrap();
    for run in ["full", "incremental"] {
        reset_stats(&sim).await;
        let (report, stderr) = sync_command(&sim, &home).await;
        let stats = sim_get(&sim, "/_sim/stats").await;
        let resources = report["resources"].as_array().unwrap();
        let sum = |k: &str| {
            resources
                .iter()
                .map(|r| r[k].as_u64().unwrap())
                .sum::<u64>()
        };
        assert_eq!(
            sum("points"),
            stats["cost_charged"].as_u64().unwrap(),
            "{run}"
        );
        assert_eq!(
            sum("requests"),
            stats["requests"].as_u64().unwrap(),
            "{run}"
        );
        assert_eq!(report["points"], stats["cost_charged"], "{run}");
        for r in resources {
            let res = Resource::parse(r["resource"].as_str().unwrap()).unwrap();
            let endpoint = format!("GET {}", res.path());
            assert_eq!(
                r["points"], stats["charged_by_endpoint"][&endpoint],
                "{run} {endpoint}"
            );
        }
        let said = stderr
            .matches("ignores the updated_at filter on steps")
            .count();
        assert_eq!(said, 1, "{run}: said once\n{stderr}");
    }
    let truth = sim_get(&sim, "/_sim/truth/counts").await;
    let store = Store::open(&home.join("store.sqlite")).unwrap();
    for res in Resource::ALL {
        assert_eq!(
            Some(store.count(res.table()).unwrap()),
            truth[res.name()].as_u64()
        );
    }
    let _ = std::fs::remove_dir_all(&home);
    sim.shutdown().await;
}
