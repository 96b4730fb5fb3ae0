//! [`PeopleIndex::prepare`]: brings the name-ordered layout up to date with the
//! entries, extending it when people were only added.

use std::cmp::Ordering;

use super::charset::{Postings, wide_slots};
use super::layout::{Layout, merge_by};
use super::record::Record;
use super::slot::{Slot, SlotMasks};
use super::{PeopleIndex, PersonEntry};

impl PeopleIndex {
    /// Builds the records of the people added since they were last built: all
    /// of them at once in a vector of their number (the worker's index), a few
    /// more on top otherwise.
    pub(super) fn fill_records(&mut self) {
        let from = self.records.len();
        room(&mut self.records, self.entries.len() - from);
        let added = self.entries[from..].iter().map(|e| Record::new(e));
        self.records.extend(added);
    }

    /// Whether the next [`PeopleIndex::prepare`] only inserts the people added
    /// into the layout (not laying everyone out again).
    fn extends(&self) -> bool {
        let (n, old_len) = (self.entries.len(), self.layout.slots.len());
        !self.rebuild && old_len <= n && self.layout.scattered + (n - old_len) <= n / 8
    }

    /// How many people the next [`PeopleIndex::prepare`] (the next search) lays
    /// out: none when the layout is up to date, the people added when it only
    /// inserts them, everyone when it lays all out again. The dashboard leaves
    /// more than a few to the worker.
    pub fn layout_work(&self) -> usize {
        if self.layout.generation == self.generation {
            0
        } else if self.extends() {
            self.entries.len() - self.layout.slots.len()
        } else {
            self.entries.len()
        }
    }

    /// Brings the search layout up to date with the entries (done by the next search
    /// anyway; call it after loading people so the first keystroke does not pay it).
    pub fn prepare(&mut self) {
        if self.layout.generation == self.generation {
            return;
        }
        self.fill_records();
        let n = self.entries.len();
        let entries = &self.entries;
        let by_name = |a: &u32, b: &u32| {
            entries[*a as usize]
                .name
                .cmp(&entries[*b as usize].name)
                .then(a.cmp(b))
        };
        let old_len = self.layout.slots.len();
        let mut postings = std::mem::take(&mut self.layout.postings);
        if self.rebuild || old_len > n {
            postings = Postings::default();
        }
        let records = &self.records;
        postings.extend(n, |pos| records[pos].wide_chars());
        // Writes a person's folded bytes at the end of `arena` (their only home) and
        // gives their slot.
        let lay_out = |r: &Record, entry: &PersonEntry, pos: u32, arena: &mut Vec<u8>| {
            let off = arena.len();
            r.fold_into(entry, arena);
            let folded = &arena[off..];
            let full = r.masks(folded);
            let slot = Slot {
                pos,
                off: off as u32,
                len: folded.len() as u32,
                name_len: r.name_len,
                any: full.any,
                unicode: r.unicode,
                bounded: r.bounded,
            };
            let masks = SlotMasks {
                full,
                // Names are short: computed here rather than kept per record.
                name: r.name_masks(folded),
            };
            (slot, masks)
        };
        if self.extends() {
            // People were only added: insert them into the name order (their bytes go at
            // the end of the arena); remembered matches keep their relative order.
            let mut added: Vec<u32> = (old_len as u32..n as u32).collect();
            added.sort_unstable_by(by_name);
            let layout = &mut self.layout;
            // Each goes before the old slot `at[k]` (ascending): the slots and masks are
            // moved up in place, not copied into new vectors (a page of 100 people
            // moved every slot's 112 bytes of masks to freshly faulted memory).
            let mut at = Vec::with_capacity(added.len());
            let mut from = 0;
            for pos in &added {
                from += layout.slots[from..]
                    .partition_point(|s| by_name(&s.pos, pos) == Ordering::Less);
                at.push(from);
            }
            let records = &self.records;
            let bytes = added.iter().map(|&p| records[p as usize].folded_len());
            room(&mut layout.arena, bytes.sum());
            room(&mut layout.slots, added.len());
            room(&mut layout.masks, added.len());
            room(&mut layout.rank, added.len());
            let (slots, masks): (Vec<Slot>, Vec<SlotMasks>) = added
                .iter()
                .map(|&pos| {
                    let (r, entry) = (&records[pos as usize], &entries[pos as usize]);
                    lay_out(r, entry, pos, &mut layout.arena)
                })
                .unzip();
            insert_at(&mut layout.slots, &at, &slots);
            insert_at(&mut layout.masks, &at, &masks);
            layout.rank.resize(n, 0);
            for (slot, s) in layout.slots.iter().enumerate() {
                layout.rank[s.pos as usize] = slot as u32;
            }
            // An old slot moves up by the number of people inserted at or before it.
            for state in &mut self.states {
                for c in &mut state.candidates {
                    c.slot += at.partition_point(|&a| a <= c.slot as usize) as u32;
                }
            }
            layout.scattered += n - old_len;
            layout.wide = wide_slots(&layout.slots, |pos| records[pos as usize].char_set);
            layout.postings = postings;
            layout.generation = self.generation;
            return;
        }
        // The new layout is made from the records and the entries, not the old one:
        // that goes before the new one takes room (its slots once the remembered
        // matches are moved to the new order).
        let old_slots = std::mem::take(&mut self.layout).slots;
        let mut order: Vec<u32> = if !self.rebuild && old_len <= n {
            // Only added, but enough to lay the bytes out again.
            let old: Vec<u32> = old_slots.iter().map(|s| s.pos).collect();
            let mut added: Vec<u32> = (old_len as u32..n as u32).collect();
            added.sort_unstable_by(by_name);
            merge_by(old, added, |a, b| by_name(a, b) == Ordering::Less)
        } else {
            self.states.clear();
            (0..n as u32).collect()
        };
        if self.rebuild || old_len > n {
            order.sort_unstable_by(by_name);
        }
        let mut rank = Vec::with_capacity(roomy(n));
        rank.resize(n, 0u32);
        for (slot, &pos) in order.iter().enumerate() {
            rank[pos as usize] = slot as u32;
        }
        for state in &mut self.states {
            for c in &mut state.candidates {
                c.slot = rank[old_slots[c.slot as usize].pos as usize];
            }
        }
        drop(old_slots);
        let bytes: usize = self.records.iter().map(Record::folded_len).sum();
        let mut arena = Vec::with_capacity(roomy(bytes));
        let mut slots = Vec::with_capacity(roomy(n));
        let mut masks = Vec::with_capacity(roomy(n));
        for &pos in &order {
            let (r, entry) = (&self.records[pos as usize], &entries[pos as usize]);
            let (slot, slot_masks) = lay_out(r, entry, pos, &mut arena);
            slots.push(slot);
            masks.push(slot_masks);
        }
        let records = &self.records;
        self.layout = Layout {
            wide: wide_slots(&slots, |pos| records[pos as usize].char_set),
            postings,
            slots,
            masks,
            arena,
            rank,
            generation: self.generation,
            scattered: 0,
        };
        self.rebuild = false;
    }
}

