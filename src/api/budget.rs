//! The team's rate-limit budget as seen from our responses.
//!
//! SalesLoft charges a cost per request against a per-team budget of 600 per
//! minute, shared by every integration of the team. Each response carries
//! `x-ratelimit-endpoint-cost` and `x-ratelimit-remaining-minute`; there is no
//! header for the limit itself, so the limit comes from configuration.
//! Missing or malformed headers are ignored.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use reqwest::header::HeaderMap;

pub const COST_HEADER: &str = "x-ratelimit-endpoint-cost";
pub const REMAINING_HEADER: &str = "x-ratelimit-remaining-minute";

const MINUTE: Duration = Duration::from_secs(60);
const HISTORY: usize = 120;
/// The sparkline's interval: our spend is summed per 5 s.
pub const SPEND_INTERVAL: Duration = Duration::from_secs(5);
/// Intervals in [`BudgetSnapshot::per_interval`]: the last minute.
pub const SPEND_INTERVALS: usize = 12;
const ROLLOVERS: usize = 8;

/// One response as recorded by the budget.
#[derive(Clone, Debug, PartialEq)]
pub struct SpendSample {
    pub at: Instant,
    /// Cost charged for the request (0 when the header was missing, or for
    /// a 429, which charges nothing).
    pub cost: u32,
    pub remaining: Option<u32>,
}

/// A copy of the budget state for display.
#[derive(Clone, Debug, PartialEq)]
pub struct BudgetSnapshot {
    pub limit: u32,
    pub remaining: Option<u32>,
    /// `remaining` as the governor counts it: the limit again once a minute has
    /// passed since it was read ([`Budget::estimated_remaining`]).
    pub estimated: u32,
    pub last_cost: Option<u32>,
    pub observed_at: Option<Instant>,
    /// Sum of our own costs in the last 60 s.
    pub spent_last_minute: u32,
    /// The last ~120 responses, oldest first.
    pub history: Vec<SpendSample>,
    /// Our spend per [`SPEND_INTERVAL`] over the last minute, oldest first
    /// ([`SPEND_INTERVALS`] values; the last is the interval now running).
    pub per_interval: Vec<u32>,
    pub throttled: u64,
    /// Responses recorded (any status).
    pub requests: u64,
    /// Points charged to our requests since the budget was made.
    pub spent: u64,
}

#[derive(Debug)]
struct Inner {
    limit: u32,
    remaining: Option<u32>,
    last_cost: Option<u32>,
    observed_at: Option<Instant>,
    history: VecDeque<SpendSample>,
    /// Our costs in the last minute (not capped like `history`).
    recent: VecDeque<(Instant, u32)>,
    throttled: u64,
    requests: u64,
    spent: u64,
    /// Points admitted for bulk background work (sync, indexing) and when, for
    /// its share of the window ([`Budget::bulk_spent`]).
    bulk: VecDeque<(Instant, u32)>,
    /// When the last 429 was seen, and the server's `Retry-After` if any.
    throttled_at: Option<Instant>,
    retry_until: Option<Instant>,
    /// Refills of the window, seen as `remaining` jumping up: each is the
    /// interval (previous reading, first reading after the refill).
    rollovers: VecDeque<(Instant, Instant)>,
}

/// Shared rate-limit budget; clones share state.
#[derive(Clone, Debug)]
pub struct Budget {
    inner: Arc<Mutex<Inner>>,
}

