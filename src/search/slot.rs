//! The shapes a person takes in the searches' scans and rankings: a slot of the
//! name-ordered layout, its score-bounding masks, and a ranked hit. A leaf: the
//! layout, the wide (non-ASCII) path, the ranking and the query scan all use them.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use super::bounds::Masks;

/// One person's place in the name-ordered layout the searches scan: what the byte
/// checks read for every match (32 bytes, so a scan reads half a cache line a person);
/// the masks that bound scores are beside it in `Layout::masks`.
#[derive(Debug, Clone, Copy)]
pub(super) struct Slot {
    /// Position in the index.
    pub(super) pos: u32,
    /// The haystack bytes (`Record::folded`) in `Layout::arena`.
    pub(super) off: u32,
    pub(super) len: u32,
    /// The name is the first `name_len` bytes (see `Record::name_len`).
    pub(super) name_len: u32,
    /// Which characters occur (`Masks::any` of the haystack).
    pub(super) any: u64,
    pub(super) unicode: bool,
    pub(super) bounded: bool,
}

/// A slot's character masks: of the haystack, and of the name as nucleo scores it alone
/// (for every haystack).
#[derive(Debug, Clone, Copy)]
pub(super) struct SlotMasks {
    pub(super) full: Masks,
    pub(super) name: Masks,
}

/// The worst of the current top hits sorts greatest (lower score, then later name).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(super) struct Ranked {
    pub(super) score: Reverse<u32>,
    pub(super) slot: u32,
}

/// Keeps `item` among the best `limit` in `top` (whose greatest, its worst, is
/// dropped for a better one).
#[inline]
pub(super) fn keep_best(top: &mut BinaryHeap<Ranked>, item: Ranked, limit: usize) {
    if top.len() < limit {
        top.push(item);
    } else if top.peek().is_some_and(|w| item < *w) {
        top.pop();
        top.push(item);
    }
}
