//! Enrollment: starting the flow from a view, keys inside the popup, sending the
//! request on confirm, and refreshing memberships and counts after it finished.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use crate::config::keymap::Action;
use crate::worker::protocol::{Priority, Request, RequestId};

use super::super::enroll::{EnrollFlow, FlowStep, Nav, not_addable, someone_elses};
use super::super::msg::Effect;
use super::super::state::{AppState, Level, Popup, View};
use super::super::task::EnrollTask;
use super::super::text_input::Edit;
use super::nav;

const READ_ONLY: &str = "read-only mode: enrollment is disabled (started with --read-only)";

/// The enroll key: people from People/Person pick a cadence; a cadence (list or
/// detail) picks people.
pub(crate) fn start(state: &mut AppState, fx: &mut Vec<Effect>) {
    if state.session.read_only {
        state.say(Level::Warn, READ_ONLY);
        return;
    }
    if super::super::stored::offline(state) {
        let text = super::super::stored::offline_refusal(state);
        state.say(Level::Warn, text);
        return;
    }
    let _ = fx;
    match state.view {
        View::People | View::Person => {
            let people: Vec<(u64, String)> = if state.view == View::Person {
                state
                    .people
                    .person
                    .as_ref()
                    .map(|p| {
                        let name = p.person.as_ref().map(|x| x.label()).or_else(|| {
                            state
                                .people
                                .search
                                .index
                                .by_id(p.person_id)
                                .map(|e| e.name.clone())
                        });
                        vec![(
                            p.person_id,
                            name.unwrap_or_else(|| format!("person {}", p.person_id)),
                        )]
                    })
                    .unwrap_or_default()
            } else if !state.people.search.marked.is_empty() {
                state
                    .people
                    .search
                    .marked
                    .iter()
                    .map(|&id| {
                        (
                            id,
                            state
                                .people
                                .search
                                .index
                                .by_id(id)
                                .map_or(format!("person {id}"), |e| e.name.clone()),
                        )
                    })
                    .collect()
            } else {
                let p = &state.people.search;
                p.hits
                    .hits
                    .get(p.cursor.selected)
                    .and_then(|&i| p.index.get(i))
                    .map(|e| vec![(e.id, e.name.clone())])
                    .unwrap_or_default()
            };
            if people.is_empty() {
                state.say(
                    Level::Info,
                    "select a person (or mark several with space) first",
                );
                return;
            }
            if state.cadences.list.cadences.is_empty() {
                state.say(
                    Level::Warn,
                    "the cadences are still loading; try again in a moment",
                );
                return;
            }
            let flow = EnrollFlow::for_people(people, &state.cadences.list.cadences, state.team.me);
            state.popup = Some(Popup::Enroll(Box::new(flow)));
        }
        View::Cadences | View::CadenceDetail => {
            let cadence = if state.view == View::Cadences {
                state.cadences.list.selected()
            } else {
                state.detail_cadence()
            };
            let Some(c) = cadence else {
                state.say(Level::Info, "select a cadence first");
                return;
            };
            if let Some(why) = not_addable(&c.state()) {
                state.say(
                    Level::Warn,
                    format!("people cannot be added to \"{}\": {why}", c.name),
                );
                return;
            }
            if state.people.search.index.is_empty() {
                state.say(
                    Level::Warn,
                    "the people index is still empty; wait for it to fill (see People, 2)",
                );
                return;
            }
            let cadence = (c.id, c.name.clone());
            let owner = someone_elses(c, state.team.me);
            let marked = state.people.search.marked.clone();
            let flow =
                EnrollFlow::for_cadence(cadence, owner, marked, &mut state.people.search.index);
            state.popup = Some(Popup::Enroll(Box::new(flow)));
        }
        View::Activity | View::Alerts => {
            state.say(Level::Info, "enroll from People (2) or from a cadence (1)")
        }
    }
}

/// Keys while the enrollment popup is open.
pub(crate) fn on_key(state: &mut AppState, key: &KeyEvent, fx: &mut Vec<Effect>) {
    let Some(Popup::Enroll(flow)) = &mut state.popup else {
        return;
    };
    let nav = if flow.typing() {
        match flow.edit(key, &mut state.people.search.index) {
            Edit::Changed | Edit::Moved => return,
            Edit::Ignored => raw_nav(key),
        }
    } else {
        // Buttons and the step list: the keymap, plus arrows/h/l for the buttons
        // and `u` for on whose behalf.
        match key.code {
            KeyCode::Char('u') if flow.confirm_focus().is_some() => {
                // pick_user orders them (the key's user first, then by name).
                let users: Vec<(u64, String)> = state
                    .team
                    .users
                    .iter()
                    .map(|(id, n)| (*id, n.clone()))
                    .collect();
                if let Err(why) = flow.pick_user(&users, state.team.me) {
                    state.say(Level::Warn, why);
                }
                return;
            }
            KeyCode::Left | KeyCode::Right | KeyCode::Char('h') | KeyCode::Char('l')
                if flow.confirm_focus().is_some() =>
            {
                Some(Nav::Toggle)
            }
            _ => state.keymap.action_for(key).and_then(action_nav),
        }
    };
    if let Some(nav) = nav {
        step(state, nav, fx);
    }
}

