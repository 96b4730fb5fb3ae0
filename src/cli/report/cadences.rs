//! Per-cadence rows: engagement read through the dashboard's own path (the
//! worker's cadence list and engagement loads, folded into the metrics
//! [`Aggregator`]), plus the cadence's outcomes (its `counts`) and its calls.

use std::collections::{BTreeMap, HashSet};

use chrono::{DateTime, Utc};
use serde_json::{Map, Value, json};

use super::render::{Column, ENGAGEMENT, Kind, Sheet, col, data, put_engagement};
use crate::api::models::{Cadence, Call};
use crate::cli::script::Session;
pub use crate::metrics::calls::{CallTally, tally_calls};
use crate::metrics::funnel::CadenceFunnel;
use crate::metrics::{Aggregator, EmailFact, Engagement, TimeRange};
use crate::worker::{Priority, Request, WorkerEvent};

/// The cadences to report, in the order asked (every cadence by id when none is).
pub fn choose<'a>(all: &'a [Cadence], wanted: &[u64]) -> Result<Vec<&'a Cadence>, String> {
    if wanted.is_empty() {
        let mut every: Vec<&Cadence> = all.iter().collect();
        every.sort_by_key(|c| c.id);
        return Ok(every);
    }
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    let mut unknown = Vec::new();
    for id in wanted {
        if !seen.insert(*id) {
            continue;
        }
        match all.iter().find(|c| c.id == *id) {
            Some(c) => out.push(c),
            None => unknown.push(id.to_string()),
        }
    }
    match unknown.as_slice() {
        [] => Ok(out),
        [one] => Err(format!("no cadence with id {one} on this team")),
        many => Err(format!(
            "no cadences with ids {} on this team",
            many.join(", ")
        )),
    }
}

/// Loads every chosen cadence's email facts in `range` through the worker (live
/// updates stay off); the worker's error in words when the load failed.
pub async fn load_facts(
    session: &mut Session,
    chosen: &[&Cadence],
    range: TimeRange,
) -> anyhow::Result<Result<Vec<EmailFact>, String>> {
    let ids: Vec<u64> = chosen.iter().map(|c| c.id).collect();
    let mut facts = Vec::new();
    let mut loaded: HashSet<u64> = HashSet::new();
    let total = ids.len();
    let interactive = session.interactive;
    let request = Request::Engagement {
        cadence_ids: ids.clone(),
        range,
    };
    let done = session
        .run(Priority::Visible, request, |event| match event {
            WorkerEvent::EmailFacts { facts: batch, .. } => facts.extend(batch),
            WorkerEvent::EngagementLoaded { cadence_id, .. } => {
                loaded.insert(cadence_id);
                if interactive {
                    eprint!("\rloading engagement: {}/{total} cadences", loaded.len());
                }
            }
            _ => {}
        })
        .await?;
    if interactive && total > 0 {
        eprintln!();
    }
    if let Err(reason) = done {
        return Ok(Err(reason));
    }
    if let Some(missing) = ids.iter().find(|id| !loaded.contains(id)) {
        return Ok(Err(format!(
            "the load ended before cadence {missing} was read"
        )));
    }
    Ok(Ok(facts))
}

/// The funnel of `cadence_id` over `range` through the worker (the dashboard's
/// detail reads the same): from the store when it covers it, else SalesLoft.
pub async fn load_funnel(
    session: &mut Session,
    cadence_id: u64,
    range: TimeRange,
) -> anyhow::Result<Result<CadenceFunnel, String>> {
    let mut out = None;
    let done = session
        .run(
            Priority::Visible,
            Request::Funnel { cadence_id, range },
            |event| {
                if let WorkerEvent::Funnel {
                    cadence_id,
                    range,
                    steps,
                    funnel,
                    templates,
                    titles,
                    ..
                } = event
                {
                    out = Some(CadenceFunnel {
                        cadence_id,
                        range,
                        steps,
                        rows: funnel,
                        templates,
                        titles,
                    });
                }
            },
        )
        .await?;
    Ok(done.and_then(|()| out.ok_or_else(|| "the worker gave no funnel".to_string())))
}

