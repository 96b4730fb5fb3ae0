//! The trend buckets computed again when the facts, the range or the chart
//! changed.

use crate::metrics::breakdown::by_period;

use super::super::state::AppState;
use super::super::trends::*;

/// Brings the buckets up to date with the facts, the mode and the range; `force`
/// ignores the throttle (the user switched the mode or the range). True if they
/// changed.
pub fn refresh(state: &mut AppState, force: bool) -> bool {
    let Some(period) = state.analytics.trends.mode.period() else {
        return false;
    };
    let key = (period, state.metrics.range, state.analytics.facts.version());
    if state.analytics.trends.key == Some(key) {
        return false;
    }
    let now = state.clock.now;
    let recent = state
        .analytics
        .trends
        .last
        .is_some_and(|t| now.duration_since(t) < EVERY);
    let same_view = state
        .analytics
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
    let t = &mut state.analytics.trends;
    t.span = first.map(|f| (period.start(f), period.start(wall.date_naive())));
    t.buckets = buckets;
    t.key = Some(key);
    t.last = Some(now);
    true
}