/// A keymap action while the popup is open (tests and remapped keys).
pub(crate) fn on_action(state: &mut AppState, action: Action, fx: &mut Vec<Effect>) {
    if let Some(nav) = action_nav(action) {
        step(state, nav, fx);
    }
}

/// Keys a focused picker input does not edit.
fn raw_nav(key: &KeyEvent) -> Option<Nav> {
    let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
    match key.code {
        KeyCode::Up => Some(Nav::Up),
        KeyCode::Down => Some(Nav::Down),
        KeyCode::Char('p') if ctrl => Some(Nav::Up),
        KeyCode::Char('n') if ctrl => Some(Nav::Down),
        KeyCode::PageUp | KeyCode::Home => Some(Nav::Top),
        KeyCode::PageDown | KeyCode::End => Some(Nav::Bottom),
        KeyCode::Enter => Some(Nav::Accept),
        KeyCode::Esc => Some(Nav::Back),
        KeyCode::Tab => Some(Nav::Toggle),
        _ => None,
    }
}

fn action_nav(action: Action) -> Option<Nav> {
    match action {
        Action::Up | Action::PageUp => Some(Nav::Up),
        Action::Down | Action::PageDown => Some(Nav::Down),
        Action::Top => Some(Nav::Top),
        Action::Bottom => Some(Nav::Bottom),
        Action::Enter => Some(Nav::Accept),
        Action::Back | Action::Quit => Some(Nav::Back),
        Action::Mark | Action::NextView | Action::PrevView => Some(Nav::Toggle),
        _ => None,
    }
}

fn step(state: &mut AppState, nav: Nav, fx: &mut Vec<Effect>) {
    let Some(Popup::Enroll(flow)) = &mut state.popup else {
        return;
    };
    let steps = flow
        .cadence
        .as_ref()
        .and_then(|(id, _)| state.cadences.steps.get(id))
        .map(Vec::as_slice);
    match flow.nav(nav, &state.people.search.index, steps) {
        FlowStep::Stay => {}
        FlowStep::Close => state.popup = None,
        FlowStep::Refuse(why) => state.say(Level::Warn, why),
        FlowStep::NeedSteps(cadence_id) => {
            fx.push(
                state
                    .request(Priority::Visible, Request::CadenceDetail { cadence_id })
                    .1,
            );
        }
        FlowStep::Submit {
            person_ids,
            cadence_id,
            step_id,
            user_id,
        } => {
            let Some(Popup::Enroll(flow)) = state.popup.take() else {
                return;
            };
            if state.session.read_only {
                state.say(Level::Warn, READ_ONLY);
                return;
            }
            if super::super::stored::offline(state) {
                let text = super::super::stored::offline_refusal(state);
                state.say(Level::Warn, text);
                return;
            }
            let (id, effect) = state.request(
                Priority::User,
                Request::Enroll {
                    person_ids,
                    cadence_id,
                    step_id,
                    user_id,
                },
            );
            let cadence_name = flow.cadence.map(|(_, n)| n).unwrap_or_default();
            state.tasks.list.push(EnrollTask {
                id,
                cadence_id,
                cadence_name,
                people: flow.people,
                outcomes: Vec::new(),
                finished: None,
                error: None,
                note: None,
            });
            if state.tasks.list.len() > 20 {
                state.tasks.list.remove(0);
            }
            state.tasks.dismissed = false;
            state.people.search.marked.clear();
            fx.push(effect);
        }
    }
}

pub(crate) fn on_task_finished(
    state: &mut AppState,
    id: RequestId,
    error: Option<String>,
    fx: &mut Vec<Effect>,
) {
    let now = state.clock.now;
    let Some(task) = state.tasks.list.iter_mut().find(|t| t.id == id) else {
        return;
    };
    task.finished = Some(now);
    task.error = error.clone();
    let cadence_id = task.cadence_id;
    let changed = task.succeeded() > 0;
    let people: Vec<u64> = task.people.iter().map(|(p, _)| *p).collect();
    let summary = task.summary();
    let level = match (&error, task.failed() + task.already()) {
        (Some(_), _) => Level::Error,
        (None, 0) => Level::Info,
        _ => Level::Warn,
    };
    let text = match error {
        Some(e) => format!("enrollment stopped: {e} ({summary})"),
        None => summary,
    };
    state.say(level, text);
    state.tasks.dismissed = false;
    if !changed {
        return;
    }
    // Memberships and counts changed: read them again where they are shown.
    if state
        .cadences
        .detail
        .as_ref()
        .is_some_and(|d| d.cadence_id == cadence_id)
    {
        nav::load_detail(state, fx);
    }
    if state
        .people
        .person
        .as_ref()
        .is_some_and(|p| people.contains(&p.person_id))
    {
        nav::load_person(state, fx);
    }
    nav::load_cadences(state, fx);
}
