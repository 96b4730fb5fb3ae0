//! What a load would cost before it runs (nothing when the local store covers
//! the emails: the load reads them there), and the engagement the local store
//! holds (at no cost): the two answers a "this load is big" question needs.
//!
//! The estimate counts the emails to read with one shallow page per 100 cadences
//! (`include_paging_counts`, one point each) and prices the read with
//! [`crate::budget::cursor_walks`], the one estimate the dashboard confirms by.

use std::path::Path;

use chrono::Utc;

use super::ctx::{Ctx, lock};
use super::facts::{EMAILS_PATH, range_covers, since_param};
use super::funnel::{LOCAL_FRESH, from_store};
use super::job::{Job, JobEnd};
use super::protocol::{Priority, Request, RequestId, WorkerEvent};
use super::reads::{admit, failed, reread};
use crate::api::Query;
use crate::api::models::Email;
use crate::budget::{ReadCost, cursor_walks};
use crate::metrics::TimeRange;
use crate::store::Store;
use crate::store::funnel::{EMAIL_RESOURCES, not_covered};

/// Cadence ids per counting request (keeps the URL short).
const IDS_PER_COUNT: usize = 100;

pub async fn engagement(
    ctx: &Ctx,
    id: RequestId,
    priority: Priority,
    cadence_ids: Vec<u64>,
    range: TimeRange,
) -> JobEnd {
    let uncovered: Vec<u64> = {
        let state = lock(&ctx.engagement);
        cadence_ids
            .iter()
            .copied()
            .filter(|c| {
                !state
                    .loaded
                    .get(c)
                    .is_some_and(|loaded| range_covers(*loaded, range))
            })
            .collect()
    };
    // A local store that covers the emails answers the load at no cost.
    if !uncovered.is_empty() && local_store_covers(ctx).await {
        ctx.emit(WorkerEvent::EngagementEstimate {
            id,
            range,
            cadence_ids: uncovered,
            emails: None,
            cost: Some(ReadCost {
                requests: 0,
                points: 0,
            }),
        });
        return JobEnd::Done(Ok(()));
    }
    let mut emails = Some(0u64);
    let now = Utc::now();
    for chunk in uncovered.chunks(IDS_PER_COUNT) {
        let mut q = Query::new()
            .push("per_page", 1)
            .push("include_paging_counts", "true")
            .push("limit_paging_counts", "false");
        for c in chunk {
            q = q.push("cadence_id[]", *c);
        }
        if let Some(since) = range.since(now) {
            q = q.push("sent_at[gte]", since_param(since));
        }
        let what = "counting the emails to read (1 point)";
        let mut tries = 0;
        let counted = loop {
            let permit = match admit(ctx, id, priority, 1, what) {
                Ok(p) => p,
                Err(stop) => {
                    return stop.end(Job::Request(Request::EstimateEngagement {
                        cadence_ids,
                        range,
                    }));
                }
            };
            let answer = ctx.client.list::<Email>(EMAILS_PATH, &q).await;
            drop(permit);
            match answer {
                Ok(env) => break env.metadata.paging.and_then(|p| p.total_count),
                Err(e) if reread(&e, &mut tries) => {}
                Err(e) => {
                    return failed(ctx, id, "counting the emails to read", e).end(Job::Request(
                        Request::EstimateEngagement { cadence_ids, range },
                    ));
                }
            }
        };
        emails = emails.zip(counted).map(|(a, b)| a + b);
    }
    let cost = emails.map(|n| cursor_walks(uncovered.len() as u64, n));
    ctx.emit(WorkerEvent::EngagementEstimate {
        id,
        range,
        cadence_ids: uncovered,
        emails,
        cost,
    });
    JobEnd::Done(Ok(()))
}

/// The profile's local store covers the emails (what [`super::engagement::load`]
/// reads from it instead of SalesLoft).
async fn local_store_covers(ctx: &Ctx) -> bool {
    let now = Utc::now();
    from_store(ctx, move |store| {
        let why = not_covered(store, &EMAIL_RESOURCES, LOCAL_FRESH, now)?;
        Ok(why.map_or(Ok(()), Err))
    })
    .await
    .is_some()
}

/// The store's engagement over `range`, read off the async workers.
pub async fn stored(ctx: &Ctx, id: RequestId, range: TimeRange) -> JobEnd {
    let Some(path) = ctx.store_path.clone() else {
        return JobEnd::Done(Err(
            "there is no local store for this profile (run `sltui sync` to make one)".into(),
        ));
    };
    let read = tokio::task::spawn_blocking(move || read_stored(&path, range)).await;
    match read {
        Ok(Ok((totals, synced_at))) => {
            ctx.emit(WorkerEvent::StoredEngagement {
                id,
                range,
                totals,
                synced_at,
            });
            JobEnd::Done(Ok(()))
        }
        Ok(Err(e)) => JobEnd::Done(Err(format!("reading the local store failed: {e}"))),
        Err(e) => JobEnd::Done(Err(format!("reading the local store stopped: {e}"))),
    }
}

type StoredTotals = (crate::metrics::GroupTotals, Option<chrono::DateTime<Utc>>);

fn read_stored(path: &Path, range: TimeRange) -> Result<StoredTotals, String> {
    if !path.exists() {
        return Err(format!(
            "{} does not exist (run `sltui sync` to make it)",
            path.display()
        ));
    }
    let store = Store::open(path).map_err(|e| e.to_string())?;
    let since = range
        .since(Utc::now())
        .map(|t| t.timestamp().clamp(0, i64::from(u32::MAX)) as u32);
    let totals = store.range_totals(since).map_err(|e| e.to_string())?;
    let synced_at = store.last_synced_at().map_err(|e| e.to_string())?;
    Ok((totals, synced_at))
}
