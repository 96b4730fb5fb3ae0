//! nucleo's fuzzy scoring, reproduced for short ASCII haystacks: the character
//! classes and bonuses, the query's words as byte needles, the greedy byte checks that
//! decide whether a word matches, and [`fuzzy_ascii`], nucleo's optimal score computed
//! only at the columns that hold a needle character.

use memchr::{memchr, memchr2};
use nucleo_matcher::pattern::Pattern;
use nucleo_matcher::{Matcher, Utf32Str};

// nucleo's scoring constants (nucleo-matcher 0.3.1, `src/score.rs`, `Config::DEFAULT`;
// Cargo.toml pins that exact version): a matched character scores 16 plus a bonus of at
// most 10 (after whitespace); the first character of a needle counts its bonus twice.
// The tests (`ascii_scorer_matches_nucleo`, the full rescores) fail if they drift.
pub(super) const SCORE_MATCH: u32 = 16;
pub(super) const MAX_BONUS: u32 = 10;
pub(super) const FIRST_CHAR_MULTIPLIER: u32 = 2;
const PENALTY_GAP_START: u32 = 3;
/// The least a gap costs a match that ends it (its opening; every further column 1
/// more), so a character not right after the previous one scores at most
/// `SCORE_MATCH` plus its bonus less this.
pub(super) const GAP_START: u32 = PENALTY_GAP_START;
const PENALTY_GAP_EXTENSION: u32 = 1;
/// The smallest bonus a consecutive character gets.
const BONUS_CONSECUTIVE: u32 = PENALTY_GAP_START + PENALTY_GAP_EXTENSION;
/// What a word scores on top when it matches inside the name: a word scores the larger
/// of nucleo's score on the whole haystack and its score on the name alone plus this,
/// so a name match beats an equally good match in the title, company or email.
pub(super) const NAME_BONUS: u32 = SCORE_MATCH;
// Reaching a word's maximum needs it at its best in the name (see `PeopleIndex::top`).
const _: () = assert!(NAME_BONUS > 0);
/// The most one more needle character can add to an atom's score.
pub(super) const MAX_CHAR_GAIN: u32 = SCORE_MATCH + MAX_BONUS;
/// The most a new one-character atom can score.
const MAX_FIRST_CHAR: u32 = SCORE_MATCH + MAX_BONUS * FIRST_CHAR_MULTIPLIER;
/// Haystacks longer than this may make nucleo fall back to its greedy (not optimal)
/// matcher, for which the bounds above do not hold: such people are always scored.
pub(super) const MAX_BOUNDED_HAYSTACK: usize = 400;
/// An atom this long may also hit nucleo's matrix limit (100 * 1024 cells).
pub(super) const MAX_BOUNDED_NEEDLE: usize = 200;

/// Character classes and boundary bonuses as nucleo computes them (in its order).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum Class {
    Whitespace,
    NonWord,
    Delimiter,
    Lower,
    Upper,
    /// A letter with no case (Han, Hangul...): only in non-ASCII haystacks.
    Letter,
    Number,
}

#[inline]
pub(super) fn class(b: u8) -> Class {
    match b {
        b'a'..=b'z' => Class::Lower,
        b'A'..=b'Z' => Class::Upper,
        b'0'..=b'9' => Class::Number,
        _ if b.is_ascii_whitespace() => Class::Whitespace,
        b'/' | b',' | b':' | b';' | b'|' => Class::Delimiter,
        _ => Class::NonWord,
    }
}

/// A character of a non-ASCII haystack in one byte: itself when ASCII, else 0x80 plus
/// its class ([`class_of_char`]), which is all `fuzzy_chars` and the masks read of it.
#[inline]
pub(super) fn raw_byte(c: char) -> u8 {
    if c.is_ascii() {
        c as u8
    } else {
        0x80 | class_of_char(c) as u8
    }
}

/// The class of a character given as its [`raw_byte`].
#[inline]
pub(super) fn raw_class(b: u8) -> Class {
    if b < 0x80 {
        return class(b);
    }
    match b & 0x7f {
        0 => Class::Whitespace,
        1 => Class::NonWord,
        2 => Class::Delimiter,
        3 => Class::Lower,
        4 => Class::Upper,
        5 => Class::Letter,
        _ => Class::Number,
    }
}

