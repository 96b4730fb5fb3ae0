//! The command palette (`:`, as in k9s and lazygit): every action of the keymap's
//! registry by name, filtered as you type (by name, description or key), run
//! with enter, so nothing needs its key remembered. Pure state; `update` runs the
//! chosen action through the same path as its key.

use crate::config::keymap::{Action, Keymap};

use super::text_input::TextInput;
use super::widgets::table::Cursor;

#[derive(Debug)]
pub struct Palette {
    pub input: TextInput,
    /// The actions matching the filter, in the registry's (help's) order.
    pub rows: Vec<Action>,
    pub cursor: Cursor,
}

/// Whether `action` matches every word of `filter` (case-insensitive) in its
/// name, its description or one of its keys.
pub fn matches(keymap: &Keymap, action: Action, filter: &str) -> bool {
    let text = format!(
        "{} {} {}",
        action.name().replace('_', " "),
        action.description(),
        keymap.keys_for(action).join(" ")
    )
    .to_lowercase();
    filter
        .to_lowercase()
        .split_whitespace()
        .all(|w| text.contains(w))
}

impl Palette {
    pub fn new(keymap: &Keymap) -> Palette {
        let mut p = Palette {
            input: TextInput::default(),
            rows: Vec::new(),
            cursor: Cursor::default(),
        };
        p.refilter(keymap);
        p
    }

    /// Re-reads the rows after the filter changed; the cursor goes to the top.
    pub fn refilter(&mut self, keymap: &Keymap) {
        let filter = self.input.value().to_string();
        self.rows = Action::ALL
            .into_iter()
            .filter(|&a| a != Action::Palette && matches(keymap, a, &filter))
            .collect();
        self.cursor.reset();
    }

    pub fn selected(&self) -> Option<Action> {
        self.rows.get(self.cursor.selected).copied()
    }
}
