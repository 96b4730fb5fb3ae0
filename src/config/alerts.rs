//! `[[alerts]]`: rules `sltui alerts` evaluates (for cron) and the dashboard can show.
//!
//! ```toml
//! [[alerts]]
//! name = "reply rate low"
//! metric = "reply_rate"        # open_rate, click_rate, reply_rate or bounce_rate
//! below = 0.02                 # or `above = 0.05`; rates are fractions
//! days = 7                     # the window: the last N days
//! min_sent = 200               # quiet windows never fire
//! cadence = 25591              # optional: one cadence (default: every cadence together)
//! drop_vs_days = 28            # optional: compare the drop against the N days before
//! ```
//!
//! With `drop_vs_days`, the value compared is the drop: the rate over the
//! `drop_vs_days` days before the window minus the rate over the window (a rise
//! is a negative drop), so `above = 0.01` fires when the rate fell by more than
//! one percentage point. A bad rule is a config error with its line and column.

use serde::Deserialize;

/// The rate a rule watches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AlertMetric {
    #[serde(alias = "open")]
    OpenRate,
    #[serde(alias = "click")]
    ClickRate,
    #[serde(alias = "reply")]
    ReplyRate,
    #[serde(alias = "bounce")]
    BounceRate,
}

impl AlertMetric {
    pub fn as_str(self) -> &'static str {
        match self {
            AlertMetric::OpenRate => "open_rate",
            AlertMetric::ClickRate => "click_rate",
            AlertMetric::ReplyRate => "reply_rate",
            AlertMetric::BounceRate => "bounce_rate",
        }
    }

    /// In words, e.g. "reply rate".
    pub fn words(self) -> &'static str {
        match self {
            AlertMetric::OpenRate => "open rate",
            AlertMetric::ClickRate => "click rate",
            AlertMetric::ReplyRate => "reply rate",
            AlertMetric::BounceRate => "bounce rate",
        }
    }
}

/// Fires when the value is above or below the threshold.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Threshold {
    Above(f64),
    Below(f64),
}

impl Threshold {
    pub fn fires(self, value: f64) -> bool {
        match self {
            Threshold::Above(t) => value > t,
            Threshold::Below(t) => value < t,
        }
    }

    pub fn direction(self) -> &'static str {
        match self {
            Threshold::Above(_) => "above",
            Threshold::Below(_) => "below",
        }
    }

    pub fn value(self) -> f64 {
        match self {
            Threshold::Above(t) | Threshold::Below(t) => t,
        }
    }
}

/// One `[[alerts]]` rule, checked.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(try_from = "RawRule")]
pub struct AlertRule {
    pub name: String,
    pub metric: AlertMetric,
    pub threshold: Threshold,
    pub days: u32,
    pub min_sent: u64,
    pub drop_vs_days: Option<u32>,
    pub cadence: Option<u64>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRule {
    name: String,
    metric: AlertMetric,
    above: Option<f64>,
    below: Option<f64>,
    days: u32,
    #[serde(default)]
    min_sent: u64,
    drop_vs_days: Option<u32>,
    cadence: Option<u64>,
}

/// Longest window a rule may use, in days.
const MAX_DAYS: u32 = 3650;

impl TryFrom<RawRule> for AlertRule {
    type Error = String;

