//! Sync strategies side by side on one in-process simulator (`sltui::sim::start`)
//! with 25 ms latency a request, the 600-point budget and a shortened budget
//! window (`minute_secs`, stated in the output):
//!
//! (a) page walk by page numbers over `/v2/people` (`ApiClient::page_walk`, per_page 100);
//! (b) page walks inside 30-day `updated_at[gte]/[lt]` windows (sorted by updated_at);
//! (c) one sequential keyset cursor walk (`ApiClient::cursor`);
//! (d) sltui's engine (`sltui::sync::Engine`), people only, into an on-disk SQLite
//!     store (a temporary file), side by side with (a)-(c): parallel windows of
//!     <= 100 pages, 8 connections, within the budget governor;
//! (e) the engine as `sltui sync` runs it: every resource (users, cadences, steps,
//!     people, cadence memberships, emails) into an on-disk store. Its records are
//!     all of them, not only people; its floor is the sum over the resources of
//!     ceil(records / 100).
//!
//! Points, requests and 429s come from `GET /_sim/stats` (reset before each
//! strategy, which also starts at a fresh budget window). The physical limit is
//! the larger of requests x latency / 8 connections and the budget's: a run starts
//! just after a window boundary with the whole first window's budget available at
//! once, so P points need W = floor((P - 1) / budget) more windows before the last
//! window's points (P - W x budget) can be spent, and those are spent by at least
//! that many requests when every request cost 1 point (else that many / 30, the
//! dearest page), 8 at a time, each taking the latency. No strategy can beat it;
//! one that seems to means this formula is wrong. (Until issue 12's seventh stop
//! the budget's part counted one request's latency after the last refill, not
//! the last window's requests: at 100k people the engine's 403 requests after
//! the refill need 51 rounds of 25 ms, so that limit, 3.13 s, could not be reached.)
//!
//! `cargo bench --bench sync`; env: SLTUI_BENCH_PEOPLE (comma list, default
//! 10000,50000,100000 as issue 5 asks; e.g. 10000 for a quick run), SLTUI_BENCH_MINUTE_SECS (default 3:
//! the page walk at 100k, 18,550 points, is budget-bound at 31 windows, so the window
//! sets the run's length; 3 s keeps the whole `cargo bench` under 10 minutes),
//! SLTUI_BENCH_LATENCY_MS (default 25), SLTUI_BENCH_BUDGET (default 600),
//! SLTUI_BENCH_STRATEGIES (default abcde: which strategies to run).

mod common;

use std::collections::HashSet;
use std::time::{Duration, Instant};

use chrono::{DateTime, FixedOffset, TimeDelta};
use common::*;
use sltui::api::models::Person;
use sltui::api::query::format_timestamp;
use sltui::api::{ApiClient, ApiConfig, ApiError, CursorPosition, Query};
use sltui::budget::page_cost;
use sltui::sim::{self, SimConfig};
use sltui::store::Store;
use sltui::sync::{Engine, Resource, SyncOptions};

const CONNECTIONS: f64 = 8.0;
const WINDOW_DAYS: i64 = 30;
/// How long after a budget window boundary each strategy starts ([`fresh_window`]).
const WINDOW_LEAD_SECS: f64 = 0.02;

struct Run {
    name: &'static str,
    records: u64,
    /// The fewest points these records can cost: ceil(records / 100) per resource.
    floor: u64,
    unique: u64,
    requests: u64,
    points: u64,
    throttled: u64,
    wall: f64,
    /// CPU seconds of the whole process (client and simulator) during the run.
    cpu: f64,
}

/// Evaluates the request expression until it succeeds, waiting out 429s the
/// client gave up on (the walkers ask for the same page again after an error).
macro_rules! persist {
    ($call:expr) => {
        loop {
            match $call.await {
                Ok(v) => break v,
                Err(ApiError::RateLimited { retry_after }) => {
                    let wait = retry_after.unwrap_or(Duration::from_millis(200));
                    tokio::time::sleep(wait.min(Duration::from_secs(5))).await;
                }
                Err(e) => return Err(e.into()),
            }
        }
    };
}

#[derive(Default)]
struct Tally {
    records: u64,
    ids: HashSet<u64>,
}

impl Tally {
    fn add(&mut self, people: &[Person]) {
        self.records += people.len() as u64;
        self.ids.extend(people.iter().map(|p| p.id));
    }
}

async fn page_walk(client: &ApiClient, query: Query, tally: &mut Tally) -> anyhow::Result<()> {
    let mut walk = client.page_walk::<Person>("people", query);
    loop {
        let page = persist!(walk.next_page());
        match page {
            Some(p) => tally.add(&p),
            None => return Ok(()),
        }
    }
}

