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
use sltui::tui::state::AppState;
use sltui::tui::stored;
use sltui::tui::update::{init, update};
use sltui::worker::store_sync::{BackgroundSync, StoreEvent, StoreSync};
use sltui::worker::{Envelope, WorkerHandle, WorkerOptions};
use tui_support::*;

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

/// Sends the effects to the worker.
fn send(worker: &WorkerHandle, fx: Vec<Effect>) {
    for e in fx {
        if let Effect::Send {
            id,
            priority,
            request,
        } = e
        {
            let _ = worker.requests.send(Envelope {
                id,
                priority,
                request,
            });
        }
    }
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
    let mut s = state();
    s.session.demo = false;
    s.session.profile_label = "work".into();
    // The wall clock matters for "data as of" (today or another day).
    s.clock.wall = chrono::Utc::now();
    s
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn offline_start_shows_stored_data_and_refuses_enrolling() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let path = dir.join("work.sqlite");
    let sim = start_sim().await;
    let server = sync_store(&sim, &path).await;
    let names: Vec<String> = {
        let store = Store::open(&path).expect("reopen");
        store
            .cadences()
            .expect("cadences")
            .into_iter()
            .map(|c| c.name)
            .collect()
    };
    sim.shutdown().await;

    // The dashboard starts against a server that refuses connections.
    let load = load_first(&path, &server);
    assert!(matches!(load, StoreLoad::Loaded(_)), "{load:?}");
    let mut s = live_state();
    stored::apply_load(&mut s, load);
    // First frame: before any request went out.
    let first = screen(&s, 120);
    let shown = names.iter().filter(|n| first.contains(n.as_str())).count();
    assert!(shown >= 3, "stored cadences on the first frame:\n{first}");
    assert!(first.contains("stored data from"), "{first}");
    assert!(!first.contains("connecting…"), "{first}");
    // Its numbers come from the store's per-day sums; the facts and people follow.
    assert!(s.metrics.agg.is_preset());
    let ids: Vec<u64> = s.cadences.cadences.iter().map(|c| c.id).collect();
    let summed: Vec<_> = ids.iter().map(|&c| s.metrics.agg.by_cadence(c)).collect();
    assert!(
        summed.iter().any(|e| !e.is_empty()),
        "engagement on the first frame"
    );
    let step_ids: Vec<u64> = s.steps.values().flatten().map(|st| st.id).collect();
    let steps_summed: Vec<_> = step_ids
        .iter()
        .map(|&st| s.metrics.agg.by_step(st))
        .collect();
    let total_summed = s.metrics.agg.totals();
    // As the worker hands it over: the people already laid out as a search index
    // (built off the UI task), which the state takes whole.
    let rest = start::load_rest(&path).expect("people and facts");
    let someone = rest.people[rest.people.len() / 2].clone();
    let rest = sltui::worker::store_sync::index_people(rest);
    assert!(rest.people.is_empty() && rest.index.is_some());
    stored::on_event(&mut s, StoreEvent::Loaded(Ok(Box::new(rest))));
    assert!(!s.metrics.agg.is_preset());
    assert!(s.people.index.len() >= 300, "people index filled");
    let hits = s.people.index.search(&someone.name, 50);
    assert!(
        hits.hits
            .iter()
            .any(|&pos| s.people.index.get(pos).is_some_and(|e| e.id == someone.id)),
        "{} is found by name",
        someone.name
    );
    // The sums equal the count over every stored fact, per cadence, step and in total.
    let counted: Vec<_> = ids.iter().map(|&c| s.metrics.agg.by_cadence(c)).collect();
    assert_eq!(summed, counted);
    let steps_counted: Vec<_> = step_ids
        .iter()
        .map(|&st| s.metrics.agg.by_step(st))
        .collect();
    assert_eq!(steps_summed, steps_counted);
    assert_eq!(total_summed, s.metrics.agg.totals());

    let mut worker = sltui::worker::spawn(client("http://127.0.0.1:1"), WorkerOptions::default());
    let fx = init(&mut s);
    send(&worker, fx);
    pump(&mut s, &mut worker, |s| s.connection.is_some()).await;

    let text = screen(&s, 120);
    assert!(text.contains("offline, data as of"), "{text}");
    let shown = names.iter().filter(|n| text.contains(n.as_str())).count();
    assert!(shown >= 3, "stored data still shown offline:\n{text}");
    // Narrow terminals keep the offline mark.
    let narrow = screen(&s, 80);
    assert!(narrow.contains("offline, data as of"), "{narrow}");

    // Enrolling from the cadence list is refused, in words, with no request.
    let fx = act(&mut s, Action::Enroll);
    assert!(
        fx.iter()
            .all(|e| !matches!(e.request(), Some(sltui::worker::Request::Enroll { .. }))),
        "{fx:?}"
    );
    assert!(s.popup.is_none(), "no enrollment popup offline");
    let said = s.message().map(|m| m.text.clone()).unwrap_or_default();
    assert!(said.contains("offline"), "{said}");

    // The background sync cannot reach the server either: it says so and ends.
    let (bg, mut rx) = BackgroundSync::start(
        client("http://127.0.0.1:1"),
        StoreSync {
            path: path.clone(),
            server: server.clone(),
            share: 0.2,
            rest: false,
        },
        0.2,
    );
    let end = tokio::time::timeout(HANG_GUARD, async {
        loop {
            match rx.recv().await {
                Some(StoreEvent::Finished { ok, .. }) => break ok,
                Some(_) => {}
                None => panic!("sync ended without a report"),
            }
        }
    })
    .await
    .expect("background sync ends");
    assert!(!end, "an unreachable server is not a successful sync");
    bg.stop(Duration::from_secs(1)).await;
    // The store is intact for the next start.
    assert!(matches!(load_first(&path, &server), StoreLoad::Loaded(_)));
    drop(worker);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stale_mark_goes_away_after_a_live_refresh_and_the_sync_writes_through() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let path = dir.join("work.sqlite");
    let sim = start_sim().await;
    let server = sync_store(&sim, &path).await;
    let before = Store::open(&path)
        .expect("open")
        .last_synced_at()
        .expect("synced at")
        .expect("a sync time");

    let mut s = live_state();
    stored::apply_load(&mut s, load_first(&path, &server));
    assert!(s.store.stale);
    assert!(screen(&s, 120).contains("stored data from"));

    let mut worker = sltui::worker::spawn(client(&sim.base_url()), WorkerOptions::default());
    let fx = init(&mut s);
    send(&worker, fx);
    pump(&mut s, &mut worker, |s| !s.store.stale).await;
    let text = screen(&s, 120);
    assert!(!text.contains("stored data from"), "{text}");
    assert!(!text.contains("offline"), "{text}");
    // Enrolling is no longer refused as offline.
    act(&mut s, Action::Enroll);
    let said = s.message().map(|m| m.text.clone()).unwrap_or_default();
    assert!(!said.contains("offline"), "{said}");
    s.popup = None;

    // The background sync refreshes the store incrementally, reporting progress.
    tokio::time::sleep(Duration::from_millis(20)).await;
    let (bg, mut rx) = BackgroundSync::start(
        client(&sim.base_url()),
        StoreSync {
            path: path.clone(),
            server: server.clone(),
            share: 0.2,
            rest: false,
        },
        0.2,
    );
    let (ok, synced_at, progressed) = tokio::time::timeout(HANG_GUARD, async {
        let mut progressed = false;
        loop {
            match rx.recv().await {
                Some(StoreEvent::Progress(_)) => progressed = true,
                Some(StoreEvent::Loaded(_) | StoreEvent::Reloaded(_)) => {
                    panic!("nothing to load: the start read it all")
                }
                Some(StoreEvent::Changed(_)) => {}
                Some(StoreEvent::Finished { ok, synced_at, .. }) => {
                    break (ok, synced_at, progressed);
                }
                None => panic!("sync ended without a report"),
            }
        }
    })
    .await
    .expect("background sync ends");
    assert!(ok, "incremental refresh succeeds");
    assert!(progressed, "progress is reported");
    assert!(
        synced_at.expect("sync time") >= before,
        "the store is fresher"
    );
    bg.stop(Duration::from_secs(1)).await;
    drop(worker);
    sim.shutdown().await;
}

