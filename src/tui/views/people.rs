//! People: search as you type over the local index, with index progress, marks for
//! bulk enrollment, and an exact email match from the API shown first.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Cell, Row, Table, Widget};

use crate::config::keymap::Action;

use super::super::state::{AppState, IndexStatus};
use super::super::style::MARK;
use super::super::text_input::TextInput;
use super::super::widgets::table::{Column, constraints, fit_columns, grow_width, placeholder};
use super::{ellipsize, thousands};

pub const COLUMNS: [Column; 5] = [
    Column::new("", 1, 30),
    Column::new("Name", 18, 20).grow(),
    Column::new("Email", 22, 10),
    Column::new("Company", 14, 8),
    Column::new("Title", 14, 5),
];

/// A one-line input: `filter: text▏` with the cursor shown while focused.
pub fn input_line(
    state: &AppState,
    label: &str,
    input: &TextInput,
    focused: bool,
    area: Rect,
    buf: &mut Buffer,
) {
    let s = &state.styles;
    let value = input.value();
    let mut spans = vec![Span::styled(
        format!("{label}: "),
        if focused { s.key } else { s.dim },
    )];
    if focused {
        let cut = value
            .char_indices()
            .nth(input.cursor())
            .map_or(value.len(), |(i, _)| i);
        spans.push(Span::styled(value[..cut].to_string(), s.input));
        spans.push(Span::styled("▏", s.key));
        spans.push(Span::styled(value[cut..].to_string(), s.input));
    } else if value.is_empty() {
        let key = state
            .keymap
            .hint(Action::Filter)
            .unwrap_or_else(|| "/".into());
        spans.push(Span::styled(format!("press {key} to type"), s.dim));
    } else {
        spans.push(Span::raw(value.to_string()));
    }
    Line::from(spans).render(area, buf);
}

/// "indexing 3,200 people…" / "5,000 people indexed".
pub fn index_progress(state: &AppState) -> (String, bool) {
    let n = thousands(state.people.index.len() as u64);
    match &state.people.status {
        IndexStatus::NotStarted => ("index not started".into(), false),
        IndexStatus::Running => (format!("indexing {n} people…"), false),
        IndexStatus::Done { .. } => (format!("{n} people indexed"), false),
        IndexStatus::Failed(e) => (format!("{n} people indexed; indexing stopped: {e}"), true),
    }
}

pub fn render(state: &AppState, area: Rect, buf: &mut Buffer) {
    let s = &state.styles;
    let p = &state.people;
    let (progress, failed) = index_progress(state);
    let mut title = vec![
        Span::styled(" People ", s.title),
        Span::styled(
            format!("· {progress} "),
            if failed { s.warn } else { s.dim },
        ),
    ];
    if !p.marked.is_empty() {
        title.push(Span::styled(
            format!("· {} marked ", p.marked.len()),
            s.marked,
        ));
    }
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(s.border)
        .title(Line::from(title));
    let inner = block.inner(area);
    block.render(area, buf);
    if inner.height < 2 {
        return;
    }
    let input_area = Rect { height: 1, ..inner };
    input_line(state, "search", &p.query, p.focused, input_area, buf);
    let count = if p.query.is_empty() {
        String::new()
    } else {
        format!(
            "{} match{}",
            thousands(p.hits.total as u64),
            if p.hits.total == 1 { "" } else { "es" }
        )
    };
    if !count.is_empty() && inner.width as usize > count.len() + 30 {
        let w = count.len() as u16;
        Line::styled(count, s.dim).render(
            Rect {
                x: inner.right() - w,
                width: w,
                ..input_area
            },
            buf,
        );
    }
    let table_area = Rect {
        y: inner.y + 1,
        height: inner.height - 1,
        ..inner
    };
    if p.hits.hits.is_empty() {
        let lines = empty_lines(state);
        placeholder(table_area, buf, Block::default(), lines, s.base);
        return;
    }
    table(state, table_area, buf);
}

fn empty_lines(state: &AppState) -> Vec<Line<'static>> {
    let s = &state.styles;
    let p = &state.people;
    let lookup = p.lookup.waiting.as_ref().map(|(_, e)| e.clone());
    match (&p.status, p.query.is_empty()) {
        (_, false) if lookup.is_some() => vec![Line::from(format!(
            "Looking up {} …",
            lookup.unwrap_or_default()
        ))],
        (IndexStatus::Running | IndexStatus::NotStarted, true) => {
            vec![Line::from("Indexing people…")]
        }
        (IndexStatus::Failed(e), true) => vec![
            Line::from(format!("Could not index people: {e}")),
            Line::styled("Press r to try again.", s.dim),
        ],
        (IndexStatus::Done { .. }, true) => vec![Line::from("This team has no people yet.")],
        (status, false) => {
            let mut v = vec![Line::from(format!(
                "Nobody matches \"{}\".",
                p.query.value()
            ))];
            if matches!(status, IndexStatus::Running) {
                v.push(Line::styled(
                    "The index is still filling; more people may match soon.",
                    s.dim,
                ));
            }
            v.push(Line::styled(
                "Type a full email address to look it up in SalesLoft.",
                s.dim,
            ));
            v
        }
    }
}

fn table(state: &AppState, area: Rect, buf: &mut Buffer) {
    let s = &state.styles;
    let p = &state.people;
    let keep = fit_columns(&COLUMNS, area.width);
    let header = Row::new(
        std::iter::once(Cell::from("")).chain(
            keep.iter()
                .map(|&i| Cell::from(Span::styled(COLUMNS[i].title, s.header))),
        ),
    );
    let height = area.height.saturating_sub(1) as usize;
    let range = p.cursor.viewport(p.hits.hits.len(), height);
    let name_w = grow_width(&COLUMNS, &keep, area.width);
    let exact =
        p.lookup.answer.as_ref().and_then(|(email, id)| {
            id.filter(|_| email.eq_ignore_ascii_case(p.query.value().trim()))
        });
    let rows = range.map(|pos| {
        let Some(e) = p.index.get(p.hits.hits[pos]) else {
            return Row::new(Vec::<Cell>::new());
        };
        let selected = pos == p.cursor.selected;
        let marked = p.marked.contains(&e.id);
        let name = if exact == Some(e.id) {
            format!("{} (exact email)", e.name)
        } else {
            e.name.clone()
        };
        let cells = keep.iter().map(|&i| match i {
            0 => Cell::from(Span::styled(if marked { MARK } else { " " }, s.marked)),
            1 => Cell::from(ellipsize(&name, name_w)),
            2 => Cell::from(ellipsize(&e.email, COLUMNS[2].width as usize)),
            3 => Cell::from(ellipsize(&e.company, COLUMNS[3].width as usize)),
            _ => Cell::from(ellipsize(&e.title, COLUMNS[4].width as usize)),
        });
        let row = Row::new(
            std::iter::once(Cell::from(if selected { s.marker } else { "  " })).chain(cells),
        );
        match (selected, marked) {
            (true, _) => row.style(s.selected),
            (false, true) => row.style(s.marked),
            _ => row,
        }
    });
    Table::new(rows, constraints(&COLUMNS, &keep))
        .header(header)
        .column_spacing(1)
        .render(area, buf);
}
