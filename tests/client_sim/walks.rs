//! Page walks and keyset (cursor) walks through our client: same records,
//! no duplicates, bulk-update clumps and checkpoints.

use std::collections::BTreeSet;

use super::*;
use sltui::api::models::{Email, Person, Timestamped};
use sltui::api::{CursorPosition, Query};

/// Enough people for many pages and a clump of >= 150 sharing one `updated_at`.
fn walk_cfg() -> SimConfig {
    SimConfig {
        people: 1500,
        cadences: 12,
        users: 8,
        // Deep page walks cost more than the default 600 per minute.
        budget: 1_000_000,
        ..SimConfig::default()
    }
}

/// The total `include_paging_counts` reports for a raw list query.
async fn total_count(s: &Sim, path: &str, filter: &str) -> u64 {
    let v = s
        .raw_get(&format!(
            "{path}?per_page=1&include_paging_counts=true{filter}"
        ))
        .await;
    v["metadata"]["paging"]["total_count"]
        .as_u64()
        .expect("total_count")
}

#[tokio::test]
async fn page_walk_and_cursor_walk_agree_on_people_and_emails() {
    let s = start(walk_cfg()).await;
    let c = s.client();
    bounded(60, async {
        // People: 15 pages of 100 vs the keyset walk.
        let mut walk = c.page_walk::<Person>("people", Query::new().set("per_page", 100));
        let mut pages: Vec<Person> = Vec::new();
        while let Some(page) = walk.next_page().await.expect("people page") {
            pages.extend(page);
        }
        assert!(walk.requests() >= 15, "many pages: {}", walk.requests());
        let cursor: Vec<Person> = c
            .cursor("people", Query::new(), CursorPosition::start())
            .collect_all()
            .await
            .expect("people cursor walk");
        let by_page = unique("people page walk", pages.iter().map(|p| p.id));
        let by_cursor = unique("people cursor walk", cursor.iter().map(|p| p.id));
        assert_eq!(by_page.len() as u64, total_count(&s, "people", "").await);
        assert_eq!(by_page.len(), 1500);
        assert_eq!(by_page, by_cursor);
        // The cursor walk returns records in updated_at order.
        assert!(
            cursor
                .windows(2)
                .all(|w| w[0].updated_at() <= w[1].updated_at())
        );

        // Emails of two reps (a few thousand; a filter that every request of
        // both walks must keep), page walk vs cursor walk.
        let users = c.users().await.expect("users");
        let reps: Vec<u64> = users.iter().take(2).map(|u| u.id).collect();
        let filter = |q: Query| {
            reps.iter()
                .fold(q, |q, id| q.push("user_id[]", id))
                .set("per_page", 100)
        };
        let pages: Vec<Email> = c
            .page_walk("activities/emails", filter(Query::new()))
            .collect_all()
            .await
            .expect("emails page walk");
        let cursor: Vec<Email> = c
            .cursor(
                "activities/emails",
                filter(Query::new()),
                CursorPosition::start(),
            )
            .collect_all()
            .await
            .expect("emails cursor walk");
        let by_page = unique("emails page walk", pages.iter().map(|e| e.id));
        let by_cursor = unique("emails cursor walk", cursor.iter().map(|e| e.id));
        let raw_filter: String = reps.iter().map(|id| format!("&user_id[]={id}")).collect();
        let total = total_count(&s, "activities/emails", &raw_filter).await;
        assert!(total > 500, "several email pages: {total}");
        assert_eq!(by_page.len() as u64, total);
        assert_eq!(by_page, by_cursor);
        let of_reps = |e: &Email| {
            e.user
                .as_ref()
                .and_then(|u| u.id_u64())
                .is_some_and(|u| reps.contains(&u))
        };
        assert!(pages.iter().all(of_reps) && cursor.iter().all(of_reps));
    })
    .await;
    s.handle.shutdown().await;
}

