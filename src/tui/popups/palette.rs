//! The command palette: a filter line, the matching actions (name, keys, what
//! they do), and the keys that drive it.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Widget;

use super::super::palette::{Entry, Palette};
use super::super::saved_views::summary;
use super::super::state::AppState;
use super::super::text::ellipsize;
use super::super::widgets::input_line::input_line;
use super::{centered, frame};

pub fn render(state: &AppState, p: &Palette, area: Rect, buf: &mut Buffer) {
    let s = &state.styles;
    let popup = centered(
        area,
        76.min(area.width.saturating_sub(2)),
        area.height.saturating_sub(4).clamp(6, 22),
    );
    let inner = frame(popup, buf, "Run an action or open a saved view", s);
    if inner.height < 3 {
        return;
    }
    input_line(
        state,
        "action",
        &p.input,
        true,
        Rect { height: 1, ..inner },
        buf,
    );
    let list = Rect {
        y: inner.y + 1,
        height: inner.height - 2,
        ..inner
    };
    if p.rows.is_empty() {
        Line::styled("  no action or view matches", s.dim).render(list, buf);
    }
    let width = usize::from(list.width);
    let range = p.cursor.viewport(p.rows.len(), usize::from(list.height));
    for (row_y, pos) in range.enumerate() {
        let selected = pos == p.cursor.selected;
        let marker = Span::raw(if selected { s.marker } else { "  " });
        let line = match p.rows[pos] {
            Entry::Action(a) => {
                let keys = state.keymap.keys_for(a).join(", ");
                Line::from(vec![
                    marker,
                    Span::styled(format!("{:<14}", a.name()), s.bold),
                    Span::styled(format!("{keys:<12} "), s.dim),
                    Span::raw(ellipsize(a.description(), width.saturating_sub(30))),
                ])
            }
            Entry::View(i) => {
                let Some(v) = state.saved.views.get(i) else {
                    continue;
                };
                let name = ellipsize(&format!("view: {}", v.name), 26);
                let name_of = |id| state.cadences.list.by_id(id).map(|c| c.name.clone());
                Line::from(vec![
                    marker,
                    Span::styled(format!("{name:<27} "), s.bold),
                    Span::raw(ellipsize(&summary(v, name_of), width.saturating_sub(30))),
                ])
            }
            Entry::Skipped(i) => {
                let Some(v) = state.saved.skipped.get(i) else {
                    continue;
                };
                let name = ellipsize(
                    &format!("view: {}", v.name.as_deref().unwrap_or("(no name)")),
                    26,
                );
                let why = format!("skipped, {}: {}", v.label(), v.reason);
                Line::from(vec![
                    marker,
                    Span::styled(format!("{name:<27} "), s.bold),
                    Span::styled(ellipsize(&why, width.saturating_sub(30)), s.warn),
                ])
            }
        };
        let r = Rect {
            y: list.y + row_y as u16,
            height: 1,
            ..list
        };
        if selected {
            buf.set_style(r, s.selected);
            line.patch_style(s.selected).render(r, buf);
        } else {
            line.render(r, buf);
        }
    }
    Line::styled("type to filter · enter run · esc close · ↑/↓ move", s.dim).render(
        Rect {
            y: inner.bottom() - 1,
            height: 1,
            ..inner
        },
        buf,
    );
}
