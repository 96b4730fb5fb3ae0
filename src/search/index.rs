//! The people index: who is in it, by position and by id, and the search entry point.

use std::sync::Arc;

use nucleo_matcher::{Config, Matcher};
use rustc_hash::FxHashMap;

use super::PersonEntry;
use super::layout::Layout;
use super::record::{Record, Scratch};
use super::state::{State, WideAnswer};

pub struct PeopleIndex {
    /// Shared twice over: each entry with whoever holds it (the walk's pages,
    /// the worker's index), and the list itself with a layout being built from
    /// it ([`PeopleIndex::share`]): handing the people to the worker copies one
    /// pointer, and the list is copied only if it changes meanwhile.
    pub(super) entries: Arc<Vec<Arc<PersonEntry>>>,
    /// Per position, built by the first search after people were added
    /// ([`PeopleIndex::fill_records`]): an index nobody searched holds only the
    /// shared entries (the dashboard's own during a walk, beside the worker's).
    pub(super) records: Vec<Record>,
    /// By id (FxHash: the ids are ours, and every change looks people up).
    pub(super) by_id: FxHashMap<u64, usize>,
    pub(super) matcher: Matcher,
    /// Where nucleo's characters of non-ASCII records are expanded to score them.
    pub(super) scratch: Scratch,
    pub(super) layout: Layout,
    /// A person changed: the layout must be rebuilt, not just extended.
    pub(super) rebuild: bool,
    /// Bumped by every change of the entries.
    pub(super) generation: u64,
    /// Recent queries, the most recent last.
    pub(super) states: Vec<State>,
    /// Recent answers to queries with a non-ASCII character, the most recent last.
    pub(super) wide_answers: Vec<WideAnswer>,
}

impl Default for PeopleIndex {
    fn default() -> Self {
        PeopleIndex {
            entries: Arc::default(),
            records: Vec::new(),
            by_id: FxHashMap::default(),
            matcher: Matcher::new(Config::DEFAULT),
            scratch: Scratch::default(),
            layout: Layout::default(),
            rebuild: false,
            generation: 0,
            states: Vec::new(),
            wide_answers: Vec::new(),
        }
    }
}

/// What searching an index built besides its people (records, layout,
/// remembered queries), taken out by [`PeopleIndex::take_layout`]: dropping it
/// frees them (the dashboard has that done off its task).
pub struct TakenLayout {
    _records: Vec<Record>,
    _layout: Layout,
    _states: Vec<State>,
    _wide_answers: Vec<WideAnswer>,
}

impl std::fmt::Debug for PeopleIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PeopleIndex")
            .field("len", &self.entries.len())
            .finish()
    }
}

impl PeopleIndex {
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    pub fn get(&self, pos: usize) -> Option<&PersonEntry> {
        self.entries.get(pos).map(|e| &**e)
    }

    /// Everyone, by position: shared with whoever holds a clone (a new
    /// layout built from these people keeps the same entries).
    pub fn entries(&self) -> &[Arc<PersonEntry>] {
        &self.entries
    }

    /// Everyone, by position, as one shared list: a clone of a pointer (what
    /// the dashboard hands the worker to lay out; the index copies the list
    /// the next time it changes while the worker still holds it).
    pub fn share(&self) -> Arc<Vec<Arc<PersonEntry>>> {
        Arc::clone(&self.entries)
    }

    /// Where a person sits in the index (what [`SearchHits`] hold).
    pub fn position(&self, id: u64) -> Option<usize> {
        self.by_id.get(&id).copied()
    }

    pub fn by_id(&self, id: u64) -> Option<&PersonEntry> {
        self.by_id.get(&id).map(|&i| &*self.entries[i])
    }

    /// An index of `list` as it is, the list kept shared (not copied while
    /// nothing changes). Someone listed twice is kept once, where first listed.
    pub fn from_list(list: Arc<Vec<Arc<PersonEntry>>>) -> PeopleIndex {
        let mut by_id = FxHashMap::default();
        by_id.reserve(list.len());
        let mut twice = false;
        for (pos, e) in list.iter().enumerate() {
            assert!(pos < u32::MAX as usize, "fewer than 4 billion people");
            twice |= by_id.insert(e.id, pos).is_some();
        }
        if twice {
            let mut index = PeopleIndex::default();
            for e in list.iter() {
                if index.by_id(e.id).is_none() {
                    index.upsert(Arc::clone(e));
                }
            }
            return index;
        }
        PeopleIndex {
            generation: u64::from(!list.is_empty()),
            entries: list,
            by_id,
            ..PeopleIndex::default()
        }
    }

    /// Adds a person, or replaces the one with the same id. Returns true when the
    /// person is new. An entry given as an `Arc` is kept as it is (not copied).
    pub fn upsert(&mut self, entry: impl Into<Arc<PersonEntry>>) -> bool {
        let entry = entry.into();
        match self.by_id.get(&entry.id) {
            Some(&i) => {
                if self.entries[i] != entry {
                    if let Some(record) = self.records.get_mut(i) {
                        *record = Record::new(&entry);
                    }
                    self.rebuild = true;
                    Arc::make_mut(&mut self.entries)[i] = entry;
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
                Arc::make_mut(&mut self.entries).push(entry);
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
        Arc::make_mut(&mut self.entries).remove(pos);
        if pos < self.records.len() {
            self.records.remove(pos);
        }
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

    /// Takes out what searching built (records, layout, remembered queries),
    /// keeping the people, their order and ids: the next search lays everyone
    /// out again. For an index whose layout is stale beyond what the dashboard
    /// lays out itself while the worker lays out the next one: its searches wait
    /// for that anyway, so the old layout would only be held twice meanwhile.
    pub fn take_layout(&mut self) -> TakenLayout {
        self.rebuild = false;
        TakenLayout {
            _records: std::mem::take(&mut self.records),
            _layout: std::mem::take(&mut self.layout),
            _states: std::mem::take(&mut self.states),
            _wide_answers: std::mem::take(&mut self.wide_answers),
        }
    }

    /// Drops everything (the `R` key rebuilds the index).
    pub fn clear(&mut self) {
        self.entries = Arc::default();
        self.records.clear();
        self.by_id.clear();
        self.layout = Layout::default();
        self.rebuild = false;
        self.generation += 1;
        self.states.clear();
        self.wide_answers.clear();
    }
}
