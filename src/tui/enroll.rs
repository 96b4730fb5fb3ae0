//! The enrollment flow as data: pick people (when starting from a cadence) or a
//! cadence (when starting from people), optionally a starting step, then confirm
//! with Cancel focused; from the confirm dialog `u` picks on whose behalf (a
//! teammate for a team cadence; a personal cadence takes people only for its
//! owner, who is then chosen for the user). Pure transitions; `update` sends the request and the popup
//! draws the stages. Also the task that follows a confirmed enrollment.

use std::collections::BTreeSet;

use crate::api::models::{Cadence, Step};

pub use super::choices::{CadenceChoice, cadence_choices, not_addable, someone_elses};
use super::pages::{LAY_OUT_HERE, SEARCH_LIMIT};
use super::text_input::{Edit, TextInput};
use super::widgets::table::Cursor;
use crate::search::{PeopleIndex, SearchHits};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConfirmFocus {
    Cancel,
    Confirm,
}

#[derive(Debug)]
pub enum Stage {
    PickPeople {
        query: TextInput,
        hits: SearchHits,
        cursor: Cursor,
        marked: BTreeSet<u64>,
    },
    PickCadence {
        filter: TextInput,
        rows: Vec<usize>,
        cursor: Cursor,
    },
    PickStep {
        cursor: Cursor,
    },
    /// On whose behalf: `rows` index `EnrollFlow::users`.
    PickUser {
        filter: TextInput,
        rows: Vec<usize>,
        cursor: Cursor,
    },
    Confirm {
        focus: ConfirmFocus,
    },
}

/// Navigation inside the popup, from keys or keymap actions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Nav {
    Up,
    Down,
    Top,
    Bottom,
    Accept,
    Back,
    /// Mark or unmark (people picker) / switch button (confirm).
    Toggle,
}

/// What the flow asks `update` to do after a step.
#[derive(Debug, Clone, PartialEq)]
pub enum FlowStep {
    Stay,
    Close,
    /// The step picker needs this cadence's steps.
    NeedSteps(u64),
    Refuse(String),
    Submit {
        person_ids: Vec<u64>,
        cadence_id: u64,
        step_id: Option<u64>,
        user_id: Option<u64>,
    },
}

#[derive(Debug)]
pub struct EnrollFlow {
    /// People to enroll (id, name).
    pub people: Vec<(u64, String)>,
    /// The cadence (id, name).
    pub cadence: Option<(u64, String)>,
    pub step: Option<(u64, String)>,
    pub choices: Vec<CadenceChoice>,
    pub stage: Stage,
    /// Started from a cadence: people are picked, not the cadence.
    pub from_cadence: bool,
    /// On whose behalf (`None`: the key's user).
    pub as_user: Option<u64>,
    /// The cadence is someone else's personal cadence: its owner, the only user
    /// it takes people for.
    pub owner: Option<u64>,
    /// The teammates the user picker lists (id, name), the key's user first.
    pub users: Vec<(u64, String)>,
}

/// A list picker's cursor moves (the other navigation does nothing here).
fn move_cursor(cursor: &mut Cursor, nav: Nav, len: usize) {
    match nav {
        Nav::Up => cursor.up(1),
        Nav::Down => cursor.down(1, len),
        Nav::Top => cursor.top(),
        Nav::Bottom => cursor.bottom(len),
        Nav::Accept | Nav::Back | Nav::Toggle => {}
    }
}

/// A filter's words, lower-cased: a row matches when its name holds them all.
fn words_of(filter: &str) -> Vec<String> {
    filter
        .to_lowercase()
        .split_whitespace()
        .map(String::from)
        .collect()
}

fn label(s: &Step) -> String {
    let name = s
        .name
        .clone()
        .or_else(|| s.display_name.clone())
        .unwrap_or_default();
    format!(
        "day {} · step {} · {} {}",
        s.day.map_or("?".into(), |d| d.to_string()),
        s.step_number.map_or("?".into(), |n| n.to_string()),
        s.step_type,
        name
    )
}

