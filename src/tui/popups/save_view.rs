//! The save key's prompt: the name the cadences view is saved under, and what
//! will be saved.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::Widget;

use super::super::saved_views::{SavePrompt, from_table, summary};
use super::super::state::AppState;
use super::super::text::ellipsize;
use super::super::widgets::input_line::input_line;
use super::{centered, frame};

pub fn render(state: &AppState, p: &SavePrompt, area: Rect, buf: &mut Buffer) {
    let s = &state.styles;
    let popup = centered(area, 64.min(area.width.saturating_sub(2)), 7);
    let inner = frame(popup, buf, "Save this cadences view", s);
    if inner.height < 3 {
        return;
    }
    let line = |y: u16| Rect {
        y: inner.y + y,
        height: 1,
        ..inner
    };
    input_line(state, "name", &p.input, true, line(0), buf);
    let view = from_table(p.input.value(), &state.cadences.list, state.metrics.range);
    let width = usize::from(inner.width);
    Line::styled(ellipsize(&summary(&view), width), s.dim).render(line(1), buf);
    let (into, hint) = match &state.saved.config_path {
        Some(path) => (
            format!("into {}", path.display()),
            "enter saves · esc cancels",
        ),
        None => ("no config file to save into".to_string(), "esc cancels"),
    };
    Line::styled(ellipsize(&into, width), s.dim).render(line(3), buf);
    Line::styled(hint, s.dim).render(line(inner.height - 1), buf);
}
