//! Calls per cadence: how many, by disposition and by sentiment, as `report`
//! prints them, whichever source the calls came from (the store or SalesLoft).

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};

use super::TimeRange;
use crate::api::models::Call;

/// Whether a call was made in `range` counted back from `now` (to the second):
/// calls are dated by `created_at`, as the `created_at[gte]` filter reads them.
pub fn call_in_range(call: &Call, range: TimeRange, now: DateTime<Utc>) -> bool {
    range
        .since(now)
        .is_none_or(|since| call.created_at.timestamp() >= since.timestamp())
}

/// One cadence's calls: how many, and how many per disposition and per
/// sentiment (a call with none counts under `"(none)"`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CallTally {
    pub calls: u64,
    pub by_disposition: BTreeMap<String, u64>,
    pub by_sentiment: BTreeMap<String, u64>,
}

/// [`CallTally`] per cadence of the calls made in `range`; calls on no cadence
/// are left out.
pub fn tally_calls(
    calls: &[Call],
    range: TimeRange,
    now: DateTime<Utc>,
) -> BTreeMap<u64, CallTally> {
    let mut out: BTreeMap<u64, CallTally> = BTreeMap::new();
    for c in calls.iter().filter(|c| call_in_range(c, range, now)) {
        let Some(cadence) = c.cadence.as_ref().and_then(|r| r.id_u64()) else {
            continue;
        };
        let t = out.entry(cadence).or_default();
        t.calls += 1;
        let key = |v: &Option<String>| {
            v.as_deref()
                .filter(|s| !s.trim().is_empty())
                .unwrap_or("(none)")
                .to_string()
        };
        *t.by_disposition.entry(key(&c.disposition)).or_default() += 1;
        *t.by_sentiment.entry(key(&c.sentiment)).or_default() += 1;
    }
    out
}
