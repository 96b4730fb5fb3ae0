//! The keyset cursor over real loopback HTTP, against a small list server in
//! this file that implements the SalesLoft list semantics the cursor relies
//! on (`updated_at[gt|gte|lt|lte]`, `sort_by=updated_at`, ASC, `page`,
//! `per_page`, `include_paging_counts`). Ties on `updated_at` come back in a
//! scrambled but stable order, as a database would return them.

use std::collections::{BTreeMap, HashSet};
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::extract::{RawQuery, State};
use axum::routing::get;
use chrono::{DateTime, Duration, FixedOffset, TimeZone};
use sltui::api::models::Person;
use sltui::api::{ApiClient, ApiConfig, CursorPosition, Query};

type Time = DateTime<FixedOffset>;
type Hook = Box<dyn FnMut(&mut Vec<(u64, Time)>, u64) + Send>;

struct World {
    rows: Vec<(u64, Time)>,
    requests: u64,
    max_per_page: usize,
    /// Runs before each request is answered, with the request number.
    hook: Option<Hook>,
}

type Shared = Arc<Mutex<World>>;

fn t0() -> Time {
    FixedOffset::west_opt(4 * 3600)
        .unwrap()
        .with_ymd_and_hms(2024, 5, 1, 9, 0, 0)
        .unwrap()
}

fn at(micros: i64) -> Time {
    t0() + Duration::microseconds(micros)
}

async fn list(State(w): State<Shared>, RawQuery(q): RawQuery) -> axum::Json<serde_json::Value> {
    let params: Vec<(String, String)> = serde_urlencoded::from_str(&q.unwrap_or_default()).unwrap();
    let p: BTreeMap<&str, &str> = params
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    assert_eq!(p.get("sort_by"), Some(&"updated_at"));
    assert_eq!(p.get("sort_direction"), Some(&"ASC"));
    let ts = |k: &str| p.get(k).map(|v| DateTime::parse_from_rfc3339(v).unwrap());
    let mut w = w.lock().unwrap();
    w.requests += 1;
    let n = w.requests;
    if let Some(mut hook) = w.hook.take() {
        hook(&mut w.rows, n);
        w.hook = Some(hook);
    }
    let mut rows: Vec<(u64, Time)> = w
        .rows
        .iter()
        .copied()
        .filter(|(_, u)| ts("updated_at[gt]").is_none_or(|t| *u > t))
        .filter(|(_, u)| ts("updated_at[gte]").is_none_or(|t| *u >= t))
        .filter(|(_, u)| ts("updated_at[lt]").is_none_or(|t| *u < t))
        .filter(|(_, u)| ts("updated_at[lte]").is_none_or(|t| *u <= t))
        .collect();
    rows.sort_by_key(|(id, u)| (*u, id.wrapping_mul(0x9E37_79B9) % 1009));
    let per_page: usize = p.get("per_page").map_or(25, |v| v.parse().unwrap());
    let per_page = per_page.min(w.max_per_page);
    let page: usize = p.get("page").map_or(1, |v| v.parse().unwrap());
    assert!(page >= 1);
    let total = rows.len();
    let data: Vec<serde_json::Value> = rows
        .into_iter()
        .skip((page - 1) * per_page)
        .take(per_page)
        .map(|(id, u)| {
            serde_json::json!({
                "id": id,
                "created_at": t0().format("%Y-%m-%dT%H:%M:%S%.6f%:z").to_string(),
                "updated_at": u.format("%Y-%m-%dT%H:%M:%S%.6f%:z").to_string(),
                "counts": {"emails_sent": null}
            })
        })
        .collect();
    let more = page * per_page < total;
    let mut paging = serde_json::json!({
        "per_page": per_page, "current_page": page,
        "next_page": if more { Some(page + 1) } else { None },
        "prev_page": if page > 1 { Some(page - 1) } else { None },
    });
    if p.get("include_paging_counts") == Some(&"true") {
        paging["total_count"] = total.into();
        paging["total_pages"] = total.div_ceil(per_page).into();
    }
    axum::Json(serde_json::json!({
        "metadata": {"filtering": {}, "paging": paging,
                     "sorting": {"sort_by": "updated_at", "sort_direction": "ASC NULLS FIRST"}},
        "data": data
    }))
}

