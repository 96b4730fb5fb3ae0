//! The save key's prompt: the name the view on screen is saved under, and what
//! will be saved.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::Widget;

use super::super::saved_views::{SavePrompt, from_screen, summary};
use super::super::state::AppState;
use super::super::text::ellipsize;
use super::super::widgets::input_line::input_line;
use super::{centered, frame};

pub fn render(state: &AppState, p: &SavePrompt, area: Rect, buf: &mut Buffer) {
    let s = &state.styles;
    let popup = centered(area, 64.min(area.width.saturating_sub(2)), 7);
    let view = from_screen(p.input.value(), state);
    let title = match view.as_ref().map(|v| v.table.as_str()) {
        Some("people") => "Save this people search as a view",
        Some("detail") => "Save this cadence's detail as a view",
        _ => "Save this cadences view",
    };
    let inner = frame(popup, buf, title, s);
    if inner.height < 3 {
        return;
    }
    let line = |y: u16| Rect {
        y: inner.y + y,
        height: 1,
        ..inner
    };
    input_line(state, "name", &p.input, true, line(0), buf);
    let width = usize::from(inner.width);
    let name_of = |id| state.cadences.list.by_id(id).map(|c| c.name.clone());
    if let Some(view) = &view {
        Line::styled(ellipsize(&summary(view, name_of), width), s.dim).render(line(1), buf);
    }
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
