//! Trends: sent, reply rate and bounce rate per day or week, for one cadence or
//! the team, from the email facts the dashboard holds, bucketed by
//! `metrics::breakdown::by_period` (as `sltui report --by day|week` buckets them).
//! Computed in `update` when something changed, drawn from the cache.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use chrono::{Days, NaiveDate};

use crate::metrics::breakdown::{Period, by_period};
use crate::metrics::{Engagement, TimeRange};

use super::state::AppState;

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
const EVERY: Duration = Duration::from_secs(5);

/// The buckets of the current mode and range, by (bucket start, cadence).
#[derive(Debug, Default)]
pub struct Trends {
    pub mode: ChartMode,
    /// (period, range, facts version) the buckets were computed for.
    key: Option<(Period, TimeRange, u64)>,
    pub buckets: BTreeMap<(NaiveDate, u64), Engagement>,
    /// The first and last bucket to draw (the range's start, or the oldest email
    /// for all time; the bucket of now).
    pub span: Option<(NaiveDate, NaiveDate)>,
    last: Option<Instant>,
}

/// Brings the buckets up to date with the facts, the mode and the range; `force`
/// ignores the throttle (the user switched the mode or the range). True if they
/// changed.
pub fn refresh(state: &mut AppState, force: bool) -> bool {
    let Some(period) = state.trends.mode.period() else {
        return false;
    };
    let key = (period, state.metrics.range, state.facts.version());
    if state.trends.key == Some(key) {
        return false;
    }
    let now = state.clock.now;
    let recent = state
        .trends
        .last
        .is_some_and(|t| now.duration_since(t) < EVERY);
    let same_view = state
        .trends
        .key
        .is_some_and(|(p, r, _)| p == period && r == state.metrics.range);
    if recent && same_view && !force {
        return false;
    }
    let wall = state.clock.wall;
    let range = state.metrics.range;
    let facts = state.metrics.agg.facts_from(range.since(wall));
    let buckets = by_period(&facts, period, range, wall);
    let first = match range.since(wall) {
        Some(since) => Some(since.date_naive()),
        None => buckets.keys().map(|(d, _)| *d).min(),
    };
    let t = &mut state.trends;
    t.span = first.map(|f| (period.start(f), period.start(wall.date_naive())));
    t.buckets = buckets;
    t.key = Some(key);
    t.last = Some(now);
    true
}

/// One cadence's buckets (`None`: every cadence together) from the span's start
/// to its end, empty buckets included, oldest first.
pub fn series(state: &AppState, cadence: Option<u64>) -> Vec<(NaiveDate, Engagement)> {
    let t = &state.trends;
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
