//! The step funnel, the template table and the calls from a store, when its
//! sync covers them: a full sync of every resource they read has finished
//! (it then holds every record up to its last sync, so any range), recently
//! enough when the caller asks for that. The counting is `metrics`' (the same
//! as from SalesLoft); only the reads differ.

use std::collections::BTreeSet;

use chrono::{DateTime, TimeDelta, Utc};

use super::{RecordStore, StoreResult};
use crate::api::models::Call;
use crate::metrics::calls::call_in_range;
use crate::metrics::funnel::CadenceFunnel;
use crate::metrics::{EmailFact, TimeRange};

/// The sync checkpoints (resource names) the funnel and template table read.
pub const FUNNEL_RESOURCES: [&str; 4] = ["steps", "emails", "calls", "email_templates"];
/// The sync checkpoint of the calls.
pub const CALL_RESOURCES: [&str; 1] = ["calls"];
/// The sync checkpoint of the emails (the per-cadence rows and trends).
pub const EMAIL_RESOURCES: [&str; 1] = ["emails"];

/// How recent a store's syncs must be to answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Freshness {
    /// Whatever its age (the team database: its hub keeps it fresh).
    Any,
    /// Every resource read was synced within this long before `now`.
    Within(TimeDelta),
}

/// Why the store does not cover `resources` (no finished full sync of some, or
/// a sync older than `fresh` allows at `now`), in words; `None` when it does.
pub fn not_covered(
    store: &dyn RecordStore,
    resources: &[&str],
    fresh: Freshness,
    now: DateTime<Utc>,
) -> StoreResult<Option<String>> {
    let (mut missing, mut old) = (Vec::new(), Vec::new());
    for r in resources {
        let state = store.resource_state(r)?;
        if state.full_done_at.is_none() {
            missing.push(*r);
        } else if let Freshness::Within(age) = fresh
            && state.synced_at.is_none_or(|at| at < now - age)
        {
            old.push(*r);
        }
    }
    let at = store.location();
    Ok(if !missing.is_empty() {
        Some(format!(
            "{at} holds no finished sync of {}",
            missing.join(", ")
        ))
    } else if !old.is_empty() {
        Some(format!("{at} last synced {} too long ago", old.join(", ")))
    } else {
        None
    })
}

/// The funnel of `cadence_id` over `range` from the store, or why the store
/// does not cover it.
pub fn read_funnel(
    store: &dyn RecordStore,
    fresh: Freshness,
    cadence_id: u64,
    range: TimeRange,
    now: DateTime<Utc>,
) -> StoreResult<Result<CadenceFunnel, String>> {
    Ok(read_counted_funnel(store, fresh, cadence_id, range, now)?.map(|c| c.funnel))
}

/// A funnel and the ids of the calls of its cadence it was counted from: a
/// change to one of them (moved to another cadence, say) changes the count,
/// though the call's new version no longer names this cadence.
#[derive(Debug, Clone)]
pub struct CountedFunnel {
    pub funnel: CadenceFunnel,
    pub call_ids: BTreeSet<u64>,
}

/// [`read_funnel`] with the ids of the calls it read.
pub fn read_counted_funnel(
    store: &dyn RecordStore,
    fresh: Freshness,
    cadence_id: u64,
    range: TimeRange,
    now: DateTime<Utc>,
) -> StoreResult<Result<CountedFunnel, String>> {
    if let Some(why) = not_covered(store, &FUNNEL_RESOURCES, fresh, now)? {
        return Ok(Err(why));
    }
    let facts = store.cadence_email_facts(cadence_id)?;
    let calls = store.cadence_calls(cadence_id)?;
    let mut funnel = CadenceFunnel::count(cadence_id, store.steps()?, &facts, &calls, range, now);
    let templates = store.email_templates()?;
    funnel.name_templates(templates.iter().map(|t| (t.id, t.title.as_str())));
    let call_ids = calls.iter().map(|c| c.id).collect();
    Ok(Ok(CountedFunnel { funnel, call_ids }))
}

/// Email facts and the instant the store holds every email updated up to.
pub type StoredFacts = (Vec<EmailFact>, DateTime<Utc>);

/// The emails of `cadence_ids` sent in `range` as facts (what SalesLoft
/// answers to `sent_at[gte]`: every email for all time), and the instant the
/// store holds every email updated up to (a live poll catches up from there);
/// or why the store does not cover them.
pub fn read_engagement(
    store: &dyn RecordStore,
    fresh: Freshness,
    cadence_ids: &[u64],
    range: TimeRange,
    now: DateTime<Utc>,
) -> StoreResult<Result<StoredFacts, String>> {
    if let Some(why) = not_covered(store, &EMAIL_RESOURCES, fresh, now)? {
        return Ok(Err(why));
    }
    let state = store.resource_state(EMAIL_RESOURCES[0])?;
    let through = state
        .cursor
        .and_then(|c| c.after)
        .map(|t| t.with_timezone(&Utc))
        .or(state.synced_at)
        .unwrap_or(now);
    let since = range.since(now);
    let mut facts = Vec::new();
    for id in cadence_ids {
        let mut of_cadence = store.cadence_email_facts(*id)?;
        if let Some(since) = since {
            of_cadence.retain(|f| f.sent_at.is_some_and(|at| at >= since));
        }
        facts.extend(of_cadence);
    }
    Ok(Ok((facts, through)))
}

/// The team's calls made in `range` from the store, or why it does not cover them.
pub fn read_calls(
    store: &dyn RecordStore,
    fresh: Freshness,
    range: TimeRange,
    now: DateTime<Utc>,
) -> StoreResult<Result<Vec<Call>, String>> {
    if let Some(why) = not_covered(store, &CALL_RESOURCES, fresh, now)? {
        return Ok(Err(why));
    }
    let mut calls = store.calls()?;
    calls.retain(|c| call_in_range(c, range, now));
    Ok(Ok(calls))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::CursorPosition;
    use crate::store::Store;

    #[test]
    fn a_store_covers_what_it_finished_syncing_recently_enough() {
        let mut store = Store::open_in_memory().unwrap();
        let now = Utc::now();
        let check = |s: &Store, fresh, at| not_covered(s, &FUNNEL_RESOURCES, fresh, at).unwrap();
        let why = check(&store, Freshness::Any, now).expect("nothing synced");
        assert!(why.contains("no finished sync of steps, emails, calls, email_templates"));
        for r in ["steps", "emails", "email_templates"] {
            store.begin_full(r, None, None).unwrap();
            store.finish_full(r, r, &CursorPosition::start()).unwrap();
        }
        let why = check(&store, Freshness::Any, now).expect("no calls");
        assert!(why.ends_with("no finished sync of calls"), "{why}");
        store.begin_full("calls", None, None).unwrap();
        store
            .finish_full("calls", "calls", &CursorPosition::start())
            .unwrap();
        let fresh = Freshness::Within(TimeDelta::minutes(15));
        assert_eq!(check(&store, Freshness::Any, now), None);
        assert_eq!(check(&store, fresh, now), None);
        let later = now + TimeDelta::hours(1);
        assert_eq!(
            check(&store, Freshness::Any, later),
            None,
            "any age answers"
        );
        let why = check(&store, fresh, later).expect("an hour old");
        assert!(why.contains("last synced steps, emails, calls, email_templates too long ago"));
        // A covered store answers the funnel of a cadence it has nothing of.
        let funnel = read_funnel(&store, fresh, 7, TimeRange::All, now).unwrap();
        assert!(funnel.is_ok_and(|f| f.rows.is_empty() && f.steps.is_empty()));
    }
}
