//! One person's haystack in the forms the byte checks and nucleo need (a leaf: the
//! layout, its preparation and the index hold these).

use nucleo_matcher::chars::{graphemes, normalize, to_lower_case};
use nucleo_matcher::{Utf32Str, Utf32String};

use super::PersonEntry;
use super::bounds::Masks;
use super::charset::char_set;
use super::scorer::{MAX_BOUNDED_HAYSTACK, Needle, find_in, raw_byte};

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

/// A character as the case-sensitive byte checks see it: normalized, 0x80 when that is
/// not ASCII.
fn exact(c: char) -> u8 {
    let n = if c.is_ascii() { c } else { normalize(c) };
    if n.is_ascii() { n as u8 } else { 0x80 }
}

/// The masks of a name as nucleo scores it on its own.
fn name_masks(name: Utf32Str<'_>) -> Masks {
    match name {
        Utf32Str::Ascii(bytes) => Masks::ascii(bytes),
        Utf32Str::Unicode(chars) => {
            let folded: Vec<u8> = chars.iter().map(|&c| fold(c)).collect();
            let raw: Vec<u8> = chars.iter().map(|&c| raw_byte(c)).collect();
            Masks::unicode(&raw, &folded)
        }
    }
}

/// Where a search expands a non-ASCII record's characters for nucleo (kept between
/// searches, so scoring allocates nothing).
#[derive(Debug, Default)]
pub(super) struct Scratch {
    pub(super) text: Vec<char>,
    pub(super) name: Vec<char>,
}

/// One person's haystack, in the forms the matcher and the byte checks need, in one
/// allocation. Kept small (48 bytes; its masks are the layout's): there is one per
/// person in every index.
///
/// An ASCII haystack's `block` is the text itself (nucleo scores it, the byte checks
/// fold case on the fly). A non-ASCII haystack of `len` characters (as nucleo sees
/// them) holds, one byte a character, the case-folded normalized bytes (`folded`), the
/// normalized ones (`exact`, for a word with an uppercase letter), and the characters
/// as [`raw_byte`]s (themselves when ASCII, else their class); then the characters
/// outside ASCII in UTF-8 (the `raw` bytes from 0x80 up, in order), from which nucleo's
/// characters are expanded when it scores; then, when the name is not the haystack's
/// first characters, the name itself (`own_name` bytes).
#[derive(Debug, Clone)]
pub(super) struct Record {
    block: Box<[u8]>,
    len: u32,
    /// The name is the haystack's first `name_len` characters (`folded()[..name_len]`);
    /// for a non-ASCII haystack, 0 when its characters do not start with the name's
    /// as nucleo sees it alone (then nucleo scores it).
    pub(super) name_len: u32,
    own_name: u32,
    pub(super) unicode: bool,
    /// Short enough for the score bounds to hold.
    pub(super) bounded: bool,
    /// The name is ASCII (nucleo scores it as such, alone).
    name_ascii: bool,
    /// Non-ASCII haystacks: the forms of their characters ([`char_set`]).
    pub(super) char_set: u128,
}

const _: () = assert!(std::mem::size_of::<Record>() <= 48, "a record per person");

impl Record {
    pub(super) fn new(entry: &PersonEntry) -> Record {
        let text = entry.haystack();
        let chars = match Utf32String::from(text.as_str()) {
            Utf32String::Ascii(s) => {
                let block: Box<[u8]> = s.into_boxed_bytes();
                return Record {
                    len: block.len() as u32,
                    name_len: entry.name.len() as u32,
                    own_name: 0,
                    unicode: false,
                    bounded: block.len() <= MAX_BOUNDED_HAYSTACK,
                    name_ascii: true,
                    block,
                    char_set: 0,
                };
            }
            Utf32String::Unicode(chars) => chars,
        };
        let name = Utf32String::from(entry.name.as_str());
        let name_len = match name.slice(..) {
            Utf32Str::Ascii(b) => chars.iter().zip(b).all(|(&c, &b)| c == b as char),
            Utf32Str::Unicode(n) => chars.starts_with(n),
        }
        .then_some(name.len())
        .filter(|&len| len > 0 && len <= chars.len())
        .unwrap_or(0);
        let own_name = if name_len == 0 { entry.name.len() } else { 0 };
        let wide: String = chars.iter().filter(|c| !c.is_ascii()).collect();
        let mut block = Vec::with_capacity(3 * chars.len() + wide.len() + own_name);
        block.extend(chars.iter().map(|&c| fold(c)));
        block.extend(chars.iter().map(|&c| exact(c)));
        block.extend(chars.iter().map(|&c| raw_byte(c)));
        block.extend_from_slice(wide.as_bytes());
        if own_name > 0 {
            block.extend_from_slice(entry.name.as_bytes());
        }
        Record {
            block: block.into_boxed_slice(),
            len: chars.len() as u32,
            name_len: name_len as u32,
            own_name: own_name as u32,
            unicode: true,
            bounded: chars.len() <= MAX_BOUNDED_HAYSTACK,
            name_ascii: entry.name.is_ascii(),
            char_set: char_set(&chars),
        }
    }

