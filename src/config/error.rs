//! Configuration errors whose text tells the user what to fix.

use std::path::{Path, PathBuf};

/// Everything that can be wrong with the configuration or a profile's API key.
///
/// No variant ever carries an API key or the output of `api_key_cmd`.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error(
        "cannot read the config file {}: {source}; make it a readable text file, or pass \
         --config PATH",
        path.display()
    )]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },

    #[error("error in the config file {}, line {line}, column {column}: {message}", path.display())]
    Syntax {
        path: PathBuf,
        line: usize,
        column: usize,
        message: String,
    },

    #[error("error in the config file {}: {message}", path.display())]
    Invalid { path: PathBuf, message: String },

    #[error("unknown profile `{}`; {}", bounded(name), known_list(known))]
    UnknownProfile { name: String, known: Vec<String> },

    /// `known`: the action names, comma-separated (see `keymap::unknown_action`).
    #[error("unknown action `{name}` in [keys]; known actions: {known}")]
    UnknownAction { name: String, known: String },

    #[error("cannot understand key `{key}` for action `{action}`: {reason}")]
    BadKey {
        action: String,
        key: String,
        reason: String,
    },

    #[error("key `{key}` is bound to both `{first}` and `{second}` in [keys]")]
    KeyConflict {
        key: String,
        first: String,
        second: String,
    },

    #[error(
        "profile `{profile}`: the environment variable {var} named by api_key_env is not set \
         or is empty; export it, or use api_key_cmd"
    )]
    ApiKeyEnv { profile: String, var: String },

    #[error(
        "profile `{profile}`: api_key_cmd `{command}` {failure} (its output is not shown \
         because it may contain the key)"
    )]
    ApiKeyCmd {
        profile: String,
        command: String,
        failure: String,
    },

    #[error(
        "profile `{profile}`: cannot get the OAuth client secret: {problem} (a command's \
         output is never shown because it may contain the secret)"
    )]
    OAuthSecret { profile: String, problem: String },
}

fn known_list(known: &[String]) -> String {
    if known.is_empty() {
        "no profiles are defined".to_string()
    } else {
        format!("known profiles: {}", known.join(", "))
    }
}

impl ConfigError {
    /// Gives a keymap or validation error the config file's path.
    pub(crate) fn in_file(self, path: &Path) -> ConfigError {
        match self {
            e @ (ConfigError::UnknownAction { .. }
            | ConfigError::BadKey { .. }
            | ConfigError::KeyConflict { .. }) => ConfigError::Invalid {
                path: path.to_path_buf(),
                message: bounded(&e.to_string()),
            },
            e => e,
        }
    }

    /// Converts a TOML error to one with a line and column (1-based, in characters).
    pub(crate) fn from_toml(path: &Path, source: &str, err: &toml::de::Error) -> ConfigError {
        let mut message = bounded(&plain_words(err.message()));
        match err.span() {
            Some(span) => {
                let (line, column) = line_col(source, span.start);
                if let Some(key) = key_of_value_at(source, span.start)
                    && !message.contains(&format!("`{key}`"))
                {
                    message = format!("{key}: {message}");
                }
                ConfigError::Syntax {
                    path: path.to_path_buf(),
                    line,
                    column,
                    message,
                }
            }
            None => ConfigError::Invalid {
                path: path.to_path_buf(),
                message,
            },
        }
    }
}

/// Rewrites serde's type names in plain words, and keeps the forbidden `api_key` field out
/// of "expected one of" lists.
fn plain_words(message: &str) -> String {
    let mut m = message.trim().replace('\n', "; ");
    if m.starts_with("unknown field") {
        m = m.replace(", `api_key`", "");
    }
    for (from, to) in [
        ("expected u64", "expected a whole number"),
        ("expected u32", "expected a whole number"),
        ("expected f64", "expected a number"),
        ("expected a boolean", "expected true or false"),
        // TOML's words for serde's.
        ("invalid type: sequence", "invalid type: array"),
        ("invalid type: map", "invalid type: table"),
        ("expected a map", "expected a table"),
    ] {
        m = m.replace(from, to);
    }
    m
}

/// The key of the `key = value` line whose value holds byte `offset`, so a message
/// about a value ("invalid type: integer `5`, expected a string") says whose it is.
fn key_of_value_at(source: &str, offset: usize) -> Option<String> {
    let offset = offset.min(source.len());
    let start = source.get(..offset)?.rfind('\n').map_or(0, |i| i + 1);
    let line = &source[start..];
    let line = line.split('\n').next().unwrap_or(line);
    let (key, _) = line.split_once('=')?;
    let key = key.trim();
    let in_value = offset > start + line.find('=')?;
    let plain = |c: char| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.');
    (in_value && !key.is_empty() && key.len() <= 60 && key.chars().all(plain))
        .then(|| key.to_string())
}

