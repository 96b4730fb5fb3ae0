//! Saved views (`[[views]]` in config.toml): a view read off the screen as it
//! is (the cadences table, the people search or a cadence's detail), and a
//! cadences view's settings in the table's own terms. Pure; `update` applies and
//! saves them. What the dashboard holds of them is in `saved_held`.

use crate::config::views::{SavedView, VIEW_COLUMNS, VIEW_SORTS, VIEW_STATES, ViewTable};
use crate::metrics::TimeRange;

use super::cadence_list::{CadenceList, Sort, SortColumn, StateFilter};
use super::state::{AppState, View};

/// What the dashboard holds of them (`saved_held`), here too for the update and
/// the popups that take it from here.
pub use super::saved_held::{SavePrompt, SavedViews};

/// Index of the id among [`VIEW_COLUMNS`] (the table's id column).
const ID: usize = 9;

/// A view's settings in the cadences table's terms.
#[derive(Debug, Clone, PartialEq)]
pub struct ViewSettings {
    pub filter: String,
    pub state: StateFilter,
    pub sort: Sort,
    pub range: Option<TimeRange>,
    pub show_ids: bool,
    /// Columns left out (indices of the table's columns; never the name).
    pub hidden: Vec<usize>,
}

pub fn settings(v: &SavedView) -> ViewSettings {
    let state = [
        StateFilter::All,
        StateFilter::Active,
        StateFilter::Draft,
        StateFilter::Archived,
    ][VIEW_STATES.iter().position(|s| *s == v.state).unwrap_or(0)];
    let sort = match &v.sort {
        Some((name, descending)) => {
            let column = SortColumn::ALL[VIEW_SORTS.iter().position(|s| s == name).unwrap_or(0)];
            Sort {
                column,
                descending: descending.unwrap_or(column.default_descending()),
            }
        }
        None => Sort::default(),
    };
    let (show_ids, hidden) = match &v.columns {
        Some(cols) => (
            cols.iter().any(|c| c == VIEW_COLUMNS[ID]),
            (1..ID)
                .filter(|&i| !cols.iter().any(|c| c == VIEW_COLUMNS[i]))
                .collect(),
        ),
        None => (false, Vec::new()),
    };
    ViewSettings {
        filter: v.filter.clone(),
        state,
        sort,
        range: v.range_days.map(TimeRange::from_days),
        show_ids,
        hidden,
    }
}

/// The cadences table as it is now, as a view named `name`.
pub fn from_table(name: &str, list: &CadenceList, range: TimeRange) -> SavedView {
    let sort = (list.sort != Sort::default()).then(|| {
        let i = SortColumn::ALL
            .iter()
            .position(|c| *c == list.sort.column)
            .unwrap_or(0);
        (VIEW_SORTS[i].to_string(), Some(list.sort.descending))
    });
    let columns = (list.show_ids || !list.hidden.is_empty()).then(|| {
        let mut v: Vec<String> = Vec::new();
        if list.show_ids {
            v.push(VIEW_COLUMNS[ID].to_string());
        }
        v.extend(
            (0..ID)
                .filter(|i| !list.hidden.contains(i))
                .map(|i| VIEW_COLUMNS[i].to_string()),
        );
        v
    });
    SavedView {
        name: name.trim().to_string(),
        filter: list.filter.value().to_string(),
        state: list.state_filter.label().to_string(),
        sort,
        range_days: Some(range_days(range)),
        columns,
        ..SavedView::default()
    }
}

fn range_days(range: TimeRange) -> u32 {
    match range {
        TimeRange::Days(n) => n,
        TimeRange::All => 0,
    }
}

