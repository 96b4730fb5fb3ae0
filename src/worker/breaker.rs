//! The circuit breaker: after [`FAILURES_TO_OPEN`] failed exchanges in a row
//! (timeouts, resets, refused connections, 5xx answers) the worker stops
//! hammering SalesLoft. While the circuit is open, background work and reads for
//! the screen wait, the user's own actions fail at once with the reason, and a
//! single probe (`GET /me`) goes out after a backoff (2, 4, 8, 16, then every
//! 30 s). Any answer from SalesLoft, the probe's or a request still in flight,
//! closes the circuit.
//!
//! Pure: it reads the client's [`HealthSnapshot`] and is told the time.

use std::time::{Duration, Instant};

use super::protocol::{ConnectionState, WorkerEvent};
use crate::api::HealthSnapshot;

/// Failed exchanges in a row that open the circuit. A read that fails is tried up
/// to four times by the client, so about two failed reads open it.
pub const FAILURES_TO_OPEN: u32 = 6;
const FIRST_RETRY: Duration = Duration::from_secs(2);
const MAX_RETRY: Duration = Duration::from_secs(30);

/// A change the UI hears about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    Down { retry_in: Duration, reason: String },
    Up,
}

#[derive(Debug, Clone)]
struct Open {
    reason: String,
    probe_at: Instant,
    probing: bool,
    /// Probes that failed since the circuit opened (the backoff grows with it).
    round: u32,
    /// Answers seen when it opened: one more means SalesLoft is back.
    successes_at_open: u64,
}

#[derive(Debug, Clone)]
pub struct Breaker {
    threshold: u32,
    open: Option<Open>,
}

/// The wait before probe number `round` (0-based).
pub fn retry_after(round: u32) -> Duration {
    FIRST_RETRY
        .saturating_mul(1u32 << round.min(8))
        .min(MAX_RETRY)
}

impl Breaker {
    pub fn new(threshold: u32) -> Self {
        Self {
            threshold: threshold.max(1),
            open: None,
        }
    }

    pub fn is_open(&self) -> bool {
        self.open.is_some()
    }

    /// Opens after `threshold` failures in a row; closes on any answer since it opened.
    pub fn observe(&mut self, h: &HealthSnapshot, now: Instant) -> Option<Change> {
        match &self.open {
            Some(open) if h.successes > open.successes_at_open => {
                self.open = None;
                Some(Change::Up)
            }
            Some(_) => None,
            None if h.consecutive_failures >= self.threshold => {
                let reason = h
                    .last_failure
                    .clone()
                    .unwrap_or_else(|| "no answer".to_string());
                let retry_in = retry_after(0);
                self.open = Some(Open {
                    reason: reason.clone(),
                    probe_at: now + retry_in,
                    probing: false,
                    round: 0,
                    successes_at_open: h.successes,
                });
                Some(Change::Down { retry_in, reason })
            }
            None => None,
        }
    }

    /// When the next probe is due (open and no probe out).
    pub fn next_probe(&self) -> Option<Instant> {
        self.open
            .as_ref()
            .filter(|o| !o.probing)
            .map(|o| o.probe_at)
    }

    /// Whether a probe should go out now; marks it as out when so.
    pub fn take_probe(&mut self, now: Instant) -> bool {
        match &mut self.open {
            Some(o) if !o.probing && o.probe_at <= now => {
                o.probing = true;
                true
            }
            _ => false,
        }
    }

    /// The probe came back. When the circuit is still open (no answer), the next
    /// probe waits longer.
    pub fn probe_ended(&mut self, h: &HealthSnapshot, now: Instant) -> Option<Change> {
        if let Some(change) = self.observe(h, now) {
            return Some(change);
        }
        let open = self.open.as_mut()?;
        open.probing = false;
        open.round = open.round.saturating_add(1);
        if let Some(why) = &h.last_failure {
            open.reason = why.clone();
        }
        let retry_in = retry_after(open.round);
        open.probe_at = now + retry_in;
        Some(Change::Down {
            retry_in,
            reason: open.reason.clone(),
        })
    }

