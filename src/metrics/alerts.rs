//! `[[alerts]]` rules evaluated over email facts: what `sltui alerts` prints and
//! what the dashboard's status bar and Alerts view show (one implementation).

use chrono::{DateTime, TimeDelta, Utc};

use super::{EmailFact, Engagement};
use crate::config::{AlertMetric, AlertRule};

/// A rule that fired, with the numbers that made it fire.
#[derive(Debug, Clone, PartialEq)]
pub struct Firing {
    pub rule: AlertRule,
    /// The compared value: the rate, or with `drop_vs_days` the drop.
    pub value: f64,
    /// The rate over the window.
    pub rate: f64,
    /// The rate over the baseline (with `drop_vs_days`).
    pub baseline_rate: Option<f64>,
    /// Emails sent in the window.
    pub sent: u64,
    pub cadence_id: Option<u64>,
    pub cadence_name: Option<String>,
}

/// The sent emails of `cadence` (any cadence when `None`) whose range time lies
/// in `[from, to)`.
pub fn window<'a>(
    facts: impl IntoIterator<Item = &'a EmailFact>,
    cadence: Option<u64>,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Engagement {
    let mut e = Engagement::default();
    for f in facts {
        let ok = match cadence {
            Some(c) => f.cadence_id == Some(c),
            None => f.cadence_id.is_some(),
        };
        let at = f.range_time();
        if ok && f.sent && at >= from && at < to {
            e += f.engagement();
        }
    }
    e
}

fn rate_of(metric: AlertMetric, e: &Engagement) -> Option<f64> {
    let r = e.rates();
    match metric {
        AlertMetric::OpenRate => r.open,
        AlertMetric::ClickRate => r.click,
        AlertMetric::ReplyRate => r.reply,
        AlertMetric::BounceRate => r.bounce,
    }
}

/// Whether `rule` fires over `facts` at `now`: a window with fewer than
/// `min_sent` sent emails (or an undefined rate) never fires, nor does a drift
/// rule whose baseline has fewer.
pub fn evaluate(rule: &AlertRule, facts: &[EmailFact], now: DateTime<Utc>) -> Option<Firing> {
    match check(rule, facts, now) {
        Check::Fires(f) => Some(*f),
        _ => None,
    }
}

/// What a rule says over `facts` at `now`, with the numbers either way.
#[derive(Debug, Clone, PartialEq)]
pub enum Check {
    Fires(Box<Firing>),
    /// Evaluated and quiet: the window's sent emails and rate (the drop with
    /// `drop_vs_days`), when defined.
    Quiet {
        sent: u64,
        value: Option<f64>,
    },
    /// Fewer sent emails than `min_sent` in the window (or its baseline).
    TooFew {
        sent: u64,
    },
}

/// [`evaluate`], saying why a rule does not fire.
pub fn check(rule: &AlertRule, facts: &[EmailFact], now: DateTime<Utc>) -> Check {
    let start = now - TimeDelta::days(i64::from(rule.days));
    // A second past now, so emails stamped this very second count.
    let current = window(facts, rule.cadence, start, now + TimeDelta::seconds(1));
    let sent = current.sent;
    if sent < rule.min_sent.max(1) {
        return Check::TooFew { sent };
    }
    let Some(rate) = rate_of(rule.metric, &current) else {
        return Check::Quiet { sent, value: None };
    };
    let (value, baseline_rate) = match rule.drop_vs_days {
        None => (rate, None),
        Some(n) => {
            let from = start - TimeDelta::days(i64::from(n));
            let base = window(facts, rule.cadence, from, start);
            if base.sent < rule.min_sent.max(1) {
                return Check::TooFew { sent: base.sent };
            }
            let Some(b) = rate_of(rule.metric, &base) else {
                return Check::Quiet { sent, value: None };
            };
            (b - rate, Some(b))
        }
    };
    if !rule.threshold.fires(value) {
        return Check::Quiet {
            sent,
            value: Some(value),
        };
    }
    Check::Fires(Box::new(Firing {
        rule: rule.clone(),
        value,
        rate,
        baseline_rate,
        sent: current.sent,
        cadence_id: rule.cadence,
        cadence_name: None,
    }))
}
