//! The query cache: recent queries with every match, so a keystroke that extends one
//! checks only its matches, and backspace answers from memory.

use super::bounds::Candidate;
use super::scorer::Needle;
use super::{PeopleIndex, SearchHits};

/// How many recent queries are remembered, and how many matches they may hold in all.
const STATES_KEPT: usize = 24;
const STATE_CANDIDATES_KEPT: usize = 1_500_000;

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

impl PeopleIndex {
    /// The answer to a query asked before, if nothing changed since (it becomes the
    /// most recent).
    pub(super) fn recall(&mut self, needles: &[Needle], limit: usize) -> Option<SearchHits> {
        let i = self.states.iter().position(|s| {
            s.needles == needles && s.limit == limit && s.generation == self.generation
        })?;
        let state = self.states.remove(i);
        let hits = state.hits.clone();
        self.states.push(state);
        Some(hits)
    }

    pub(super) fn remember(&mut self, state: State) {
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
}
