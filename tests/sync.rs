//! The sync engine and the local store against the in-process simulator over real
//! loopback HTTP: the points a sync costs (as the simulator charged them), resuming
//! after an interruption, incremental refresh, consistency while data changes, and
//! the store round trip. Not timed: figures live in `benches/sync.rs`.

mod worker_support;

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::Value;
use sltui::api::models::{Person, PersonUpdate};
use sltui::api::{ApiClient, ApiConfig, CursorPosition, Query};
use sltui::metrics::{Aggregator, TimeRange};
use sltui::sim::{self, SimConfig, SimHandle};
use sltui::store::Store;
use sltui::sync::{CancelToken, Engine, Progress, Resource, SyncOptions, SyncReport};
use worker_support::{reset_stats, sim_get, stat};

const KEY: &str = "sync-test-key";
/// Stops a hung test; never a performance threshold.
const HANG_GUARD: Duration = Duration::from_secs(240);

async fn start_sim(people: usize, cadences: usize) -> SimHandle {
    sim::start(SimConfig {
        addr: ([127, 0, 0, 1], 0).into(),
        api_key: KEY.into(),
        people,
        cadences,
        // Plenty of budget: these tests count points, they do not wait for windows.
        budget: 1_000_000,
        ..SimConfig::default()
    })
    .await
    .expect("simulator starts")
}

fn client(sim: &SimHandle) -> ApiClient {
    let mut cfg = ApiConfig::new(&sim.base_url(), Some(KEY.into()));
    cfg.budget_limit = 1_000_000;
    ApiClient::new(cfg).expect("client")
}

/// Points the simulator charged since the last reset.
async fn charged(sim: &SimHandle) -> u64 {
    stat(sim, "cost_charged").await
}

fn memory_store() -> Arc<Mutex<Store>> {
    Arc::new(Mutex::new(Store::open_in_memory().expect("store")))
}

fn only(resources: &[Resource]) -> SyncOptions {
    SyncOptions {
        resources: resources.to_vec(),
        ..SyncOptions::default()
    }
}

async fn sync(client: &ApiClient, store: &Arc<Mutex<Store>>, opts: SyncOptions) -> SyncReport {
    let run = Engine::new(client.clone(), store.clone(), opts).run();
    tokio::time::timeout(HANG_GUARD, run)
        .await
        .expect("sync finishes")
}

fn report_of(r: &SyncReport, res: Resource) -> &sltui::sync::ResourceReport {
    r.resources
        .iter()
        .find(|x| x.resource == res.name())
        .expect("resource in report")
}

/// Every person as the server has them now (a plain cursor walk; not counted).
async fn server_people(client: &ApiClient) -> BTreeMap<u64, Person> {
    client
        .cursor::<Person>(
            "people",
            Query::new().set("per_page", 100),
            CursorPosition::start(),
        )
        .collect_all()
        .await
        .expect("walk")
        .into_iter()
        .map(|p| (p.id, p))
        .collect()
}