impl Budget {
    pub fn new(limit: u32) -> Self {
        Budget {
            inner: Arc::new(Mutex::new(Inner {
                limit,
                remaining: None,
                last_cost: None,
                observed_at: None,
                history: VecDeque::with_capacity(HISTORY),
                recent: VecDeque::new(),
                throttled: 0,
                requests: 0,
                spent: 0,
                bulk: VecDeque::new(),
                throttled_at: None,
                retry_until: None,
                rollovers: VecDeque::new(),
            })),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        // The state stays consistent even if a holder panicked.
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Records one response (any status) whose cost was charged.
    pub fn record_headers(&self, headers: &HeaderMap) {
        self.record_at(
            parse_cost(headers),
            parse_remaining(headers),
            Instant::now(),
        );
    }

    /// Records one response by its status: a 429 was refused and charged
    /// nothing, though its cost header states the endpoint's price (kept as
    /// `last_cost`); it counts 0 in the history and the minute's spend.
    pub fn record_response(&self, status: u16, headers: &HeaderMap) {
        let (cost, remaining) = (parse_cost(headers), parse_remaining(headers));
        let charged = (status != 429).then_some(cost).flatten();
        self.record_charged_at(cost, charged, remaining, Instant::now());
    }

    pub(crate) fn record_at(&self, cost: Option<u32>, remaining: Option<u32>, now: Instant) {
        self.record_charged_at(cost, cost, remaining, now);
    }

    /// `cost` is what the header states, `charged` what counts as spent.
    fn record_charged_at(
        &self,
        cost: Option<u32>,
        charged: Option<u32>,
        remaining: Option<u32>,
        now: Instant,
    ) {
        let mut s = self.lock();
        s.requests += 1;
        if let Some(c) = cost {
            s.last_cost = Some(c);
        }
        if let Some(r) = remaining {
            // Out-of-order responses of concurrent requests move `remaining`
            // up by a little; a refill moves it up by a lot.
            let jump = (s.limit / 20).max(2);
            let refill = match (s.remaining, s.observed_at) {
                (Some(prev), Some(prev_at)) if r >= prev.saturating_add(jump) => Some(prev_at),
                _ => None,
            };
            if let Some(prev_at) = refill {
                s.rollovers.push_back((prev_at, now));
                if s.rollovers.len() > ROLLOVERS {
                    s.rollovers.pop_front();
                }
                // The window refilled: any throttle is over.
                s.throttled_at = None;
                s.retry_until = None;
            }
            s.remaining = Some(r);
            s.observed_at = Some(now);
        }
        let cost = charged.unwrap_or(0);
        s.spent += u64::from(cost);
        s.recent.push_back((now, cost));
        while s
            .recent
            .front()
            .is_some_and(|(at, _)| now.saturating_duration_since(*at) >= MINUTE)
        {
            s.recent.pop_front();
        }
        if s.history.len() == HISTORY {
            s.history.pop_front();
        }
        s.history.push_back(SpendSample {
            at: now,
            cost,
            remaining,
        });
    }

    /// Records a 429 (after its headers were recorded).
    pub fn record_throttle(&self, retry_after: Option<Duration>) {
        self.throttle_at(retry_after, Instant::now());
    }

    pub(crate) fn throttle_at(&self, retry_after: Option<Duration>, now: Instant) {
        let mut s = self.lock();
        s.throttled += 1;
        s.throttled_at = Some(now);
        s.retry_until = retry_after.map(|d| now + d);
    }

    pub fn snapshot(&self) -> BudgetSnapshot {
        self.snapshot_at(Instant::now())
    }

    pub(crate) fn snapshot_at(&self, now: Instant) -> BudgetSnapshot {
        let s = self.lock();
        BudgetSnapshot {
            limit: s.limit,
            remaining: s.remaining,
            estimated: estimated(&s, now),
            last_cost: s.last_cost,
            observed_at: s.observed_at,
            spent_last_minute: s
                .recent
                .iter()
                .filter(|(at, _)| now.saturating_duration_since(*at) < MINUTE)
                .map(|(_, c)| *c)
                .fold(0u32, u32::saturating_add),
            history: s.history.iter().cloned().collect(),
            per_interval: per_interval(&s.recent, now),
            throttled: s.throttled,
            requests: s.requests,
            spent: s.spent,
        }
    }

    /// The budget window: the period learned from the refills seen, else a minute.
    pub fn window(&self) -> Duration {
        learned_period(&self.lock().rollovers).unwrap_or(MINUTE)
    }

    /// Notes `points` admitted for bulk background work (a sync, the people
    /// index), counted against its share until a [`Budget::window`] has passed.
    pub fn note_bulk(&self, points: u32) {
        self.note_bulk_at(points, Instant::now());
    }

    pub(crate) fn note_bulk_at(&self, points: u32, now: Instant) {
        self.lock().bulk.push_back((now, points));
    }

    /// Points of bulk work admitted in the last window, and how long until the
    /// oldest of them leaves it (`None` when there are none).
    pub fn bulk_spent(&self) -> (u32, Option<Duration>) {
        self.bulk_spent_at(Instant::now())
    }

    pub(crate) fn bulk_spent_at(&self, now: Instant) -> (u32, Option<Duration>) {
        let window = self.window();
        let mut s = self.lock();
        while s
            .bulk
            .front()
            .is_some_and(|(at, _)| now.saturating_duration_since(*at) >= window)
        {
            s.bulk.pop_front();
        }
        let sum = s
            .bulk
            .iter()
            .map(|(_, p)| *p)
            .fold(0u32, u32::saturating_add);
        let frees = s
            .bulk
            .front()
            .map(|(at, _)| (*at + window).saturating_duration_since(now));
        (sum, frees)
    }

    /// The last remaining value, or the limit once a full minute has passed
    /// since it was read (or when it was never read).
    pub fn estimated_remaining(&self) -> u32 {
        self.estimated_remaining_at(Instant::now())
    }

    pub(crate) fn estimated_remaining_at(&self, now: Instant) -> u32 {
        estimated(&self.lock(), now)
    }

    /// After a 429: how long until the window is believed to roll over.
    /// `None` when not throttled (or the window has been seen to refill).
    /// Uses `Retry-After` when the server sent one; otherwise the window
    /// period and phase learned from past refills; otherwise the time left
    /// of a full minute since the 429 (a safe upper bound).
    pub fn wait_hint(&self) -> Option<Duration> {
        self.wait_hint_at(Instant::now())
    }

    pub(crate) fn wait_hint_at(&self, now: Instant) -> Option<Duration> {
        self.wait_hint_detail_at(now).map(|(d, _)| d)
    }

    /// Like [`Budget::wait_hint`], and whether the hint is an estimate of
    /// the refill (`true`: from `Retry-After` or a learned window) or only
    /// an upper bound (`false`).
    pub(crate) fn wait_hint_detail(&self) -> Option<(Duration, bool)> {
        self.wait_hint_detail_at(Instant::now())
    }

    fn wait_hint_detail_at(&self, now: Instant) -> Option<(Duration, bool)> {
        let s = self.lock();
        let throttled_at = s.throttled_at?;
        if let Some(until) = s.retry_until {
            return Some((until.saturating_duration_since(now), true));
        }
        let bound = (throttled_at + MINUTE).saturating_duration_since(now);
        let (Some(period), Some((_, last))) = (learned_period(&s.rollovers), s.rollovers.back())
        else {
            return Some((bound, false));
        };
        // The refill happened at or before `last`, so waiting whole periods
        // from `last` never lands before the next refill.
        let since = now.saturating_duration_since(*last);
        let periods = since.as_nanos() / period.as_nanos() + 1;
        let next = *last + period.mul_f64(periods as f64);
        // A little slack so we land just after the refill, not before it.
        let slack = (period / 20).min(Duration::from_millis(500));
        Some((
            (next.saturating_duration_since(now) + slack).min(bound),
            true,
        ))
    }
}

/// The remaining budget as the governor counts it (see [`Budget::estimated_remaining`]).
fn estimated(s: &Inner, now: Instant) -> u32 {
    match (s.remaining, s.observed_at) {
        (Some(r), Some(at)) if now.saturating_duration_since(at) < MINUTE => r,
        _ => s.limit,
    }
}

/// Our spend per [`SPEND_INTERVAL`] over the last [`SPEND_INTERVALS`] of them,
/// oldest first, the interval now running last.
fn per_interval(recent: &VecDeque<(Instant, u32)>, now: Instant) -> Vec<u32> {
    let mut out = vec![0u32; SPEND_INTERVALS];
    let step = SPEND_INTERVAL.as_nanos();
    for (at, cost) in recent {
        let ago = (now.saturating_duration_since(*at).as_nanos() / step) as usize;
        if ago < SPEND_INTERVALS {
            let slot = &mut out[SPEND_INTERVALS - 1 - ago];
            *slot = slot.saturating_add(*cost);
        }
    }
    out
}

/// The window length: the shortest gap between consecutive refills whose
/// timing is known to within 10 %, if plausible (0.5..=60 s).
fn learned_period(rollovers: &VecDeque<(Instant, Instant)>) -> Option<Duration> {
    rollovers
        .iter()
        .zip(rollovers.iter().skip(1))
        .filter_map(|((lo1, hi1), (lo2, hi2))| {
            let gap = hi2.saturating_duration_since(*hi1);
            let fuzz = hi1.saturating_duration_since(*lo1) + hi2.saturating_duration_since(*lo2);
            (gap >= Duration::from_millis(500) && fuzz <= gap / 10).then_some(gap)
        })
        .min()
        .map(|d| d.min(MINUTE))
}

fn header_u32(headers: &HeaderMap, name: &str) -> Option<u32> {
    headers.get(name)?.to_str().ok()?.trim().parse().ok()
}

/// `x-ratelimit-endpoint-cost`, if present and a plain non-negative integer.
pub fn parse_cost(headers: &HeaderMap) -> Option<u32> {
    header_u32(headers, COST_HEADER)
}

/// `x-ratelimit-remaining-minute`, if present and a plain non-negative integer.
pub fn parse_remaining(headers: &HeaderMap) -> Option<u32> {
    header_u32(headers, REMAINING_HEADER)
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    fn headers(cost: &[u8], remaining: &[u8]) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(COST_HEADER, HeaderValue::from_bytes(cost).unwrap());
        h.insert(
            REMAINING_HEADER,
            HeaderValue::from_bytes(remaining).unwrap(),
        );
        h
    }

    #[test]
    fn parses_good_headers_and_ignores_garbage() {
        assert_eq!(parse_cost(&headers(b"3", b" 597 ")), Some(3));
        assert_eq!(parse_remaining(&headers(b"3", b" 597 ")), Some(597));
        for bad in [
            &b"abc"[..],
            b"-5",
            b"",
            b"12.5",
            b"99999999999",
            b"\xff\xfe",
        ] {
            let h = headers(bad, bad);
            assert_eq!(
                (parse_cost(&h), parse_remaining(&h)),
                (None, None),
                "{bad:?}"
            );
        }
        assert_eq!(parse_cost(&HeaderMap::new()), None);
        let b = Budget::new(600);
        b.record_headers(&headers(b"abc", b"nope"));
        let snap = b.snapshot();
        assert_eq!(
            (snap.requests, snap.remaining, snap.last_cost),
            (1, None, None)
        );
        assert_eq!(b.estimated_remaining(), 600);
    }

    #[test]
    fn spend_is_summed_per_interval_and_in_total() {
        let b = Budget::new(600);
        let t0 = Instant::now();
        b.record_at(Some(1), Some(599), t0);
        b.record_at(Some(30), Some(569), t0 + Duration::from_secs(1));
        b.record_at(Some(3), Some(566), t0 + Duration::from_secs(12));
        b.record_charged_at(Some(8), None, Some(566), t0 + Duration::from_secs(13));
        let snap = b.snapshot_at(t0 + Duration::from_secs(14));
        assert_eq!(snap.per_interval.len(), SPEND_INTERVALS);
        // 14 s ago..: [0-5) s holds 31, [10-15) s holds 3 (now's interval).
        assert_eq!(&snap.per_interval[SPEND_INTERVALS - 3..], &[31, 0, 3]);
        assert_eq!(snap.per_interval.iter().sum::<u32>(), 34);
        assert_eq!(
            (snap.spent, snap.requests),
            (34, 4),
            "a refused request is not spend"
        );
        // A minute later the intervals are empty; the total stays.
        let later = b.snapshot_at(t0 + Duration::from_secs(80));
        assert!(later.per_interval.iter().all(|&p| p == 0));
        assert_eq!(later.spent, 34);
    }

    #[test]
    fn bulk_spend_leaves_after_a_window() {
        let b = Budget::new(600);
        let t0 = Instant::now();
        b.note_bulk_at(40, t0);
        b.note_bulk_at(20, t0 + Duration::from_secs(30));
        let (sum, frees) = b.bulk_spent_at(t0 + Duration::from_secs(31));
        assert_eq!(sum, 60);
        assert_eq!(frees, Some(Duration::from_secs(29)));
        let (sum, frees) = b.bulk_spent_at(t0 + Duration::from_secs(61));
        assert_eq!((sum, frees), (20, Some(Duration::from_secs(29))));
        assert_eq!(b.bulk_spent_at(t0 + Duration::from_secs(95)), (0, None));
    }

    #[test]
    fn refused_requests_are_not_spend() {
        let b = Budget::new(10);
        b.record_response(200, &headers(b"3", b"2"));
        b.record_response(429, &headers(b"3", b"2"));
        let snap = b.snapshot();
        assert_eq!(snap.requests, 2);
        assert_eq!(snap.last_cost, Some(3));
        assert_eq!(snap.spent_last_minute, 3);
        let costs: Vec<u32> = snap.history.iter().map(|h| h.cost).collect();
        assert_eq!(costs, vec![3, 0]);
        assert_eq!(snap.history[1].remaining, Some(2));
    }

    #[test]
    fn records_spend_and_history() {
        let b = Budget::new(600);
        let t0 = Instant::now();
        for i in 0..130u32 {
            b.record_at(Some(1), Some(599 - i), t0 + Duration::from_millis(i as u64));
        }
        b.record_at(Some(30), Some(439), t0 + Duration::from_secs(1));
        let snap = b.snapshot_at(t0 + Duration::from_secs(2));
        assert_eq!(snap.requests, 131);
        assert_eq!(snap.history.len(), 120);
        assert_eq!(snap.spent_last_minute, 160);
        assert_eq!((snap.remaining, snap.last_cost), (Some(439), Some(30)));
        let later = b.snapshot_at(t0 + Duration::from_secs(61));
        assert_eq!(later.spent_last_minute, 0);
        assert_eq!(b.estimated_remaining_at(t0 + Duration::from_secs(30)), 439);
        assert_eq!(b.estimated_remaining_at(t0 + Duration::from_secs(62)), 600);
    }

    #[test]
    fn wait_hint_uses_retry_after_then_learned_window_then_bound() {
        let t0 = Instant::now();
        let b = Budget::new(20);
        assert_eq!(b.wait_hint_at(t0), None);
        b.record_at(Some(1), Some(0), t0);
        b.throttle_at(Some(Duration::from_secs(5)), t0);
        assert_eq!(
            b.wait_hint_at(t0 + Duration::from_secs(1)),
            Some(Duration::from_secs(4))
        );

        let b = Budget::new(20);
        b.record_at(Some(1), Some(0), t0);
        b.throttle_at(None, t0);
        assert_eq!(
            b.wait_hint_at(t0 + Duration::from_secs(10)),
            Some(Duration::from_secs(50))
        );
        assert_eq!(b.snapshot().throttled, 1);

        // Refills seen every 2 s teach the window length and phase.
        let b = Budget::new(20);
        let s = |x: u64| t0 + Duration::from_millis(x);
        b.record_at(Some(1), Some(5), s(0));
        b.record_at(Some(1), Some(5), s(1950));
        b.record_at(Some(1), Some(19), s(2000));
        b.record_at(Some(1), Some(10), s(3000));
        b.record_at(Some(1), Some(11), s(3001)); // out of order, not a refill
        b.record_at(Some(1), Some(9), s(3950));
        b.record_at(Some(1), Some(19), s(4000));
        b.record_at(Some(1), Some(0), s(4500));
        b.throttle_at(None, s(4500));
        let hint = b.wait_hint_at(s(4500)).unwrap();
        assert!(
            hint >= Duration::from_millis(1500) && hint <= Duration::from_millis(1700),
            "{hint:?}"
        );
        // Seeing the window refill ends the throttle.
        b.record_at(Some(1), Some(19), s(6000));
        assert_eq!(b.wait_hint_at(s(6000)), None);
    }
}
