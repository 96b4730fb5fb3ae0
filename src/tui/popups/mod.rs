//! Popups drawn over the current view: help, the enrollment pickers, the confirm
//! dialog.

pub mod confirm;
pub mod cost;
pub mod enroll;
pub mod help;
pub mod palette;
pub mod save_view;

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::widgets::{Block, BorderType, Borders, Clear, Widget};

use super::style::Styles;

/// A rectangle of at most `w` x `h` centred in `area`.
pub fn centered(area: Rect, w: u16, h: u16) -> Rect {
    let w = w.min(area.width);
    let h = h.min(area.height);
    Rect {
        x: area.x + (area.width - w) / 2,
        y: area.y + (area.height - h) / 2,
        width: w,
        height: h,
    }
}

/// Clears the popup's area and draws its frame; returns the inside.
pub fn frame(area: Rect, buf: &mut Buffer, title: &str, styles: &Styles) -> Rect {
    Clear.render(area, buf);
    let block = Block::default()
        .borders(Borders::ALL)
        .border_type(BorderType::Rounded)
        .border_style(styles.border_focus)
        .title(ratatui::text::Span::styled(
            format!(" {title} "),
            styles.title,
        ));
    let inner = block.inner(area);
    block.render(area, buf);
    inner
}
