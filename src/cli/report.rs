//! `sltui report`: per-cadence engagement, read through the dashboard's own path
//! (the worker's cadence list and engagement loads, folded into the metrics
//! [`Aggregator`]), printed as a table, CSV or JSON.

use std::collections::HashSet;
use std::fmt::Write as _;

use chrono::Utc;
use serde_json::{Value, json};

use super::script::{Session, USAGE};
use super::{GlobalOpts, ReportArgs, ReportFormat};
use crate::api::models::Cadence;
use crate::metrics::{Aggregator, Engagement, TimeRange, format_rate};
use crate::worker::{Priority, Request, WorkerEvent};

/// One cadence's line of the report.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub cadence_id: u64,
    pub name: String,
    pub engagement: Engagement,
}

pub async fn run(global: &GlobalOpts, args: ReportArgs) -> anyhow::Result<i32> {
    let mut session = Session::connect(global)?;
    let cadences = session.cadences().await?;
    let chosen = match choose(&cadences, &args.cadences) {
        Ok(chosen) => chosen,
        Err(message) => {
            eprintln!("sltui: {message}");
            return Ok(USAGE);
        }
    };
    let range = args.days.map_or(TimeRange::All, TimeRange::Days);
    let rows = match load(&mut session, &chosen, range).await? {
        Ok(rows) => rows,
        Err(reason) => {
            eprintln!("sltui: could not read the engagement: {reason}");
            return Ok(1);
        }
    };
    let out = match args.format {
        ReportFormat::Table => table(&rows, range),
        ReportFormat::Csv => csv(&rows),
        ReportFormat::Json => {
            let mut s = serde_json::to_string_pretty(&json(&rows))?;
            s.push('\n');
            s
        }
    };
    print!("{out}");
    Ok(0)
}

/// The cadences to report, in the order asked (every cadence by id when none is).
fn choose<'a>(all: &'a [Cadence], wanted: &[u64]) -> Result<Vec<&'a Cadence>, String> {
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

