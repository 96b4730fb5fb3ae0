//! Key strings from the config ("q", "ctrl-d", "pgdown", "f1") and their labels.

use std::fmt;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use serde::de::{self, Deserializer, SeqAccess, Visitor};
use serde::{Deserialize, Serialize};

/// A key with its modifiers, normalized so that a parsed key string and a terminal
/// event compare equal: a character carries its own case (no SHIFT), `backtab` has no
/// SHIFT, and only ctrl, alt and shift are kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Key {
    pub code: KeyCode,
    pub modifiers: KeyModifiers,
}

const NAMED: &[(&str, KeyCode)] = &[
    ("enter", KeyCode::Enter),
    ("return", KeyCode::Enter),
    ("esc", KeyCode::Esc),
    ("escape", KeyCode::Esc),
    ("tab", KeyCode::Tab),
    ("backtab", KeyCode::BackTab),
    ("space", KeyCode::Char(' ')),
    ("up", KeyCode::Up),
    ("down", KeyCode::Down),
    ("left", KeyCode::Left),
    ("right", KeyCode::Right),
    ("pgup", KeyCode::PageUp),
    ("pageup", KeyCode::PageUp),
    ("pgdown", KeyCode::PageDown),
    ("pagedown", KeyCode::PageDown),
    ("home", KeyCode::Home),
    ("end", KeyCode::End),
    ("backspace", KeyCode::Backspace),
    ("delete", KeyCode::Delete),
    ("del", KeyCode::Delete),
    ("insert", KeyCode::Insert),
    ("ins", KeyCode::Insert),
];

const HOW: &str = "use one character (\"q\", \"G\", \"/\") or a name: enter, esc, tab, backtab, \
                   space, up, down, left, right, pgup, pgdown, home, end, backspace, delete, \
                   insert, f1..f24; with optional ctrl-, alt-, shift- prefixes";

impl Key {
    pub fn new(code: KeyCode, modifiers: KeyModifiers) -> Key {
        let mut modifiers =
            modifiers & (KeyModifiers::CONTROL | KeyModifiers::ALT | KeyModifiers::SHIFT);
        let code = match code {
            KeyCode::Char(c) if modifiers.contains(KeyModifiers::SHIFT) => {
                modifiers.remove(KeyModifiers::SHIFT);
                KeyCode::Char(c.to_uppercase().next().unwrap_or(c))
            }
            KeyCode::Tab if modifiers.contains(KeyModifiers::SHIFT) => {
                modifiers.remove(KeyModifiers::SHIFT);
                KeyCode::BackTab
            }
            KeyCode::BackTab => {
                modifiers.remove(KeyModifiers::SHIFT);
                KeyCode::BackTab
            }
            other => other,
        };
        Key { code, modifiers }
    }

    pub fn from_event(event: &KeyEvent) -> Key {
        Key::new(event.code, event.modifiers)
    }

    /// Parses a key string; the error says what is accepted.
    pub fn parse(text: &str) -> Result<Key, String> {
        let mut rest = text.trim();
        if rest.is_empty() {
            return Err(format!("the key is empty; {HOW}"));
        }
        let mut modifiers = KeyModifiers::NONE;
        while rest.chars().count() > 1 {
            let lower = rest.to_ascii_lowercase();
            let (flag, len) = if lower.starts_with("ctrl-") {
                (KeyModifiers::CONTROL, 5)
            } else if lower.starts_with("alt-") {
                (KeyModifiers::ALT, 4)
            } else if lower.starts_with("shift-") {
                (KeyModifiers::SHIFT, 6)
            } else {
                break;
            };
            modifiers |= flag;
            rest = &rest[len..];
        }
        let mut chars = rest.chars();
        let code = match (chars.next(), chars.next()) {
            (Some(c), None) if c.is_control() => return Err(format!("control character; {HOW}")),
            (Some(c), None) => KeyCode::Char(c),
            _ => {
                let lower = rest.to_ascii_lowercase();
                if let Some(&(_, code)) = NAMED.iter().find(|(name, _)| *name == lower) {
                    code
                } else if let Some(n) = lower.strip_prefix('f').and_then(|n| n.parse::<u8>().ok())
                    && (1..=24).contains(&n)
                {
                    KeyCode::F(n)
                } else {
                    return Err(format!("unknown key name `{rest}`; {HOW}"));
                }
            }
        };
        Ok(Key::new(code, modifiers))
    }

    /// A short human label: "j", "G", "↓", "ctrl-d", "space", "shift-tab".
    pub fn label(&self) -> String {
        let mut s = String::new();
        for (flag, prefix) in [
            (KeyModifiers::CONTROL, "ctrl-"),
            (KeyModifiers::ALT, "alt-"),
            (KeyModifiers::SHIFT, "shift-"),
        ] {
            if self.modifiers.contains(flag) {
                s.push_str(prefix);
            }
        }
        match self.code {
            KeyCode::Char(' ') => s.push_str("space"),
            KeyCode::Char(c) => s.push(c),
            KeyCode::Up => s.push('↑'),
            KeyCode::Down => s.push('↓'),
            KeyCode::Left => s.push('←'),
            KeyCode::Right => s.push('→'),
            KeyCode::BackTab => s.push_str("shift-tab"),
            KeyCode::PageUp => s.push_str("pgup"),
            KeyCode::PageDown => s.push_str("pgdown"),
            KeyCode::Delete => s.push_str("del"),
            KeyCode::F(n) => s.push_str(&format!("f{n}")),
            code => match NAMED.iter().find(|(_, c)| *c == code) {
                Some((name, _)) => s.push_str(name),
                None => s.push_str(&format!("{code:?}").to_lowercase()),
            },
        }
        s
    }
}

