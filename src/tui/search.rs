//! The local people index behind search-as-you-type.
//!
//! The SalesLoft API has no free-text people search, so the worker walks every person
//! in the background (`Request::IndexPeople`) and the UI keeps them here. Matching is
//! fuzzy (nucleo) over one haystack per person made of name, email, company and title,
//! so "ada acme" finds Ada Lovelace at Acme. Each word of the query scores the larger of
//! nucleo's score on the whole haystack and its score on the name alone plus
//! `NAME_BONUS`, so "mar" ranks Aisha Martin before a Marketing Manager. Hits are ranked
//! by the sum over the words, then by name (then by position, so the order is total).
//!
//! Typing stays within a few milliseconds over 100k people without changing what is
//! found or its order:
//! - Which people match is decided without the scorer: a fuzzy atom matches exactly when
//!   its characters appear in order in the (case-folded, normalized) haystack, checked
//!   on bytes, and a query that extends the previous one only checks the previous
//!   matches, resuming from where the previous needle ended.
//! - Scores are only computed for the people who can still reach the top `limit`. Each
//!   match keeps an upper bound of its score: exact once scored, else the bound of the
//!   shorter query plus the most a longer needle can add (a character adds at most
//!   `SCORE_MATCH` + the largest bonus; a new word at most the first-character bonus
//!   on top), and also at most what the person's character masks (of the haystack and
//!   of the name) allow; that last bound is only computed for the matches a search
//!   reaches. Matches are scored in (bound, name) order, so scoring stops at the first
//!   one whose bound cannot beat the current `limit`-th hit.
//! - A query's best possible score is recognised without the scorer (every word occurs
//!   unbroken right after whitespace in the name), so common prefixes with thousands of
//!   perfect hits cost a scan.
//! - Short ASCII haystacks are scored by [`fuzzy_ascii`], nucleo's algorithm evaluated
//!   only at the columns holding a needle character, which gives the haystack's and the
//!   name's score in one pass; other haystacks go to nucleo.
//! - One-character queries are scored from per-person bitmasks of which characters
//!   occur after which kind of boundary (the only thing nucleo's score depends on).
//! - The haystacks are laid out in name order in one block of bytes, so the scans
//!   read memory sequentially; [`PeopleIndex::prepare`] builds that layout.
//! - Recent queries are kept, so backspace answers from memory.
//!
//! The tests compare every answer with a full nucleo rescore of everyone, and
//! [`fuzzy_ascii`] with nucleo itself.

use std::cmp::{Ordering, Reverse};
use std::collections::{BinaryHeap, HashMap};

use memchr::{memchr, memchr2};

use nucleo_matcher::chars::{normalize, to_lower_case};
use nucleo_matcher::pattern::{AtomKind, CaseMatching, Normalization, Pattern};
use nucleo_matcher::{Config, Matcher, Utf32Str, Utf32String};

/// What the search shows and matches about one person.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PersonEntry {
    pub id: u64,
    pub name: String,
    pub email: String,
    pub company: String,
    pub title: String,
}

impl PersonEntry {
    fn haystack(&self) -> String {
        // Two spaces keep words of different fields apart for the scorer's bonuses.
        format!(
            "{}  {}  {}  {}",
            self.name, self.email, self.company, self.title
        )
    }
}

/// The result of one search: positions in the index, best first.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SearchHits {
    /// At most the requested limit, best first.
    pub hits: Vec<usize>,
    /// How many people matched in all (may exceed `hits.len()`).
    pub total: usize,
}

// nucleo's scoring constants (nucleo-matcher 0.3, `Config::DEFAULT`): a matched character
// scores 16 plus a bonus of at most 10 (after whitespace); the first character of a
// needle counts its bonus twice.
const SCORE_MATCH: u32 = 16;
const MAX_BONUS: u32 = 10;
const FIRST_CHAR_MULTIPLIER: u32 = 2;
const PENALTY_GAP_START: u32 = 3;
const PENALTY_GAP_EXTENSION: u32 = 1;
/// The smallest bonus a consecutive character gets.
const BONUS_CONSECUTIVE: u32 = PENALTY_GAP_START + PENALTY_GAP_EXTENSION;
/// What a word scores on top when it matches inside the name: a word scores the larger
/// of nucleo's score on the whole haystack and its score on the name alone plus this,
/// so a name match beats an equally good match in the title, company or email.
const NAME_BONUS: u32 = SCORE_MATCH;
// Reaching a word's maximum needs it at its best in the name (see `PeopleIndex::top`).
const _: () = assert!(NAME_BONUS > 0);
/// The most one more needle character can add to an atom's score.
const MAX_CHAR_GAIN: u32 = SCORE_MATCH + MAX_BONUS;
/// The most a new one-character atom can score.
const MAX_FIRST_CHAR: u32 = SCORE_MATCH + MAX_BONUS * FIRST_CHAR_MULTIPLIER;
/// Haystacks longer than this may make nucleo fall back to its greedy (not optimal)
/// matcher, for which the bounds above do not hold: such people are always scored.
const MAX_BOUNDED_HAYSTACK: usize = 400;
/// An atom this long may also hit nucleo's matrix limit (100 * 1024 cells).
const MAX_BOUNDED_NEEDLE: usize = 200;
/// How many recent queries are remembered, and how many matches they may hold in all.
const STATES_KEPT: usize = 24;
const STATE_CANDIDATES_KEPT: usize = 1_500_000;
/// A query with more matches than this and no remembered prefix runs its prefixes first.
const CHAIN_OVER: usize = 2_000;

/// Character classes and boundary bonuses as nucleo computes them for ASCII text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Class {
    Whitespace,
    NonWord,
    Delimiter,
    Lower,
    Upper,
    Number,
}

fn class(b: u8) -> Class {
    match b {
        b'a'..=b'z' => Class::Lower,
        b'A'..=b'Z' => Class::Upper,
        b'0'..=b'9' => Class::Number,
        _ if b.is_ascii_whitespace() => Class::Whitespace,
        b'/' | b',' | b':' | b';' | b'|' => Class::Delimiter,
        _ => Class::NonWord,
    }
}

