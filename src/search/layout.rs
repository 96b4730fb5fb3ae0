//! Each person's haystack in the forms the byte checks and nucleo need, laid out in
//! name order in one block of bytes so the scans read memory sequentially, and the
//! scoring of one laid-out person.

use std::cmp::Ordering;

use nucleo_matcher::chars::{normalize, to_lower_case};
use nucleo_matcher::pattern::Pattern;
use nucleo_matcher::{Matcher, Utf32Str, Utf32String};

use super::bounds::Masks;
use super::scorer::{
    MAX_BOUNDED_HAYSTACK, MAX_BOUNDED_NEEDLE, NAME_BONUS, Needle, at_max, find_in, fuzzy_ascii,
    fuzzy_chars, fuzzy_chars_optimal, pattern_score, word_score,
};
use super::slot::{Slot, SlotMasks};
use super::wide::{Postings, char_set, wide_slots};
use super::{PeopleIndex, PersonEntry};

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
fn name_masks(name: Utf32Str<'_>) -> Masks {
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

/// The haystacks in name order, bytes in one block: matches of a query are visited in
/// name order, so this keeps the scans sequential in memory.
#[derive(Debug, Default)]
pub(super) struct Layout {
    pub(super) slots: Vec<Slot>,
    /// Per slot.
    pub(super) masks: Vec<SlotMasks>,
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
        if self.slots[slot as usize].unicode && needle.bytes.len() == 1 {
            // nucleo's one-character shortcut on non-ASCII text takes the class of the
            // previous match for the previous character's: no mask bounds its bonus.
            return needle.max_score();
        }
        let masks = &self.masks[slot as usize];
        let full = masks.full.bound(needle);
        if self.in_name(slot, needle) {
            full.max(masks.name.bound(needle) + NAME_BONUS)
        } else {
            full
        }
    }

    pub(super) fn name_text<'a>(&'a self, records: &'a [Record], slot: u32) -> Utf32Str<'a> {
        let s = &self.slots[slot as usize];
        if s.unicode {
            records[s.pos as usize].name_text()
        } else {
            Utf32Str::Ascii(&self.bytes(s)[..s.name_len as usize])
        }
    }

    pub(super) fn text<'a>(&'a self, records: &'a [Record], slot: u32) -> Utf32Str<'a> {
        let s = &self.slots[slot as usize];
        if s.unicode {
            records[s.pos as usize].text()
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
            (true, false) => records[s.pos as usize].find(needle, from, suffix_from),
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
) -> Option<(u32, Option<u32>)> {
    let s = &layout.slots[slot as usize];
    let short_needles = needles.iter().all(|d| d.bytes.len() <= MAX_BOUNDED_NEEDLE);
    if s.unicode
        && s.bounded
        && s.name_len > 0
        && short_needles
        && let Some((chars, exact, _)) = records[s.pos as usize].unicode.as_deref()
    {
        let name_len = s.name_len as usize;
        let (mut total, mut bound) = (0, 0);
        for (i, needle) in needles.iter().enumerate() {
            let hay = if needle.ignore_case {
                layout.bytes(s)
            } else {
                exact
            };
            let (full, name) = fuzzy_chars(hay, chars, name_len, needle)?;
            let word = word_score(full, name);
            total += word;
            bound += if i + 1 == needles.len() && needle.bytes.len() == 1 {
                let (full, name) = fuzzy_chars_optimal(hay, chars, name_len, needle)?;
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
            layout.text(records, slot),
            layout.name_text(records, slot),
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

impl PeopleIndex {
    /// Brings the search layout up to date with the entries (done by the next search
    /// anyway; call it after loading people so the first keystroke does not pay it).
    pub fn prepare(&mut self) {
        if self.layout.generation == self.generation {
            return;
        }
        self.fill_records();
        let n = self.entries.len();
        let entries = &self.entries;
        let by_name = |a: &u32, b: &u32| {
            entries[*a as usize]
                .name
                .cmp(&entries[*b as usize].name)
                .then(a.cmp(b))
        };
        let old_len = self.layout.slots.len();
        let mut postings = std::mem::take(&mut self.layout.postings);
        if self.rebuild || old_len > n {
            postings = Postings::default();
        }
        let records = &self.records;
        postings.extend(n, |pos| {
            records[pos].unicode.as_deref().map(|(c, _, _)| &c[..])
        });
        let slot_of = |r: &Record, pos: u32, off: usize| {
            let full = r.masks();
            let slot = Slot {
                pos,
                off: off as u32,
                len: r.folded.len() as u32,
                name_len: r.name_len as u32,
                any: full.any,
                unicode: r.unicode.is_some(),
                bounded: r.bounded,
            };
            let masks = SlotMasks {
                full,
                // Names are short: computed here rather than kept per record.
                name: match r.unicode.as_deref() {
                    None => Masks::ascii(&r.folded[..r.name_len]),
                    Some((_, _, name)) => name_masks(name.slice(..)),
                },
            };
            (slot, masks)
        };
        if !self.rebuild && old_len <= n && self.layout.scattered + (n - old_len) <= n / 8 {
            // People were only added: insert them into the name order (their bytes go at
            // the end of the arena); remembered matches keep their relative order.
            let mut added: Vec<u32> = (old_len as u32..n as u32).collect();
            added.sort_unstable_by(by_name);
            let layout = &mut self.layout;
            let old = std::mem::take(&mut layout.slots);
            let old_masks = std::mem::take(&mut layout.masks);
            let mut slots = Vec::with_capacity(n);
            let mut masks = Vec::with_capacity(n);
            let mut from = 0;
            for pos in added {
                let at =
                    from + old[from..].partition_point(|s| by_name(&s.pos, &pos) == Ordering::Less);
                slots.extend_from_slice(&old[from..at]);
                masks.extend_from_slice(&old_masks[from..at]);
                from = at;
                let r = &self.records[pos as usize];
                let (slot, slot_masks) = slot_of(r, pos, layout.arena.len());
                slots.push(slot);
                masks.push(slot_masks);
                layout.arena.extend_from_slice(&r.folded);
            }
            slots.extend_from_slice(&old[from..]);
            masks.extend_from_slice(&old_masks[from..]);
            layout.rank.resize(n, 0);
            for (slot, s) in slots.iter().enumerate() {
                layout.rank[s.pos as usize] = slot as u32;
            }
            for state in &mut self.states {
                for c in &mut state.candidates {
                    c.slot = layout.rank[old[c.slot as usize].pos as usize];
                }
            }
            layout.scattered += n - old_len;
            let records = &self.records;
            layout.wide = wide_slots(&slots, |pos| records[pos as usize].char_set);
            layout.postings = postings;
            layout.slots = slots;
            layout.masks = masks;
            layout.generation = self.generation;
            return;
        }
        let mut order: Vec<u32> = if !self.rebuild && old_len <= n {
            // Only added, but enough to lay the bytes out again.
            let old: Vec<u32> = self.layout.slots.iter().map(|s| s.pos).collect();
            let mut added: Vec<u32> = (old_len as u32..n as u32).collect();
            added.sort_unstable_by(by_name);
            merge_by(old, added, |a, b| by_name(a, b) == Ordering::Less)
        } else {
            self.states.clear();
            (0..n as u32).collect()
        };
        if self.rebuild || old_len > n {
            order.sort_unstable_by(by_name);
        }
        let mut rank = vec![0u32; n];
        for (slot, &pos) in order.iter().enumerate() {
            rank[pos as usize] = slot as u32;
        }
        for state in &mut self.states {
            for c in &mut state.candidates {
                c.slot = rank[self.layout.slots[c.slot as usize].pos as usize];
            }
        }
        let bytes: usize = self.records.iter().map(|r| r.folded.len()).sum();
        let mut arena = Vec::with_capacity(bytes);
        let (slots, masks): (Vec<Slot>, Vec<SlotMasks>) = order
            .iter()
            .map(|&pos| {
                let r = &self.records[pos as usize];
                let slot = slot_of(r, pos, arena.len());
                arena.extend_from_slice(&r.folded);
                slot
            })
            .unzip();
        let records = &self.records;
        self.layout = Layout {
            wide: wide_slots(&slots, |pos| records[pos as usize].char_set),
            postings,
            slots,
            masks,
            arena,
            rank,
            generation: self.generation,
            scattered: 0,
        };
        self.rebuild = false;
    }
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
