//! Upper bounds of a person's score that need no scoring: per-person character masks
//! (which characters occur, and after which kind of boundary) and the matches of a
//! remembered query with their bounds, ordered for scoring.

use super::scorer::{
    Class, FIRST_CHAR_MULTIPLIER, GAP_START, MAX_BONUS, Needle, SCORE_MATCH, bit, bonus, class,
    raw_class,
};

/// Which characters (case-folded) occur in a haystack, after which boundary, and which
/// pairs of them occur side by side.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct Masks {
    pub(super) any: u64,
    /// Occurrences with a bonus of 10, 9, 8 and 5.
    pub(super) tiers: [u64; 4],
    /// Adjacent pairs of characters with a mask bit, hashed into 128 bits ([`pair`]).
    pub(super) pairs: [u64; 2],
}

/// The bit of an adjacent pair of characters (given by their mask bits) in
/// `Masks::pairs`: which of the two words, and the bit in it.
#[inline]
fn pair(a: u64, b: u64) -> (usize, u64) {
    let i = a.trailing_zeros() * 64 + b.trailing_zeros();
    // Fibonacci hashing: the top 7 bits of the product pick one of 128.
    let h = i.wrapping_mul(0x9E37_79B9) >> 25;
    ((h >> 6) as usize, 1 << (h & 63))
}

impl Masks {
    pub(super) fn ascii(text: &[u8]) -> Masks {
        Masks::of(
            text.iter()
                .map(|&b| (class(b), bit(b.to_ascii_lowercase()).unwrap_or(0))),
        )
    }

    /// A non-ASCII haystack's masks: `folded` holds each character case-folded and
    /// normalized (as the byte checks see it), `raw` each as its [`raw_byte`]: the
    /// bonuses come from the characters' own classes, as nucleo computes them.
    ///
    /// [`raw_byte`]: super::scorer::raw_byte
    pub(super) fn unicode(raw: &[u8], folded: &[u8]) -> Masks {
        Masks::of(
            raw.iter()
                .zip(folded)
                .map(|(&r, &b)| (raw_class(r), bit(b).unwrap_or(0))),
        )
    }

    /// The masks of a haystack given as each character's class and mask bit (0: none).
    #[inline]
    fn of(chars: impl Iterator<Item = (Class, u64)>) -> Masks {
        let mut m = Masks::default();
        let mut prev = Class::Whitespace;
        let mut prev_bit = 0;
        for (c, bit) in chars {
            if bit != 0 {
                m.any |= bit;
                m.add_tier(bonus(prev, c), bit);
                m.add_pair(prev_bit, bit);
            }
            prev = c;
            prev_bit = bit;
        }
        m
    }

    /// Records that the characters with bits `a` (0: none) and `b` occur side by side.
    #[inline]
    fn add_pair(&mut self, a: u64, b: u64) {
        if a != 0 {
            let (word, bit) = pair(a, b);
            self.pairs[word] |= bit;
        }
    }

    /// Whether the characters with bits `a` and `b` may occur side by side (always when
    /// one has no bit).
    #[inline]
    fn may_pair(&self, a: u64, b: u64) -> bool {
        if a == 0 || b == 0 {
            return true;
        }
        let (word, bit) = pair(a, b);
        self.pairs[word] & bit != 0
    }

    #[inline]
    fn add_tier(&mut self, bonus: u32, bit: u64) {
        match bonus {
            10 => self.tiers[0] |= bit,
            9 => self.tiers[1] |= bit,
            8 => self.tiers[2] |= bit,
            5 => self.tiers[3] |= bit,
            _ => (),
        }
    }

    /// The best bonus the character with this bit (0: no bit) gets anywhere in the
    /// haystack.
    #[inline]
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

    /// An upper bound of nucleo's score for `needle` (ASCII needles): the first
    /// character scores at most 16 plus twice its best bonus here; each next one at most
    /// 16 plus the larger of the consecutive bonus (4) and the best bonus of it or any
    /// character before it (a consecutive run carries its first bonus along). When the
    /// character never follows the needle's previous one here, it ends a gap: at most
    /// 16 plus its own best bonus, less the 3 a gap costs at least.
    pub(super) fn bound(&self, needle: &Needle) -> u32 {
        let mut best = 0;
        let mut bound = 0;
        let mut prev = 0;
        for (i, &b) in needle.bits.iter().enumerate() {
            let bonus = self.best_bonus(b);
            best = best.max(bonus);
            bound += if i == 0 {
                SCORE_MATCH + FIRST_CHAR_MULTIPLIER * bonus
            } else if !self.may_pair(prev, b) {
                SCORE_MATCH + bonus - GAP_START
            } else {
                SCORE_MATCH + best.max(4)
            };
            prev = b;
        }
        bound
    }

