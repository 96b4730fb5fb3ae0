//! Which characters a non-ASCII haystack holds, in every form nucleo may compare
//! (see `wide`): per-person sets and, per character, the people holding it (a leaf:
//! records, the layout and the wide path use them).

use nucleo_matcher::Utf32Str;
use nucleo_matcher::chars::{normalize, to_lower_case};
use nucleo_matcher::pattern::Pattern;
use rustc_hash::FxHashMap;

use super::scorer::bit;
use super::slot::Slot;

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
        forms(c).into_iter().fold(set, |set, f| set | form_bit(f))
    })
}

/// The forms of a character nucleo may compare with a needle's (see [`char_set`]).
fn forms(c: char) -> [char; 4] {
    let n = normalize(c);
    [c, n, to_lower_case(c), to_lower_case(n)]
}

/// For every form outside ASCII of the non-ASCII haystacks' characters, the positions
/// (in the index) of the people holding it, ascending. Built for the positions below
/// `indexed`; people only added extend it, a change or removal starts it again.
#[derive(Debug, Default)]
pub(super) struct Postings {
    lists: FxHashMap<char, Vec<u32>>,
    indexed: usize,
}

impl Postings {
    /// Adds the people from `indexed` up to `len`; `wide(pos)`: a person's characters
    /// outside ASCII (empty for an ASCII one).
    pub(super) fn extend<'a>(&mut self, len: usize, wide: impl Fn(usize) -> &'a str) {
        for at in self.indexed..len {
            let pos = at as u32;
            for c in wide(at).chars().filter(|c| !c.is_ascii()) {
                for form in forms(c).into_iter().filter(|f| !f.is_ascii()) {
                    let list = self.lists.entry(form).or_default();
                    if list.last() != Some(&pos) {
                        list.push(pos);
                    }
                }
            }
        }
        self.indexed = len;
    }

    /// The shortest list among the pattern's non-ASCII characters (empty when one is
    /// held by nobody), or `None` when it has none (a needle whose accents were
    /// combining characters nucleo drops).
    pub(super) fn shortest(&self, pattern: &Pattern) -> Option<&[u32]> {
        let mut best: Option<&[u32]> = None;
        for atom in &pattern.atoms {
            let Utf32Str::Unicode(chars) = atom.needle_text() else {
                continue;
            };
            for c in chars.iter().filter(|c| !c.is_ascii()) {
                let list = self.lists.get(c).map_or(&[][..], Vec::as_slice);
                if best.is_none_or(|b| list.len() < b.len()) {
                    best = Some(list);
                }
            }
        }
        best
    }
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
