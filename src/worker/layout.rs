//! The people index laid out again off the UI task. Laying out 100k people for
//! search (sorting them by name, folding their haystacks into one block) takes
//! a tenth of a second or more; the UI keeps searching its current index while
//! the worker builds the next one from a [`PeopleLayout`], then swaps it in.

use std::collections::HashMap;
use std::sync::Arc;

use crate::search::{PeopleIndex, PersonEntry};

/// One change to the people index, applied in order. The entries are shared:
/// a person taken from one index into another is not copied.
#[derive(Debug, Clone, PartialEq)]
pub enum PeopleChange {
    /// Adds the person, or replaces the entry with the same id (in its place).
    Upsert(Arc<PersonEntry>),
    /// Adds the person only when nobody with that id is indexed (stored people
    /// under what the dashboard learned since).
    Fill(Arc<PersonEntry>),
    /// Takes the person out (deleted in SalesLoft); people after them move up.
    Remove(u64),
    /// [`Fill`](PeopleChange::Fill) for each of many people, in order (the
    /// stored people joining a filled index): shared, so handing them on and
    /// keeping them for a later layout copies one pointer.
    FillAll(Arc<[Arc<PersonEntry>]>),
}

impl PeopleChange {
    /// The one person the change is about (`None` for [`PeopleChange::FillAll`]).
    pub fn id(&self) -> Option<u64> {
        match self {
            PeopleChange::Upsert(e) | PeopleChange::Fill(e) => Some(e.id),
            PeopleChange::Remove(id) => Some(*id),
            PeopleChange::FillAll(_) => None,
        }
    }

    /// Applies the change to `index` (entries are moved in, not copied).
    pub fn apply_to(self, index: &mut PeopleIndex) {
        let fill = |index: &mut PeopleIndex, e: Arc<PersonEntry>| {
            if index.by_id(e.id).is_none() {
                index.upsert(e);
            }
        };
        match self {
            PeopleChange::Upsert(e) => {
                index.upsert(e);
            }
            PeopleChange::Fill(e) => fill(index, e),
            PeopleChange::FillAll(all) => {
                for e in all.iter() {
                    fill(index, Arc::clone(e));
                }
            }
            PeopleChange::Remove(id) => {
                index.remove(id);
            }
        }
    }
}

/// What the index is laid out from.
#[derive(Debug)]
pub enum LayoutBase {
    /// These people in this order: the dashboard's index's own list
    /// ([`PeopleIndex::share`]), shared, not copied (copied here, off the UI
    /// task, when changes go on top).
    Entries(Arc<Vec<Arc<PersonEntry>>>),
    /// An index the UI has not shown yet (the walk's, the store's).
    Index(Box<PeopleIndex>),
}

/// A request to lay the people index out: a base and the changes on top.
#[derive(Debug)]
pub struct PeopleLayout {
    pub base: LayoutBase,
    pub changes: Vec<PeopleChange>,
}

/// The index the layout describes, laid out for search (`prepare`d).
pub fn lay_out(job: PeopleLayout) -> PeopleIndex {
    let PeopleLayout { base, changes } = job;
    let mut index = match base {
        LayoutBase::Entries(people) if changes.is_empty() => PeopleIndex::from_list(people),
        LayoutBase::Entries(people) => {
            let mut index = PeopleIndex::default();
            for e in apply(Arc::unwrap_or_clone(people), changes) {
                index.upsert(e);
            }
            index
        }
        LayoutBase::Index(index) => {
            let mut index = *index;
            for change in changes {
                change.apply_to(&mut index);
            }
            index
        }
    };
    index.prepare();
    index
}

/// [`lay_out`] on a blocking thread: `None` when the parcel was taken already.
pub async fn laid_out(
    layout: super::Parcel<PeopleLayout>,
) -> Option<Result<Box<PeopleIndex>, String>> {
    let layout = layout.take()?;
    let built = tokio::task::spawn_blocking(move || Box::new(lay_out(layout))).await;
    Some(built.map_err(|e| format!("laying out the people index stopped: {e}")))
}

