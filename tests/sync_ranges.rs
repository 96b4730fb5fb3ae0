//! The ranges the sync engine asks, against the in-process simulator over real
//! loopback HTTP: never one that holds no instant (`updated_at[gt]=T` with
//! `updated_at[lt]=T+1µs`, or bounds the wrong way round). Such a request costs a
//! point for an empty list (the simulator answered it with a 500 once, as
//! `BTreeMap::range` panicked on it); `/_sim/stats` counts them as `empty_ranges`.

mod worker_support;

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, FixedOffset, TimeDelta};
use sltui::api::models::{Person, Timestamped};
use sltui::api::query::format_timestamp;
use sltui::api::{ApiClient, CursorPosition, Query};
use sltui::sim::{SimConfig, SimHandle};
use sltui::store::{PageMark, Store};
use sltui::sync::{Engine, Resource, SyncOptions};
use worker_support::{client, reset_stats, sim_get, start_sim_with};

/// Stops a hung test; never a performance threshold.
const HANG_GUARD: Duration = Duration::from_secs(240);
/// People in the simulator: 15 pages, and bulk updates that stamp more than a
/// page of them at one instant.
const PEOPLE: usize = 1_500;

type Time = DateTime<FixedOffset>;

async fn start_sim() -> SimHandle {
    start_sim_with(SimConfig {
        people: PEOPLE,
        cadences: 12,
        users: 8,
        budget: 1_000_000,
        ..SimConfig::default()
    })
    .await
}

/// The simulator's counters since the last reset: (requests for people, empty
/// ranges asked, answers that were not 200).
async fn counters(sim: &SimHandle) -> (u64, u64, u64) {
    let stats = sim_get(sim, "/_sim/stats").await;
    let people = stats["by_endpoint"]["GET people"].as_u64().unwrap_or(0);
    let empty = stats["empty_ranges"]
        .as_u64()
        .expect("the simulator counts empty ranges");
    let requests = stats["requests"].as_u64().expect("requests");
    let ok = stats["by_status"]["200"].as_u64().unwrap_or(0);
    (people, empty, requests - ok)
}

/// Every person up to `high`, in the engine's window order, as pages of 100.
async fn pages_up_to(client: &ApiClient, high: &Time) -> Vec<Vec<Person>> {
    let mut pages = Vec::new();
    for page in 1.. {
        let q = Query::new()
            .set("sort_by", "updated_at")
            .set("sort_direction", "ASC")
            .set("per_page", 100)
            .set(
                "updated_at[lt]",
                format_timestamp(&(*high + TimeDelta::microseconds(1))),
            )
            .set("page", page);
        let rows = client
            .list::<Person>("people", &q)
            .await
            .expect("page")
            .data;
        if rows.is_empty() {
            break;
        }
        pages.push(rows);
    }
    pages
}

fn mark(page: u32, count: u64, rows: &[Person]) -> PageMark {
    let last_at = rows.last().map(|r| r.updated_at());
    PageMark {
        idx: 0,
        page,
        count,
        len: rows.len() as u32,
        first_at: rows.first().map(|r| r.updated_at()),
        last_at,
        last_ids: rows
            .iter()
            .filter(|r| Some(r.updated_at()) == last_at)
            .map(|r| r.id)
            .collect(),
    }
}

/// A window whose pages k-1 and k both sit inside one bulk update (more than a
/// page of people at one instant T) saw its count drop between them, so the
/// boundary is re-read: `[T, T]` by the keyset cursor, which pages through the
/// records at T. Once past them, nothing is left below `[lt]=T+1µs`: the engine
/// must stop there, not ask `updated_at[gt]=T&updated_at[lt]=T+1µs`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_boundary_reread_inside_a_bulk_update_asks_no_empty_range() {
    let sim = start_sim().await;
    let client = client(&sim, 1_000_000);
    let high = client
        .list::<Person>(
            "people",
            &Query::new()
                .set("sort_by", "updated_at")
                .set("sort_direction", "DESC")
                .set("per_page", 1),
        )
        .await
        .expect("newest")
        .data[0]
        .updated_at();
    let pages = pages_up_to(&client, &high).await;
    assert_eq!(pages.iter().map(Vec::len).sum::<usize>(), PEOPLE);
    // The first page boundary inside an instant shared by a page or more.
    let all: Vec<&Person> = pages.iter().flatten().collect();
    let at_instant = |t: Time| all.iter().filter(|p| p.updated_at() == t).count();
    let (k, clump_at) = (1..pages.len())
        .find_map(|k| {
            let t = pages[k - 1].last()?.updated_at();
            (pages[k][0].updated_at() == t && at_instant(t) >= 100).then_some((k + 1, t))
        })
        .expect("a bulk update straddles a page boundary");
    let clump = at_instant(clump_at) as u64;

    // The store as a sync stopped after reading every page would leave it, the
    // count one lower from page k on (a record left the window meanwhile).
    let store = Arc::new(Mutex::new(Store::open_in_memory().expect("store")));
    {
        let mut s = store.lock().unwrap();
        let state = s
            .begin_full("people", Some(high), Some(PEOPLE as u64))
            .expect("begin");
        for (i, rows) in pages.iter().enumerate() {
            let page = i as u32 + 1;
            let count = PEOPLE as u64 - u64::from(page as usize >= k);
            s.save_page("people", &mark(page, count, rows), rows, state.generation)
                .expect("page");
        }
    }

    reset_stats(&sim).await;
    let opts = SyncOptions {
        resources: vec![Resource::People],
        ..SyncOptions::default()
    };
    let run = Engine::new(client.clone(), store.clone(), opts).run();
    let report = tokio::time::timeout(HANG_GUARD, run)
        .await
        .expect("sync finishes");
    assert!(report.ok(), "{report:?}");
    let people = &report.resources[0];
    assert_eq!(people.mode, "resumed");
    assert_eq!(people.gaps, 1, "{report:?}");
    let (asked, empty, not_ok) = counters(&sim).await;
    assert_eq!(empty, 0, "ranges that hold no instant were asked");
    assert_eq!(not_ok, 0, "every answer was a 200");
    // `[gte]=T&[lt]=T+1µs` (a full page at T), the pages of T alone until a short
    // one, then the incremental cursor's `[gt]=high`: nothing more.
    assert_eq!(
        asked,
        1 + (clump / 100 + 1) + 1,
        "{clump} people at {clump_at}"
    );
    let by_id = |rows: Vec<Person>| -> BTreeMap<u64, Person> {
        rows.into_iter().map(|p| (p.id, p)).collect()
    };
    let stored = by_id(store.lock().unwrap().people().expect("people"));
    let server = client
        .cursor::<Person>("people", Query::new(), CursorPosition::start())
        .collect_all()
        .await
        .expect("walk");
    assert_eq!(stored, by_id(server));
    sim.shutdown().await;
}
