//! The enrollment popup: the people or cadence picker with its filter, the step
//! picker, and the confirm dialog (Cancel focused).

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget};

use crate::config::keymap::{Action, Keymap};

use super::super::enroll::{EnrollFlow, Stage, ordered_steps, step_label};
use super::super::state::AppState;
use super::super::style::MARK;
use super::super::text::ellipsize;
use super::super::widgets::input_line::input_line;
use super::super::widgets::table::Cursor;
use super::confirm::Confirm;
use super::{centered, frame};

fn who(flow: &EnrollFlow) -> String {
    match flow.people.as_slice() {
        [] => "nobody yet".into(),
        [(_, one)] => one.clone(),
        [(_, a), (_, b)] => format!("{a} and {b}"),
        [(_, a), rest @ ..] => format!("{a} and {} others", rest.len()),
    }
}

/// On whose behalf the people are added, and how to change it.
fn behalf_line(state: &AppState, flow: &EnrollFlow) -> Line<'static> {
    let s = &state.styles;
    let (who, how) = match (flow.as_user, flow.owner) {
        (Some(u), Some(owner)) if u == owner => {
            (state.user_name(u), " (this personal cadence's owner)")
        }
        (Some(u), _) => (state.user_name(u), " · u change"),
        (None, _) => ("you".to_string(), " · u add on a teammate's behalf"),
    };
    Line::from(vec![
        Span::raw("As: "),
        Span::styled(who, s.bold),
        Span::styled(how, s.dim),
    ])
}

pub fn render(state: &AppState, flow: &EnrollFlow, area: Rect, buf: &mut Buffer) {
    let s = &state.styles;
    if let Stage::Confirm { focus } = flow.stage {
        let cadence = flow.cadence.as_ref().map_or("?", |(_, n)| n.as_str());
        let start = flow
            .step
            .as_ref()
            .map_or("the first step".to_string(), |(_, l)| l.clone());
        let mut body = vec![Line::from(vec![
            Span::raw(format!(
                "Enroll {} into ",
                if flow.people.len() == 1 {
                    "1 person".into()
                } else {
                    format!("{} people", flow.people.len())
                }
            )),
            Span::styled(format!("\"{cadence}\""), s.bold),
            Span::raw(format!(", starting at {start}?")),
        ])];
        for (_, name) in flow.people.iter().take(5) {
            body.push(Line::from(format!("  • {name}")));
        }
        if flow.people.len() > 5 {
            body.push(Line::styled(
                format!("  … and {} more", flow.people.len() - 5),
                s.dim,
            ));
        }
        body.push(behalf_line(state, flow));
        body.push(Line::styled(
            "People already on the cadence are reported, not added twice.",
            s.dim,
        ));
        Confirm {
            title: "Confirm enrollment",
            body,
            confirm_label: "Enroll",
            focus,
            hint: super::confirm::footer(&state.keymap),
            styles: s,
        }
        .render(area, buf);
        return;
    }
    let popup = centered(
        area,
        90.min(area.width.saturating_sub(2)),
        area.height.saturating_sub(4).clamp(8, 26),
    );
    let title = match &flow.stage {
        Stage::PickPeople { .. } => format!(
            "Add people to \"{}\"",
            flow.cadence.as_ref().map_or("?", |(_, n)| n.as_str())
        ),
        Stage::PickCadence { .. } => format!("Enroll {}: pick a cadence", who(flow)),
        Stage::PickUser { .. } => format!("Enroll {}: on whose behalf?", who(flow)),
        _ => format!(
            "Enroll {} into \"{}\": starting step",
            who(flow),
            flow.cadence.as_ref().map_or("?", |(_, n)| n.as_str())
        ),
    };
    let inner = frame(
        popup,
        buf,
        &ellipsize(&title, popup.width.saturating_sub(6) as usize),
        s,
    );
    if inner.height < 3 {
        return;
    }
    let input = Rect { height: 1, ..inner };
    let footer = Rect {
        y: inner.bottom() - 1,
        height: 1,
        ..inner
    };
    let list = Rect {
        y: inner.y + 1,
        height: inner.height.saturating_sub(2),
        ..inner
    };
    // The pickers with a filter take tab, enter, esc and the arrows as such
    // (letters are typed into the filter, see `update::enroll::raw_nav`): their
    // footers name those keys. The step picker follows the keymap.
    let (rows, cursor, hint): (Vec<Line>, &Cursor, String) = match &flow.stage {
        Stage::PickPeople {
            query,
            hits,
            cursor,
            marked,
        } => {
            input_line(state, "search people", query, true, input, buf);
            let rows = hits
                .hits
                .iter()
                .filter_map(|&i| state.people.search.index.get(i))
                .map(|e| {
                    let mark = if marked.contains(&e.id) { MARK } else { " " };
                    let style = if marked.contains(&e.id) {
                        s.marked
                    } else {
                        s.base
                    };
                    Line::from(vec![
                        Span::styled(format!("{mark} "), s.marked),
                        Span::styled(e.name.clone(), style),
                        Span::styled(format!("  {}  {}", e.email, e.company), s.dim),
                    ])
                })
                .collect();
            let n = marked.len();
            (
                rows,
                cursor,
                format!("tab mark ({n} marked) · enter continue · esc cancel · ↑/↓ move"),
            )
        }
        Stage::PickCadence {
            filter,
            rows,
            cursor,
        } => {
            input_line(state, "filter cadences", filter, true, input, buf);
            let lines = rows
                .iter()
                .map(|&i| {
                    let c = &flow.choices[i];
                    match &c.disabled {
                        None => match c.owner {
                            None => Line::raw(c.name.clone()),
                            Some(owner) => Line::from(vec![
                                Span::raw(c.name.clone()),
                                Span::styled(
                                    format!(
                                        "  (personal · added as its owner {})",
                                        state.user_name(owner)
                                    ),
                                    s.dim,
                                ),
                            ]),
                        },
                        Some(why) => Line::from(vec![
                            Span::styled(c.name.clone(), s.disabled),
                            Span::styled(format!("  (cannot add: {why})"), s.dim),
                        ]),
                    }
                })
                .collect();
            (
                lines,
                cursor,
                "enter choose · esc cancel · ↑/↓ move".to_string(),
            )
        }
        Stage::PickStep { cursor } => {
            let steps = flow
                .cadence
                .as_ref()
                .and_then(|(id, _)| state.cadences.steps.get(id));
            let note = if steps.is_none() {
                "loading steps… (enter keeps the first step)"
            } else {
                "where should they start?"
            };
            Line::styled(note, s.dim).render(input, buf);
            let mut lines = vec![Line::raw("The first step (default)")];
            if let Some(steps) = steps {
                lines.extend(
                    ordered_steps(steps)
                        .into_iter()
                        .map(|st| Line::raw(step_label(st))),
                );
            }
            (lines, cursor, step_footer(&state.keymap))
        }
        Stage::PickUser {
            filter,
            rows,
            cursor,
        } => {
            input_line(state, "filter teammates", filter, true, input, buf);
            let lines = rows
                .iter()
                .map(|&i| {
                    let (id, name) = &flow.users[i];
                    Line::from(vec![
                        Span::raw(name.clone()),
                        Span::styled(format!("  user {id}"), s.dim),
                    ])
                })
                .collect();
            (
                lines,
                cursor,
                "enter choose · esc back · ↑/↓ move".to_string(),
            )
        }
        Stage::Confirm { .. } => unreachable!("drawn above"),
    };
    draw_list(state, rows, cursor, list, buf);
    Line::styled(hint, s.dim).render(footer, buf);
}

