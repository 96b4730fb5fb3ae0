//! The `[[alerts]]` rules judged again: when asked, and on a tick after new
//! facts (at most every few seconds).

use crate::config::AlertRule;
use crate::metrics::TimeRange;
use crate::metrics::alerts::{Check, check};

use super::super::alerts::*;
use super::super::state::AppState;

/// Evaluates every rule now.
pub fn evaluate(state: &mut AppState) {
    let wall = state.clock.wall;
    let days = state
        .analytics
        .alerts
        .rules
        .iter()
        .map(span_days)
        .max()
        .unwrap_or(0);
    let facts = state
        .metrics
        .agg
        .facts_from(Some(wall - chrono::TimeDelta::days(i64::from(days) + 1)));
    let states = state
        .analytics
        .alerts
        .rules
        .iter()
        .map(|rule| match not_covered(state, rule) {
            Some(why) => RuleState::NotEvaluated(why),
            None => {
                let mut c = check(rule, &facts, wall);
                if let Check::Fires(f) = &mut c {
                    f.cadence_name = f
                        .cadence_id
                        .and_then(|id| state.cadences.list.by_id(id))
                        .map(|c| c.name.clone());
                }
                RuleState::Evaluated(c)
            }
        })
        .collect();
    let a = &mut state.analytics.alerts;
    a.states = states;
    a.evaluated_at = Some(wall);
    a.dirty = false;
    a.last = Some(state.clock.now);
}

/// On a tick: evaluates when something changed, at most every few seconds. True
/// when the screen should redraw.
pub fn on_tick(state: &mut AppState) -> bool {
    let a = &state.analytics.alerts;
    if a.rules.is_empty() || !a.dirty {
        return false;
    }
    if a.last
        .is_some_and(|t| state.clock.now.duration_since(t) < EVERY)
    {
        return false;
    }
    let before = a.firing();
    evaluate(state);
    state.analytics.alerts.firing() != before || state.view == super::super::state::View::Alerts
}

/// Why the dashboard's facts cannot answer `rule`, if they cannot.
fn not_covered(state: &AppState, rule: &AlertRule) -> Option<String> {
    let need = span_days(rule);
    let m = &state.metrics;
    if m.local || m.parked.is_some() || m.agg.is_preset() {
        return Some(
            "the numbers on screen are the local store's totals; alerts read the emails \
             the dashboard loads (press r to load them)"
                .into(),
        );
    }
    if let TimeRange::Days(d) = m.range
        && d < need
    {
        return Some(format!(
            "needs the last {need} days, the dashboard holds the last {d} (t widens the range)"
        ));
    }
    let missing = match rule.cadence {
        Some(c) => (!m.loaded.contains(&c)).then_some(1),
        None => {
            let n = state
                .cadences
                .list
                .cadences
                .iter()
                .filter(|c| !m.loaded.contains(&c.id))
                .count();
            (n > 0 || state.cadences.list.cadences.is_empty()).then_some(n)
        }
    };
    missing.map(|n| match (rule.cadence, n) {
        (Some(c), _) => format!("waiting for the emails of cadence {c}"),
        (None, 0) => "waiting for the cadences".to_string(),
        (None, n) => format!("waiting for the emails of {n} cadences"),
    })
}
