//! The cadences table as CSV: one row per cadence shown, then the screen's
//! totals row.

use chrono::{DateTime, Utc};

use super::super::cadence_list::team_label;
use super::super::state::AppState;
use super::csv::{Csv, engagement_cells, field, opt};

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

/// The cadences table as CSV text and its count of cadences (the totals row,
/// last, is not one). A cadence whose numbers
/// were not read for the range (a `?` on screen) has empty counts and
/// `counted` false, never zeros.
pub fn cadences_csv(state: &AppState, at: DateTime<Utc>) -> (String, usize) {
    let list = &state.cadences.list;
    let m = &state.metrics;
    let range = m.range.to_string();
    let stamp = at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let mut out = HEADER.join(",");
    out.push('\n');
    for &i in &list.rows {
        let c = &list.cadences[i];
        let known = state.engagement_known(c.id) && !state.engagement_pending(c.id);
        let mut cells = vec![
            c.id.to_string(),
            field(&c.name),
            c.state().as_str().to_string(),
            team_label(c).to_string(),
            opt(c.counts.cadence_people),
            field(&range),
        ];
        if known {
            cells.extend(engagement_cells(&m.agg.by_cadence(c.id), true));
        } else {
            cells.extend(std::iter::repeat_n(String::new(), 12));
        }
        cells.push(known.to_string());
        cells.push(stamp.clone());
        out.push_str(&cells.join(","));
        out.push('\n');
    }
    out.push_str(&total_row(state, &range, &stamp).join(","));
    out.push('\n');
    (out, list.rows.len())
}

/// The screen's totals row, last, its `cadence_id` cell `total` (a filter on
/// that column drops it before sorting or summing): the cadences shown, their
/// people, their emails counted together and the rates over those sums. Empty
/// numbers and `counted` false when one shown cadence was not read for the
/// range, as the screen's `?`.
fn total_row(state: &AppState, range: &str, stamp: &str) -> Vec<String> {
    let list = &state.cadences.list;
    let shown = || list.rows.iter().map(|&i| &list.cadences[i]);
    let known = shown().all(|c| state.engagement_known(c.id) && !state.engagement_pending(c.id));
    let mut e = crate::metrics::Engagement::default();
    for c in shown() {
        e += state.metrics.agg.by_cadence(c.id);
    }
    let mut cells = vec![
        "total".to_string(),
        field(&format!("Total ({} shown)", list.rows.len())),
        String::new(),
        String::new(),
        shown()
            .filter_map(|c| c.counts.cadence_people)
            .sum::<u64>()
            .to_string(),
        field(range),
    ];
    if known {
        cells.extend(engagement_cells(&e, true));
    } else {
        cells.extend(std::iter::repeat_n(String::new(), 12));
    }
    cells.push(known.to_string());
    cells.push(stamp.to_string());
    cells
}

/// The cadences table, or why there is nothing to export.
pub(super) fn table(state: &AppState, at: DateTime<Utc>) -> Result<Csv, String> {
    if state.cadences.list.rows.is_empty() {
        return Err("no cadences on screen to export".into());
    }
    let (contents, rows) = cadences_csv(state, at);
    Ok(Csv {
        table: "cadences",
        contents,
        what: if rows == 1 {
            "1 cadence".to_string()
        } else {
            format!("{rows} cadences")
        },
    })
}
