//! The query cache: recent queries with every match, so a keystroke that extends one
//! checks only its matches, and backspace answers from memory. Queries with a non-ASCII
//! character (see `wide`) keep their answer only: backspacing through "müller" answers
//! each step from memory too.

use super::PeopleIndex;
use super::SearchHits;
use super::scorer::Needle;
use super::state::{State, WideAnswer};

/// How many recent queries are remembered, and how many matches they may hold in all.
const STATES_KEPT: usize = 24;
const STATE_CANDIDATES_KEPT: usize = 1_500_000;

impl PeopleIndex {
    /// The answer to a query asked before, if nothing changed since (it becomes the
    /// most recent).
    pub(super) fn recall(&mut self, needles: &[Needle], limit: usize) -> Option<SearchHits> {
        let generation = self.generation;
        let state = to_most_recent(&mut self.states, |s| {
            s.needles == needles && s.limit == limit && s.generation == generation
        })?;
        Some(state.hits.clone())
    }

    /// Keeps `state` as the most recent query, in place of an older run of the
    /// same query (before people were added: it checked fewer, so it is no
    /// cheaper a base, and a walk searched page by page would otherwise keep a
    /// copy of every match for each of its last pages).
    pub(super) fn remember(&mut self, state: State) {
        self.states
            .retain(|s| !(s.needles == state.needles && s.limit == state.limit));
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

    /// The answer to a query with a non-ASCII character asked before, if nothing
    /// changed since (it becomes the most recent).
    pub(super) fn recall_wide(&mut self, query: &str, limit: usize) -> Option<SearchHits> {
        let generation = self.generation;
        let answer = to_most_recent(&mut self.wide_answers, |a| {
            a.query == query && a.limit == limit && a.generation == generation
        })?;
        Some(answer.hits.clone())
    }

    pub(super) fn remember_wide(&mut self, query: &str, limit: usize, hits: SearchHits) {
        let generation = self.generation;
        self.wide_answers.retain(|a| a.generation == generation);
        if self.wide_answers.len() >= STATES_KEPT {
            self.wide_answers.remove(0);
        }
        self.wide_answers.push(WideAnswer {
            query: query.to_string(),
            limit,
            generation,
            hits,
        });
    }
}

/// Moves the first of `recent` that `found` accepts to the end (the most recent) and
/// returns it.
fn to_most_recent<T>(recent: &mut Vec<T>, found: impl Fn(&T) -> bool) -> Option<&T> {
    let i = recent.iter().position(found)?;
    let item = recent.remove(i);
    recent.push(item);
    recent.last()
}
