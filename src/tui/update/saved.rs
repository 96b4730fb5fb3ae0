//! Saved views: the save key asks for a name and has the loop write the cadences
//! view into config.toml; the palette applies one (filter, state filter, sort,
//! range, columns) to the cadences table.

use crossterm::event::{KeyCode, KeyEvent};

use crate::config::keymap::Action;

use super::super::msg::Effect;
use super::super::saved_views::{SavePrompt, from_table, settings};
use super::super::state::{AppState, Level, Popup, View};
use super::super::text_input::{Edit, TextInput};
use super::nav;

/// The save key: a name prompt over the cadences table (the current view's
/// name offered, so saving again replaces it).
pub(crate) fn open(state: &mut AppState) {
    if state.view != View::Cadences {
        state.say(
            Level::Info,
            "saved views are of the cadences table (1): filter, sort, range and columns",
        );
        return;
    }
    let name = state.saved.current.clone().unwrap_or_default();
    state.popup = Some(Popup::SaveView(Box::new(SavePrompt {
        input: TextInput::new(&name),
    })));
}

pub(crate) fn on_key(state: &mut AppState, key: &KeyEvent, fx: &mut Vec<Effect>) {
    let Some(Popup::SaveView(p)) = &mut state.popup else {
        return;
    };
    if p.input.handle_key(key) == Edit::Ignored {
        match key.code {
            KeyCode::Enter => on_action(state, Action::Enter, fx),
            KeyCode::Esc => on_action(state, Action::Back, fx),
            _ => {}
        }
    }
}

/// Enter saves, esc (or quit) cancels.
pub(crate) fn on_action(state: &mut AppState, action: Action, fx: &mut Vec<Effect>) {
    let Some(Popup::SaveView(p)) = &state.popup else {
        return;
    };
    match action {
        Action::Back | Action::Quit => state.popup = None,
        Action::Enter => {
            let name = p.input.value().trim().to_string();
            if name.is_empty() {
                state.say(Level::Info, "type a name for the view, or esc to cancel");
                return;
            }
            let Some(path) = state.saved.config_path.clone() else {
                state.popup = None;
                state.say(
                    Level::Warn,
                    "view not saved: this dashboard has no config file (see --config)",
                );
                return;
            };
            state.popup = None;
            let view = from_table(&name, &state.cadences.list, state.metrics.range);
            fx.push(Effect::SaveView { path, view });
        }
        _ => {}
    }
}

/// The loop wrote the view (or could not): the palette lists it from now on.
pub(crate) fn on_saved(
    state: &mut AppState,
    view: crate::config::views::SavedView,
    error: Option<String>,
) {
    if let Some(e) = error {
        state.say(
            Level::Error,
            format!("view \"{}\" not saved: {e}", view.name),
        );
        return;
    }
    let text = format!(
        "view \"{}\" saved in the config; : lists it as \"view: {}\"",
        view.name, view.name
    );
    state.saved.current = Some(view.name.clone());
    match state.saved.views.iter_mut().find(|v| v.name == view.name) {
        Some(old) => *old = view,
        None => state.saved.views.push(view),
    }
    state.say(Level::Info, text);
}

/// Applies saved view `i` to the cadences table and shows it.
pub(crate) fn apply(state: &mut AppState, i: usize, fx: &mut Vec<Effect>) {
    let Some(view) = state.saved.views.get(i).cloned() else {
        return;
    };
    let s = settings(&view);
    let list = &mut state.cadences.list;
    list.filter = TextInput::new(&s.filter);
    list.filter_focused = false;
    list.state_filter = s.state;
    list.sort = s.sort;
    list.show_ids = s.show_ids;
    list.hidden = s.hidden;
    list.cursor.reset();
    match s.range {
        Some(range) if range != state.metrics.range => nav::set_range(state, range, fx),
        _ => super::rebuild_cadences(state),
    }
    nav::open_view(state, View::Cadences, fx);
    state.saved.current = Some(view.name.clone());
    state.say(Level::Info, format!("view \"{}\"", view.name));
}
