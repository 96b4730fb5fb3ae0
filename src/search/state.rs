//! A remembered query, and a remembered answer to a query with a non-ASCII character
//! (a leaf: the cache keeps them, the query scan builds the first).

use super::SearchHits;
use super::bounds::Candidate;
use super::scorer::Needle;

/// A remembered query: every match, in name (slot) order, and the answer.
#[derive(Debug, Clone)]
pub(super) struct State {
    pub(super) needles: Vec<Needle>,
    /// Index length when the search ran: entries after it were not checked.
    pub(super) scanned: usize,
    pub(super) candidates: Vec<Candidate>,
    pub(super) limit: usize,
    pub(super) hits: SearchHits,
    pub(super) generation: u64,
}

impl State {
    /// How `needles` extend this state's needles: the number of characters added to its
    /// last needle and whether that needle's case mode is unchanged, or `None` when
    /// `needles` does not extend it (so it matches no subset of this state's matches).
    pub(super) fn extension(&self, needles: &[Needle]) -> Option<(usize, bool)> {
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

/// A remembered answer to a query with a non-ASCII character.
#[derive(Debug, Clone)]
pub(super) struct WideAnswer {
    /// The query, trimmed (the pattern is parsed from it alone).
    pub(super) query: String,
    pub(super) limit: usize,
    pub(super) generation: u64,
    pub(super) hits: SearchHits,
}
