//! A cadence's step funnel and template comparisons for the detail view and
//! `report --by step|template`, and the calls for the report's call columns:
//! from the local store when its sync covers them, else the cadence's steps,
//! its emails in range and the team's calls in range read with the keyset
//! cursor (one point per 100 records); counted by `metrics::funnel` either way.

use std::collections::BTreeMap;

use chrono::{TimeDelta, Utc};
use serde::de::DeserializeOwned;

use super::cache::{CacheKey, Cached};
use super::ctx::Ctx;
use super::facts::{EMAILS_PATH, PER_PAGE, email_fact, engagement_query, since_param};
use super::job::{Job, JobEnd, Stop};
use super::protocol::{Priority, Request, RequestId, WorkerEvent};
use super::reads::{admit, failed, reread};
use crate::api::models::{Call, Email, EmailTemplate, Step, Timestamped};
use crate::api::{CursorPosition, Query};
use crate::metrics::TimeRange;
use crate::metrics::funnel::CadenceFunnel;
use crate::store::funnel::Freshness;
use crate::store::start::SERVER_KEY;
use crate::store::{RecordStore, Store, StoreResult};

/// Every record of a list, one admitted cursor page at a time.
async fn cursor_all<T>(
    ctx: &Ctx,
    id: RequestId,
    priority: Priority,
    path: &str,
    query: Query,
    what: &str,
) -> Result<Vec<T>, Stop>
where
    T: DeserializeOwned + Timestamped + Send + 'static,
{
    let mut stream = ctx.client.cursor::<T>(
        path,
        query.set("per_page", PER_PAGE),
        CursorPosition::start(),
    );
    let page = format!("{what} (1 point per 100)");
    let mut out = Vec::new();
    let mut tries = 0;
    loop {
        let permit = admit(ctx, id, priority, 1, &page)?;
        let next = stream.next_batch().await;
        drop(permit);
        match next {
            Ok(Some(batch)) => {
                tries = 0;
                out.extend(batch);
            }
            Ok(None) => return Ok(out),
            Err(e) if reread(&e, &mut tries) => {}
            Err(e) => return Err(failed(ctx, id, what, e)),
        }
    }
}

/// How recent the local store's syncs must be to answer: the dashboard's
/// background sync runs every 10 minutes ([`super::store_sync::REFRESH_EVERY`]);
/// a store left alone longer (e.g. `sltui sync` run last week) is not asked.
pub(super) const LOCAL_FRESH: Freshness = Freshness::Within(TimeDelta::minutes(15));

/// The funnel of `cadence_id` over `range`: from the local store when its sync
/// covers it (no request), else as answered before (cached until the live data
/// changes one of the cadence's emails), else read from SalesLoft. Answered
/// with one `Funnel` event.
pub async fn load(
    ctx: &Ctx,
    id: RequestId,
    priority: Priority,
    cadence_id: u64,
    range: TimeRange,
) -> JobEnd {
    let now = Utc::now();
    let stored = from_store(ctx, move |store| {
        crate::store::funnel::read_funnel(store, LOCAL_FRESH, cadence_id, range, now)
    })
    .await;
    if let Some(funnel) = stored {
        emit(ctx, id, funnel);
        return JobEnd::Done(Ok(()));
    }
    let key = CacheKey::Funnel(cadence_id, range);
    if let Some(Cached::Funnel(funnel)) = ctx.cache_get(&key) {
        emit(ctx, id, *funnel);
        return JobEnd::Done(Ok(()));
    }
    match from_api(ctx, id, priority, cadence_id, range).await {
        Ok(funnel) => {
            ctx.cache_put(key, Cached::Funnel(Box::new(funnel.clone())));
            emit(ctx, id, funnel);
            JobEnd::Done(Ok(()))
        }
        Err(stop) => stop.end(Job::Request(Request::Funnel { cadence_id, range })),
    }
}

fn emit(ctx: &Ctx, id: RequestId, f: CadenceFunnel) {
    ctx.emit(WorkerEvent::funnel(id, f));
}