/// The team's calls made in `range` through the worker: from the store when
/// it covers them, else SalesLoft.
pub async fn load_calls(
    session: &mut Session,
    range: TimeRange,
) -> anyhow::Result<Result<Vec<Call>, String>> {
    let mut out = None;
    let done = session
        .run(Priority::Visible, Request::Calls { range }, |event| {
            if let WorkerEvent::Calls { calls, .. } = event {
                out = Some(calls);
            }
        })
        .await?;
    Ok(done.and_then(|()| out.ok_or_else(|| "the worker gave no calls".to_string())))
}

/// Engagement per cadence of `facts` in `range` (the aggregator's counts).
pub fn engagement_by_cadence(
    facts: Vec<EmailFact>,
    range: TimeRange,
    now: DateTime<Utc>,
) -> Aggregator {
    let mut agg = Aggregator::new(range, now);
    agg.reserve(facts.len());
    for f in facts {
        agg.upsert(f);
    }
    agg
}

/// One cadence's line of the report.
#[derive(Debug, Clone, PartialEq)]
pub struct Row<'a> {
    pub cadence: &'a Cadence,
    pub engagement: Engagement,
    pub calls: CallTally,
}

pub fn columns() -> Vec<Column> {
    let mut cols = vec![
        col("cadence_id", "ID", Kind::Count),
        col("name", "CADENCE", Kind::Text),
    ];
    cols.extend(ENGAGEMENT.iter().take(8).copied());
    cols.extend([
        col("meetings_booked", "MEET", Kind::Count),
        col("opportunities_created", "OPPS", Kind::Count),
        col("people_acted_on", "ACTED", Kind::Count),
        col("calls", "CALLS", Kind::Count),
        data("calls_by_disposition"),
        data("calls_by_sentiment"),
    ]);
    cols.extend(ENGAGEMENT.iter().skip(8).copied());
    cols
}

fn to_json(map: &BTreeMap<String, u64>) -> Value {
    Value::Object(map.iter().map(|(k, v)| (k.clone(), json!(v))).collect())
}

