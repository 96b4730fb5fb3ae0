//! The memberships' index by (person, cadence), and by person: a rendered person
//! lists their cadences from their own few memberships, not from a look-up for
//! each of the team's cadences.

use std::collections::HashMap;

/// (person id, cadence id) -> membership id (one record per pair, ever), kept as
/// each person's pairs in cadence id order: a pair is found by its person, then a
/// binary search of their few cadences.
#[derive(Debug, Clone, Default)]
pub struct PairIndex {
    /// person id -> (cadence id, membership id), sorted by cadence id.
    by_person: HashMap<u64, Vec<(u64, u64)>>,
    /// The number of pairs.
    len: usize,
}

impl PairIndex {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn with_capacity(n: usize) -> Self {
        PairIndex {
            by_person: HashMap::with_capacity(n),
            len: 0,
        }
    }

    /// The membership of `(person id, cadence id)`.
    pub fn get(&self, &(person, cadence): &(u64, u64)) -> Option<&u64> {
        let mine = self.of_person(person);
        let i = mine.binary_search_by_key(&cadence, |&(c, _)| c).ok()?;
        Some(&mine[i].1)
    }

    pub fn contains_key(&self, pair: &(u64, u64)) -> bool {
        self.get(pair).is_some()
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Records the pair's membership; the one it replaces, if any.
    pub fn insert(&mut self, (person, cadence): (u64, u64), membership_id: u64) -> Option<u64> {
        let mine = self.by_person.entry(person).or_default();
        match mine.binary_search_by_key(&cadence, |&(c, _)| c) {
            Ok(i) => Some(std::mem::replace(&mut mine[i].1, membership_id)),
            Err(i) => {
                mine.insert(i, (cadence, membership_id));
                self.len += 1;
                None
            }
        }
    }

    /// A person's memberships as (cadence id, membership id), by cadence id.
    pub fn of_person(&self, person_id: u64) -> &[(u64, u64)] {
        self.by_person.get(&person_id).map_or(&[], Vec::as_slice)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_persons_pairs_stay_sorted_and_replaced_in_place() {
        let mut ix = PairIndex::new();
        assert_eq!(ix.insert((7, 30), 1), None);
        ix.insert((7, 10), 2);
        ix.insert((8, 20), 3);
        assert_eq!(ix.insert((7, 30), 4), Some(1));
        assert_eq!(ix.of_person(7), &[(10, 2), (30, 4)]);
        assert_eq!(ix.of_person(8), &[(20, 3)]);
        assert!(ix.of_person(9).is_empty());
        assert_eq!(ix.get(&(7, 30)), Some(&4));
        assert!(ix.contains_key(&(8, 20)) && !ix.contains_key(&(8, 10)));
        assert_eq!(ix.len(), 3);
    }
}