/// nucleo's class of a character outside ASCII (`char_class_non_ascii`).
pub(super) fn class_of_char(c: char) -> Class {
    if c.is_ascii() {
        class(c as u8)
    } else if c.is_lowercase() {
        Class::Lower
    } else if nucleo_matcher::chars::is_upper_case(c) {
        Class::Upper
    } else if c.is_numeric() {
        Class::Number
    } else if c.is_alphabetic() {
        Class::Letter
    } else if c.is_whitespace() {
        Class::Whitespace
    } else {
        Class::NonWord
    }
}

#[inline]
pub(super) fn bonus(prev: Class, class: Class) -> u32 {
    if class > Class::Delimiter {
        match prev {
            Class::Whitespace => return MAX_BONUS,
            Class::Delimiter => return 9,
            Class::NonWord => return 8,
            _ => (),
        }
    }
    if (prev == Class::Lower && class == Class::Upper)
        || (prev != Class::Number && class == Class::Number)
    {
        5
    } else if class == Class::Whitespace {
        MAX_BONUS
    } else if class == Class::NonWord {
        8
    } else {
        0
    }
}

/// One word of the query, as nucleo matches it (ASCII needles only).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Needle {
    pub(super) bytes: Vec<u8>,
    /// The mask bit of each (case-folded) byte, 0 for none.
    pub(super) bits: Vec<u64>,
    /// Smart case: ignored unless the needle has an uppercase letter.
    pub(super) ignore_case: bool,
    /// The bits of all its bytes.
    pub(super) mask: u64,
}

impl Needle {
    /// The most nucleo can score for this needle.
    pub(super) fn nucleo_max(&self) -> u32 {
        MAX_FIRST_CHAR + MAX_CHAR_GAIN * (self.bytes.len() as u32).saturating_sub(1)
    }

    /// The most this needle can score as a word of the query (name bonus included).
    pub(super) fn max_score(&self) -> u32 {
        self.nucleo_max() + NAME_BONUS
    }
}

/// The needles of a pattern, or `None` when one is not ASCII (then every person is
/// scored by nucleo).
pub(super) fn needles(pattern: &Pattern) -> Option<Vec<Needle>> {
    pattern
        .atoms
        .iter()
        .map(|a| match a.needle_text() {
            Utf32Str::Ascii(bytes) => {
                let bits: Vec<u64> = bytes
                    .iter()
                    .map(|b| bit(b.to_ascii_lowercase()).unwrap_or(0))
                    .collect();
                Some(Needle {
                    bytes: bytes.to_vec(),
                    mask: bits.iter().fold(0, |a, b| a | b),
                    bits,
                    ignore_case: !bytes.iter().any(u8::is_ascii_uppercase),
                })
            }
            Utf32Str::Unicode(_) => None,
        })
        .collect()
}

/// The first position of `c` in `hay` (`fold`: ASCII letters of `hay` may be uppercase).
#[inline]
fn find_byte(hay: &[u8], c: u8, fold: bool) -> Option<usize> {
    // Haystacks are short: eight bytes at a time in a register beats setting up a
    // vector search (memchr's set-up cost more than the search on a 70-byte haystack).
    const LONG: usize = 256;
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    let fold = fold && c.is_ascii_lowercase();
    if hay.len() >= LONG {
        return if fold {
            memchr2(c, c - 32, hay)
        } else {
            memchr(c, hay)
        };
    }
    // `| 0x20` turns exactly `c` and its uppercase into `c` (a lowercase letter).
    let case = if fold { 0x20 } else { 0 };
    let (case_word, c_word) = (ONES * u64::from(case), ONES * u64::from(c));
    let mut chunks = hay.chunks_exact(8);
    let mut base = 0;
    for chunk in &mut chunks {
        let word = u64::from_le_bytes(chunk.try_into().expect("eight bytes"));
        // A zero byte where the byte is `c`; the lowest flagged byte is the first zero
        // (a borrow only flags bytes above a zero).
        let x = (word | case_word) ^ c_word;
        let zero = x.wrapping_sub(ONES) & !x & HIGHS;
        if zero != 0 {
            return Some(base + (zero.trailing_zeros() / 8) as usize);
        }
        base += 8;
    }
    chunks
        .remainder()
        .iter()
        .position(|&h| h | case == c)
        .map(|i| base + i)
}

