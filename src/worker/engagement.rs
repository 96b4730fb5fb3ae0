//! Engagement loading (emails sent in a range, cadence by cadence, the ones on
//! screen first) and the live poll over every changed email.
//!
//! Both walk `activities/emails` with the keyset cursor, so every request is a
//! shallow first page costing one point per 100 emails.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use chrono::{DateTime, TimeDelta, Utc};

use super::ctx::{Admission, Ctx, lock};
use super::facts::{EMAILS_PATH, PER_PAGE, email_fact, engagement_query, range_covers};
use super::funnel::{LOCAL_FRESH, from_store};
use super::job::{Job, JobEnd, Stop};
use super::protocol::{Priority, Request, RequestId, WorkerEvent};
use super::reads::{admit, failed, reread};
use crate::api::models::Email;
use crate::api::{Account, CursorPosition, Query};
use crate::metrics::TimeRange;

/// Cadences further down the requested order than this are off screen: loading
/// them is background work, paused under the budget reserve.
pub const ON_SCREEN: usize = 50;

/// The live poll starts this long before the first load began (clock skew between
/// us and the server; repeats are harmless, the aggregator de-duplicates by id).
const SKEW_SECS: i64 = 120;

/// At most this many pages per live poll; the rest waits for the next tick.
const MAX_POLL_PAGES: usize = 20;

/// Sets where the live poll starts, if not set yet: just before now.
pub fn ensure_live_watermark(ctx: &Ctx) {
    let mut state = lock(&ctx.engagement);
    if state.live_from.is_none() {
        let from = Utc::now() - TimeDelta::seconds(SKEW_SECS);
        state.live_from = Some(CursorPosition::since(from.fixed_offset()));
        state.live_since.get_or_insert(from);
    }
}

/// Moves the live poll's start back to `through` (minus the clock skew margin)
/// when it would start later: the emails in between are caught up as history.
pub fn live_from(ctx: &Ctx, through: DateTime<Utc>) {
    let mut state = lock(&ctx.engagement);
    let now = Utc::now();
    state
        .live_since
        .get_or_insert(now - TimeDelta::seconds(SKEW_SECS));
    let from = through - TimeDelta::seconds(SKEW_SECS);
    let later = state
        .live_from
        .as_ref()
        .is_none_or(|p| p.after.is_some_and(|a| a > from));
    if later {
        state.live_from = Some(CursorPosition::since(from.fixed_offset()));
    }
}

pub async fn load(
    ctx: &Ctx,
    id: RequestId,
    priority: Priority,
    cadence_ids: Vec<u64>,
    range: TimeRange,
    cancel: &AtomicBool,
) -> JobEnd {
    // This request's calls, counted as SalesLoft charged them, to say at the end.
    let account = Account::new();
    let end = account
        .scope(load_all(ctx, id, priority, cadence_ids, range, cancel))
        .await;
    if matches!(end, JobEnd::Done(Ok(()))) {
        ctx.emit(WorkerEvent::EngagementDone {
            id,
            requests: account.requests(),
            points: account.points(),
        });
    }
    end
}

async fn load_all(
    ctx: &Ctx,
    id: RequestId,
    priority: Priority,
    cadence_ids: Vec<u64>,
    range: TimeRange,
    cancel: &AtomicBool,
) -> JobEnd {
    ensure_live_watermark(ctx);
    from_local_store(ctx, id, &cadence_ids, range).await;
    for (i, &cadence_id) in cadence_ids.iter().enumerate() {
        if cancel.load(Ordering::Relaxed) {
            return JobEnd::Superseded;
        }
        let covered = lock(&ctx.engagement)
            .loaded
            .get(&cadence_id)
            .is_some_and(|loaded| range_covers(*loaded, range));
        if !covered {
            let priority = if i < ON_SCREEN {
                priority
            } else {
                Priority::Background
            };
            if let Err(stop) = read_cadence(ctx, id, priority, cadence_id, range, cancel).await {
                // Resume with the same request: cadences loaded by then are skipped.
                return stop.end(Job::Request(Request::Engagement { cadence_ids, range }));
            }
            let mut state = lock(&ctx.engagement);
            let wider = match state.loaded.get(&cadence_id) {
                Some(old) if range_covers(*old, range) => *old,
                _ => range,
            };
            state.loaded.insert(cadence_id, wider);
        }
        ctx.emit(WorkerEvent::EngagementLoaded { id, cadence_id });
    }
    JobEnd::Done(Ok(()))
}

