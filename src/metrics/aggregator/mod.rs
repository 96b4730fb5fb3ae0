//! Incremental, idempotent engagement aggregation keyed by email id.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};

use super::{ActivitySeries, EmailFact, Engagement, TimeRange, Transitions};

mod compact;
mod table;

use compact::{DAY_SECS, Day, Group, HashMap, Stored, Tally, bump, secs};
use table::FactTable;

/// What changed when a fact was applied.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Upserted {
    /// Some aggregate (a count, or the set of cadences) changed.
    pub changed: bool,
    /// Engagement that appeared with this fact.
    pub transitions: Transitions,
}

/// Engagement per (cadence, step) over one range, as the local store sums it
/// ([`Aggregator::from_totals`]), in ascending group order.
pub type GroupTotals = Vec<((Option<u64>, Option<u64>), Engagement)>;

/// An aggregator started from stored totals, waiting for its facts.
#[derive(Debug, Clone)]
struct Preset {
    /// The range the totals are for.
    range: TimeRange,
    /// The totals still describe the current range (another range needs the facts).
    valid: bool,
    /// Facts applied meanwhile (with the time a live one was observed), replayed
    /// once the facts arrive.
    pending: Vec<(EmailFact, Option<DateTime<Utc>>)>,
}

/// Engagement per cadence, per step and in total over the current [`TimeRange`].
///
/// - Idempotent: applying the same fact again changes nothing.
/// - Incremental: a changed fact removes its old contribution and adds the new one.
/// - Out-of-order safe: a fact older (by `updated_at`, to the second) than the stored one
///   for the same email is ignored, so a late page cannot undo a newer poll.
/// - Facts outside the range (by `sent_at`, or `updated_at` when a sent email has no
///   `sent_at`) are stored but not counted. Call [`Aggregator::set_range`] again now and
///   then so a `Days` window slides with the clock.
/// - Range changes are cheap: counted emails are also kept in per-day buckets per
///   (cadence, step), so a new range is a sum over its whole days plus an exact recount
///   of the emails of the one day the range starts in (to the second).
#[derive(Debug, Clone)]
pub struct Aggregator {
    facts: FactTable,
    groups: Vec<Group>,
    group_index: HashMap<Group, u32>,
    by_cadence: HashMap<u64, Tally>,
    by_step: HashMap<u64, Tally>,
    totals: Engagement,
    range: TimeRange,
    /// `range.since(now)` in seconds; `None` counts everything.
    since: Option<u32>,
    latest_updated_at: Option<DateTime<Utc>>,
    /// Counted emails by the UTC day of their range time (seconds / 86400).
    days: BTreeMap<u32, Day>,
    /// All-time engagement per group.
    group_all: Vec<Engagement>,
    /// Started from stored totals; the facts are still to come ([`Aggregator::absorb`]).
    preset: Option<Box<Preset>>,
}

impl Default for Aggregator {
    /// An empty aggregator counting all time.
    fn default() -> Self {
        Aggregator {
            facts: FactTable::default(),
            groups: Vec::new(),
            group_index: HashMap::default(),
            by_cadence: HashMap::default(),
            by_step: HashMap::default(),
            totals: Engagement::default(),
            range: TimeRange::All,
            since: None,
            latest_updated_at: None,
            days: BTreeMap::new(),
            group_all: Vec::new(),
            preset: None,
        }
    }
}

impl Aggregator {
    pub fn new(range: TimeRange, now: DateTime<Utc>) -> Self {
        let mut a = Aggregator::default();
        a.set_range(range, now);
        a
    }

    /// An aggregator that shows `totals` (what the local store sums for `range` at
    /// `now`) before it holds a single fact, so a start can draw its numbers before
    /// reading a million emails. Facts applied meanwhile wait; [`Aggregator::absorb`]
    /// then takes the facts read from the store and replays them. Until then another
    /// range has no numbers (every count reads as empty).
    pub fn from_totals(range: TimeRange, now: DateTime<Utc>, totals: GroupTotals) -> Self {
        let mut a = Aggregator::new(range, now);
        for (group, e) in totals {
            a.intern(group);
            a.totals += e;
            let (cadence, step) = group;
            for (map, key) in [(&mut a.by_cadence, cadence), (&mut a.by_step, step)] {
                if let Some(key) = key {
                    let t = map.entry(key).or_default();
                    t.facts += 1;
                    t.engagement += e;
                }
            }
        }
        a.preset = Some(Box::new(Preset {
            range,
            valid: true,
            pending: Vec::new(),
        }));
        a
    }

