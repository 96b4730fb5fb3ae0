//! The aggregator's compact cells: a stored email in 16 bytes, the counts of a
//! (group, day) bucket in 32, and the per-cadence and per-step tallies.

use chrono::{DateTime, Utc};

use super::super::Engagement;
use super::super::flags::SENT;

/// The maps here are keyed by ids and small tuples of ids, hashed a million times
/// at start: rustc's FxHash (`rustc-hash`) instead of SipHash. The keys come from our
/// own SalesLoft account, not from an adversary.
pub(super) type HashMap<K, V> = rustc_hash::FxHashMap<K, V>;

/// One stored email, 16 bytes (kept by id in [`super::table::FactTable`]).
///
/// Times are whole seconds since the Unix epoch (`0` = unknown sent time), so range
/// boundaries are exact to the second.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Stored {
    /// Index into `Aggregator::groups`: the email's (cadence, step) pair.
    pub group: u32,
    pub sent_at: u32,
    pub updated_at: u32,
    pub flags: u8,
}

impl Stored {
    pub fn has(&self, flag: u8) -> bool {
        self.flags & flag != 0
    }

    /// The time the range filters on: `sent_at`, or `updated_at` when it is unknown.
    pub fn at(&self) -> u32 {
        if self.sent_at != 0 {
            self.sent_at
        } else {
            self.updated_at
        }
    }

    /// Whether the fact counts anywhere (only sent emails do).
    pub fn counts(&self) -> bool {
        self.has(SENT)
    }

    /// The contribution ignoring the time range.
    pub fn engagement(&self) -> Engagement {
        Engagement::of_flags(self.flags)
    }
}

pub(super) fn secs(t: DateTime<Utc>) -> u32 {
    t.timestamp().clamp(1, i64::from(u32::MAX)) as u32
}

pub(super) type Group = (Option<u64>, Option<u64>);

pub(super) const DAY_SECS: u32 = 86_400;

/// Compact counts of one (group, day) bucket.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(super) struct Counts([u32; 8]);

impl Counts {
    pub fn bump(&mut self, e: Engagement, add: bool) {
        let fields = [
            e.sent,
            e.delivered,
            e.opened,
            e.clicked,
            e.replied,
            e.bounced,
            e.view_tracked,
            e.click_tracked,
        ];
        for (c, f) in self.0.iter_mut().zip(fields) {
            let f = f as u32;
            *c = if add {
                c.saturating_add(f)
            } else {
                debug_assert!(*c >= f, "removing counts that were never added");
                c.saturating_sub(f)
            };
        }
    }

    pub fn is_empty(&self) -> bool {
        self.0 == [0; 8]
    }

    pub fn engagement(&self) -> Engagement {
        let [
            sent,
            delivered,
            opened,
            clicked,
            replied,
            bounced,
            view_tracked,
            click_tracked,
        ] = self.0.map(u64::from);
        Engagement {
            sent,
            delivered,
            opened,
            clicked,
            replied,
            bounced,
            view_tracked,
            click_tracked,
        }
    }
}

/// The counted (sent) emails whose range time falls on one UTC day.
#[derive(Debug, Clone, Default)]
pub(super) struct Day {
    /// Counts per group (index into `Aggregator::groups`).
    pub groups: HashMap<u32, Counts>,
    /// The emails themselves, to recount exactly when the range starts inside this day.
    pub ids: Vec<u64>,
}

/// Counts for one cadence or step, plus how many stored facts (in range or not) it has.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct Tally {
    pub engagement: Engagement,
    pub facts: u32,
}

/// Returns true when the key's entry was created or removed.
pub(super) fn bump(map: &mut HashMap<u64, Tally>, key: u64, eng: Engagement, add: bool) -> bool {
    if add {
        let t = map.entry(key).or_default();
        t.facts += 1;
        t.engagement += eng;
        return t.facts == 1;
    }
    let Some(t) = map.get_mut(&key) else {
        debug_assert!(false, "removing a fact that was never added");
        return false;
    };
    t.facts -= 1;
    t.engagement -= eng;
    if t.facts == 0 {
        map.remove(&key);
        return true;
    }
    false
}
