//! Live activity: new opens, clicks and replies per cadence in a ring of time buckets.

use std::collections::HashMap;
use std::time::Duration;

use chrono::{DateTime, Utc};

use super::Transitions;

/// Which kind of new engagement a series counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ActivityKind {
    Open,
    Click,
    Reply,
}

impl ActivityKind {
    pub const ALL: [ActivityKind; 3] =
        [ActivityKind::Open, ActivityKind::Click, ActivityKind::Reply];

    pub fn label(&self) -> &'static str {
        match self {
            ActivityKind::Open => "opens",
            ActivityKind::Click => "clicks",
            ActivityKind::Reply => "replies",
        }
    }

    fn index(self) -> usize {
        self as usize
    }
}

/// A ring of `len` buckets; slot `b % len` holds absolute bucket `b`.
#[derive(Debug, Clone)]
struct Ring {
    /// The newest absolute bucket recorded.
    newest: i64,
    slots: Vec<[u32; 3]>,
}

impl Ring {
    fn new(at: i64, len: usize) -> Self {
        Ring {
            newest: at,
            slots: vec![[0; 3]; len],
        }
    }

    fn len(&self) -> i64 {
        self.slots.len() as i64
    }

    fn slot(&self, bucket: i64) -> usize {
        bucket.rem_euclid(self.len()) as usize
    }

    fn holds(&self, bucket: i64) -> bool {
        bucket <= self.newest && bucket > self.newest - self.len()
    }

    fn record(&mut self, bucket: i64, kinds: [bool; 3]) {
        if bucket > self.newest {
            if bucket - self.newest >= self.len() {
                self.slots.iter_mut().for_each(|s| *s = [0; 3]);
            } else {
                for b in self.newest + 1..=bucket {
                    let i = self.slot(b);
                    self.slots[i] = [0; 3];
                }
            }
            self.newest = bucket;
        }
        if !self.holds(bucket) {
            return; // older than the window
        }
        let i = self.slot(bucket);
        for (count, hit) in self.slots[i].iter_mut().zip(kinds) {
            *count += u32::from(hit);
        }
    }

    fn read(&self, kind: ActivityKind, now: i64) -> Vec<u64> {
        (now - self.len() + 1..=now)
            .map(|b| {
                if self.holds(b) {
                    u64::from(self.slots[self.slot(b)][kind.index()])
                } else {
                    0
                }
            })
            .collect()
    }
}

/// New opens, clicks and replies per cadence (and over all emails), in `buckets` buckets
/// of `bucket` each, for a sparkline. Feed it the [`Transitions`] returned by
/// [`super::Aggregator::apply`] (or use [`super::Aggregator::upsert_observed`]).
#[derive(Debug, Clone)]
pub struct ActivitySeries {
    bucket_ms: i64,
    buckets: usize,
    by_cadence: HashMap<u64, Ring>,
    all: Option<Ring>,
}

impl Default for ActivitySeries {
    /// Ten minutes in 60 buckets of 10 s.
    fn default() -> Self {
        ActivitySeries::new(Duration::from_secs(10), 60)
    }
}

impl ActivitySeries {
    /// `bucket` is at least 1 ms and `buckets` at least 1.
    pub fn new(bucket: Duration, buckets: usize) -> Self {
        ActivitySeries {
            bucket_ms: i64::try_from(bucket.as_millis()).unwrap_or(i64::MAX).max(1),
            buckets: buckets.max(1),
            by_cadence: HashMap::new(),
            all: None,
        }
    }

    pub fn bucket(&self) -> Duration {
        Duration::from_millis(self.bucket_ms as u64)
    }

    pub fn buckets(&self) -> usize {
        self.buckets
    }

    fn bucket_of(&self, at: DateTime<Utc>) -> i64 {
        at.timestamp_millis().div_euclid(self.bucket_ms)
    }

    /// Counts the engagement that appeared, at `at`. Transitions without any new
    /// engagement record nothing.
    pub fn record(&mut self, t: &Transitions, at: DateTime<Utc>) {
        if !t.any() {
            return;
        }
        let b = self.bucket_of(at);
        let kinds = [t.opened, t.clicked, t.replied];
        let len = self.buckets;
        self.all
            .get_or_insert_with(|| Ring::new(b, len))
            .record(b, kinds);
        if let Some(c) = t.cadence_id {
            self.by_cadence
                .entry(c)
                .or_insert_with(|| Ring::new(b, len))
                .record(b, kinds);
        }
    }