impl fmt::Display for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.label())
    }
}

/// The value of an entry in `[keys]`: one key string or a list of them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum KeySpec {
    One(String),
    Many(Vec<String>),
}

impl KeySpec {
    pub fn keys(&self) -> Vec<&str> {
        match self {
            KeySpec::One(k) => vec![k.as_str()],
            KeySpec::Many(ks) => ks.iter().map(String::as_str).collect(),
        }
    }
}

impl<'de> Deserialize<'de> for KeySpec {
    /// Accepts a string or a list of strings, and checks that every key string parses,
    /// so a bad key is reported at its line in the config file.
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct SpecVisitor;
        impl<'de> Visitor<'de> for SpecVisitor {
            type Value = KeySpec;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a key like \"j\" or a list of keys like [\"j\", \"down\"]")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<KeySpec, E> {
                Ok(KeySpec::One(v.to_string()))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<KeySpec, A::Error> {
                let mut keys = Vec::new();
                while let Some(k) = seq.next_element::<String>()? {
                    keys.push(k);
                }
                Ok(KeySpec::Many(keys))
            }
        }
        let spec = d.deserialize_any(SpecVisitor)?;
        for k in spec.keys() {
            Key::parse(k).map_err(|reason| de::Error::custom(format!("key `{k}`: {reason}")))?;
        }
        Ok(spec)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crossterm::event::{KeyEventKind, KeyEventState};

    fn ev(code: KeyCode, modifiers: KeyModifiers) -> KeyEvent {
        KeyEvent {
            code,
            modifiers,
            kind: KeyEventKind::Press,
            state: KeyEventState::NONE,
        }
    }

    #[test]
    fn parses_names_characters_and_modifiers() {
        let k = |s| Key::parse(s).unwrap();
        assert_eq!(k("q"), Key::new(KeyCode::Char('q'), KeyModifiers::NONE));
        assert_eq!(
            k("Q"),
            Key::from_event(&ev(KeyCode::Char('Q'), KeyModifiers::SHIFT))
        );
        assert_eq!(k("shift-q"), k("Q"));
        assert_eq!(
            k("ctrl-d"),
            Key::new(KeyCode::Char('d'), KeyModifiers::CONTROL)
        );
        assert_eq!(
            k("Ctrl-Alt-x").modifiers,
            KeyModifiers::CONTROL | KeyModifiers::ALT
        );
        assert_eq!(k("ctrl--").code, KeyCode::Char('-'));
        assert_eq!(k("-").code, KeyCode::Char('-'));
        assert_eq!(k("space").code, KeyCode::Char(' '));
        assert_eq!(k("PgDown").code, KeyCode::PageDown);
        assert_eq!(k("f12").code, KeyCode::F(12));
        assert_eq!(k("shift-tab"), k("backtab"));
        assert_eq!(
            k("backtab"),
            Key::from_event(&ev(KeyCode::BackTab, KeyModifiers::SHIFT))
        );
    }

    #[test]
    fn rejects_unknown_names() {
        for bad in ["", "ctrl-", "pgdn", "f0", "f25", "ctrl-foo", "\t"] {
            let err = Key::parse(bad).expect_err(bad);
            assert!(err.contains("enter, esc"), "{bad}: {err}");
        }
        assert!(Key::parse("pgdn").unwrap_err().contains("`pgdn`"));
    }

    #[test]
    fn labels_round_trip() {
        for s in [
            "j", "G", "/", "?", "ctrl-d", "alt-x", "space", "enter", "esc", "tab", "pgup", "f1",
        ] {
            let key = Key::parse(s).unwrap();
            assert_eq!(key.label(), s);
            assert_eq!(Key::parse(&key.label()).unwrap(), key);
        }
        assert_eq!(Key::parse("down").unwrap().label(), "↓");
        assert_eq!(Key::parse("backtab").unwrap().label(), "shift-tab");
    }

    #[test]
    fn key_spec_reads_one_or_many_and_checks_them() {
        #[derive(Deserialize)]
        struct T {
            a: KeySpec,
            b: KeySpec,
        }
        let t: T = toml::from_str("a = \"j\"\nb = [\"k\", \"up\"]").unwrap();
        assert_eq!(t.a, KeySpec::One("j".into()));
        assert_eq!(t.b.keys(), vec!["k", "up"]);
        let err = toml::from_str::<T>("a = \"j\"\nb = [\"k\", \"upp\"]")
            .err()
            .unwrap();
        assert!(err.message().contains("`upp`"), "{}", err.message());
        assert!(err.span().is_some());
    }
}
