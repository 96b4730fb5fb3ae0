//! One exported table as CSV text, and the cells every export is made of
//! (RFC 4180 fields, rates, optional numbers, an engagement's counts and rates).

use chrono::{DateTime, Utc};

/// One table as CSV text, ready to be written.
#[derive(Debug, Clone, PartialEq)]
pub struct Csv {
    /// The table's name in the file name: `sltui-{table}-YYYYMMDD-HHMMSS.csv`.
    pub table: &'static str,
    pub contents: String,
    /// "40 cadences", "1 step".
    pub what: String,
}

impl Csv {
    /// A table from its header and rows (cells already CSV fields).
    pub(super) fn new(
        table: &'static str,
        header: &[&str],
        rows: Vec<Vec<String>>,
        one: &str,
        many: &str,
    ) -> Csv {
        let mut contents = header.join(",");
        contents.push('\n');
        for r in &rows {
            contents.push_str(&r.join(","));
            contents.push('\n');
        }
        let what = match rows.len() {
            1 => format!("1 {one}"),
            n => format!("{n} {many}"),
        };
        Csv {
            table,
            contents,
            what,
        }
    }

    /// The file name: the table and the time, so exports never overwrite each other.
    pub fn file_name(&self, at: DateTime<Utc>) -> String {
        format!("sltui-{}-{}.csv", self.table, at.format("%Y%m%d-%H%M%S"))
    }
}

/// A CSV field: quoted when it holds a comma, a quote or a line break (quotes
/// doubled), as RFC 4180 has it.
pub(crate) fn field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// A rate or fraction to four places; empty when undefined.
pub(crate) fn rate(r: Option<f64>) -> String {
    r.map_or_else(String::new, |v| format!("{v:.4}"))
}

/// An engagement as CSV cells: sent, delivered, opened, clicked, replied,
/// bounced (then the tracked denominators when `tracked`), and the open, click,
/// reply and bounce rates.
pub(crate) fn engagement_cells(e: &crate::metrics::Engagement, tracked: bool) -> Vec<String> {
    let mut counts = vec![
        e.sent,
        e.delivered,
        e.opened,
        e.clicked,
        e.replied,
        e.bounced,
    ];
    if tracked {
        counts.extend([e.view_tracked, e.click_tracked]);
    }
    let r = e.rates();
    let mut cells: Vec<String> = counts.iter().map(u64::to_string).collect();
    cells.extend([r.open, r.click, r.reply, r.bounce].map(rate));
    cells
}

/// An optional number; empty when absent.
pub(crate) fn opt<T: ToString>(v: Option<T>) -> String {
    v.map_or_else(String::new, |v| v.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_quoted_only_when_needed() {
        assert_eq!(field("Q3 Outbound"), "Q3 Outbound");
        assert_eq!(field("Win-back, EMEA"), "\"Win-back, EMEA\"");
        assert_eq!(field("the \"best\" one"), "\"the \"\"best\"\" one\"");
        assert_eq!(field("two\nlines"), "\"two\nlines\"");
        assert_eq!(rate(None), "");
        assert_eq!(rate(Some(0.25)), "0.2500");
    }
}