async fn serve(rows: Vec<(u64, Time)>, max_per_page: usize) -> (ApiClient, Shared) {
    let world = Arc::new(Mutex::new(World {
        rows,
        requests: 0,
        max_per_page,
        hook: None,
    }));
    let app = Router::new()
        .route("/v2/people", get(list))
        .with_state(world.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (
        ApiClient::new(ApiConfig::new(&base, Some("k".into()))).unwrap(),
        world,
    )
}

/// 1000 records: unique timestamps plus clumps of 250, 100 (exactly a
/// page), 99, 101 and 1 records sharing one `updated_at`.
fn clumpy() -> Vec<(u64, Time)> {
    let mut rows = Vec::new();
    let mut id = 1;
    let mut push = |n: usize, micros: i64, rows: &mut Vec<(u64, Time)>| {
        for _ in 0..n {
            rows.push((id, at(micros)));
            id += 1;
        }
    };
    for i in 0..449 {
        push(1, i * 1000 + 1, &mut rows);
    }
    for (k, size) in [250usize, 100, 99, 101, 1].into_iter().enumerate() {
        push(size, k as i64 * 80_000 + 500, &mut rows);
    }
    // Storage order is not timestamp order.
    rows.reverse();
    rows
}

fn ids(rows: &[(u64, Time)]) -> HashSet<u64> {
    rows.iter().map(|(id, _)| *id).collect()
}

fn assert_exact(got: &[Person], want: &HashSet<u64>) {
    let got_ids: Vec<u64> = got.iter().map(|p| p.id).collect();
    let set: HashSet<u64> = got_ids.iter().copied().collect();
    assert_eq!(set.len(), got_ids.len(), "no record may repeat");
    assert_eq!(&set, want, "no record may be lost");
    assert!(
        got.windows(2).all(|w| w[0].updated_at <= w[1].updated_at),
        "updated_at order"
    );
}

#[tokio::test]
async fn clumps_are_walked_without_loss_or_repeats() {
    let rows = clumpy();
    let want = ids(&rows);
    let (c, world) = serve(rows, 100).await;
    let mut s = c.cursor::<Person>("people", Query::new(), CursorPosition::start());
    let mut got = Vec::new();
    while let Some(batch) = s.next_batch().await.unwrap() {
        assert!(!batch.is_empty());
        got.extend(batch);
    }
    assert_exact(&got, &want);
    assert_eq!(s.requests(), world.lock().unwrap().requests);
    assert!(s.requests() < 30, "{} requests", s.requests());
    // Caught up: the position is past everything, and a poll finds nothing.
    assert!(s.position().seen_at_boundary.len() <= 1);
    assert_eq!(s.next_batch().await.unwrap(), None);
}

#[tokio::test]
async fn resuming_from_every_checkpoint_continues_exactly() {
    let rows = clumpy();
    let want = ids(&rows);
    let (c, _) = serve(rows, 100).await;
    let q = Query::new().push("per_page", 40);
    let mut pos = CursorPosition::start();
    let mut got = Vec::new();
    for _ in 0..500 {
        // A fresh stream per batch, from a checkpoint that went through JSON.
        let json = serde_json::to_string(&pos).unwrap();
        let start: CursorPosition = serde_json::from_str(&json).unwrap();
        assert_eq!(start, pos);
        let mut s = c.cursor::<Person>("people", q.clone(), start);
        match s.next_batch().await.unwrap() {
            Some(batch) => got.extend(batch),
            None => break,
        }
        pos = s.position().clone();
    }
    assert_exact(&got, &want);
}

#[tokio::test]
async fn since_skips_older_records_and_polling_sees_new_ones() {
    let rows = clumpy();
    let cut = at(200 * 1000 + 1);
    let want: HashSet<u64> = rows
        .iter()
        .filter(|(_, u)| *u > cut)
        .map(|(id, _)| *id)
        .collect();
    let (c, world) = serve(rows, 100).await;
    let mut s = c.cursor::<Person>("people", Query::new(), CursorPosition::since(cut));
    let mut got = Vec::new();
    while let Some(batch) = s.next_batch().await.unwrap() {
        got.extend(batch);
    }
    assert_exact(&got, &want);
    // New records (one clump of 120 at one instant) show up on the next poll.
    let later = at(99_000_000);
    world
        .lock()
        .unwrap()
        .rows
        .extend((5000..5120).map(|id| (id, later)));
    let mut fresh = Vec::new();
    while let Some(batch) = s.next_batch().await.unwrap() {
        fresh.extend(batch);
    }
    assert_exact(&fresh, &(5000..5120).collect());
}

#[tokio::test]
async fn capped_page_size_does_not_end_the_walk_early() {
    let rows = clumpy();
    let want = ids(&rows);
    let (c, _) = serve(rows, 30).await;
    let got = c
        .cursor::<Person>("people", Query::new(), CursorPosition::start())
        .collect_all()
        .await
        .unwrap();
    assert_exact(&got, &want);
}

#[tokio::test]
async fn records_leaving_a_clump_mid_walk_do_not_hide_others() {
    // 350 records share one instant. While the cursor pages through them,
    // records it already returned are updated (move to a later instant),
    // which shifts the remaining pages by that many places.
    let clump = at(5_000_000);
    let rows: Vec<(u64, Time)> = (1..=350).map(|id| (id, clump)).collect();
    let want = ids(&rows);
    let (c, world) = serve(rows, 100).await;
    let returned: Arc<Mutex<HashSet<u64>>> = Arc::default();
    let seen = returned.clone();
    world.lock().unwrap().hook = Some(Box::new(move |rows, n| {
        if n == 3 || n == 4 {
            let moved = seen
                .lock()
                .unwrap()
                .iter()
                .copied()
                .take(7)
                .collect::<Vec<_>>();
            for row in rows
                .iter_mut()
                .filter(|(id, u)| moved.contains(id) && *u == clump)
            {
                row.1 = at(9_000_000 + n as i64);
            }
        }
    }));
    let mut s = c.cursor::<Person>("people", Query::new(), CursorPosition::start());
    let mut got = Vec::new();
    while let Some(batch) = s.next_batch().await.unwrap() {
        returned.lock().unwrap().extend(batch.iter().map(|p| p.id));
        got.extend(batch);
    }
    let got_ids: HashSet<u64> = got.iter().map(|p| p.id).collect();
    assert_eq!(got_ids, want, "nothing lost; moved records may come twice");
    assert!(got.len() <= want.len() + 14);
}

#[tokio::test]
async fn random_clumps_and_page_sizes() {
    let mut rng = fastrand::Rng::with_seed(0x2545_F491_4F6C_DD1D);
    let mut next = move |n: u64| rng.u64(..n);
    for round in 0..6 {
        let mut rows = Vec::new();
        let mut micros = 0i64;
        let mut id = 1u64;
        while rows.len() < 600 {
            micros += 1 + next(3) as i64;
            let size = match next(10) {
                0 => 150 + next(200) as usize,
                1..=2 => 1 + next(30) as usize,
                _ => 1,
            };
            for _ in 0..size {
                rows.push((id, at(micros)));
                id += 1;
            }
        }
        let want = ids(&rows);
        let per_page = [1u64, 7, 25, 50, 100, 100][round];
        let (c, _) = serve(rows, 100).await;
        let got = c
            .cursor::<Person>(
                "people",
                Query::new().push("per_page", per_page),
                CursorPosition::start(),
            )
            .collect_all()
            .await
            .unwrap();
        assert_exact(&got, &want);
    }
}
