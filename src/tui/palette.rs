//! The command palette (`:`, as in k9s and lazygit): the saved views ("view:
//! NAME") and every action of the keymap's registry by name, filtered as you
//! type (by name, description or key), run with enter, so nothing needs its key
//! remembered. Pure state; `update` runs the chosen action through the same path
//! as its key, or applies the view.

use crate::config::keymap::{Action, Keymap};
use crate::config::views::{SavedView, SkippedView};

use super::saved_held::SavedViews;
use super::text_input::TextInput;
use super::widgets::table::Cursor;

/// One row of the palette.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Entry {
    /// A saved view, by its place in the config's `[[views]]`.
    View(usize),
    /// A `[[views]]` entry that was skipped, by its place among those
    /// skipped: the row says why.
    Skipped(usize),
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

/// Whether a saved view matches every word of `filter`: "view", its name and
/// its table (cadences, people, detail).
pub fn view_matches(view: &SavedView, filter: &str) -> bool {
    words_in(
        &format!("view: {} {}", view.name, view.table.as_str()),
        filter,
    )
}

/// Whether a skipped entry matches: "view", its name, "skipped".
pub fn skipped_matches(skipped: &SkippedView, filter: &str) -> bool {
    let name = skipped.name.as_deref().unwrap_or_default();
    words_in(&format!("view: {name} skipped"), filter)
}

fn words_in(text: &str, filter: &str) -> bool {
    let text = text.to_lowercase();
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
    pub fn new(keymap: &Keymap, views: &SavedViews) -> Palette {
        let mut p = Palette {
            input: TextInput::default(),
            rows: Vec::new(),
            cursor: Cursor::default(),
        };
        p.refilter(keymap, views);
        p
    }

    /// Re-reads the rows after the filter changed; the cursor goes to the top.
    pub fn refilter(&mut self, keymap: &Keymap, saved: &SavedViews) {
        let filter = self.input.value().to_string();
        let views = saved
            .views
            .iter()
            .enumerate()
            .filter(|(_, v)| view_matches(v, &filter))
            .map(|(i, _)| Entry::View(i));
        let skipped = saved
            .skipped
            .iter()
            .enumerate()
            .filter(|(_, v)| skipped_matches(v, &filter))
            .map(|(i, _)| Entry::Skipped(i));
        let actions = Action::ALL
            .into_iter()
            .filter(|&a| a != Action::Palette && matches(keymap, a, &filter))
            .map(Entry::Action);
        self.rows = views.chain(skipped).chain(actions).collect();
        self.cursor.reset();
    }

    pub fn selected(&self) -> Option<Entry> {
        self.rows.get(self.cursor.selected).copied()
    }
}
