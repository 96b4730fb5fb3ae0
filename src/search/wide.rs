//! Queries with a character outside ASCII. nucleo scores them (the byte checks and
//! `fuzzy_ascii` handle ASCII needles only), but only for the people who can match:
//! - an ASCII haystack never matches a needle with a non-ASCII character (nucleo
//!   compares a haystack character, case-folded and normalized or not, with the
//!   needle's, and an ASCII character stays ASCII either way);
//! - a non-ASCII haystack must hold every character of every word in some form nucleo
//!   may compare: `charset::char_set` records each character as itself, normalized, lowercase
//!   and both, so a person whose set lacks one of the query's characters cannot match.
//!
//! The sets are 128 bits: ASCII forms by their character-mask bit (exact), others
//! hashed into the upper 64 bits (a collision only lets a person through to nucleo).
//! `PeopleIndex::prepare` keeps them, in name order, for the non-ASCII haystacks only.
//!
//! The sets only narrow by the query's ASCII letters exactly: 64 bits hold every other
//! character, so a name in Hangul or Han sets most of them. So `charset::Postings` also lists,
//! for every non-ASCII form of a character, the people holding it, and a query walks
//! the shortest list among its non-ASCII characters instead of every non-ASCII
//! haystack ("김" checks the few hundred people with 김, not the 13,000 in Hangul or Han).

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use nucleo_matcher::Utf32Str;
use nucleo_matcher::chars::{is_upper_case, normalize, to_lower_case};
use nucleo_matcher::pattern::{Atom, Pattern};

use super::charset::needle_set;
use super::scorer::{
    Class, FIRST_CHAR_MULTIPLIER, MAX_BONUS, MAX_BOUNDED_HAYSTACK, MAX_BOUNDED_NEEDLE, NAME_BONUS,
    SCORE_MATCH, bonus, class_of_char, pattern_score,
};
use super::slot::{Ranked, keep_best};
use super::{PeopleIndex, SearchHits};

/// One word of a wide query as nucleo compares it with a haystack: its characters, and
/// whether haystack characters are case-folded and normalized first (nucleo's smart
/// modes: case is ignored unless the word has an uppercase letter, accents unless it
/// has a character that normalizes to another).
struct Word {
    chars: Vec<char>,
    ignore_case: bool,
    normalize: bool,
}

impl Word {
    fn new(atom: &Atom) -> Word {
        match atom.needle_text() {
            Utf32Str::Ascii(bytes) => Word {
                chars: bytes.iter().map(|&b| b as char).collect(),
                ignore_case: !bytes.iter().any(u8::is_ascii_uppercase),
                normalize: true,
            },
            Utf32Str::Unicode(chars) => Word {
                chars: chars.to_vec(),
                ignore_case: !chars.iter().any(|&c| is_upper_case(c)),
                normalize: chars.iter().all(|&c| normalize(c) == c),
            },
        }
    }

    /// A haystack character as nucleo compares it with this word's.
    #[inline]
    fn form(&self, c: char) -> char {
        if c.is_ascii() {
            return if self.ignore_case {
                c.to_ascii_lowercase()
            } else {
                c
            };
        }
        let c = if self.normalize { normalize(c) } else { c };
        if self.ignore_case {
            to_lower_case(c)
        } else {
            c
        }
    }

    /// Whether nucleo matches the word in `text` (its characters in order).
    fn matches(&self, text: Utf32Str<'_>) -> bool {
        let mut want = self.chars.iter().peekable();
        for i in 0..text.len() {
            let Some(&&w) = want.peek() else {
                break;
            };
            if self.form(text.get(i as u32)) == w {
                want.next();
            }
        }
        want.peek().is_none()
    }

    /// Whether nucleo scores the word at its maximum on `name` (scored alone): it occurs
    /// unbroken right after whitespace (or at the start). A one-character word takes
    /// nucleo's shortcut, which on non-ASCII text stops at its first occurrence's class
    /// for the next ones: only its first occurrence counts.
    fn at_max(&self, name: Utf32Str<'_>) -> bool {
        let m = self.chars.len();
        // Past these lengths nucleo may fall back to its greedy matcher.
        if m == 0 || m > MAX_BOUNDED_NEEDLE || name.len() < m || name.len() > MAX_BOUNDED_HAYSTACK {
            return false;
        }
        let class_at = |i: usize| class_of_char(name.get(i as u32));
        for p in 0..=name.len() - m {
            if self.form(name.get(p as u32)) != self.chars[0] {
                continue;
            }
            let prev = p.checked_sub(1).map_or(Class::Whitespace, class_at);
            let at_boundary = bonus(prev, class_at(p)) == MAX_BONUS;
            if at_boundary && (1..m).all(|k| self.form(name.get((p + k) as u32)) == self.chars[k]) {
                return true;
            }
            if m == 1 {
                return false;
            }
        }
        false
    }

