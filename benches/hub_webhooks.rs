//! Change in SalesLoft → a hub dashboard's worker, p50/p95, with webhooks and with
//! polling only, in one run. A change is a `PUT /v2/people/{id}` on the simulator
//! (a new title); it is seen when a dashboard's worker on the hub's database (a
//! headless hub reader, the worker behind the TUI) hands the person's new row to
//! its UI. Each mode has a hub process of its own on a database of its own, both
//! polling every `--poll-secs` (SLTUI_BENCH_POLL_SECS, default 10, the hub's
//! default); the webhook hub also has `--callback-url` pointed at its receiver,
//! so the simulator delivers `person_updated` to it. Each change waits for the
//! one before to be seen, then a random 0.3 s plus up to one poll interval, so
//! changes land anywhere in the poll's cycle. (Until issue 12's eighth stop the
//! wait was 0.3–1.5 s: each change then came just after the poll that showed the
//! one before, and polling only measured nearly a whole interval, 9.1 s of 10.)
//!
//! Each mode is measured after a warm-up (SLTUI_BENCH_WARMUP_SECS, default 60 s,
//! one budget window) that follows the hub's first full sync: that sync takes
//! the hub's whole bulk share (20 % of a window), and the hub's polls wait for
//! its points to leave the share, so measuring at once would time that wait, not
//! the poll.
//!
//! `cargo bench --bench hub_webhooks` (env: SLTUI_BENCH_CHANGES=30,
//! SLTUI_BENCH_POLL_SECS=10, SLTUI_BENCH_PEOPLE=2000, SLTUI_BENCH_WARMUP_SECS=60).

mod common;
#[path = "../tests/pg_support/mod.rs"]
mod pg_support;

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use sltui::sim::{self, SimConfig, SimHandle};
use sltui::store::PgStore;
use sltui::store::start::Changes;
use sltui::worker::hub_reader::{HubReaderOptions, spawn_hub_reader};
use sltui::worker::store_sync::StoreEvent;
use sltui::worker::{Envelope, Priority, Request, WorkerEvent, WorkerHandle};

const KEY: &str = "bench-hub-webhooks-key";
/// A change not seen within this long counts as lost.
const GIVE_UP: Duration = Duration::from_secs(60);

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port()
}

/// A hub process on `db`, with webhooks when `port` is given.
fn start_hub(
    sim: &SimHandle,
    db: &str,
    poll_secs: u64,
    port: Option<u16>,
) -> (Child, tempfile::TempDir) {
    let home = tempfile::tempdir().expect("home");
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_sltui"));
    cmd.args(["hub", "--base-url", &sim.base_url(), "--api-key", KEY])
        .args(["--db", db, "--name", "bench-hub"])
        .args(["--poll-secs", &poll_secs.to_string()])
        .env("HOME", home.path())
        .env("XDG_CONFIG_HOME", home.path().join("config"))
        .env("XDG_DATA_HOME", home.path().join("data"))
        .env("XDG_STATE_HOME", home.path().join("state"))
        .env_remove("SALESLOFT_API_KEY")
        .env_remove("SLTUI_DATABASE_URL")
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    if let Some(port) = port {
        cmd.args(["--callback-url", &format!("http://127.0.0.1:{port}/")])
            .args(["--webhook-listen", &format!("127.0.0.1:{port}")]);
    }
    (cmd.spawn().expect("the hub starts"), home)
}

