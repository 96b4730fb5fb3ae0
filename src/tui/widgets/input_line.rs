//! A one-line text input as drawn in a view or a popup.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Widget;

use crate::config::keymap::Action;

use super::super::state::AppState;
use super::super::text_input::TextInput;

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
