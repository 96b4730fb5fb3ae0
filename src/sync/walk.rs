//! Sequential keyset walks: the incremental cursor of each resource, the bounded
//! re-reads of window boundaries, and the users list.

use std::sync::Mutex;

use std::collections::HashMap;

use super::ctx::{Ctx, PAGES_PER_WINDOW, PER_PAGE, Resource, SyncError, Syncable, Tally};
use crate::api::CursorPosition;
use crate::api::models::User;

/// Walks `[from, lt)` with the keyset cursor and stores what it finds.
pub(super) async fn bounded<T: Syncable>(
    ctx: &Ctx,
    res: Resource,
    from: CursorPosition,
    lt: &str,
    generation: i64,
    tally: &Mutex<Tally>,
) -> Result<(), SyncError> {
    let q = res
        .base_query()
        .set("per_page", PER_PAGE)
        .set("updated_at[lt]", lt);
    let mut stream = ctx.client.cursor::<T>(res.path(), q, from);
    // A short page ends the walk: no gate (and no wait for the budget) to learn it.
    while !stream.caught_up() {
        let batch = ctx
            .gated(tally, || stream.next_batch())
            .await
            .ok_or(SyncError::Cancelled)??;
        let Some(batch) = batch else { return Ok(()) };
        let prepared = T::prepare(&batch);
        ctx.store().upsert_prepared(&prepared, generation)?;
        tally.lock().unwrap_or_else(|e| e.into_inner()).records += batch.len() as u64;
        ctx.report(res, tally);
    }
    Ok(())
}

/// The incremental cursor of `res`, from where the store says, until caught up;
/// each batch is written with the cursor's new position.
pub(super) async fn incremental<T: Syncable>(
    ctx: &Ctx,
    res: Resource,
    tally: &Mutex<Tally>,
) -> Result<(), SyncError> {
    let state = ctx.store().resource_state(res.name())?;
    let start = state.cursor.unwrap_or_default();
    incremental_from::<T>(ctx, res, tally, start, async { Ok(()) }).await
}

/// The incremental cursor of `res` from `start`, until caught up. Its first
/// request is out while `beside` runs (the end of a full sync, which leaves the
/// cursor at `start`); batches are written once `beside` succeeded, each with
/// the cursor's new position.
pub(super) async fn incremental_from<T: Syncable>(
    ctx: &Ctx,
    res: Resource,
    tally: &Mutex<Tally>,
    start: CursorPosition,
    beside: impl Future<Output = Result<(), SyncError>>,
) -> Result<(), SyncError> {
    let q = res.base_query().set("per_page", PER_PAGE);
    let mut stream = ctx.client.cursor::<T>(res.path(), q, start);
    let (first, ended) = tokio::join!(
        // The first page asks whether anything changed: a poll's check.
        ctx.gated_as(ctx.check_priority, tally, || stream.next_batch()),
        beside
    );
    ended?;
    let mut next = Some(first);
    loop {
        let batch = match next.take() {
            Some(first) => first,
            // A short page ends the walk: no gate (a poll's second page is bulk
            // work, held to the share) only to learn that.
            None if stream.caught_up() => break,
            None => ctx.gated(tally, || stream.next_batch()).await,
        }
        .ok_or(SyncError::Cancelled)??;
        let Some(batch) = batch else { break };
        let prepared = T::prepare(&batch);
        ctx.store()
            .save_cursor_prepared(res.name(), &prepared, stream.position())?;
        tally.lock().unwrap_or_else(|e| e.into_inner()).records += batch.len() as u64;
        ctx.report(res, tally);
    }
    ctx.store().mark_synced(res.name())?;
    Ok(())
}

/// Users: `/v2/users` without `page` returns everyone in one answer.
pub(super) async fn users(ctx: &Ctx, tally: &Mutex<Tally>) -> Result<(), SyncError> {
    let res = Resource::Users;
    let users: Vec<User> = ctx
        .gated(tally, || ctx.client.users())
        .await
        .ok_or(SyncError::Cancelled)??;
    let mut store = ctx.store();
    let state = store.begin_full(res.name(), None, Some(users.len() as u64))?;
    store.save_records(&users, state.generation)?;
    let removed = store.finish_full(res.name(), res.table(), &CursorPosition::start())?;
    drop(store);
    let mut t = tally.lock().unwrap_or_else(|e| e.into_inner());
    t.records += users.len() as u64;
    t.removed += removed;
    Ok(())
}

/// Reads every record of `res` by page number (for a server that ignores the
/// `updated_at` filter there), stores them as a new full sync, removes the rows
/// not seen, and sets the cursor after the newest. Refused above 10,000 records:
/// deeper pages cost 3 to 30 points each, on every run. Returns the records read.
pub(super) async fn read_all<T: Syncable>(
    ctx: &Ctx,
    res: Resource,
    tally: &Mutex<Tally>,
) -> Result<u64, SyncError> {
    let most = u64::from(PER_PAGE * PAGES_PER_WINDOW);
    let q = res
        .base_query()
        .set("per_page", PER_PAGE)
        .set("sort_by", "updated_at")
        .set("sort_direction", "ASC");
    let first = q
        .clone()
        .set("include_paging_counts", "true")
        .set("page", 1);
    // The first page is this resource's check, as the cursor's first page is.
    let env = ctx
        .gated_as(ctx.check_priority, tally, || {
            ctx.client.list::<T>(res.path(), &first)
        })
        .await
        .ok_or(SyncError::Cancelled)??;
    let total = env.metadata.paging.as_ref().and_then(|p| p.total_count);
    if let Some(n) = total.filter(|n| *n > most) {
        return Err(SyncError::Server(format!(
            "the server ignores the updated_at filter on {} and it holds {n} records: reading \
             them all on every sync would page past page 100 (3 to 30 points a page); sync it \
             with `sltui sync --full --only {}` when needed",
            res.path(),
            res.name()
        )));
    }
    let more = env
        .metadata
        .paging
        .as_ref()
        .and_then(|p| p.next_page)
        .is_some()
        && !env.data.is_empty();
    // Keyed by id: a record that moved between pages while they were read is kept once.
    let mut all: HashMap<u64, T> = env.data.into_iter().map(|r| (r.record_id(), r)).collect();
    if more {
        let mut walk = ctx.client.page_walk::<T>(res.path(), q.set("page", 2));
        loop {
            let page = ctx
                .gated(tally, || walk.next_page())
                .await
                .ok_or(SyncError::Cancelled)??;
            let Some(rows) = page else { break };
            all.extend(rows.into_iter().map(|r| (r.record_id(), r)));
            if all.len() as u64 > most {
                return Err(SyncError::Server(format!(
                    "{} kept answering pages past {most} records while read in full; \
                     stopped",
                    res.path()
                )));
            }
            ctx.report(res, tally);
        }
    }
    let rows: Vec<T> = all.into_values().collect();
    let newest = rows.iter().map(|r| r.updated_at()).max();
    let mut store = ctx.store();
    let state = store.begin_full(res.name(), None, Some(rows.len() as u64))?;
    store.save_records(&rows, state.generation)?;
    let cursor = newest.map_or_else(CursorPosition::start, CursorPosition::since);
    let removed = store.finish_full(res.name(), res.table(), &cursor)?;
    drop(store);
    let mut t = tally.lock().unwrap_or_else(|e| e.into_inner());
    t.records += rows.len() as u64;
    t.removed += removed;
    Ok(rows.len() as u64)
}