    fn try_from(r: RawRule) -> Result<Self, String> {
        let name = r.name.trim().to_string();
        let who = if name.is_empty() {
            "an alert".to_string()
        } else {
            format!("alert {name:?}")
        };
        if name.is_empty() {
            return Err("alert name is empty; give every [[alerts]] rule a name".into());
        }
        let threshold = match (r.above, r.below) {
            (Some(a), None) => Threshold::Above(a),
            (None, Some(b)) => Threshold::Below(b),
            (Some(_), Some(_)) => {
                return Err(format!("{who}: set either `above` or `below`, not both"));
            }
            (None, None) => {
                return Err(format!(
                    "{who}: set `above` or `below` (a rate as a fraction, like 0.05)"
                ));
            }
        };
        let t = threshold.value();
        let lo = if r.drop_vs_days.is_some() { -1.0 } else { 0.0 };
        if !t.is_finite() || t < lo || t > 1.0 {
            return Err(format!(
                "{who}: the threshold {t} is not a rate; write a fraction from {lo} to 1 \
                 (0.05 is 5%)"
            ));
        }
        if r.days == 0 || r.days > MAX_DAYS {
            return Err(format!("{who}: days must be from 1 to {MAX_DAYS}"));
        }
        if r.drop_vs_days.is_some_and(|d| d == 0 || d > MAX_DAYS) {
            return Err(format!("{who}: drop_vs_days must be from 1 to {MAX_DAYS}"));
        }
        Ok(AlertRule {
            name,
            metric: r.metric,
            threshold,
            days: r.days,
            min_sent: r.min_sent,
            drop_vs_days: r.drop_vs_days,
            cadence: r.cadence,
        })
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;

    fn parse(text: &str) -> Result<Vec<AlertRule>, String> {
        crate::config::parse(Path::new("/home/u/.config/sltui/config.toml"), text)
            .map(|c| c.alerts)
            .map_err(|e| e.to_string())
    }

    #[test]
    fn a_file_of_alert_rules_alone_is_valid() {
        let rules = parse(
            "[[alerts]]\nname = \"replies\"\nmetric = \"reply_rate\"\nbelow = 0.02\ndays = 7\n\
             min_sent = 100\n\n[[alerts]]\nname = \"bounces\"\nmetric = \"bounce\"\nabove = 0.05\n\
             days = 1\ncadence = 25591\n\n[[alerts]]\nname = \"drift\"\nmetric = \"open_rate\"\n\
             above = 0.1\ndays = 7\ndrop_vs_days = 28\n",
        )
        .unwrap();
        assert_eq!(rules.len(), 3);
        assert_eq!(rules[0].threshold, Threshold::Below(0.02));
        assert_eq!(rules[0].min_sent, 100);
        assert_eq!(rules[1].metric, AlertMetric::BounceRate);
        assert_eq!(rules[1].cadence, Some(25591));
        assert_eq!(rules[1].min_sent, 0);
        assert_eq!(rules[2].drop_vs_days, Some(28));
        assert!(parse("").unwrap().is_empty());
    }

    #[test]
    fn bad_rules_name_their_line_and_column() {
        let text = "[ui]\nrefresh_secs = 5\n\n[[alerts]]\nname = \"x\"\nmetric = \"reply_rate\"\n\
                    above = 0.1\nbelow = 0.2\ndays = 7\n";
        let e = parse(text).unwrap_err();
        assert!(e.contains("line 4") && e.contains("not both"), "{e}");
        let e = parse("[[alerts]]\nname = \"x\"\nmetric = \"replies\"\nabove = 0.1\ndays = 7\n")
            .unwrap_err();
        assert!(e.contains("line 3") && e.contains("reply_rate"), "{e}");
        let e = parse("[[alerts]]\nname = \"x\"\nmetric = \"reply_rate\"\nabove = 5\ndays = 7\n")
            .unwrap_err();
        assert!(e.contains("line 1") && e.contains("fraction"), "{e}");
        let e = parse("[[alerts]]\nname = \"x\"\nmetric = \"open\"\nabove = 0.1\ndays = 0\n")
            .unwrap_err();
        assert!(e.contains("days must be"), "{e}");
        let e = parse("[[alerts]]\nname = \"x\"\nmetric = \"open\"\nbelow = 0.1\n").unwrap_err();
        assert!(e.contains("days"), "{e}");
        let e =
            parse("[[alerts]]\nname = \"x\"\nmetric = \"open\"\nbelow = 0.1\ndays = 3\nwhen = 1\n")
                .unwrap_err();
        assert!(e.contains("when"), "{e}");
    }
}
