//! One person's haystack in the forms the byte checks and nucleo need (a leaf: the
//! layout, its preparation and the index hold these).

use nucleo_matcher::chars::{normalize, to_lower_case};
use nucleo_matcher::{Utf32Str, Utf32String};

use super::PersonEntry;
use super::bounds::Masks;
use super::charset::char_set;
use super::scorer::{MAX_BOUNDED_HAYSTACK, Needle, find_in};

/// A non-ASCII haystack: nucleo's chars, the normalized (not case-folded) bytes, and the
/// name as nucleo sees it on its own.
pub(super) type Unicode = (Box<[char]>, Box<[u8]>, Utf32String);

/// A character as the byte checks see it: case-folded and normalized, 0x80 when that
/// is not ASCII.
fn fold(c: char) -> u8 {
    let f = if c.is_ascii() {
        c.to_ascii_lowercase()
    } else {
        to_lower_case(normalize(c))
    };
    if f.is_ascii() { f as u8 } else { 0x80 }
}

/// The masks of a name as nucleo scores it on its own.
pub(super) fn name_masks(name: Utf32Str<'_>) -> Masks {
    match name {
        Utf32Str::Ascii(bytes) => Masks::ascii(bytes),
        Utf32Str::Unicode(chars) => {
            let folded: Vec<u8> = chars.iter().map(|&c| fold(c)).collect();
            Masks::unicode(chars, &folded)
        }
    }
}

/// One person's haystack, in the forms the matcher and the byte checks need. Kept
/// small (64 bytes; its masks are the layout's, the rarer non-ASCII forms boxed):
/// there is one per person in every index.
#[derive(Debug, Clone)]
pub(super) struct Record {
    /// ASCII haystacks: the text itself (nucleo scores it, the byte checks fold case on
    /// the fly). Others: the case-folded, normalized bytes (non-ASCII results as 0x80).
    pub(super) folded: Box<[u8]>,
    pub(super) unicode: Option<Box<Unicode>>,
    /// The name is the haystack's first `name_len` characters (`folded[..name_len]`);
    /// for a non-ASCII haystack, 0 when its characters do not start with the name's
    /// as nucleo sees it alone (then nucleo scores it).
    pub(super) name_len: usize,
    /// Short enough for the score bounds to hold.
    pub(super) bounded: bool,
    /// Non-ASCII haystacks: the forms of their characters ([`char_set`]).
    pub(super) char_set: u128,
}

const _: () = assert!(std::mem::size_of::<Record>() <= 64, "a record per person");

impl Record {
    pub(super) fn new(entry: &PersonEntry) -> Record {
        let text = entry.haystack();
        match Utf32String::from(text) {
            Utf32String::Ascii(s) => {
                let folded: Box<[u8]> = s.into_boxed_bytes();
                let name_len = entry.name.len();
                Record {
                    name_len,
                    bounded: folded.len() <= MAX_BOUNDED_HAYSTACK,
                    folded,
                    unicode: None,
                    char_set: 0,
                }
            }
            Utf32String::Unicode(chars) => {
                let byte = |c: char| if c.is_ascii() { c as u8 } else { 0x80 };
                let folded: Box<[u8]> = chars.iter().map(|&c| fold(c)).collect();
                let exact: Box<[u8]> = chars
                    .iter()
                    .map(|&c| byte(if c.is_ascii() { c } else { normalize(c) }))
                    .collect();
                let name = Utf32String::from(entry.name.as_str());
                let name_len = match name.slice(..) {
                    Utf32Str::Ascii(b) => chars.iter().zip(b).all(|(&c, &b)| c == b as char),
                    Utf32Str::Unicode(n) => chars.starts_with(n),
                }
                .then_some(name.len())
                .filter(|&len| len > 0 && len <= chars.len())
                .unwrap_or(0);
                Record {
                    name_len,
                    bounded: chars.len() <= MAX_BOUNDED_HAYSTACK,
                    char_set: char_set(&chars),
                    folded,
                    unicode: Some(Box::new((chars, exact, name))),
                }
            }
        }
    }

    /// The haystack's masks (the layout keeps them, per slot).
    pub(super) fn masks(&self) -> Masks {
        match self.unicode.as_deref() {
            None => Masks::ascii(&self.folded),
            Some((chars, _, _)) => Masks::unicode(chars, &self.folded),
        }
    }

    pub(super) fn text(&self) -> Utf32Str<'_> {
        match self.unicode.as_deref() {
            None => Utf32Str::Ascii(&self.folded),
            Some((chars, _, _)) => Utf32Str::Unicode(chars),
        }
    }

    /// The name, as nucleo sees it on its own.
    pub(super) fn name_text(&self) -> Utf32Str<'_> {
        match self.unicode.as_deref() {
            None => Utf32Str::Ascii(&self.folded[..self.name_len]),
            Some((_, _, name)) => name.slice(..),
        }
    }

    /// The bytes to find an atom in, and whether ASCII letters still need case folding.
    pub(super) fn bytes(&self, ignore_case: bool) -> (&[u8], bool) {
        match self.unicode.as_deref() {
            None => (&self.folded, ignore_case),
            Some((_, exact, _)) if !ignore_case => (exact, false),
            Some(_) => (&self.folded, false),
        }
    }

    /// Where the greedy (leftmost) match of `needle` from `from` ends, if it matches.
    pub(super) fn find(&self, needle: &Needle, from: usize, suffix_from: usize) -> Option<usize> {
        let (hay, fold) = self.bytes(needle.ignore_case);
        find_in(hay, fold, needle, from, suffix_from)
    }
}
