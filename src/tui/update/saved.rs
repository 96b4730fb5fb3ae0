//! Saved views: the save key asks for a name and has the loop write the view on
//! screen into config.toml; the palette applies one: to the cadences table
//! (filter, state filter, sort, range, columns), the people search (query, id
//! column) or a cadence's detail (range, chart box).

use crossterm::event::{KeyCode, KeyEvent};

use crate::config::keymap::Action;
use crate::config::views::ViewTable;
use crate::metrics::TimeRange;

use super::super::msg::Effect;
use super::super::saved_views::{SavePrompt, from_screen, settings};
use super::super::state::{AppState, Level, Popup, View};
use super::super::text_input::{Edit, TextInput};
use super::super::trends::ChartMode;
use super::nav;
use super::writes::rebuild_cadences;

/// The save key: a name prompt over the cadences table, the people search or a
/// cadence's detail (the current view's name offered, so saving again
/// replaces it).
pub(crate) fn open(state: &mut AppState) {
    let Some(here) = from_screen("", state) else {
        state.say(
            Level::Info,
            "saved views are of cadences (1), the people search (2) or a cadence's detail",
        );
        return;
    };
    // The last view's name, when it is of this table: saving under it
    // replaces that view, never one of another table.
    let name = state
        .saved
        .current
        .as_ref()
        .filter(|n| {
            state
                .saved
                .views
                .iter()
                .any(|v| &v.name == *n && v.table == here.table)
        })
        .cloned()
        .unwrap_or_default();
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
            let Some(view) = from_screen(&name, state) else {
                return;
            };
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

/// Applies saved view `i` and shows it.
pub(crate) fn apply(state: &mut AppState, i: usize, fx: &mut Vec<Effect>) {
    let Some(view) = state.saved.views.get(i).cloned() else {
        return;
    };
    match view.table {
        ViewTable::Cadences => {}
        ViewTable::People => {
            let search = &mut state.people.search;
            search.query = TextInput::new(&view.query);
            search.focused = false;
            search.show_ids = view.ids;
            nav::open_view(state, View::People, fx);
            super::people::query_changed(state);
            state.saved.current = Some(view.name.clone());
            state.say(Level::Info, format!("view \"{}\"", view.name));
            return;
        }
        ViewTable::Detail => {
            let id = view.cadence.unwrap_or_default();
            if state.cadences.list.by_id(id).is_none() {
                state.say(
                    Level::Warn,
                    format!(
                        "view \"{}\": cadence {id} is not in the cadences list (yet); r reads it again",
                        view.name
                    ),
                );
                return;
            }
            if let Some(range) = view.range_days.map(TimeRange::from_days)
                && range != state.metrics.range
            {
                nav::set_range(state, range, fx);
            }
            if let Some(mode) = [ChartMode::Live, ChartMode::Daily, ChartMode::Weekly]
                .into_iter()
                .find(|m| Some(m.label()) == view.chart.as_deref())
            {
                state.analytics.trends.mode = mode;
                super::trends::refresh(state, true);
            }
            nav::open_detail(state, id, fx);
            state.saved.current = Some(view.name.clone());
            state.say(Level::Info, format!("view \"{}\"", view.name));
            return;
        }
    }
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
        _ => rebuild_cadences(state),
    }
    nav::open_view(state, View::Cadences, fx);
    state.saved.current = Some(view.name.clone());
    state.say(Level::Info, format!("view \"{}\"", view.name));
}

/// A skipped `[[views]]` entry chosen in the palette: why it was skipped.
pub(crate) fn explain_skipped(state: &mut AppState, i: usize) {
    if let Some(v) = state.saved.skipped.get(i) {
        let text = format!("config [[views]] {v}; fix or remove it");
        state.say(Level::Warn, text);
    }
}