/// Where the greedy (leftmost) match of `needle[suffix_from..]` from `from` ends in
/// `hay`, if it matches; `fold`: ASCII letters of `hay` may be uppercase.
#[inline]
pub(super) fn find_in(
    hay: &[u8],
    fold: bool,
    needle: &Needle,
    from: usize,
    suffix_from: usize,
) -> Option<usize> {
    let mut pos = from;
    for &b in &needle.bytes[suffix_from..] {
        let rest = hay.get(pos..)?;
        pos += find_byte(rest, b, fold)? + 1;
    }
    Some(pos)
}

/// Whether nucleo scores `needle` at its maximum on the ASCII haystack `hay`: the
/// needle occurs unbroken, starting right after whitespace (or at the start).
pub(super) fn at_max(hay: &[u8], needle: &Needle) -> bool {
    let (first, rest) = match needle.bytes.split_first() {
        Some(split) => split,
        None => return true,
    };
    let same =
        |a: u8, b: u8| a == b || (needle.ignore_case && b.is_ascii_lowercase() && a == b - 32);
    let mut from = 0;
    while let Some(i) = find_byte(&hay[from..], *first, needle.ignore_case) {
        let p = from + i;
        let prev = if p == 0 {
            Class::Whitespace
        } else {
            class(hay[p - 1])
        };
        if bonus(prev, class(hay[p])) == MAX_BONUS
            && hay.len() >= p + 1 + rest.len()
            && hay[p + 1..p + 1 + rest.len()]
                .iter()
                .zip(rest)
                .all(|(&a, &b)| same(a, b))
        {
            return true;
        }
        from = p + 1;
    }
    false
}

/// nucleo's optimal fuzzy score of `needle` on the ASCII haystack `hay` (at most
/// `MAX_BOUNDED_HAYSTACK` long, needle at most `MAX_BOUNDED_NEEDLE`), and what nucleo
/// scores on `hay[..name_len]` alone, if the needle matches there.
///
/// This is nucleo-matcher 0.3's algorithm (`fuzzy_match_optimal`: one row per needle
/// character, a cell for ending a match at a column and a score for being in a gap
/// after it), computed only at the columns holding a needle character: a row's gap
/// score at column `j` is `max(0, cell(i) + i - j - 2)` over its earlier matches `i`
/// (3 for opening a gap, 1 per further column, never below 0), so it needs no update
/// per column. A cell's value depends only on the columns up to it, and the rows start
/// at the same greedy positions, so the best last-row cell before `name_len` is the
/// score nucleo gives the name alone. nucleo's shortcuts (a one-character needle, a
/// needle with a single possible placement) give what the full computation gives.
pub(super) fn fuzzy_ascii(
    hay: &[u8],
    name_len: usize,
    needle: &Needle,
) -> Option<(u32, Option<u32>)> {
    fuzzy_columns(hay, needle.ignore_case, |i| class(hay[i]), name_len, needle)
}

/// [`fuzzy_ascii`] for a haystack with characters outside ASCII, as nucleo scores an
/// ASCII needle on it: `hay` holds each character as nucleo compares it with the
/// needle (normalized, and case-folded when the needle ignores case; 0x80 when that is
/// not ASCII), `raw` the characters themselves as [`raw_byte`]s (their classes give
/// the bonuses), the name is the first `name_len` of them.
///
/// nucleo's optimal algorithm is the same on such text. A one-character needle takes
/// nucleo's shortcut instead, which on non-ASCII text gives each occurrence the bonus
/// from the class of the previous occurrence (not of the previous character) and
/// stops at the first boundary bonus; on an ASCII name alone it is the best bonus over
/// the occurrences.
pub(super) fn fuzzy_chars(
    hay: &[u8],
    raw: &[u8],
    name_len: usize,
    needle: &Needle,
) -> Option<(u32, Option<u32>)> {
    let class_at = |i: usize| raw_class(raw[i]);
    let [c] = needle.bytes[..] else {
        return fuzzy_columns(hay, false, class_at, name_len, needle);
    };
    let start = memchr(c, hay)?;
    let score = |bonus: u32| SCORE_MATCH + bonus * FIRST_CHAR_MULTIPLIER;
    // `substring_match_1_non_ascii` over `hay[start..end]`.
    let shortcut = |end: usize| {
        let mut prev = start.checked_sub(1).map_or(Class::Whitespace, class_at);
        let mut best = 0;
        for (i, _) in hay[..end]
            .iter()
            .enumerate()
            .skip(start)
            .filter(|(_, h)| **h == c)
        {
            let now = class_at(i);
            let b = bonus(prev, now);
            prev = now;
            best = best.max(score(b));
            if b >= MAX_BONUS {
                break;
            }
        }
        best
    };
    let full = shortcut(hay.len());
    let name = (start < name_len).then(|| {
        if raw[..name_len].is_ascii() {
            (start..name_len)
                .filter(|&i| hay[i] == c)
                .map(|i| {
                    let prev = i.checked_sub(1).map_or(Class::Whitespace, class_at);
                    score(bonus(prev, class_at(i)))
                })
                .max()
                .unwrap_or(0)
        } else {
            shortcut(name_len)
        }
    });
    Some((full, name))
}

