//! The team's rate-limit bucket (salesloft-api.md §4): `budget` cost points per
//! window of `minute_secs` seconds, windows aligned to the simulator's start and
//! refilled at each boundary. Deep pages cost more than one point.
//!
//! Other integrations of the team may spend a fraction of every window
//! (`other_load`): they spend it evenly over the window, so the remaining budget
//! drops by more than this client spends.
//!
//! With [`Limiter::set_sliding`] the window slides instead: a charge counts
//! against the budget for exactly one window after it was made, so points come
//! back one by one as old charges age out, never all at once (other
//! integrations then spend their share steadily, ramping up over the first
//! window).

use std::collections::VecDeque;
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
    /// `Some`: a sliding window, with our charges of the last window.
    sliding: Option<VecDeque<(Instant, u32)>>,
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
            sliding: None,
        }
    }

    /// Switches to a sliding window (see the module docs).
    pub fn set_sliding(&mut self, on: bool) {
        self.sliding = on.then(VecDeque::new);
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
        let into = if self.sliding.is_some() {
            (elapsed.min(len)) as f64 / len as f64
        } else {
            (elapsed % len) as f64 / len as f64
        };
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
        if let Some(charges) = &mut self.sliding {
            let window = self.window;
            while charges
                .front()
                .is_some_and(|(at, _)| now.saturating_duration_since(*at) >= window)
            {
                charges.pop_front();
            }
            self.used = charges.iter().map(|(_, c)| *c).sum();
            return;
        }
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

    /// Whole seconds (rounded up, at least 1) until `cost` points are back: the
    /// end of the fixed window, or when enough charges of the sliding one age out.
    pub fn secs_until(&mut self, cost: u32, now: Instant) -> u64 {
        let remaining = self.remaining(now);
        let Some(charges) = &self.sliding else {
            return self.secs_to_reset(now);
        };
        let mut back = remaining;
        let mut at = None;
        for (t, c) in charges {
            back = back.saturating_add(*c);
            if back >= cost {
                at = Some(*t + self.window);
                break;
            }
        }
        // Not even a whole window frees enough (other load): one window.
        let until = at.unwrap_or(now + self.window);
        let nanos = until.saturating_duration_since(now).as_nanos();
        u64::try_from(nanos.div_ceil(1_000_000_000))
            .unwrap_or(u64::MAX)
            .max(1)
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
                retry_after_secs: self.secs_until(cost, now),
            };
        }
        self.used = self.used.saturating_add(cost);
        if let Some(charges) = &mut self.sliding {
            charges.push_back((now, cost));
        }
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
    fn a_sliding_window_gives_points_back_as_charges_age() {
        let t0 = Instant::now();
        let mut l = Limiter::new(10, 10.0, t0);
        l.set_sliding(true);
        assert_eq!(l.take(6, t0), Verdict::Charged { remaining: 4 });
        let t1 = t0 + Duration::from_secs(4);
        assert_eq!(l.take(4, t1), Verdict::Charged { remaining: 0 });
        // At 9 s nothing has aged out; the 6 points come back at 10 s.
        let t2 = t0 + Duration::from_secs(9);
        assert_eq!(
            l.take(3, t2),
            Verdict::Throttled {
                remaining: 0,
                retry_after_secs: 1
            }
        );
        // A fixed window would refill everything at 10 s; this one gives back
        // only the first charge then, the second at 14 s.
        let t3 = t0 + Duration::from_secs(10);
        assert_eq!(l.remaining(t3), 6);
        assert_eq!(l.take(6, t3), Verdict::Charged { remaining: 0 });
        assert_eq!(l.secs_until(4, t3), 4);
        assert_eq!(l.remaining(t0 + Duration::from_secs(14)), 4);
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