async fn strategy_a(client: &ApiClient, tally: &mut Tally) -> anyhow::Result<()> {
    page_walk(client, Query::new().set("per_page", 100), tally).await
}

async fn strategy_b(
    client: &ApiClient,
    range: (DateTime<FixedOffset>, DateTime<FixedOffset>),
    tally: &mut Tally,
) -> anyhow::Result<()> {
    let (first, last) = range;
    let end = last + TimeDelta::microseconds(1);
    let mut from = first;
    while from < end {
        let to = (from + TimeDelta::days(WINDOW_DAYS)).min(end);
        let q = Query::new()
            .set("per_page", 100)
            .set("sort_by", "updated_at")
            .set("sort_direction", "ASC")
            .set("updated_at[gte]", format_timestamp(&from))
            .set("updated_at[lt]", format_timestamp(&to));
        page_walk(client, q, tally).await?;
        from = to;
    }
    Ok(())
}

/// What the engine's run reports beside the records it stored.
struct EngineRun {
    /// The engine's own seconds (loading the store back for the tally is not part
    /// of the sync).
    wall: f64,
    /// ceil(records / 100) summed over the resources.
    floor: u64,
}

/// The engine syncing `resources` into a fresh SQLite file, as `sltui sync` does.
async fn strategy_engine(
    client: &ApiClient,
    resources: Vec<Resource>,
    tally: &mut Tally,
) -> anyhow::Result<EngineRun> {
    let dir = tempfile::tempdir()?;
    let store = Store::open(&dir.path().join("bench.sqlite"))?;
    let store = std::sync::Arc::new(std::sync::Mutex::new(store));
    let opts = SyncOptions {
        resources,
        full: true,
        concurrency: CONNECTIONS as usize,
        ..SyncOptions::default()
    };
    let t = Instant::now();
    let report = Engine::new(client.clone(), store.clone(), opts).run().await;
    let wall = t.elapsed().as_secs_f64();
    if let Some(err) = report.resources.iter().find_map(|r| r.error.clone()) {
        anyhow::bail!("the engine failed: {err}");
    }
    let people = store.lock().unwrap().people()?;
    tally.records += report.records;
    tally.ids.extend(people.iter().map(|p| p.id));
    let floor = report
        .resources
        .iter()
        .map(|r| r.records.div_ceil(100))
        .sum();
    Ok(EngineRun { wall, floor })
}

async fn strategy_c(client: &ApiClient, tally: &mut Tally) -> anyhow::Result<()> {
    let mut cursor = client.cursor::<Person>(
        "people",
        Query::new().set("per_page", 100),
        CursorPosition::start(),
    );
    loop {
        match persist!(cursor.next_batch()) {
            Some(b) => tally.add(&b),
            None => return Ok(()),
        }
    }
}

/// A client with a budget of its own, as a fresh `sltui sync` process has.
fn fresh_client(sim: &sim::SimHandle, key: &str) -> anyhow::Result<ApiClient> {
    Ok(ApiClient::new(ApiConfig::new(
        &sim.base_url(),
        Some(key.to_string()),
    ))?)
}

/// The oldest and newest `updated_at` among people (two requests, made before
/// the measured runs).
async fn updated_range(
    client: &ApiClient,
) -> anyhow::Result<(DateTime<FixedOffset>, DateTime<FixedOffset>)> {
    let mut ends = Vec::new();
    for dir in ["ASC", "DESC"] {
        let q = Query::new()
            .set("per_page", 1)
            .set("sort_by", "updated_at")
            .set("sort_direction", dir);
        let env = persist!(client.list::<Person>("people", &q));
        let p = env
            .data
            .first()
            .ok_or_else(|| anyhow::anyhow!("no people"))?;
        ends.push(p.updated_at);
    }
    Ok((ends[0], ends[1]))
}

struct Stats {
    requests: u64,
    points: u64,
    throttled: u64,
}

async fn stats(http: &reqwest::Client, root: &str) -> anyhow::Result<Stats> {
    let v: serde_json::Value = http
        .get(format!("{root}/_sim/stats"))
        .send()
        .await?
        .json()
        .await?;
    let n = |k: &str| v[k].as_u64().unwrap_or(0);
    Ok(Stats {
        requests: n("requests"),
        points: n("cost_charged"),
        throttled: n("throttled"),
    })
}