/// The emails of the cadences not loaded yet, from the profile's local store
/// when its sync covers them (a finished full sync of the emails, recent
/// enough): sent as `EmailFacts` batches and marked loaded, so no request is
/// made for them; the live poll catches up from where the store stands.
async fn from_local_store(ctx: &Ctx, id: RequestId, cadence_ids: &[u64], range: TimeRange) {
    let wanted: Vec<u64> = {
        let state = lock(&ctx.engagement);
        cadence_ids
            .iter()
            .copied()
            .filter(|c| !state.loaded.get(c).is_some_and(|l| range_covers(*l, range)))
            .collect()
    };
    if wanted.is_empty() {
        return;
    }
    let now = Utc::now();
    let ids = wanted.clone();
    let Some((facts, through)) = from_store(ctx, move |store| {
        crate::store::funnel::read_engagement(store, LOCAL_FRESH, &ids, range, now)
    })
    .await
    else {
        return;
    };
    live_from(ctx, through);
    for batch in facts.chunks(STORED_BATCH) {
        ctx.emit(WorkerEvent::EmailFacts {
            id,
            facts: batch.to_vec(),
            live: false,
        });
    }
    let mut state = lock(&ctx.engagement);
    for cadence_id in wanted {
        let wider = match state.loaded.get(&cadence_id) {
            Some(old) if range_covers(*old, range) => *old,
            _ => range,
        };
        state.loaded.insert(cadence_id, wider);
    }
}

/// Email facts per event when they come from the local store.
const STORED_BATCH: usize = 5_000;

/// Every email of one cadence sent in `range`, as `EmailFacts` batches.
async fn read_cadence(
    ctx: &Ctx,
    id: RequestId,
    priority: Priority,
    cadence_id: u64,
    range: TimeRange,
    cancel: &AtomicBool,
) -> Result<(), Stop> {
    let what = format!("engagement of cadence {cadence_id}");
    let page = format!("{what} (1 point per 100 emails)");
    let query = engagement_query(cadence_id, range, Utc::now());
    let mut stream = ctx
        .client
        .cursor::<Email>(EMAILS_PATH, query, CursorPosition::start());
    let mut tries = 0;
    loop {
        if cancel.load(Ordering::Relaxed) {
            return Err(Stop::Cancelled);
        }
        let permit = admit(ctx, id, priority, 1, &page)?;
        let next = stream.next_batch().await;
        drop(permit);
        match next {
            Ok(Some(emails)) => {
                tries = 0;
                let facts = emails.iter().map(email_fact).collect();
                ctx.emit(WorkerEvent::EmailFacts {
                    id,
                    facts,
                    live: false,
                });
            }
            Ok(None) => return Ok(()),
            Err(e) if reread(&e, &mut tries) => {}
            Err(e) => return Err(failed(ctx, id, &what, e)),
        }
    }
}

/// One live poll: every email changed since the watermark, then a heartbeat (sent
/// by the job runner). Under the budget reserve it stops quietly; the pause itself
/// is announced by the scheduler.
pub async fn poll(ctx: &Ctx, id: RequestId) -> JobEnd {
    ensure_live_watermark(ctx);
    let start = lock(&ctx.engagement).live_from.clone().unwrap_or_default();
    let query = Query::new().push("per_page", PER_PAGE);
    let mut stream = ctx.client.cursor::<Email>(EMAILS_PATH, query, start);
    let mut contact = false;
    let mut tries = 0;
    for _ in 0..MAX_POLL_PAGES {
        let Admission::Go(permit) = ctx.admit(Priority::Background, 1, "live update") else {
            break;
        };
        let next = stream.next_batch().await;
        drop(permit);
        match next {
            Ok(Some(emails)) => {
                contact = true;
                // A catch-up (LiveFrom) reads history first: not live activity.
                let since = lock(&ctx.engagement).live_since;
                let (live, history): (Vec<_>, Vec<_>) = emails
                    .iter()
                    .map(email_fact)
                    .partition(|f| since.is_none_or(|s| f.updated_at >= s));
                ctx.forget_funnels(history.iter().chain(live.iter()).map(|f| f.cadence_id));
                for (facts, live) in [(history, false), (live, true)] {
                    if !facts.is_empty() {
                        ctx.emit(WorkerEvent::EmailFacts { id, facts, live });
                    }
                }
                lock(&ctx.engagement).live_from = Some(stream.position().clone());
            }
            Ok(None) => {
                contact = true;
                break;
            }
            Err(e) if reread(&e, &mut tries) => {}
            Err(e) => return JobEnd::Done(Err(format!("live update failed: {e}"))),
        }
    }
    if contact {
        ctx.emit(WorkerEvent::Heartbeat { at: Instant::now() });
    }
    JobEnd::Done(Ok(()))
}
