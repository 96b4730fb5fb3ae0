//! The `[[alerts]]` rules in the dashboard: each rule evaluated over the email
//! facts the dashboard holds, by `metrics::alerts` (as `sltui alerts` does), or
//! said to be not evaluated and why. Firing rules show in the status bar and the
//! Alerts view (4).

use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};

use crate::config::AlertRule;
use crate::metrics::alerts::Check;

/// Live facts re-evaluate the rules at most this often.
pub(crate) const EVERY: Duration = Duration::from_secs(5);

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
    pub(crate) last: Option<Instant>,
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
