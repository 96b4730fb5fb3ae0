//! The step funnel, the template table and the calls from a store, when its
//! sync covers them: a full sync of every resource they read has finished
//! (it then holds every record up to its last sync, so any range). The
//! counting is `metrics`' (the same as from SalesLoft); only the reads differ.

use chrono::{DateTime, Utc};

use super::{RecordStore, StoreResult};
use crate::api::models::Call;
use crate::metrics::TimeRange;
use crate::metrics::calls::call_in_range;
use crate::metrics::funnel::CadenceFunnel;

/// The sync checkpoints (resource names) the funnel and template table read.
pub const FUNNEL_RESOURCES: [&str; 4] = ["steps", "emails", "calls", "email_templates"];
/// The sync checkpoint of the calls.
pub const CALL_RESOURCES: [&str; 1] = ["calls"];

/// Why the store does not cover `resources` (no finished full sync of some),
/// in words; `None` when it does.
pub fn not_covered(store: &dyn RecordStore, resources: &[&str]) -> StoreResult<Option<String>> {
    let mut missing = Vec::new();
    for r in resources {
        if store.resource_state(r)?.full_done_at.is_none() {
            missing.push(*r);
        }
    }
    Ok((!missing.is_empty()).then(|| {
        format!(
            "{} holds no finished sync of {}",
            store.location(),
            missing.join(", ")
        )
    }))
}

/// The funnel of `cadence_id` over `range` from the store, or why the store
/// does not cover it.
pub fn read_funnel(
    store: &dyn RecordStore,
    cadence_id: u64,
    range: TimeRange,
    now: DateTime<Utc>,
) -> StoreResult<Result<CadenceFunnel, String>> {
    if let Some(why) = not_covered(store, &FUNNEL_RESOURCES)? {
        return Ok(Err(why));
    }
    let facts = store.cadence_email_facts(cadence_id)?;
    let calls = store.cadence_calls(cadence_id)?;
    let mut funnel = CadenceFunnel::count(cadence_id, store.steps()?, &facts, &calls, range, now);
    let templates = store.email_templates()?;
    funnel.name_templates(templates.iter().map(|t| (t.id, t.title.as_str())));
    Ok(Ok(funnel))
}

/// The team's calls made in `range` from the store, or why it does not cover them.
pub fn read_calls(
    store: &dyn RecordStore,
    range: TimeRange,
    now: DateTime<Utc>,
) -> StoreResult<Result<Vec<Call>, String>> {
    if let Some(why) = not_covered(store, &CALL_RESOURCES)? {
        return Ok(Err(why));
    }
    let mut calls = store.calls()?;
    calls.retain(|c| call_in_range(c, range, now));
    Ok(Ok(calls))
}
