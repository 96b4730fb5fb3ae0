//! `sltui alerts`: evaluates the `[[alerts]]` rules of the config once (for
//! cron) over the emails of the rules' windows, prints the ones that fire, and
//! exits 1 when any fires, 0 when none does, 2 on an error.

use std::collections::BTreeMap;

use chrono::Utc;
use clap::Args;
use serde_json::{Value, json};

use super::opts::GlobalOpts;
use super::report::load_facts;
use super::script::Session;
use super::target;
use crate::config::AlertRule;
use crate::metrics::alerts::{Firing, evaluate};
use crate::metrics::{TimeRange, format_rate};

#[derive(Debug, Clone, Args)]
pub struct AlertsArgs {
    #[command(flatten)]
    pub target: super::opts::TargetOpts,
    /// Print the firing alerts as a JSON array (`[]` when none fires).
    #[arg(long, value_enum, default_value_t = AlertsFormat::Text)]
    pub format: AlertsFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum AlertsFormat {
    /// One line per firing alert.
    Text,
    /// A JSON array of objects.
    Json,
}

/// Exit code when an alert fires.
const FIRING: i32 = 1;
/// Exit code on any error (config, connection, unknown cadence).
const ERROR: i32 = 2;

pub async fn run(global: &GlobalOpts, args: AlertsArgs) -> anyhow::Result<i32> {
    let rules = match target::resolve(global, true) {
        Ok(t) => t.config.alerts,
        Err(e) => {
            eprintln!("sltui: {e:#}");
            return Ok(ERROR);
        }
    };
    if rules.is_empty() {
        eprintln!("sltui: no [[alerts]] rules in the config file; see `Alerts` in the README");
        if args.format == AlertsFormat::Json {
            println!("[]");
        }
        return Ok(0);
    }
    let mut session = match Session::connect(global, "alerts").await {
        Ok(s) => s,
        Err(e) => {
            eprintln!("sltui: {e:#}");
            return Ok(ERROR);
        }
    };
    // The session says what it spent when it is dropped, after the alerts.
    let code = match evaluate_all(&mut session, &rules).await {
        Ok(Ok(firing)) => {
            print!("{}", render(&firing, args.format));
            if firing.is_empty() { 0 } else { FIRING }
        }
        Ok(Err(message)) => {
            eprintln!("sltui: {message}");
            ERROR
        }
        Err(e) => {
            eprintln!("sltui: {e:#}");
            ERROR
        }
    };
    Ok(code)
}

/// Reads what the rules need (every cadence's emails over the longest window)
/// and evaluates each rule.
async fn evaluate_all(
    session: &mut Session,
    rules: &[AlertRule],
) -> anyhow::Result<Result<Vec<Firing>, String>> {
    let cadences = session.cadences().await?;
    let names: BTreeMap<u64, String> = cadences.iter().map(|c| (c.id, c.name.clone())).collect();
    for r in rules {
        if let Some(id) = r.cadence
            && !names.contains_key(&id)
        {
            return Ok(Err(format!(
                "alert {:?}: no cadence with id {id} on this team",
                r.name
            )));
        }
    }
    let window = rules
        .iter()
        .map(|r| r.days + r.drop_vs_days.unwrap_or(0))
        .max()
        .unwrap_or(1);
    // Taken before the read, so the window is never narrower than it.
    let now = Utc::now();
    let chosen: Vec<&_> = if rules.iter().all(|r| r.cadence.is_some()) {
        cadences
            .iter()
            .filter(|c| rules.iter().any(|r| r.cadence == Some(c.id)))
            .collect()
    } else {
        cadences.iter().collect()
    };
    let facts = match load_facts(session, &chosen, TimeRange::Days(window)).await? {
        Ok(facts) => facts,
        Err(reason) => return Ok(Err(format!("could not read the engagement: {reason}"))),
    };
    Ok(Ok(rules
        .iter()
        .filter_map(|r| evaluate(r, &facts, now))
        .map(|mut f| {
            f.cadence_name = f.cadence_id.and_then(|id| names.get(&id).cloned());
            f
        })
        .collect()))
}

fn render(firing: &[Firing], format: AlertsFormat) -> String {
    match format {
        AlertsFormat::Json => {
            let list: Vec<Value> = firing.iter().map(to_json).collect();
            let mut s = serde_json::to_string_pretty(&list).unwrap_or_default();
            s.push('\n');
            s
        }
        AlertsFormat::Text => firing.iter().map(|f| format!("{}\n", line(f))).collect(),
    }
}

fn to_json(f: &Firing) -> Value {
    json!({
        "name": f.rule.name,
        "metric": f.rule.metric.as_str(),
        "direction": f.rule.threshold.direction(),
        "threshold": f.rule.threshold.value(),
        "value": f.value,
        "rate": f.rate,
        "baseline_rate": f.baseline_rate,
        "days": f.rule.days,
        "drop_vs_days": f.rule.drop_vs_days,
        "min_sent": f.rule.min_sent,
        "sent": f.sent,
        "cadence_id": f.cadence_id,
        "cadence_name": f.cadence_name,
    })
}

fn line(f: &Firing) -> String {
    let r = &f.rule;
    let scope = match (f.cadence_id, &f.cadence_name) {
        (Some(id), Some(name)) => format!("cadence {id} ({name})"),
        (Some(id), None) => format!("cadence {id}"),
        (None, _) => "every cadence".to_string(),
    };
    let what = match (r.drop_vs_days, f.baseline_rate) {
        (Some(n), Some(b)) => format!(
            "{} went from {} to {} (a drop of {:.1} points, {} {:.1}) over the last {} days vs the {n} days before",
            r.metric.words(),
            format_rate(Some(b)),
            format_rate(Some(f.rate)),
            f.value * 100.0,
            r.threshold.direction(),
            r.threshold.value() * 100.0,
            r.days,
        ),
        _ => format!(
            "{} is {}, {} {} over the last {} days",
            r.metric.words(),
            format_rate(Some(f.rate)),
            r.threshold.direction(),
            format_rate(Some(r.threshold.value())),
            r.days,
        ),
    };
    format!("ALERT {}: {what}; {scope}, {} sent", r.name, f.sent)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{AlertMetric, Threshold};
    use crate::metrics::EmailFact;
    use chrono::{DateTime, TimeDelta};

    fn rule(threshold: Threshold, drop: Option<u32>) -> AlertRule {
        AlertRule {
            name: "r".into(),
            metric: AlertMetric::ReplyRate,
            threshold,
            days: 7,
            min_sent: 10,
            drop_vs_days: drop,
            cadence: Some(1),
        }
    }

    /// `n` delivered emails of cadence 1 sent `days_ago`, `replied` of them replied.
    fn facts(
        n: u64,
        replied: u64,
        days_ago: i64,
        now: DateTime<Utc>,
        first: u64,
    ) -> Vec<EmailFact> {
        let at = now - TimeDelta::days(days_ago) + TimeDelta::hours(1);
        (0..n)
            .map(|i| EmailFact {
                email_id: first + i,
                cadence_id: Some(1),
                step_id: None,
                sent: true,
                bounced: false,
                viewed: false,
                clicked: false,
                replied: i < replied,
                view_tracked: true,
                click_tracked: true,
                template_id: None,
                person_id: None,
                sent_at: Some(at),
                updated_at: at,
            })
            .collect()
    }

    #[test]
    fn thresholds_min_sent_and_drift() {
        let now = Utc::now();
        // 2 of 40 replied this week (5%); 8 of 40 in the weeks before (20%).
        let mut all = facts(40, 2, 3, now, 0);
        all.extend(facts(40, 8, 20, now, 100));
        let below = rule(Threshold::Below(0.1), None);
        let f = evaluate(&below, &all, now).expect("5% is below 10%");
        assert_eq!(f.sent, 40);
        assert!((f.rate - 0.05).abs() < 1e-12);
        assert!(evaluate(&rule(Threshold::Above(0.1), None), &all, now).is_none());
        // Too few emails: never fires.
        let quiet = AlertRule {
            min_sent: 41,
            ..below.clone()
        };
        assert!(evaluate(&quiet, &all, now).is_none());
        // Drift: a 15-point drop against the 28 days before.
        let drift = rule(Threshold::Above(0.1), Some(28));
        let f = evaluate(&drift, &all, now).expect("fell by 15 points");
        assert!((f.value - 0.15).abs() < 1e-12);
        assert_eq!(f.baseline_rate, Some(0.2));
        assert!(evaluate(&rule(Threshold::Above(0.2), Some(28)), &all, now).is_none());
        // Another cadence's emails do not count.
        let other = AlertRule {
            cadence: Some(2),
            ..below
        };
        assert!(evaluate(&other, &all, now).is_none());
        let text = render(&[f], AlertsFormat::Text);
        assert!(
            text.starts_with("ALERT r: reply rate went from 20.0% to 5.0%"),
            "{text}"
        );
        assert_eq!(render(&[], AlertsFormat::Json), "[]\n");
    }
}