/// What the save key saves in the view on screen, named `name`: the cadences
/// table, the people search (its query and id column) or the cadence's detail
/// (the cadence, the range and the chart box). `None`: a view with nothing to
/// save (Activity, Alerts, a person's page).
pub fn from_screen(name: &str, state: &AppState) -> Option<SavedView> {
    let name = name.trim().to_string();
    match state.view {
        View::Cadences => Some(from_table(&name, &state.cadences.list, state.metrics.range)),
        View::People => Some(SavedView {
            name,
            table: ViewTable::People,
            state: VIEW_STATES[0].to_string(),
            query: state.people.search.query.value().to_string(),
            ids: state.people.search.show_ids,
            ..SavedView::default()
        }),
        View::CadenceDetail => Some(SavedView {
            name,
            table: ViewTable::Detail,
            state: VIEW_STATES[0].to_string(),
            cadence: Some(state.cadences.detail.as_ref()?.cadence_id),
            range_days: Some(range_days(state.metrics.range)),
            chart: Some(state.analytics.trends.mode.label().to_string()),
            ..SavedView::default()
        }),
        View::Person | View::Activity | View::Alerts => None,
    }
}

/// One line for the palette: "is:team q3 · active · reply rate ▼ · 7d · 4
/// columns", "people \"cfo\" · ids", "cadence 25623 Q3 Outbound · 90d · weekly
/// chart" (`name_of` names a cadence by its id).
pub fn summary(v: &SavedView, name_of: impl Fn(u64) -> Option<String>) -> String {
    match v.table {
        ViewTable::Cadences => {}
        ViewTable::People => {
            let mut out = if v.query.is_empty() {
                "people: the whole list".to_string()
            } else {
                format!("people \"{}\"", v.query)
            };
            if v.ids {
                out.push_str(" · ids");
            }
            return out;
        }
        ViewTable::Detail => {
            let id = v.cadence.unwrap_or_default();
            let mut parts = vec![match name_of(id) {
                Some(n) => format!("cadence {id} {n}"),
                None => format!("cadence {id}"),
            }];
            if let Some(days) = v.range_days {
                parts.push(TimeRange::from_days(days).label());
            }
            if let Some(chart) = &v.chart {
                parts.push(format!("{chart} chart"));
            }
            return parts.join(" · ");
        }
    }
    let s = settings(v);
    let mut parts = Vec::new();
    if !v.filter.is_empty() {
        parts.push(format!("\"{}\"", v.filter));
    }
    if s.state != StateFilter::All {
        parts.push(s.state.label().to_string());
    }
    if v.sort.is_some() {
        let arrow = if s.sort.descending { '▼' } else { '▲' };
        parts.push(format!("{} {arrow}", s.sort.column.label()));
    }
    if let Some(r) = s.range {
        parts.push(r.label());
    }
    if let Some(cols) = &v.columns {
        parts.push(format!("{} columns", cols.len()));
    }
    if parts.is_empty() {
        "every cadence, by name".to_string()
    } else {
        parts.join(" · ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_table_saved_as_a_view_comes_back_with_the_same_settings() {
        let mut list = CadenceList::default();
        list.filter.insert_str("is:team q3");
        list.state_filter = StateFilter::Active;
        list.sort = Sort {
            column: SortColumn::Reply,
            descending: false,
        };
        list.show_ids = true;
        list.hidden = vec![2, 3, 8];
        let v = from_table(" EMEA ", &list, TimeRange::Days(7));
        assert_eq!(v.name, "EMEA");
        assert_eq!(v.sort, Some(("reply".into(), Some(false))));
        assert_eq!(
            v.columns.as_deref().unwrap(),
            ["id", "name", "state", "sent", "open", "click", "reply"]
        );
        let s = settings(&v);
        assert_eq!(
            s,
            ViewSettings {
                filter: "is:team q3".into(),
                state: StateFilter::Active,
                sort: list.sort,
                range: Some(TimeRange::Days(7)),
                show_ids: true,
                hidden: vec![2, 3, 8],
            }
        );
        assert_eq!(
            summary(&v, |_| None),
            "\"is:team q3\" · active · reply rate ▲ · 7d · 7 columns"
        );
        // The table as it starts is the plain view: no sort, no columns.
        let plain = from_table("all", &CadenceList::default(), TimeRange::All);
        assert_eq!(
            (plain.sort, plain.columns, plain.range_days),
            (None, None, Some(0))
        );
    }
}
