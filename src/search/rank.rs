//! Ranking the matches: score in (bound, name) order until no match left can enter
//! the top `limit`; and the slow path where nucleo scores everyone.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use nucleo_matcher::pattern::Pattern;

use super::bounds::{Candidate, by_bound, sort_by_bound};
use super::layout::{merge_by, score};
use super::scorer::{MAX_BOUNDED_NEEDLE, Needle, at_max};
use super::slot::{Ranked, keep_best};
use super::{PeopleIndex, SearchHits};

/// A candidate's place in processing order: bound descending, then name.
type Key = (Reverse<u32>, u32);

/// Candidates in processing order: bound descending, then name.
pub(super) fn key(c: &Candidate) -> Key {
    (Reverse(c.bound), c.slot)
}

impl PeopleIndex {
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
    /// so the bound becomes the larger of the two (see `layout::score`; unchanged when
    /// nucleo scored it), which also bounds the next keystroke's.
    pub(super) fn top(
        &mut self,
        pattern: &Pattern,
        needles: &[Needle],
        candidates: &mut [Candidate],
        limit: usize,
    ) -> SearchHits {
        let layout = &self.layout;
        let max_score: u32 = needles.iter().map(Needle::max_score).sum();
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
                let slot = candidates[i as usize].slot;
                let s = &layout.slots[slot as usize];
                if s.unicode && s.bounded && candidates[i as usize].loose() {
                    // No at-maximum check: the masks may still tell it is below.
                    let c = &mut candidates[i as usize];
                    c.tighten();
                    c.bound = c
                        .bound
                        .min(c.mask_bound(needles, |d| layout.word_bound(slot, d)));
                    if c.bound < max_score {
                        fails.push(i);
                    } else {
                        unknown.push(i);
                    }
                } else if s.unicode || !s.bounded {
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
                            .min(c.mask_bound(needles, |d| layout.word_bound(slot, d)));
                    }
                    fails.push(i);
                }
                end += 1;
            }
            known = start..start + passes.len();
            front = known.end + unknown.len();
            if !fails.is_empty() || !unknown.is_empty() {
                let by_key = |i: &u32| key(&candidates[*i as usize]);
                // Taken from the order's one level, so by slot: a counting sort keeps it.
                debug_assert!(fails.is_sorted());
                let fails = sort_by_bound(fails.iter().copied(), candidates, max_score);
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
                let slot = c.slot;
                // First from the masks alone: most candidates reached drop below their
                // place there and wait (still loose), without their haystack read.
                let rough = c.rough_bound(needles, |d| layout.word_bound_by_masks(slot, d));
                if rough < c.bound {
                    c.bound = rough;
                    deferred.push(Reverse((key(c), i)));
                    continue;
                }
                c.tighten();
                let tight = c.mask_bound(needles, |d| layout.word_bound(slot, d));
                if tight < c.bound {
                    c.bound = tight;
                    deferred.push(Reverse((key(c), i)));
                    continue;
                }
            }
            let (score, bound) = if from_order && known.contains(&pos) {
                (max_score, Some(max_score))
            } else {
                let Some(scored) = score(
                    layout,
                    &self.records,
                    c.slot,
                    pattern,
                    needles,
                    &mut self.matcher,
                    &mut self.scratch,
                ) else {
                    // Cannot happen: the byte checks match exactly what nucleo matches.
                    debug_assert!(false, "checked match not matched by nucleo");
                    c.bound = 0;
                    lost += 1;
                    continue;
                };
                debug_assert!(
                    scored.0 <= c.bound,
                    "score {} above its bound {}",
                    scored.0,
                    c.bound
                );
                scored
            };
            if let Some(bound) = bound {
                c.bound = c.bound.min(bound);
                c.tighten();
            }
            let item = Ranked {
                score: Reverse(score),
                slot: c.slot,
            };
            keep_best(&mut heap, item, limit);
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
}
