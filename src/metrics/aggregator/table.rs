//! The aggregator's emails by id: sorted columns plus a small map of ids that
//! arrived out of order, about 24 bytes an email where a hash map took 50 (a
//! million emails: about 24 MB instead of 52).
//!
//! Emails mostly arrive in ascending id order (the store reads them by id, and
//! SalesLoft numbers new emails upwards): those go at the end of the columns.
//! An id below the last one goes into `recent`; when `recent` holds more than a
//! sixteenth of the columns (at least [`MERGE_AT`]), it is merged into them in
//! place, from the back. A lookup checks `recent`, then searches the columns.

use super::compact::{HashMap, Stored};

/// `recent` is merged into the columns once it holds more than this many ids
/// (or a sixteenth of the columns, if that is more).
pub(super) const MERGE_AT: usize = 4_096;

#[derive(Debug, Clone, Default)]
pub(super) struct FactTable {
    /// Ascending, no id twice, none of them in `recent`.
    ids: Vec<u64>,
    /// `cells[i]` is the email `ids[i]`.
    cells: Vec<Stored>,
    /// Emails whose id was below the last one of `ids` when they arrived.
    recent: HashMap<u64, Stored>,
}

impl FactTable {
    pub fn len(&self) -> usize {
        self.ids.len() + self.recent.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Makes room for `additional` more emails at the end of the columns.
    pub fn reserve(&mut self, additional: usize) {
        self.ids.reserve_exact(additional);
        self.cells.reserve_exact(additional);
    }

    pub fn get(&self, id: u64) -> Option<Stored> {
        if let Some(s) = self.recent.get(&id) {
            return Some(*s);
        }
        // A new email (above every id held) is not searched for.
        if self.ids.last().is_none_or(|&last| id > last) {
            return None;
        }
        find(&self.ids, id).ok().map(|i| self.cells[i])
    }

    /// The cells of `wanted` (ascending), each looked for after where the one
    /// before was found ([`find`]).
    pub fn get_ascending(&self, wanted: &[u64], mut each: impl FnMut(u64, Option<Stored>)) {
        debug_assert!(wanted.windows(2).all(|w| w[0] <= w[1]));
        let mut from = 0;
        for &id in wanted {
            if let Some(s) = self.recent.get(&id) {
                each(id, Some(*s));
                continue;
            }
            match find(&self.ids[from..], id) {
                Ok(i) => {
                    from += i;
                    each(id, Some(self.cells[from]));
                }
                Err(i) => {
                    from += i;
                    each(id, None);
                }
            }
        }
    }

    pub fn contains(&self, id: u64) -> bool {
        self.get(id).is_some()
    }

    /// Stores `cell` as the email `id`, in place of what it held.
    pub fn insert(&mut self, id: u64, cell: Stored) {
        if let Some(s) = self.recent.get_mut(&id) {
            *s = cell;
            return;
        }
        match self.ids.last() {
            None => {}
            Some(&last) if id > last => {}
            Some(_) => match self.ids.binary_search(&id) {
                Ok(i) => {
                    self.cells[i] = cell;
                    return;
                }
                Err(_) => {
                    self.recent.insert(id, cell);
                    if self.recent.len() > MERGE_AT.max(self.ids.len() / 16) {
                        self.merge();
                    }
                    return;
                }
            },
        }
        self.ids.push(id);
        self.cells.push(cell);
    }

    /// Every email, the columns' in id order first, then `recent`'s.
    pub fn iter(&self) -> impl Iterator<Item = (u64, Stored)> + '_ {
        let sorted = self.ids.iter().copied().zip(self.cells.iter().copied());
        sorted.chain(self.recent.iter().map(|(&id, &s)| (id, s)))
    }

    /// Moves `recent` into the columns: they grow by its size and the merge
    /// runs from the back, so nothing is copied into new vectors.
    fn merge(&mut self) {
        let mut add: Vec<(u64, Stored)> = self.recent.drain().collect();
        add.sort_unstable_by_key(|&(id, _)| id);
        let old = self.ids.len();
        let Some(&(_, filler)) = add.first() else {
            return;
        };
        // Exactly: doubling the columns' room would double their memory.
        self.ids.reserve_exact(add.len());
        self.cells.reserve_exact(add.len());
        self.ids.resize(old + add.len(), 0);
        self.cells.resize(old + add.len(), filler);
        let (mut i, mut j, mut to) = (old, add.len(), old + add.len());
        while j > 0 {
            to -= 1;
            if i > 0 && self.ids[i - 1] > add[j - 1].0 {
                i -= 1;
                self.ids[to] = self.ids[i];
                self.cells[to] = self.cells[i];
            } else {
                j -= 1;
                (self.ids[to], self.cells[to]) = add[j];
            }
        }
    }
}