/// Sleeps until just after the next budget window boundary (windows are aligned
/// to the simulator's start, `origin`).
async fn fresh_window(origin: Instant, window: f64) {
    let since = origin.elapsed().as_secs_f64();
    let next = (since / window).floor() + 1.0;
    let at = origin + Duration::from_secs_f64(next * window + WINDOW_LEAD_SECS);
    tokio::time::sleep_until(at.into()).await;
}

async fn bench_n(
    people: usize,
    minute_secs: f64,
    latency_ms: u64,
    budget: u32,
) -> anyhow::Result<Vec<Run>> {
    let cfg = SimConfig {
        addr: ([127, 0, 0, 1], 0).into(),
        people,
        budget,
        minute_secs,
        latency_ms,
        ..SimConfig::default()
    };
    let api_key = cfg.api_key.clone();
    let sim = sim::start(cfg).await?;
    let origin = Instant::now();
    let root = format!("http://{}", sim.addr());
    let http = reqwest::Client::new();
    let client = ApiClient::new(ApiConfig::new(&sim.base_url(), Some(api_key.clone())))?;
    let range = updated_range(&client).await?;

    let mut runs = Vec::new();
    let chosen = std::env::var("SLTUI_BENCH_STRATEGIES").unwrap_or_else(|_| "abcde".into());
    for name in ["a", "b", "c", "d", "e"] {
        if !chosen.contains(name) {
            continue;
        }
        fresh_window(origin, minute_secs).await;
        http.post(format!("{root}/_sim/stats/reset"))
            .send()
            .await?
            .error_for_status()?;
        let mut tally = Tally::default();
        let cpu0 = process_cpu_secs().unwrap_or(0.0);
        let t = Instant::now();
        let own = match name {
            "a" => strategy_a(&client, &mut tally).await.map(|_| None)?,
            "b" => strategy_b(&client, range, &mut tally).await.map(|_| None)?,
            "c" => strategy_c(&client, &mut tally).await.map(|_| None)?,
            "d" => {
                let fresh = fresh_client(&sim, &api_key)?;
                let people = vec![Resource::People];
                Some(strategy_engine(&fresh, people, &mut tally).await?)
            }
            _ => {
                let fresh = fresh_client(&sim, &api_key)?;
                let all = Resource::ALL.to_vec();
                Some(strategy_engine(&fresh, all, &mut tally).await?)
            }
        };
        let wall = own
            .as_ref()
            .map_or_else(|| t.elapsed().as_secs_f64(), |e| e.wall);
        let floor = own.map_or_else(|| (tally.ids.len() as u64).div_ceil(100), |e| e.floor);
        let cpu = process_cpu_secs().unwrap_or(0.0) - cpu0;
        let st = stats(&http, &root).await?;
        runs.push(Run {
            name: match name {
                "a" => "(a) page walk, page numbers",
                "b" => "(b) page walk in 30-day windows",
                "c" => "(c) sequential cursor walk",
                "d" => "(d) sltui engine, people",
                _ => "(e) sltui engine, every resource",
            },
            records: tally.records,
            floor,
            unique: tally.ids.len() as u64,
            requests: st.requests,
            points: st.points,
            throttled: st.throttled,
            wall,
            cpu,
        });
    }
    sim.shutdown().await;
    Ok(runs)
}

fn physical_limit(run: &Run, latency_ms: u64, budget: u32, window: f64) -> f64 {
    let latency = latency_ms as f64 / 1000.0;
    let charged = run.requests.saturating_sub(run.throttled);
    let by_latency = charged as f64 * latency / CONNECTIONS;
    // The first window's budget is there at once; each later window adds `budget`.
    let budget = u64::from(budget.max(1));
    let windows_waited = run.points.saturating_sub(1) / budget;
    if windows_waited == 0 {
        return by_latency;
    }
    // The last window's points are spent after its refill, by at least
    // ceil(points / the dearest request) requests, CONNECTIONS at a time: all
    // of them when every request cost 1 point (points == requests charged).
    let last_points = run.points - windows_waited * budget;
    let dearest = if run.points == charged {
        1
    } else {
        page_cost(u64::MAX)
    };
    let last_requests = last_points.div_ceil(dearest);
    let rounds = (last_requests as f64 / CONNECTIONS).ceil();
    let by_budget = windows_waited as f64 * window - WINDOW_LEAD_SECS + rounds * latency;
    by_latency.max(by_budget)
}

