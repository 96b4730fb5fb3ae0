//! Numbers and names as every view, widget and popup writes them.

use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

use super::fetch::LoadState;

/// "1,234,567".
pub fn thousands(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::with_capacity(s.len() + s.len() / 3);
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Columns `text` takes on a terminal: a Han or Hangul character takes two,
/// an accent none (as ratatui draws it).
pub fn columns(text: &str) -> usize {
    UnicodeWidthStr::width(text)
}

fn char_columns(c: char) -> usize {
    UnicodeWidthChar::width(c).unwrap_or(0)
}

/// The longest start of `chars` that fits in `width` columns.
fn fitting(chars: impl Iterator<Item = char>, width: usize) -> Vec<char> {
    let mut used = 0;
    chars
        .take_while(|&c| {
            used += char_columns(c);
            used <= width
        })
        .collect()
}

/// Cuts `text` to `width` columns in the middle, marked with "…": the start
/// and the end stay, so names that differ at the end ("Intro (A)", "Intro (B)")
/// stay told apart (`"Custome…ory (A)"`), and a message keeps its verb and what
/// became of it (an export's file name after a long path). Columns, not
/// characters: a wide (Han, Hangul) character counts two.
pub fn ellipsize_middle(text: &str, width: usize) -> String {
    if columns(text) <= width {
        return text.to_string();
    }
    if width < 5 {
        return ellipsize(text, width);
    }
    let tail = (width - 1) / 2;
    let head = width - 1 - tail;
    let mut out: String = fitting(text.chars(), head).into_iter().collect();
    out.push('…');
    let mut end = fitting(text.chars().rev(), tail);
    end.reverse();
    out.extend(end);
    out
}

/// Cuts `text` to `width` columns, ending with "…" when cut (a wide character
/// that would straddle the edge goes too).
pub fn ellipsize(text: &str, width: usize) -> String {
    if columns(text) <= width {
        return text.to_string();
    }
    if width == 0 {
        return String::new();
    }
    let mut s: String = fitting(text.chars(), width - 1).into_iter().collect();
    s.push('…');
    s
}

/// A title suffix for a view's data state: " · loading…", " · stale: …".
pub fn load_suffix(load: &LoadState) -> Option<(String, bool)> {
    match load {
        LoadState::Ready { refreshing: true } => Some((" · refreshing…".into(), false)),
        LoadState::Stale(e) => Some((format!(" · stale: {e}"), true)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wide_characters_count_two_columns() {
        assert_eq!(ellipsize("김민준 Kim", 20), "김민준 Kim");
        assert_eq!(ellipsize("김민준 Kim", 6), "김민…");
        assert_eq!(
            columns(&ellipsize("김민준 Kim", 6)),
            5,
            "no half a character"
        );
        assert_eq!(ellipsize("王秀英", 4), "王…");
        assert_eq!(ellipsize("Zoë Ångström", 6), "Zoë Å…");
        let mid = ellipsize_middle("東京営業部 Intro (A)", 12);
        assert!(columns(&mid) <= 12, "{mid}");
        assert!(mid.starts_with("東京") && mid.ends_with("o (A)"), "{mid}");
    }
}
