//! A poll and the bulk share, against the in-process simulator over real loopback
//! HTTP: the hub and the dashboard's background sync run at `Priority::Bulk`, held
//! to a share of each budget window. After a large sync that share stays used for
//! up to a minute; a poll's first request ("anything changed?") must still go, and
//! a burst of changes beyond its first page must still wait for the share. Time
//! limits here only tell "went now" from "waited for the window" (a minute).

mod worker_support;

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use sltui::api::ApiClient;
use sltui::api::models::PersonUpdate;
use sltui::budget::Priority;
use sltui::sim::SimHandle;
use sltui::store::Store;
use sltui::sync::{CancelToken, Engine, Progress, ProgressFn, Resource, SyncOptions, SyncReport};
use worker_support::{HANG_GUARD, client, reset_stats, start_sim, stat};

const LIMIT: u32 = 600;
const SHARE: f64 = 0.2;
/// The bulk share's points of a window: 120 of 600.
const SHARE_POINTS: u32 = 120;
/// Far below the minute the share takes to free, far above a loopback request.
const WENT_NOW: Duration = Duration::from_secs(30);

/// A simulator of `people` at SalesLoft's 600 points a minute, a client, and a
/// store holding a finished sync of the people.
async fn synced(people: usize) -> (SimHandle, ApiClient, Arc<Mutex<Store>>) {
    let sim = start_sim(LIMIT, people).await;
    let client = client(&sim, LIMIT);
    let store = Arc::new(Mutex::new(Store::open_in_memory().expect("store")));
    let opts = SyncOptions {
        resources: vec![Resource::People],
        ..SyncOptions::default()
    };
    let first = tokio::time::timeout(
        HANG_GUARD,
        Engine::new(client.clone(), store.clone(), opts).run(),
    )
    .await
    .expect("the first sync finishes");
    assert!(first.ok(), "{first:?}");
    (sim, client, store)
}

/// A poll of the people as the hub runs it.
fn poll(check: Option<Priority>) -> SyncOptions {
    SyncOptions {
        resources: vec![Resource::People],
        full: false,
        concurrency: 4,
        priority: Priority::Bulk,
        reserve: 0.2,
        bulk_share: SHARE,
        check_priority: check,
    }
}

/// A poll as the hub runs it, its check at background priority, given the time
/// a request takes (not the minute the share takes to free).
async fn checked_poll(client: &ApiClient, store: &Arc<Mutex<Store>>) -> SyncReport {
    run_for(
        client,
        store,
        poll(Some(Priority::Background)),
        WENT_NOW,
        None,
    )
    .await
}

/// Fills the bulk share of the current window, as a large sync just did.
fn use_the_share(client: &ApiClient) {
    client.budget().note_bulk(SHARE_POINTS);
    assert_eq!(client.budget().bulk_spent().0, SHARE_POINTS);
}

/// Runs `opts` until it ends or `cancel_after` passes.
async fn run_for(
    client: &ApiClient,
    store: &Arc<Mutex<Store>>,
    opts: SyncOptions,
    cancel_after: Duration,
    progress: Option<ProgressFn>,
) -> SyncReport {
    let cancel = CancelToken::new();
    let mut engine = Engine::new(client.clone(), store.clone(), opts).with_cancel(cancel.clone());
    if let Some(p) = progress {
        engine = engine.on_progress(p);
    }
    let run = tokio::spawn(engine.run());
    let stop = {
        let cancel = cancel.clone();
        tokio::spawn(async move {
            tokio::time::sleep(cancel_after).await;
            cancel.cancel();
        })
    };
    let report = tokio::time::timeout(HANG_GUARD, run)
        .await
        .expect("the poll ends once cancelled")
        .expect("the poll does not panic");
    stop.abort();
    report
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_poll_checks_for_changes_while_bulk_work_has_used_its_share() {
    let (sim, client, store) = synced(300).await;
    use_the_share(&client);

    // Held to the share, the poll's check waits for the window (a minute).
    reset_stats(&sim).await;
    let held = run_for(&client, &store, poll(None), Duration::from_secs(2), None).await;
    assert!(held.interrupted, "{held:?}");
    assert_eq!(stat(&sim, "requests").await, 0, "nothing was asked");

    // Checked at background priority, it goes now: one request, one point, and
    // not counted to the share.
    let polled = checked_poll(&client, &store).await;
    assert!(polled.ok(), "{polled:?}");
    assert_eq!(polled.resources[0].mode, "incremental");
    assert_eq!(polled.requests, 1, "{polled:?}");
    assert_eq!(stat(&sim, "cost_charged").await, 1);
    assert_eq!(client.budget().bulk_spent().0, SHARE_POINTS);

    // A few changes: their short page says the walk is done, without a second
    // (bulk) request waiting for the share only to learn that.
    change_people(&client, &store, 7, "Few").await;
    reset_stats(&sim).await;
    let few = checked_poll(&client, &store).await;
    assert!(few.ok(), "{few:?}");
    assert_eq!(few.records, 7, "{few:?}");
    assert_eq!(few.requests, 1, "{few:?}");
    assert_eq!(stat(&sim, "requests").await, 1);
}

/// Gives the first `n` stored people a new title starting with `tag`.
async fn change_people(client: &ApiClient, store: &Arc<Mutex<Store>>, n: usize, tag: &str) {
    let ids: Vec<u64> = store
        .lock()
        .unwrap()
        .people()
        .expect("load")
        .iter()
        .map(|p| p.id)
        .take(n)
        .collect();
    assert_eq!(ids.len(), n);
    for (i, id) in ids.iter().enumerate() {
        let update = PersonUpdate {
            title: Some(format!("{tag} {i}")),
            ..PersonUpdate::default()
        };
        client.update_person(*id, &update).await.expect("update");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_burst_of_changes_past_the_first_page_waits_for_the_share() {
    let (sim, client, store) = synced(400).await;
    change_people(&client, &store, 150, "Burst").await;
    use_the_share(&client);
    reset_stats(&sim).await;

    // The first page (100 of the 150 changes) comes at once; the second waits.
    let seen = Arc::new(AtomicU64::new(0));
    let hook = {
        let seen = seen.clone();
        Arc::new(move |p: &Progress| {
            seen.fetch_max(p.records, Ordering::SeqCst);
        })
    };
    let report = run_for(
        &client,
        &store,
        poll(Some(Priority::Background)),
        Duration::from_secs(3),
        Some(hook),
    )
    .await;
    assert!(report.interrupted, "{report:?}");
    assert_eq!(seen.load(Ordering::SeqCst), 100, "{report:?}");
    assert_eq!(report.records, 100, "{report:?}");
    assert_eq!(stat(&sim, "requests").await, 1, "the second page waited");
    let stored = store.lock().unwrap().people().expect("load");
    let changed = stored
        .iter()
        .filter(|p| p.title.as_deref().is_some_and(|t| t.starts_with("Burst ")))
        .count();
    assert_eq!(changed, 100, "the first page is stored with its cursor");
}
