//! The cadences table: name, state, team/personal, people, sent and the four rates
//! over the chosen time range; filter, state filter and sort in the title.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Cell, Row, Table, Widget};

use crate::api::models::{Cadence, CadenceState};
use crate::metrics::format_rate;

use super::super::cadence_list::{SortColumn, StateFilter, team_label};
use super::super::fetch::LoadState;
use super::super::hits::List;
use super::super::state::AppState;
use super::super::style::Styles;
use super::super::widgets::table::{
    Column, cell_text, constraints, fit_columns, grow_width, placeholder,
};
use super::{ellipsize, load_suffix, thousands};

/// The last one, the id, is drawn first and only while the user shows ids.
pub const COLUMNS: [Column; 10] = [
    Column::new("Name", 20, 20).grow(),
    Column::new("State", 8, 6),
    Column::new("Team", 8, 4),
    Column::new("People", 6, 7).right(),
    Column::new("Sent", 6, 8).right(),
    Column::new("Open", 6, 12).right(),
    Column::new("Click", 6, 9).right(),
    Column::new("Reply", 6, 11).right(),
    Column::new("Bounce", 6, 5).right(),
    Column::new("ID", 8, 15),
];

/// Index of the id column in [`COLUMNS`].
const ID: usize = 9;

pub fn state_style(styles: &Styles, state: &CadenceState) -> Style {
    match state {
        CadenceState::Active => styles.good,
        CadenceState::Draft => styles.warn,
        _ => styles.dim,
    }
}

/// The table's title in `width` columns: when it does not fit, the range
/// goes first (the tab bar shows it: `range 30d`).
fn title(state: &AppState, width: u16) -> Line<'static> {
    let full = title_parts(state, true);
    if full.width() + 2 <= usize::from(width) {
        return full;
    }
    title_parts(state, false)
}

fn title_parts(state: &AppState, with_range: bool) -> Line<'static> {
    let s = &state.styles;
    let list = &state.cadences.list;
    let mut spans = vec![Span::styled(
        format!(" Cadences ({}", list.rows.len()),
        s.title,
    )];
    if list.rows.len() != list.cadences.len() {
        spans.push(Span::styled(
            format!(" of {}", list.cadences.len()),
            s.title,
        ));
    }
    spans.push(Span::styled(") ", s.title));
    let arrow = if list.sort.descending { "▼" } else { "▲" };
    let range = if with_range {
        format!("· {} ", state.metrics.range)
    } else {
        String::new()
    };
    spans.push(Span::styled(
        format!(
            "· {} · sort {} {arrow} {range}",
            list.state_filter.label(),
            list.sort.column.label(),
        ),
        s.dim,
    ));
    if let Some((text, warn)) = load_suffix(&list.fetch.state()) {
        spans.push(Span::styled(
            format!("{text} "),
            if warn { s.warn } else { s.dim },
        ));
    }
    if let Some(text) = engagement_note(state) {
        spans.push(Span::styled(format!("· {text} "), s.warn));
    }
    if let Some(text) = state.partial_note() {
        spans.push(Span::styled(format!("· {text} "), s.warn));
    }
    Line::from(spans)
}

/// Where the numbers come from when not from SalesLoft: the store's totals
/// ("Use stored data"), or nothing at all (the cost question was cancelled).
fn engagement_note(state: &AppState) -> Option<String> {
    let m = &state.metrics;
    if let Some((range, at)) = m.stored_at
        && range == m.range
    {
        return Some(match at {
            Some(t) => format!("stored {}", crate::tui::cost::when(t, state.clock.wall)),
            None => "stored".to_string(),
        });
    }
    (state.cost_choice() == Some(crate::tui::cost::CostChoice::Cancel)).then(|| not_loaded(state))
}

/// What stands where a range's numbers would be when they were not read (the
/// cost question cancelled): "not loaded: r asks again", the key from the keymap.
pub(super) fn not_loaded(state: &AppState) -> String {
    let key = state
        .keymap
        .hint(crate::config::keymap::Action::Refresh)
        .unwrap_or_else(|| "r".into());
    format!("not loaded: {key} asks again")
}

