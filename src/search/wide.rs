//! Queries with a character outside ASCII. nucleo scores them (the byte checks and
//! `fuzzy_ascii` handle ASCII needles only), but only for the people who can match:
//! - an ASCII haystack never matches a needle with a non-ASCII character (nucleo
//!   compares a haystack character, case-folded and normalized or not, with the
//!   needle's, and an ASCII character stays ASCII either way);
//! - a non-ASCII haystack must hold every character of every word in some form nucleo
//!   may compare: [`char_set`] records each character as itself, normalized, lowercase
//!   and both, so a person whose set lacks one of the query's characters cannot match.
//!
//! The sets are 128 bits: ASCII forms by their character-mask bit (exact), others
//! hashed into the upper 64 bits (a collision only lets a person through to nucleo).
//! [`PeopleIndex::prepare`] keeps them, in name order, for the non-ASCII haystacks only.

use std::cmp::Reverse;

use nucleo_matcher::Utf32Str;
use nucleo_matcher::chars::{normalize, to_lower_case};
use nucleo_matcher::pattern::Pattern;

use super::scorer::{bit, pattern_score};
use super::slot::{Ranked, Slot};
use super::{PeopleIndex, SearchHits};

/// The bit of one form of a character.
#[inline]
fn form_bit(c: char) -> u128 {
    if c.is_ascii() {
        bit((c as u8).to_ascii_lowercase()).map_or(0, u128::from)
    } else {
        // Fibonacci hashing: the top 6 bits of the product pick one of 64.
        1u128 << (64 + ((c as u32).wrapping_mul(0x9E37_79B1) >> 26))
    }
}

/// Every form of every character of a (non-ASCII) haystack nucleo may compare with a
/// needle character: the character, normalized, lowercase, and normalized then
/// lowercase (which of them depends on the word's case and normalization mode).
pub(super) fn char_set(chars: &[char]) -> u128 {
    chars.iter().fold(0, |set, &c| {
        if c.is_ascii() {
            // Its forms are itself and its lowercase: one bit.
            return set | form_bit(c);
        }
        let n = normalize(c);
        set | form_bit(c) | form_bit(n) | form_bit(to_lower_case(c)) | form_bit(to_lower_case(n))
    })
}

/// The characters of every word of a pattern, as `char_set` records them.
pub(super) fn needle_set(pattern: &Pattern) -> u128 {
    let mut set = 0;
    for atom in &pattern.atoms {
        match atom.needle_text() {
            Utf32Str::Ascii(bytes) => {
                for &b in bytes {
                    set |= form_bit(b as char);
                }
            }
            Utf32Str::Unicode(chars) => {
                for &c in chars {
                    set |= form_bit(c);
                }
            }
        }
    }
    set
}

/// The non-ASCII haystacks' character sets in slot (name) order.
pub(super) fn wide_slots(slots: &[Slot], sets: impl Fn(u32) -> u128) -> Vec<(u32, u128)> {
    slots
        .iter()
        .enumerate()
        .filter(|(_, s)| s.unicode)
        .map(|(slot, s)| (slot as u32, sets(s.pos)))
        .collect()
}

impl PeopleIndex {
    /// A query with a non-ASCII character: nucleo scores the non-ASCII haystacks that
    /// hold all its characters; the best `limit` by score, then name.
    pub(super) fn score_wide(&mut self, pattern: &Pattern, limit: usize) -> SearchHits {
        let layout = &self.layout;
        let need = needle_set(pattern);
        let mut scored: Vec<Ranked> = Vec::new();
        for &(slot, set) in &layout.wide {
            if set & need != need {
                continue;
            }
            if let Some(score) = pattern_score(
                pattern,
                layout.text(&self.records, slot),
                layout.name_text(&self.records, slot),
                &mut self.matcher,
            ) {
                scored.push(Ranked {
                    score: Reverse(score),
                    slot,
                });
            }
        }
        let total = scored.len();
        if limit > 0 && scored.len() > limit {
            scored.select_nth_unstable(limit - 1);
        }
        scored.truncate(limit);
        scored.sort_unstable();
        SearchHits {
            hits: scored
                .into_iter()
                .map(|r| layout.slots[r.slot as usize].pos as usize)
                .collect(),
            total,
        }
    }
}
