//! [`PeopleIndex::prepare`]: brings the name-ordered layout up to date with the
//! entries, extending it when people were only added.

use std::cmp::Ordering;

use super::PeopleIndex;
use super::bounds::Masks;
use super::charset::{Postings, wide_slots};
use super::layout::{Layout, merge_by};
use super::record::{Record, name_masks};
use super::slot::{Slot, SlotMasks};

impl PeopleIndex {
    /// Brings the search layout up to date with the entries (done by the next search
    /// anyway; call it after loading people so the first keystroke does not pay it).
    pub fn prepare(&mut self) {
        if self.layout.generation == self.generation {
            return;
        }
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
        postings.extend(n, |pos| {
            records[pos].unicode.as_ref().map(|(c, _, _)| &c[..])
        });
        let slot_of = |r: &Record, pos: u32, off: usize| {
            let slot = Slot {
                pos,
                off: off as u32,
                len: r.folded.len() as u32,
                name_len: r.name_len as u32,
                any: r.masks.any,
                unicode: r.unicode.is_some(),
                bounded: r.bounded,
            };
            let masks = SlotMasks {
                full: r.masks,
                // Names are short: computed here rather than kept per record.
                name: match &r.unicode {
                    None => Masks::ascii(&r.folded[..r.name_len]),
                    Some((_, _, name)) => name_masks(name.slice(..)),
                },
            };
            (slot, masks)
        };
        if !self.rebuild && old_len <= n && self.layout.scattered + (n - old_len) <= n / 8 {
            // People were only added: insert them into the name order (their bytes go at
            // the end of the arena); remembered matches keep their relative order.
            let mut added: Vec<u32> = (old_len as u32..n as u32).collect();
            added.sort_unstable_by(by_name);
            let layout = &mut self.layout;
            let old = std::mem::take(&mut layout.slots);
            let old_masks = std::mem::take(&mut layout.masks);
            let mut slots = Vec::with_capacity(n);
            let mut masks = Vec::with_capacity(n);
            let mut from = 0;
            for pos in added {
                let at =
                    from + old[from..].partition_point(|s| by_name(&s.pos, &pos) == Ordering::Less);
                slots.extend_from_slice(&old[from..at]);
                masks.extend_from_slice(&old_masks[from..at]);
                from = at;
                let r = &self.records[pos as usize];
                let (slot, slot_masks) = slot_of(r, pos, layout.arena.len());
                slots.push(slot);
                masks.push(slot_masks);
                layout.arena.extend_from_slice(&r.folded);
            }
            slots.extend_from_slice(&old[from..]);
            masks.extend_from_slice(&old_masks[from..]);
            layout.rank.resize(n, 0);
            for (slot, s) in slots.iter().enumerate() {
                layout.rank[s.pos as usize] = slot as u32;
            }
            for state in &mut self.states {
                for c in &mut state.candidates {
                    c.slot = layout.rank[old[c.slot as usize].pos as usize];
                }
            }
            layout.scattered += n - old_len;
            let records = &self.records;
            layout.wide = wide_slots(&slots, |pos| records[pos as usize].char_set);
            layout.postings = postings;
            layout.slots = slots;
            layout.masks = masks;
            layout.generation = self.generation;
            return;
        }
        let mut order: Vec<u32> = if !self.rebuild && old_len <= n {
            // Only added, but enough to lay the bytes out again.
            let old: Vec<u32> = self.layout.slots.iter().map(|s| s.pos).collect();
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
        let mut rank = vec![0u32; n];
        for (slot, &pos) in order.iter().enumerate() {
            rank[pos as usize] = slot as u32;
        }
        for state in &mut self.states {
            for c in &mut state.candidates {
                c.slot = rank[self.layout.slots[c.slot as usize].pos as usize];
            }
        }
        let bytes: usize = self.records.iter().map(|r| r.folded.len()).sum();
        let mut arena = Vec::with_capacity(bytes);
        let (slots, masks): (Vec<Slot>, Vec<SlotMasks>) = order
            .iter()
            .map(|&pos| {
                let r = &self.records[pos as usize];
                let slot = slot_of(r, pos, arena.len());
                arena.extend_from_slice(&r.folded);
                slot
            })
            .unzip();
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