    /// The counts describe the current range: false only while stored totals
    /// wait for their facts after the range changed ([`Aggregator::from_totals`]).
    pub fn counts_known(&self) -> bool {
        self.preset.as_ref().is_none_or(|p| p.valid)
    }

    /// Still showing stored totals: the facts have not arrived yet.
    pub fn is_preset(&self) -> bool {
        self.preset.is_some()
    }

    /// Takes the facts `full` holds (read from the store) in place of the stored
    /// totals this aggregator started with ([`Aggregator::from_totals`]), narrowed
    /// to the current range, then replays the facts applied meanwhile (recording
    /// the live ones' engagement in `series` at the time they were observed).
    /// Returns false, changing nothing, when this aggregator already had its facts.
    pub fn absorb(
        &mut self,
        mut full: Aggregator,
        now: DateTime<Utc>,
        series: &mut ActivitySeries,
    ) -> bool {
        let Some(preset) = self.preset.take() else {
            return false;
        };
        full.preset = None;
        full.set_range(self.range, now);
        *self = full;
        for (fact, observed) in preset.pending {
            let upserted = self.apply(fact);
            if let Some(at) = observed {
                series.record(&upserted.transitions, at);
            }
        }
        true
    }

    /// Makes room for `additional` more emails (useful before an initial load).
    pub fn reserve(&mut self, additional: usize) {
        self.facts.reserve(additional);
    }

    /// Applies a fact; true if any aggregate changed.
    pub fn upsert(&mut self, fact: EmailFact) -> bool {
        self.apply(fact).changed
    }

    /// Applies a fact observed live at `observed_at` and records its new engagement in
    /// `series`. Use [`Aggregator::upsert`] for the initial load, so history does not show
    /// up as live activity.
    pub fn upsert_observed(
        &mut self,
        fact: EmailFact,
        observed_at: DateTime<Utc>,
        series: &mut ActivitySeries,
    ) -> bool {
        if let Some(p) = &mut self.preset {
            p.pending.push((fact, Some(observed_at)));
            return false;
        }
        let upserted = self.apply(fact);
        series.record(&upserted.transitions, observed_at);
        upserted.changed
    }

    /// Applies a fact and says what changed and which engagement appeared.
    /// (While [`Aggregator::is_preset`], the fact waits and nothing changes yet.)
    pub fn apply(&mut self, fact: EmailFact) -> Upserted {
        if let Some(p) = &mut self.preset {
            p.pending.push((fact, None));
            return Upserted::default();
        }
        let new = Stored {
            group: self.intern((fact.cadence_id, fact.step_id)),
            sent_at: fact.sent_at.map_or(0, secs),
            updated_at: secs(fact.updated_at),
            flags: fact.flags(),
        };
        let old = self.facts.get(fact.email_id);
        if let Some(old) = old
            && (new.updated_at < old.updated_at || new == old)
        {
            return Upserted::default();
        }
        if self.latest_updated_at.is_none_or(|t| fact.updated_at > t) {
            self.latest_updated_at = Some(fact.updated_at);
        }
        self.facts.insert(fact.email_id, new);
        self.rebucket(fact.email_id, old, new);

        // Add before removing, so a fact staying in its cadence never empties the tally.
        let mut changed = self.tally(new, true);
        let old_counted = match old {
            Some(old) => {
                changed |= self.tally(old, false);
                Some((old.group, self.counted(old)))
            }
            None => None,
        };
        let (old_group, old_counted) = old_counted.unwrap_or((new.group, Engagement::default()));
        let new_counted = self.counted(new);
        changed |= if old_counted.is_empty() && new_counted.is_empty() {
            false
        } else {
            old_group != new.group || old_counted != new_counted
        };

        let before = old.map(|o| o.engagement()).unwrap_or_default();
        let after = new.engagement();
        Upserted {
            changed,
            transitions: Transitions {
                cadence_id: fact.cadence_id,
                opened: after.opened > before.opened,
                clicked: after.clicked > before.clicked,
                replied: after.replied > before.replied,
            },
        }
    }

