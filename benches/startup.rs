//! Dashboard start-up from a warm local store: the time from process start to the
//! first rendered frame (ratatui `TestBackend`, 120x40) and the peak RSS.
//!
//! The parent fills a store by a full sync from the in-process simulator (every
//! resource but the memberships, which a start does not read: users, cadences,
//! steps, email templates, people, calls, email facts), then runs itself again as a
//! fresh child process per sample, so the figures hold only what the dashboard
//! does. First frame: `stored::load` (open the store; read the cadences, steps,
//! users and the engagement of the 30-day range from the per-day sums, plus an
//! exact recount of the day the range starts in), seed the state, draw. Then what
//! the dashboard reads after its first frame, off the UI thread: `stored::load_rest`
//! (the people index's columns, every email fact streamed into an aggregator) and
//! its hand-over to the state (index `prepare()`, range, replay) -- "everything
//! loaded", checked equal to the first frame's numbers. The child times from its
//! `main` (process start) and reads its `VmHWM` at both points.
//!
//! Side by side in the same run, the team hub's dashboard (`sltui --db`): the
//! same records copied into a throwaway PostgreSQL (tests/pg_support: `initdb`
//! into a temp dir, `postgres` on a free loopback port), and a fresh child per
//! sample timed from its `main` to the first frame: connect, `HubReader::first_frame`
//! (cadences, steps, users and the range's per-day sums), seed, draw. Its first
//! frame's engagement is checked equal to the SQLite child's.
//!
//! `cargo bench --bench startup`; env: SLTUI_BENCH_PEOPLE (default 100000),
//! SLTUI_BENCH_CADENCES (default 300), SLTUI_BENCH_RUNS (children, default 5),
//! SLTUI_BENCH_PG=0 skips PostgreSQL. Targets: first frame <= 150 ms (SQLite),
//! <= 300 ms (PostgreSQL, issue 11), peak RSS (everything loaded) <= 150 MB.

mod common;
#[path = "../tests/pg_support/mod.rs"]
mod pg_support;

use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use common::*;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use sltui::api::models::{Cadence, Person, Step, User};
use sltui::api::{ApiClient, ApiConfig};
use sltui::metrics::TimeRange;
use sltui::sim::{self, SimConfig};
use sltui::store::pg::PgStore;
use sltui::store::start::{self as start, StoreLoad};
use sltui::store::{RecordStore, Store, StoreRecord};
use sltui::sync::{Engine, Resource, SyncOptions};
use sltui::tui::state::{AppState, Clock, Session};
use sltui::tui::update::stored::{self, StoreEvent};
use sltui::tui::views;
use sltui::worker::hub_reader::HubReader;

const CHILD: &str = "SLTUI_BENCH_STARTUP_STORE";
const CHILD_PG: &str = "SLTUI_BENCH_STARTUP_PG";
const NOW: &str = "SLTUI_BENCH_STARTUP_NOW";
const PG_FIRST_FRAME_TARGET_MS: f64 = 300.0;
const SERVER: &str = "bench";
const FIRST_FRAME_TARGET_MS: f64 = 150.0;
const RSS_TARGET_MB: f64 = 150.0;

fn main() {
    let started = Instant::now();
    if let Ok(path) = std::env::var(CHILD) {
        child(Path::new(&path), started);
        return;
    }
    if let Ok(url) = std::env::var(CHILD_PG) {
        child_pg(&url, started);
        return;
    }
    parent();
}

