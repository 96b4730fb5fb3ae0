//! Actions and the keymap: defaults, config overrides, lookups and help text.

use std::collections::{BTreeMap, HashMap};

use crossterm::event::{KeyEvent, KeyEventKind};
use serde::Deserialize;
use serde::de::{self, Deserializer};

use super::ConfigError;
pub use super::keys::{Key, KeySpec};

macro_rules! actions {
    ($($variant:ident => $name:literal, [$($key:literal),*], $desc:literal;)*) => {
        /// Everything a key can do in the TUI.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Action {
            $($variant,)*
        }

        impl Action {
            /// Every action, in help-screen order.
            pub const ALL: [Action; [$(Action::$variant),*].len()] = [$(Action::$variant),*];

            /// The name used in `[keys]`.
            pub fn name(self) -> &'static str {
                match self {
                    $(Action::$variant => $name,)*
                }
            }

            /// One line for the help screen.
            pub fn description(self) -> &'static str {
                match self {
                    $(Action::$variant => $desc,)*
                }
            }

            /// The keys bound when the config does not say otherwise.
            pub fn default_keys(self) -> &'static [&'static str] {
                match self {
                    $(Action::$variant => &[$($key),*],)*
                }
            }
        }
    };
}

actions! {
    Quit => "quit", ["q", "ctrl-c"], "quit";
    Help => "help", ["?"], "show or hide this help";
    Palette => "palette", [":"], "command palette: run any action by name";
    Up => "move_up", ["k", "up"], "move up";
    Down => "move_down", ["j", "down"], "move down";
    Top => "go_top", ["g", "home"], "go to the first row";
    Bottom => "go_bottom", ["G", "end"], "go to the last row";
    PageDown => "page_down", ["ctrl-d", "pgdown"], "half a page down";
    PageUp => "page_up", ["ctrl-u", "pgup"], "half a page up";
    NextView => "next_view", ["tab"], "next view";
    PrevView => "prev_view", ["backtab"], "previous view";
    View1 => "view_1", ["1"], "view 1: cadences";
    View2 => "view_2", ["2"], "view 2: people";
    View3 => "view_3", ["3"], "view 3: live activity";
    View4 => "view_4", ["4"], "view 4: alerts (the config's [[alerts]] rules)";
    Enter => "enter", ["enter"], "open the selected row";
    SwitchPane => "switch_pane", ["w"], "cadence detail: jump between the steps and the people";
    Back => "back", ["esc"], "go back, close a popup, clear the filter";
    Filter => "filter", ["/"], "filter or search";
    Refresh => "refresh", ["r"], "refresh this view (or try a refused key again)";
    RefreshAll => "refresh_all", ["R"], "refresh everything";
    Freeze => "freeze", ["f"], "freeze or resume live data";
    Chart => "chart", ["v"], "detail and activity chart: live, daily, weekly";
    Enroll => "enroll", ["e"], "enroll marked/selected people; on a cadence: add people";
    ToggleIds => "toggle_ids", ["i"], "show or hide the id column (cadences, people)";
    Yank => "yank", ["y"], "copy the row's id; again: its name, then email";
    Export => "export", ["x"], "write the table in focus, as shown, to a CSV file";
    SaveView => "save_view", ["V"], "save this view (cadences, people search, detail) by name";
    ExportTemplates => "export_templates", ["X"], "detail: the selected step's templates to a CSV file";
    Mark => "mark", ["space"], "mark or unmark the selected person, then move down";
    SortNext => "sort_next", ["s"], "sort by the next column";
    SortReverse => "sort_reverse", ["S"], "reverse the sort order";
    CycleState => "cycle_state", ["c"], "cycle the state filter (all, active, draft, archived)";
    CycleRange => "cycle_range", ["t"], "cycle the time range (7, 30, 90 days, all)";
}

impl Action {
    pub fn from_name(name: &str) -> Option<Action> {
        Action::ALL.into_iter().find(|a| a.name() == name)
    }
}

/// Which key does what. Built from the defaults plus the config's `[keys]` overrides: an
/// override replaces every default key of its action, and takes its keys away from any
/// other action's defaults.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Keymap {
    by_key: HashMap<Key, Action>,
    keys: BTreeMap<Action, Vec<Key>>,
}

impl Default for Keymap {
    fn default() -> Self {
        Keymap::from_config(&HashMap::new()).expect("the default keymap is valid")
    }
}

