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

/// One person's haystack, in the forms the matcher and the byte checks need, in at
/// most one allocation. Kept small (48 bytes; its masks are the layout's): there is one
/// per person in every index.
///
/// The haystack's `folded` bytes (an ASCII haystack's text itself, which nucleo scores
/// and the byte checks fold case in on the fly; a non-ASCII one's case-folded,
/// normalized bytes, one a character) have one home, the layout's arena: a record
/// writes them there from its entry ([`Record::fold_into`]) and is handed them back
/// where it needs them. So an ASCII haystack's record holds no bytes at all. A
/// non-ASCII haystack of `len` characters (as nucleo sees them) holds, one byte a
/// character, the normalized bytes (`exact`, for a word with an uppercase letter) and
/// the characters as [`raw_byte`]s (themselves when ASCII, else their class); then the
/// characters outside ASCII in UTF-8 (the `raw` bytes from 0x80 up, in order), from
/// which nucleo's characters (and the folded bytes) are expanded; then, when the name
/// is not the haystack's first characters, the name itself (`own_name` bytes).
#[derive(Debug, Clone)]
pub(super) struct Record {
    block: Box<[u8]>,
    len: u32,
    /// The name is the haystack's first `name_len` characters (`folded[..name_len]`);
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
        let parts = entry.haystack_parts();
        if parts.iter().all(|p| p.is_ascii()) {
            // nucleo reads an ASCII text byte by byte: its folded bytes are the entry's.
            let len: usize = parts.iter().map(|p| p.len()).sum();
            return Record {
                block: Box::default(),
                len: len as u32,
                name_len: entry.name.len() as u32,
                own_name: 0,
                unicode: false,
                bounded: len <= MAX_BOUNDED_HAYSTACK,
                name_ascii: true,
                char_set: 0,
            };
        }
        // What `Utf32String::from` makes of a text that is not ASCII.
        let chars: Vec<char> = graphemes(&parts.concat()).collect();
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
        let mut block = Vec::with_capacity(2 * chars.len() + wide.len() + own_name);
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

    /// How many folded bytes the haystack has (one a character as nucleo reads it).
    #[inline]
    pub(super) fn folded_len(&self) -> usize {
        self.len as usize
    }

    /// Appends the haystack's folded bytes to `out` (the layout's arena, their only
    /// home): an ASCII haystack's text, taken from `entry` (this record's person), or
    /// the case-folded, normalized bytes of a non-ASCII one's characters (0x80 for a
    /// result outside ASCII), expanded from the record's own.
    pub(super) fn fold_into(&self, entry: &PersonEntry, out: &mut Vec<u8>) {
        let start = out.len();
        if self.unicode {
            // ASCII characters fold alone; those outside ASCII (their raw bytes from
            // 0x80 up) are folded from the record's UTF-8, in order.
            out.extend(self.raw().iter().map(u8::to_ascii_lowercase));
            let outside = out[start..].iter_mut().filter(|b| **b >= 0x80);
            for (b, c) in outside.zip(self.wide_chars().chars()) {
                *b = fold(c);
            }
        } else {
            for part in entry.haystack_parts() {
                out.extend_from_slice(part.as_bytes());
            }
        }
        debug_assert_eq!(out.len() - start, self.folded_len(), "the record's entry");
    }

    /// Non-ASCII haystacks: the normalized (not case-folded) bytes.
    #[inline]
    pub(super) fn exact(&self) -> &[u8] {
        let n = self.len as usize;
        &self.block[..n]
    }

    /// Non-ASCII haystacks: the characters as [`raw_byte`]s.
    #[inline]
    pub(super) fn raw(&self) -> &[u8] {
        let n = self.len as usize;
        &self.block[n..2 * n]
    }

    /// Non-ASCII haystacks: their characters outside ASCII, in order (empty for an
    /// ASCII one).
    pub(super) fn wide_chars(&self) -> &str {
        if !self.unicode {
            return "";
        }
        let n = self.len as usize;
        let end = self.block.len() - self.own_name as usize;
        std::str::from_utf8(&self.block[2 * n..end]).expect("built from chars")
    }

    /// The name, when it is not the haystack's first characters.
    fn own_name(&self) -> &str {
        let start = self.block.len() - self.own_name as usize;
        std::str::from_utf8(&self.block[start..]).expect("built from a str")
    }

    /// The haystack's masks (the layout keeps them, per slot), given its folded bytes.
    pub(super) fn masks(&self, folded: &[u8]) -> Masks {
        if self.unicode {
            Masks::unicode(self.raw(), folded)
        } else {
            Masks::ascii(folded)
        }
    }

    /// The masks of the name as nucleo scores it on its own, given the haystack's
    /// folded bytes.
    pub(super) fn name_masks(&self, folded: &[u8]) -> Masks {
        let name_len = self.name_len as usize;
        match (self.unicode, name_len) {
            (false, _) => Masks::ascii(&folded[..name_len]),
            (true, 0) => name_masks(Utf32String::from(self.own_name()).slice(..)),
            (true, _) if self.name_ascii => Masks::ascii(&self.raw()[..name_len]),
            (true, _) => Masks::unicode(&self.raw()[..name_len], &folded[..name_len]),
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

    /// The haystack as nucleo sees it, given its folded bytes (a non-ASCII one
    /// expanded into `buf`).
    pub(super) fn text<'a>(&'a self, folded: &'a [u8], buf: &'a mut Vec<char>) -> Utf32Str<'a> {
        if self.unicode {
            Utf32Str::Unicode(self.expand(self.len as usize, buf))
        } else {
            Utf32Str::Ascii(folded)
        }
    }

    /// The name, as nucleo sees it on its own, given the haystack's folded bytes (a
    /// non-ASCII one expanded into `buf`).
    pub(super) fn name_text<'a>(
        &'a self,
        folded: &'a [u8],
        buf: &'a mut Vec<char>,
    ) -> Utf32Str<'a> {
        let name_len = self.name_len as usize;
        if !self.unicode {
            return Utf32Str::Ascii(&folded[..name_len]);
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

    /// Non-ASCII haystacks: where the greedy (leftmost) match of the case-sensitive
    /// `needle` from `from` ends in the normalized bytes, if it matches (the folded
    /// ones, for a needle ignoring case, are the layout's).
    pub(super) fn find_exact(
        &self,
        needle: &Needle,
        from: usize,
        suffix_from: usize,
    ) -> Option<usize> {
        debug_assert!(self.unicode && !needle.ignore_case);
        find_in(self.exact(), false, needle, from, suffix_from)
    }

    /// The bytes the record holds apart from itself (none for an ASCII haystack).
    #[cfg(test)]
    pub(super) fn held_bytes(&self) -> usize {
        self.block.len()
    }
}