    /// Counts per bucket for one cadence, oldest first, the last bucket containing `now`.
    pub fn series(&self, cadence_id: u64, kind: ActivityKind, now: DateTime<Utc>) -> Vec<u64> {
        self.read(self.by_cadence.get(&cadence_id), kind, now)
    }

    /// Counts per bucket over every email, oldest first, the last bucket containing `now`.
    pub fn total_series(&self, kind: ActivityKind, now: DateTime<Utc>) -> Vec<u64> {
        self.read(self.all.as_ref(), kind, now)
    }

    fn read(&self, ring: Option<&Ring>, kind: ActivityKind, now: DateTime<Utc>) -> Vec<u64> {
        match ring {
            Some(r) => r.read(kind, self.bucket_of(now)),
            None => vec![0; self.buckets],
        }
    }

    /// Forgets everything recorded.
    pub fn clear(&mut self) {
        self.by_cadence.clear();
        self.all = None;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeDelta;

    fn t(cadence: u64, opened: bool, clicked: bool, replied: bool) -> Transitions {
        Transitions {
            cadence_id: Some(cadence),
            opened,
            clicked,
            replied,
        }
    }

    #[test]
    fn buckets_fill_and_scroll_out() {
        let mut s = ActivitySeries::new(Duration::from_secs(10), 3);
        let t0 = DateTime::<Utc>::from_timestamp(1_000_000, 0).unwrap();
        s.record(&t(7, true, false, false), t0);
        s.record(&t(7, true, true, false), t0 + TimeDelta::seconds(5));
        s.record(&t(7, false, false, true), t0 + TimeDelta::seconds(12));
        assert_eq!(
            s.series(7, ActivityKind::Open, t0 + TimeDelta::seconds(12)),
            vec![0, 2, 0]
        );
        assert_eq!(
            s.series(7, ActivityKind::Click, t0 + TimeDelta::seconds(12)),
            vec![0, 1, 0]
        );
        assert_eq!(
            s.series(7, ActivityKind::Reply, t0 + TimeDelta::seconds(12)),
            vec![0, 0, 1]
        );
        // Time passes without events: the chart scrolls left.
        assert_eq!(
            s.series(7, ActivityKind::Open, t0 + TimeDelta::seconds(22)),
            vec![2, 0, 0]
        );
        assert_eq!(
            s.series(7, ActivityKind::Open, t0 + TimeDelta::seconds(32)),
            vec![0, 0, 0]
        );
        // A new event long after clears the stale slots it reuses.
        s.record(&t(7, true, false, false), t0 + TimeDelta::seconds(40));
        assert_eq!(
            s.series(7, ActivityKind::Open, t0 + TimeDelta::seconds(40)),
            vec![0, 0, 1]
        );
        assert_eq!(
            s.series(7, ActivityKind::Reply, t0 + TimeDelta::seconds(40)),
            vec![0, 0, 0]
        );
    }

    #[test]
    fn cadences_are_separate_and_totals_include_all() {
        let mut s = ActivitySeries::new(Duration::from_secs(1), 2);
        let t0 = DateTime::<Utc>::from_timestamp(50, 0).unwrap();
        s.record(&t(1, true, false, false), t0);
        s.record(&t(2, true, false, false), t0);
        s.record(
            &Transitions {
                cadence_id: None,
                opened: true,
                ..Default::default()
            },
            t0,
        );
        assert_eq!(s.series(1, ActivityKind::Open, t0), vec![0, 1]);
        assert_eq!(s.series(3, ActivityKind::Open, t0), vec![0, 0]);
        assert_eq!(s.total_series(ActivityKind::Open, t0), vec![0, 3]);
        s.clear();
        assert_eq!(s.total_series(ActivityKind::Open, t0), vec![0, 0]);
    }

    #[test]
    fn late_events_older_than_the_window_are_dropped() {
        let mut s = ActivitySeries::new(Duration::from_secs(1), 2);
        let t0 = DateTime::<Utc>::from_timestamp(100, 0).unwrap();
        s.record(&t(1, true, false, false), t0);
        s.record(&t(1, true, false, false), t0 - TimeDelta::seconds(1));
        s.record(&t(1, true, false, false), t0 - TimeDelta::seconds(5));
        assert_eq!(s.series(1, ActivityKind::Open, t0), vec![1, 1]);
    }
}
