//! The haystacks laid out in name order in one block of bytes so the scans read
//! memory sequentially, and the scoring of one laid-out person (a leaf: built by
//! `prepare`, read by the query scan and the ranking).

use nucleo_matcher::pattern::Pattern;
use nucleo_matcher::{Matcher, Utf32Str};

use super::charset::Postings;
use super::record::{Record, Scratch};
use super::scorer::{
    MAX_BOUNDED_NEEDLE, NAME_BONUS, Needle, at_max, find_in, fuzzy_ascii, fuzzy_chars,
    fuzzy_chars_optimal, pattern_score, word_score,
};
use super::slot::Slot;
use super::slot::SlotMasks;

/// The haystacks in name order, bytes in one block: matches of a query are visited in
/// name order, so this keeps the scans sequential in memory.
#[derive(Debug, Default)]
pub(super) struct Layout {
    pub(super) slots: Vec<Slot>,
    /// Per slot.
    pub(super) masks: Vec<SlotMasks>,
    /// The haystacks' folded bytes (`Record::fold_into`): their only home, the
    /// records hold none.
    pub(super) arena: Vec<u8>,
    /// Position -> slot.
    pub(super) rank: Vec<u32>,
    /// `PeopleIndex::generation` the layout was built for.
    pub(super) generation: u64,
    /// People added since the bytes were last laid out in name order (theirs are at the
    /// end of the arena).
    pub(super) scattered: usize,
    /// The non-ASCII haystacks' slots with their character sets, in slot order (see
    /// `wide`).
    pub(super) wide: Vec<(u32, u128)>,
    /// Who holds each non-ASCII character (see `wide`).
    pub(super) postings: Postings,
}

impl Layout {
    #[inline]
    pub(super) fn bytes(&self, s: &Slot) -> &[u8] {
        &self.arena[s.off as usize..(s.off + s.len) as usize]
    }

    /// Whether `needle` matches inside the name of an ASCII slot (of a non-ASCII one:
    /// whether the name holds its characters).
    pub(super) fn in_name(&self, slot: u32, needle: &Needle) -> bool {
        let s = &self.slots[slot as usize];
        self.masks[slot as usize].name.any & needle.mask == needle.mask
            && (s.unicode
                || find_in(
                    &self.bytes(s)[..s.name_len as usize],
                    needle.ignore_case,
                    needle,
                    0,
                    0,
                )
                .is_some())
    }

    /// An upper bound of a word's score (name bonus included).
    pub(super) fn word_bound(&self, slot: u32, needle: &Needle) -> u32 {
        self.word_bound_if(slot, needle, |slot, needle| self.in_name(slot, needle))
    }

    /// [`Layout::word_bound`] from the masks alone (no haystack byte read): a name
    /// holding the word's characters counts as holding the word, so the bound is at
    /// least `word_bound`'s.
    pub(super) fn word_bound_by_masks(&self, slot: u32, needle: &Needle) -> u32 {
        self.word_bound_if(slot, needle, |slot, needle| {
            self.masks[slot as usize].name.any & needle.mask == needle.mask
        })
    }

    /// A word's bound given whether its name bonus may count (`in_name`).
    #[inline]
    fn word_bound_if(
        &self,
        slot: u32,
        needle: &Needle,
        in_name: impl Fn(u32, &Needle) -> bool,
    ) -> u32 {
        if self.slots[slot as usize].unicode && needle.bytes.len() == 1 {
            // nucleo's one-character shortcut on non-ASCII text takes the class of the
            // previous match for the previous character's: no mask bounds its bonus.
            return needle.max_score();
        }
        let masks = &self.masks[slot as usize];
        let full = masks.full.bound(needle);
        if in_name(slot, needle) {
            full.max(masks.name.bound(needle) + NAME_BONUS)
        } else {
            full
        }
    }

