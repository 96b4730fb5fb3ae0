//! The first frame from the store, the stale mark until live answers replace
//! it, the offline state, and the background sync's progress and write-through.

use super::*;

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
    let ids: Vec<u64> = s.cadences.list.cadences.iter().map(|c| c.id).collect();
    let summed: Vec<_> = ids.iter().map(|&c| s.metrics.agg.by_cadence(c)).collect();
    assert!(
        summed.iter().any(|e| !e.is_empty()),
        "engagement on the first frame"
    );
    let step_ids: Vec<u64> = s
        .cadences
        .steps
        .values()
        .flatten()
        .map(|st| st.id)
        .collect();
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
    assert!(s.people.search.index.len() >= 300, "people index filled");
    let hits = s.people.search.index.search(&someone.name, 50);
    assert!(
        hits.hits.iter().any(|&pos| s
            .people
            .search
            .index
            .get(pos)
            .is_some_and(|e| e.id == someone.id)),
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
    pump(&mut s, &mut worker, |s| s.conn.unreachable.is_some()).await;

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
    assert!(s.conn.store.stale);
    assert!(screen(&s, 120).contains("stored data from"));

    let mut worker = sltui::worker::spawn(client(&sim.base_url()), WorkerOptions::default());
    let fx = init(&mut s);
    send(&worker, fx);
    pump(&mut s, &mut worker, |s| !s.conn.store.stale).await;
    let text = screen(&s, 120);
    assert!(!text.contains("stored data from"), "{text}");
    assert!(!text.contains("offline"), "{text}");
    // Enrolling is no longer refused as offline.
    act(&mut s, Action::Enroll);
    let said = s.message().map(|m| m.text.clone()).unwrap_or_default();
    assert!(!said.contains("offline"), "{said}");
    act(&mut s, Action::Back);
    assert!(s.popup.is_none(), "esc closes the picker");

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