/// One start-up: prints `first_frame_ms load_ms seed_ms draw_ms rss_first_mb people
/// cadences full_ms rss_mb`.
fn child(path: &Path, started: Instant) {
    let t = Instant::now();
    let range = TimeRange::Days(30);
    let load = start::load(path, SERVER, range, chrono::Utc::now());
    let load_ms = ms(t.elapsed());
    let StoreLoad::Loaded(data) = load else {
        panic!("the bench store did not load: {load:?}");
    };
    let t = Instant::now();
    let mut state = fresh_state(range, false);
    stored::apply_load(&mut state, StoreLoad::Loaded(data));
    let seed_ms = ms(t.elapsed());
    let t = Instant::now();
    let mut terminal = Terminal::new(TestBackend::new(120, 40)).expect("terminal");
    terminal
        .draw(|f| views::draw(f, &state))
        .expect("first frame");
    let draw_ms = ms(t.elapsed());
    let first_frame_ms = ms(started.elapsed());
    let rss_first = peak_rss_mb().unwrap_or(f64::NAN);
    let first = screen_text(&terminal);
    assert!(
        first.contains("stored data from"),
        "the first frame shows the stored data"
    );
    let shown: Vec<_> = state
        .cadences
        .list
        .cadences
        .iter()
        .map(|c| state.metrics.agg.by_cadence(c.id))
        .collect();
    assert!(
        shown.iter().any(|e| !e.is_empty()),
        "the first frame shows engagement"
    );

    // The rest, as the dashboard reads it after its first frame: every person
    // for the index and every email fact for the aggregator.
    let rest = start::load_rest(path).expect("people and facts");
    stored::on_event(&mut state, StoreEvent::Loaded(Ok(Box::new(rest))));
    terminal.draw(|f| views::draw(f, &state)).expect("frame");
    let full_ms = ms(started.elapsed());
    let counted: Vec<_> = state
        .cadences
        .list
        .cadences
        .iter()
        .map(|c| state.metrics.agg.by_cadence(c.id))
        .collect();
    assert_eq!(
        shown, counted,
        "the first frame's sums equal the facts' counts"
    );
    let rss_full = peak_rss_mb().unwrap_or(f64::NAN);
    // For the comparison with PostgreSQL only (after every figure is taken): the
    // first frame's numbers at the parent's clock, as the PostgreSQL child reads.
    let print = match start::load(path, SERVER, range, bench_now()) {
        StoreLoad::Loaded(data) => {
            let mut at_parent = fresh_state(range, false);
            stored::apply_load(&mut at_parent, StoreLoad::Loaded(data));
            fingerprint(&at_parent)
        }
        other => panic!("the bench store did not load again: {other:?}"),
    };
    println!(
        "{first_frame_ms:.2} {load_ms:.2} {seed_ms:.2} {draw_ms:.2} {rss_first:.1} {} {} {full_ms:.2} {rss_full:.1} {print}",
        state.people.search.index.len(),
        state.cadences.list.cadences.len(),
    );
}

/// The clock the children read their 30-day range from: the parent's, taken
/// once, so the SQLite and PostgreSQL first frames count the same window (a
/// range a minute later can lose an email at its edge).
fn bench_now() -> chrono::DateTime<chrono::Utc> {
    std::env::var(NOW)
        .ok()
        .and_then(|s| s.parse::<i64>().ok())
        .and_then(|s| chrono::DateTime::from_timestamp(s, 0))
        .unwrap_or_else(chrono::Utc::now)
}

/// A state as the dashboard makes it, before its first frame (`hub`: on a team
/// database, `--db`).
fn fresh_state(range: TimeRange, hub: bool) -> AppState {
    let session = Session {
        profile_label: "bench".into(),
        demo: false,
        read_only: false,
        refresh_secs: 10,
        reserve: 0.2,
        confirm_above: None,
        has_store: false,
        mouse: true,
    };
    let mut state = sltui::tui::setup::StateSetup {
        range,
        hub,
        ..sltui::tui::setup::StateSetup::new(session, Clock::system())
    }
    .build();
    sltui::tui::update::update(&mut state, sltui::tui::msg::Msg::Resize(120, 40));
    state
}

