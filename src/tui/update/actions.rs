//! Keymap actions outside popups: navigation, views, refresh, sort and filters.

use crate::config::keymap::Action;
use crate::metrics::TimeRange;
use crate::worker::protocol::{Priority, Request};

use super::super::msg::Effect;
use super::super::popups::help;
use super::super::state::{AppState, CadenceDetail, Level, PersonPage, Popup, TABS, View};
use super::super::views;
use super::super::widgets::table::Cursor;
use super::funnel;
use super::{enroll, people, sync_live};

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
                        "the id column is in the cadences (1) and people (2) tables; the detail and person pages show their ids",
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

/// Shows engagement over `range`: what was read of the range before is kept
/// aside (the cost question's Cancel goes back to it), the new one is read.
pub(crate) fn set_range(state: &mut AppState, range: TimeRange, fx: &mut Vec<Effect>) {
    let before = state.metrics.range;
    super::cost::unpark(state);
    state.metrics.range = range;
    state.analytics.alerts.dirty = true;
    state.metrics.choice = None;
    state.metrics.question = None;
    state.metrics.agg.set_range(range, state.clock.wall);
    if !state.metrics.local {
        let loaded = std::mem::take(&mut state.metrics.loaded);
        state.metrics.previous = Some((before, loaded));
    }
    rebuild_cadences(state);
    state.say(Level::Info, format!("engagement over {range}"));
    request_engagement(state, fx);
    if state.view == View::CadenceDetail {
        funnel::request(state, false, fx);
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

/// Shows a view (without loading anything new) and keeps live polling in step.
pub fn open_view(state: &mut AppState, view: View, fx: &mut Vec<Effect>) {
    let view = match view {
        View::CadenceDetail if state.cadences.detail.is_none() => View::Cadences,
        View::Person if state.people.person.is_none() => View::People,
        v => v,
    };
    state.view = view;
    state.tab_views[view.tab() - 1] = view;
    if view == View::People
        && state.people.search.hits.hits.is_empty()
        && !state.people.search.index.is_empty()
    {
        people::query_changed(state);
    }
    sync_live(state, fx);
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

pub(crate) fn open_detail(state: &mut AppState, cadence_id: u64, fx: &mut Vec<Effect>) {
    if state
        .cadences
        .detail
        .as_ref()
        .is_none_or(|d| d.cadence_id != cadence_id)
    {
        state.cadences.detail = Some(CadenceDetail::new(cadence_id));
    }
    load_detail(state, fx);
    open_view(state, View::CadenceDetail, fx);
}

pub(crate) fn load_detail(state: &mut AppState, fx: &mut Vec<Effect>) {
    let Some(cadence_id) = state.cadences.detail.as_ref().map(|d| d.cadence_id) else {
        return;
    };
    let (id, effect) = state.request(Priority::Visible, Request::CadenceDetail { cadence_id });
    if let Some(d) = &mut state.cadences.detail {
        d.fetch.start(id);
    }
    fx.push(effect);
    funnel::request(state, false, fx);
}

pub(crate) fn open_person(state: &mut AppState, person_id: u64, back: View, fx: &mut Vec<Effect>) {
    if state
        .people
        .person
        .as_ref()
        .is_none_or(|p| p.person_id != person_id)
    {
        state.people.person = Some(PersonPage {
            person_id,
            person: None,
            memberships: Vec::new(),
            fetch: Default::default(),
            cursor: Cursor::default(),
            back,
        });
    } else if let Some(p) = &mut state.people.person {
        p.back = back;
    }
    load_person(state, fx);
    state.view = View::Person;
    state.tab_views[1] = View::Person;
    sync_live(state, fx);
}

pub(crate) fn load_person(state: &mut AppState, fx: &mut Vec<Effect>) {
    let Some(person_id) = state.people.person.as_ref().map(|p| p.person_id) else {
        return;
    };
    let (id, effect) = state.request(Priority::Visible, Request::PersonDetail { person_id });
    if let Some(p) = &mut state.people.person {
        p.fetch.start(id);
    }
    fx.push(effect);
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

pub(crate) fn load_cadences(state: &mut AppState, fx: &mut Vec<Effect>) {
    let (id, effect) = state.request(Priority::Visible, Request::Cadences);
    state.cadences.list.fetch.start(id);
    fx.push(effect);
}

/// Asks for the engagement of every cadence not loaded yet for the current range,
/// the ones on screen first.
pub(crate) fn request_engagement(state: &mut AppState, fx: &mut Vec<Effect>) {
    let mut ids = state.cadences.list.ids_visible_first();
    ids.retain(|id| !state.metrics.loaded.contains(id));
    if let Some(d) = &state.cadences.detail
        && state.view == View::CadenceDetail
    {
        ids.retain(|&id| id != d.cadence_id);
        ids.insert(0, d.cadence_id);
    }
    if ids.is_empty() {
        return;
    }
    use super::super::cost::CostChoice;
    match super::cost::choice(state) {
        Some(CostChoice::Load) => super::cost::load(state, ids, fx),
        // The user chose not to read this range from SalesLoft.
        Some(CostChoice::Stored | CostChoice::Cancel) => {}
        None if state.session.confirm_above.is_none() => super::cost::load(state, ids, fx),
        None => super::cost::estimate(state, ids, fx),
    }
}

pub(crate) fn rebuild_cadences(state: &mut AppState) {
    state
        .cadences
        .list
        .rebuild(&state.metrics.agg, &state.metrics.loaded);
}
