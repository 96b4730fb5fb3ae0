//! Dashboard start-up from a warm local store: the time from process start to the
//! first rendered frame (ratatui `TestBackend`, 120x40) and the peak RSS.
//!
//! The parent fills a store by a full sync from the in-process simulator (people,
//! cadences, steps, users, email facts; not the memberships, which a start does
//! not read), then runs itself again as a
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
//! `cargo bench --bench startup`; env: SLTUI_BENCH_PEOPLE (default 100000),
//! SLTUI_BENCH_CADENCES (default 300), SLTUI_BENCH_RUNS (children, default 5).
//! Targets: first frame <= 150 ms, peak RSS (everything loaded) <= 150 MB.

mod common;

use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use common::*;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use sltui::api::{ApiClient, ApiConfig};
use sltui::config::keymap::Keymap;
use sltui::metrics::TimeRange;
use sltui::sim::{self, SimConfig};
use sltui::store::Store;
use sltui::store::start::{self as start, StoreLoad};
use sltui::sync::{Engine, Resource, SyncOptions};
use sltui::tui::state::{AppState, Clock, Session};
use sltui::tui::stored::{self, StoreEvent};
use sltui::tui::style::Styles;
use sltui::tui::views;

const CHILD: &str = "SLTUI_BENCH_STARTUP_STORE";
const SERVER: &str = "bench";
const FIRST_FRAME_TARGET_MS: f64 = 150.0;
const RSS_TARGET_MB: f64 = 150.0;

fn main() {
    let started = Instant::now();
    if let Ok(path) = std::env::var(CHILD) {
        child(Path::new(&path), started);
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
    let mut state = AppState::new(
        Session {
            profile_label: "bench".into(),
            demo: false,
            read_only: false,
            refresh_secs: 10,
            reserve: 0.2,
            confirm_above: None,
            has_store: false,
        },
        Keymap::default(),
        Styles::plain(),
        range,
        Clock::system(),
    );
    state.size = (120, 40);
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
        .cadences
        .iter()
        .map(|c| state.metrics.agg.by_cadence(c.id))
        .collect();
    assert_eq!(
        shown, counted,
        "the first frame's sums equal the facts' counts"
    );
    println!(
        "{first_frame_ms:.2} {load_ms:.2} {seed_ms:.2} {draw_ms:.2} {rss_first:.1} {} {} {full_ms:.2} {:.1}",
        state.people.index.len(),
        state.cadences.cadences.len(),
        peak_rss_mb().unwrap_or(f64::NAN),
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

    let exe = std::env::current_exe().expect("bench executable");
    let mut samples: Vec<Vec<f64>> = Vec::new();
    // One warm-up run (page cache), then the samples.
    for i in 0..=runs {
        let out = std::process::Command::new(&exe)
            .env(CHILD, &path)
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
        }
    }
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
    let _ = std::fs::remove_dir_all(&dir);
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