    /// "SalesLoft unreachable (timed out), retrying in 4 s" while open.
    pub fn refusal(&self, now: Instant) -> Option<String> {
        let o = self.open.as_ref()?;
        let secs = o
            .probe_at
            .saturating_duration_since(now)
            .as_secs_f64()
            .ceil() as u64;
        Some(if o.probing || secs == 0 {
            format!("SalesLoft unreachable ({}), retrying now", o.reason)
        } else {
            format!("SalesLoft unreachable ({}), retrying in {secs} s", o.reason)
        })
    }
}

/// What the UI hears of a change.
pub fn event(change: Change) -> WorkerEvent {
    let state = match change {
        Change::Up => ConnectionState::Up,
        Change::Down { retry_in, reason } => ConnectionState::Down {
            retry_in_secs: retry_in.as_secs_f64().ceil() as u64,
            reason,
        },
    };
    WorkerEvent::Connection { state }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn health(consecutive: u32, successes: u64, why: &str) -> HealthSnapshot {
        HealthSnapshot {
            consecutive_failures: consecutive,
            successes,
            failures: u64::from(consecutive),
            last_failure: Some(why.to_string()),
        }
    }

    #[test]
    fn opens_after_failures_in_a_row_and_probes_with_backoff() {
        let t0 = Instant::now();
        let mut b = Breaker::new(3);
        assert_eq!(b.observe(&health(2, 5, "timed out"), t0), None);
        assert!(!b.is_open() && b.refusal(t0).is_none());
        let down = b.observe(&health(3, 5, "timed out"), t0);
        assert_eq!(
            down,
            Some(Change::Down {
                retry_in: Duration::from_secs(2),
                reason: "timed out".into()
            })
        );
        assert_eq!(b.observe(&health(9, 5, "timed out"), t0), None, "said once");
        assert_eq!(
            b.refusal(t0).as_deref(),
            Some("SalesLoft unreachable (timed out), retrying in 2 s")
        );
        assert!(!b.take_probe(t0 + Duration::from_secs(1)), "not yet");
        let t2 = t0 + Duration::from_secs(2);
        assert_eq!(b.next_probe(), Some(t2));
        assert!(b.take_probe(t2));
        assert!(!b.take_probe(t2), "a single probe");
        assert_eq!(b.next_probe(), None);
        // The probe failed: wait longer.
        let again = b.probe_ended(&health(10, 5, "server error 503"), t2);
        assert_eq!(
            again,
            Some(Change::Down {
                retry_in: Duration::from_secs(4),
                reason: "server error 503".into()
            })
        );
        assert_eq!(
            (
                retry_after(2),
                retry_after(3),
                retry_after(4),
                retry_after(40)
            ),
            (
                Duration::from_secs(8),
                Duration::from_secs(16),
                Duration::from_secs(30),
                Duration::from_secs(30)
            )
        );
        // The next probe gets an answer: closed.
        assert!(b.take_probe(t2 + Duration::from_secs(4)));
        let h = HealthSnapshot {
            consecutive_failures: 0,
            successes: 6,
            failures: 10,
            last_failure: Some("server error 503".into()),
        };
        assert_eq!(b.probe_ended(&h, t2), Some(Change::Up));
        assert!(!b.is_open());
    }

    #[test]
    fn any_answer_while_open_closes_it() {
        let t0 = Instant::now();
        let mut b = Breaker::new(2);
        assert!(b.observe(&health(2, 0, "connection reset"), t0).is_some());
        assert_eq!(
            b.observe(&health(0, 1, "connection reset"), t0),
            Some(Change::Up)
        );
        assert_eq!(b.observe(&health(1, 1, "x"), t0), None);
    }
}
