//! The team's rate-limit bucket (salesloft-api.md §4): `budget` cost points per
//! window of `minute_secs` seconds, windows aligned to the simulator's start and
//! refilled at each boundary. Deep pages cost more than one point.
//!
//! Other integrations of the team may spend a fraction of every window
//! (`other_load`): they spend it evenly over the window, so the remaining budget
//! drops by more than this client spends.

use std::time::{Duration, Instant};

/// What a request costs: 1, or the deep-paging surcharge for list pages past 100
/// (101-150 -> 3, 151-250 -> 8, 251-500 -> 10, 501+ -> 30).
pub fn cost_for_page(page: Option<u64>) -> u32 {
    match page.unwrap_or(1) {
        0..=100 => 1,
        101..=150 => 3,
        151..=250 => 8,
        251..=500 => 10,
        _ => 30,
    }
}

/// The outcome of asking the bucket for `cost` points.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Charged; `remaining` is what is left in this window.
    Charged { remaining: u32 },
    /// Not enough left: nothing was charged; retry after `retry_after_secs`.
    Throttled {
        remaining: u32,
        retry_after_secs: u64,
    },
}

/// One team's bucket. Time is passed in so tests can drive it.
#[derive(Debug)]
pub struct Limiter {
    budget: u32,
    window: Duration,
    origin: Instant,
    current: u64,
    used: u32,
    /// Fraction of each window spent by other integrations, evenly over it.
    other_load: f64,
}

impl Limiter {
    /// `minute_secs` below one millisecond is treated as one millisecond.
    pub fn new(budget: u32, minute_secs: f64, origin: Instant) -> Self {
        let secs = if minute_secs.is_finite() {
            minute_secs.max(0.001)
        } else {
            60.0
        };
        Self {
            budget,
            window: Duration::from_secs_f64(secs),
            origin,
            current: 0,
            used: 0,
            other_load: 0.0,
        }
    }

    /// Other integrations spend this fraction (clamped to 0..=1) of every window.
    pub fn set_other_load(&mut self, fraction: f64) {
        self.other_load = if fraction.is_finite() {
            fraction.clamp(0.0, 1.0)
        } else {
            0.0
        };
    }

    /// What other integrations have spent of the window containing `now`.
    pub fn other_spend(&self, now: Instant) -> u32 {
        if self.other_load <= 0.0 {
            return 0;
        }
        let len = self.window.as_nanos().max(1);
        let elapsed = now.saturating_duration_since(self.origin).as_nanos();
        let into = (elapsed % len) as f64 / len as f64;
        (f64::from(self.budget) * self.other_load * into).floor() as u32
    }

    pub fn budget(&self) -> u32 {
        self.budget
    }

    fn window_index(&self, now: Instant) -> u64 {
        let elapsed = now.saturating_duration_since(self.origin).as_nanos();
        let len = self.window.as_nanos().max(1);
        u64::try_from(elapsed / len).unwrap_or(u64::MAX)
    }

    fn roll(&mut self, now: Instant) {
        let idx = self.window_index(now);
        if idx != self.current {
            self.current = idx;
            self.used = 0;
        }
    }

    /// Points left in the window that contains `now`.
    pub fn remaining(&mut self, now: Instant) -> u32 {
        self.roll(now);
        self.budget
            .saturating_sub(self.used)
            .saturating_sub(self.other_spend(now))
    }

    /// Whole seconds (rounded up, at least 1) until the window containing `now` ends.
    pub fn secs_to_reset(&self, now: Instant) -> u64 {
        let idx = self.window_index(now);
        let len = self.window.as_nanos().max(1);
        let end = (u128::from(idx) + 1) * len;
        let elapsed = now.saturating_duration_since(self.origin).as_nanos();
        let left = end.saturating_sub(elapsed);
        let secs = left.div_ceil(1_000_000_000);
        u64::try_from(secs).unwrap_or(u64::MAX).max(1)
    }

    /// Charges `cost` points if that many are left; a refusal charges nothing.
    pub fn take(&mut self, cost: u32, now: Instant) -> Verdict {
        let remaining = self.remaining(now);
        if remaining < cost {
            return Verdict::Throttled {
                remaining,
                retry_after_secs: self.secs_to_reset(now),
            };
        }
        self.used = self.used.saturating_add(cost);
        Verdict::Charged {
            remaining: remaining - cost,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deep_page_costs() {
        assert_eq!(cost_for_page(None), 1);
        assert_eq!(cost_for_page(Some(100)), 1);
        assert_eq!(cost_for_page(Some(101)), 3);
        assert_eq!(cost_for_page(Some(150)), 3);
        assert_eq!(cost_for_page(Some(151)), 8);
        assert_eq!(cost_for_page(Some(250)), 8);
        assert_eq!(cost_for_page(Some(251)), 10);
        assert_eq!(cost_for_page(Some(500)), 10);
        assert_eq!(cost_for_page(Some(501)), 30);
    }

    #[test]
    fn bucket_refills_at_window_boundary() {
        let t0 = Instant::now();
        let mut l = Limiter::new(5, 10.0, t0);
        assert_eq!(l.take(3, t0), Verdict::Charged { remaining: 2 });
        let t1 = t0 + Duration::from_millis(2500);
        assert_eq!(
            l.take(3, t1),
            Verdict::Throttled {
                remaining: 2,
                retry_after_secs: 8
            }
        );
        assert_eq!(l.take(2, t1), Verdict::Charged { remaining: 0 });
        let t2 = t0 + Duration::from_secs(10);
        assert_eq!(l.take(5, t2), Verdict::Charged { remaining: 0 });
        assert_eq!(l.secs_to_reset(t2), 10);
    }

    #[test]
    fn other_integrations_spend_evenly_over_the_window() {
        let t0 = Instant::now();
        let mut l = Limiter::new(600, 60.0, t0);
        l.set_other_load(0.5);
        assert_eq!(l.remaining(t0), 600);
        assert_eq!(
            l.take(10, t0 + Duration::from_secs(30)),
            Verdict::Charged { remaining: 440 }
        );
        assert_eq!(l.remaining(t0 + Duration::from_secs(59)), 600 - 10 - 295);
        assert_eq!(
            l.remaining(t0 + Duration::from_secs(60)),
            600,
            "a new window"
        );
        let late = t0 + Duration::from_secs(119);
        assert!(matches!(l.take(400, late), Verdict::Throttled { .. }));
        l.set_other_load(f64::NAN);
        assert_eq!(l.remaining(late), 600);
    }
}