fn bonus(prev: Class, class: Class) -> u32 {
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

/// The bit of a (lowercase) byte in the character masks, if it has one.
fn bit(b: u8) -> Option<u64> {
    const PUNCT: &[u8; 28] = b"@.-_'&+,/:;()#!?*\"$%=<>[]{}~";
    let i = match b {
        b'a'..=b'z' => b - b'a',
        b'0'..=b'9' => 26 + b - b'0',
        _ => 36 + PUNCT.iter().position(|&p| p == b)? as u8,
    };
    Some(1 << i)
}

/// Which characters (case-folded) occur in a haystack, and after which boundary.
#[derive(Debug, Clone, Copy, Default)]
struct Masks {
    any: u64,
    /// Occurrences with a bonus of 10, 9, 8 and 5 (ASCII haystacks only).
    tiers: [u64; 4],
}

impl Masks {
    fn ascii(text: &[u8]) -> Masks {
        let mut m = Masks::default();
        let mut prev = Class::Whitespace;
        for &b in text {
            let c = class(b);
            if let Some(bit) = bit(b.to_ascii_lowercase()) {
                m.any |= bit;
                match bonus(prev, c) {
                    10 => m.tiers[0] |= bit,
                    9 => m.tiers[1] |= bit,
                    8 => m.tiers[2] |= bit,
                    5 => m.tiers[3] |= bit,
                    _ => (),
                }
            }
            prev = c;
        }
        m
    }

    fn folded(text: &[u8]) -> Masks {
        let any = text.iter().filter_map(|&b| bit(b)).fold(0, |a, b| a | b);
        Masks { any, tiers: [0; 4] }
    }

    /// The best bonus the character with this bit (0: no bit) gets anywhere in the
    /// haystack (ASCII only).
    fn best_bonus(&self, bit: u64) -> u32 {
        if bit == 0 {
            MAX_BONUS
        } else if self.tiers[0] & bit != 0 {
            10
        } else if self.tiers[1] & bit != 0 {
            9
        } else if self.tiers[2] & bit != 0 {
            8
        } else if self.tiers[3] & bit != 0 {
            5
        } else {
            0
        }
    }

    /// An upper bound of nucleo's score for `needle` (ASCII haystacks): the first
    /// character scores at most 16 plus twice its best bonus here; each next one at most
    /// 16 plus the larger of the consecutive bonus (4) and the best bonus of it or any
    /// character before it (a consecutive run carries its first bonus along).
    fn bound(&self, needle: &Needle) -> u32 {
        let mut best = 0;
        let mut bound = 0;
        for (i, &b) in needle.bits.iter().enumerate() {
            let bonus = self.best_bonus(b);
            best = best.max(bonus);
            bound += if i == 0 {
                SCORE_MATCH + FIRST_CHAR_MULTIPLIER * bonus
            } else {
                SCORE_MATCH + best.max(4)
            };
        }
        bound
    }

    /// nucleo's score for a one-character needle with this bit (ASCII haystacks, case
    /// ignored): the best bonus over its occurrences, counted twice.
    fn single_score(&self, bit: u64) -> Option<u32> {
        if self.any & bit == 0 {
            return None;
        }
        let bonus = [10, 9, 8, 5]
            .into_iter()
            .zip(self.tiers)
            .find(|(_, t)| t & bit != 0)
            .map_or(0, |(b, _)| b);
        Some(SCORE_MATCH + bonus * FIRST_CHAR_MULTIPLIER)
    }
}

/// A non-ASCII haystack: nucleo's chars, the normalized (not case-folded) bytes, and the
/// name as nucleo sees it on its own.
type Unicode = (Box<[char]>, Box<[u8]>, Utf32String);

/// One person's haystack, in the forms the matcher and the byte checks need.
#[derive(Debug, Clone)]
struct Record {
    /// ASCII haystacks: the text itself (nucleo scores it, the byte checks fold case on
    /// the fly). Others: the case-folded, normalized bytes (non-ASCII results as 0x80).
    folded: Box<[u8]>,
    unicode: Option<Unicode>,
    masks: Masks,
    /// ASCII haystacks: the name is `folded[..name_len]`.
    name_len: usize,
    /// Short enough for the score bounds to hold.
    bounded: bool,
}

impl Record {
    fn new(entry: &PersonEntry) -> Record {
        let text = entry.haystack();
        match Utf32String::from(text) {
            Utf32String::Ascii(s) => {
                let folded: Box<[u8]> = s.into_boxed_bytes();
                let name_len = entry.name.len();
                Record {
                    masks: Masks::ascii(&folded),
                    name_len,
                    bounded: folded.len() <= MAX_BOUNDED_HAYSTACK,
                    folded,
                    unicode: None,
                }
            }
            Utf32String::Unicode(chars) => {
                let byte = |c: char| if c.is_ascii() { c as u8 } else { 0x80 };
                let folded: Box<[u8]> = chars
                    .iter()
                    .map(|&c| {
                        byte(if c.is_ascii() {
                            c.to_ascii_lowercase()
                        } else {
                            to_lower_case(normalize(c))
                        })
                    })
                    .collect();
                let exact: Box<[u8]> = chars
                    .iter()
                    .map(|&c| byte(if c.is_ascii() { c } else { normalize(c) }))
                    .collect();
                Record {
                    masks: Masks::folded(&folded),
                    // Not used: non-ASCII haystacks are scored by nucleo.
                    name_len: 0,
                    bounded: chars.len() <= MAX_BOUNDED_HAYSTACK,
                    folded,
                    unicode: Some((chars, exact, Utf32String::from(entry.name.as_str()))),
                }
            }
        }
    }

    fn text(&self) -> Utf32Str<'_> {
        match &self.unicode {
            None => Utf32Str::Ascii(&self.folded),
            Some((chars, _, _)) => Utf32Str::Unicode(chars),
        }
    }

    /// The name, as nucleo sees it on its own.
    fn name_text(&self) -> Utf32Str<'_> {
        match &self.unicode {
            None => Utf32Str::Ascii(&self.folded[..self.name_len]),
            Some((_, _, name)) => name.slice(..),
        }
    }

    /// The bytes to find an atom in, and whether ASCII letters still need case folding.
    fn bytes(&self, ignore_case: bool) -> (&[u8], bool) {
        match &self.unicode {
            None => (&self.folded, ignore_case),
            Some((_, exact, _)) if !ignore_case => (exact, false),
            Some(_) => (&self.folded, false),
        }
    }

    /// Where the greedy (leftmost) match of `needle` from `from` ends, if it matches.
    fn find(&self, needle: &Needle, from: usize, suffix_from: usize) -> Option<usize> {
        let (hay, fold) = self.bytes(needle.ignore_case);
        find_in(hay, fold, needle, from, suffix_from)
    }
}

