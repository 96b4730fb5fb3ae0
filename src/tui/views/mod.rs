//! Drawing: `draw(frame, &AppState)` lays out the tab bar, the current view, the
//! enrollment task panel, the status bar and any popup. Views only read the state.

pub mod activity;
pub mod alerts;
pub mod cadence_detail;
pub mod cadences;
pub mod people;
pub mod person;
pub mod step_funnel;

use ratatui::Frame;
use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Widget};

use crate::config::keymap::Action;

use super::popups;
use super::state::{AppState, Popup, View};
use super::task::TASK_LINGER;
use super::widgets::status_bar;

pub use super::text::{ellipsize, load_suffix, thousands};

pub fn draw(frame: &mut Frame<'_>, state: &AppState) {
    let area = frame.area();
    let buf = frame.buffer_mut();
    render(state, area, buf);
}

/// The status lines at the bottom of every screen (budget and live state, hints
/// and messages); dialogs are drawn above them.
pub const STATUS_LINES: u16 = 2;

/// Renders the whole screen into a buffer (what `draw` and the snapshot tests use).
pub fn render(state: &AppState, area: Rect, buf: &mut Buffer) {
    state.screen.hits.clear();
    let task_lines = task_panel_height(state, area.height);
    let [tabs, body, tasks, status] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(3),
        Constraint::Length(task_lines),
        Constraint::Length(STATUS_LINES),
    ])
    .areas(area);
    tab_bar(state, tabs, buf);
    match state.view {
        View::Cadences => cadences::render(state, body, buf),
        View::CadenceDetail => cadence_detail::render(state, body, buf),
        View::People => people::render(state, body, buf),
        View::Person => person::render(state, body, buf),
        View::Activity => activity::render(state, body, buf),
        View::Alerts => alerts::render(state, body, buf),
    }
    if task_lines > 0 {
        task_panel(state, tasks, buf);
    }
    status_bar::render(state, status, buf);
    // Dialogs never cover the status lines: the budget, the live state and the
    // messages stay readable under them.
    let over = Rect {
        height: area.height.saturating_sub(status.height),
        ..area
    };
    match &state.popup {
        Some(Popup::Help { scroll }) => popups::help::render(state, *scroll, over, buf),
        Some(Popup::Enroll(flow)) => popups::enroll::render(state, flow, over, buf),
        Some(Popup::Cost(q)) => popups::cost::render(state, q, over, buf),
        Some(Popup::Palette(p)) => popups::palette::render(state, p, over, buf),
        Some(Popup::SaveView(p)) => popups::save_view::render(state, p, over, buf),
        None => {}
    }
}

fn tab_bar(state: &AppState, area: Rect, buf: &mut Buffer) {
    let s = &state.styles;
    let key =
        |a: Action, fallback: &str| state.keymap.hint(a).unwrap_or_else(|| fallback.to_string());
    let detail = state.detail_cadence().map(|c| c.name.as_str());
    let person = state.people.person.as_ref().and_then(|p| {
        p.person.as_ref().map(|x| x.label()).or_else(|| {
            state
                .people
                .search
                .index
                .by_id(p.person_id)
                .map(|e| e.name.clone())
        })
    });
    let names = [
        match (state.view, detail) {
            (View::CadenceDetail, Some(name)) => format!("Cadences › {}", ellipsize(name, 24)),
            _ => "Cadences".to_string(),
        },
        match (state.view, person) {
            (View::Person, Some(name)) => format!("People › {}", ellipsize(&name, 24)),
            _ => "People".to_string(),
        },
        "Activity".to_string(),
        match state.analytics.alerts.firing() {
            0 => "Alerts".to_string(),
            n => format!("Alerts ▲{n}"),
        },
    ];
    let mut spans = Vec::new();
    let mut x = area.x;
    let keys = [
        key(Action::View1, "1"),
        key(Action::View2, "2"),
        key(Action::View3, "3"),
        key(Action::View4, "4"),
    ];
    for (i, name) in names.iter().enumerate() {
        let active = state.view.tab() == i + 1;
        let style = if active { s.tab_active } else { s.tab };
        let marker = if active { s.marker } else { "  " };
        let tab = Span::styled(format!("{marker}{} {name} ", keys[i]), style);
        let w = (tab.width() as u16).min(area.right().saturating_sub(x));
        state.screen.hits.add(
            Rect {
                x,
                width: w,
                ..area
            },
            super::hits::Target::Tab(i + 1),
        );
        x = x.saturating_add(w + 1);
        spans.push(tab);
        spans.push(Span::raw(" "));
    }
    let right = format!(
        " range {}  {} help ",
        state.metrics.range.label(),
        key(Action::Help, "?")
    );
    let used: usize = spans.iter().map(|s| s.width()).sum();
    let line = Line::from(spans);
    line.render(area, buf);
    if used + right.len() < area.width as usize {
        let w = right.chars().count() as u16;
        let r = Rect {
            x: area.right().saturating_sub(w),
            width: w,
            ..area
        };
        Paragraph::new(Span::styled(right, s.dim)).render(r, buf);
    }
}

/// Rows for the newest enrollment's per-person results, while it matters.
fn task_panel_height(state: &AppState, screen_height: u16) -> u16 {
    let Some(task) = state.tasks.list.last() else {
        return 0;
    };
    let recent = task
        .finished
        .is_none_or(|at| state.clock.now.saturating_duration_since(at) < TASK_LINGER);
    if state.tasks.dismissed || !recent || state.view == View::Activity {
        return 0;
    }
    let lines = task.outcomes.len().max(1) + usize::from(task.error.is_some()) + 1;
    (lines as u16).min(screen_height / 4).max(2)
}

fn task_panel(state: &AppState, area: Rect, buf: &mut Buffer) {
    let s = &state.styles;
    let Some(task) = state.tasks.list.last() else {
        return;
    };
    let title = if task.finished.is_some() {
        format!(" {} · esc hides ", task.summary())
    } else {
        format!(
            " {} {} ",
            status_bar::spinner(state.screen.spinner),
            task.summary()
        )
    };
    let block = Block::default()
        .borders(Borders::TOP)
        .border_style(s.border)
        .title(Span::styled(title, s.title));
    let inner = block.inner(area);
    block.render(area, buf);
    let mut lines: Vec<Line> = task
        .lines()
        .into_iter()
        .map(|(ok, text)| Line::styled(text, if ok { s.good } else { s.bad }))
        .collect();
    if let Some(e) = &task.error {
        lines.push(Line::styled(format!("✗ stopped: {e}"), s.bad));
    }
    if lines.is_empty() {
        lines.push(Line::styled("waiting for the first answer…", s.dim));
    }
    // Newest results last; show the tail when they do not all fit.
    let skip = lines.len().saturating_sub(inner.height as usize);
    Paragraph::new(lines.into_iter().skip(skip).collect::<Vec<_>>()).render(inner, buf);
}