/// Walks `path` with the cursor, checking the clump is returned once, and
/// that resuming from checkpoints continues with no loss or repeats.
async fn clump_walk_and_resume<T>(s: &Sim, path: &str, per_page: u32)
where
    T: serde::de::DeserializeOwned + Timestamped,
{
    let c = s.client();
    // Ground truth from raw JSON: a clump of >= 150 records at one timestamp.
    let raw = s.raw_all(path, "").await;
    let (clump_ts, clump_ids) = biggest_clump(&raw);
    assert!(
        clump_ids.len() >= 150,
        "{path}: biggest clump at {clump_ts} has only {} records",
        clump_ids.len()
    );
    let all_ids = unique(
        &format!("{path} raw"),
        raw.iter().map(|r| r["id"].as_u64().unwrap()),
    );
    let clump_at = chrono::DateTime::parse_from_rfc3339(&clump_ts).expect("clump ts");

    // One walk, remembering the checkpoint after every batch.
    let query = Query::new().set("per_page", per_page);
    let mut stream = c.cursor::<T>(path, query.clone(), CursorPosition::start());
    let mut batches: Vec<Vec<u64>> = Vec::new();
    let mut checkpoints: Vec<CursorPosition> = Vec::new();
    while let Some(batch) = stream.next_batch().await.expect("cursor batch") {
        batches.push(batch.iter().map(|r| r.record_id()).collect());
        checkpoints.push(stream.position().clone());
    }
    let walked = unique(
        &format!("{path} cursor walk"),
        batches.iter().flatten().copied(),
    );
    assert_eq!(walked, all_ids, "{path}: cursor walk vs raw records");
    let walked_all: Vec<u64> = batches.iter().flatten().copied().collect();
    for id in &clump_ids {
        let times = walked_all.iter().filter(|w| *w == id).count();
        assert_eq!(times, 1, "{path}: clump record {id} returned {times} times");
    }
    // A clump bigger than a page makes the stream page through that
    // timestamp, leaving checkpoints in the middle of it.
    assert!(clump_ids.len() > per_page as usize);
    let in_clump: Vec<usize> = checkpoints
        .iter()
        .enumerate()
        .filter(|(_, p)| {
            p.after == Some(clump_at)
                && !p.seen_at_boundary.is_empty()
                && p.seen_at_boundary.len() < clump_ids.len()
        })
        .map(|(i, _)| i)
        .collect();
    assert!(
        !in_clump.is_empty(),
        "{path}: no checkpoint inside the clump"
    );

    // Resume (from a checkpoint persisted and read back, as a sync would):
    // what came before plus what comes after is everything, once. Every
    // checkpoint inside the clump and next to it, plus a few others.
    let (first, last) = (in_clump[0], in_clump[in_clump.len() - 1]);
    let mut resume_at: BTreeSet<usize> = in_clump.iter().copied().collect();
    let n = checkpoints.len();
    resume_at.extend([
        0,
        n / 2,
        n - 1,
        first.saturating_sub(1),
        (last + 1).min(n - 1),
    ]);
    for i in resume_at {
        let pos = &checkpoints[i];
        let saved = serde_json::to_string(pos).expect("save checkpoint");
        let pos: CursorPosition = serde_json::from_str(&saved).expect("load checkpoint");
        let rest: Vec<T> = c
            .cursor(path, query.clone(), pos)
            .collect_all()
            .await
            .expect("resumed walk");
        let before: Vec<u64> = batches[..=i].iter().flatten().copied().collect();
        let after: Vec<u64> = rest.iter().map(|r| r.record_id()).collect();
        let joined = unique(
            &format!("{path} resumed after batch {i}"),
            before.into_iter().chain(after),
        );
        assert_eq!(joined, all_ids, "{path}: resumed after batch {i}");
    }
}

#[tokio::test]
async fn cursor_walks_clumps_once_and_resumes_from_checkpoints() {
    // Clumps of >= 150 people and emails, walked 50 and 100 at a time.
    let s = start(SimConfig {
        people: 600,
        ..walk_cfg()
    })
    .await;
    bounded(60, async {
        clump_walk_and_resume::<Person>(&s, "people", 50).await;
        clump_walk_and_resume::<Email>(&s, "activities/emails", 100).await;
    })
    .await;
    s.handle.shutdown().await;
}