    /// ASCII haystacks: the text. Others: the case-folded, normalized bytes (non-ASCII
    /// results as 0x80). The layout's arena holds a copy.
    #[inline]
    pub(super) fn folded(&self) -> &[u8] {
        &self.block[..self.len as usize]
    }

    /// Non-ASCII haystacks: the normalized (not case-folded) bytes.
    #[inline]
    pub(super) fn exact(&self) -> &[u8] {
        let n = self.len as usize;
        &self.block[n..2 * n]
    }

    /// Non-ASCII haystacks: the characters as [`raw_byte`]s.
    #[inline]
    pub(super) fn raw(&self) -> &[u8] {
        let n = self.len as usize;
        &self.block[2 * n..3 * n]
    }

    /// Non-ASCII haystacks: their characters outside ASCII, in order (empty for an
    /// ASCII one).
    pub(super) fn wide_chars(&self) -> &str {
        if !self.unicode {
            return "";
        }
        let n = self.len as usize;
        let end = self.block.len() - self.own_name as usize;
        std::str::from_utf8(&self.block[3 * n..end]).expect("built from chars")
    }

    /// The name, when it is not the haystack's first characters.
    fn own_name(&self) -> &str {
        let start = self.block.len() - self.own_name as usize;
        std::str::from_utf8(&self.block[start..]).expect("built from a str")
    }

    /// The haystack's masks (the layout keeps them, per slot).
    pub(super) fn masks(&self) -> Masks {
        if self.unicode {
            Masks::unicode(self.raw(), self.folded())
        } else {
            Masks::ascii(self.folded())
        }
    }

    /// The masks of the name as nucleo scores it on its own.
    pub(super) fn name_masks(&self) -> Masks {
        let name_len = self.name_len as usize;
        match (self.unicode, name_len) {
            (false, _) => Masks::ascii(&self.block[..name_len]),
            (true, 0) => name_masks(Utf32String::from(self.own_name()).slice(..)),
            (true, _) if self.name_ascii => Masks::ascii(&self.raw()[..name_len]),
            (true, _) => Masks::unicode(&self.raw()[..name_len], &self.folded()[..name_len]),
        }
    }

    /// nucleo's characters of the first `n` of a non-ASCII haystack, into `buf`.
    fn expand<'a>(&self, n: usize, buf: &'a mut Vec<char>) -> &'a [char] {
        let mut wide = self.wide_chars().chars();
        buf.clear();
        buf.extend(self.raw()[..n].iter().map(|&b| {
            if b < 0x80 {
                b as char
            } else {
                wide.next().unwrap_or_default()
            }
        }));
        buf
    }

    /// The haystack as nucleo sees it (a non-ASCII one expanded into `buf`).
    pub(super) fn text<'a>(&'a self, buf: &'a mut Vec<char>) -> Utf32Str<'a> {
        if self.unicode {
            Utf32Str::Unicode(self.expand(self.len as usize, buf))
        } else {
            Utf32Str::Ascii(&self.block)
        }
    }

    /// The name, as nucleo sees it on its own (a non-ASCII one expanded into `buf`).
    pub(super) fn name_text<'a>(&'a self, buf: &'a mut Vec<char>) -> Utf32Str<'a> {
        let name_len = self.name_len as usize;
        if !self.unicode {
            return Utf32Str::Ascii(&self.block[..name_len]);
        }
        if name_len == 0 {
            let name = self.own_name();
            if name.is_ascii() {
                return Utf32Str::Ascii(name.as_bytes());
            }
            buf.clear();
            buf.extend(graphemes(name));
            return Utf32Str::Unicode(buf);
        }
        if self.name_ascii {
            Utf32Str::Ascii(&self.raw()[..name_len])
        } else {
            Utf32Str::Unicode(self.expand(name_len, buf))
        }
    }

    /// The bytes to find an atom in, and whether ASCII letters still need case folding.
    pub(super) fn bytes(&self, ignore_case: bool) -> (&[u8], bool) {
        match (self.unicode, ignore_case) {
            (false, _) => (&self.block, ignore_case),
            (true, false) => (self.exact(), false),
            (true, true) => (self.folded(), false),
        }
    }

    /// Where the greedy (leftmost) match of `needle` from `from` ends, if it matches.
    pub(super) fn find(&self, needle: &Needle, from: usize, suffix_from: usize) -> Option<usize> {
        let (hay, fold) = self.bytes(needle.ignore_case);
        find_in(hay, fold, needle, from, suffix_from)
    }
}
