//! A yes/no dialog with Cancel focused by default: the focused button is reversed and
//! carries the `▶` marker, so it is visible without colour.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget, Wrap};

use crate::config::keymap::{Action, Keymap};

use super::super::enroll::ConfirmFocus;
use super::super::style::Styles;
use super::{centered, frame};

pub struct Confirm<'a> {
    pub title: &'a str,
    pub body: Vec<Line<'static>>,
    pub confirm_label: &'a str,
    pub focus: ConfirmFocus,
    /// The keys under the buttons, from the live keymap (see [`footer`]).
    pub hint: String,
    pub styles: &'a Styles,
}

/// The confirm dialog's key line: ←/→ (fixed), then the keymap's keys for
/// switching, choosing and cancelling (a remapped key shows its new name).
pub fn footer(keymap: &Keymap) -> String {
    let mut parts = vec![match keymap.hint(Action::NextView) {
        Some(k) => format!("←/→ or {k} switch"),
        None => "←/→ switch".to_string(),
    }];
    parts.extend(keymap.hint(Action::Enter).map(|k| format!("{k} choose")));
    parts.extend(keymap.hint(Action::Back).map(|k| format!("{k} cancel")));
    parts.join(" · ")
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
        let w = 72.min(area.width.saturating_sub(2));
        // Rows the body takes once wrapped (plus a spare row: words wrap early), so long
        // names and step labels never push the buttons out of the dialog.
        let text_w = usize::from(w.saturating_sub(2)).max(1);
        let body_rows: usize = self
            .body
            .iter()
            .map(|l| l.width().div_ceil(text_w).max(1))
            .sum();
        let h = (body_rows as u16 + 6).min(area.height);
        let popup = centered(area, w, h);
        let inner = frame(popup, buf, self.title, self.styles);
        let mut lines = self.body.clone();
        lines.push(Line::raw(""));
        lines.push(self.buttons());
        lines.push(Line::styled(self.hint.clone(), self.styles.dim).centered());
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .render(inner, buf);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_long_wrapped_question_keeps_the_buttons_visible() {
        let styles = Styles::plain();
        let area = Rect::new(0, 0, 80, 24);
        let mut buf = Buffer::empty(area);
        let question = format!(
            "Enroll 1 person into \"{}\", starting at day 18 · step 2 · email {}?",
            "Healthcare Vertical Outbound - Hospital Systems (North America)",
            "A very long step name about the follow-up meeting request"
        );
        Confirm {
            title: "Confirm enrollment",
            body: vec![Line::from(question), Line::from("  • Ada Lovelace")],
            confirm_label: "Enroll",
            focus: ConfirmFocus::Cancel,
            hint: footer(&Keymap::default()),
            styles: &styles,
        }
        .render(area, &mut buf);
        let text: String = buf
            .content()
            .chunks(80)
            .map(|row| row.iter().map(|c| c.symbol()).collect::<String>() + "\n")
            .collect();
        assert!(text.contains("[ Cancel ]"), "{text}");
        assert!(text.contains("[ Enroll ]"), "{text}");
        assert!(
            text.contains("←/→ or tab switch · enter choose · esc cancel"),
            "{text}"
        );
    }
}