/// `changes` applied to `people` as the index applies them, each in one step
/// (a removal does not shift every later person).
fn apply(people: Vec<Arc<PersonEntry>>, changes: Vec<PeopleChange>) -> Vec<Arc<PersonEntry>> {
    if changes.is_empty() {
        return people;
    }
    let mut slots: Vec<Option<Arc<PersonEntry>>> = people.into_iter().map(Some).collect();
    let mut at: HashMap<u64, usize> = slots
        .iter()
        .enumerate()
        .filter_map(|(i, e)| e.as_ref().map(|e| (e.id, i)))
        .collect();
    for change in changes {
        match change {
            PeopleChange::Upsert(e) => match at.get(&e.id) {
                Some(&i) => slots[i] = Some(e),
                None => {
                    at.insert(e.id, slots.len());
                    slots.push(Some(e));
                }
            },
            PeopleChange::Fill(e) => fill(&mut slots, &mut at, e),
            PeopleChange::FillAll(all) => {
                for e in all.iter() {
                    fill(&mut slots, &mut at, Arc::clone(e));
                }
            }
            PeopleChange::Remove(id) => {
                if let Some(i) = at.remove(&id) {
                    slots[i] = None;
                }
            }
        }
    }
    slots.into_iter().flatten().collect()
}

/// `e` after the people in `slots` unless someone with its id is there.
fn fill(
    slots: &mut Vec<Option<Arc<PersonEntry>>>,
    at: &mut HashMap<u64, usize>,
    e: Arc<PersonEntry>,
) {
    if let std::collections::hash_map::Entry::Vacant(v) = at.entry(e.id) {
        v.insert(slots.len());
        slots.push(Some(e));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(id: u64, name: &str) -> Arc<PersonEntry> {
        Arc::new(PersonEntry {
            id,
            name: name.into(),
            ..PersonEntry::default()
        })
    }

    fn names(index: &PeopleIndex) -> Vec<String> {
        (0..index.len())
            .map(|p| index.get(p).unwrap().name.clone())
            .collect()
    }

    fn changes() -> Vec<PeopleChange> {
        vec![
            PeopleChange::Remove(1),
            PeopleChange::Upsert(entry(2, "Grace Brewster Hopper")),
            PeopleChange::Fill(entry(3, "not taken: Alan is there")),
            PeopleChange::Fill(entry(4, "Katherine Johnson")),
            PeopleChange::FillAll(
                vec![
                    entry(3, "not taken: Alan is there"),
                    entry(5, "Dorothy Vaughan"),
                    entry(4, "not taken: Katherine is there"),
                ]
                .into(),
            ),
            PeopleChange::Upsert(entry(1, "Ada again")),
        ]
    }

    #[test]
    fn both_bases_apply_the_changes_as_the_index_would() {
        let people = vec![
            entry(1, "Ada Lovelace"),
            entry(2, "Grace Hopper"),
            entry(3, "Alan Turing"),
        ];
        let mut by_hand = PeopleIndex::default();
        for e in &people {
            by_hand.upsert(e.clone());
        }
        let from_index = {
            let mut base = PeopleIndex::default();
            for e in &people {
                base.upsert(e.clone());
            }
            lay_out(PeopleLayout {
                base: LayoutBase::Index(Box::new(base)),
                changes: changes(),
            })
        };
        by_hand.remove(1);
        by_hand.upsert(entry(2, "Grace Brewster Hopper"));
        by_hand.upsert(entry(4, "Katherine Johnson"));
        by_hand.upsert(entry(5, "Dorothy Vaughan"));
        by_hand.upsert(entry(1, "Ada again"));
        let from_entries = lay_out(PeopleLayout {
            base: LayoutBase::Entries(Arc::new(people)),
            changes: changes(),
        });
        let want = vec![
            "Grace Brewster Hopper",
            "Alan Turing",
            "Katherine Johnson",
            "Dorothy Vaughan",
            "Ada again",
        ];
        assert_eq!(names(&by_hand), want);
        assert_eq!(names(&from_index), want);
        assert_eq!(names(&from_entries), want);
        let mut laid = from_entries;
        assert_eq!(laid.search("hopper", 10).hits, vec![0]);
    }
}