    /// The name as nucleo sees it alone (a non-ASCII one expanded into `buf`).
    pub(super) fn name_text<'a>(
        &'a self,
        records: &'a [Record],
        slot: u32,
        buf: &'a mut Vec<char>,
    ) -> Utf32Str<'a> {
        let s = &self.slots[slot as usize];
        if s.unicode {
            records[s.pos as usize].name_text(self.bytes(s), buf)
        } else {
            Utf32Str::Ascii(&self.bytes(s)[..s.name_len as usize])
        }
    }

    /// The haystack as nucleo sees it (a non-ASCII one expanded into `buf`).
    pub(super) fn text<'a>(
        &'a self,
        records: &'a [Record],
        slot: u32,
        buf: &'a mut Vec<char>,
    ) -> Utf32Str<'a> {
        let s = &self.slots[slot as usize];
        if s.unicode {
            records[s.pos as usize].text(self.bytes(s), buf)
        } else {
            Utf32Str::Ascii(self.bytes(s))
        }
    }

    pub(super) fn find(
        &self,
        records: &[Record],
        slot: u32,
        needle: &Needle,
        from: usize,
        suffix_from: usize,
    ) -> Option<usize> {
        let s = &self.slots[slot as usize];
        match (s.unicode, needle.ignore_case) {
            // The arena holds a non-ASCII haystack's case-folded bytes.
            (true, true) => find_in(self.bytes(s), false, needle, from, suffix_from),
            (true, false) => records[s.pos as usize].find_exact(needle, from, suffix_from),
            (false, fold) => find_in(self.bytes(s), fold, needle, from, suffix_from),
        }
    }

    /// Whether every needle matches; where the last one's greedy match ends.
    pub(super) fn find_all(
        &self,
        records: &[Record],
        slot: u32,
        needles: &[Needle],
    ) -> Option<usize> {
        let mut end = 0;
        for d in needles {
            end = self.find(records, slot, d, 0, 0)?;
        }
        Some(end)
    }
}

/// A pattern's score (the sum of its words' scores) on a slot's haystack. Short ASCII
/// haystacks are scored by [`fuzzy_ascii`] (nucleo's algorithm, both fields in one
/// pass), and a word found unbroken right after whitespace in the name scores its
/// maximum without that; short non-ASCII ones by [`fuzzy_chars`]; the others go to
/// nucleo.
///
/// Also an upper bound of the score of this pattern and of every pattern extending it,
/// when known: the score itself, except when the last word is one character on a
/// non-ASCII haystack (nucleo's shortcut for it may score below what the optimal
/// algorithm, which scores the longer words, gives that character). `fuzzy_chars`
/// haystacks then bound it by the larger of the two; nucleo's give none.
pub(super) fn score(
    layout: &Layout,
    records: &[Record],
    slot: u32,
    pattern: &Pattern,
    needles: &[Needle],
    matcher: &mut Matcher,
    scratch: &mut Scratch,
) -> Option<(u32, Option<u32>)> {
    let s = &layout.slots[slot as usize];
    let short_needles = needles.iter().all(|d| d.bytes.len() <= MAX_BOUNDED_NEEDLE);
    if s.unicode && s.bounded && s.name_len > 0 && short_needles {
        let record = &records[s.pos as usize];
        let (exact, raw) = (record.exact(), record.raw());
        let name_len = s.name_len as usize;
        let (mut total, mut bound) = (0, 0);
        for (i, needle) in needles.iter().enumerate() {
            let hay = if needle.ignore_case {
                layout.bytes(s)
            } else {
                exact
            };
            let (full, name) = fuzzy_chars(hay, raw, name_len, needle)?;
            let word = word_score(full, name);
            total += word;
            bound += if i + 1 == needles.len() && needle.bytes.len() == 1 {
                let (full, name) = fuzzy_chars_optimal(hay, raw, name_len, needle)?;
                word.max(word_score(full, name))
            } else {
                word
            };
        }
        return Some((total, Some(bound)));
    }
    if s.unicode || !s.bounded || !short_needles {
        let total = pattern_score(
            pattern,
            layout.text(records, slot, &mut scratch.text),
            layout.name_text(records, slot, &mut scratch.name),
            matcher,
        )?;
        let last_single = needles.last().is_some_and(|d| d.bytes.len() == 1);
        return Some((total, (!(s.unicode && last_single)).then_some(total)));
    }
    let bytes = layout.bytes(s);
    let name_len = s.name_len as usize;
    let mut total = 0;
    for needle in needles {
        total += if at_max(&bytes[..name_len], needle) {
            needle.max_score()
        } else if !layout.in_name(slot, needle) {
            // Only the whole haystack counts.
            if at_max(bytes, needle) {
                needle.nucleo_max()
            } else {
                fuzzy_ascii(bytes, 0, needle)?.0
            }
        } else {
            let (full, name) = fuzzy_ascii(bytes, name_len, needle)?;
            word_score(full, name)
        };
    }
    Some((total, Some(total)))
}

/// Merges two sorted runs (`less(a, b)`: a sorts before b); stable, `a` first on ties.
pub(super) fn merge_by<T: Copy>(a: Vec<T>, b: Vec<T>, less: impl Fn(&T, &T) -> bool) -> Vec<T> {
    if b.is_empty() {
        return a;
    }
    if a.is_empty() {
        return b;
    }
    let mut out = Vec::with_capacity(a.len() + b.len());
    let (mut i, mut j) = (0, 0);
    while i < a.len() && j < b.len() {
        if less(&b[j], &a[i]) {
            out.push(b[j]);
            j += 1;
        } else {
            out.push(a[i]);
            i += 1;
        }
    }
    out.extend_from_slice(&a[i..]);
    out.extend_from_slice(&b[j..]);
    out
}