fn main() -> anyhow::Result<()> {
    let ns = env_list("SLTUI_BENCH_PEOPLE", &[10_000, 50_000, 100_000]);
    let minute_secs = env_f64("SLTUI_BENCH_MINUTE_SECS", 3.0);
    let latency_ms = env_usize("SLTUI_BENCH_LATENCY_MS", 25) as u64;
    let budget = env_usize("SLTUI_BENCH_BUDGET", 600) as u32;
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let mut rows = Vec::new();
    let mut targets = Vec::new();
    let mut every = Vec::new();
    for &n in &ns {
        let runs = rt.block_on(bench_n(n, minute_secs, latency_ms, budget))?;
        for r in &runs {
            let limit = physical_limit(r, latency_ms, budget, minute_secs);
            println!(
                "{{\"bench\":\"sync\",\"people\":{n},\"strategy\":\"{}\",\"window_secs\":{minute_secs},\"latency_ms\":{latency_ms},\"budget\":{budget},\"records\":{},\"floor_points\":{},\"unique\":{},\"requests\":{},\"points\":{},\"throttled\":{},\"wall_s\":{:.3},\"cpu_s\":{:.2},\"physical_limit_s\":{:.3},\"vs_limit\":{:.2}}}",
                r.name,
                r.records,
                r.floor,
                r.unique,
                r.requests,
                r.points,
                r.throttled,
                r.wall,
                r.cpu,
                limit,
                r.wall / limit.max(1e-9)
            );
            rows.push(vec![
                n.to_string(),
                r.name.to_string(),
                r.records.to_string(),
                r.requests.to_string(),
                r.points.to_string(),
                r.floor.to_string(),
                r.throttled.to_string(),
                f2(r.wall),
                f2(r.cpu),
                f2(limit),
                format!("{:.1}x", r.wall / limit.max(1e-9)),
            ]);
        }
        let by = |prefix: &str| runs.iter().find(|r| r.name.starts_with(prefix));
        if let Some(e) = by("(e)") {
            let limit = physical_limit(e, latency_ms, budget, minute_secs);
            every.push(vec![
                n.to_string(),
                e.records.to_string(),
                e.points.to_string(),
                format!("+{}", e.points.saturating_sub(e.floor)),
                f2(e.wall),
                format!("{:.2}x", e.wall / limit.max(1e-9)),
            ]);
        }
        if let (Some(a), Some(c), Some(d)) = (by("(a)"), by("(c)"), by("(d)")) {
            let floor = (n as u64).div_ceil(100);
            let limit = physical_limit(d, latency_ms, budget, minute_secs);
            let fewer = a.points as f64 / d.points.max(1) as f64;
            let faster = c.wall / d.wall.max(1e-9);
            let vs_limit = d.wall / limit.max(1e-9);
            println!(
                "{{\"bench\":\"sync_targets\",\"people\":{n},\"engine_points\":{},\"floor_plus_5\":{},\"points_ok\":{},\"fewer_points_than_page_walk\":{fewer:.2},\"faster_than_sequential_cursor\":{faster:.2},\"wall_vs_limit\":{vs_limit:.2},\"complete\":{}}}",
                d.points,
                floor + 5,
                d.points <= floor + 5,
                d.unique == n as u64,
            );
            targets.push(vec![
                n.to_string(),
                format!("{} (<= {})", d.points, floor + 5),
                format!("{fewer:.1}x"),
                format!("{faster:.1}x"),
                format!("{vs_limit:.2}x"),
                format!("{}/{n}", d.unique),
            ]);
        }
    }
    if !every.is_empty() {
        println!();
        println!(
            "(e) every resource into the on-disk store, as `sltui sync` runs it (floor: ceil(records/100) per resource)"
        );
        table_left(
            &[
                "people",
                "records",
                "points",
                "over floor",
                "wall s",
                "wall/limit",
            ],
            &every,
            1,
        );
    }
    println!();
    println!(
        "sync strategies on the simulator: latency {latency_ms} ms, budget {budget} points per {minute_secs} s window (the real API: 60 s), {CONNECTIONS} connections for the limit"
    );
    table_left(
        &[
            "people",
            "strategy",
            "records",
            "requests",
            "points",
            "floor",
            "429s",
            "wall s",
            "cpu s",
            "limit s",
            "wall/limit",
        ],
        &rows,
        2,
    );
    println!();
    println!(
        "engine targets: points <= ceil(N/100)+5; >= 7x fewer points than (a) at 50k (15x at 100k); wall <= 1.5x the limit; >= 4x faster than (c) at 50k"
    );
    table_left(
        &[
            "people",
            "engine points",
            "fewer than (a)",
            "faster than (c)",
            "wall/limit",
            "people stored",
        ],
        &targets,
        1,
    );
    Ok(())
}