/// The first invalid byte of a file that is not UTF-8 text, at its line and column.
pub(crate) fn not_text(path: &Path, bytes: &[u8], err: &std::str::Utf8Error) -> ConfigError {
    let valid = err.valid_up_to();
    // The prefix is valid UTF-8 by definition.
    let before = std::str::from_utf8(&bytes[..valid]).unwrap_or_default();
    let (line, column) = line_col(before, valid);
    ConfigError::Syntax {
        path: path.to_path_buf(),
        line,
        column,
        message: format!(
            "the file is not UTF-8 text (byte 0x{:02x}); is this the right file? save it as UTF-8",
            bytes[valid]
        ),
    }
}

/// Longest message kept from the TOML parser, in characters.
const MAX_MESSAGE: usize = 300;
/// Longest quoted value kept inside a message, in characters.
const MAX_QUOTED: usize = 40;

/// `message` cut to [`MAX_MESSAGE`] characters, with every quoted value (`"..."` or
/// `` `...` ``) longer than [`MAX_QUOTED`] cut short: serde quotes the offending value
/// whole, and a file may hold a megabyte on one line.
pub(crate) fn bounded(message: &str) -> String {
    let mut out = String::with_capacity(message.len().min(MAX_MESSAGE + 8));
    let mut chars = message.chars();
    let mut total = 0;
    while let Some(c) = chars.next() {
        total += 1;
        if total > MAX_MESSAGE {
            out.push('…');
            return out;
        }
        out.push(c);
        if c != '"' && c != '`' {
            continue;
        }
        let (quote, mut kept, mut escaped) = (c, 0, false);
        for c in chars.by_ref() {
            let end = c == quote && !escaped;
            escaped = quote == '"' && c == '\\' && !escaped;
            if end {
                if kept > MAX_QUOTED {
                    out.push('…');
                }
                out.push(c);
                total += kept.min(MAX_QUOTED) + 1;
                break;
            }
            kept += 1;
            if kept <= MAX_QUOTED {
                out.push(c);
            }
        }
    }
    out
}

/// 1-based line and column (in characters) of a byte offset.
pub(crate) fn line_col(source: &str, offset: usize) -> (usize, usize) {
    let mut offset = offset.min(source.len());
    while !source.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &source[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    (line, before[line_start..].chars().count() + 1)
}

#[cfg(test)]
mod tests {
    use super::{bounded, key_of_value_at, line_col, plain_words};

    #[test]
    fn messages_use_plain_words() {
        assert_eq!(
            plain_words("invalid type: string \"five\", expected u64\n"),
            "invalid type: string \"five\", expected a whole number"
        );
        assert_eq!(
            plain_words("unknown field `x`, expected one of `ui`, `profiles`, `api_key`"),
            "unknown field `x`, expected one of `ui`, `profiles`"
        );
    }

    #[test]
    fn value_errors_name_their_key() {
        let text = "[ui]\nrefresh_secs = \"x\"\n  theme=7\n[keys]\n";
        assert_eq!(key_of_value_at(text, 20), Some("refresh_secs".into()));
        assert_eq!(key_of_value_at(text, 32), Some("theme".into()));
        assert_eq!(key_of_value_at(text, 29), None, "in the key itself");
        assert_eq!(key_of_value_at(text, 1), None, "a table header");
        assert_eq!(key_of_value_at(text, 999), None);
    }

    #[test]
    fn long_values_and_messages_are_cut_short() {
        let huge = "z".repeat(1 << 20);
        let m = bounded(&format!(
            "invalid type: string \"{huge}\", expected a whole number"
        ));
        assert_eq!(
            m,
            format!(
                "invalid type: string \"{}…\", expected a whole number",
                "z".repeat(40)
            )
        );
        let m = bounded(&format!("unknown action `{huge}` in [keys]"));
        assert!(m.ends_with("…` in [keys]") && m.len() < 100, "{m}");
        assert_eq!(bounded(&"w ".repeat(1000)).chars().count(), 301);
        let e = super::ConfigError::UnknownProfile {
            name: huge.clone(),
            known: vec!["demo".into()],
        };
        assert!(e.to_string().len() < 400, "{e}");
        assert_eq!(bounded("a \"b\\\"c\" d"), "a \"b\\\"c\" d");
    }

    #[test]
    fn line_col_counts_from_one_in_characters() {
        let s = "a = 1\nbé = 2\n";
        assert_eq!(line_col(s, 0), (1, 1));
        assert_eq!(line_col(s, 6), (2, 1));
        assert_eq!(line_col(s, 9), (2, 3), "é is one column");
        assert_eq!(line_col(s, 999), (3, 1));
    }
}