/// The first frame's engagement summed over the cadences shown: one line to
/// compare the two stores' first frames.
fn fingerprint(state: &AppState) -> String {
    let mut e = [0u64; 6];
    for c in &state.cadences.list.cadences {
        let x = state.metrics.agg.by_cadence(c.id);
        for (slot, v) in e.iter_mut().zip([
            x.sent,
            x.delivered,
            x.opened,
            x.clicked,
            x.replied,
            x.bounced,
        ]) {
            *slot += v;
        }
    }
    format!(
        "{}:{}",
        state.cadences.list.cadences.len(),
        e.map(|v| v.to_string()).join(",")
    )
}

/// One start-up of the hub dashboard on PostgreSQL: prints `first_frame_ms
/// load_ms seed_ms draw_ms rss_first_mb fingerprint`.
fn child_pg(url: &str, started: Instant) {
    let t = Instant::now();
    let range = TimeRange::Days(30);
    let reader = HubReader::open(url).expect("the team database opens");
    let load = reader.first_frame(range, bench_now());
    let load_ms = ms(t.elapsed());
    let StoreLoad::Loaded(data) = load else {
        panic!("the team database did not load: {load:?}");
    };
    let t = Instant::now();
    let mut state = fresh_state(range, true);
    stored::apply_load(&mut state, StoreLoad::Loaded(data));
    let seed_ms = ms(t.elapsed());
    let t = Instant::now();
    let mut terminal = Terminal::new(TestBackend::new(120, 40)).expect("terminal");
    terminal
        .draw(|f| views::draw(f, &state))
        .expect("first frame");
    let draw_ms = ms(t.elapsed());
    let first_frame_ms = ms(started.elapsed());
    let rss_first = peak_rss_mb().unwrap_or(f64::NAN);
    println!(
        "{first_frame_ms:.2} {load_ms:.2} {seed_ms:.2} {draw_ms:.2} {rss_first:.1} {}",
        fingerprint(&state)
    );
}

fn screen_text(terminal: &Terminal<TestBackend>) -> String {
    let buf = terminal.backend().buffer();
    (0..buf.area.height)
        .flat_map(|y| (0..buf.area.width).map(move |x| (x, y)))
        .map(|(x, y)| buf[(x, y)].symbol().to_string())
        .collect()
}