/// The step picker's key line, from the live keymap (a remapped key shows its
/// new name; an unbound action is left out).
fn step_footer(keymap: &Keymap) -> String {
    let mut parts = Vec::new();
    parts.extend(keymap.hint(Action::Enter).map(|k| format!("{k} choose")));
    parts.extend(keymap.hint(Action::Back).map(|k| format!("{k} back")));
    let moves: Vec<String> = [Action::Down, Action::Up]
        .into_iter()
        .filter_map(|a| keymap.hint(a))
        .collect();
    if !moves.is_empty() {
        parts.push(format!("{} move", moves.join("/")));
    }
    parts.join(" · ")
}

/// `line` cut to `width` columns, the cut marked with "…" (a long name or
/// email would otherwise stop mid-word at the popup's border).
fn fit(line: &Line<'static>, width: usize) -> Line<'static> {
    if line.width() <= width {
        return line.clone();
    }
    let mut room = width;
    let mut spans = Vec::new();
    for span in &line.spans {
        if room == 0 {
            break;
        }
        let text = ellipsize(&span.content, room);
        room -= text.chars().count().min(room);
        spans.push(Span::styled(text, span.style));
        if span.content.chars().count() > spans.last().map_or(0, |s| s.content.chars().count()) {
            break;
        }
    }
    Line::from(spans)
}

fn draw_list(
    state: &AppState,
    rows: Vec<Line<'static>>,
    cursor: &Cursor,
    area: Rect,
    buf: &mut Buffer,
) {
    let s = &state.styles;
    if rows.is_empty() {
        Paragraph::new(Line::styled("nothing matches", s.dim)).render(area, buf);
        return;
    }
    let range = cursor.viewport(rows.len(), area.height as usize);
    for (row_y, pos) in range.enumerate() {
        let selected = pos == cursor.selected;
        let mut line = fit(&rows[pos], usize::from(area.width).saturating_sub(2));
        line.spans
            .insert(0, Span::raw(if selected { s.marker } else { "  " }));
        let r = Rect {
            y: area.y + row_y as u16,
            height: 1,
            ..area
        };
        if selected {
            buf.set_style(r, s.selected);
            line = line.patch_style(s.selected);
        }
        line.render(r, buf);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_row_too_long_is_cut_with_an_ellipsis_in_its_last_span() {
        let line = Line::from(vec![
            Span::raw("● "),
            Span::raw("Christina Thompson"),
            Span::raw("  christina.thompson@harborbridge.com  Harborbridge Robotics"),
        ]);
        let cut = fit(&line, 40);
        let text: String = cut.spans.iter().map(|s| s.content.as_ref()).collect();
        assert_eq!(text, "● Christina Thompson  christina.thompso…");
        assert_eq!(cut.width(), 40);
        // A name alone too long: cut there, nothing after it.
        let cut = fit(&line, 10);
        let text: String = cut.spans.iter().map(|s| s.content.as_ref()).collect();
        assert_eq!(text, "● Christi…");
        // Short enough: as it was.
        assert_eq!(fit(&line, 200), line);
    }
}
