//! Sequential keyset walks: the incremental cursor of each resource, the bounded
//! re-reads of window boundaries, and the users list.

use std::sync::Mutex;

use super::full::Syncable;
use super::{Ctx, PER_PAGE, Resource, SyncError, Tally};
use crate::api::models::User;
use crate::api::{CursorPosition, Query};

/// Walks `[from, lt)` with the keyset cursor and stores what it finds.
pub(super) async fn bounded<T: Syncable>(
    ctx: &Ctx,
    res: Resource,
    from: CursorPosition,
    lt: &str,
    generation: i64,
    tally: &Mutex<Tally>,
) -> Result<(), SyncError> {
    let q = Query::new()
        .set("per_page", PER_PAGE)
        .set("updated_at[lt]", lt);
    let mut stream = ctx.client.cursor::<T>(res.path(), q, from);
    loop {
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
    let q = Query::new().set("per_page", PER_PAGE);
    let mut stream = ctx.client.cursor::<T>(res.path(), q, start);
    loop {
        let batch = ctx
            .gated(tally, || stream.next_batch())
            .await
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
