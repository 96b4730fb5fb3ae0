//! A one-line text input (filters and search). While an input has focus every
//! printable key edits it; only the editing keys below and esc/enter/arrows act.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TextInput {
    value: String,
    /// Cursor position in chars.
    cursor: usize,
}

/// What a key did to an input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Edit {
    /// The text changed.
    Changed,
    /// The key was an editing key but changed nothing (cursor moves, backspace at 0).
    Moved,
    /// Not an editing key: the caller decides (esc, enter, up/down...).
    Ignored,
}

/// The editing keys, for the help screen (they are fixed, not remappable).
pub const EDIT_KEYS: &[(&str, &str)] = &[
    (
        "type",
        "edit the text (action keys do nothing while typing)",
    ),
    ("enter", "keep the text and leave the input"),
    ("esc", "clear the text and leave the input"),
    ("↑/↓", "move the selection while typing"),
    ("←/→ home/end", "move the text cursor"),
    ("backspace/del", "delete a character"),
    ("ctrl-w", "delete the previous word"),
    ("ctrl-u", "clear the input"),
];

impl TextInput {
    pub fn new(value: &str) -> TextInput {
        TextInput {
            value: value.to_string(),
            cursor: value.chars().count(),
        }
    }

    pub fn value(&self) -> &str {
        &self.value
    }

    pub fn is_empty(&self) -> bool {
        self.value.is_empty()
    }

    /// Cursor position in chars, for drawing.
    pub fn cursor(&self) -> usize {
        self.cursor
    }

    pub fn clear(&mut self) {
        self.value.clear();
        self.cursor = 0;
    }

    fn byte_at(&self, char_pos: usize) -> usize {
        self.value
            .char_indices()
            .nth(char_pos)
            .map_or(self.value.len(), |(i, _)| i)
    }

    pub fn insert_str(&mut self, s: &str) {
        // Pasted newlines and tabs would break a one-line input.
        let clean: String = s.chars().filter(|c| !c.is_control()).collect();
        let at = self.byte_at(self.cursor);
        self.value.insert_str(at, &clean);
        self.cursor += clean.chars().count();
    }

    pub fn handle_key(&mut self, key: &KeyEvent) -> Edit {
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        let len = self.value.chars().count();
        match key.code {
            KeyCode::Char('u') if ctrl => {
                if self.value.is_empty() {
                    return Edit::Moved;
                }
                self.clear();
                Edit::Changed
            }
            KeyCode::Char('w') if ctrl => {
                let chars: Vec<char> = self.value.chars().collect();
                let mut start = self.cursor;
                while start > 0 && chars[start - 1].is_whitespace() {
                    start -= 1;
                }
                while start > 0 && !chars[start - 1].is_whitespace() {
                    start -= 1;
                }
                if start == self.cursor {
                    return Edit::Moved;
                }
                let (a, b) = (self.byte_at(start), self.byte_at(self.cursor));
                self.value.replace_range(a..b, "");
                self.cursor = start;
                Edit::Changed
            }
            KeyCode::Char('a') if ctrl => {
                self.cursor = 0;
                Edit::Moved
            }
            KeyCode::Char('e') if ctrl => {
                self.cursor = len;
                Edit::Moved
            }
            KeyCode::Char(c) if !ctrl && !key.modifiers.contains(KeyModifiers::ALT) => {
                let at = self.byte_at(self.cursor);
                self.value.insert(at, c);
                self.cursor += 1;
                Edit::Changed
            }
            KeyCode::Backspace => {
                if self.cursor == 0 {
                    return Edit::Moved;
                }
                let (a, b) = (self.byte_at(self.cursor - 1), self.byte_at(self.cursor));
                self.value.replace_range(a..b, "");
                self.cursor -= 1;
                Edit::Changed
            }
            KeyCode::Delete => {
                if self.cursor >= len {
                    return Edit::Moved;
                }
                let (a, b) = (self.byte_at(self.cursor), self.byte_at(self.cursor + 1));
                self.value.replace_range(a..b, "");
                Edit::Changed
            }
            KeyCode::Left => {
                self.cursor = self.cursor.saturating_sub(1);
                Edit::Moved
            }
            KeyCode::Right => {
                self.cursor = (self.cursor + 1).min(len);
                Edit::Moved
            }
            KeyCode::Home => {
                self.cursor = 0;
                Edit::Moved
            }
            KeyCode::End => {
                self.cursor = len;
                Edit::Moved
            }
            _ => Edit::Ignored,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(code: KeyCode) -> KeyEvent {
        KeyEvent::new(code, KeyModifiers::NONE)
    }

    fn ctrl(c: char) -> KeyEvent {
        KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL)
    }

    #[test]
    fn typing_editing_and_words() {
        let mut t = TextInput::default();
        for c in "ada lové".chars() {
            assert_eq!(t.handle_key(&key(KeyCode::Char(c))), Edit::Changed);
        }
        assert_eq!(t.value(), "ada lové");
        t.handle_key(&key(KeyCode::Backspace));
        assert_eq!(t.value(), "ada lov");
        t.handle_key(&key(KeyCode::Left));
        t.handle_key(&key(KeyCode::Left));
        t.handle_key(&key(KeyCode::Char('X')));
        assert_eq!(t.value(), "ada lXov");
        assert_eq!(t.handle_key(&ctrl('w')), Edit::Changed);
        assert_eq!(t.value(), "ada ov");
        assert_eq!(t.handle_key(&key(KeyCode::Esc)), Edit::Ignored);
        assert_eq!(t.handle_key(&key(KeyCode::Enter)), Edit::Ignored);
        assert_eq!(t.handle_key(&key(KeyCode::Down)), Edit::Ignored);
        t.handle_key(&ctrl('u'));
        assert!(t.is_empty());
        assert_eq!(t.handle_key(&key(KeyCode::Backspace)), Edit::Moved);
    }

    #[test]
    fn paste_drops_control_characters() {
        let mut t = TextInput::new("a");
        t.insert_str("b\nc\t");
        assert_eq!(t.value(), "abc");
        assert_eq!(t.cursor(), 3);
    }
}
