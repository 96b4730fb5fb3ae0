//! Keys while the command palette is open: typing filters, up/down (or ctrl-p /
//! ctrl-n) move, enter runs the action, esc closes.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use crate::config::keymap::Action;

use super::super::palette::{Entry, Palette};
use super::super::state::{AppState, Level, Popup};
use super::super::text_input::Edit;

/// Opens the palette over the current view.
pub(crate) fn open(state: &mut AppState) {
    let palette = Palette::new(&state.keymap, &state.saved);
    state.popup = Some(Popup::Palette(Box::new(palette)));
}

/// A key in the palette; the row chosen with enter, for `update` to run.
pub(crate) fn on_key(state: &mut AppState, key: &KeyEvent) -> Option<Entry> {
    let Some(Popup::Palette(p)) = &mut state.popup else {
        return None;
    };
    match p.input.handle_key(key) {
        Edit::Changed => p.refilter(&state.keymap, &state.saved),
        Edit::Moved => {}
        Edit::Ignored => {
            let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
            let nav = match key.code {
                KeyCode::Up => Some(Action::Up),
                KeyCode::Down => Some(Action::Down),
                KeyCode::Char('p') if ctrl => Some(Action::Up),
                KeyCode::Char('n') if ctrl => Some(Action::Down),
                KeyCode::PageUp | KeyCode::Home => Some(Action::Top),
                KeyCode::PageDown | KeyCode::End => Some(Action::Bottom),
                KeyCode::Enter => Some(Action::Enter),
                KeyCode::Esc => Some(Action::Back),
                _ => None,
            };
            if let Some(nav) = nav {
                return on_action(state, nav);
            }
        }
    }
    None
}

/// Navigation in the palette (from keys, or keymap actions in tests); the row
/// chosen with enter, for `update` to run.
pub(crate) fn on_action(state: &mut AppState, action: Action) -> Option<Entry> {
    let Some(Popup::Palette(p)) = &mut state.popup else {
        return None;
    };
    let len = p.rows.len();
    match action {
        Action::Up | Action::PageUp => p.cursor.up(1),
        Action::Down | Action::PageDown => p.cursor.down(1, len),
        Action::Top => p.cursor.top(),
        Action::Bottom => p.cursor.bottom(len),
        Action::Back | Action::Quit => state.popup = None,
        Action::Enter => {
            let chosen = p.selected();
            state.popup = None;
            if chosen.is_none() {
                state.say(Level::Info, "no action matches; esc closes the palette");
            }
            return chosen;
        }
        _ => {}
    }
    None
}
