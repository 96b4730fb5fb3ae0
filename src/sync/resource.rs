//! One resource's sync: the windowed full sync and the incremental cursor, or,
//! where the server ignores the `updated_at` filter, a full read by page instead
//! (noted in the report once, and in the store so later runs go straight to it).

use std::sync::{Arc, Mutex};
use std::time::Instant;

use super::ctx::{Ctx, Resource, ResourceReport, SyncError, Syncable, Tally};
use super::{full, walk};
use crate::api::ApiError;
use crate::api::models::{Cadence, Call, Email, EmailTemplate, Membership, Person, Step};

pub(super) async fn sync_resource(ctx: &Arc<Ctx>, res: Resource, full: bool) -> ResourceReport {
    let started = Instant::now();
    let tally = Arc::new(Mutex::new(Tally::default()));
    let mut note = None;
    let outcome = match res {
        Resource::Users => walk::users(ctx, &tally)
            .await
            .map(|_| "full")
            .map_err(|e| ("full", e)),
        Resource::Cadences => run_one::<Cadence>(ctx, res, full, &tally, &mut note).await,
        Resource::Steps => run_one::<Step>(ctx, res, full, &tally, &mut note).await,
        Resource::People => run_one::<Person>(ctx, res, full, &tally, &mut note).await,
        Resource::Memberships => run_one::<Membership>(ctx, res, full, &tally, &mut note).await,
        Resource::Emails => run_one::<Email>(ctx, res, full, &tally, &mut note).await,
        Resource::Calls => run_one::<Call>(ctx, res, full, &tally, &mut note).await,
        Resource::Templates => run_one::<EmailTemplate>(ctx, res, full, &tally, &mut note).await,
    };
    ctx.report(res, &tally);
    let t = tally.lock().unwrap_or_else(|e| e.into_inner()).clone();
    let (mode, error) = match outcome {
        Ok(mode) => (mode, None),
        Err((mode, e)) => (mode, Some(e)),
    };
    if let Some(e) = &error {
        tracing::warn!(resource = res.name(), error = %e, "sync stopped");
    }
    ResourceReport {
        resource: res.name().to_string(),
        mode: mode.to_string(),
        records: t.records,
        requests: t.requests,
        points: t.points,
        throttled: t.throttled,
        seconds: started.elapsed().as_secs_f64(),
        removed: t.removed,
        gaps: t.gaps,
        complete: error.is_none(),
        error: error.map(|e| e.to_string()),
        note,
    }
}

/// The store's note that the server ignores `updated_at` filters on a resource.
fn unfiltered_key(res: Resource) -> String {
    format!("sync.unfiltered.{}", res.name())
}

/// Whether `e` says the server ignored the `updated_at` filter.
fn filter_ignored(e: &SyncError) -> bool {
    matches!(e, SyncError::Api(ApiError::FilterIgnored { .. }))
}

/// A full sync (new or resumed) then the incremental cursor, or only the cursor.
/// Where the server ignores the `updated_at` filter (found out now, or noted in
/// the store by an earlier run; `full` looks again), the resource is read in
/// full by page instead, and `note` says so.
async fn run_one<T>(
    ctx: &Arc<Ctx>,
    res: Resource,
    full: bool,
    tally: &Arc<Mutex<Tally>>,
    note: &mut Option<String>,
) -> Result<&'static str, (&'static str, SyncError)>
where
    T: Syncable,
{
    const READ_ALL: &str = "full read";
    let key = unfiltered_key(res);
    let known = ctx.store().meta(&key).map_err(|e| (READ_ALL, e.into()))?;
    if full && known.is_some() {
        ctx.store()
            .set_meta(&key, "")
            .map_err(|e| (READ_ALL, e.into()))?;
    }
    let outcome = match known.filter(|k| !full && !k.is_empty()) {
        Some(_) => Err((
            "incremental",
            SyncError::Api(ApiError::FilterIgnored {
                path: res.path().to_string(),
                evidence: "noted by an earlier sync".into(),
            }),
        )),
        None => cursor_sync::<T>(ctx, res, full, tally).await,
    };
    match outcome {
        Err((_, e)) if filter_ignored(&e) => {
            let evidence = match &e {
                SyncError::Api(ApiError::FilterIgnored { evidence, .. }) => evidence.clone(),
                _ => String::new(),
            };
            tracing::info!(resource = res.name(), %evidence, "updated_at filter ignored: reading in full");
            let before = tally.lock().unwrap_or_else(|e| e.into_inner()).requests;
            let n = walk::read_all::<T>(ctx, res, tally)
                .await
                .map_err(|e| (READ_ALL, e))?;
            ctx.store()
                .set_meta(&key, &evidence)
                .map_err(|e| (READ_ALL, e.into()))?;
            let requests = tally.lock().unwrap_or_else(|e| e.into_inner()).requests - before;
            *note = Some(format!(
                "the server ignores the updated_at filter on {} ({evidence}): read all {n} \
                 records instead ({requests} requests)",
                res.path()
            ));
            Ok(READ_ALL)
        }
        other => other,
    }
}

/// The windowed full sync (new or resumed) then the incremental cursor, or only
/// the cursor.
async fn cursor_sync<T>(
    ctx: &Arc<Ctx>,
    res: Resource,
    full: bool,
    tally: &Arc<Mutex<Tally>>,
) -> Result<&'static str, (&'static str, SyncError)>
where
    T: Syncable,
{
    let state = ctx
        .store()
        .resource_state(res.name())
        .map_err(|e| ("full", e.into()))?;
    let mode = if full || (state.cursor.is_none() && !state.full_running()) {
        "full"
    } else if state.full_running() {
        "resumed"
    } else {
        "incremental"
    };
    let synced = if mode == "incremental" {
        walk::incremental::<T>(ctx, res, tally).await
    } else {
        full::full::<T>(ctx, res, mode == "full", tally).await
    };
    synced.map_err(|e| (mode, e))?;
    Ok(mode)
}
