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

/// [`ellipsize_middle`] for prose (the status line's messages): " … " between
/// the sides, and a side that would end (or start) inside a word goes back to the
/// space before (after) that word when it has one, so neither side shows a piece
/// of a word (`"loading the … 26% of the team's minute)"`, not
/// `"loading the engage…ts, 26% of the team's minute)"`).
pub fn ellipsize_middle_words(text: &str, width: usize) -> String {
    if columns(text) <= width {
        return text.to_string();
    }
    if width < 9 {
        return ellipsize_middle(text, width);
    }
    let room = width - 3;
    let tail_w = room / 2;
    let chars: Vec<char> = text.chars().collect();
    let mut head = fitting(chars.iter().copied(), room - tail_w);
    let mut tail = fitting(chars.iter().rev().copied(), tail_w);
    tail.reverse();
    let in_word = |a: Option<&char>, b: Option<&char>| {
        a.is_some_and(|c| c.is_alphanumeric()) && b.is_some_and(|c| c.is_alphanumeric())
    };
    if in_word(head.last(), chars.get(head.len())) {
        let space = head.iter().rposition(|c| c.is_whitespace());
        if let Some(i) = space.filter(|&i| i > 0) {
            head.truncate(i);
        }
    }
    let start = chars.len() - tail.len();
    if start > 0 && in_word(chars.get(start - 1), tail.first()) {
        let space = tail.iter().position(|c| c.is_whitespace());
        if let Some(j) = space.filter(|&j| j + 1 < tail.len()) {
            tail.drain(..=j);
        }
    }
    let head: String = head.into_iter().collect();
    let tail: String = tail.into_iter().collect();
    format!("{} … {}", head.trim_end(), tail.trim_start())
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
    fn a_message_is_cut_between_words() {
        let text = "loading the engagement over last 30 days (about 154 points in 154 \
                    requests, 26% of the team's 600-point minute)";
        let cut = ellipsize_middle_words(text, 80);
        assert!(columns(&cut) <= 80, "{cut}");
        assert_eq!(
            cut,
            "loading the engagement over last 30 … 26% of the team's 600-point minute)"
        );
        // Both sides inside a word: each goes back to a space.
        let cut = ellipsize_middle_words(
            "enrolled 3 people in Event No-Show, skipped 2 already there",
            30,
        );
        assert_eq!(cut, "enrolled 3 … already there");
        let path = "wrote /home/ana/a-very-long-directory-name/another-one/file.csv";
        assert_eq!(ellipsize_middle_words(path, 20), "wrote … file.csv");
        // No space near the cut: cut inside the word.
        let word = "supercalifragilisticexpialidocious";
        assert_eq!(ellipsize_middle_words(word, 12), "super … ious");
        for w in 0..70 {
            assert!(columns(&ellipsize_middle_words(text, w)) <= w, "width {w}");
        }
        assert_eq!(ellipsize_middle_words("short", 80), "short");
    }

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
        let mid = ellipsize_middle_words("東京営業部 の Intro (A)", 14);
        assert!(columns(&mid) <= 14, "{mid}");
        assert_eq!(mid, "東京営 … (A)");
    }
}
