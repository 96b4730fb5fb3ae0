//! The mouse: a click on a tab switches to it, a click on a row selects it (a
//! click on the selected row opens it, as enter), a click elsewhere in a pane
//! focuses it; the wheel moves the list of the pane under the pointer, which
//! takes the focus (or scrolls the dialog on top). Where things are comes from
//! the last frame ([`crate::tui::hits`]).

use crossterm::event::{MouseButton, MouseEvent, MouseEventKind};

use crate::config::keymap::Action;

use super::super::hits::{Hit, List};
use super::super::msg::{Effect, Msg};
use super::super::state::{AppState, View};
use super::actions;

/// Rows one notch of the wheel moves.
pub const WHEEL_ROWS: usize = 3;

/// What a notch of the wheel feeds back in: `update` itself, handed down by
/// the dispatcher so that this file does not lean on it.
pub(super) type Update = fn(&mut AppState, Msg) -> Vec<Effect>;

pub(super) fn on_mouse(state: &mut AppState, ev: MouseEvent, update: Update, fx: &mut Vec<Effect>) {
    match ev.kind {
        MouseEventKind::ScrollDown | MouseEventKind::ScrollUp => {
            let down = ev.kind == MouseEventKind::ScrollDown;
            if state.popup.is_some() {
                // A dialog is modal: the wheel scrolls it wherever the pointer is.
                let action = if down { Action::Down } else { Action::Up };
                for _ in 0..WHEEL_ROWS {
                    fx.extend(update(state, Msg::Action(action)));
                }
            } else if let Some(list) = state.screen.hits.pane_at(ev.column, ev.row) {
                wheel(state, list, down, update, fx);
            }
        }
        MouseEventKind::Down(MouseButton::Left) if state.popup.is_none() => {
            match state.screen.hits.at(ev.column, ev.row) {
                Some(Hit::Tab(n)) => actions::switch_tab(state, n, fx),
                Some(Hit::Row(list, i)) => click_row(state, list, i, fx),
                None => {
                    if let Some(list) = state.screen.hits.pane_at(ev.column, ev.row) {
                        focus_pane(state, list);
                    }
                }
            }
        }
        _ => {}
    }
}

/// Whether `list` is drawn by the view on screen (the last frame may be older).
fn shown(state: &AppState, list: List) -> bool {
    matches!(
        (list, state.view),
        (List::Cadences, View::Cadences)
            | (List::People, View::People)
            | (List::Activity, View::Activity)
            | (List::Alerts, View::Alerts)
            | (List::Person, View::Person)
            | (List::Steps | List::Members, View::CadenceDetail)
    )
}

/// One notch of the wheel over the pane of `list`: its selection moves
/// [`WHEEL_ROWS`] rows. The detail's two panes share one cursor: the wheel
/// over the pane without it moves it there first (to the row that pane shows
/// on top), so that pane takes the focus.
fn wheel(state: &mut AppState, list: List, down: bool, update: Update, fx: &mut Vec<Effect>) {
    if !shown(state, list) {
        return;
    }
    if !matches!(list, List::Steps | List::Members) {
        let action = if down { Action::Down } else { Action::Up };
        for _ in 0..WHEEL_ROWS {
            fx.extend(update(state, Msg::Action(action)));
        }
        return;
    }
    let Some((start, len)) = focus_pane(state, list) else {
        return;
    };
    let Some(d) = &mut state.cadences.detail else {
        return;
    };
    let at = d.cursor.selected - start;
    let at = if down {
        (at + WHEEL_ROWS).min(len - 1)
    } else {
        at.saturating_sub(WHEEL_ROWS)
    };
    d.cursor.selected = start + at;
}

/// Gives the detail's pane of `list` the cursor, unless it has it: the row
/// that pane shows on top is selected. Returns where that pane's rows start in
/// the shared cursor and how many there are (`None`: nothing to select).
fn focus_pane(state: &mut AppState, list: List) -> Option<(usize, usize)> {
    if state.view != View::CadenceDetail {
        return None;
    }
    let steps = state.detail_step_count();
    let d = state.cadences.detail.as_mut()?;
    let (start, len, top) = match list {
        List::Steps => (0, steps, d.steps_scroll.offset()),
        List::Members => (steps, d.members.len(), d.members_scroll.offset()),
        _ => return None,
    };
    if len == 0 {
        return None;
    }
    if !(start..start + len).contains(&d.cursor.selected) {
        d.cursor.selected = start + top.min(len - 1);
    }
    Some((start, len))
}

/// Selects row `i` of `list`; on the row already selected, opens it.
fn click_row(state: &mut AppState, list: List, i: usize, fx: &mut Vec<Effect>) {
    let steps = state.detail_step_count();
    let target = match list {
        List::Members => steps + i,
        _ => i,
    };
    let cursor = match (list, state.view) {
        (List::Cadences, View::Cadences) => &mut state.cadences.list.cursor,
        (List::People, View::People) => &mut state.people.search.cursor,
        (List::Activity, View::Activity) => &mut state.activity.cursor,
        (List::Alerts, View::Alerts) => &mut state.analytics.alerts.cursor,
        (List::Person, View::Person) => match &mut state.people.person {
            Some(p) => &mut p.cursor,
            None => return,
        },
        (List::Steps | List::Members, View::CadenceDetail) => match &mut state.cadences.detail {
            Some(d) => &mut d.cursor,
            None => return,
        },
        // A region of a view no longer on screen.
        _ => return,
    };
    if cursor.selected == target {
        actions::on_action(state, Action::Enter, fx);
    } else {
        cursor.selected = target;
    }
}