impl Keymap {
    pub fn from_config(overrides: &HashMap<String, KeySpec>) -> Result<Keymap, ConfigError> {
        let mut replaced: BTreeMap<Action, Vec<Key>> = BTreeMap::new();
        for (name, spec) in overrides {
            let action = Action::from_name(name).ok_or_else(|| unknown_action(name.clone()))?;
            let keys = parse_keys(action, &spec.keys())?;
            if keys.is_empty() && action == Action::Quit {
                return Err(ConfigError::BadKey {
                    action: action.name().to_string(),
                    key: "[]".to_string(),
                    reason: "quit needs at least one key, or only a signal could end the dashboard"
                        .to_string(),
                });
            }
            replaced.insert(action, keys);
        }
        let mut by_key: HashMap<Key, Action> = HashMap::new();
        // BTreeMap order: conflicts are reported the same way every time.
        for (&action, keys) in &replaced {
            for &key in keys {
                if let Some(first) = by_key.insert(key, action)
                    && first != action
                {
                    return Err(ConfigError::KeyConflict {
                        key: key.label(),
                        first: first.name().to_string(),
                        second: action.name().to_string(),
                    });
                }
            }
        }
        let mut keys = replaced;
        for action in Action::ALL {
            if keys.contains_key(&action) {
                continue;
            }
            let defaults: Vec<Key> = parse_keys(action, action.default_keys())?
                .into_iter()
                .filter(|k| !by_key.contains_key(k))
                .collect();
            keys.insert(action, defaults);
        }
        for (&action, ks) in &keys {
            for &k in ks {
                by_key.entry(k).or_insert(action);
            }
        }
        Ok(Keymap { by_key, keys })
    }

    /// The action of a key press (or repeat); releases map to nothing.
    pub fn action_for(&self, event: &KeyEvent) -> Option<Action> {
        if event.kind == KeyEventKind::Release {
            return None;
        }
        self.by_key.get(&Key::from_event(event)).copied()
    }

    /// Labels of the keys bound to an action, like `["j", "↓"]`; empty when unbound.
    pub fn keys_for(&self, action: Action) -> Vec<String> {
        self.keys
            .get(&action)
            .map(|ks| ks.iter().map(Key::label).collect())
            .unwrap_or_default()
    }

    /// The first key of an action, for a status-bar hint; `None` when unbound.
    pub fn hint(&self, action: Action) -> Option<String> {
        self.keys
            .get(&action)
            .and_then(|ks| ks.first())
            .map(Key::label)
    }

    /// Every action with its keys, in help order, from the live keymap.
    pub fn bindings(&self) -> Vec<(Action, Vec<String>)> {
        Action::ALL
            .into_iter()
            .map(|a| (a, self.keys_for(a)))
            .collect()
    }
}

fn parse_keys(action: Action, strings: &[&str]) -> Result<Vec<Key>, ConfigError> {
    let mut keys: Vec<Key> = Vec::new();
    for s in strings {
        let key = Key::parse(s).map_err(|reason| ConfigError::BadKey {
            action: action.name().to_string(),
            key: s.to_string(),
            reason,
        })?;
        if !keys.contains(&key) {
            keys.push(key);
        }
    }
    Ok(keys)
}

/// A `[keys]` entry names no action: the error lists the ones there are.
fn unknown_action(name: String) -> ConfigError {
    let known = Action::ALL.map(|a| a.name()).join(", ");
    ConfigError::UnknownAction { name, known }
}