/// Steps in cadence order, as the picker lists them (after "first step").
pub fn ordered_steps(steps: &[Step]) -> Vec<&Step> {
    let mut v: Vec<&Step> = steps.iter().filter(|s| !s.disabled).collect();
    v.sort_by_key(|s| (s.day.unwrap_or(0), s.step_number.unwrap_or(0), s.id));
    v
}

pub fn step_label(s: &Step) -> String {
    label(s)
}

impl EnrollFlow {
    /// From People: these people, pick a cadence. `me` is the current user, once
    /// known (other reps' personal cadences are then disabled).
    pub fn for_people(
        people: Vec<(u64, String)>,
        cadences: &[Cadence],
        me: Option<u64>,
    ) -> EnrollFlow {
        let choices = cadence_choices(cadences, me);
        let rows = (0..choices.len()).collect();
        EnrollFlow {
            people,
            cadence: None,
            step: None,
            choices,
            stage: Stage::PickCadence {
                filter: TextInput::default(),
                rows,
                cursor: Cursor::default(),
            },
            from_cadence: false,
            as_user: None,
            owner: None,
            users: Vec::new(),
        }
    }

    /// From a cadence: pick people from the index (pre-marked: `marked`).
    /// `owner`: the cadence is someone else's personal cadence, owned by them.
    pub fn for_cadence(
        (id, name): (u64, String),
        owner: Option<u64>,
        marked: BTreeSet<u64>,
        index: &mut PeopleIndex,
    ) -> EnrollFlow {
        let hits = index.search("", SEARCH_LIMIT);
        EnrollFlow {
            people: Vec::new(),
            cadence: Some((id, name)),
            step: None,
            choices: Vec::new(),
            stage: Stage::PickPeople {
                query: TextInput::default(),
                hits,
                cursor: Cursor::default(),
                marked,
            },
            from_cadence: true,
            as_user: owner,
            owner,
            users: Vec::new(),
        }
    }

    /// The people picker's query, while people are picked.
    pub fn picking_query(&self) -> Option<&str> {
        match &self.stage {
            Stage::PickPeople { query, .. } => Some(query.value()),
            _ => None,
        }
    }

    /// Pickers with a filter keep their text input focused.
    pub fn typing(&self) -> bool {
        matches!(
            self.stage,
            Stage::PickPeople { .. } | Stage::PickCadence { .. } | Stage::PickUser { .. }
        )
    }

    pub fn confirm_focus(&self) -> Option<ConfirmFocus> {
        match self.stage {
            Stage::Confirm { focus } => Some(focus),
            _ => None,
        }
    }

    /// A key for the focused filter input; returns `Edit::Ignored` for keys it does
    /// not edit (the caller turns those into [`Nav`]).
    pub fn edit(&mut self, key: &crossterm::event::KeyEvent, index: &mut PeopleIndex) -> Edit {
        let edit = match &mut self.stage {
            Stage::PickPeople { query, .. } => query.handle_key(key),
            Stage::PickCadence { filter, .. } | Stage::PickUser { filter, .. } => {
                filter.handle_key(key)
            }
            _ => Edit::Ignored,
        };
        if edit == Edit::Changed {
            self.refilter(index);
        }
        edit
    }

    pub fn paste(&mut self, text: &str, index: &mut PeopleIndex) {
        match &mut self.stage {
            Stage::PickPeople { query, .. } => query.insert_str(text),
            Stage::PickCadence { filter, .. } | Stage::PickUser { filter, .. } => {
                filter.insert_str(text)
            }
            _ => return,
        }
        self.refilter(index);
    }

    /// Re-runs the picker's filter after its text changed.
    pub fn refilter(&mut self, index: &mut PeopleIndex) {
        match &mut self.stage {
            Stage::PickPeople {
                query,
                hits,
                cursor,
                ..
            } => {
                // Too many people to lay out here: the worker does, and the
                // laid-out index filters again (`refreshed`).
                if let Some(found) = index.search_within(query.value(), SEARCH_LIMIT, LAY_OUT_HERE)
                {
                    *hits = found;
                    cursor.reset();
                }
            }
            Stage::PickCadence {
                filter,
                rows,
                cursor,
            } => {
                let words = words_of(filter.value());
                *rows = (0..self.choices.len())
                    .filter(|&i| {
                        let name = self.choices[i].name.to_lowercase();
                        words.iter().all(|w| name.contains(w.as_str()))
                    })
                    .collect();
                cursor.reset();
            }
            Stage::PickUser {
                filter,
                rows,
                cursor,
            } => {
                let words = words_of(filter.value());
                *rows = (0..self.users.len())
                    .filter(|&i| {
                        let name = self.users[i].1.to_lowercase();
                        words.iter().all(|w| name.contains(w.as_str()))
                    })
                    .collect();
                cursor.reset();
            }
            _ => {}
        }
    }

