//! `report --by step`, `--by template` and `--by day|week`.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde_json::{Map, Value, json};

use super::render::{ENGAGEMENT, Kind, Sheet, col, put_engagement};
use crate::api::models::{Cadence, Step};
use crate::metrics::breakdown::{Period, by_period};
use crate::metrics::funnel::CadenceFunnel;
use crate::metrics::{EmailFact, Engagement, TimeRange};

/// One row per step of the cadence in order (disabled ones marked), with the
/// email counts and rates of its emails in range and the people it reached
/// (recipients of its sent emails, people its calls reached); a last
/// `(no step)` row holds the cadence's emails without a step, so the rows add
/// up to the cadence's row.
pub fn steps(cadence: &Cadence, funnel: &CadenceFunnel, range: TimeRange) -> Sheet {
    let by_id: BTreeMap<u64, &Step> = funnel.steps.iter().map(|s| (s.id, s)).collect();
    let rows = funnel
        .rows
        .iter()
        .map(|r| {
            step_row(
                r.step_id.and_then(|id| by_id.get(&id).copied()),
                &r.engagement,
                r.people_reached,
            )
        })
        .collect();
    let mut columns = vec![
        col("step_id", "STEP", Kind::Count),
        col("day", "DAY", Kind::Count),
        col("step_number", "NO", Kind::Count),
        col("type", "TYPE", Kind::Text),
        col("name", "NAME", Kind::Text),
        col("disabled", "OFF", Kind::Flag("disabled")),
    ];
    columns.extend(ENGAGEMENT.iter().take(8).copied());
    columns.push(col("people_reached", "PEOPLE", Kind::Count));
    columns.extend(ENGAGEMENT.iter().skip(8).copied());
    Sheet {
        title: format!(
            "Steps of cadence {} ({}), {range}",
            cadence.id, cadence.name
        ),
        columns,
        rows,
        total: None,
        empty: "no steps",
    }
}

fn step_row(s: Option<&Step>, e: &Engagement, people: usize) -> Map<String, Value> {
    let mut m = Map::new();
    m.insert("step_id".into(), json!(s.map(|s| s.id)));
    m.insert("step_number".into(), json!(s.and_then(|s| s.step_number)));
    m.insert("day".into(), json!(s.and_then(|s| s.day)));
    m.insert("type".into(), json!(s.map(|s| s.step_type.as_str())));
    let name = s.map_or("(no step)".to_string(), |s| {
        s.name
            .clone()
            .or_else(|| s.display_name.clone())
            .unwrap_or_default()
    });
    m.insert("name".into(), json!(name));
    m.insert("disabled".into(), json!(s.is_some_and(|s| s.disabled)));
    put_engagement(&mut m, e);
    m.insert("people_reached".into(), json!(people));
    m
}

/// Why `--by template` cannot run: the step is not the cadence's.
pub struct NotOnCadence(pub String);

/// One row per email template the step's emails in range were written from,
/// compared with the step's leader (see `metrics::breakdown::compare_templates`).
pub fn templates(
    cadence: &Cadence,
    funnel: &CadenceFunnel,
    step_id: u64,
    range: TimeRange,
) -> Result<Sheet, NotOnCadence> {
    let Some(step) = funnel.steps.iter().find(|s| s.id == step_id) else {
        return Err(NotOnCadence(format!(
            "step {step_id} is not a step of cadence {}; list them with `sltui report --by step --cadence {}`",
            cadence.id, cadence.id
        )));
    };
    let stats = funnel
        .templates
        .get(&step_id)
        .map(Vec::as_slice)
        .unwrap_or_default();
    let titles = &funnel.titles;
    let out = stats
        .iter()
        .map(|t| {
            let mut m = Map::new();
            m.insert("template_id".into(), json!(t.template_id));
            let name = t.template_id.and_then(|id| titles.get(&id).cloned());
            m.insert("template_name".into(), json!(name));
            m.insert("sent".into(), json!(t.engagement.sent));
            m.insert("delivered".into(), json!(t.engagement.delivered));
            m.insert("replied".into(), json!(t.engagement.replied));
            m.insert("reply_rate".into(), json!(t.reply_rate));
            m.insert(
                "reply_rate_ci".into(),
                json!(t.reply_rate_ci.map(|(lo, hi)| [lo, hi])),
            );
            m.insert("leader".into(), json!(t.leader));
            m.insert("p_value".into(), json!(t.p_value));
            m.insert("p_better".into(), json!(t.p_better));
            m.insert("always_valid_p".into(), json!(t.always_valid_p));
            m.insert("verdict".into(), json!(t.verdict.as_str()));
            m
        })
        .collect();
    let step_name = step.name.clone().unwrap_or_default();
    Ok(Sheet {
        title: format!(
            "Templates of step {step_id} ({step_name}) of cadence {}, {range}; p against the leader (*)",
            cadence.id
        ),
        columns: vec![
            col("template_id", "TEMPLATE", Kind::Count),
            col("template_name", "NAME", Kind::Text),
            col("leader", "", Kind::Flag("*")),
            col("sent", "SENT", Kind::Count),
            col("delivered", "DELIV", Kind::Count),
            col("replied", "REPLIED", Kind::Count),
            col("reply_rate", "REPLY", Kind::Rate),
            col("reply_rate_ci", "95% CI", Kind::Interval),
            col("p_value", "FISHER P", Kind::Prob),
            col("p_better", "P(BETTER)", Kind::Prob),
            col("always_valid_p", "SEQ P", Kind::Prob),
            col("verdict", "VERDICT", Kind::Text),
        ],
        rows: out,
        total: None,
        empty: "no emails sent from this step in range",
    })
}

/// Rows per (day or week, cadence) of the facts, dates ascending.
pub fn trends(
    facts: &[EmailFact],
    names: &BTreeMap<u64, String>,
    period: Period,
    range: TimeRange,
    now: DateTime<Utc>,
) -> Sheet {
    let rows = by_period(facts, period, range, now)
        .into_iter()
        .map(|((date, cadence), e)| {
            let mut m = Map::new();
            m.insert("date".into(), json!(date.format("%Y-%m-%d").to_string()));
            m.insert("cadence_id".into(), json!(cadence));
            m.insert("name".into(), json!(names.get(&cadence)));
            put_engagement(&mut m, &e);
            m
        })
        .collect();
    let mut columns = vec![
        col(
            "date",
            match period {
                Period::Day => "DAY",
                Period::Week => "WEEK OF",
            },
            Kind::Text,
        ),
        col("cadence_id", "ID", Kind::Count),
        col("name", "CADENCE", Kind::Text),
    ];
    columns.extend(ENGAGEMENT);
    Sheet {
        title: format!(
            "Engagement per {} (UTC), {range}",
            match period {
                Period::Day => "day",
                Period::Week => "week (Monday to Sunday)",
            }
        ),
        columns,
        rows,
        total: None,
        empty: "no emails sent in range",
    }
}