    /// Changes the range (or slides it to `now`) and recounts: a sum over the day
    /// buckets inside the range, plus the emails of the day the range starts in.
    pub fn set_range(&mut self, range: TimeRange, now: DateTime<Utc>) {
        self.range = range;
        self.since = range
            .since(now)
            .map(|t| t.timestamp().clamp(0, i64::from(u32::MAX)) as u32);
        if let Some(p) = &mut self.preset {
            // Stored totals are for one range; the same range keeps them (a `Days`
            // window sliding by the seconds the facts take to load), another
            // has no numbers until the facts arrive.
            if range != p.range && p.valid {
                p.valid = false;
                self.totals = Engagement::default();
                for t in self
                    .by_cadence
                    .values_mut()
                    .chain(self.by_step.values_mut())
                {
                    t.engagement = Engagement::default();
                }
            }
            return;
        }
        let mut per_group = match self.since {
            None => self.group_all.clone(),
            Some(since) => {
                let mut per_group = vec![Engagement::default(); self.groups.len()];
                let first = since / DAY_SECS;
                for day in self.days.range(first.saturating_add(1)..).map(|(_, d)| d) {
                    for (&g, c) in &day.groups {
                        per_group[g as usize] += c.engagement();
                    }
                }
                if let Some(day) = self.days.get(&first) {
                    let mut ids = day.ids.clone();
                    ids.sort_unstable();
                    self.facts.get_ascending(&ids, |_, s| {
                        debug_assert!(s.is_some(), "a day's email is stored");
                        if let Some(s) = s
                            && s.at() >= since
                        {
                            per_group[s.group as usize] += s.engagement();
                        }
                    });
                }
                per_group
            }
        };
        self.totals = Engagement::default();
        for t in self.by_cadence.values_mut() {
            t.engagement = Engagement::default();
        }
        for t in self.by_step.values_mut() {
            t.engagement = Engagement::default();
        }
        for (g, e) in per_group.drain(..).enumerate() {
            if e.is_empty() {
                continue;
            }
            self.totals += e;
            let (cadence, step) = self.groups[g];
            for (map, key) in [(&mut self.by_cadence, cadence), (&mut self.by_step, step)] {
                if let Some(key) = key {
                    let t = map.get_mut(&key);
                    debug_assert!(t.is_some(), "a group with counts has stored facts");
                    if let Some(t) = t {
                        t.engagement += e;
                    }
                }
            }
        }
    }

    pub fn range(&self) -> TimeRange {
        self.range
    }

    pub fn by_cadence(&self, cadence_id: u64) -> Engagement {
        self.by_cadence
            .get(&cadence_id)
            .map(|t| t.engagement)
            .unwrap_or_default()
    }

    pub fn by_step(&self, step_id: u64) -> Engagement {
        self.by_step
            .get(&step_id)
            .map(|t| t.engagement)
            .unwrap_or_default()
    }

    /// Every email in range, with or without a cadence.
    pub fn totals(&self) -> Engagement {
        self.totals
    }

    /// Cadences with at least one stored email (in range or not), ascending.
    pub fn cadence_ids(&self) -> Vec<u64> {
        let mut ids: Vec<u64> = self.by_cadence.keys().copied().collect();
        ids.sort_unstable();
        ids
    }

    /// Steps of a cadence with at least one stored email, ascending.
    pub fn step_ids(&self, cadence_id: u64) -> Vec<u64> {
        let mut ids: Vec<u64> = self
            .groups
            .iter()
            .filter(|(c, _)| *c == Some(cadence_id))
            .filter_map(|(_, s)| *s)
            .filter(|s| self.by_step.contains_key(s))
            .collect();
        ids.sort_unstable();
        ids.dedup();
        ids
    }

    /// Number of stored emails.
    pub fn len(&self) -> usize {
        self.facts.len()
    }

    pub fn is_empty(&self) -> bool {
        self.facts.is_empty()
    }

    pub fn contains(&self, email_id: u64) -> bool {
        self.facts.contains(email_id)
    }