/// What `read` finds in the profile's local store, off the async workers;
/// `None` (said in the log) when there is no store, it does not cover the
/// read, or it cannot be read: SalesLoft answers then.
pub(super) async fn from_store<T: Send + 'static>(
    ctx: &Ctx,
    read: impl FnOnce(&dyn RecordStore) -> StoreResult<Result<T, String>> + Send + 'static,
) -> Option<T> {
    let path = ctx.store_path.clone().filter(|p| p.exists())?;
    let server = ctx.client.base_url().to_string();
    let answer = tokio::task::spawn_blocking(move || {
        let store = Store::open(&path).map_err(|e| e.to_string())?;
        // Another server's data never answers for this one.
        match store.meta(SERVER_KEY).map_err(|e| e.to_string())? {
            Some(other) if other != server => {
                return Ok(Err(format!("{} holds data from {other}", path.display())));
            }
            _ => {}
        }
        read(&store).map_err(|e| e.to_string())
    })
    .await;
    match answer {
        Ok(Ok(Ok(value))) => Some(value),
        Ok(Ok(Err(why))) => {
            tracing::debug!(%why, "not from the local store");
            None
        }
        Ok(Err(e)) => {
            tracing::warn!(error = %e, "reading the local store failed; asking SalesLoft");
            None
        }
        Err(e) => {
            tracing::warn!(error = %e, "reading the local store stopped; asking SalesLoft");
            None
        }
    }
}

/// The calls made in `range` (created_at on or after its start).
fn calls_query(range: TimeRange, now: chrono::DateTime<Utc>) -> Query {
    let mut q = Query::new();
    if let Some(since) = range.since(now) {
        q = q.push("created_at[gte]", since_param(since));
    }
    q
}

/// Reads the cadence's steps, its emails in range and the team's calls in
/// range from SalesLoft, counts them, then reads the compared templates' names.
async fn from_api(
    ctx: &Ctx,
    id: RequestId,
    priority: Priority,
    cadence_id: u64,
    range: TimeRange,
) -> Result<CadenceFunnel, Stop> {
    let now = Utc::now();
    let what = format!("funnel of cadence {cadence_id}");
    let by_cadence = Query::new().push("cadence_id", cadence_id);
    let steps: Vec<Step> = cursor_all(ctx, id, priority, "steps", by_cadence, &what).await?;
    let emails: Vec<Email> = cursor_all(
        ctx,
        id,
        priority,
        EMAILS_PATH,
        engagement_query(cadence_id, range, now),
        &what,
    )
    .await?;
    let facts: Vec<_> = emails.iter().map(email_fact).collect();
    let calls: Vec<Call> = cursor_all(
        ctx,
        id,
        priority,
        "activities/calls",
        calls_query(range, now),
        &what,
    )
    .await?;
    let mut funnel = CadenceFunnel::count(cadence_id, steps, &facts, &calls, range, now);
    let mut titles = BTreeMap::new();
    for chunk in funnel.template_ids().chunks(PER_PAGE as usize) {
        let q = chunk.iter().fold(
            Query::new()
                .push("include_cadence_templates", "true")
                .push("per_page", PER_PAGE),
            |q, t| q.push("ids[]", t),
        );
        let permit = admit(ctx, id, priority, 1, &what)?;
        let page = ctx
            .client
            .list::<EmailTemplate>("email_templates", &q)
            .await;
        drop(permit);
        let page = page.map_err(|e| failed(ctx, id, &what, e))?;
        titles.extend(page.data.into_iter().map(|t| (t.id, t.title)));
    }
    funnel.name_templates(titles.iter().map(|(id, t)| (*id, t.as_str())));
    Ok(funnel)
}

/// The team's calls made in `range`: from the local store when its sync covers
/// them, else read from SalesLoft. Answered with one `Calls` event.
pub async fn calls(ctx: &Ctx, id: RequestId, priority: Priority, range: TimeRange) -> JobEnd {
    let now = Utc::now();
    let stored = from_store(ctx, move |store| {
        crate::store::funnel::read_calls(store, LOCAL_FRESH, range, now)
    })
    .await;
    let calls = match stored {
        Some(calls) => calls,
        None => {
            let read = cursor_all(
                ctx,
                id,
                priority,
                "activities/calls",
                calls_query(range, now),
                "calls",
            )
            .await;
            match read {
                Ok(calls) => calls,
                Err(stop) => return stop.end(Job::Request(Request::Calls { range })),
            }
        }
    };
    ctx.emit(WorkerEvent::Calls { id, range, calls });
    JobEnd::Done(Ok(()))
}
