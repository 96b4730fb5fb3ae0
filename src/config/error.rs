//! Configuration errors whose text tells the user what to fix.

use std::path::{Path, PathBuf};

/// Everything that can be wrong with the configuration or a profile's API key.
///
/// No variant ever carries an API key or the output of `api_key_cmd`.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read the config file {}: {source}", path.display())]
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

    #[error("unknown profile `{name}`; {}", known_list(known))]
    UnknownProfile { name: String, known: Vec<String> },

    #[error("unknown action `{name}` in [keys]; known actions: {}", super::Action::ALL.map(|a| a.name()).join(", "))]
    UnknownAction { name: String },

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
                message: e.to_string(),
            },
            e => e,
        }
    }

    /// Converts a TOML error to one with a line and column (1-based, in characters).
    pub(crate) fn from_toml(path: &Path, source: &str, err: &toml::de::Error) -> ConfigError {
        let message = plain_words(err.message());
        match err.span() {
            Some(span) => {
                let (line, column) = line_col(source, span.start);
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
    ] {
        m = m.replace(from, to);
    }
    m
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
    use super::{line_col, plain_words};

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
    fn line_col_counts_from_one_in_characters() {
        let s = "a = 1\nbé = 2\n";
        assert_eq!(line_col(s, 0), (1, 1));
        assert_eq!(line_col(s, 6), (2, 1));
        assert_eq!(line_col(s, 9), (2, 3), "é is one column");
        assert_eq!(line_col(s, 999), (3, 1));
    }
}
