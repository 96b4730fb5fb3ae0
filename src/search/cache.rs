//! The query cache: recent queries with every match, so a keystroke that extends one
//! checks only its matches, and backspace answers from memory.

use super::PeopleIndex;
use super::SearchHits;
use super::scorer::Needle;
use super::state::State;

/// How many recent queries are remembered, and how many matches they may hold in all.
const STATES_KEPT: usize = 24;
const STATE_CANDIDATES_KEPT: usize = 1_500_000;

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