    /// One navigation step. `steps` are the chosen cadence's steps when known.
    pub fn nav(&mut self, nav: Nav, index: &PeopleIndex, steps: Option<&[Step]>) -> FlowStep {
        match &mut self.stage {
            Stage::PickPeople {
                hits,
                cursor,
                marked,
                ..
            } => {
                let len = hits.hits.len();
                match nav {
                    Nav::Up | Nav::Down | Nav::Top | Nav::Bottom => move_cursor(cursor, nav, len),
                    Nav::Toggle => {
                        if let Some(p) = hits.hits.get(cursor.selected).and_then(|&i| index.get(i))
                        {
                            if !marked.remove(&p.id) {
                                marked.insert(p.id);
                            }
                            cursor.down(1, len);
                        }
                    }
                    Nav::Back => return FlowStep::Close,
                    Nav::Accept => {
                        let mut ids: Vec<u64> = marked.iter().copied().collect();
                        if ids.is_empty()
                            && let Some(p) =
                                hits.hits.get(cursor.selected).and_then(|&i| index.get(i))
                        {
                            ids.push(p.id);
                        }
                        if ids.is_empty() {
                            return FlowStep::Refuse("pick someone first (type to search)".into());
                        }
                        self.people = ids
                            .into_iter()
                            .map(|id| {
                                (
                                    id,
                                    index
                                        .by_id(id)
                                        .map_or(format!("person {id}"), |p| p.name.clone()),
                                )
                            })
                            .collect();
                        return self.step_picker(steps);
                    }
                }
                FlowStep::Stay
            }
            Stage::PickCadence { rows, cursor, .. } => {
                let len = rows.len();
                match nav {
                    Nav::Up | Nav::Down | Nav::Top | Nav::Bottom => move_cursor(cursor, nav, len),
                    Nav::Toggle => {}
                    Nav::Back => return FlowStep::Close,
                    Nav::Accept => {
                        let Some(choice) =
                            rows.get(cursor.selected).map(|&i| self.choices[i].clone())
                        else {
                            return FlowStep::Refuse("no cadence matches the filter".into());
                        };
                        if let Some(why) = choice.disabled {
                            return FlowStep::Refuse(format!(
                                "people cannot be added to \"{}\": {why}",
                                choice.name
                            ));
                        }
                        self.cadence = Some((choice.id, choice.name));
                        self.owner = choice.owner;
                        self.as_user = choice.owner;
                        return self.step_picker(None);
                    }
                }
                FlowStep::Stay
            }
            Stage::PickStep { cursor } => {
                let ordered = steps.map(ordered_steps).unwrap_or_default();
                let len = ordered.len() + 1;
                match nav {
                    Nav::Up | Nav::Down | Nav::Top | Nav::Bottom => move_cursor(cursor, nav, len),
                    Nav::Toggle => {}
                    Nav::Back => return self.back(index),
                    Nav::Accept => {
                        self.step = match cursor.selected {
                            0 => None,
                            n => ordered.get(n - 1).map(|s| (s.id, label(s))),
                        };
                        self.stage = Stage::Confirm {
                            focus: ConfirmFocus::Cancel,
                        };
                    }
                }
                FlowStep::Stay
            }
            Stage::PickUser { rows, cursor, .. } => {
                let len = rows.len();
                match nav {
                    Nav::Up | Nav::Down | Nav::Top | Nav::Bottom => move_cursor(cursor, nav, len),
                    Nav::Toggle => {}
                    Nav::Back => self.back_to_confirm(),
                    Nav::Accept => {
                        let Some(&(id, _)) = rows.get(cursor.selected).map(|&i| &self.users[i])
                        else {
                            return FlowStep::Refuse("no teammate matches the filter".into());
                        };
                        // The first row is the key's own user: the default.
                        self.as_user = (rows.get(cursor.selected) != Some(&0)).then_some(id);
                        self.back_to_confirm();
                    }
                }
                FlowStep::Stay
            }
            Stage::Confirm { focus } => match nav {
                Nav::Toggle | Nav::Up | Nav::Down | Nav::Top | Nav::Bottom => {
                    *focus = match focus {
                        ConfirmFocus::Cancel => ConfirmFocus::Confirm,
                        ConfirmFocus::Confirm => ConfirmFocus::Cancel,
                    };
                    FlowStep::Stay
                }
                Nav::Back => FlowStep::Close,
                Nav::Accept => match (*focus, &self.cadence) {
                    (ConfirmFocus::Confirm, Some((cadence_id, _))) => FlowStep::Submit {
                        person_ids: self.people.iter().map(|(id, _)| *id).collect(),
                        cadence_id: *cadence_id,
                        step_id: self.step.as_ref().map(|(id, _)| *id),
                        user_id: self.as_user,
                    },
                    _ => FlowStep::Close,
                },
            },
        }
    }