/// Where `id` is in `ids` (ascending), as `binary_search` answers: a few
/// interpolation steps first (email ids are spread fairly evenly, so each step
/// lands near the id and a lookup touches a few cache lines rather than the
/// twenty of a binary search over a million), then a binary search of what is
/// left. Uneven ids only make the steps useless, never the answer wrong.
fn find(ids: &[u64], id: u64) -> Result<usize, usize> {
    let (mut lo, mut hi) = (0, ids.len());
    for _ in 0..4 {
        if hi - lo <= 64 {
            break;
        }
        let (first, last) = (ids[lo], ids[hi - 1]);
        if id <= first || id > last {
            break;
        }
        let span = (last - first) as u128;
        let guess = lo + ((u128::from(id - first) * (hi - 1 - lo) as u128) / span) as usize;
        let guess = guess.clamp(lo, hi - 1);
        match ids[guess].cmp(&id) {
            std::cmp::Ordering::Equal => return Ok(guess),
            std::cmp::Ordering::Less => lo = guess + 1,
            std::cmp::Ordering::Greater => hi = guess,
        }
    }
    match ids[lo..hi].binary_search(&id) {
        Ok(i) => Ok(lo + i),
        Err(i) => Err(lo + i),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cell(n: u32) -> Stored {
        Stored {
            group: n,
            sent_at: n,
            updated_at: n,
            flags: 1,
        }
    }

    #[test]
    fn out_of_order_ids_are_found_before_and_after_a_merge() {
        let mut t = FactTable::default();
        // Ascending, then many below the last, then a few above: several merges.
        for id in 0..20_000u64 {
            t.insert(id * 10 + 100_000, cell(id as u32));
        }
        let mut want: std::collections::BTreeMap<u64, Stored> = t.iter().collect();
        for k in 0..30_000u64 {
            let id = (k * 7_919) % 250_000;
            let c = cell(k as u32 + 1);
            t.insert(id, c);
            want.insert(id, c);
        }
        t.insert(9_999_999, cell(5));
        want.insert(9_999_999, cell(5));
        assert!(t.recent.len() <= MERGE_AT.max(t.ids.len() / 16));
        assert!(t.ids.windows(2).all(|w| w[0] < w[1]), "columns stay sorted");
        assert_eq!(t.len(), want.len());
        for (&id, &c) in &want {
            assert_eq!(t.get(id), Some(c), "email {id}");
        }
        // Present or absent, as the reference says.
        for probe in (0..400_000u64).step_by(13) {
            assert_eq!(t.get(probe), want.get(&probe).copied(), "email {probe}");
        }
        assert!(!t.contains(250_001));
        // Looked up in ascending order, galloping: the same answers.
        let wanted: Vec<u64> = (0..400_000u64)
            .step_by(7)
            .chain([9_999_999, 10_000_000])
            .collect();
        let mut seen = 0;
        t.get_ascending(&wanted, |id, cell| {
            assert_eq!(cell, want.get(&id).copied(), "email {id}");
            seen += 1;
        });
        assert_eq!(seen, wanted.len());
        let mut all: Vec<(u64, Stored)> = t.iter().collect();
        all.sort_unstable_by_key(|&(id, _)| id);
        assert_eq!(all, want.into_iter().collect::<Vec<_>>());
    }

    #[test]
    fn find_answers_as_binary_search_on_even_and_uneven_ids() {
        let even: Vec<u64> = (0..10_000u64).map(|i| 1_000 + i * 3).collect();
        let uneven: Vec<u64> = (0..10_000u64).map(|i| i * i * i + (i % 7)).collect();
        let mut clumped: Vec<u64> = (0..5_000u64).chain(u64::MAX - 5_000..u64::MAX).collect();
        clumped.dedup();
        for ids in [&even, &uneven, &clumped] {
            let probes = ids
                .iter()
                .flat_map(|&v| [v.saturating_sub(1), v, v.saturating_add(1)]);
            for id in probes.chain([0, 1, u64::MAX]) {
                assert_eq!(find(ids, id), ids.binary_search(&id), "id {id}");
            }
        }
        assert_eq!(find(&[], 5), Err(0));
    }

    #[test]
    fn an_email_stored_again_replaces_its_cell_wherever_it_is() {
        let mut t = FactTable::default();
        t.insert(10, cell(1));
        t.insert(5, cell(2)); // below the last: in `recent`
        t.insert(10, cell(3));
        t.insert(5, cell(4));
        assert_eq!(t.len(), 2);
        assert_eq!(t.get(10), Some(cell(3)));
        assert_eq!(t.get(5), Some(cell(4)));
        t.merge();
        assert!(t.recent.is_empty());
        assert_eq!(t.ids, vec![5, 10]);
        t.insert(5, cell(6));
        assert_eq!(t.get(5), Some(cell(6)));
        assert_eq!(t.len(), 2);
    }
}