/// Deserializes `[keys]`, reporting an unknown action name at its line.
pub(crate) fn deserialize_keys<'de, D: Deserializer<'de>>(
    d: D,
) -> Result<HashMap<String, KeySpec>, D::Error> {
    struct ActionName(String);
    impl<'de> Deserialize<'de> for ActionName {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            let name = String::deserialize(d)?;
            match Action::from_name(&name) {
                Some(_) => Ok(ActionName(name)),
                None => Err(de::Error::custom(unknown_action(name))),
            }
        }
    }
    impl PartialEq for ActionName {
        fn eq(&self, o: &Self) -> bool {
            self.0 == o.0
        }
    }
    impl Eq for ActionName {}
    impl std::hash::Hash for ActionName {
        fn hash<H: std::hash::Hasher>(&self, h: &mut H) {
            self.0.hash(h)
        }
    }
    let map: HashMap<ActionName, KeySpec> = HashMap::deserialize(d)?;
    Ok(map.into_iter().map(|(k, v)| (k.0, v)).collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crossterm::event::{KeyCode, KeyEventState, KeyModifiers};

    fn press(code: KeyCode, modifiers: KeyModifiers) -> KeyEvent {
        KeyEvent {
            code,
            modifiers,
            kind: KeyEventKind::Press,
            state: KeyEventState::NONE,
        }
    }

    fn ch(c: char) -> KeyEvent {
        press(KeyCode::Char(c), KeyModifiers::NONE)
    }

    fn overrides(pairs: &[(&str, KeySpec)]) -> HashMap<String, KeySpec> {
        pairs
            .iter()
            .map(|(a, k)| (a.to_string(), k.clone()))
            .collect()
    }

    #[test]
    fn defaults_cover_the_conventions() {
        let km = Keymap::default();
        assert_eq!(km.action_for(&ch('j')), Some(Action::Down));
        assert_eq!(
            km.action_for(&press(KeyCode::Down, KeyModifiers::NONE)),
            Some(Action::Down)
        );
        assert_eq!(
            km.action_for(&press(KeyCode::Char('G'), KeyModifiers::SHIFT)),
            Some(Action::Bottom)
        );
        assert_eq!(
            km.action_for(&press(KeyCode::Char('d'), KeyModifiers::CONTROL)),
            Some(Action::PageDown)
        );
        assert_eq!(km.action_for(&ch('d')), None);
        assert_eq!(
            km.action_for(&press(KeyCode::BackTab, KeyModifiers::SHIFT)),
            Some(Action::PrevView)
        );
        assert_eq!(km.action_for(&ch(' ')), Some(Action::Mark));
        assert_eq!(km.action_for(&ch('R')), Some(Action::RefreshAll));
        let release = KeyEvent {
            kind: KeyEventKind::Release,
            ..ch('q')
        };
        assert_eq!(km.action_for(&release), None);
        assert_eq!(km.keys_for(Action::Down), vec!["j", "↓"]);
        assert_eq!(km.keys_for(Action::PageUp), vec!["ctrl-u", "pgup"]);
    }

    #[test]
    fn every_action_has_a_unique_name_and_default_keys_do_not_clash() {
        let km = Keymap::default();
        let mut seen = std::collections::HashSet::new();
        let mut bound = 0;
        for a in Action::ALL {
            assert!(seen.insert(a.name()), "duplicate name {}", a.name());
            assert_eq!(Action::from_name(a.name()), Some(a));
            assert!(!a.description().is_empty());
            assert_eq!(km.keys_for(a).len(), a.default_keys().len(), "{}", a.name());
            bound += a.default_keys().len();
        }
        assert_eq!(km.by_key.len(), bound, "two actions share a default key");
    }

    #[test]
    fn override_replaces_defaults_and_steals_keys() {
        let km = Keymap::from_config(&overrides(&[
            (
                "move_down",
                KeySpec::Many(vec!["n".into(), "ctrl-n".into()]),
            ),
            ("quit", KeySpec::One("x".into())),
            ("filter", KeySpec::One("f".into())),
        ]))
        .unwrap();
        assert_eq!(km.action_for(&ch('n')), Some(Action::Down));
        assert_eq!(
            km.action_for(&ch('j')),
            None,
            "defaults of an overridden action are gone"
        );
        assert_eq!(km.action_for(&ch('q')), None);
        assert_eq!(km.action_for(&ch('x')), Some(Action::Quit));
        assert_eq!(km.action_for(&ch('f')), Some(Action::Filter));
        assert_eq!(
            km.keys_for(Action::Freeze),
            Vec::<String>::new(),
            "f was taken by filter"
        );
        assert_eq!(km.hint(Action::Freeze), None);
        let help = km.bindings();
        assert_eq!(help.len(), Action::ALL.len());
        let down = help.iter().find(|(a, _)| *a == Action::Down).cloned();
        assert_eq!(
            down,
            Some((Action::Down, vec!["n".to_string(), "ctrl-n".to_string()]))
        );
    }

    #[test]
    fn bad_overrides_are_named() {
        let err =
            Keymap::from_config(&overrides(&[("jump", KeySpec::One("j".into()))])).unwrap_err();
        assert!(
            err.to_string().contains("`jump`") && err.to_string().contains("move_down"),
            "{err}"
        );
        let err = Keymap::from_config(&overrides(&[("quit", KeySpec::One("ctrl-qq".into()))]))
            .unwrap_err();
        assert!(
            matches!(&err, ConfigError::BadKey { action, key, .. } if action == "quit" && key == "ctrl-qq"),
            "{err}"
        );
        let err = Keymap::from_config(&overrides(&[
            ("quit", KeySpec::One("x".into())),
            ("help", KeySpec::One("x".into())),
        ]))
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "key `x` is bound to both `quit` and `help` in [keys]"
        );
    }

    #[test]
    fn quit_cannot_be_left_without_a_key() {
        let err =
            Keymap::from_config(&overrides(&[("quit", KeySpec::Many(Vec::new()))])).unwrap_err();
        assert!(
            matches!(&err, ConfigError::BadKey { action, .. } if action == "quit"),
            "{err}"
        );
        assert!(err.to_string().contains("at least one key"), "{err}");
        // Other actions may be unbound on purpose.
        let km = Keymap::from_config(&overrides(&[("freeze", KeySpec::Many(Vec::new()))]))
            .expect("unbinding freeze is allowed");
        assert!(km.keys_for(Action::Freeze).is_empty());
    }
}
