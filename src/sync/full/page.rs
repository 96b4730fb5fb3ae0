//! One page of a window: its query, its checks, and its write with its
//! checkpoint.

use std::collections::HashSet;
use std::sync::Mutex;

use super::super::ctx::{Ctx, PER_PAGE, Resource, SyncError, Syncable, Tally};
use super::super::writer::WriteError;
use super::window::{NO_COUNT, Time};
use crate::api::query::format_timestamp;
use crate::api::{CursorPosition, Query};
use crate::store::{PageMark, Prepared};

/// The sorted query of a window starting at `start`, bounded by `lt`, with the
/// window's `total_count` when `counts`.
pub(super) fn window_query(res: Resource, start: &CursorPosition, lt: &str, counts: bool) -> Query {
    let mut q = res
        .base_query()
        .set("sort_by", "updated_at")
        .set("sort_direction", "ASC")
        .set("per_page", PER_PAGE)
        .set("updated_at[lt]", lt);
    if counts {
        q = q.set("include_paging_counts", "true");
    }
    if let Some(after) = &start.after {
        let key = if start.seen_at_boundary.is_empty() {
            "updated_at[gt]"
        } else {
            "updated_at[gte]"
        };
        q = q.set(key, format_timestamp(after));
    }
    q
}

/// A page as read and stored: its checkpoint, how many of its records the
/// previous window had read, and whether those all came first.
pub(super) struct Read {
    pub mark: PageMark,
    pub dups: usize,
    pub dups_lead: bool,
}

impl Read {
    /// The server sent `total_count` (stored as `count`; `u64::MAX` marks its absence).
    pub fn counted(&self) -> bool {
        self.mark.count != NO_COUNT
    }
}

/// Which page of which window to read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct PageRef {
    /// The window's index.
    pub idx: u32,
    pub page: u32,
}

/// What a page task hands back to the planner.
pub(super) struct Fetched {
    pub at: PageRef,
    /// The page was asked with `include_paging_counts`.
    pub asked_count: bool,
    /// `Ok(None)`: cancelled before it was sent.
    pub out: Result<Option<Read>, SyncError>,
}

/// What a page read needs to know of its sync beyond the page itself.
pub(super) struct PageJob<'a> {
    pub res: Resource,
    pub at: PageRef,
    /// The window's start.
    pub start: &'a CursorPosition,
    pub high: &'a Time,
    pub generation: i64,
}

/// Reads one page of a window, checks it, and writes its records with its
/// checkpoint. `Ok(None)`: cancelled before it was sent.
pub(super) async fn fetch_page<T: Syncable>(
    ctx: &Ctx,
    job: PageJob<'_>,
    q: Query,
    tally: &Mutex<Tally>,
) -> Result<Option<Read>, SyncError> {
    let PageJob {
        res,
        at,
        start,
        high,
        generation,
    } = job;
    let Some(env) = ctx
        .gated(tally, || ctx.client.list::<T>(res.path(), &q))
        .await
    else {
        return Ok(None);
    };
    let env = env?;
    let count = env.metadata.paging.as_ref().and_then(|p| p.total_count);
    let raw = env.data;
    check_order(&raw, res, start, high)?;
    let last_at = raw.last().map(|r| r.updated_at());
    let last_ids: Vec<u64> = raw
        .iter()
        .filter(|r| Some(r.updated_at()) == last_at)
        .map(|r| r.record_id())
        .collect();
    // Records at the window's start instant that the previous window read.
    let dup: HashSet<u64> = start.seen_at_boundary.iter().copied().collect();
    let is_dup = |r: &T| Some(r.updated_at()) == start.after && dup.contains(&r.record_id());
    let dups = raw.iter().filter(|r| is_dup(r)).count();
    let dups_lead = raw.iter().take(dups).all(&is_dup);
    let mark = PageMark {
        idx: at.idx,
        page: at.page,
        count: count.unwrap_or(NO_COUNT),
        len: raw.len() as u32,
        first_at: raw.first().map(|r| r.updated_at()),
        last_at,
        last_ids,
    };
    let fresh: Vec<T> = raw.into_iter().filter(|r| !is_dup(r)).collect();
    save(ctx, res, &mark, T::prepare(&fresh), generation).await?;
    tally.lock().unwrap_or_else(|e| e.into_inner()).records += fresh.len() as u64;
    Ok(Some(Read {
        mark,
        dups,
        dups_lead,
    }))
}

/// Every record lies inside the window asked for, oldest first.
fn check_order<T: Syncable>(
    raw: &[T],
    res: Resource,
    start: &CursorPosition,
    high: &Time,
) -> Result<(), SyncError> {
    let mut prev: Option<Time> = None;
    for r in raw {
        let u = r.updated_at();
        let below = start.after.is_some_and(|a| u < a);
        if u > *high || below {
            return Err(SyncError::Api(crate::api::ApiError::FilterIgnored {
                path: res.path().to_string(),
                evidence: format!(
                    "record {} updated {} is outside the window asked for",
                    r.record_id(),
                    format_timestamp(&u)
                ),
            }));
        }
        if prev.is_some_and(|p| u < p) {
            return Err(SyncError::Server(format!(
                "the server does not sort {} by updated_at (record {} updated {} came after a \
                 newer one); this resource cannot be synced with this server",
                res.path(),
                r.record_id(),
                format_timestamp(&u)
            )));
        }
        prev = Some(u);
    }
    Ok(())
}

/// Writes a page's new records with its checkpoint: by the engine's writer
/// thread, before the window planner hears of the page.
async fn save(
    ctx: &Ctx,
    res: Resource,
    mark: &PageMark,
    prepared: Prepared,
    generation: i64,
) -> Result<(), SyncError> {
    match ctx
        .writer
        .save(res.name(), mark.clone(), prepared, generation)
        .await
    {
        Ok(()) => Ok(()),
        Err(WriteError::Stopped(mark, prepared)) => {
            ctx.store()
                .save_page_prepared(res.name(), &mark, &prepared, generation)?;
            Ok(())
        }
        Err(WriteError::Store(msg)) => Err(SyncError::Server(msg)),
        Err(WriteError::Lost) => Err(SyncError::Server(format!(
            "the store writer stopped while saving a page of {}; run `sltui sync` again \
             to continue from the last saved page",
            res.name()
        ))),
    }
}
