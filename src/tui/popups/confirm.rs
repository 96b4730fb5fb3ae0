//! A yes/no dialog with Cancel focused by default: the focused button is reversed and
//! carries the `▶` marker, so it is visible without colour.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget, Wrap};

use super::super::enroll::ConfirmFocus;
use super::super::style::Styles;
use super::{centered, frame};

pub struct Confirm<'a> {
    pub title: &'a str,
    pub body: Vec<Line<'static>>,
    pub confirm_label: &'a str,
    pub focus: ConfirmFocus,
    pub styles: &'a Styles,
}

impl Confirm<'_> {
    fn buttons(&self) -> Line<'static> {
        let s = self.styles;
        let button = |label: &str, focused: bool| {
            if focused {
                Span::styled(format!("{}[ {label} ]", s.marker), s.selected)
            } else {
                Span::styled(format!("  [ {label} ]"), s.base)
            }
        };
        Line::from(vec![
            button("Cancel", self.focus == ConfirmFocus::Cancel),
            Span::raw("   "),
            button(self.confirm_label, self.focus == ConfirmFocus::Confirm),
        ])
        .centered()
    }
}

impl Widget for Confirm<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let h = (self.body.len() as u16 + 6).min(area.height);
        let popup = centered(area, 72.min(area.width.saturating_sub(2)), h);
        let inner = frame(popup, buf, self.title, self.styles);
        let mut lines = self.body.clone();
        lines.push(Line::raw(""));
        lines.push(self.buttons());
        lines.push(
            Line::styled(
                "←/→ or tab switch · enter choose · esc cancel",
                self.styles.dim,
            )
            .centered(),
        );
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .render(inner, buf);
    }
}