/// Room for `n` items and the eighth more an extended layout takes before it
/// is laid out anew (`extends`): a layout made with it is extended without
/// moving (a vector moved holds its old and new place at once, and leaves a
/// hole in the heap), and growing by doubling would hold up to twice the
/// layout and the records for the rest of a walk. Room never written takes no
/// memory.
fn roomy(n: usize) -> usize {
    n + n / 8
}

/// Makes room in `v` for `more` items, with [`roomy`] room when it grows.
fn room<T>(v: &mut Vec<T>, more: usize) {
    if v.capacity() - v.len() < more {
        v.reserve_exact(roomy(v.len() + more) - v.len());
    }
}

/// Inserts `items[k]` before `v[at[k]]` for every k (`at` ascending, as long as
/// `items`), moving the elements up in place from the back.
fn insert_at<T: Copy>(v: &mut Vec<T>, at: &[usize], items: &[T]) {
    debug_assert_eq!(at.len(), items.len());
    let old_len = v.len();
    // Grows the vector; these places are overwritten below.
    v.extend_from_slice(items);
    let mut src_end = old_len;
    let mut dst_end = v.len();
    for (&a, &item) in at.iter().zip(items).rev() {
        let run = src_end - a;
        v.copy_within(a..src_end, dst_end - run);
        dst_end -= run + 1;
        v[dst_end] = item;
        src_end = a;
    }
}

#[cfg(test)]
mod tests {
    use super::insert_at;

    #[test]
    fn insert_at_places_items_before_the_given_elements() {
        let mut v = vec![10, 20, 30, 40];
        insert_at(&mut v, &[0, 2, 2, 4], &[5, 21, 22, 50]);
        assert_eq!(v, vec![5, 10, 20, 21, 22, 30, 40, 50]);
        let mut w: Vec<u32> = Vec::new();
        insert_at(&mut w, &[0, 0], &[1, 2]);
        assert_eq!(w, vec![1, 2]);
    }
}