pub fn render(state: &AppState, area: Rect, buf: &mut Buffer) {
    let s = &state.styles;
    let list = &state.cadences.list;
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(s.border)
        .title(title(state, area.width));
    let inner = block.inner(area);
    state.screen.hits.pane(List::Cadences, area);
    let show_filter = list.filter_focused || !list.filter.is_empty();
    let empty_lines = |msg: String, hint: Option<String>| {
        let mut v = vec![Line::from(msg)];
        if let Some(h) = hint {
            v.push(Line::styled(h, s.dim));
        }
        v
    };
    if list.cadences.is_empty() {
        if let Some(text) = super::super::auth_text::screen_text(state) {
            placeholder(area, buf, block, vec![Line::from(text)], s.bad);
            return;
        }
        let lines = match list.fetch.state() {
            LoadState::Loading | LoadState::Idle => vec![Line::from("Loading cadences…")],
            LoadState::Failed(e) => empty_lines(
                format!("Could not load the cadences: {e}"),
                Some(refresh_hint(state)),
            ),
            _ => empty_lines(
                "This team has no cadences yet.".into(),
                Some(refresh_hint(state)),
            ),
        };
        placeholder(area, buf, block, lines, s.base);
        return;
    }
    block.render(area, buf);
    let mut table_area = inner;
    if show_filter && inner.height > 2 {
        super::people::input_line(
            state,
            "filter",
            &list.filter,
            list.filter_focused,
            Rect { height: 1, ..inner },
            buf,
        );
        table_area = Rect {
            y: inner.y + 1,
            height: inner.height - 1,
            ..inner
        };
    }
    if list.rows.is_empty() {
        let msg = if !list.filter.is_empty() {
            format!("No cadence matches \"{}\".", list.filter.value())
        } else {
            format!("No {} cadences.", list.state_filter.label())
        };
        let hint = if list.state_filter != StateFilter::All {
            state
                .keymap
                .hint(crate::config::keymap::Action::CycleState)
                .map(|k| format!("{k} cycles the state filter"))
        } else {
            Some("esc clears the filter".to_string())
        };
        placeholder(
            table_area,
            buf,
            Block::default(),
            empty_lines(msg, hint),
            s.base,
        );
        return;
    }
    table(state, table_area, buf);
}

fn refresh_hint(state: &AppState) -> String {
    let key = state
        .keymap
        .hint(crate::config::keymap::Action::Refresh)
        .unwrap_or_else(|| "r".into());
    format!("Press {key} to try again.")
}

fn sort_column(i: usize) -> Option<SortColumn> {
    SortColumn::ALL.get(i).copied()
}

fn table(state: &AppState, area: Rect, buf: &mut Buffer) {
    let s = &state.styles;
    let list = &state.cadences.list;
    // The id while shown, and the columns a saved view did not leave out.
    // The id as wide as the longest id (never cut: it is typed into the CLI).
    let mut all = COLUMNS;
    all[ID].width = list
        .cadences
        .iter()
        .map(|c| c.id.to_string().len() as u16)
        .max()
        .unwrap_or(2)
        .max(2);
    let shown: Vec<usize> = (0..all.len())
        .filter(|&i| (i != ID || list.show_ids) && !list.hidden.contains(&i))
        .collect();
    let columns: Vec<Column> = shown.iter().map(|&i| all[i]).collect();
    let mut keep: Vec<usize> = fit_columns(&columns, area.width)
        .into_iter()
        .map(|j| shown[j])
        .collect();
    // The id goes first, where the eye starts.
    if let Some(pos) = keep.iter().position(|&i| i == ID) {
        keep.remove(pos);
        keep.insert(0, ID);
    }
    let header = Row::new(std::iter::once(Cell::from("")).chain(keep.iter().map(|&i| {
        let c = all[i];
        let sorted = sort_column(i) == Some(list.sort.column);
        let mut title = c.title.to_string();
        if sorted && title.chars().count() < c.width as usize {
            title.push(if list.sort.descending { '▼' } else { '▲' });
        }
        let style = if sorted {
            s.header
                .patch(s.bold)
                .add_modifier(ratatui::style::Modifier::UNDERLINED)
        } else {
            s.header
        };
        Cell::from(Span::styled(cell_text(&c, title), style))
    })));
    // A totals row under the rows when there is room for it and a row.
    let totals = area.height >= 4;
    let height = area.height.saturating_sub(1 + u16::from(totals)) as usize;
    let range = list.cursor.viewport(list.rows.len(), height);
    state.screen.hits.table(List::Cadences, area, &range);
    let name_width = grow_width(&all, &keep, area.width);
    let rows = range.clone().map(|pos| {
        let c = &list.cadences[list.rows[pos]];
        let selected = pos == list.cursor.selected;
        let marker = if selected { s.marker } else { "  " };
        let cells = keep.iter().map(|&i| cell(state, c, i, name_width));
        let row = Row::new(std::iter::once(Cell::from(marker)).chain(cells));
        if selected { row.style(s.selected) } else { row }
    });
    let body = Rect {
        height: area.height - u16::from(totals),
        ..area
    };
    Table::new(rows, constraints(&all, &keep))
        .header(header)
        .column_spacing(1)
        .render(body, buf);
    if totals {
        let line = Rect {
            y: area.bottom() - 1,
            height: 1,
            ..area
        };
        let cells = keep.iter().map(|&i| total_cell(state, i, name_width));
        Table::new(
            [Row::new(std::iter::once(Cell::from("Σ ")).chain(cells)).style(s.bold)],
            constraints(&all, &keep),
        )
        .column_spacing(1)
        .render(line, buf);
    }
}

