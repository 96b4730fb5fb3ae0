//! The cost question: what a load reads and costs, its share of the team's
//! minute, and Cancel (focused) / Use stored data / Load. The focused button is
//! reversed and carries the `▶` marker, so it reads without colour.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget, Wrap};

use super::super::cost::{CostChoice, CostQuestion};
use super::super::state::AppState;
use super::{centered, frame};

fn buttons(state: &AppState, q: &CostQuestion) -> Line<'static> {
    let s = &state.styles;
    let mut spans = Vec::new();
    let labels = [
        (CostChoice::Cancel, "Cancel".to_string()),
        (CostChoice::Stored, q.stored_label(state.clock.wall)),
        (CostChoice::Load, "Load".to_string()),
    ];
    for (choice, label) in labels {
        if !spans.is_empty() {
            spans.push(Span::raw("  "));
        }
        if choice == CostChoice::Stored && q.stored.is_none() {
            spans.push(Span::styled("  (no local store)".to_string(), s.disabled));
        } else if q.focus == choice {
            spans.push(Span::styled(format!("{}[ {label} ]", s.marker), s.selected));
        } else {
            spans.push(Span::styled(format!("  [ {label} ]"), s.base));
        }
    }
    Line::from(spans).centered()
}

pub fn render(state: &AppState, q: &CostQuestion, area: Rect, buf: &mut Buffer) {
    let s = &state.styles;
    let w = 76.min(area.width.saturating_sub(2));
    let mut body = vec![
        Line::raw(q.what()),
        Line::raw(""),
        Line::styled(
            "The budget is shared by the whole team: its CRM sync and every other \
             integration spend from the same minute.",
            s.dim,
        ),
    ];
    if q.stored.is_some() {
        body.push(Line::styled(
            "Stored data costs nothing; it is as fresh as the last sync.",
            s.dim,
        ));
    }
    let text_w = usize::from(w.saturating_sub(2)).max(1);
    // Rows once wrapped, plus a spare one: words wrap early.
    let rows: usize = body
        .iter()
        .map(|l| l.width().div_ceil(text_w).max(1))
        .sum::<usize>()
        + 1;
    let h = (rows as u16 + 5).min(area.height);
    let popup = centered(area, w, h);
    let inner = frame(popup, buf, "This load is big", s);
    body.push(Line::raw(""));
    body.push(buttons(state, q));
    body.push(Line::styled("←/→ or tab switch · enter choose · esc cancel", s.dim).centered());
    Paragraph::new(body)
        .wrap(Wrap { trim: false })
        .render(inner, buf);
}
