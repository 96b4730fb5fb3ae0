//! Trends: sent, reply rate and bounce rate per day or week, for one cadence or
//! the team, from the email facts the dashboard holds, bucketed by
//! `metrics::breakdown::by_period` (as `sltui report --by day|week` buckets them).
//! Computed in `update` when something changed, drawn from the cache.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use chrono::{Days, NaiveDate};

use crate::metrics::breakdown::Period;
use crate::metrics::{Engagement, TimeRange};

/// What the top-right chart of the detail and of Activity shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ChartMode {
    /// Live opens, clicks and replies (the last minutes).
    #[default]
    Live,
    Daily,
    Weekly,
}

impl ChartMode {
    pub fn next(self) -> ChartMode {
        match self {
            ChartMode::Live => ChartMode::Daily,
            ChartMode::Daily => ChartMode::Weekly,
            ChartMode::Weekly => ChartMode::Live,
        }
    }

    pub fn period(self) -> Option<Period> {
        match self {
            ChartMode::Live => None,
            ChartMode::Daily => Some(Period::Day),
            ChartMode::Weekly => Some(Period::Week),
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            ChartMode::Live => "live",
            ChartMode::Daily => "daily",
            ChartMode::Weekly => "weekly",
        }
    }
}

/// Recomputed at most this often while facts keep arriving.
pub(crate) const EVERY: Duration = Duration::from_secs(5);

/// The buckets of the current mode and range, by (bucket start, cadence).
#[derive(Debug, Default)]
pub struct Trends {
    pub mode: ChartMode,
    /// (period, range, facts version) the buckets were computed for.
    pub(crate) key: Option<(Period, TimeRange, u64)>,
    pub buckets: BTreeMap<(NaiveDate, u64), Engagement>,
    /// The first and last bucket to draw (the range's start, or the oldest email
    /// for all time; the bucket of now).
    pub span: Option<(NaiveDate, NaiveDate)>,
    pub(crate) last: Option<Instant>,
}

/// One cadence's buckets (`None`: every cadence together) from the span's start
/// to its end, empty buckets included, oldest first.
pub fn series(t: &Trends, cadence: Option<u64>) -> Vec<(NaiveDate, Engagement)> {
    let (Some(period), Some((first, last))) = (t.mode.period(), t.span) else {
        return Vec::new();
    };
    let step = match period {
        Period::Day => 1,
        Period::Week => 7,
    };
    let mut out = Vec::new();
    let mut day = first;
    while day <= last {
        let mut e = Engagement::default();
        match cadence {
            Some(c) => e = t.buckets.get(&(day, c)).copied().unwrap_or_default(),
            None => {
                for (_, b) in t.buckets.range((day, 0)..=(day, u64::MAX)) {
                    e += *b;
                }
            }
        }
        out.push((day, e));
        match day.checked_add_days(Days::new(step)) {
            Some(next) => day = next,
            None => break,
        }
    }
    out
}

/// What the newest bucket is: it is still filling.
pub fn partial_note(mode: ChartMode) -> &'static str {
    match mode {
        ChartMode::Daily => "today so far",
        ChartMode::Weekly => "this week so far",
        ChartMode::Live => "",
    }
}
