//! Points a team spends on SalesLoft, per budget window, in one run side by side:
//! one hub alone; the same hub with 50 dashboards on its database (headless hub
//! readers: the dashboard's worker answering from PostgreSQL); and 50 standalone
//! dashboards (each its own worker and client, as before the hub). The simulator
//! runs live (emails keep changing); points are what the simulator charged
//! (`/_sim/stats`). Also the database's load for the 50 dashboards: transactions
//! a second and the CPU seconds of PostgreSQL.
//!
//! The budget window is SalesLoft's real minute by default. A shorter simulator
//! window (`SLTUI_BENCH_WINDOW_SECS`) measures something else: the hub's bulk
//! share (20 % of a window) is counted over the window its client learned from
//! the refills it saw, and a hub that sleeps between polls sees none, so it keeps
//! counting a minute and a 6 s window shows a tenth of its 20 % cap, not its spend.
//!
//! Each phase is measured after a warm-up of one window (the hub's first full
//! sync, the dashboards' first loads) in equal conditions: the hub alone after its
//! first sync and one window, the 50 dashboards on the hub and the 50 standalone
//! ones each after `SLTUI_BENCH_WARMUP_SECS` (default: one window).
//!
//! `cargo bench --bench hub` (env: SLTUI_BENCH_DASHBOARDS=50, SLTUI_BENCH_WINDOWS=3,
//! SLTUI_BENCH_PEOPLE=2000, SLTUI_BENCH_WINDOW_SECS=60, SLTUI_BENCH_POLL_SECS=10,
//! the hub's `--poll-secs`). The hub syncs every resource every 2 minutes (its
//! default is 10), so each phase holds such syncs. About 15 minutes, most of it
//! waiting.

mod common;
#[path = "../tests/pg_support/mod.rs"]
mod pg_support;

use std::time::{Duration, Instant};

use serde_json::Value;
use sltui::api::{ApiClient, ApiConfig};
use sltui::metrics::TimeRange;
use sltui::sim::{self, SimConfig, SimHandle};
use sltui::worker::hub_reader::{HubReaderOptions, spawn_hub_reader};
use sltui::worker::{self, Envelope, Priority, Request, WorkerHandle, WorkerOptions};

const KEY: &str = "bench-hub-key";

async fn stats(sim: &SimHandle) -> Value {
    reqwest::get(format!("http://{}/_sim/stats", sim.addr()))
        .await
        .expect("stats")
        .json()
        .await
        .expect("json")
}

async fn charged(sim: &SimHandle) -> u64 {
    stats(sim).await["cost_charged"].as_u64().unwrap_or(0)
}

fn client(sim: &SimHandle) -> ApiClient {
    ApiClient::new(ApiConfig::new(&sim.base_url(), Some(KEY.to_string()))).expect("client")
}

/// What a dashboard asks for at start and keeps asking (live polling on).
fn start_dashboard(w: &WorkerHandle, cadence_ids: &[u64]) {
    let send = |id, priority, request| {
        let _ = w.requests.send(Envelope {
            id,
            priority,
            request,
        });
    };
    send(1, Priority::User, Request::SetPollInterval { secs: 10 });
    send(2, Priority::Visible, Request::Cadences);
    send(3, Priority::Visible, Request::Me);
    send(4, Priority::Visible, Request::Users);
    send(
        5,
        Priority::Visible,
        Request::Engagement {
            cadence_ids: cadence_ids.to_vec(),
            range: TimeRange::Days(30),
        },
    );
    send(6, Priority::Bulk, Request::IndexPeople);
    send(7, Priority::User, Request::SetLive { enabled: true });
}

/// Drains a worker's events so its queue never grows.
fn drain(mut w: WorkerHandle) -> tokio::sync::mpsc::UnboundedSender<Envelope> {
    let requests = w.requests.clone();
    tokio::spawn(async move { while w.events.recv().await.is_some() {} });
    requests
}

/// Points charged per window over `windows` windows.
async fn measure(sim: &SimHandle, window: Duration, windows: u32) -> f64 {
    let before = charged(sim).await;
    tokio::time::sleep(window * windows).await;
    (charged(sim).await - before) as f64 / f64::from(windows)
}

fn postgres_cpu_secs() -> f64 {
    // utime + stime of every process named postgres, in seconds (100 ticks a second).
    let mut ticks = 0u64;
    for entry in std::fs::read_dir("/proc").into_iter().flatten().flatten() {
        let p = entry.path();
        let Ok(comm) = std::fs::read_to_string(p.join("comm")) else {
            continue;
        };
        if comm.trim() != "postgres" {
            continue;
        }
        if let Ok(stat) = std::fs::read_to_string(p.join("stat"))
            && let Some(rest) = stat.rsplit(')').next()
        {
            let f: Vec<&str> = rest.split_whitespace().collect();
            ticks += f.get(11).and_then(|v| v.parse::<u64>().ok()).unwrap_or(0);
            ticks += f.get(12).and_then(|v| v.parse::<u64>().ok()).unwrap_or(0);
        }
    }
    ticks as f64 / 100.0
}