/// Loads every chosen cadence's emails in `range` (live updates stay off) and
/// folds them; the worker's error in words when the load failed.
async fn load(
    session: &mut Session,
    chosen: &[&Cadence],
    range: TimeRange,
) -> anyhow::Result<Result<Vec<Row>, String>> {
    // Taken before the request, so the window is never narrower than the read.
    let mut agg = Aggregator::new(range, Utc::now());
    let ids: Vec<u64> = chosen.iter().map(|c| c.id).collect();
    let mut loaded: HashSet<u64> = HashSet::new();
    let total = ids.len();
    let interactive = session.interactive;
    let request = Request::Engagement {
        cadence_ids: ids.clone(),
        range,
    };
    let done = session
        .run(Priority::Visible, request, |event| match event {
            WorkerEvent::EmailFacts { facts, .. } => {
                for fact in facts {
                    agg.upsert(fact);
                }
            }
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
    Ok(Ok(chosen
        .iter()
        .map(|c| Row {
            cadence_id: c.id,
            name: c.name.clone(),
            engagement: agg.by_cadence(c.id),
        })
        .collect()))
}

/// A JSON array of objects; rates as fractions, `null` when undefined.
pub fn json(rows: &[Row]) -> Value {
    Value::Array(
        rows.iter()
            .map(|r| {
                let e = r.engagement;
                let rates = e.rates();
                json!({
                    "cadence_id": r.cadence_id,
                    "name": r.name,
                    "sent": e.sent,
                    "delivered": e.delivered,
                    "opened": e.opened,
                    "clicked": e.clicked,
                    "replied": e.replied,
                    "bounced": e.bounced,
                    "view_tracked": e.view_tracked,
                    "click_tracked": e.click_tracked,
                    "open_rate": rates.open,
                    "click_rate": rates.click,
                    "reply_rate": rates.reply,
                    "bounce_rate": rates.bounce,
                })
            })
            .collect(),
    )
}

const CSV_HEADER: &str = "cadence_id,name,sent,delivered,opened,clicked,replied,bounced,\
                          open_rate,click_rate,reply_rate,bounce_rate";

/// A header and one row per cadence; rates as fractions, empty when undefined.
pub fn csv(rows: &[Row]) -> String {
    let mut out = format!("{CSV_HEADER}\n");
    for r in rows {
        let e = r.engagement;
        let rates = e.rates();
        let rate = |x: Option<f64>| x.map(|v| v.to_string()).unwrap_or_default();
        let _ = writeln!(
            out,
            "{},{},{},{},{},{},{},{},{},{},{},{}",
            r.cadence_id,
            csv_field(&r.name),
            e.sent,
            e.delivered,
            e.opened,
            e.clicked,
            e.replied,
            e.bounced,
            rate(rates.open),
            rate(rates.click),
            rate(rates.reply),
            rate(rates.bounce),
        );
    }
    out
}

/// Quotes a field when it holds a comma, a quote or a line break (RFC 4180).
fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// Names longer than this are cut in the table.
const NAME_WIDTH: usize = 40;

/// Aligned columns with percentages ("—" when undefined) and a total line.
pub fn table(rows: &[Row], range: TimeRange) -> String {
    let head = [
        "ID", "CADENCE", "SENT", "DELIV", "OPENED", "CLICKED", "REPLIED", "BOUNCED", "OPEN",
        "CLICK", "REPLY", "BOUNCE",
    ];
    let line = |id: String, name: String, e: &Engagement| -> Vec<String> {
        let r = e.rates();
        vec![
            id,
            name,
            e.sent.to_string(),
            e.delivered.to_string(),
            e.opened.to_string(),
            e.clicked.to_string(),
            e.replied.to_string(),
            e.bounced.to_string(),
            format_rate(r.open),
            format_rate(r.click),
            format_rate(r.reply),
            format_rate(r.bounce),
        ]
    };
    let mut cells: Vec<Vec<String>> = vec![head.iter().map(|h| h.to_string()).collect()];
    let mut total = Engagement::default();
    for r in rows {
        total += r.engagement;
        cells.push(line(r.cadence_id.to_string(), cut(&r.name), &r.engagement));
    }
    if rows.len() > 1 {
        cells.push(line(String::new(), "total".into(), &total));
    }
    let widths: Vec<usize> = (0..head.len())
        .map(|i| {
            cells
                .iter()
                .map(|row| row[i].chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut out = format!("Engagement, {range}\n");
    for row in &cells {
        let mut text = String::new();
        for (i, cell) in row.iter().enumerate() {
            let pad = " ".repeat(widths[i] - cell.chars().count());
            let sep = if i == 0 { "" } else { "  " };
            // The name is left-aligned, numbers right-aligned.
            if i == 1 {
                let _ = write!(text, "{sep}{cell}{pad}");
            } else {
                let _ = write!(text, "{sep}{pad}{cell}");
            }
        }
        out.push_str(text.trim_end());
        out.push('\n');
    }
    if rows.is_empty() {
        out.push_str("(no cadences)\n");
    }
    out
}

fn cut(name: &str) -> String {
    if name.chars().count() <= NAME_WIDTH {
        name.to_string()
    } else {
        let mut s: String = name.chars().take(NAME_WIDTH - 1).collect();
        s.push('…');
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(id: u64, name: &str, e: Engagement) -> Row {
        Row {
            cadence_id: id,
            name: name.into(),
            engagement: e,
        }
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
            click_tracked: 8,
        }
    }

    #[test]
    fn zero_denominators_are_null_empty_or_a_dash() {
        let rows = [
            row(1, "Quiet, \"new\"", Engagement::default()),
            row(2, "Busy", some()),
        ];
        let j = json(&rows);
        assert_eq!(j[0]["open_rate"], Value::Null);
        assert_eq!(j[0]["bounce_rate"], Value::Null);
        assert_eq!(j[1]["open_rate"], json!(0.5));
        assert_eq!(j[1]["bounce_rate"], json!(0.2));
        let c = csv(&rows);
        let lines: Vec<&str> = c.lines().collect();
        assert_eq!(lines[0], CSV_HEADER);
        assert_eq!(lines[1], "1,\"Quiet, \"\"new\"\"\",0,0,0,0,0,0,,,,");
        assert_eq!(lines[2], "2,Busy,10,8,4,2,1,2,0.5,0.25,0.125,0.2");
        let t = table(&rows, TimeRange::All);
        assert!(!t.contains("NaN"));
        assert!(t.lines().nth(2).unwrap().contains('—'));
        assert!(t.contains("50.0%") && t.contains("20.0%"));
    }

    #[test]
    fn table_columns_line_up() {
        let rows = [
            row(1, "A", some()),
            row(12345, "A much longer name", some()),
        ];
        let t = table(&rows, TimeRange::Days(30));
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
        let c: Cadence = serde_json::from_value(json!({
            "id": 3, "created_at": "2024-01-01T00:00:00Z", "updated_at": "2024-01-01T00:00:00Z",
            "name": "Three"
        }))
        .unwrap();
        let all = [c];
        assert_eq!(choose(&all, &[3, 3]).unwrap().len(), 1);
        assert_eq!(
            choose(&all, &[3, 9]).unwrap_err(),
            "no cadence with id 9 on this team"
        );
    }
}
