//! The mouse: a click on a tab switches to it, a click on a row selects it (a
//! click on the selected row opens it, as enter), the wheel moves the focused
//! list (or scrolls the dialog on top). Where things are comes from the last
//! frame ([`crate::tui::hits`]).

use crossterm::event::{MouseButton, MouseEvent, MouseEventKind};

use crate::config::keymap::Action;

use super::super::hits::{Hit, List};
use super::super::msg::{Effect, Msg};
use super::super::state::{AppState, View};
use super::actions;

/// Rows one notch of the wheel moves.
pub const WHEEL_ROWS: usize = 3;

pub(super) fn on_mouse(state: &mut AppState, ev: MouseEvent, fx: &mut Vec<Effect>) {
    match ev.kind {
        MouseEventKind::ScrollDown | MouseEventKind::ScrollUp => {
            let action = if ev.kind == MouseEventKind::ScrollDown {
                Action::Down
            } else {
                Action::Up
            };
            for _ in 0..WHEEL_ROWS {
                fx.extend(super::update(state, Msg::Action(action)));
            }
        }
        MouseEventKind::Down(MouseButton::Left) if state.popup.is_none() => {
            match state.screen.hits.at(ev.column, ev.row) {
                Some(Hit::Tab(n)) => actions::switch_tab(state, n, fx),
                Some(Hit::Row(list, i)) => click_row(state, list, i, fx),
                None => {}
            }
        }
        _ => {}
    }
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