fn stored_people(store: &Arc<Mutex<Store>>) -> BTreeMap<u64, Person> {
    store
        .lock()
        .unwrap()
        .people()
        .expect("load")
        .into_iter()
        .map(|p| (p.id, p))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_sync_costs_one_point_per_hundred_records_plus_a_few() {
    // 10,050 people: two windows (100 pages, then one more page), a partial page.
    for n in [1usize, 2_000, 10_050] {
        let sim = start_sim(n, 4).await;
        let client = client(&sim);
        let store = memory_store();
        reset_stats(&sim).await;
        let report = sync(&client, &store, only(&[Resource::People])).await;
        assert!(report.ok(), "{report:?}");
        let points = charged(&sim).await;
        let floor = (n as u64).div_ceil(100);
        assert!(
            points <= floor + 5,
            "{n} people cost {points} points (floor {floor})"
        );
        // Every request cost one point: no page number past 100 was asked for.
        let st = sim_get(&sim, "/_sim/stats").await;
        assert_eq!(st["requests"].as_u64(), Some(points), "{st}");
        assert_eq!(report.points, points, "the report reads the cost headers");
        let stored = stored_people(&store);
        assert_eq!(stored.len(), n);
        assert_eq!(stored, server_people(&client).await);
        let r = report_of(&report, Resource::People);
        assert_eq!((r.mode.as_str(), r.records), ("full", n as u64));
        sim.shutdown().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_interrupted_sync_resumes_without_rereading() {
    let n = 6_000usize;
    let sim = start_sim(n, 4).await;
    let client = client(&sim);
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let path = dir.join("resume.sqlite");
    let store = Arc::new(Mutex::new(Store::open(&path).unwrap()));
    reset_stats(&sim).await;

    // Stop after about 20 pages.
    let cancel = CancelToken::new();
    let stopper = {
        let cancel = cancel.clone();
        Arc::new(move |p: &Progress| {
            if p.records >= 2_000 {
                cancel.cancel();
            }
        })
    };
    let first = Engine::new(client.clone(), store.clone(), only(&[Resource::People]))
        .with_cancel(cancel)
        .on_progress(stopper)
        .run();
    let first = tokio::time::timeout(HANG_GUARD, first).await.unwrap();
    assert!(first.interrupted);
    assert!(!first.ok());
    let kept = store.lock().unwrap().count("people").unwrap();
    assert!(kept >= 2_000 && kept < n as u64, "kept {kept}");
    let points_first = charged(&sim).await;
    assert_eq!(first.points, points_first);
    drop(store);

    // A new process: reopen the file and run again.
    reset_stats(&sim).await;
    let store = Arc::new(Mutex::new(Store::open(&path).unwrap()));
    let second = sync(&client, &store, only(&[Resource::People])).await;
    assert!(second.ok(), "{second:?}");
    assert_eq!(report_of(&second, Resource::People).mode, "resumed");
    let points_second = charged(&sim).await;
    // Nothing already stored was read again: the second run read only the rest.
    assert_eq!(
        report_of(&second, Resource::People).records,
        n as u64 - kept
    );
    let floor = (n as u64).div_ceil(100);
    assert!(
        points_first + points_second <= floor + 5,
        "{points_first} + {points_second} points for {n} people (floor {floor})"
    );
    assert_eq!(stored_people(&store), server_people(&client).await);
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn incremental_refresh_picks_up_exactly_the_changed_records() {
    let sim = start_sim(1_500, 4).await;
    let client = client(&sim);
    let store = memory_store();
    let full = sync(&client, &store, only(&[Resource::People])).await;
    assert!(full.ok(), "{full:?}");

    // Change 7 people through the API.
    let ids: Vec<u64> = stored_people(&store).keys().step_by(200).copied().collect();
    assert_eq!(ids.len(), 8);
    for (i, id) in ids.iter().take(7).enumerate() {
        let update = PersonUpdate {
            title: Some(format!("Changed title {i}")),
            ..PersonUpdate::default()
        };
        client.update_person(*id, &update).await.expect("update");
    }
    reset_stats(&sim).await;
    let refresh = sync(&client, &store, only(&[Resource::People])).await;
    assert!(refresh.ok(), "{refresh:?}");
    let r = report_of(&refresh, Resource::People);
    assert_eq!(r.mode, "incremental");
    assert_eq!(r.records, 7, "exactly the changed people");
    assert_eq!(charged(&sim).await, 1, "one page for seven changes");
    let stored = stored_people(&store);
    for (i, id) in ids.iter().take(7).enumerate() {
        assert_eq!(
            stored[id].title.as_deref(),
            Some(format!("Changed title {i}").as_str())
        );
    }
    assert_eq!(stored, server_people(&client).await);

    // Nothing changed: one request, nothing read.
    reset_stats(&sim).await;
    let idle = sync(&client, &store, only(&[Resource::People])).await;
    assert_eq!(report_of(&idle, Resource::People).records, 0);
    assert_eq!(charged(&sim).await, 1);
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn changes_while_a_window_is_read_lose_nothing() {
    // Two windows: the first is bounded by its page 100, read first.
    let n = 12_000usize;
    // Some latency, so the changes land while the later pages are still being read.
    let sim = sim::start(SimConfig {
        addr: ([127, 0, 0, 1], 0).into(),
        api_key: KEY.into(),
        people: n,
        cadences: 4,
        budget: 1_000_000,
        latency_ms: 20,
        ..SimConfig::default()
    })
    .await
    .expect("simulator starts");
    let client = client(&sim);
    // The oldest people: updating them empties the front of the window, which shifts
    // every later page while the sync reads them.
    let oldest: Vec<u64> = client
        .list::<Person>(
            "people",
            &Query::new()
                .set("sort_by", "updated_at")
                .set("sort_direction", "ASC")
                .set("per_page", 100),
        )
        .await
        .unwrap()
        .data
        .iter()
        .map(|p| p.id)
        .collect();
    let store = memory_store();
    let changer = client.clone();
    let fired = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let hook = {
        let fired = fired.clone();
        let handle = tokio::runtime::Handle::current();
        Arc::new(move |p: &Progress| {
            if p.records >= 500 && !fired.swap(true, std::sync::atomic::Ordering::SeqCst) {
                let changer = changer.clone();
                let ids = oldest.clone();
                handle.spawn(async move {
                    let updates = ids.into_iter().skip(50).take(30).map(|id| {
                        let changer = changer.clone();
                        async move {
                            let update = PersonUpdate {
                                city: Some("Moved".into()),
                                ..PersonUpdate::default()
                            };
                            changer.update_person(id, &update).await.expect("update");
                        }
                    });
                    futures::future::join_all(updates).await;
                });
            }
        })
    };
    let opts = SyncOptions {
        concurrency: 2,
        ..only(&[Resource::People])
    };
    let report = Engine::new(client.clone(), store.clone(), opts)
        .on_progress(hook)
        .run()
        .await;
    assert!(report.ok(), "{report:?}");
    assert!(fired.load(std::sync::atomic::Ordering::SeqCst));
    // The shrinking window was noticed and the page boundaries it shifted re-read.
    assert!(report_of(&report, Resource::People).gaps >= 1, "{report:?}");
    // The re-reads stop at their bound: no range that holds no instant was asked.
    let stats = sim_get(&sim, "/_sim/stats").await;
    assert_eq!(stats["empty_ranges"].as_u64(), Some(0), "{stats}");
    // Whatever moved while the pages were read, the store equals the server.
    let server = server_people(&client).await;
    assert_eq!(server.len(), n);
    assert_eq!(stored_people(&store), server);
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_whole_team_round_trips_through_the_store() {
    let sim = start_sim(600, 6).await;
    let client = client(&sim);
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let path = dir.join("team.sqlite");
    let store = Arc::new(Mutex::new(Store::open(&path).unwrap()));
    let report = sync(&client, &store, SyncOptions::default()).await;
    assert!(report.ok(), "{report:?}");
    assert_eq!(report.resources.len(), Resource::ALL.len());
    drop(store);

    // What the dashboard loads at start, from the file alone.
    let store = Store::open(&path).unwrap();
    let data = store.dashboard_data().unwrap();
    assert_eq!(data.people.len(), 600);
    assert_eq!(data.cadences.len(), 6);
    assert!(!data.steps.is_empty());
    assert!(!data.users.is_empty());
    assert!(data.synced_at.is_some());
    // The email facts give exactly the simulator's engagement truth.
    let mut agg = Aggregator::new(TimeRange::All, chrono::Utc::now());
    for f in data.email_facts {
        agg.upsert(f);
    }
    let truth: HashMap<String, Value> =
        serde_json::from_value(sim_get(&sim, "/_sim/truth/engagement").await).unwrap();
    assert!(!truth.is_empty());
    for (cadence, t) in &truth {
        let got = agg.by_cadence(cadence.parse().unwrap());
        let want = |k: &str| t[k].as_u64().unwrap();
        assert_eq!(
            (
                got.sent,
                got.delivered,
                got.opened,
                got.clicked,
                got.replied,
                got.bounced
            ),
            (
                want("sent"),
                want("delivered"),
                want("opened"),
                want("clicked"),
                want("replied"),
                want("bounced")
            ),
            "cadence {cadence}"
        );
    }
    sim.shutdown().await;
}

/// `sltui` with a private home, against `sim`.
fn sltui(home: &std::path::Path, sim: &SimHandle) -> std::process::Command {
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_sltui"));
    cmd.env_clear()
        .env("HOME", home)
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("XDG_DATA_HOME", home.join("data"))
        .env("XDG_STATE_HOME", home.join("state"))
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .args(["--base-url", &sim.base_url(), "--api-key", KEY]);
    cmd
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_sync_command_reports_points_from_the_headers_and_refuses_a_bad_store() {
    let sim = start_sim(700, 4).await;
    let tmp = tempfile::tempdir().unwrap();
    let home = tmp.path();
    reset_stats(&sim).await;
    let out = {
        let mut cmd = sltui(home, &sim);
        cmd.args(["sync", "--json"]);
        tokio::task::spawn_blocking(move || cmd.output().expect("runs"))
            .await
            .unwrap()
    };
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    let report: Value = serde_json::from_slice(&out.stdout).expect("json report");
    assert_eq!(report["points"].as_u64(), Some(charged(&sim).await));
    assert_eq!(report["interrupted"], Value::Bool(false));
    let people = report["resources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["resource"] == "people")
        .expect("people in the report");
    assert_eq!(people["records"].as_u64(), Some(700));
    assert_eq!(people["mode"], "full");
    let store_path = std::path::PathBuf::from(report["store"].as_str().unwrap());
    assert!(store_path.starts_with(home.join("data")), "{store_path:?}");
    assert_eq!(
        Store::open(&store_path).unwrap().count("people").unwrap(),
        700
    );

    // Run again: incremental, one point per resource with a cursor (+ users).
    reset_stats(&sim).await;
    let mut cmd = sltui(home, &sim);
    cmd.args(["sync", "--json"]);
    let out = tokio::task::spawn_blocking(move || cmd.output().unwrap())
        .await
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let again: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        again["records"].as_u64(),
        Some(again["resources"][0]["records"].as_u64().unwrap())
    );
    assert_eq!(charged(&sim).await, Resource::ALL.len() as u64);

    // A file that is not a database: a clear error, exit 1, the file untouched.
    let junk = home.join("junk.sqlite");
    std::fs::write(&junk, b"not a database\n".repeat(300)).unwrap();
    let mut cmd = sltui(home, &sim);
    cmd.args(["sync", "--store"]).arg(&junk);
    let out = tokio::task::spawn_blocking(move || cmd.output().unwrap())
        .await
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("is not a valid sltui database"), "{stderr}");
    assert!(stderr.contains("junk.sqlite"), "{stderr}");
    assert_eq!(
        std::fs::read(&junk).unwrap(),
        b"not a database\n".repeat(300)
    );
    sim.shutdown().await;
}

/// Pages of a running full sync saved in the store file at `path` (their rows are
/// staged until merged into their table), read without writing to it (0 while
/// its schema is not there yet).
fn pages_in_file(path: &std::path::Path) -> u64 {
    let flags = rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY;
    rusqlite::Connection::open_with_flags(path, flags)
        .and_then(|c| {
            c.query_row("SELECT count(*) FROM sync_pages", [], |r| {
                r.get::<_, i64>(0)
            })
        })
        .map_or(0, |n| n.max(0) as u64)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ctrl_c_stops_the_sync_command_and_the_next_run_continues() {
    // Latency, so the sync is still running when Ctrl-C comes.
    let sim = sim::start(SimConfig {
        addr: ([127, 0, 0, 1], 0).into(),
        api_key: KEY.into(),
        people: 5_000,
        cadences: 4,
        budget: 1_000_000,
        latency_ms: 30,
        ..SimConfig::default()
    })
    .await
    .expect("simulator starts");
    let tmp = tempfile::tempdir().unwrap();
    let home = tmp.path();
    let mut cmd = sltui(home, &sim);
    cmd.args(["sync", "--json", "--only", "people", "--connections", "1"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    let mut child = cmd.spawn().expect("starts");
    // Ctrl-C once the first pages are in the store.
    let deadline = std::time::Instant::now() + HANG_GUARD;
    loop {
        assert!(std::time::Instant::now() < deadline, "no page was stored");
        if child.try_wait().expect("child status").is_some() {
            let out = child.wait_with_output().expect("child output");
            panic!(
                "the sync ended before Ctrl-C: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
        let Some(stores) = std::fs::read_dir(home.join("data").join("sltui").join("stores"))
            .ok()
            .and_then(|d| {
                d.flatten()
                    .map(|e| e.path())
                    .find(|p| p.extension().is_some_and(|x| x == "sqlite"))
            })
        else {
            continue;
        };
        // Read only: opening it as a store would migrate its schema, racing the
        // sync that is creating it.
        if pages_in_file(&stores) > 0 {
            break;
        }
    }
    let status = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(status.success());
    let out = tokio::task::spawn_blocking(move || child.wait_with_output().unwrap())
        .await
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(130), "{stderr}");
    assert!(stderr.contains("stopping"), "{stderr}");
    let first: Value = serde_json::from_slice(&out.stdout).expect("a report even when stopped");
    assert_eq!(first["interrupted"], Value::Bool(true));
    let got = first["records"].as_u64().unwrap();
    assert!(got > 0 && got < 5_000, "read {got} before Ctrl-C");

    let mut cmd = sltui(home, &sim);
    cmd.args(["sync", "--json", "--only", "people"]);
    let out = tokio::task::spawn_blocking(move || cmd.output().unwrap())
        .await
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let second: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(second["resources"][0]["mode"], "resumed");
    assert_eq!(second["records"].as_u64(), Some(5_000 - got));
    sim.shutdown().await;
}