    /// The emails held whose range time (`sent_at`, else `updated_at`) is at or
    /// after `from` (every one with `None`), rebuilt from the compact cells: the
    /// alerts' windows and the trends read these instead of a second copy of
    /// every fact. Times are to the second; templates are not kept.
    pub fn facts_from(&self, from: Option<DateTime<Utc>>) -> Vec<EmailFact> {
        let from = from.map_or(0, secs);
        let at = |s: u32| DateTime::from_timestamp(i64::from(s), 0).unwrap_or_default();
        self.facts
            .iter()
            .filter(|(_, f)| f.at() >= from)
            .map(|(email_id, f)| {
                let (cadence_id, step_id) = self.groups[f.group as usize];
                let mut fact = EmailFact {
                    email_id,
                    cadence_id,
                    step_id,
                    sent: false,
                    bounced: false,
                    viewed: false,
                    clicked: false,
                    replied: false,
                    sent_at: (f.sent_at != 0).then(|| at(f.sent_at)),
                    view_tracked: true,
                    click_tracked: true,
                    template_id: None,
                    person_id: None,
                    updated_at: at(f.updated_at),
                };
                fact.set_flags(f.flags);
                fact
            })
            .collect()
    }

    /// The newest `updated_at` applied: the cursor for the next `updated_at[gt]` poll.
    pub fn latest_updated_at(&self) -> Option<DateTime<Utc>> {
        self.latest_updated_at
    }

    fn intern(&mut self, group: Group) -> u32 {
        if let Some(&i) = self.group_index.get(&group) {
            return i;
        }
        let i = u32::try_from(self.groups.len()).expect("fewer than 4 billion steps");
        self.groups.push(group);
        self.group_index.insert(group, i);
        i
    }

    fn in_range(&self, s: Stored) -> bool {
        self.since.is_none_or(|since| s.at() >= since)
    }

    /// The contribution to the counts under the current range.
    fn counted(&self, s: Stored) -> Engagement {
        if self.in_range(s) {
            s.engagement()
        } else {
            Engagement::default()
        }
    }

    /// Adds or removes a fact's contribution; true if a cadence appeared or disappeared.
    fn tally(&mut self, s: Stored, add: bool) -> bool {
        let eng = self.counted(s);
        let (cadence, step) = self.groups[s.group as usize];
        if add {
            self.totals += eng;
        } else {
            self.totals -= eng;
        }
        if let Some(step) = step {
            bump(&mut self.by_step, step, eng, add);
        }
        cadence.is_some_and(|c| bump(&mut self.by_cadence, c, eng, add))
    }

    /// Moves a fact's contribution in the day buckets and the all-time group totals.
    fn rebucket(&mut self, email_id: u64, old: Option<Stored>, new: Stored) {
        let old = old.filter(Stored::counts);
        let new = Some(new).filter(Stored::counts);
        let same_day =
            matches!((old, new), (Some(o), Some(n)) if o.at() / DAY_SECS == n.at() / DAY_SECS);
        if let Some(o) = old {
            let e = o.engagement();
            self.group_all[o.group as usize] -= e;
            let day = o.at() / DAY_SECS;
            if let Some(d) = self.days.get_mut(&day) {
                if let Some(c) = d.groups.get_mut(&o.group) {
                    c.bump(e, false);
                    if c.is_empty() {
                        d.groups.remove(&o.group);
                    }
                }
                if !same_day && let Some(i) = d.ids.iter().position(|&id| id == email_id) {
                    d.ids.swap_remove(i);
                }
                if d.ids.is_empty() && d.groups.is_empty() {
                    self.days.remove(&day);
                }
            }
        }
        if let Some(n) = new {
            let e = n.engagement();
            let g = n.group as usize;
            if self.group_all.len() <= g {
                self.group_all.resize(g + 1, Engagement::default());
            }
            self.group_all[g] += e;
            let d = self.days.entry(n.at() / DAY_SECS).or_default();
            d.groups.entry(n.group).or_default().bump(e, true);
            if !same_day {
                d.ids.push(email_id);
            }
        }
    }
}

#[cfg(test)]
pub(super) fn stored_size() -> usize {
    std::mem::size_of::<Stored>()
}