fn parent() {
    let people = env_usize("SLTUI_BENCH_PEOPLE", 100_000);
    let cadences = env_usize("SLTUI_BENCH_CADENCES", 300);
    let runs = env_usize("SLTUI_BENCH_RUNS", 5).max(1);
    let dir = std::env::temp_dir().join(format!("sltui-bench-startup-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join("bench.sqlite");

    let t = Instant::now();
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let counts = rt.block_on(fill(&path, people, cadences));
    eprintln!(
        "store filled in {:.1} s: {counts}",
        t.elapsed().as_secs_f64()
    );
    let size_mb = std::fs::metadata(&path).map_or(0.0, |m| m.len() as f64 / 1e6);

    let (samples, prints) = run_children(CHILD, path.to_str().expect("utf-8 path"), runs);
    let col = |i: usize| {
        let mut v: Vec<f64> = samples.iter().map(|s| s[i]).collect();
        v.sort_by(|a, b| a.total_cmp(b));
        v
    };
    let first = col(0);
    let rss_first = col(4);
    let full = col(7);
    let rss = col(8);
    let p50 = |v: &[f64]| percentile(v, 0.5);
    let max = |v: &[f64]| v.last().copied().unwrap_or(f64::NAN);
    let rows = vec![
        vec![
            "first frame (process start -> drawn)".into(),
            f2(p50(&first)),
            f2(max(&first)),
            format!("<= {FIRST_FRAME_TARGET_MS} ms"),
        ],
        vec![
            "  load: open; cadences, steps, users; sums".into(),
            f2(p50(&col(1))),
            f2(max(&col(1))),
            String::new(),
        ],
        vec![
            "  seed the state".into(),
            f2(p50(&col(2))),
            f2(max(&col(2))),
            String::new(),
        ],
        vec![
            "  first draw".into(),
            f2(p50(&col(3))),
            f2(max(&col(3))),
            String::new(),
        ],
        vec![
            "peak RSS at the first frame (MB)".into(),
            f2(p50(&rss_first)),
            f2(max(&rss_first)),
            String::new(),
        ],
        vec![
            "everything loaded (people index, every fact)".into(),
            f2(p50(&full)),
            f2(max(&full)),
            String::new(),
        ],
        vec![
            "peak RSS, everything loaded (MB)".into(),
            f2(p50(&rss)),
            f2(max(&rss)),
            format!("<= {RSS_TARGET_MB} MB"),
        ],
    ];
    println!(
        "startup from a warm store: {} people, {} cadences ({:.1} MB file), {runs} runs",
        samples[0][5], samples[0][6], size_mb
    );
    table_left(&["what", "p50 ms", "max ms", "target"], &rows, 1);
    println!(
        "{{\"bench\":\"startup\",\"people\":{},\"first_frame_ms_p50\":{:.2},\"first_frame_ms_max\":{:.2},\"loaded_ms_p50\":{:.2},\"rss_mb_max\":{:.1},\"first_frame_ok\":{},\"rss_ok\":{}}}",
        samples[0][5],
        p50(&first),
        max(&first),
        p50(&full),
        max(&rss),
        max(&first) <= FIRST_FRAME_TARGET_MS,
        max(&rss) <= RSS_TARGET_MB
    );
    if std::env::var("SLTUI_BENCH_PG").as_deref() == Ok("0") {
        println!("PostgreSQL: skipped (SLTUI_BENCH_PG=0)");
    } else {
        match pg_support::cluster() {
            Ok(_) => pg_side(&path, runs, &prints[0]),
            Err(e) => println!("PostgreSQL: skipped ({e})"),
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// Runs the bench as a child `runs` times after one warm-up (page cache) with
/// `var=value`; each child's numbers, and its last word (the fingerprint).
fn run_children(var: &str, value: &str, runs: usize) -> (Vec<Vec<f64>>, Vec<String>) {
    static NOW_SECS: std::sync::OnceLock<i64> = std::sync::OnceLock::new();
    let now = *NOW_SECS.get_or_init(|| chrono::Utc::now().timestamp());
    let exe = std::env::current_exe().expect("bench executable");
    let (mut samples, mut prints) = (Vec::new(), Vec::new());
    for i in 0..=runs {
        let out = std::process::Command::new(&exe)
            .env(var, value)
            .env(NOW, now.to_string())
            .output()
            .expect("run the child");
        assert!(
            out.status.success(),
            "child failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let line = String::from_utf8_lossy(&out.stdout);
        let v: Vec<f64> = line
            .split_whitespace()
            .filter_map(|x| x.parse().ok())
            .collect();
        if i > 0 {
            samples.push(v);
            prints.push(line.split_whitespace().last().unwrap_or("").to_string());
        }
    }
    (samples, prints)
}

/// The hub dashboard's first frame on PostgreSQL, from the same records.
fn pg_side(path: &Path, runs: usize, sqlite_print: &str) {
    let db = pg_support::test_db();
    let t = Instant::now();
    let copied = copy_to_pg(path, &db.url);
    eprintln!(
        "team database filled in {:.1} s: {copied}",
        t.elapsed().as_secs_f64()
    );
    let (samples, prints) = run_children(CHILD_PG, &db.url, runs);
    let col = |i: usize| {
        let mut v: Vec<f64> = samples.iter().map(|s| s[i]).collect();
        v.sort_by(|a, b| a.total_cmp(b));
        v
    };
    let first = col(0);
    let p50 = |v: &[f64]| percentile(v, 0.5);
    let max = |v: &[f64]| v.last().copied().unwrap_or(f64::NAN);
    let row = |what: &str, v: &[f64], target: String| {
        vec![what.to_string(), f2(p50(v)), f2(max(v)), target]
    };
    let rows = vec![
        row(
            "first frame (process start -> drawn)",
            &first,
            format!("<= {PG_FIRST_FRAME_TARGET_MS} ms"),
        ),
        row(
            "  connect; first_frame (cadences, steps, users; sums)",
            &col(1),
            String::new(),
        ),
        row("  seed the state", &col(2), String::new()),
        row("  first draw", &col(3), String::new()),
        row("peak RSS at the first frame (MB)", &col(4), String::new()),
    ];
    let same = prints.iter().all(|p| p == sqlite_print);
    println!(
        "\nstartup of the hub dashboard (sltui --db) on PostgreSQL, same records ({copied}), {runs} runs; first frame equal to SQLite's: {}",
        if same { "yes" } else { "NO" }
    );
    table_left(&["what", "p50 ms", "max ms", "target"], &rows, 1);
    if !same {
        println!("  SQLite {sqlite_print}; PostgreSQL {prints:?}");
    }
    println!(
        "{{\"bench\":\"startup_pg\",\"first_frame_ms_p50\":{:.2},\"first_frame_ms_max\":{:.2},\"equal_to_sqlite\":{same},\"first_frame_ok\":{}}}",
        p50(&first),
        max(&first),
        max(&first) <= PG_FIRST_FRAME_TARGET_MS
    );
}

/// Copies the bench store's records into the team database through the store
/// interface, as a hub's sync leaves them.
fn copy_to_pg(path: &Path, url: &str) -> String {
    let src = Store::open(path).expect("store");
    let mut pg = PgStore::connect(url).expect("the team database connects");
    let dst: &mut dyn RecordStore = &mut pg;
    let people = src.people().expect("people");
    for chunk in people.chunks(10_000) {
        dst.upsert_prepared(&Person::prepare(chunk), 1)
            .expect("people");
    }
    dst.upsert_prepared(&Cadence::prepare(&src.cadences().expect("cadences")), 1)
        .expect("cadences");
    dst.upsert_prepared(&Step::prepare(&src.steps().expect("steps")), 1)
        .expect("steps");
    dst.upsert_prepared(&User::prepare(&src.users().expect("users")), 1)
        .expect("users");
    let facts = src.email_facts().expect("facts");
    for chunk in facts.chunks(50_000) {
        dst.upsert_email_facts(chunk, 1).expect("facts");
    }
    for r in ["people", "cadences", "steps", "users", "emails"] {
        dst.mark_synced(r).expect("synced");
    }
    format!("{} people, {} email facts", people.len(), facts.len())
}

/// A store filled by a full sync from the simulator; returns the row counts.
async fn fill(path: &Path, people: usize, cadences: usize) -> String {
    let key = "bench-startup-key".to_string();
    let sim = sim::start(SimConfig {
        addr: ([127, 0, 0, 1], 0).into(),
        api_key: key.clone(),
        people,
        cadences,
        budget: 10_000_000,
        ..SimConfig::default()
    })
    .await
    .expect("simulator");
    let mut cfg = ApiConfig::new(&sim.base_url(), Some(key));
    cfg.budget_limit = 10_000_000;
    let client = ApiClient::new(cfg).expect("client");
    let store = Store::open(path).expect("store");
    store.set_meta(start::SERVER_KEY, SERVER).expect("meta");
    let store = Arc::new(Mutex::new(store));
    // Everything a start reads; memberships (a third of the requests) are not.
    let opts = SyncOptions {
        resources: Resource::ALL
            .into_iter()
            .filter(|r| *r != Resource::Memberships)
            .collect(),
        ..SyncOptions::default()
    };
    let report = Engine::new(client, store.clone(), opts).run().await;
    assert!(report.ok(), "sync failed: {report:?}");
    sim.shutdown().await;
    let s = store.lock().unwrap_or_else(|e| e.into_inner());
    sltui::store::TABLES
        .iter()
        .map(|t| format!("{t} {}", s.count(t).unwrap_or(0)))
        .collect::<Vec<_>>()
        .join(", ")
}
