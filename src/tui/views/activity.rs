//! Live activity across the team: engagement totals over the range, a live chart of
//! opens, clicks and replies for every cadence together, the cadences ranked by live
//! activity, and the log of enrollments (✓/✗ per person).

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Cell, Paragraph, Row, Table, Widget};

use crate::metrics::format_rate;

use super::super::hits::List;
use super::super::state::AppState;
use super::super::widgets::status_bar::spinner;
use super::super::widgets::table::{
    Column, cell_text, constraints, fit_columns, grow_width, placeholder,
};
use super::super::widgets::trend_chart;
use super::cadence_detail::rate_lines;
use super::{ellipsize, thousands};

const COLUMNS: [Column; 5] = [
    Column::new("Cadence", 12, 10).grow(),
    Column::new("Opens", 5, 8).right(),
    Column::new("Clicks", 6, 6).right(),
    Column::new("Replies", 7, 7).right(),
    Column::new("Open rate", 9, 4).right(),
];

pub fn render(state: &AppState, area: Rect, buf: &mut Buffer) {
    let top_h = 8.min(area.height / 2).max(6);
    let [top, bottom] =
        Layout::vertical([Constraint::Length(top_h), Constraint::Min(3)]).areas(area);
    let [totals, chart] =
        Layout::horizontal([Constraint::Percentage(50), Constraint::Fill(1)]).areas(top);
    totals_block(state, totals, buf);
    trend_chart::render(state, None, chart, buf);
    if area.width >= 110 {
        let [a, b] =
            Layout::horizontal([Constraint::Percentage(55), Constraint::Fill(1)]).areas(bottom);
        ranking(state, a, buf);
        task_log(state, b, buf);
    } else {
        let log_h = if state.tasks.list.is_empty() {
            3
        } else {
            (bottom.height / 3).max(4)
        };
        let [a, b] =
            Layout::vertical([Constraint::Min(3), Constraint::Length(log_h)]).areas(bottom);
        ranking(state, a, buf);
        task_log(state, b, buf);
    }
}

fn totals_block(state: &AppState, area: Rect, buf: &mut Buffer) {
    let s = &state.styles;
    let e = state.metrics.agg.totals();
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(s.border)
        .title(Span::styled(
            match state.partial_note() {
                // Narrow: the note stays whole, the range goes (the tab bar says it).
                Some(note) if area.width < 54 => format!(" All cadences · {note} "),
                Some(note) => format!(" All cadences · {} · {note} ", state.metrics.range),
                None => format!(" All cadences · {} ", state.metrics.range),
            },
            s.title,
        ));
    let inner = block.inner(area);
    block.render(area, buf);
    // Over the range, as the cadences table's totals row: when one cadence's
    // range was not read, its live minutes alone would pass for the range.
    let ids = || state.cadences.list.cadences.iter().map(|c| c.id);
    let unread = !ids().all(|id| state.engagement_known(id))
        && !ids().any(|id| state.engagement_pending(id));
    let n = |v: u64| {
        if unread {
            "?".to_string()
        } else {
            thousands(v)
        }
    };
    let long = format!(
        "sent {} · delivered {} · bounced {}",
        n(e.sent),
        n(e.delivered),
        n(e.bounced)
    );
    let text = if long.chars().count() <= inner.width as usize {
        long
    } else {
        format!("sent {} · delivered {}", n(e.sent), n(e.delivered))
    };
    let mut lines = vec![Line::from(text)];
    if unread {
        lines.push(Line::styled(super::cadences::not_read(state), s.warn));
    } else {
        lines.extend(rate_lines(state, &e, inner.width));
    }
    Paragraph::new(lines).render(inner, buf);
}

fn ranking(state: &AppState, area: Rect, buf: &mut Buffer) {
    let s = &state.styles;
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(s.border)
        .title(Span::styled(
            " Most active cadences (live) · by replies, clicks, opens ",
            s.title,
        ));
    let ranked = state.ranked_cadences();
    state.screen.hits.pane(List::Activity, area);
    if ranked.is_empty() {
        let text = if state.cadences.list.fetch.is_loading() {
            "Loading cadences…"
        } else {
            "No cadences."
        };
        placeholder(area, buf, block, vec![Line::from(text)], s.dim);
        return;
    }
    let inner = block.inner(area);
    block.render(area, buf);
    let keep = fit_columns(&COLUMNS, inner.width);
    let name_w = grow_width(&COLUMNS, &keep, inner.width);
    let header = Row::new(std::iter::once(Cell::from("")).chain(keep.iter().map(|&i| {
        Cell::from(Span::styled(
            cell_text(&COLUMNS[i], COLUMNS[i].title.into()),
            s.header,
        ))
    })));
    let cursor = &state.activity.cursor;
    let range = cursor.viewport(ranked.len(), inner.height.saturating_sub(1) as usize);
    state.screen.hits.table(List::Activity, inner, &range);
    let rows = range.map(|pos| {
        let (id, counts) = ranked[pos];
        let name = state
            .cadences
            .list
            .by_id(id)
            .map_or_else(|| format!("cadence {id}"), |c| c.name.clone());
        let quiet = counts.iter().all(|&n| n == 0);
        let cells = keep.iter().map(|&i| {
            let text = match i {
                0 => ellipsize(&name, name_w),
                1..=3 => counts[i - 1].to_string(),
                // Over the range, as the cadences table: `?` when the range
                // was not read (the live minutes alone would pass for it).
                _ => super::cadences::metric_text(
                    state.engagement_pending(id),
                    state.engagement_known(id),
                    format_rate(state.metrics.agg.by_cadence(id).rates().open),
                ),
            };
            Cell::from(cell_text(&COLUMNS[i], text))
        });
        let selected = pos == cursor.selected;
        let row = Row::new(
            std::iter::once(Cell::from(if selected { s.marker } else { "  " })).chain(cells),
        );
        match (selected, quiet) {
            (true, _) => row.style(s.selected),
            (false, true) => row.style(s.dim),
            _ => row,
        }
    });
    Table::new(rows, constraints(&COLUMNS, &keep))
        .header(header)
        .column_spacing(1)
        .render(inner, buf);
}

fn task_log(state: &AppState, area: Rect, buf: &mut Buffer) {
    let s = &state.styles;
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(s.border)
        .title(Span::styled(
            format!(" Enrollments ({}) ", state.tasks.list.len()),
            s.title,
        ));
    if state.tasks.list.is_empty() {
        let text = if state.session.read_only {
            "Read-only mode: enrollment is disabled."
        } else {
            "No enrollments yet: press e on a person (2) or a cadence (1)."
        };
        placeholder(area, buf, block, vec![Line::from(text)], s.dim);
        return;
    }
    let inner = block.inner(area);
    block.render(area, buf);
    let mut lines: Vec<Line> = Vec::new();
    for task in state.tasks.list.iter().rev() {
        let head = if task.finished.is_some() {
            ""
        } else {
            spinner(state.screen.spinner)
        };
        lines.push(Line::styled(
            format!("{head} {}", task.summary())
                .trim_start()
                .to_string(),
            s.bold,
        ));
        for (ok, text) in task.lines() {
            lines.push(Line::styled(
                format!("  {text}"),
                if ok { s.good } else { s.bad },
            ));
        }
        if let Some(e) = &task.error {
            lines.push(Line::styled(format!("  ✗ stopped: {e}"), s.bad));
        }
    }
    Paragraph::new(lines).render(inner, buf);
}
