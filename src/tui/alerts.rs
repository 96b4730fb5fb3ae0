//! The `[[alerts]]` rules in the dashboard: each rule evaluated over the email
//! facts the dashboard holds, by `metrics::alerts` (as `sltui alerts` does), or
//! said to be not evaluated and why. Firing rules show in the status bar and the
//! Alerts view (4).

use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};

use crate::config::AlertRule;
use crate::metrics::TimeRange;
use crate::metrics::alerts::{Check, check};

use super::state::AppState;

/// Live facts re-evaluate the rules at most this often.
const EVERY: Duration = Duration::from_secs(5);

/// A version of the email facts the dashboard holds, bumped whenever they change
/// (the trends are computed for one). The facts themselves are the aggregator's
/// (`Aggregator::facts_from`): no second copy of a million emails.
#[derive(Debug, Default)]
pub struct FactLog {
    version: u64,
}

impl FactLog {
    /// The facts changed.
    pub fn changed(&mut self) {
        self.version += 1;
    }

    pub fn version(&self) -> u64 {
        self.version
    }
}

/// What one rule says now.
#[derive(Debug, Clone, PartialEq)]
pub enum RuleState {
    Evaluated(Check),
    /// The facts held do not cover the rule: why, in words.
    NotEvaluated(String),
}

#[derive(Debug, Default)]
pub struct Alerts {
    pub rules: Vec<AlertRule>,
    /// One per rule, in the config's order.
    pub states: Vec<RuleState>,
    pub evaluated_at: Option<DateTime<Utc>>,
    /// New facts or a new range since the last evaluation.
    pub dirty: bool,
    last: Option<Instant>,
    pub cursor: super::widgets::table::Cursor,
}

impl Alerts {
    pub fn new(rules: Vec<AlertRule>) -> Alerts {
        Alerts {
            rules,
            dirty: true,
            ..Alerts::default()
        }
    }

    /// How many rules fire.
    pub fn firing(&self) -> usize {
        self.states
            .iter()
            .filter(|s| matches!(s, RuleState::Evaluated(Check::Fires(_))))
            .count()
    }
}

/// The days a rule's windows span back from now.
pub fn span_days(rule: &AlertRule) -> u32 {
    rule.days + rule.drop_vs_days.unwrap_or(0)
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
                .cadences
                .iter()
                .filter(|c| !m.loaded.contains(&c.id))
                .count();
            (n > 0 || state.cadences.cadences.is_empty()).then_some(n)
        }
    };
    missing.map(|n| match (rule.cadence, n) {
        (Some(c), _) => format!("waiting for the emails of cadence {c}"),
        (None, 0) => "waiting for the cadences".to_string(),
        (None, n) => format!("waiting for the emails of {n} cadences"),
    })
}

/// Evaluates every rule now.
pub fn evaluate(state: &mut AppState) {
    let wall = state.clock.wall;
    let days = state.alerts.rules.iter().map(span_days).max().unwrap_or(0);
    let facts = state
        .metrics
        .agg
        .facts_from(Some(wall - chrono::TimeDelta::days(i64::from(days) + 1)));
    let states = state
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
                        .and_then(|id| state.cadences.by_id(id))
                        .map(|c| c.name.clone());
                }
                RuleState::Evaluated(c)
            }
        })
        .collect();
    let a = &mut state.alerts;
    a.states = states;
    a.evaluated_at = Some(wall);
    a.dirty = false;
    a.last = Some(state.clock.now);
}

/// On a tick: evaluates when something changed, at most every few seconds. True
/// when the screen should redraw.
pub fn on_tick(state: &mut AppState) -> bool {
    let a = &state.alerts;
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
    state.alerts.firing() != before || state.view == super::state::View::Alerts
}