/// A number cell: `…` while its range is read, `?` when it was not read (see
/// [`AppState::engagement_known`]), else the number.
pub(super) fn metric_text(pending: bool, known: bool, text: String) -> String {
    if pending {
        "…".to_string()
    } else if !known {
        "?".to_string()
    } else {
        text
    }
}

/// The totals row's cell: the cadences shown, their people, and their emails
/// counted together (rates over the sums, as `report` totals them). A `?` when
/// one shown cadence's numbers were not read for the range, `…` while reading.
fn total_cell(state: &AppState, col: usize, width: usize) -> Cell<'static> {
    let list = &state.cadences.list;
    let m = &state.metrics;
    let shown = || list.rows.iter().map(|&i| &list.cadences[i]);
    let pending = shown().any(|c| state.engagement_pending(c.id));
    let known = shown().all(|c| state.engagement_known(c.id));
    let mut e = crate::metrics::Engagement::default();
    for c in shown() {
        e += m.agg.by_cadence(c.id);
    }
    let metric = |text: String| metric_text(pending, known, text);
    let text = match col {
        0 => ellipsize(&format!("Total ({} shown)", list.rows.len()), width),
        3 => thousands(shown().filter_map(|c| c.counts.cadence_people).sum()),
        4 => metric(thousands(e.sent)),
        5 => metric(format_rate(e.rates().open)),
        6 => metric(format_rate(e.rates().click)),
        7 => metric(format_rate(e.rates().reply)),
        8 => metric(format_rate(e.rates().bounce)),
        _ => String::new(),
    };
    Cell::from(cell_text(&COLUMNS[col], text))
}

fn cell(state: &AppState, c: &Cadence, col: usize, width: usize) -> Cell<'static> {
    let s = &state.styles;
    let column = &COLUMNS[col];
    let e = state.metrics.agg.by_cadence(c.id);
    let (pending, known) = (state.engagement_pending(c.id), state.engagement_known(c.id));
    let metric = |text: String| metric_text(pending, known, text);
    let (text, style) = match col {
        0 => (ellipsize(&c.name, width), s.base),
        1 => (c.state().as_str().to_string(), state_style(s, &c.state())),
        2 => (team_label(c).to_string(), s.base),
        3 => (
            c.counts.cadence_people.map_or("—".into(), thousands),
            s.base,
        ),
        4 => (metric(thousands(e.sent)), s.base),
        ID => (c.id.to_string(), s.dim),
        5 => (metric(format_rate(e.rates().open)), s.base),
        6 => (metric(format_rate(e.rates().click)), s.base),
        7 => (metric(format_rate(e.rates().reply)), s.base),
        _ => (
            metric(format_rate(e.rates().bounce)),
            if e.rates().bounce.unwrap_or(0.0) > 0.05 {
                s.warn
            } else {
                s.base
            },
        ),
    };
    Cell::from(Span::styled(cell_text(column, text), style))
}

/// Said instead of the rates when the range was not read: the key that asks
/// again after the cost question was cancelled.
pub(super) fn not_read(state: &AppState) -> String {
    if state.cost_choice() == Some(crate::tui::cost::CostChoice::Cancel) {
        not_loaded(state)
    } else {
        "not loaded yet".to_string()
    }
}
