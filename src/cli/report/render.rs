//! One way to print every report: rows of named JSON values, shown as an
//! aligned table (rates as percentages, "—" when undefined), CSV (rates as
//! fractions, empty when undefined, objects as JSON text) or a JSON array.

use std::fmt::Write as _;

use serde_json::{Map, Value, json};

use crate::cli::args::ReportFormat;
use crate::metrics::{Engagement, format_rate};

/// How a column's values read in the table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Left-aligned text (names are cut to 40 characters).
    Text,
    /// A right-aligned number.
    Count,
    /// A fraction shown as a percentage.
    Rate,
    /// `[low, high]` fractions shown as percentages.
    Interval,
    /// A p-value or probability, three decimals.
    Prob,
    /// `true` shows as a marker.
    Flag(&'static str),
}

#[derive(Debug, Clone, Copy)]
pub struct Column {
    pub key: &'static str,
    /// The table header; `None` leaves the column out of the table.
    pub head: Option<&'static str>,
    pub kind: Kind,
}

pub const fn col(key: &'static str, head: &'static str, kind: Kind) -> Column {
    Column {
        key,
        head: Some(head),
        kind,
    }
}

/// A column only in CSV and JSON.
pub const fn data(key: &'static str) -> Column {
    Column {
        key,
        head: None,
        kind: Kind::Count,
    }
}

/// The counts of [`Engagement`] and its rates, in report order.
pub const ENGAGEMENT: [Column; 12] = [
    col("sent", "SENT", Kind::Count),
    col("delivered", "DELIV", Kind::Count),
    col("opened", "OPENED", Kind::Count),
    col("clicked", "CLICKED", Kind::Count),
    col("replied", "REPLIED", Kind::Count),
    col("bounced", "BOUNCED", Kind::Count),
    data("view_tracked"),
    data("click_tracked"),
    col("open_rate", "OPEN", Kind::Rate),
    col("click_rate", "CLICK", Kind::Rate),
    col("reply_rate", "REPLY", Kind::Rate),
    col("bounce_rate", "BOUNCE", Kind::Rate),
];

/// Writes an engagement's counts and rates into `row`.
pub fn put_engagement(row: &mut Map<String, Value>, e: &Engagement) {
    let r = e.rates();
    for (k, v) in [
        ("sent", json!(e.sent)),
        ("delivered", json!(e.delivered)),
        ("opened", json!(e.opened)),
        ("clicked", json!(e.clicked)),
        ("replied", json!(e.replied)),
        ("bounced", json!(e.bounced)),
        ("view_tracked", json!(e.view_tracked)),
        ("click_tracked", json!(e.click_tracked)),
        ("open_rate", json!(r.open)),
        ("click_rate", json!(r.click)),
        ("reply_rate", json!(r.reply)),
        ("bounce_rate", json!(r.bounce)),
    ] {
        row.insert(k.to_string(), v);
    }
}

/// A printable report.
pub struct Sheet {
    pub title: String,
    pub columns: Vec<Column>,
    pub rows: Vec<Map<String, Value>>,
    /// A last table line (not in CSV or JSON), e.g. the total.
    pub total: Option<Map<String, Value>>,
    /// Said in the table when there are no rows.
    pub empty: &'static str,
}

impl Sheet {
    pub fn print(&self, format: ReportFormat) -> String {
        match format {
            ReportFormat::Table => self.table(),
            ReportFormat::Csv => self.csv(),
            ReportFormat::Json => {
                let rows: Vec<Value> = self.rows.iter().cloned().map(Value::Object).collect();
                let mut s = serde_json::to_string_pretty(&Value::Array(rows)).unwrap_or_default();
                s.push('\n');
                s
            }
        }
    }

    pub fn csv(&self) -> String {
        let head: Vec<&str> = self.columns.iter().map(|c| c.key).collect();
        let mut out = head.join(",");
        out.push('\n');
        for row in &self.rows {
            let cells: Vec<String> = self
                .columns
                .iter()
                .map(|c| csv_cell(row.get(c.key).unwrap_or(&Value::Null)))
                .collect();
            out.push_str(&cells.join(","));
            out.push('\n');
        }
        out
    }

    pub fn table(&self) -> String {
        let shown: Vec<&Column> = self.columns.iter().filter(|c| c.head.is_some()).collect();
        let mut cells: Vec<Vec<String>> = vec![
            shown
                .iter()
                .map(|c| c.head.unwrap_or("").to_string())
                .collect(),
        ];
        for row in self.rows.iter().chain(self.total.iter()) {
            cells.push(
                shown
                    .iter()
                    .map(|c| table_cell(c.kind, row.get(c.key).unwrap_or(&Value::Null)))
                    .collect(),
            );
        }
        let widths: Vec<usize> = (0..shown.len())
            .map(|i| {
                cells
                    .iter()
                    .map(|r| r[i].chars().count())
                    .max()
                    .unwrap_or(0)
            })
            .collect();
        let mut out = format!("{}\n", self.title);
        for row in &cells {
            let mut text = String::new();
            for (i, cell) in row.iter().enumerate() {
                let pad = " ".repeat(widths[i] - cell.chars().count());
                let sep = if i == 0 { "" } else { "  " };
                if matches!(shown[i].kind, Kind::Text | Kind::Flag(_)) {
                    let _ = write!(text, "{sep}{cell}{pad}");
                } else {
                    let _ = write!(text, "{sep}{pad}{cell}");
                }
            }
            out.push_str(text.trim_end());
            out.push('\n');
        }
        if self.rows.is_empty() {
            let _ = writeln!(out, "({})", self.empty);
        }
        out
    }
}

fn csv_cell(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::String(s) => csv_field(s),
        Value::Number(n) => n.to_string(),
        Value::Bool(b) => b.to_string(),
        other => csv_field(&other.to_string()),
    }
}

/// Quotes a field when it holds a comma, a quote or a line break (RFC 4180).
pub fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// Names longer than this are cut in the table.
const NAME_WIDTH: usize = 40;

fn table_cell(kind: Kind, v: &Value) -> String {
    match kind {
        Kind::Rate => format_rate(v.as_f64()),
        Kind::Prob => v.as_f64().map_or("—".into(), |p| format!("{p:.3}")),
        Kind::Interval => match v.as_array().map(|a| (a[0].as_f64(), a[1].as_f64())) {
            Some((Some(lo), Some(hi))) => {
                format!("{}–{}", format_rate(Some(lo)), format_rate(Some(hi)))
            }
            _ => "—".into(),
        },
        Kind::Flag(mark) => {
            if v.as_bool() == Some(true) {
                mark.to_string()
            } else {
                String::new()
            }
        }
        Kind::Count | Kind::Text => match v {
            Value::Null => String::new(),
            Value::String(s) => cut(s),
            other => other.to_string(),
        },
    }
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