/// What nucleo's optimal algorithm (not its one-character shortcut) scores on the
/// haystack of [`fuzzy_chars`]: for a one-character needle, an upper bound of what one
/// more character can build on (its best occurrence, by the true previous character).
pub(super) fn fuzzy_chars_optimal(
    hay: &[u8],
    raw: &[u8],
    name_len: usize,
    needle: &Needle,
) -> Option<(u32, Option<u32>)> {
    fuzzy_columns(hay, false, |i| raw_class(raw[i]), name_len, needle)
}

/// nucleo's optimal algorithm at the needle's columns of `hay` (see [`fuzzy_ascii`]);
/// `class_at(i)`: the class of the haystack's character `i`.
#[inline]
fn fuzzy_columns(
    hay: &[u8],
    fold: bool,
    class_at: impl Fn(usize) -> Class,
    name_len: usize,
    needle: &Needle,
) -> Option<(u32, Option<u32>)> {
    // The rows live on the stack, sized for the needle: a short one (nearly every
    // word typed) does not clear room for the longest on every call.
    const SHORT: usize = 16;
    if needle.bytes.len() <= SHORT {
        fuzzy_columns_in::<SHORT>(hay, fold, class_at, name_len, needle)
    } else {
        fuzzy_columns_in::<MAX_BOUNDED_NEEDLE>(hay, fold, class_at, name_len, needle)
    }
}

/// [`fuzzy_columns`] for needles of at most `N` characters.
#[inline]
fn fuzzy_columns_in<const N: usize>(
    hay: &[u8],
    fold: bool,
    class_at: impl Fn(usize) -> Class,
    name_len: usize,
    needle: &Needle,
) -> Option<(u32, Option<u32>)> {
    const NONE: usize = usize::MAX;
    let chars = &needle.bytes;
    let m = chars.len();
    if m == 0 {
        return Some((0, Some(0)));
    }
    if m > hay.len() || m > N {
        return None;
    }
    // Where each row starts: the greedy (leftmost) match.
    let mut row_off = [0usize; N];
    let mut pos = 0;
    for (r, &c) in chars.iter().enumerate() {
        let i = pos + find_byte(&hay[pos..], c, fold)?;
        row_off[r] = i;
        pos = i + 1;
    }
    let start = row_off[0];
    let last = m - 1;
    let end = if fold && chars[last].is_ascii_lowercase() {
        memchr::memrchr2(chars[last], chars[last] - 32, &hay[pos..])
    } else {
        memchr::memrchr(chars[last], &hay[pos..])
    }
    .map_or(pos, |i| pos + i + 1);
    // The haystack bytes that can match a needle character.
    let mut wanted = 0u128;
    for &c in chars {
        wanted |= 1 << (c & 0x7f);
        if fold && c.is_ascii_lowercase() {
            wanted |= 1 << (c - 32);
        }
    }
    // Per row: its latest match (column, cell score, consecutive bonus), and the best
    // `cell + column` of the matches before it.
    let mut at = [NONE; N];
    let mut cell = [0u16; N];
    let mut consecutive = [0u16; N];
    let mut reach = [isize::MIN; N];
    let mut best = 0u16;
    let mut best_name = 0u16;
    for (k, &h) in hay.iter().enumerate().take(end).skip(start) {
        if h >= 128 || (wanted >> h) & 1 == 0 {
            continue;
        }
        let prev_class = k.checked_sub(1).map_or(Class::Whitespace, &class_at);
        let b = bonus(prev_class, class_at(k)) as u16;
        let h = if fold { h.to_ascii_lowercase() } else { h };
        for r in (0..m).rev() {
            if chars[r] != h || k < row_off[r] {
                continue;
            }
            let (score, cons) = if r == 0 {
                (SCORE_MATCH as u16 + b * FIRST_CHAR_MULTIPLIER as u16, b)
            } else {
                let p = r - 1;
                // Row `p`'s gap score at column k - 1 (its matches up to k - 2).
                let mut reach_p = reach[p];
                if at[p] != NONE && at[p] + 2 <= k {
                    reach_p = reach_p.max(cell[p] as isize + at[p] as isize);
                }
                let gap = (reach_p.saturating_sub(k as isize + 1)).max(0) as u16;
                if at[p] != k - 1 {
                    (gap + b + SCORE_MATCH as u16, b)
                } else {
                    let mut cons = consecutive[p].max(BONUS_CONSECUTIVE as u16);
                    if b >= 8 && b > cons {
                        cons = b;
                    }
                    let matched = cell[p] + cons.max(b);
                    let skipped = gap + b;
                    if matched > skipped {
                        (matched + SCORE_MATCH as u16, cons)
                    } else {
                        (skipped + SCORE_MATCH as u16, b)
                    }
                }
            };
            if at[r] != NONE {
                reach[r] = reach[r].max(cell[r] as isize + at[r] as isize);
            }
            at[r] = k;
            cell[r] = score;
            consecutive[r] = cons;
            if r == last {
                best = best.max(score);
                if k < name_len {
                    best_name = best_name.max(score);
                }
            }
        }
    }
    let name = (row_off[last] < name_len).then_some(u32::from(best_name));
    Some((u32::from(best), name))
}