/// Waits for the hub's first full sync (and, with webhooks, its subscriptions).
async fn ready(sim: &SimHandle, db: &str, webhooks: bool) {
    let url = db.to_string();
    tokio::task::spawn_blocking(move || {
        loop {
            if let Ok(s) = PgStore::connect(&url)
                && s.hub_status()
                    .ok()
                    .flatten()
                    .and_then(|h| h.last_sync_at)
                    .is_some()
            {
                return;
            }
            std::thread::sleep(Duration::from_millis(200));
        }
    })
    .await
    .expect("the hub's first sync");
    if !webhooks {
        return;
    }
    loop {
        let list = call(sim, reqwest::Method::GET, "webhook_subscriptions", None).await;
        if list.as_array().is_some_and(|l| l.len() >= 6) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn call(sim: &SimHandle, method: reqwest::Method, path: &str, body: Option<Value>) -> Value {
    let mut req = reqwest::Client::new()
        .request(method, format!("{}/{path}", sim.base_url()))
        .bearer_auth(KEY);
    if let Some(b) = body {
        req = req.json(&b);
    }
    let res = req.send().await.expect("the simulator answers");
    assert!(res.status().is_success(), "{path}: {}", res.status());
    res.json().await.unwrap_or(Value::Null)
}

/// A dashboard's worker on the hub's database, its first loads done.
async fn dashboard(db: &str) -> WorkerHandle {
    let mut w = spawn_hub_reader(db, HubReaderOptions::default())
        .await
        .expect("a hub reader");
    for (id, request) in [
        (1, Request::SetLive { enabled: true }),
        (2, Request::Cadences),
        (3, Request::IndexPeople),
    ] {
        let _ = w.requests.send(Envelope {
            id,
            priority: Priority::Visible,
            request,
        });
    }
    tokio::time::sleep(Duration::from_secs(3)).await;
    while w.events.try_recv().is_ok() {}
    w
}

/// Milliseconds from each change to the dashboard's worker handing it on.
async fn measure(
    sim: &SimHandle,
    watcher: &mut WorkerHandle,
    people: &[u64],
    mode: &str,
    poll_secs: u64,
) -> Vec<f64> {
    let changes = common::env_usize("SLTUI_BENCH_CHANGES", 30);
    let mut rng = common::Rng::new(11);
    let mut out = Vec::new();
    for n in 0..changes {
        let id = people[n % people.len()];
        let title = format!("bench-{mode}-{n}");
        let start = Instant::now();
        call(
            sim,
            reqwest::Method::PUT,
            &format!("people/{id}"),
            Some(json!({ "title": title })),
        )
        .await;
        let seen = tokio::time::timeout(GIVE_UP, async {
            while let Some(ev) = watcher.events.recv().await {
                if let WorkerEvent::Store(StoreEvent::Changed(c)) = ev {
                    let Changes { people, .. } = *c;
                    if people.iter().any(|p| p.id == id && p.title == title) {
                        return true;
                    }
                }
            }
            false
        })
        .await;
        if matches!(seen, Ok(true)) {
            out.push(common::ms(start.elapsed()));
        }
        let cycle = poll_secs.saturating_mul(1_000).max(1);
        tokio::time::sleep(Duration::from_millis(300 + rng.below(cycle))).await;
    }
    out
}

fn figures(samples: &[f64]) -> Value {
    let mut s = samples.to_vec();
    s.sort_by(|a, b| a.total_cmp(b));
    json!({
        "n": s.len(),
        "p50": common::percentile(&s, 0.50),
        "p95": common::percentile(&s, 0.95),
        "max": s.last().copied().unwrap_or(f64::NAN),
    })
}

fn main() {
    let poll_secs = common::env_usize("SLTUI_BENCH_POLL_SECS", 10) as u64;
    let people = common::env_usize("SLTUI_BENCH_PEOPLE", 2_000);
    let changes = common::env_usize("SLTUI_BENCH_CHANGES", 30);
    let warmup = Duration::from_secs_f64(common::env_f64("SLTUI_BENCH_WARMUP_SECS", 60.0));
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(async {
        let sim = sim::start(SimConfig {
            addr: ([127, 0, 0, 1], 0).into(),
            api_key: KEY.into(),
            people,
            cadences: 20,
            ..SimConfig::default()
        })
        .await
        .expect("simulator");
        let ids: Vec<u64> = call(&sim, reqwest::Method::GET, "people?per_page=50", None).await
            ["data"]
            .as_array()
            .expect("people")
            .iter()
            .filter_map(|p| p["id"].as_u64())
            .collect();
        let mut results = Vec::new();
        for (mode, webhooks) in [("webhooks", true), ("polling", false)] {
            let db = pg_support::test_db();
            let (mut hub, _home) = start_hub(&sim, &db.url, poll_secs, webhooks.then(free_port));
            ready(&sim, &db.url, webhooks).await;
            tokio::time::sleep(warmup).await;
            let mut watcher = dashboard(&db.url).await;
            let samples = measure(&sim, &mut watcher, &ids, mode, poll_secs).await;
            drop(watcher);
            let _ = hub.kill();
            let _ = hub.wait();
            if webhooks {
                // The next hub has no receiver: its subscriptions go.
                let list = call(&sim, reqwest::Method::GET, "webhook_subscriptions", None).await;
                for s in list.as_array().into_iter().flatten() {
                    let path = format!("webhook_subscriptions/{}", s["id"]);
                    call(&sim, reqwest::Method::DELETE, &path, None).await;
                }
            }
            results.push((mode, samples));
        }
        println!(
            "{}",
            json!({
                "bench": "hub_webhooks",
                "poll_secs": poll_secs,
                "people": people,
                "changes": changes,
                "warmup_s": warmup.as_secs_f64(),
                "change_to_dashboard_ms": {
                    "webhooks": figures(&results[0].1),
                    "polling_only": figures(&results[1].1),
                },
            })
        );
        println!();
        println!("change in SalesLoft (PUT people/{{id}}) → a hub dashboard's worker, hub polling every {poll_secs} s:");
        for (mode, samples) in &results {
            let f = figures(samples);
            println!(
                "  {:<14} p50 {:>8.1} ms   p95 {:>8.1} ms   max {:>8.1} ms   ({} of {changes} seen)",
                if *mode == "webhooks" { "with webhooks" } else { "polling only" },
                f["p50"].as_f64().unwrap_or(f64::NAN),
                f["p95"].as_f64().unwrap_or(f64::NAN),
                f["max"].as_f64().unwrap_or(f64::NAN),
                samples.len()
            );
        }
        sim.shutdown().await;
    });
}
