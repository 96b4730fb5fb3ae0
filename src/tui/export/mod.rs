//! `x` writes the table in focus as it is on screen (filter, sort, time range)
//! to a CSV file: the cadences, the people found, a cadence's steps (the funnel)
//! or its people, a person's cadences, the Activity ranking, the alert rules;
//! `X` the template table of the step under the detail's cursor. Every row keeps
//! its ids so they can be typed into the CLI (`sltui report --cadence ID`,
//! `--step ID`, `sltui enroll --person ID`). Building the text reads the state
//! only; the loop writes the file (in the directory sltui was started from) and
//! says where.

mod cadences;
mod detail;
mod lists;

use chrono::{DateTime, Utc};

use super::state::{AppState, Level, View};

pub use cadences::cadences_csv;

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
    fn new(
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

/// The table in focus as CSV, or why there is none (a line for the status bar).
pub fn current(state: &AppState) -> Result<Csv, String> {
    match state.view {
        View::Cadences => cadences::table(state, state.clock.wall),
        View::People => lists::people(state),
        View::Person => lists::person(state),
        View::Activity => lists::activity(state),
        View::Alerts => lists::alerts(state),
        View::CadenceDetail => detail::focused(state),
    }
}

/// The template table of the step under the detail's cursor, or why not.
pub fn templates(state: &AppState) -> Result<Csv, String> {
    detail::templates(state)
}

/// Writes an export into `dir`; the message to show.
pub fn save(dir: &std::path::Path, file_name: &str, contents: &str, what: &str) -> (Level, String) {
    let path = dir.join(file_name);
    match std::fs::write(&path, contents) {
        Ok(()) => (
            Level::Info,
            format!("exported {what} to {}", path.display()),
        ),
        Err(e) => (
            Level::Error,
            format!(
                "could not write {} ({e}); start sltui from a directory you can write to",
                path.display()
            ),
        ),
    }
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

    #[test]
    fn a_write_that_fails_says_what_to_do() {
        let dir = tempfile::tempdir().unwrap();
        let (level, text) = save(dir.path(), "a.csv", "x\n", "2 cadences");
        assert_eq!(level, Level::Info);
        assert!(text.starts_with("exported 2 cadences to "), "{text}");
        assert_eq!(
            std::fs::read_to_string(dir.path().join("a.csv")).unwrap(),
            "x\n"
        );
        let (level, text) = save(&dir.path().join("missing"), "a.csv", "x\n", "2 cadences");
        assert_eq!(level, Level::Error);
        assert!(
            text.contains("start sltui from a directory you can write to"),
            "{text}"
        );
    }
}