pub fn sheet(rows: &[Row<'_>], range: TimeRange) -> Sheet {
    let mut total = Engagement::default();
    let mut outcomes = [0u64; 4];
    let out: Vec<Map<String, Value>> = rows
        .iter()
        .map(|r| {
            total += r.engagement;
            let counts = &r.cadence.counts;
            let o = [
                counts.meetings_booked,
                counts.opportunities_created,
                counts.people_acted_on_count,
                r.calls.calls,
            ];
            for (t, v) in outcomes.iter_mut().zip(o) {
                *t += v;
            }
            let mut m = Map::new();
            m.insert("cadence_id".into(), json!(r.cadence.id));
            m.insert("name".into(), json!(r.cadence.name));
            put_engagement(&mut m, &r.engagement);
            m.insert("meetings_booked".into(), json!(o[0]));
            m.insert("opportunities_created".into(), json!(o[1]));
            m.insert("people_acted_on".into(), json!(o[2]));
            m.insert("calls".into(), json!(o[3]));
            m.insert(
                "calls_by_disposition".into(),
                to_json(&r.calls.by_disposition),
            );
            m.insert("calls_by_sentiment".into(), to_json(&r.calls.by_sentiment));
            m
        })
        .collect();
    let total = (rows.len() > 1).then(|| {
        let mut m = Map::new();
        m.insert("name".into(), json!("total"));
        put_engagement(&mut m, &total);
        for (k, v) in [
            "meetings_booked",
            "opportunities_created",
            "people_acted_on",
            "calls",
        ]
        .iter()
        .zip(outcomes)
        {
            m.insert(k.to_string(), json!(v));
        }
        m
    });
    Sheet {
        title: format!("Engagement and outcomes, {range}"),
        columns: columns(),
        rows: out,
        total,
        empty: "no cadences",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::args::ReportFormat;

    fn cadence(id: u64, name: &str) -> Cadence {
        serde_json::from_value(json!({
            "id": id, "created_at": "2024-01-01T00:00:00Z", "updated_at": "2024-01-01T00:00:00Z",
            "name": name,
            "counts": {"meetings_booked": 3, "opportunities_created": 1, "people_acted_on_count": 40}
        }))
        .unwrap()
    }

    fn some() -> Engagement {
        Engagement {
            sent: 10,
            delivered: 8,
            opened: 4,
            clicked: 2,
            replied: 1,
            bounced: 2,
            view_tracked: 8,
            click_tracked: 4,
        }
    }

    #[test]
    fn zero_denominators_are_null_empty_or_a_dash() {
        let (a, b) = (cadence(1, "Quiet, \"new\""), cadence(2, "Busy"));
        let rows = [
            Row {
                cadence: &a,
                engagement: Engagement::default(),
                calls: CallTally::default(),
            },
            Row {
                cadence: &b,
                engagement: some(),
                calls: CallTally {
                    calls: 2,
                    by_disposition: [("Connected".to_string(), 2)].into(),
                    by_sentiment: [("(none)".to_string(), 2)].into(),
                },
            },
        ];
        let s = sheet(&rows, TimeRange::All);
        let j: Value = serde_json::from_str(&s.print(ReportFormat::Json)).unwrap();
        assert_eq!(j[0]["open_rate"], Value::Null);
        assert_eq!(j[1]["open_rate"], json!(0.5));
        assert_eq!(
            j[1]["click_rate"],
            json!(0.5),
            "2 clicks of 4 click-tracked"
        );
        assert_eq!(j[1]["bounce_rate"], json!(0.2));
        assert_eq!(j[1]["meetings_booked"], json!(3));
        assert_eq!(j[1]["calls_by_disposition"], json!({"Connected": 2}));
        let c = s.csv();
        let lines: Vec<&str> = c.lines().collect();
        assert!(lines[0].starts_with("cadence_id,name,sent,delivered,opened"));
        assert!(
            lines[1].starts_with("1,\"Quiet, \"\"new\"\"\",0,0,0,0,0,0,0,0,3,1,40,0,{},{},,,,")
        );
        assert!(
            lines[2].contains(",\"{\"\"Connected\"\":2}\","),
            "{}",
            lines[2]
        );
        let t = s.table();
        assert!(!t.contains("NaN"));
        assert!(t.lines().nth(2).unwrap().ends_with('—'));
        assert!(t.contains("50.0%") && t.contains("20.0%"));
        let last = t.lines().last().unwrap();
        assert!(
            last.starts_with("    total") || last.contains("total"),
            "{t}"
        );
    }

    #[test]
    fn table_columns_line_up() {
        let (a, b) = (cadence(1, "A"), cadence(12345, "A much longer name"));
        let rows = [
            Row {
                cadence: &a,
                engagement: some(),
                calls: CallTally::default(),
            },
            Row {
                cadence: &b,
                engagement: some(),
                calls: CallTally::default(),
            },
        ];
        let t = sheet(&rows, TimeRange::Days(30)).table();
        let lines: Vec<&str> = t.lines().skip(1).collect();
        assert_eq!(lines.len(), 4, "header, two rows, total:\n{t}");
        let len = lines[0].chars().count();
        assert!(lines.iter().all(|l| l.chars().count() == len), "{t}");
        assert!(
            lines[3].contains("total") && lines[3].contains(" 20 "),
            "{t}"
        );
    }

    #[test]
    fn unknown_cadences_are_named() {
        let all = [cadence(3, "Three")];
        assert_eq!(choose(&all, &[3, 3]).unwrap().len(), 1);
        assert_eq!(
            choose(&all, &[3, 9]).unwrap_err(),
            "no cadence with id 9 on this team"
        );
    }

    #[test]
    fn calls_are_counted_per_cadence_disposition_and_sentiment() {
        let call = |cadence: Option<u64>, d: Option<&str>, s: Option<&str>| -> Call {
            serde_json::from_value(json!({
                "id": 1, "created_at": "2024-01-01T00:00:00Z", "updated_at": "2024-01-01T00:00:00Z",
                "cadence": cadence.map(|id| json!({"id": id})),
                "disposition": d, "sentiment": s
            }))
            .unwrap()
        };
        let t = tally_calls(
            &[
                call(Some(1), Some("Connected"), Some("Interested")),
                call(Some(1), Some("No Answer"), None),
                call(Some(2), None, None),
                call(None, Some("Connected"), None),
            ],
            TimeRange::All,
            Utc::now(),
        );
        assert_eq!(t.len(), 2, "calls outside cadences are not counted");
        assert_eq!(t[&1].calls, 2);
        assert_eq!(t[&1].by_sentiment["(none)"], 1);
        assert_eq!(t[&2].by_disposition["(none)"], 1);
    }
}