#[test]
fn a_damaged_store_is_reported_and_ignored() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let path = dir.join("work.sqlite");
    std::fs::write(
        &path,
        b"this is not a database, just some bytes".repeat(200),
    )
    .expect("write");
    let load = load_first(&path, "http://x/v2");
    let StoreLoad::Failed(message) = &load else {
        panic!("a damaged store is refused: {load:?}");
    };
    assert!(message.contains(&path.display().to_string()), "{message}");
    assert!(message.contains("sltui sync"), "says what to do: {message}");

    let mut s = live_state();
    stored::apply_load(&mut s, load);
    assert!(!s.store.stale);
    assert!(s.cadences.cadences.is_empty());
    let text = screen(&s, 160);
    assert!(text.contains("not a valid sltui database"), "{text}");
    // The dashboard goes on as without a store.
    let fx = init(&mut s);
    assert!(
        fx.iter()
            .any(|e| matches!(e.request(), Some(sltui::worker::Request::Cadences)))
    );
    // The file is left untouched.
    assert_eq!(
        std::fs::read(&path).expect("read").len(),
        b"this is not a database, just some bytes".len() * 200
    );
}

#[test]
fn a_missing_or_foreign_store_changes_nothing_or_is_named() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let path = dir.join("none.sqlite");
    assert!(matches!(load_first(&path, "s"), StoreLoad::Absent));
    assert!(!path.exists(), "loading never creates the file");

    // An empty store (created, never synced) is as good as none.
    drop(Store::open(&path).expect("create"));
    assert!(matches!(load_first(&path, "s"), StoreLoad::Absent));

    // Another server's data is not shown.
    let store = Store::open(&path).expect("open");
    store
        .set_meta(start::SERVER_KEY, "http://other/v2")
        .expect("meta");
    drop(store);
    match load_first(&path, "http://mine/v2") {
        StoreLoad::Failed(m) => assert!(m.contains("http://other/v2"), "{m}"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn newer_schema_store_is_reported() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let path = dir.join("work.sqlite");
    drop(Store::open(&path).expect("create"));
    {
        let conn = rusqlite::Connection::open(&path).expect("sqlite");
        conn.execute_batch(&format!(
            "PRAGMA user_version = {}",
            sltui::store::SCHEMA_VERSION + 5
        ))
        .expect("bump");
    }
    match load_first(&path, "s") {
        StoreLoad::Failed(m) => assert!(m.contains("newer sltui"), "{m}"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn progress_shows_as_a_bar_in_the_status_line() {
    use sltui::sync::{Progress, Resource};
    let mut s = live_state();
    stored::on_event(
        &mut s,
        StoreEvent::Progress(Progress {
            resource: Resource::People,
            records: 500,
            expected: Some(1000),
            requests: 5,
            points: 5,
            waiting: None,
        }),
    );
    let text = screen(&s, 120);
    assert!(text.contains("syncing store"), "{text}");
    assert!(text.contains("50%"), "{text}");
    assert!(text.contains("people"), "{text}");
    stored::on_event(
        &mut s,
        StoreEvent::Finished {
            ok: true,
            records: 1000,
            error: None,
            synced_at: Some(chrono::Utc::now()),
        },
    );
    let text = screen(&s, 120);
    assert!(!text.contains("syncing store"), "{text}");
    assert!(text.contains("local store up to date"), "{text}");
}

#[test]
fn back_online_on_stored_data_reads_the_cadences_again() {
    use sltui::worker::{ConnectionState, Request, WorkerEvent};
    let mut s = live_state();
    stored::seed(
        &mut s,
        sltui::store::DashboardData {
            people: vec![person(1, "Ada", "Lovelace", "ada@x.io", "X", "CTO")],
            cadences: vec![cadence(10, "Stored Outreach", "active", true, 3)],
            steps: Vec::new(),
            users: Vec::new(),
            email_facts: vec![fact(100, 10, None, [true, true, false, false, false])],
            synced_at: Some(chrono::Utc::now()),
        },
    );
    let fx = init(&mut s);
    let (cadences_id, _) =
        find(&fx, |r| matches!(r, Request::Cadences)).expect("cadences asked at start");
    ev(
        &mut s,
        WorkerEvent::Finished {
            id: cadences_id,
            error: Some("network error: connection refused".into()),
        },
    );
    ev(
        &mut s,
        WorkerEvent::Connection {
            state: ConnectionState::Down {
                retry_in_secs: 2,
                reason: "connection refused".into(),
            },
        },
    );
    assert!(stored::offline(&s));
    let text = screen(&s, 120);
    assert!(text.contains("Stored Outreach"), "{text}");
    assert!(text.contains("offline, data as of"), "{text}");

    let fx = ev(
        &mut s,
        WorkerEvent::Connection {
            state: ConnectionState::Up,
        },
    );
    assert!(
        find(&fx, |r| matches!(r, Request::Cadences)).is_some(),
        "the live cadences are read again: {fx:?}"
    );
    assert!(!stored::offline(&s), "no longer offline while it loads");
    let text = screen(&s, 120);
    assert!(text.contains("stored data from"), "{text}");
}

/// Engagement per cadence as the simulator counts it (`since`: RFC 3339, or all time).
async fn truth(sim: &SimHandle, since: Option<&str>) -> Vec<(u64, [u64; 6])> {
    let root = sim.base_url().trim_end_matches("/v2").to_string();
    let mut url = reqwest::Url::parse(&format!("{root}/_sim/truth/engagement")).expect("url");
    if let Some(s) = since {
        url.query_pairs_mut().append_pair("since", s);
    }
    let t: std::collections::HashMap<String, serde_json::Value> = reqwest::get(url)
        .await
        .expect("truth")
        .json()
        .await
        .expect("truth json");
    let mut out: Vec<(u64, [u64; 6])> = t
        .iter()
        .map(|(c, v)| {
            let n = |k: &str| v[k].as_u64().expect(k);
            (
                c.parse().expect("cadence id"),
                [
                    n("sent"),
                    n("delivered"),
                    n("opened"),
                    n("clicked"),
                    n("replied"),
                    n("bounced"),
                ],
            )
        })
        .filter(|(_, v)| v[0] > 0)
        .collect();
    out.sort_unstable();
    out
}

fn shown(s: &AppState) -> Vec<(u64, [u64; 6])> {
    let mut out: Vec<(u64, [u64; 6])> = s
        .metrics
        .agg
        .cadence_ids()
        .into_iter()
        .map(|c| {
            let e = s.metrics.agg.by_cadence(c);
            (
                c,
                [
                    e.sent,
                    e.delivered,
                    e.opened,
                    e.clicked,
                    e.replied,
                    e.bounced,
                ],
            )
        })
        .filter(|(_, v)| v[0] > 0)
        .collect();
    out.sort_unstable();
    out
}

fn asks(fx: &[Effect], pred: impl Fn(&sltui::worker::Request) -> bool) -> bool {
    fx.iter().any(|e| e.request().is_some_and(&pred))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_synced_store_is_not_read_again_and_the_live_poll_catches_up_from_it() {
    use sltui::metrics::{Aggregator, TimeRange};
    use sltui::worker::{Request, WorkerEvent};
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let path = dir.join("work.sqlite");
    let sim = start_sim().await;
    let server = sync_store(&sim, &path).await;

    // Make it a store synced a while ago: it holds the emails updated up to the
    // median instant, and its emails cursor stands there.
    let through_us: i64 = {
        let conn = rusqlite::Connection::open(&path).expect("sqlite");
        let n: i64 = conn
            .query_row("SELECT count(*) FROM email_facts", [], |r| r.get(0))
            .expect("count");
        let t: i64 = conn
            .query_row(
                "SELECT updated_us FROM email_facts ORDER BY updated_us LIMIT 1 OFFSET ?1",
                [n / 2],
                |r| r.get(0),
            )
            .expect("median");
        let gone = conn
            .execute("DELETE FROM email_facts WHERE updated_us > ?1", [t])
            .expect("delete");
        assert!(gone > 10, "newer emails removed: {gone}");
        let through = chrono::DateTime::from_timestamp_micros(t)
            .expect("time")
            .fixed_offset();
        let cursor = serde_json::to_string(&sltui::api::CursorPosition::since(through))
            .expect("cursor json");
        conn.execute(
            "UPDATE sync_state SET cursor = ?1 WHERE resource = 'emails'",
            [cursor],
        )
        .expect("rewind");
        t
    };

    let mut s = live_state();
    let wall = s.clock.wall;
    s.metrics.range = TimeRange::All;
    s.metrics.agg = Aggregator::new(TimeRange::All, wall);
    stored::apply_load(
        &mut s,
        start::load(&path, &server, TimeRange::All, chrono::Utc::now()),
    );
    assert!(s.store.coverage.people, "the people were fully synced");
    assert_eq!(
        s.store
            .coverage
            .emails_through
            .map(|t| t.timestamp_micros()),
        Some(through_us)
    );
    let before = truth(&sim, None).await;
    assert_ne!(shown(&s), before, "the store misses the newer emails");

    // Nothing the store holds is read again: no people walk, no engagement read;
    // the live poll starts where the store stands.
    let fx = init(&mut s);
    assert!(!asks(&fx, |r| matches!(r, Request::IndexPeople)), "{fx:?}");
    assert!(
        !asks(&fx, |r| matches!(r, Request::Engagement { .. })),
        "{fx:?}"
    );
    assert!(
        asks(&fx, |r| matches!(r, Request::LiveFrom { .. })),
        "{fx:?}"
    );
    let rest = start::load_rest(&path).expect("rest");
    let fx2 = stored::on_event(&mut s, StoreEvent::Loaded(Ok(Box::new(rest))));
    assert!(fx2.is_empty(), "{fx2:?}");
    assert!(s.people.index.len() >= 300);

    // The catch-up brings exactly what changed since: the counts equal the truth.
    let mut worker = sltui::worker::spawn(client(&sim.base_url()), WorkerOptions::default());
    send(&worker, fx);
    let (mut history, mut live) = (0, 0);
    let deadline = tokio::time::Instant::now() + HANG_GUARD;
    while shown(&s) != before {
        let ev = tokio::time::timeout_at(deadline, worker.events.recv())
            .await
            .unwrap_or_else(|_| panic!("caught up: {:?} vs {before:?}", shown(&s)))
            .expect("worker alive");
        if let WorkerEvent::EmailFacts { live: l, facts, .. } = &ev {
            *(if *l { &mut live } else { &mut history }) += facts.len();
        }
        let fx = update(&mut s, sltui::tui::msg::Msg::Worker(ev));
        assert!(!asks(&fx, |r| matches!(
            r,
            Request::Engagement { .. } | Request::IndexPeople
        )));
        send(&worker, fx);
    }
    assert!(history > 0, "the catch-up came as history");
    assert_eq!(live, 0, "nothing changed live in a still world");
    assert_eq!(
        s.metrics
            .series
            .total_series(sltui::metrics::ActivityKind::Open, wall)
            .iter()
            .sum::<u64>(),
        0,
        "history is not live activity"
    );

    // Another range is counted here, with no request.
    let fx = act(&mut s, Action::CycleRange);
    assert!(
        !asks(&fx, |r| matches!(r, Request::Engagement { .. })),
        "{fx:?}"
    );
    let since = (s.clock.wall - chrono::TimeDelta::days(7)).to_rfc3339();
    assert_eq!(s.metrics.range, TimeRange::Days(7));
    assert_eq!(shown(&s), truth(&sim, Some(&since)).await);
    drop(worker);
    sim.shutdown().await;
}