/// Where the greedy (leftmost) match of `needle[suffix_from..]` from `from` ends in
/// `hay`, if it matches; `fold`: ASCII letters of `hay` may be uppercase.
fn find_in(
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
fn at_max(hay: &[u8], needle: &Needle) -> bool {
    let (first, rest) = match needle.bytes.split_first() {
        Some(split) => split,
        None => return true,
    };
    let fold = needle.ignore_case && first.is_ascii_lowercase();
    let same =
        |a: u8, b: u8| a == b || (needle.ignore_case && b.is_ascii_lowercase() && a == b - 32);
    let mut from = 0;
    while let Some(i) = if fold {
        memchr2(*first, first - 32, &hay[from..])
    } else {
        memchr(*first, &hay[from..])
    } {
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

/// One word of the query, as nucleo matches it (ASCII needles only).
#[derive(Debug, Clone, PartialEq, Eq)]
struct Needle {
    bytes: Vec<u8>,
    /// The mask bit of each (case-folded) byte, 0 for none.
    bits: Vec<u64>,
    /// Smart case: ignored unless the needle has an uppercase letter.
    ignore_case: bool,
    /// The bits of all its bytes.
    mask: u64,
}

impl Needle {
    /// The most nucleo can score for this needle.
    fn nucleo_max(&self) -> u32 {
        MAX_FIRST_CHAR + MAX_CHAR_GAIN * (self.bytes.len() as u32).saturating_sub(1)
    }

    /// The most this needle can score as a word of the query (name bonus included).
    fn max_score(&self) -> u32 {
        self.nucleo_max() + NAME_BONUS
    }
}

/// The needles of a pattern, or `None` when one is not ASCII (then every person is
/// scored by nucleo).
fn needles(pattern: &Pattern) -> Option<Vec<Needle>> {
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

/// A match of a remembered query.
#[derive(Debug, Clone, Copy)]
struct Candidate {
    /// The person's slot (place in name order).
    slot: u32,
    /// The exact score once computed, else an upper bound of it.
    bound: u32,
    /// Where the greedy match of the last needle ends, and in the top bit `LOOSE`.
    end: u32,
}

/// In `Candidate::end`: the bound may still be tightened by the person's character
/// masks (done only for the candidates a search reaches; see `PeopleIndex::top`).
const LOOSE: u32 = 1 << 31;

impl Candidate {
    fn new(slot: u32, bound: u32, end: usize, loose: bool) -> Candidate {
        // Haystacks are far shorter than 2^31 bytes.
        let end = end as u32 & !LOOSE;
        Candidate {
            slot,
            bound,
            end: if loose { end | LOOSE } else { end },
        }
    }

    fn end(&self) -> usize {
        (self.end & !LOOSE) as usize
    }

    fn loose(&self) -> bool {
        self.end & LOOSE != 0
    }

    fn tighten(&mut self) {
        self.end &= !LOOSE;
    }
}

/// A remembered query: every match, in name (slot) order, and the answer.
#[derive(Debug, Clone)]
struct State {
    needles: Vec<Needle>,
    /// Index length when the search ran: entries after it were not checked.
    scanned: usize,
    candidates: Vec<Candidate>,
    limit: usize,
    hits: SearchHits,
    generation: u64,
}

impl State {
    /// How `needles` extend this state's needles: the number of characters added to its
    /// last needle and whether that needle's case mode is unchanged, or `None` when
    /// `needles` does not extend it (so it matches no subset of this state's matches).
    fn extension(&self, needles: &[Needle]) -> Option<(usize, bool)> {
        let (last, rest) = self.needles.split_last()?;
        if needles.len() < self.needles.len() || needles[..rest.len()] != *rest {
            return None;
        }
        let next = &needles[rest.len()];
        next.bytes.starts_with(&last.bytes).then(|| {
            (
                next.bytes.len() - last.bytes.len(),
                next.ignore_case == last.ignore_case,
            )
        })
    }
}

/// One person's place in the name-ordered layout the searches scan.
#[derive(Debug, Clone, Copy)]
struct Slot {
    /// Position in the index.
    pos: u32,
    /// The haystack bytes (`Record::folded`) in `Layout::arena`.
    off: u32,
    len: u32,
    masks: Masks,
    /// ASCII haystacks: the name is the first `name_len` bytes, with these masks.
    name_len: u32,
    name_masks: Masks,
    unicode: bool,
    bounded: bool,
}

/// The haystacks in name order, bytes in one block: matches of a query are visited in
/// name order, so this keeps the scans sequential in memory.
#[derive(Debug, Default)]
struct Layout {
    slots: Vec<Slot>,
    arena: Vec<u8>,
    /// Position -> slot.
    rank: Vec<u32>,
    /// `PeopleIndex::generation` the layout was built for.
    generation: u64,
    /// People added since the bytes were last laid out in name order (theirs are at the
    /// end of the arena).
    scattered: usize,
}

impl Layout {
    fn bytes(&self, s: &Slot) -> &[u8] {
        &self.arena[s.off as usize..(s.off + s.len) as usize]
    }

    /// Whether `needle` matches inside the name of an ASCII slot.
    fn in_name(&self, s: &Slot, needle: &Needle) -> bool {
        s.name_masks.any & needle.mask == needle.mask
            && find_in(
                &self.bytes(s)[..s.name_len as usize],
                needle.ignore_case,
                needle,
                0,
                0,
            )
            .is_some()
    }

    /// An upper bound of a word's score (name bonus included) on an ASCII slot.
    fn word_bound(&self, s: &Slot, needle: &Needle) -> u32 {
        let full = s.masks.bound(needle);
        if self.in_name(s, needle) {
            full.max(s.name_masks.bound(needle) + NAME_BONUS)
        } else {
            full
        }
    }

    fn name_text<'a>(&'a self, records: &'a [Record], slot: u32) -> Utf32Str<'a> {
        let s = &self.slots[slot as usize];
        if s.unicode {
            records[s.pos as usize].name_text()
        } else {
            Utf32Str::Ascii(&self.bytes(s)[..s.name_len as usize])
        }
    }

    fn text<'a>(&'a self, records: &'a [Record], slot: u32) -> Utf32Str<'a> {
        let s = &self.slots[slot as usize];
        if s.unicode {
            records[s.pos as usize].text()
        } else {
            Utf32Str::Ascii(self.bytes(s))
        }
    }

    fn find(
        &self,
        records: &[Record],
        slot: u32,
        needle: &Needle,
        from: usize,
        suffix_from: usize,
    ) -> Option<usize> {
        let s = &self.slots[slot as usize];
        if s.unicode {
            records[s.pos as usize].find(needle, from, suffix_from)
        } else {
            find_in(self.bytes(s), needle.ignore_case, needle, from, suffix_from)
        }
    }

    /// Whether every needle matches; where the last one's greedy match ends.
    fn find_all(&self, records: &[Record], slot: u32, needles: &[Needle]) -> Option<usize> {
        let mut end = 0;
        for d in needles {
            end = self.find(records, slot, d, 0, 0)?;
        }
        Some(end)
    }
}

pub struct PeopleIndex {
    entries: Vec<PersonEntry>,
    /// Per position.
    records: Vec<Record>,
    by_id: HashMap<u64, usize>,
    matcher: Matcher,
    layout: Layout,
    /// A person changed: the layout must be rebuilt, not just extended.
    rebuild: bool,
    /// Bumped by every change of the entries.
    generation: u64,
    /// Recent queries, the most recent last.
    states: Vec<State>,
}

impl Default for PeopleIndex {
    fn default() -> Self {
        PeopleIndex {
            entries: Vec::new(),
            records: Vec::new(),
            by_id: HashMap::new(),
            matcher: Matcher::new(Config::DEFAULT),
            layout: Layout::default(),
            rebuild: false,
            generation: 0,
            states: Vec::new(),
        }
    }
}

impl std::fmt::Debug for PeopleIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PeopleIndex")
            .field("len", &self.entries.len())
            .finish()
    }
}

/// The worst of the current top hits sorts greatest (lower score, then later name).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Ranked {
    score: Reverse<u32>,
    slot: u32,
}

/// A candidate's place in processing order: bound descending, then name.
type Key = (Reverse<u32>, u32);

/// Candidates in processing order: bound descending, then name.
fn key(c: &Candidate) -> Key {
    (Reverse(c.bound), c.slot)
}

impl PeopleIndex {
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    pub fn get(&self, pos: usize) -> Option<&PersonEntry> {
        self.entries.get(pos)
    }

    /// Where a person sits in the index (what [`SearchHits`] hold).
    pub fn position(&self, id: u64) -> Option<usize> {
        self.by_id.get(&id).copied()
    }

    pub fn by_id(&self, id: u64) -> Option<&PersonEntry> {
        self.by_id.get(&id).map(|&i| &self.entries[i])
    }

    /// Adds a person, or replaces the one with the same id. Returns true when the
    /// person is new.
    pub fn upsert(&mut self, entry: PersonEntry) -> bool {
        match self.by_id.get(&entry.id) {
            Some(&i) => {
                if self.entries[i] != entry {
                    self.records[i] = Record::new(&entry);
                    self.rebuild = true;
                    self.entries[i] = entry;
                    self.generation += 1;
                    // A changed person may now match or stop matching.
                    self.states.clear();
                }
                false
            }
            None => {
                let pos = self.entries.len();
                assert!(pos < u32::MAX as usize, "fewer than 4 billion people");
                self.by_id.insert(entry.id, pos);
                self.records.push(Record::new(&entry));
                self.entries.push(entry);
                self.generation += 1;
                true
            }
        }
    }

    /// Removes a person (deleted in SalesLoft). Returns whether they were indexed.
    /// People after them move one position up, so positions from earlier
    /// [`SearchHits`] are stale: search again.
    pub fn remove(&mut self, id: u64) -> bool {
        let Some(pos) = self.by_id.remove(&id) else {
            return false;
        };
        self.entries.remove(pos);
        self.records.remove(pos);
        for p in self.by_id.values_mut() {
            if *p > pos {
                *p -= 1;
            }
        }
        self.rebuild = true;
        self.generation += 1;
        self.states.clear();
        true
    }

    /// Drops everything (the `R` key rebuilds the index).
    pub fn clear(&mut self) {
        self.entries.clear();
        self.records.clear();
        self.by_id.clear();
        self.layout = Layout::default();
        self.rebuild = false;
        self.generation += 1;
        self.states.clear();
    }

    /// Brings the search layout up to date with the entries (done by the next search
    /// anyway; call it after loading people so the first keystroke does not pay it).
    pub fn prepare(&mut self) {
        if self.layout.generation == self.generation {
            return;
        }
        let n = self.entries.len();
        let entries = &self.entries;
        let by_name = |a: &u32, b: &u32| {
            entries[*a as usize]
                .name
                .cmp(&entries[*b as usize].name)
                .then(a.cmp(b))
        };
        let old_len = self.layout.slots.len();
        let slot_of = |r: &Record, pos: u32, off: usize| Slot {
            pos,
            off: off as u32,
            len: r.folded.len() as u32,
            masks: r.masks,
            name_len: r.name_len as u32,
            // Names are short: computed here rather than kept per record.
            name_masks: if r.unicode.is_none() {
                Masks::ascii(&r.folded[..r.name_len])
            } else {
                Masks::default()
            },
            unicode: r.unicode.is_some(),
            bounded: r.bounded,
        };
        if !self.rebuild && old_len <= n && self.layout.scattered + (n - old_len) <= n / 8 {
            // People were only added: insert them into the name order (their bytes go at
            // the end of the arena); remembered matches keep their relative order.
            let mut added: Vec<u32> = (old_len as u32..n as u32).collect();
            added.sort_unstable_by(by_name);
            let layout = &mut self.layout;
            let old = std::mem::take(&mut layout.slots);
            let mut slots = Vec::with_capacity(n);
            let mut from = 0;
            for pos in added {
                let at =
                    from + old[from..].partition_point(|s| by_name(&s.pos, &pos) == Ordering::Less);
                slots.extend_from_slice(&old[from..at]);
                from = at;
                let r = &self.records[pos as usize];
                slots.push(slot_of(r, pos, layout.arena.len()));
                layout.arena.extend_from_slice(&r.folded);
            }
            slots.extend_from_slice(&old[from..]);
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
            layout.slots = slots;
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
        let slots = order
            .iter()
            .map(|&pos| {
                let r = &self.records[pos as usize];
                let slot = slot_of(r, pos, arena.len());
                arena.extend_from_slice(&r.folded);
                slot
            })
            .collect();
        self.layout = Layout {
            slots,
            arena,
            rank,
            generation: self.generation,
            scattered: 0,
        };
        self.rebuild = false;
    }

    /// Fuzzy search; an empty query lists people in the order they arrived.
    pub fn search(&mut self, query: &str, limit: usize) -> SearchHits {
        let query = query.trim();
        if query.is_empty() {
            return SearchHits {
                hits: (0..self.entries.len().min(limit)).collect(),
                total: self.entries.len(),
            };
        }
        self.prepare();
        let pattern = Pattern::new(
            query,
            CaseMatching::Smart,
            Normalization::Smart,
            AtomKind::Fuzzy,
        );
        if pattern.atoms.is_empty() {
            return self.search("", limit);
        }
        let Some(needles) = needles(&pattern) else {
            return self.score_all(&pattern, limit);
        };
        if let Some(i) = self.states.iter().position(|s| {
            s.needles == needles && s.limit == limit && s.generation == self.generation
        }) {
            let state = self.states.remove(i);
            let hits = state.hits.clone();
            self.states.push(state);
            return hits;
        }
        let state = self.run(&pattern, needles, limit);
        let hits = state.hits.clone();
        self.remember(state);
        hits
    }

    fn remember(&mut self, state: State) {
        self.states.push(state);
        let mut kept = 0;
        let mut keep_from = self.states.len();
        for (i, s) in self.states.iter().enumerate().rev() {
            kept += s.candidates.len();
            if i + STATES_KEPT < self.states.len()
                || (kept > STATE_CANDIDATES_KEPT && i + 1 < self.states.len())
            {
                break;
            }
            keep_from = i;
        }
        self.states.drain(..keep_from);
    }

    /// Runs a query, from the cheapest remembered query it extends when there is one.
    fn run(&mut self, pattern: &Pattern, needles: Vec<Needle>, limit: usize) -> State {
        let n = self.entries.len();
        let bounded_needles = needles.iter().all(|d| d.bytes.len() <= MAX_BOUNDED_NEEDLE);
        let max_score: u32 = needles.iter().map(Needle::max_score).sum();
        let layout = &self.layout;
        // (bound, loose): ASCII haystacks are tightened by their masks when reached.
        let bound_of = |s: &Slot, bound: u32| {
            if !(s.bounded && bounded_needles) {
                (u32::MAX, false)
            } else {
                (bound, !s.unicode)
            }
        };
        let records = &self.records[..];
        let base = self
            .states
            .iter()
            .filter_map(|s| Some((s, s.extension(&needles)?)))
            .min_by_key(|(s, _)| s.candidates.len() + (n - s.scanned));
        let mut candidates: Vec<Candidate>;
        if let Some((base, (added, same_case))) = base {
            let ext = base.needles.len() - 1;
            let kept_len = base.needles[ext].bytes.len();
            let gain: u32 = MAX_CHAR_GAIN * added as u32
                + needles[ext + 1..]
                    .iter()
                    .map(Needle::max_score)
                    .sum::<u32>();
            let mask = needles[ext].bits[kept_len..].iter().fold(0, |a, b| a | b)
                | mask_of(&needles[ext + 1..]);
            // People indexed since: checked in full and bound by the maximum.
            let fresh: Vec<u32> = (base.scanned..n).map(|p| layout.rank[p]).collect();
            candidates = Vec::with_capacity(base.candidates.len() + fresh.len());
            let all_mask = mask_of(&needles);
            for slot in fresh {
                let s = &layout.slots[slot as usize];
                if s.masks.any & all_mask == all_mask
                    && let Some(end) = layout.find_all(records, slot, &needles)
                {
                    let (bound, loose) = bound_of(s, max_score);
                    candidates.push(Candidate::new(slot, bound, end, loose));
                }
            }
            'next: for c in &base.candidates {
                let s = &layout.slots[c.slot as usize];
                if s.masks.any & mask != mask {
                    continue;
                }
                let mut end = c.end();
                if added > 0 {
                    let found = if same_case {
                        layout.find(records, c.slot, &needles[ext], end, kept_len)
                    } else {
                        layout.find(records, c.slot, &needles[ext], 0, 0)
                    };
                    match found {
                        Some(e) => end = e,
                        None => continue,
                    }
                }
                for d in &needles[ext + 1..] {
                    match layout.find(records, c.slot, d, 0, 0) {
                        Some(e) => end = e,
                        None => continue 'next,
                    }
                }
                let (bound, loose) = bound_of(s, c.bound.saturating_add(gain));
                candidates.push(Candidate::new(c.slot, bound, end, loose));
            }
            if n > base.scanned {
                candidates.sort_unstable_by_key(|c| c.slot);
            }
        } else if let [d] = needles.as_slice()
            && d.bytes.len() == 1
            && d.ignore_case
            && let Some(b) = bit(d.bytes[0])
        {
            candidates = self.single_char(pattern, d, b);
        } else {
            let mask = mask_of(&needles);
            candidates = layout
                .slots
                .iter()
                .enumerate()
                .filter_map(|(slot, s)| {
                    if s.masks.any & mask != mask {
                        return None;
                    }
                    let end = layout.find_all(records, slot as u32, &needles)?;
                    let (bound, loose) = bound_of(s, max_score);
                    Some(Candidate::new(slot as u32, bound, end, loose))
                })
                .collect();
            // Many matches and no bounds: run the query's prefixes first (each one
            // extends the previous), so scores are bounded and few are computed.
            if candidates.len() > CHAIN_OVER
                && let Some(prefix) = shorter(&needles)
            {
                self.search(&prefix, limit);
                if self
                    .states
                    .last()
                    .is_some_and(|s| s.extension(&needles).is_some())
                {
                    return self.run(pattern, needles, limit);
                }
            }
        }
        let hits = self.top(pattern, &needles, &mut candidates, limit);
        if hits.total < candidates.len() {
            // Only after a mismatch between the byte checks and nucleo (see `top`).
            candidates.retain(|c| c.bound > 0);
        }
        State {
            needles,
            scanned: n,
            candidates,
            limit,
            hits,
            generation: self.generation,
        }
    }

    /// Every match of a one-character query, exactly scored and ordered.
    fn single_char(&mut self, pattern: &Pattern, needle: &Needle, bit: u64) -> Vec<Candidate> {
        let layout = &self.layout;
        let mut candidates = Vec::new();
        for (slot, s) in layout.slots.iter().enumerate() {
            if s.masks.any & bit == 0 {
                continue;
            }
            let slot = slot as u32;
            let bound = if s.unicode {
                // See `top`: only the maximum bounds a non-ASCII haystack's extensions.
                pattern
                    .score(layout.text(&self.records, slot), &mut self.matcher)
                    .map(|_| needle.max_score())
            } else {
                // Exact: the name's own score (plus its bonus) may beat the haystack's.
                s.masks
                    .single_score(bit)
                    .map(|full| word_score(full, s.name_masks.single_score(bit)))
            };
            let end = layout.find(&self.records, slot, needle, 0, 0);
            if let Some((bound, end)) = bound.zip(end) {
                candidates.push(Candidate::new(slot, bound, end, false));
            }
        }
        candidates
    }

    /// Scores candidates (ordered by bound, then name) until none left can enter the
    /// top `limit`; returns the hits and leaves the candidates with their new bounds.
    ///
    /// Candidates bound by the query's maximum are first checked without the scorer:
    /// the maximum is reached exactly when every needle occurs unbroken right after
    /// whitespace in the name; the others drop just below it (or to their mask bound).
    /// So a query with many perfect hits costs a scan, not a score per person before
    /// the first perfect hit by name.
    ///
    /// A loose candidate reached is first tightened by its masks; if that lowers its
    /// bound it waits in a heap merged with the rest of the order.
    ///
    /// A computed score becomes the candidate's bound, except when the last needle is
    /// one character and the haystack is not ASCII: nucleo then takes a shortcut that
    /// may score below what the same character scores as the start of a longer needle,
    /// so the score would not bound the next keystroke's.
    fn top(
        &mut self,
        pattern: &Pattern,
        needles: &[Needle],
        candidates: &mut [Candidate],
        limit: usize,
    ) -> SearchHits {
        let layout = &self.layout;
        let max_score: u32 = needles.iter().map(Needle::max_score).sum();
        let last_single = needles.last().is_some_and(|d| d.bytes.len() == 1);
        let checkable = needles.iter().all(|d| d.bytes.len() <= MAX_BOUNDED_NEEDLE);
        let mut order = by_bound(candidates, max_score);
        // Candidates order[..front] are all scored (no early stop among them); those in
        // order[known] score exactly `max_score`.
        let mut front = 0;
        let mut known = 0..0;
        if limit > 0 && checkable {
            let start = order
                .iter()
                .take_while(|&&i| candidates[i as usize].bound > max_score)
                .count();
            let level = order[start..]
                .iter()
                .take_while(|&&i| candidates[i as usize].bound == max_score)
                .count();
            let (mut passes, mut unknown, mut fails) = (Vec::new(), Vec::new(), Vec::new());
            let mut end = start;
            while end < start + level && passes.len() < limit {
                let i = order[end];
                let s = &layout.slots[candidates[i as usize].slot as usize];
                if s.unicode || !s.bounded {
                    unknown.push(i);
                } else if needles
                    .iter()
                    .all(|d| at_max(&layout.bytes(s)[..s.name_len as usize], d))
                {
                    passes.push(i);
                } else {
                    // Just below the maximum, or lower by the masks.
                    let c = &mut candidates[i as usize];
                    c.bound = max_score - 1;
                    if c.loose() {
                        c.tighten();
                        c.bound = c
                            .bound
                            .min(needles.iter().map(|d| layout.word_bound(s, d)).sum());
                    }
                    fails.push(i);
                }
                end += 1;
            }
            known = start..start + passes.len();
            front = known.end + unknown.len();
            if !fails.is_empty() || !unknown.is_empty() {
                let by_key = |i: &u32| key(&candidates[*i as usize]);
                fails.sort_unstable_by_key(by_key);
                let rest = order.split_off(end);
                order.truncate(start);
                order.extend(passes);
                order.extend(unknown);
                order.extend(merge_by(fails, rest, |a, b| by_key(a) < by_key(b)));
            }
        }
        let mut heap: BinaryHeap<Ranked> = BinaryHeap::with_capacity(limit + 1);
        let mut lost = 0;
        // Loose candidates whose bound dropped when tightened, to be merged back into
        // the order (smallest key first).
        let mut deferred: BinaryHeap<Reverse<(Key, u32)>> = BinaryHeap::new();
        let mut at = 0;
        loop {
            if limit == 0 {
                break;
            }
            // The next candidate by (bound descending, name): from the order or deferred.
            let next_in_order = order.get(at).map(|&i| (key(&candidates[i as usize]), i));
            let (i, from_order) = match (next_in_order, deferred.peek()) {
                (Some(o), Some(Reverse(d))) if *d < o => (d.1, false),
                (Some((_, i)), _) => (i, true),
                (None, Some(Reverse(d))) => (d.1, false),
                (None, None) => break,
            };
            let pos = at;
            if from_order {
                at += 1;
            } else {
                deferred.pop();
            }
            let c = &mut candidates[i as usize];
            let first = from_order && pos < front;
            if !first
                && heap.len() == limit
                && let Some(w) = heap.peek()
                && (c.bound < w.score.0 || (c.bound == w.score.0 && c.slot > w.slot))
            {
                break;
            }
            if c.loose() && !first {
                c.tighten();
                let s = &layout.slots[c.slot as usize];
                let tight = needles.iter().map(|d| layout.word_bound(s, d)).sum();
                if tight < c.bound {
                    c.bound = tight;
                    deferred.push(Reverse((key(c), i)));
                    continue;
                }
            }
            let score = if from_order && known.contains(&pos) {
                max_score
            } else {
                let Some(score) = score(
                    layout,
                    &self.records,
                    c.slot,
                    pattern,
                    needles,
                    &mut self.matcher,
                ) else {
                    // Cannot happen: the byte checks match exactly what nucleo matches.
                    debug_assert!(false, "checked match not matched by nucleo");
                    c.bound = 0;
                    lost += 1;
                    continue;
                };
                debug_assert!(
                    score <= c.bound,
                    "score {score} above its bound {}",
                    c.bound
                );
                score
            };
            if !(last_single && layout.slots[c.slot as usize].unicode) {
                c.bound = score;
                c.tighten();
            }
            let item = Ranked {
                score: Reverse(score),
                slot: c.slot,
            };
            if heap.len() < limit {
                heap.push(item);
            } else if heap.peek().is_some_and(|w| item < *w) {
                heap.pop();
                heap.push(item);
            }
        }
        let mut hits = heap.into_vec();
        hits.sort_unstable();
        SearchHits {
            hits: hits
                .into_iter()
                .map(|r| layout.slots[r.slot as usize].pos as usize)
                .collect(),
            total: candidates.len() - lost,
        }
    }

    /// The slow path for needles with non-ASCII characters: nucleo scores everyone.
    fn score_all(&mut self, pattern: &Pattern, limit: usize) -> SearchHits {
        let layout = &self.layout;
        let mut scored: Vec<Ranked> = Vec::new();
        for slot in 0..layout.slots.len() as u32 {
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

/// A word's score from nucleo's score on the whole haystack and on the name alone.
fn word_score(full: u32, name: Option<u32>) -> u32 {
    name.map_or(full, |name| full.max(name + NAME_BONUS))
}

/// A pattern's score by nucleo: the sum of its words' scores ([`word_score`]).
fn pattern_score(
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

/// A pattern's score (the sum of its words' scores) on a slot's haystack. Short ASCII
/// haystacks are scored by [`fuzzy_ascii`] (nucleo's algorithm, both fields in one
/// pass), and a word found unbroken right after whitespace in the name scores its
/// maximum without that; the others go to nucleo.
fn score(
    layout: &Layout,
    records: &[Record],
    slot: u32,
    pattern: &Pattern,
    needles: &[Needle],
    matcher: &mut Matcher,
) -> Option<u32> {
    let s = &layout.slots[slot as usize];
    if s.unicode || !s.bounded || needles.iter().any(|d| d.bytes.len() > MAX_BOUNDED_NEEDLE) {
        return pattern_score(
            pattern,
            layout.text(records, slot),
            layout.name_text(records, slot),
            matcher,
        );
    }
    let bytes = layout.bytes(s);
    let name_len = s.name_len as usize;
    let mut total = 0;
    for needle in needles {
        total += if at_max(&bytes[..name_len], needle) {
            needle.max_score()
        } else if !layout.in_name(s, needle) {
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
    Some(total)
}

/// The first position of `c` in `hay` (`fold`: ASCII letters of `hay` may be uppercase).
fn find_byte(hay: &[u8], c: u8, fold: bool) -> Option<usize> {
    // Haystacks are short: a plain loop beats setting up a vector search.
    const SHORT: usize = 48;
    match (fold && c.is_ascii_lowercase(), hay.len() < SHORT) {
        // `| 0x20` turns exactly `c` and its uppercase into `c`.
        (true, true) => hay.iter().position(|&h| h | 0x20 == c),
        (true, false) => memchr2(c, c - 32, hay),
        (false, true) => hay.iter().position(|&h| h == c),
        (false, false) => memchr(c, hay),
    }
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
fn fuzzy_ascii(hay: &[u8], name_len: usize, needle: &Needle) -> Option<(u32, Option<u32>)> {
    const NONE: usize = usize::MAX;
    let chars = &needle.bytes;
    let m = chars.len();
    if m == 0 {
        return Some((0, Some(0)));
    }
    if m > hay.len() || m > MAX_BOUNDED_NEEDLE {
        return None;
    }
    let fold = needle.ignore_case;
    // Where each row starts: the greedy (leftmost) match.
    let mut row_off = [0usize; MAX_BOUNDED_NEEDLE];
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
    let mut at = [NONE; MAX_BOUNDED_NEEDLE];
    let mut cell = [0u16; MAX_BOUNDED_NEEDLE];
    let mut consecutive = [0u16; MAX_BOUNDED_NEEDLE];
    let mut reach = [isize::MIN; MAX_BOUNDED_NEEDLE];
    let mut best = 0u16;
    let mut best_name = 0u16;
    for (k, &h) in hay.iter().enumerate().take(end).skip(start) {
        if h >= 128 || (wanted >> h) & 1 == 0 {
            continue;
        }
        let prev_class = k
            .checked_sub(1)
            .map_or(Class::Whitespace, |i| class(hay[i]));
        let b = bonus(prev_class, class(h)) as u16;
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

/// Indices of `candidates` (in slot order) ordered by bound descending, then slot: a
/// stable counting sort (bounds are small; unbounded ones go first).
fn by_bound(candidates: &[Candidate], max_score: u32) -> Vec<u32> {
    let top = max_score as usize + 1;
    let bucket = |c: &Candidate| top - (c.bound as usize).min(top);
    let mut starts = vec![0u32; top + 2];
    for c in candidates {
        starts[bucket(c) + 1] += 1;
    }
    for b in 1..starts.len() {
        starts[b] += starts[b - 1];
    }
    let mut order = vec![0u32; candidates.len()];
    for (i, c) in candidates.iter().enumerate() {
        let at = &mut starts[bucket(c)];
        order[*at as usize] = i as u32;
        *at += 1;
    }
    order
}

/// The characters (with a mask bit) of some needles.
fn mask_of(needles: &[Needle]) -> u64 {
    needles.iter().fold(0, |a, d| a | d.mask)
}

/// The query one character shorter than `needles`, when it can be written as a query
/// (needles without spaces or backslashes), else `None`.
fn shorter(needles: &[Needle]) -> Option<String> {
    let mut words: Vec<&[u8]> = needles.iter().map(|d| d.bytes.as_slice()).collect();
    if words
        .iter()
        .any(|w| w.contains(&b' ') || w.contains(&b'\\'))
    {
        return None;
    }
    let last = words.pop()?;
    if last.len() > 1 {
        words.push(&last[..last.len() - 1]);
    }
    if words.is_empty() {
        return None;
    }
    let words: Vec<&str> = words
        .into_iter()
        .map(|w| std::str::from_utf8(w).ok())
        .collect::<Option<_>>()?;
    Some(words.join(" "))
}

/// Merges two sorted runs (`less(a, b)`: a sorts before b); stable, `a` first on ties.
fn merge_by<T: Copy>(a: Vec<T>, b: Vec<T>, less: impl Fn(&T, &T) -> bool) -> Vec<T> {
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

/// True when the input looks like one complete email address (worth an exact lookup).
pub fn looks_like_email(input: &str) -> bool {
    let input = input.trim();
    let Some((local, domain)) = input.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && !input.contains(char::is_whitespace)
        && !domain.contains('@')
        && domain
            .rsplit_once('.')
            .is_some_and(|(host, tld)| !host.is_empty() && tld.len() >= 2)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn person(id: u64, name: &str, email: &str, company: &str, title: &str) -> PersonEntry {
        PersonEntry {
            id,
            name: name.into(),
            email: email.into(),
            company: company.into(),
            title: title.into(),
        }
    }

    fn index() -> PeopleIndex {
        let mut ix = PeopleIndex::default();
        ix.upsert(person(
            1,
            "Ada Lovelace",
            "ada@analytical.io",
            "Analytical Engines",
            "CTO",
        ));
        ix.upsert(person(
            2,
            "Grace Hopper",
            "grace@navy.mil",
            "US Navy",
            "Rear Admiral",
        ));
        ix.upsert(person(
            3,
            "Alan Turing",
            "alan@bletchley.uk",
            "Bletchley Park",
            "Cryptanalyst",
        ));
        ix.upsert(person(
            4,
            "Adam Smith",
            "adam@wealth.co",
            "Acme Corp",
            "Economist",
        ));
        ix
    }

    fn ids(ix: &PeopleIndex, hits: &SearchHits) -> Vec<u64> {
        hits.hits.iter().map(|&i| ix.get(i).unwrap().id).collect()
    }

    #[test]
    fn finds_by_partial_name_company_email_and_title() {
        let mut ix = index();
        let h = ix.search("lovel", 10);
        assert_eq!(ids(&ix, &h), vec![1]);
        let h = ix.search("bletch", 10);
        assert_eq!(ids(&ix, &h), vec![3]);
        let h = ix.search("navy.mil", 10);
        assert_eq!(ids(&ix, &h), vec![2]);
        let h = ix.search("economist", 10);
        assert_eq!(ids(&ix, &h), vec![4]);
        // Words may come from different fields.
        let h = ix.search("adam acme", 10);
        assert_eq!(ids(&ix, &h), vec![4]);
    }

    #[test]
    fn fuzzy_subsequence_matches_and_case_is_smart() {
        let mut ix = index();
        let h = ix.search("grhop", 10);
        assert_eq!(ids(&ix, &h), vec![2]);
        assert!(
            ix.search("GRACE", 10).hits.is_empty(),
            "uppercase makes the match case-sensitive"
        );
        assert_eq!(ix.search("zzzz", 10).total, 0);
    }

    #[test]
    fn narrowing_gives_the_same_answer_as_a_fresh_search() {
        let mut ix = index();
        for q in ["a", "ad", "ada", "ada ", "ada l"] {
            let narrowed = ix.search(q, 10);
            let mut fresh = index();
            assert_eq!(narrowed, fresh.search(q, 10), "query {q:?}");
        }
        // Backspace (a shorter query) must widen again.
        assert_eq!(ix.search("ad", 10).total, index().search("ad", 10).total);
    }

    #[test]
    fn people_added_after_a_search_are_found_by_the_next_keystroke() {
        let mut ix = index();
        assert_eq!(ix.search("johns", 10).total, 0);
        ix.upsert(person(
            9,
            "Katherine Johnson",
            "kj@nasa.gov",
            "NASA",
            "Mathematician",
        ));
        let h = ix.search("johnson", 10);
        assert_eq!(ids(&ix, &h), vec![9]);
    }

    #[test]
    fn updating_a_person_replaces_them_and_limit_caps_hits() {
        let mut ix = index();
        assert!(!ix.upsert(person(2, "Grace Brewster", "grace@navy.mil", "US Navy", "")));
        assert_eq!(ix.len(), 4);
        let h = ix.search("brewster", 10);
        assert_eq!(ids(&ix, &h), vec![2]);
        let h = ix.search("a", 2);
        assert_eq!(h.hits.len(), 2);
        assert!(h.total >= 3);
        assert_eq!(ix.search("", 3).hits.len(), 3);
        assert_eq!(ix.search("", 3).total, 4);
    }

    /// What a search must answer: every person whose haystack nucleo matches, ranked by
    /// the sum over the query's words of the larger of nucleo's score on the haystack and
    /// its score on the name alone plus `NAME_BONUS`; best first, then by name, then by
    /// position.
    fn reference(ix: &PeopleIndex, query: &str, limit: usize) -> SearchHits {
        let query = query.trim();
        if query.is_empty() {
            return SearchHits {
                hits: (0..ix.len().min(limit)).collect(),
                total: ix.len(),
            };
        }
        let pattern = Pattern::new(
            query,
            CaseMatching::Smart,
            Normalization::Smart,
            AtomKind::Fuzzy,
        );
        let mut matcher = Matcher::new(Config::DEFAULT);
        let mut scored: Vec<(Reverse<u32>, &str, usize)> = ix
            .entries
            .iter()
            .enumerate()
            .filter_map(|(i, e)| {
                let hay = Utf32String::from(e.haystack());
                let name = Utf32String::from(e.name.as_str());
                let mut score = 0;
                for atom in &pattern.atoms {
                    let full = u32::from(atom.score(hay.slice(..), &mut matcher)?);
                    let in_name = atom.score(name.slice(..), &mut matcher);
                    score += match in_name {
                        Some(n) => full.max(u32::from(n) + NAME_BONUS),
                        None => full,
                    };
                }
                Some((Reverse(score), e.name.as_str(), i))
            })
            .collect();
        let total = scored.len();
        scored.sort();
        scored.truncate(limit);
        SearchHits {
            hits: scored.into_iter().map(|(_, _, i)| i).collect(),
            total,
        }
    }

    struct Rng(u64);

    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 >> 12;
            self.0 ^= self.0 << 25;
            self.0 ^= self.0 >> 27;
            self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
        }
        fn below(&mut self, n: usize) -> usize {
            (self.next() % n as u64) as usize
        }
        fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
            items[self.below(items.len())]
        }
    }

    const FIRST: &[&str] = &[
        "Maria", "Mario", "Mark", "Ada", "Grace", "José", "Zoë", "Łukasz", "DeShawn", "Ann",
        "anna", "MARIA", "Ma", "Jo", "Øyvind", "Ærø", "",
    ];
    const LAST: &[&str] = &[
        "Garcia",
        "McDonald",
        "O'Brien",
        "Müller",
        "Straße",
        "Smith-Jones",
        "van der Berg",
        "Lovelace",
        "Hopper",
        "Nakamura",
        "Ma",
        "Li",
        "garcia",
        "",
    ];
    const COMPANY: &[&str] = &[
        "Acme",
        "Hooli",
        "Pied Piper",
        "ACME Corp",
        "a/b|c;d",
        "Café Noir",
        "X",
        "",
        "Dunder-Mifflin",
        "3M",
        "Área 51",
    ];
    const TITLE: &[&str] = &[
        "CEO",
        "VP Sales",
        "vp_sales",
        "Head of R&D",
        "Engineer II",
        "SDR (EMEA)",
        "",
        "Señor Developer",
        "CTO/Founder",
    ];

    fn random_person(rng: &mut Rng, id: u64) -> PersonEntry {
        let first = rng.pick(FIRST);
        let last = rng.pick(LAST);
        let company = rng.pick(COMPANY);
        let mut title = rng.pick(TITLE).to_string();
        if rng.below(40) == 0 {
            // Long enough that nucleo may fall back to its greedy matcher.
            title = "Regional Manager of Sales Operations ".repeat(15);
        }
        PersonEntry {
            id,
            name: format!("{first} {last}").trim().to_string(),
            email: format!(
                "{}.{}{}@{}.com",
                first.to_lowercase(),
                last.to_lowercase().replace(' ', ""),
                id % 7,
                company.to_lowercase().replace(' ', "")
            ),
            company: company.to_string(),
            title,
        }
    }

    /// A query typed and edited: pieces of names, emails and titles, random letters,
    /// capitals, spaces, non-ASCII letters and backslashes.
    fn random_edit(rng: &mut Rng, query: &mut String) {
        const PIECES: &[&str] = &[
            "mar", "gar", "ada", "mc", "obr", "@", ".com", "vp", "sales", "ceo", "acme", "jos",
            "josé", "mü", "strasse", "straße", "zoe", "e", "a", "m", "3", "/", "_", "\\ ", "Ma",
            "MA", "G", " ", "  ", "x", "q", "ii", "r&d", "(", "é", "ø",
        ];
        match rng.below(10) {
            0..=2 if !query.is_empty() => {
                query.pop();
            }
            3 if rng.below(4) == 0 => query.clear(),
            4 => query.push_str(rng.pick(PIECES)),
            _ => {
                let piece = rng.pick(PIECES);
                if let Some(c) = piece.chars().next() {
                    query.push(c);
                }
            }
        }
    }

    #[test]
    fn incremental_search_matches_a_full_rescore() {
        for seed in 1..=6u64 {
            let mut rng = Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
            let mut ix = PeopleIndex::default();
            let people = 150 + rng.below(500);
            for id in 0..people as u64 {
                ix.upsert(random_person(&mut rng, id));
            }
            let mut query = String::new();
            for step in 0..400 {
                random_edit(&mut rng, &mut query);
                if rng.below(25) == 0 {
                    // People arrive or change while typing.
                    let id = rng.below(people + 50) as u64;
                    ix.upsert(random_person(&mut rng, id));
                }
                if rng.below(40) == 0 {
                    // Or are deleted.
                    let id = rng.below(people + 50) as u64;
                    let indexed = ix.by_id(id).is_some();
                    assert_eq!(ix.remove(id), indexed);
                }
                let limit = [200, 20, 5, 1, 0][rng.below(5)];
                let got = ix.search(&query, limit);
                let want = reference(&ix, &query, limit);
                assert_eq!(
                    got, want,
                    "seed {seed} step {step} query {query:?} limit {limit}"
                );
            }
        }
    }

    #[test]
    fn long_queries_with_many_matches_run_their_prefixes_first() {
        let mut rng = Rng(77);
        let mut ix = PeopleIndex::default();
        for id in 0..3_000 {
            ix.upsert(random_person(&mut rng, id));
        }
        // Pasted (no remembered prefix), then again after a change drops what was kept.
        for query in ["ma ga", "mar", "a e", "garcia acme", "Ma gar", "m a"] {
            let want = reference(&ix, query, 20);
            assert_eq!(ix.search(query, 20), want, "{query:?}");
            ix.upsert(random_person(&mut rng, 5));
            let want = reference(&ix, query, 20);
            assert_eq!(ix.search(query, 20), want, "{query:?} after a change");
        }
    }

    /// Typing word by word over enough people that the top `limit` is contested: the
    /// bounds, the at-maximum check, the mask tightening and the own scorer all decide
    /// who is scored.
    #[test]
    fn typing_over_many_people_matches_a_full_rescore() {
        let mut rng = Rng(0x7E57);
        let mut ix = PeopleIndex::default();
        for id in 0..2_500 {
            ix.upsert(random_person(&mut rng, id));
        }
        for (query, limit) in [
            ("ma ga", 20),
            ("mar acme", 200),
            ("ada lo", 20),
            ("jo sm c", 5),
            ("garcia ceo", 200),
            ("vp sa", 20),
        ] {
            let chars: Vec<char> = query.chars().collect();
            for len in 1..=chars.len() {
                let typed: String = chars[..len].iter().collect();
                let want = reference(&ix, &typed, limit);
                assert_eq!(ix.search(&typed, limit), want, "{typed:?} limit {limit}");
            }
        }
    }

    #[test]
    fn name_matches_rank_before_matches_in_other_fields() {
        let mut ix = PeopleIndex::default();
        ix.upsert(person(
            1,
            "Adam Okafor",
            "adam@okafor.io",
            "Globex",
            "Marketing Manager",
        ));
        ix.upsert(person(
            2,
            "Aisha Martin",
            "aisha@initech.com",
            "Initech",
            "Engineer",
        ));
        ix.upsert(person(3, "Bo Chen", "bo@marvel.com", "Marvel", "CEO"));
        // All three match "mar" unbroken at a word start; only Aisha in her name.
        let h = ix.search("mar", 10);
        assert_eq!(ids(&ix, &h)[0], 2, "{:?}", ids(&ix, &h));
        let h = ix.search("mar", 1);
        assert_eq!(ids(&ix, &h), vec![2]);
        // Per word: "adam" is in Adam's name, "mar" in Aisha's.
        let h = ix.search("a mart", 10);
        assert_eq!(ids(&ix, &h)[0], 2);
        assert_eq!(ix.search("okafor", 10).total, 1);
        assert_eq!(ix.search("mar", 10), reference(&ix, "mar", 10));
    }

    #[test]
    fn removed_people_are_no_longer_found() {
        fn find(ix: &mut PeopleIndex, query: &str) -> Vec<u64> {
            let hits = ix.search(query, 10);
            ids(ix, &hits)
        }
        let mut ix = index();
        assert_eq!(find(&mut ix, "lovelace"), vec![1]);
        assert_eq!(find(&mut ix, "ada"), vec![1, 4, 2]);
        assert!(ix.remove(1));
        assert!(!ix.remove(1), "already removed");
        assert!(!ix.remove(42), "never indexed");
        assert_eq!(ix.len(), 3);
        assert!(ix.by_id(1).is_none());
        // The remembered answers are not reused, and positions moved up.
        assert_eq!(find(&mut ix, "ada"), vec![4, 2]);
        assert_eq!(find(&mut ix, "lovelace"), Vec::<u64>::new());
        for id in [2, 3, 4] {
            let pos = ix.position(id).unwrap();
            assert_eq!(ix.get(pos).unwrap().id, id);
        }
        assert_eq!(find(&mut ix, ""), vec![2, 3, 4]);
        // Added again, they are found again.
        ix.upsert(person(1, "Ada Lovelace", "ada@analytical.io", "", ""));
        assert_eq!(find(&mut ix, "lovelace"), vec![1]);
        assert_eq!(ix.search("a", 10), reference(&ix, "a", 10));
    }

    /// `fuzzy_ascii` against nucleo itself, on the haystack and on the name alone.
    #[test]
    fn ascii_scorer_matches_nucleo() {
        const CHARS: &[u8] = b"aaabbcdeeoolmrsAABDLMO0129  --__..@/,:;|'&()";
        let mut rng = Rng(0xA5C1);
        let mut matcher = Matcher::new(Config::DEFAULT);
        let mut checked = 0;
        for _ in 0..20_000 {
            let len = 1 + rng.below(90);
            let hay: Vec<u8> = (0..len).map(|_| CHARS[rng.below(CHARS.len())]).collect();
            let name_len = rng.below(len + 1);
            let needle_len = 1 + rng.below(7);
            let word: String = if rng.below(2) == 0 {
                // A subsequence of the haystack, so most of them match.
                let mut w: Vec<u8> = hay.iter().copied().filter(|_| rng.below(3) == 0).collect();
                w.truncate(needle_len);
                String::from_utf8(w).unwrap()
            } else {
                (0..needle_len)
                    .map(|_| CHARS[rng.below(CHARS.len())] as char)
                    .collect()
            };
            let word = word.replace([' ', '\\'], "");
            if word.is_empty() {
                continue;
            }
            let pattern = Pattern::new(
                &word,
                CaseMatching::Smart,
                Normalization::Smart,
                AtomKind::Fuzzy,
            );
            let [atom] = pattern.atoms.as_slice() else {
                continue;
            };
            let needle = needles(&pattern).unwrap().pop().unwrap();
            let full = atom.score(Utf32Str::Ascii(&hay), &mut matcher);
            let name = atom.score(Utf32Str::Ascii(&hay[..name_len]), &mut matcher);
            let want = full.map(|f| (u32::from(f), name.map(u32::from)));
            let got = fuzzy_ascii(&hay, name_len, &needle);
            assert_eq!(
                got,
                want,
                "haystack {:?} name_len {name_len} needle {word:?}",
                String::from_utf8_lossy(&hay)
            );
            checked += usize::from(want.is_some());
        }
        assert!(checked > 5_000, "only {checked} matches checked");
    }

    #[test]
    fn email_detection() {
        assert!(looks_like_email("ada@analytical.io"));
        assert!(looks_like_email(" ada@x.co "));
        assert!(!looks_like_email("ada@"));
        assert!(!looks_like_email("ada@io"));
        assert!(!looks_like_email("@x.com"));
        assert!(!looks_like_email("ada lovelace@x.com"));
        assert!(!looks_like_email("ada"));
    }
}