    /// The most nucleo can score this word on a haystack, plus the name bonus.
    fn max_score(&self) -> u32 {
        SCORE_MATCH
            + MAX_BONUS * FIRST_CHAR_MULTIPLIER
            + (SCORE_MATCH + MAX_BONUS) * (self.chars.len() as u32).saturating_sub(1)
            + NAME_BONUS
    }
}

impl PeopleIndex {
    /// A query with a non-ASCII character: the non-ASCII haystacks that hold all its
    /// characters are checked for a match; those whose every word is at its maximum in
    /// the name need no scoring, and the others are scored by nucleo in the order of an
    /// upper bound (a word not in the name scores at most nucleo's maximum, without the
    /// name bonus) until none left can enter the best `limit` by score, then name.
    pub(super) fn score_wide(&mut self, pattern: &Pattern, limit: usize) -> SearchHits {
        let layout = &self.layout;
        let records = &self.records;
        let scratch = &mut self.scratch;
        let need = needle_set(pattern);
        let words: Vec<Word> = pattern.atoms.iter().map(Word::new).collect();
        let max: u32 = words.iter().map(Word::max_score).sum();
        let candidates: Box<dyn Iterator<Item = (u32, u128)>> =
            match layout.postings.shortest(pattern) {
                Some(list) => Box::new(
                    list.iter()
                        .map(|&pos| (layout.rank[pos as usize], records[pos as usize].char_set)),
                ),
                None => Box::new(layout.wide.iter().copied()),
            };
        // Matches at the maximum, and the others with an upper bound of their score.
        let mut best: Vec<u32> = Vec::new();
        let mut rest: Vec<(Reverse<u32>, u32)> = Vec::new();
        for (slot, set) in candidates {
            if set & need != need {
                continue;
            }
            let text = layout.text(records, slot, &mut scratch.text);
            if !words.iter().all(|w| w.matches(text)) {
                continue;
            }
            let name = layout.name_text(records, slot, &mut scratch.name);
            if words.iter().all(|w| w.at_max(name)) {
                best.push(slot);
                continue;
            }
            let bound = words
                .iter()
                .map(|w| {
                    if w.matches(name) {
                        w.max_score()
                    } else {
                        w.max_score() - NAME_BONUS
                    }
                })
                .sum();
            rest.push((Reverse(bound), slot));
        }
        let mut total = best.len() + rest.len();
        best.sort_unstable();
        best.truncate(limit);
        let mut top: BinaryHeap<Ranked> = best
            .into_iter()
            .map(|slot| Ranked {
                score: Reverse(max),
                slot,
            })
            .collect();
        rest.sort_unstable();
        for (Reverse(bound), slot) in rest {
            if limit == 0 {
                break;
            }
            if top.len() == limit
                && let Some(w) = top.peek()
                && (bound < w.score.0 || (bound == w.score.0 && slot > w.slot))
            {
                break;
            }
            let Some(score) = pattern_score(
                pattern,
                layout.text(records, slot, &mut scratch.text),
                layout.name_text(records, slot, &mut scratch.name),
                &mut self.matcher,
            ) else {
                // Cannot happen: `Word::matches` is what nucleo matches.
                debug_assert!(false, "checked match not matched by nucleo");
                total -= 1;
                continue;
            };
            debug_assert!(score <= bound, "score {score} above its bound {bound}");
            let item = Ranked {
                score: Reverse(score),
                slot,
            };
            keep_best(&mut top, item, limit);
        }
        let mut hits = top.into_vec();
        hits.sort_unstable();
        SearchHits {
            hits: hits
                .into_iter()
                .map(|r| layout.slots[r.slot as usize].pos as usize)
                .collect(),
            total,
        }
    }
}
