//! The command palette (`:`, as in k9s and lazygit): the saved views ("view:
//! NAME") and every action of the keymap's registry by name, filtered as you
//! type (by name, description or key), run with enter, so nothing needs its key
//! remembered. Pure state; `update` runs the chosen action through the same path
//! as its key, or applies the view.

use crate::config::keymap::{Action, Keymap};
use crate::config::views::SavedView;

use super::text_input::TextInput;
use super::widgets::table::Cursor;

/// One row of the palette.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Entry {
    /// A saved view, by its place in the config's `[[views]]`.
    View(usize),
    Action(Action),
}

#[derive(Debug)]
pub struct Palette {
    pub input: TextInput,
    /// The saved views matching the filter, then the actions, in the
    /// registry's (help's) order.
    pub rows: Vec<Entry>,
    pub cursor: Cursor,
}

/// Whether a saved view matches every word of `filter`: "view" and its name.
pub fn view_matches(view: &SavedView, filter: &str) -> bool {
    let text = format!("view: {}", view.name).to_lowercase();
    filter
        .to_lowercase()
        .split_whitespace()
        .all(|w| text.contains(w))
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
    pub fn new(keymap: &Keymap, views: &[SavedView]) -> Palette {
        let mut p = Palette {
            input: TextInput::default(),
            rows: Vec::new(),
            cursor: Cursor::default(),
        };
        p.refilter(keymap, views);
        p
    }

    /// Re-reads the rows after the filter changed; the cursor goes to the top.
    pub fn refilter(&mut self, keymap: &Keymap, views: &[SavedView]) {
        let filter = self.input.value().to_string();
        let views = views
            .iter()
            .enumerate()
            .filter(|(_, v)| view_matches(v, &filter))
            .map(|(i, _)| Entry::View(i));
        let actions = Action::ALL
            .into_iter()
            .filter(|&a| a != Action::Palette && matches(keymap, a, &filter))
            .map(Entry::Action);
        self.rows = views.chain(actions).collect();
        self.cursor.reset();
    }

    pub fn selected(&self) -> Option<Entry> {
        self.rows.get(self.cursor.selected).copied()
    }
}