/// A word's score from nucleo's score on the whole haystack and on the name alone.
pub(super) fn word_score(full: u32, name: Option<u32>) -> u32 {
    name.map_or(full, |name| full.max(name + NAME_BONUS))
}

/// A pattern's score by nucleo: the sum of its words' scores ([`word_score`]).
pub(super) fn pattern_score(
    pattern: &Pattern,
    text: Utf32Str<'_>,
    name: Utf32Str<'_>,
    matcher: &mut Matcher,
) -> Option<u32> {
    let mut total = 0;
    for atom in &pattern.atoms {
        let full = u32::from(atom.score(text, matcher)?);
        total += word_score(full, atom.score(name, matcher).map(u32::from));
    }
    Some(total)
}

/// The bit of a (lowercase) byte in the character masks, if it has one.
#[inline]
pub(super) fn bit(b: u8) -> Option<u64> {
    const PUNCT: &[u8; 28] = b"@.-_'&+,/:;()#!?*\"$%=<>[]{}~";
    let i = match b {
        b'a'..=b'z' => b - b'a',
        b'0'..=b'9' => 26 + b - b'0',
        _ => 36 + PUNCT.iter().position(|&p| p == b)? as u8,
    };
    Some(1 << i)
}

#[cfg(test)]
mod tests {
    use super::find_byte;

    /// The first position of `c` (or, folding, of its uppercase), byte by byte.
    fn plain(hay: &[u8], c: u8, fold: bool) -> Option<usize> {
        let fold = fold && c.is_ascii_lowercase();
        hay.iter()
            .position(|&h| h == c || (fold && h == c.to_ascii_uppercase()))
    }

    #[test]
    fn find_byte_finds_the_first_occurrence_eight_bytes_at_a_time() {
        let mut rng = fastrand::Rng::with_seed(7);
        // Letters of both cases, bytes either side of them and above ASCII, at every
        // length around the eight-byte words and across the switch to memchr.
        let alphabet = b"aAbBzZ@`[{ .-\x80\xff0";
        for len in (0..40).chain([255, 256, 300]) {
            for _ in 0..200 {
                let hay: Vec<u8> = (0..len)
                    .map(|_| alphabet[rng.usize(..alphabet.len())])
                    .collect();
                for &c in b"abz@`A .0\x80" {
                    for fold in [false, true] {
                        assert_eq!(
                            find_byte(&hay, c, fold),
                            plain(&hay, c, fold),
                            "{c} in {hay:?}, fold {fold}"
                        );
                    }
                }
            }
        }
    }
}
