//! `x` writes the cadences table as it is on screen (filter, state filter, sort,
//! time range) to a CSV file: one row per cadence shown, with its id so the rows
//! can be typed into `sltui report --cadence ID`. `update` builds the text; the
//! loop writes the file (in the directory sltui was started from) and says where.

use chrono::{DateTime, Utc};

use super::cadence_list::team_label;
use super::msg::Effect;
use super::state::{AppState, Level, View};

/// The header row; the counts and rates follow the README's definitions.
const HEADER: [&str; 20] = [
    "cadence_id",
    "name",
    "state",
    "team_or_personal",
    "people",
    "range",
    "sent",
    "delivered",
    "opened",
    "clicked",
    "replied",
    "bounced",
    "view_tracked",
    "click_tracked",
    "open_rate",
    "click_rate",
    "reply_rate",
    "bounce_rate",
    "counted",
    "exported_at",
];

/// A CSV field: quoted when it holds a comma, a quote or a line break (quotes
/// doubled), as RFC 4180 has it.
fn field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

fn rate(r: Option<f64>) -> String {
    r.map_or_else(String::new, |v| format!("{v:.4}"))
}

/// The file name: the table and the time, so exports never overwrite each other.
pub fn file_name(at: DateTime<Utc>) -> String {
    format!("sltui-cadences-{}.csv", at.format("%Y%m%d-%H%M%S"))
}

/// The cadences table as CSV text and its row count. A cadence whose numbers
/// were not read for the range (a `?` on screen) has empty counts and
/// `counted` false, never zeros.
pub fn cadences_csv(state: &AppState, at: DateTime<Utc>) -> (String, usize) {
    let list = &state.cadences;
    let m = &state.metrics;
    let range = m.range.to_string();
    let stamp = at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let mut out = HEADER.join(",");
    out.push('\n');
    for &i in &list.rows {
        let c = &list.cadences[i];
        let known = state.engagement_known(c.id) && !state.engagement_pending(c.id);
        let e = m.agg.by_cadence(c.id);
        let r = e.rates();
        let mut cells = vec![
            c.id.to_string(),
            field(&c.name),
            c.state().as_str().to_string(),
            team_label(c).to_string(),
            c.counts
                .cadence_people
                .map_or_else(String::new, |n| n.to_string()),
            field(&range),
        ];
        if known {
            cells.extend(
                [
                    e.sent,
                    e.delivered,
                    e.opened,
                    e.clicked,
                    e.replied,
                    e.bounced,
                    e.view_tracked,
                    e.click_tracked,
                ]
                .map(|n| n.to_string()),
            );
            cells.extend([r.open, r.click, r.reply, r.bounce].map(rate));
        } else {
            cells.extend(std::iter::repeat_n(String::new(), 12));
        }
        cells.push(known.to_string());
        cells.push(stamp.clone());
        out.push_str(&cells.join(","));
        out.push('\n');
    }
    (out, list.rows.len())
}

/// The export key: the cadences table to a file, or why not.
pub fn export(state: &mut AppState, fx: &mut Vec<Effect>) {
    if state.view != View::Cadences {
        state.say(
            Level::Info,
            "x exports the cadences table (1) as CSV; `sltui report --format csv` exports the rest",
        );
        return;
    }
    if state.cadences.rows.is_empty() {
        state.say(Level::Info, "no cadences on screen to export");
        return;
    }
    let at = state.clock.wall;
    let (contents, rows) = cadences_csv(state, at);
    fx.push(Effect::Save {
        file_name: file_name(at),
        contents,
        what: if rows == 1 {
            "1 cadence".to_string()
        } else {
            format!("{rows} cadences")
        },
    });
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