    /// nucleo's score for a one-character needle with this bit (ASCII haystacks, case
    /// ignored): the best bonus over its occurrences, counted twice.
    pub(super) fn single_score(&self, bit: u64) -> Option<u32> {
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

/// A match of a remembered query: 12 bytes, as a remembered query keeps thousands.
#[derive(Debug, Clone, Copy)]
pub(super) struct Candidate {
    /// The person's slot (place in name order).
    pub(super) slot: u32,
    /// The exact score once computed, else an upper bound of it.
    pub(super) bound: u32,
    /// Where the greedy match of the last needle ends (`END_UNKNOWN`: past what 15
    /// bits hold, so the next check starts over), and in the top bit `LOOSE`.
    end: u16,
    /// An upper bound of the score of every word but the last (what the masks or the
    /// scorer gave), or `u16::MAX` when unknown: typing on in the last word, or
    /// starting a new one, tightens the bound by the last word's masks alone.
    head: u16,
}

/// In `Candidate::end`: the bound may still be tightened by the person's character
/// masks (done only for the candidates a search reaches; see `PeopleIndex::top`).
const LOOSE: u16 = 1 << 15;
const END_UNKNOWN: u16 = LOOSE - 1;

/// A bound of the words but the last that is not known.
pub(super) const UNKNOWN: u32 = u32::MAX;

/// `head` as kept: unknown when it does not fit.
#[inline]
fn head_bits(head: u32) -> u16 {
    u16::try_from(head).unwrap_or(u16::MAX)
}

impl Candidate {
    /// `end`: where the last needle's match ends (any value past 15 bits is kept as
    /// unknown); `head`: see [`Candidate::head`].
    #[inline]
    pub(super) fn new(slot: u32, bound: u32, end: usize, loose: bool, head: u32) -> Candidate {
        let end = end.min(END_UNKNOWN as usize) as u16;
        Candidate {
            slot,
            bound,
            end: if loose { end | LOOSE } else { end },
            head: head_bits(head),
        }
    }

    /// Where the greedy match of the last needle ends, if kept.
    #[inline]
    pub(super) fn end(&self) -> Option<usize> {
        let end = self.end & !LOOSE;
        (end != END_UNKNOWN).then_some(end as usize)
    }

    /// An upper bound of the score of every word but the last, or [`UNKNOWN`].
    #[inline]
    pub(super) fn head(&self) -> u32 {
        if self.head == u16::MAX {
            UNKNOWN
        } else {
            u32::from(self.head)
        }
    }

    #[inline]
    pub(super) fn loose(&self) -> bool {
        self.end & LOOSE != 0
    }

    #[inline]
    pub(super) fn tighten(&mut self) {
        self.end &= !LOOSE;
    }

    /// An upper bound of the score by the person's masks (`word_bound`: of one needle),
    /// learning the bound of the words but the last on the way when not yet known
    /// (see [`Candidate::rough_bound`] for one that learns nothing).
    #[inline]
    pub(super) fn mask_bound(
        &mut self,
        needles: &[Needle],
        word_bound: impl Fn(&Needle) -> u32,
    ) -> u32 {
        let (bound, head) = self.bound_with(needles, word_bound);
        if let Some(head) = head {
            self.head = head_bits(head);
        }
        bound
    }

    /// An upper bound of the score like [`Candidate::mask_bound`]'s, from a cheaper
    /// (higher) `word_bound`: the words but the last keep their known bound, and
    /// nothing is learnt from this one.
    #[inline]
    pub(super) fn rough_bound(
        &self,
        needles: &[Needle],
        word_bound: impl Fn(&Needle) -> u32,
    ) -> u32 {
        self.bound_with(needles, word_bound).0
    }

    /// The score's bound from the head's and the last word's `word_bound`, and the
    /// head's bound when it was not known (computed from `word_bound`).
    #[inline]
    fn bound_with(
        &self,
        needles: &[Needle],
        word_bound: impl Fn(&Needle) -> u32,
    ) -> (u32, Option<u32>) {
        let Some((last, rest)) = needles.split_last() else {
            return (0, None);
        };
        let (head, computed) = match self.head() {
            UNKNOWN => {
                let head = rest.iter().map(&word_bound).sum::<u32>();
                (head, Some(head))
            }
            head => (head, None),
        };
        (head.saturating_add(word_bound(last)), computed)
    }
}

/// Indices of `candidates` (in slot order) ordered by bound descending, then slot: a
/// stable counting sort (bounds are small; unbounded ones go first).
pub(super) fn by_bound(candidates: &[Candidate], max_score: u32) -> Vec<u32> {
    sort_by_bound(0..candidates.len() as u32, candidates, max_score)
}

/// `indices` of `candidates`, ascending, ordered by bound descending, then slot (the
/// same counting sort as [`by_bound`]).
pub(super) fn sort_by_bound(
    indices: impl Iterator<Item = u32> + Clone,
    candidates: &[Candidate],
    max_score: u32,
) -> Vec<u32> {
    let top = max_score as usize + 1;
    let bucket = |i: u32| top - (candidates[i as usize].bound as usize).min(top);
    let mut starts = vec![0u32; top + 2];
    let mut n = 0;
    for i in indices.clone() {
        starts[bucket(i) + 1] += 1;
        n += 1;
    }
    for b in 1..starts.len() {
        starts[b] += starts[b - 1];
    }
    let mut order = vec![0u32; n];
    for i in indices {
        let at = &mut starts[bucket(i)];
        order[*at as usize] = i;
        *at += 1;
    }
    order
}

/// The characters (with a mask bit) of some needles.
pub(super) fn mask_of(needles: &[Needle]) -> u64 {
    needles.iter().fold(0, |a, d| a | d.mask)
}

const _: () = assert!(
    std::mem::size_of::<Candidate>() == 12,
    "thousands per query"
);
