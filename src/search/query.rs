//! Running a query: the search entry point ([`PeopleIndex::search`]), which
//! people match (byte checks over the matches of the remembered query it
//! extends, or over everyone), then the ranking in `rank`.

use nucleo_matcher::pattern::{AtomKind, CaseMatching, Normalization, Pattern};

use super::bounds::{Candidate, UNKNOWN, mask_of};
use super::scorer::needles;
use super::scorer::{MAX_BOUNDED_NEEDLE, MAX_CHAR_GAIN, Needle, bit, word_score};
use super::slot::Slot;
use super::state::State;
use super::{PeopleIndex, SearchHits};

/// A query with more matches than this and no remembered prefix runs its prefixes first.
const CHAIN_OVER: usize = 2_000;

impl PeopleIndex {
    /// Whether searching `query` needs more than `most` people laid out first
    /// ([`PeopleIndex::layout_work`]; an empty query needs no layout).
    pub fn waits_for_layout(&self, query: &str, most: usize) -> bool {
        !query.trim().is_empty() && self.layout_work() > most
    }

    /// [`PeopleIndex::search`], unless the query waits for more than `most`
    /// people to be laid out ([`PeopleIndex::waits_for_layout`]): then `None`,
    /// and nothing is laid out.
    pub fn search_within(&mut self, query: &str, limit: usize, most: usize) -> Option<SearchHits> {
        if self.waits_for_layout(query, most) {
            return None;
        }
        Some(self.search(query, limit))
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
            if let Some(hits) = self.recall_wide(query, limit) {
                return hits;
            }
            let hits = self.score_wide(&pattern, limit);
            self.remember_wide(query, limit, hits.clone());
            return hits;
        };
        if let Some(hits) = self.recall(&needles, limit) {
            return hits;
        }
        let state = self.run(&pattern, needles, limit);
        let hits = state.hits.clone();
        self.remember(state);
        hits
    }

    /// Runs a query, from the cheapest remembered query it extends when there is one.
    pub(super) fn run(&mut self, pattern: &Pattern, needles: Vec<Needle>, limit: usize) -> State {
        let n = self.entries.len();
        let bounded_needles = needles.iter().all(|d| d.bytes.len() <= MAX_BOUNDED_NEEDLE);
        let max_score: u32 = needles.iter().map(Needle::max_score).sum();
        let layout = &self.layout;
        // (bound, loose): bounded haystacks are tightened by their masks when reached.
        let bound_of = |s: &Slot, bound: u32| {
            if !(s.bounded && bounded_needles) {
                (u32::MAX, false)
            } else {
                (bound, true)
            }
        };
        let records = &self.records[..];
        // A new match's words but the last: nothing to bound when there is one word.
        let head_unknown = if needles.len() == 1 { 0 } else { UNKNOWN };
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
            // What bounds the words but the last: the same words as the base's (typing
            // on in the last word), or all of the base's words (one new word), whose
            // bound is the base's when its masks or the scorer set it; else unknown.
            let head_of = |c: &Candidate| {
                if needles.len() == base.needles.len() {
                    c.head()
                } else if added == 0 && needles.len() == base.needles.len() + 1 && !c.loose() {
                    c.bound
                } else {
                    UNKNOWN
                }
            };
            // People indexed since: checked in full and bound by the maximum.
            let fresh: Vec<u32> = (base.scanned..n).map(|p| layout.rank[p]).collect();
            candidates = Vec::with_capacity(base.candidates.len() + fresh.len());
            let all_mask = mask_of(&needles);
            for slot in fresh {
                let s = &layout.slots[slot as usize];
                if s.any & all_mask == all_mask
                    && let Some(end) = layout.find_all(records, slot, &needles)
                {
                    let (bound, loose) = bound_of(s, max_score);
                    candidates.push(Candidate::new(slot, bound, end, loose, head_unknown));
                }
            }
            'next: for c in &base.candidates {
                let s = &layout.slots[c.slot as usize];
                if s.any & mask != mask {
                    continue;
                }
                // (Unknown: past what a candidate keeps.)
                let mut end = c.end().unwrap_or(usize::MAX);
                if added > 0 {
                    let found = match c.end() {
                        Some(from) if same_case => {
                            layout.find(records, c.slot, &needles[ext], from, kept_len)
                        }
                        _ => layout.find(records, c.slot, &needles[ext], 0, 0),
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
                candidates.push(Candidate::new(c.slot, bound, end, loose, head_of(c)));
            }
            if n > base.scanned {
                candidates.sort_unstable_by_key(|c| c.slot);
            }
        } else if let [d] = needles.as_slice()
            && d.bytes.len() == 1
            && d.ignore_case
            && let Some(b) = bit(d.bytes[0])
        {
            candidates = self.single_char(d, b);
        } else {
            let mask = mask_of(&needles);
            candidates = layout
                .slots
                .iter()
                .enumerate()
                .filter_map(|(slot, s)| {
                    if s.any & mask != mask {
                        return None;
                    }
                    let end = layout.find_all(records, slot as u32, &needles)?;
                    let (bound, loose) = bound_of(s, max_score);
                    Some(Candidate::new(slot as u32, bound, end, loose, head_unknown))
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
    fn single_char(&self, needle: &Needle, bit: u64) -> Vec<Candidate> {
        let layout = &self.layout;
        let mut candidates = Vec::new();
        for (slot, s) in layout.slots.iter().enumerate() {
            if s.any & bit == 0 {
                continue;
            }
            let slot = slot as u32;
            let bound = if s.unicode {
                // See `top`: only the maximum bounds a non-ASCII haystack's extensions.
                // Whether it matches is the byte check below (what nucleo matches).
                Some(needle.max_score())
            } else {
                // Exact: the name's own score (plus its bonus) may beat the haystack's.
                let masks = &layout.masks[slot as usize];
                masks
                    .full
                    .single_score(bit)
                    .map(|full| word_score(full, masks.name.single_score(bit)))
            };
            let end = layout.find(&self.records, slot, needle, 0, 0);
            if let Some((bound, end)) = bound.zip(end) {
                // A non-ASCII haystack's maximum may be tightened by its masks.
                let loose = s.unicode && s.bounded;
                // One word: nothing before it.
                candidates.push(Candidate::new(slot, bound, end, loose, 0));
            }
        }
        candidates
    }
}

/// The query one character shorter than `needles`, when it can be written as a query
/// (needles without spaces or backslashes), else `None`.
pub(super) fn shorter(needles: &[Needle]) -> Option<String> {
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
