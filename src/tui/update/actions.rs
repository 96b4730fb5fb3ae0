//! Keymap actions outside popups: navigation, views, refresh, sort and filters.

use crate::config::keymap::Action;
use crate::worker::protocol::{Priority, Request};

use super::super::msg::Effect;
use super::super::popups::help;
use super::super::state::{AppState, Level, Popup, TABS, View};
use super::super::views;
use super::super::widgets::table::Cursor;
use super::funnel;
use super::nav::{
    load_cadences, load_detail, load_person, open_detail, open_person, open_view,
    request_engagement, set_range,
};
use super::writes::{rebuild_cadences, sync_live};
use super::{enroll, people};

pub(crate) fn on_action(state: &mut AppState, action: Action, fx: &mut Vec<Effect>) {
    if matches!(state.popup, Some(Popup::Help { .. })) {
        // Clamped here, not only when drawn: after G (or many j), k must move at once.
        // The help is drawn above the status lines, so it has their height less.
        let height = state.screen.size.1.saturating_sub(views::STATUS_LINES);
        let max = help::max_scroll(state, state.screen.size.0, height);
        let Some(Popup::Help { scroll }) = &mut state.popup else {
            return;
        };
        match action {
            Action::Up => *scroll = scroll.saturating_sub(1),
            Action::Down => *scroll += 1,
            Action::PageUp => *scroll = scroll.saturating_sub(10),
            Action::PageDown => *scroll += 10,
            Action::Top => *scroll = 0,
            Action::Bottom => *scroll = max,
            Action::Help | Action::Back | Action::Quit | Action::Enter => {
                state.popup = None;
                return;
            }
            _ => {}
        }
        *scroll = (*scroll).min(max);
        return;
    }
    match action {
        Action::Quit => {
            state.quit = true;
            fx.push(Effect::Quit);
        }
        Action::Help => state.popup = Some(Popup::Help { scroll: 0 }),
        Action::NextView => switch_tab(state, state.view.tab() % TABS + 1, fx),
        Action::PrevView => switch_tab(state, (state.view.tab() + TABS - 2) % TABS + 1, fx),
        Action::View1 => switch_tab(state, 1, fx),
        Action::View2 => switch_tab(state, 2, fx),
        Action::View3 => switch_tab(state, 3, fx),
        Action::View4 => switch_tab(state, 4, fx),
        Action::Up
        | Action::Down
        | Action::Top
        | Action::Bottom
        | Action::PageUp
        | Action::PageDown => move_cursor(state, action),
        Action::Enter => enter(state, fx),
        Action::SwitchPane => switch_pane(state),
        Action::Back => back(state, fx),
        Action::Filter => match state.view {
            View::Cadences => state.cadences.list.filter_focused = true,
            View::People => state.people.search.focused = true,
            View::Person | View::CadenceDetail | View::Activity | View::Alerts => {
                open_view(state, View::People, fx);
                state.people.search.focused = true;
            }
        },
        Action::Refresh if state.conn.auth.is_some() => super::auth::retry(state, fx),
        Action::Refresh => refresh(state, false, fx),
        Action::RefreshAll => refresh(state, true, fx),
        Action::Freeze => {
            state.conn.live.frozen = !state.conn.live.frozen;
            let text = if state.conn.live.frozen {
                "live updates frozen: numbers stay still until you press the freeze key again"
            } else {
                "live updates resumed"
            };
            state.say(Level::Info, text);
            sync_live(state, fx);
        }
        Action::Chart => {
            if !matches!(state.view, View::CadenceDetail | View::Activity) {
                state.say(
                    Level::Info,
                    "the charts are in a cadence's detail (1) and in Activity (3)",
                );
                return;
            }
            state.analytics.trends.mode = state.analytics.trends.mode.next();
            super::trends::refresh(state, true);
            let text = match state.analytics.trends.mode {
                super::super::trends::ChartMode::Live => "chart: live activity".to_string(),
                m => format!("chart: {} sent, reply and bounce rates", m.label()),
            };
            state.say(Level::Info, text);
        }
        Action::Enroll => enroll::start(state, fx),
        Action::Yank => super::yank::yank(state, fx),
        Action::Palette => super::palette::open(state),
        Action::Export => {
            let csv = super::super::export::current(state);
            save(state, csv, fx);
        }
        Action::ExportTemplates => {
            let csv = super::super::export::templates(state);
            save(state, csv, fx);
        }
        Action::ToggleIds => {
            let shown = match state.view {
                View::Cadences => &mut state.cadences.list.show_ids,
                View::People => &mut state.people.search.show_ids,
                _ => {
                    state.say(
                        Level::Info,
                        "the id column is in cadences (1) and people (2); pages show ids in their title",
                    );
                    return;
                }
            };
            *shown = !*shown;
            let text = match (*shown, state.view) {
                (true, View::People) => "ids shown: type them into sltui enroll --person ID",
                (true, _) => "ids shown: type them into sltui report --cadence ID",
                (false, _) => "ids hidden",
            };
            state.say(Level::Info, text);
        }
        Action::Mark if state.session.read_only => {
            state.say(
                Level::Info,
                "read-only: marking people is for enrolling, which is off",
            );
        }
        Action::Mark => people::toggle_mark(state),
        Action::SortNext | Action::SortReverse => {
            if state.view != View::Cadences {
                state.say(Level::Info, "sorting applies to the cadences table (1)");
                return;
            }
            state
                .cadences
                .list
                .cycle_sort(action == Action::SortReverse);
            rebuild_cadences(state);
        }
        Action::CycleState => {
            if state.view != View::Cadences {
                state.say(
                    Level::Info,
                    "the state filter applies to the cadences table (1)",
                );
                return;
            }
            state.cadences.list.state_filter = state.cadences.list.state_filter.next();
            rebuild_cadences(state);
        }
        Action::CycleRange => {
            let range = state.metrics.range.next();
            set_range(state, range, fx);
        }
        Action::SaveView => super::saved::open(state),
    }
}