    fn back_to_confirm(&mut self) {
        self.stage = Stage::Confirm {
            focus: ConfirmFocus::Cancel,
        };
    }

    /// From the confirm dialog: pick on whose behalf. `users` are the team's
    /// (id, name), `me` the key's user (listed first, as the default). A personal
    /// cadence takes people only for its owner: refused in words.
    pub fn pick_user(&mut self, users: &[(u64, String)], me: Option<u64>) -> Result<(), String> {
        if !matches!(self.stage, Stage::Confirm { .. }) {
            return Ok(());
        }
        if let Some(owner) = self.owner {
            return Err(format!(
                "a personal cadence takes people only on its owner's behalf (user {owner})"
            ));
        }
        let Some(me) = me else {
            return Err("who the key belongs to is still loading; try again in a moment".into());
        };
        let mine = users
            .iter()
            .find(|(id, _)| *id == me)
            .map_or_else(|| format!("user {me}"), |(_, n)| n.clone());
        let mut others: Vec<(u64, String)> =
            users.iter().filter(|(id, _)| *id != me).cloned().collect();
        others.sort_by_key(|(id, n)| (n.to_lowercase(), *id));
        self.users = std::iter::once((me, format!("{mine} (you)")))
            .chain(others)
            .collect();
        let selected = self
            .as_user
            .and_then(|u| self.users.iter().position(|(id, _)| *id == u))
            .unwrap_or(0);
        let mut cursor = Cursor::default();
        cursor.down(selected, self.users.len());
        self.stage = Stage::PickUser {
            filter: TextInput::default(),
            rows: (0..self.users.len()).collect(),
            cursor,
        };
        Ok(())
    }

    fn step_picker(&mut self, steps: Option<&[Step]>) -> FlowStep {
        self.stage = Stage::PickStep {
            cursor: Cursor::default(),
        };
        match (&self.cadence, steps) {
            (Some((id, _)), None) => FlowStep::NeedSteps(*id),
            _ => FlowStep::Stay,
        }
    }

    /// From the step picker back to the previous picker.
    fn back(&mut self, index: &PeopleIndex) -> FlowStep {
        if self.from_cadence {
            let marked: BTreeSet<u64> = self.people.iter().map(|(id, _)| *id).collect();
            let hits = SearchHits {
                total: index.len().min(SEARCH_LIMIT),
                hits: (0..index.len().min(SEARCH_LIMIT)).collect(),
            };
            self.stage = Stage::PickPeople {
                query: TextInput::default(),
                hits,
                cursor: Cursor::default(),
                marked,
            };
        } else {
            self.cadence = None;
            self.owner = None;
            self.as_user = None;
            let rows = (0..self.choices.len()).collect();
            self.stage = Stage::PickCadence {
                filter: TextInput::default(),
                rows,
                cursor: Cursor::default(),
            };
        }
        FlowStep::Stay
    }
}
