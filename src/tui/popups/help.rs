//! `?`: every binding of the live keymap (so help never drifts from behaviour),
//! the keys of text inputs, the mouse, and what the four views are. Every line
//! fits the popup at 80 columns (76 inside) when the keys are the defaults.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget};

use crate::config::keymap::Action;

use super::super::state::AppState;
use super::super::text_input::EDIT_KEYS;
use super::{centered, frame};

/// The help text, as lines (also used by tests).
/// `width` is the room inside the popup: narrow popups leave out the config names.
pub fn lines(state: &AppState, width: u16) -> Vec<Line<'static>> {
    let wide = width >= 90;
    let s = &state.styles;
    let mut out = vec![Line::styled(
        "Keys (from your keymap; change them under [keys] in the config)",
        s.header,
    )];
    let bindings = state.keymap.bindings();
    let key_w = bindings
        .iter()
        .map(|(_, k)| k.join(", ").chars().count())
        .max()
        .unwrap_or(4)
        .clamp(4, 16);
    for (action, keys) in bindings {
        let keys = if keys.is_empty() {
            "(unbound)".to_string()
        } else {
            keys.join(", ")
        };
        let mut spans = vec![
            Span::styled(format!("  {keys:<key_w$}  "), s.key),
            Span::raw(action.description().to_string()),
        ];
        if wide {
            spans.push(Span::styled(format!("  [{}]", action.name()), s.dim));
        }
        out.push(Line::from(spans));
    }
    out.push(Line::raw(""));
    out.push(Line::styled(
        "While typing in a filter, search or picker",
        s.header,
    ));
    for (k, what) in EDIT_KEYS {
        out.push(Line::from(vec![
            Span::styled(format!("  {k:<key_w$}  "), s.key),
            Span::raw(*what),
        ]));
    }
    out.push(Line::from(vec![
        Span::styled(format!("  {:<key_w$}  ", "tab"), s.key),
        Span::raw("mark or unmark a person in the enrollment's people picker"),
    ]));
    out.push(Line::raw(""));
    if state.session.mouse {
        out.push(Line::styled(
            "Mouse (off with --no-mouse or [ui] mouse = false)",
            s.header,
        ));
        for text in [
            "  click a tab or a row: select it; the selected row again: open it",
            "  click in a pane: focus it; the wheel moves the list under the pointer",
            "  shift + drag selects text in most terminals while the mouse is on",
        ] {
            out.push(Line::from(text));
        }
    } else {
        out.push(Line::styled(
            "Mouse: left to the terminal (--no-mouse or [ui] mouse = false)",
            s.header,
        ));
    }
    out.push(Line::raw(""));
    out.push(Line::styled("Views", s.header));
    for text in [
        "1 Cadences: rates over the time range; enter opens a cadence",
        "  (facts, rate bars, live chart, steps, people on the cadence)",
        "2 People: search by name, email, company or title; enter opens",
        "  a person; space marks people for enrollment",
        "3 Activity: live opens, clicks, replies of all cadences; enrollments",
        "4 Alerts: the [[alerts]] rules, what each says now; enter: its cadence",
        "Enrolling asks to confirm with Cancel focused: ←/→ or tab, then enter;",
        "  u there adds them for a teammate (a personal cadence: for its owner).",
        "Rates: reply = replied / delivered; bounce = bounced / sent;",
        "  open (click) = opened (clicked) / delivered with view (click) tracking;",
        "  \"—\" means there is nothing to divide by yet.",
    ] {
        out.push(Line::from(format!("  {text}")));
    }
    out
}

/// The popup's width and height on a screen of `area`, for these lines.
fn size(area: Rect, lines: usize) -> (u16, u16) {
    let w = 96.min(area.width.saturating_sub(2));
    let h = (lines as u16 + 2).min(area.height.saturating_sub(2)).max(5);
    (w, h)
}

/// The largest useful scroll offset on a screen of `width` x `height`: scrolling
/// further would show nothing new (and would have to be undone key by key).
pub fn max_scroll(state: &AppState, width: u16, height: u16) -> usize {
    let area = Rect::new(0, 0, width, height);
    let (w, _) = size(area, 0);
    let n = lines(state, w.saturating_sub(2)).len();
    let (_, h) = size(area, n);
    let inner = centered(area, w, h).height.saturating_sub(2);
    n.saturating_sub(inner as usize)
}

pub fn render(state: &AppState, scroll: usize, area: Rect, buf: &mut Buffer) {
    let (w, _) = size(area, 0);
    let lines = lines(state, w.saturating_sub(2));
    let (_, h) = size(area, lines.len());
    let popup = centered(area, w, h);
    let hint = |a, d: &str| state.keymap.hint(a).unwrap_or_else(|| d.to_string());
    let close = hint(Action::Back, "esc");
    let title = if lines.len() + 2 > h as usize {
        format!(
            "Help · {}/{} scroll · {close} closes",
            hint(Action::Down, "j"),
            hint(Action::Up, "k")
        )
    } else {
        format!("Help · {close} closes")
    };
    let inner = frame(popup, buf, &title, &state.styles);
    let max = lines.len().saturating_sub(inner.height as usize);
    Paragraph::new(lines)
        .scroll((scroll.min(max) as u16, 0))
        .render(inner, buf);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::keymap::Keymap;
    use crate::tui::state::{Clock, Session};
    use crate::tui::style::Styles;

    #[test]
    fn every_line_fits_the_popup_at_80_columns() {
        for mouse in [true, false] {
            let session = Session {
                profile_label: "DEMO".into(),
                demo: true,
                read_only: false,
                refresh_secs: 5,
                reserve: 0.2,
                confirm_above: None,
                has_store: false,
                mouse,
            };
            let state = AppState::new(
                session,
                Keymap::default(),
                Styles::plain(),
                crate::metrics::TimeRange::Days(30),
                Clock::system(),
            );
            // An 80-column screen: the popup is 78 wide, 76 inside.
            let (w, _) = size(Rect::new(0, 0, 80, 24), 0);
            assert_eq!(w, 78);
            for line in lines(&state, w - 2) {
                let text: String = line.spans.iter().map(|s| s.content.as_ref()).collect();
                assert!(
                    line.width() <= usize::from(w - 2),
                    "cut at 80 columns ({} > 76): {text:?}",
                    line.width()
                );
            }
        }
    }
}