/// An export to the loop (which writes it and says where), or why there is none.
fn save(
    state: &mut AppState,
    csv: Result<super::super::export::Csv, String>,
    fx: &mut Vec<Effect>,
) {
    match csv {
        Ok(csv) => fx.push(Effect::Save {
            file_name: csv.file_name(state.clock.wall),
            contents: csv.contents,
            what: csv.what,
        }),
        Err(why) => state.say(Level::Info, why),
    }
}

pub(super) fn switch_tab(state: &mut AppState, tab: usize, fx: &mut Vec<Effect>) {
    let target = if state.view.tab() == tab {
        // The number of the current tab goes back to the tab's root.
        View::of_tab(tab)
    } else {
        state.tab_views[tab - 1]
    };
    open_view(state, target, fx);
}

fn move_cursor(state: &mut AppState, action: Action) {
    let steps = state.detail_step_count();
    let (cursor, len): (&mut Cursor, usize) = match state.view {
        View::Cadences => (
            &mut state.cadences.list.cursor,
            state.cadences.list.rows.len(),
        ),
        View::CadenceDetail => match &mut state.cadences.detail {
            Some(d) => {
                let len = steps + d.members.len();
                (&mut d.cursor, len)
            }
            None => return,
        },
        View::People => (
            &mut state.people.search.cursor,
            state.people.search.hits.hits.len(),
        ),
        View::Person => match &mut state.people.person {
            Some(p) => (&mut p.cursor, p.memberships.len()),
            None => return,
        },
        View::Activity => (
            &mut state.activity.cursor,
            state.cadences.list.cadences.len(),
        ),
        View::Alerts => (
            &mut state.analytics.alerts.cursor,
            state.analytics.alerts.rules.len(),
        ),
    };
    let half = (cursor.page() / 2).max(1);
    match action {
        Action::Up => cursor.up(1),
        Action::Down => cursor.down(1, len),
        Action::Top => cursor.top(),
        Action::Bottom => cursor.bottom(len),
        Action::PageUp => cursor.up(half),
        Action::PageDown => cursor.down(half, len),
        _ => {}
    }
}

/// In the detail: from the steps to the first person, from the people back to
/// the first step.
fn switch_pane(state: &mut AppState) {
    if state.view != View::CadenceDetail {
        state.say(
            Level::Info,
            "switching panes applies to a cadence's detail (enter on a cadence)",
        );
        return;
    }
    let steps = state.detail_step_count();
    let Some(d) = &mut state.cadences.detail else {
        return;
    };
    if d.cursor.selected < steps {
        if d.members.is_empty() {
            state.say(Level::Info, "nobody is listed on this cadence");
            return;
        }
        d.cursor.selected = steps;
    } else {
        d.cursor.selected = 0;
    }
}