fn commits(url: &str) -> i64 {
    let url = url.to_string();
    std::thread::spawn(move || {
        let mut c = postgres::Client::connect(&url, postgres::NoTls).expect("connect");
        c.query_one(
            "SELECT xact_commit + xact_rollback FROM pg_stat_database WHERE datname = current_database()",
            &[],
        )
        .expect("stat")
        .get::<_, i64>(0)
    })
    .join()
    .expect("thread")
}

fn main() {
    let dashboards = common::env_usize("SLTUI_BENCH_DASHBOARDS", 50);
    let windows = common::env_usize("SLTUI_BENCH_WINDOWS", 3) as u32;
    let people = common::env_usize("SLTUI_BENCH_PEOPLE", 2_000);
    let window_secs = common::env_f64("SLTUI_BENCH_WINDOW_SECS", 60.0);
    let window = Duration::from_secs_f64(window_secs);
    let poll_secs = common::env_usize("SLTUI_BENCH_POLL_SECS", 10);
    let warmup = Duration::from_secs_f64(common::env_f64("SLTUI_BENCH_WARMUP_SECS", window_secs));
    let db = pg_support::test_db();
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
            live: true,
            minute_secs: window_secs,
            ..SimConfig::default()
        })
        .await
        .expect("simulator");
        // The hub in a process of its own (as a team runs it), its first full
        // sync done before anything is measured.
        let home = tempfile::tempdir().expect("home");
        let mut hub_proc = std::process::Command::new(env!("CARGO_BIN_EXE_sltui"))
            .args(["hub", "--base-url", &sim.base_url(), "--api-key", KEY])
            .args(["--db", &db.url, "--name", "bench-hub"])
            .args(["--poll-secs", &poll_secs.to_string(), "--full-every-secs", "120"])
            .env("HOME", home.path())
            .env("XDG_CONFIG_HOME", home.path().join("config"))
            .env("XDG_DATA_HOME", home.path().join("data"))
            .env("XDG_STATE_HOME", home.path().join("state"))
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("the hub starts");
        let started = Instant::now();
        let store = {
            let url = db.url.clone();
            tokio::task::spawn_blocking(move || loop {
                if let Ok(s) = sltui::store::PgStore::connect(&url)
                    && s.last_synced_at().ok().flatten().is_some()
                    && s.hub_status().ok().flatten().and_then(|h| h.last_sync_at).is_some()
                {
                    return s;
                }
                std::thread::sleep(Duration::from_millis(200));
            })
            .await
            .expect("the hub's first sync")
        };
        drop(store);
        eprintln!("hub's first full sync: {:.1} s", started.elapsed().as_secs_f64());
        let cadence_ids: Vec<u64> = client(&sim)
            .list::<sltui::api::models::Cadence>(
                "cadences",
                &sltui::api::Query::new().push("per_page", 100),
            )
            .await
            .expect("cadences")
            .data
            .iter()
            .map(|c| c.id)
            .collect();

        // The first sync's last points leave the hub's share a window later.
        tokio::time::sleep(window).await;
        let alone = measure(&sim, window, windows).await;

        // 50 dashboards on the hub's database: started, their first loads done
        // (the warm-up), then measured with the hub still polling and the
        // dashboards following its changes live.
        let mut readers = Vec::new();
        for _ in 0..dashboards {
            let w = spawn_hub_reader(&db.url, HubReaderOptions::default())
                .await
                .expect("a hub reader");
            start_dashboard(&w, &cadence_ids);
            readers.push(drain(w));
        }
        tokio::time::sleep(warmup).await;
        let cpu0 = postgres_cpu_secs();
        let tx0 = commits(&db.url);
        let t0 = Instant::now();
        let with_readers = measure(&sim, window, windows).await;
        let secs = t0.elapsed().as_secs_f64();
        let tx_per_s = (commits(&db.url) - tx0) as f64 / secs;
        let pg_cpu = postgres_cpu_secs() - cpu0;

        // Change → dashboard: a fact committed to the database until one more
        // dashboard's worker hands it to its UI (LISTEN/NOTIFY, then the catch-up
        // read), with the 50 others and the hub running. SalesLoft → database is
        // the hub's poll on top (≤ --poll-secs) until webhooks reach the hub.
        let mut watcher = spawn_hub_reader(&db.url, HubReaderOptions::default())
            .await
            .expect("a hub reader");
        start_dashboard(&watcher, &cadence_ids);
        tokio::time::sleep(Duration::from_secs(5)).await;
        while watcher.events.try_recv().is_ok() {}
        let writer = {
            let url = db.url.clone();
            tokio::task::spawn_blocking(move || sltui::store::PgStore::connect(&url))
                .await
                .expect("join")
                .expect("writer")
        };
        let writer = std::sync::Arc::new(writer);
        let mut latencies = Vec::new();
        for n in 0..common::env_usize("SLTUI_BENCH_CHANGES", 40) as u64 {
            let email_id = 9_000_000_000 + n;
            let now = chrono::Utc::now();
            let fact = sltui::metrics::EmailFact {
                email_id,
                cadence_id: cadence_ids.first().copied(),
                step_id: None,
                sent: true,
                bounced: false,
                viewed: n % 2 == 0,
                clicked: false,
                replied: false,
                view_tracked: true,
                click_tracked: true,
                template_id: None,
                person_id: None,
                sent_at: Some(now),
                updated_at: now,
            };
            let w = writer.clone();
            let start = Instant::now();
            tokio::task::spawn_blocking(move || w.upsert_email_facts(&[fact], 1))
                .await
                .expect("join")
                .expect("upsert");
            let seen = tokio::time::timeout(Duration::from_secs(30), async {
                while let Some(ev) = watcher.events.recv().await {
                    if let sltui::worker::WorkerEvent::EmailFacts { facts, .. } = ev
                        && facts.iter().any(|f| f.email_id == email_id)
                    {
                        return true;
                    }
                }
                false
            })
            .await;
            if matches!(seen, Ok(true)) {
                latencies.push(common::ms(start.elapsed()));
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let change = common::summarize(&latencies);
        drop(watcher);
        drop(readers);
        let _ = hub_proc.kill();
        let _ = hub_proc.wait();

        // 50 standalone dashboards, each its own client (no hub), after the
        // same warm-up as the dashboards on the hub.
        tokio::time::sleep(window).await;
        let mut standalone = Vec::new();
        for _ in 0..dashboards {
            let w = worker::spawn(client(&sim), WorkerOptions::default());
            start_dashboard(&w, &cadence_ids);
            standalone.push(drain(w));
        }
        tokio::time::sleep(warmup).await;
        let without_hub = measure(&sim, window, windows).await;
        drop(standalone);

        let ratio = with_readers / alone.max(1.0);
        println!(
            "{}",
            serde_json::json!({
                "bench": "hub",
                "window_secs": window_secs,
                "windows": windows,
                "dashboards": dashboards,
                "people": people,
                "hub_poll_secs": poll_secs,
                "warmup_s": warmup.as_secs_f64(),
                "points_per_window_hub_alone": alone,
                "points_per_window_hub_plus_dashboards": with_readers,
                "points_per_window_standalone_dashboards": without_hub,
                "hub_plus_dashboards_over_hub_alone": ratio,
                "db_transactions_per_s": tx_per_s,
                "postgres_cpu_s": pg_cpu,
                "change_to_dashboard_ms": {"n": change.n, "p50": change.p50, "p95": common::percentile(&{
                    let mut s = latencies.clone();
                    s.sort_by(|a, b| a.total_cmp(b));
                    s
                }, 0.95), "max": change.max},
                "measured_s": secs,
            })
        );
        println!();
        println!(
            "points per {window_secs} s window (budget 600), {windows} windows each, after a {:.0} s warm-up:",
            warmup.as_secs_f64()
        );
        println!("  1 hub alone (polling every {poll_secs} s)  {alone:>8.1}");
        println!(
            "  1 hub + {dashboards} dashboards on it       {with_readers:>8.1}   ({:+.1} % vs alone)",
            (ratio - 1.0) * 100.0
        );
        println!("  {dashboards} standalone dashboards         {without_hub:>8.1}");
        println!(
            "  database for {dashboards} dashboards: {tx_per_s:.0} transactions/s, PostgreSQL CPU {pg_cpu:.1} s in {secs:.0} s"
        );
        let mut sorted = latencies.clone();
        sorted.sort_by(|a, b| a.total_cmp(b));
        println!(
            "  a database change reaches a dashboard's worker: p50 {:.1} ms, p95 {:.1} ms ({} of {} changes)",
            change.p50,
            common::percentile(&sorted, 0.95),
            change.n,
            common::env_usize("SLTUI_BENCH_CHANGES", 40)
        );
        sim.shutdown().await;
    });
}