fn enter(state: &mut AppState, fx: &mut Vec<Effect>) {
    match state.view {
        View::Cadences => {
            if let Some(id) = state.cadences.list.selected().map(|c| c.id) {
                open_detail(state, id, fx);
            }
        }
        View::Alerts => {
            let a = &state.analytics.alerts;
            match a.rules.get(a.cursor.selected).map(|r| r.cadence) {
                Some(Some(id)) if state.cadences.list.by_id(id).is_some() => {
                    open_detail(state, id, fx)
                }
                Some(Some(id)) => state.say(
                    Level::Warn,
                    format!("cadence {id} is not in the cadences list (yet)"),
                ),
                Some(None) => state.say(Level::Info, "this rule watches every cadence together"),
                None => {}
            }
        }
        View::Activity => {
            let ranked = state.ranked_cadences();
            if let Some(&(id, _)) = ranked.get(state.activity.cursor.selected) {
                open_detail(state, id, fx);
            }
        }
        View::CadenceDetail => {
            let steps = state.detail_step_count();
            let Some(d) = &state.cadences.detail else {
                return;
            };
            let person = d
                .cursor
                .selected
                .checked_sub(steps)
                .and_then(|i| d.members.get(i))
                .and_then(|(m, _)| m.person_id());
            match person {
                Some(id) => open_person(state, id, View::CadenceDetail, fx),
                None => {
                    let key = state.keymap.hint(Action::SwitchPane).unwrap_or_default();
                    let text = if key.is_empty() {
                        "enter opens a person: move down to the people".to_string()
                    } else {
                        format!("enter opens a person: {key} jumps to the people")
                    };
                    state.say(Level::Info, text);
                }
            }
        }
        View::People => {
            let id = state
                .people
                .search
                .hits
                .hits
                .get(state.people.search.cursor.selected)
                .and_then(|&i| state.people.search.index.get(i))
                .map(|p| p.id);
            if let Some(id) = id {
                open_person(state, id, View::People, fx);
            }
        }
        View::Person => {
            let cadence = state
                .people
                .person
                .as_ref()
                .and_then(|p| p.memberships.get(p.cursor.selected))
                .and_then(|m| m.cadence_id());
            match cadence {
                Some(id) if state.cadences.list.by_id(id).is_some() => open_detail(state, id, fx),
                Some(id) => state.say(
                    Level::Warn,
                    format!("cadence {id} is not in the cadences list (yet)"),
                ),
                None => {}
            }
        }
    }
}

fn back(state: &mut AppState, fx: &mut Vec<Effect>) {
    if state
        .tasks
        .list
        .last()
        .is_some_and(|t| t.finished.is_some())
        && !state.tasks.dismissed
    {
        state.tasks.dismissed = true;
        return;
    }
    match state.view {
        View::CadenceDetail => open_view(state, View::Cadences, fx),
        View::Person => {
            let back = state
                .people
                .person
                .as_ref()
                .map_or(View::People, |p| p.back);
            state.tab_views[1] = View::People;
            open_view(state, back, fx);
        }
        View::Cadences if !state.cadences.list.filter.is_empty() => {
            state.cadences.list.filter.clear();
            rebuild_cadences(state);
        }
        View::People if !state.people.search.marked.is_empty() => {
            state.people.search.marked.clear();
            state.say(Level::Info, "marks cleared");
        }
        View::People if !state.people.search.query.is_empty() => {
            state.people.search.query.clear();
            people::query_changed(state);
        }
        // Esc on a top-level view does nothing (q quits).
        _ => {}
    }
}

/// After the key was refused: the current view again, and the cadences (with
/// their engagement) whatever the view.
pub(crate) fn refresh_after_auth(state: &mut AppState, fx: &mut Vec<Effect>) {
    refresh(state, false, fx);
    if !matches!(state.view, View::Cadences | View::Activity) {
        load_cadences(state, fx);
    }
}

fn refresh(state: &mut AppState, clear: bool, fx: &mut Vec<Effect>) {
    // A refresh asks the cost question again unless the user chose to load.
    if clear || super::cost::choice(state) != Some(super::super::cost::CostChoice::Load) {
        if state
            .metrics
            .choice
            .is_some_and(|c| c.choice == super::super::cost::CostChoice::Stored)
        {
            super::cost::unpark(state);
            state.metrics.loaded.clear();
        }
        state.metrics.choice = None;
    }
    if clear {
        fx.push(state.request(Priority::User, Request::ClearCache).1);
        state.say(Level::Info, "cache cleared, reloading");
    }
    match state.view {
        View::Cadences | View::Activity => {
            if clear {
                state.metrics.loaded.clear();
            }
            load_cadences(state, fx);
        }
        View::CadenceDetail => {
            load_detail(state, fx);
            funnel::request(state, true, fx);
            if clear && let Some(d) = &state.cadences.detail {
                let id = d.cadence_id;
                state.metrics.loaded.remove(&id);
                request_engagement(state, fx);
            }
        }
        View::People => people::start_index(state, fx),
        View::Person => load_person(state, fx),
        View::Alerts => {
            super::alerts::evaluate(state);
            let n = state.analytics.alerts.firing();
            state.say(Level::Info, format!("alerts evaluated: {n} firing"));
        }
    }
}
