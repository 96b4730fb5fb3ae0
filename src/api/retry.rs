//! Retry policy.
//!
//! * 429: wait for `Retry-After` when the server sent one, else until the
//!   budget window is believed to roll over, then retry; at most
//!   [`MAX_THROTTLE_RETRIES`] times, counted apart from other failures. A 429
//!   means the request was refused before it was processed, so this applies
//!   to every method.
//! * Reads (GET) on 5xx, timeouts and reset/closed connections: exponential
//!   backoff with jitter, at most `max_retries` times.
//! * Mutations only when the request provably never reached the server (a
//!   connect failure); anything else is returned so the caller can re-read.

use std::time::Duration;

use super::budget::Budget;
use super::error::ApiError;

pub(crate) const MAX_THROTTLE_RETRIES: u32 = 5;
const BASE_BACKOFF: Duration = Duration::from_millis(200);
const MAX_BACKOFF: Duration = Duration::from_secs(10);
/// A `Retry-After` longer than this is returned to the caller instead.
const MAX_RETRY_AFTER: Duration = Duration::from_secs(120);
/// Fallback probing schedule when the window's phase is unknown:
/// 2, 4, 8, 16, 30 s, which adds up to a full minute.
const PROBE_START: Duration = Duration::from_secs(2);
const PROBE_MAX: Duration = Duration::from_secs(30);

/// How many retries were spent so far on one request.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct Attempts {
    pub failures: u32,
    pub throttles: u32,
}

#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Decision {
    Retry(Duration),
    GiveUp,
}

/// Whether and when to retry a request that failed with `err`.
pub(crate) fn decide(
    err: &ApiError,
    is_read: bool,
    max_retries: u32,
    attempts: Attempts,
    budget: &Budget,
) -> Decision {
    match err {
        ApiError::RateLimited { retry_after } => {
            if attempts.throttles >= MAX_THROTTLE_RETRIES {
                return Decision::GiveUp;
            }
            match retry_after {
                Some(d) if *d > MAX_RETRY_AFTER => Decision::GiveUp,
                // Land just after the refill, spread a little between clients.
                Some(d) => Decision::Retry(*d + spread(Duration::from_millis(250))),
                None => Decision::Retry(throttle_wait(budget, attempts.throttles)),
            }
        }
        _ if attempts.failures >= max_retries => Decision::GiveUp,
        // Never reached the server (connect failure or connect timeout).
        ApiError::Network {
            maybe_sent: false, ..
        } => Decision::Retry(backoff(attempts.failures)),
        _ if is_read && err.is_retryable_read() => Decision::Retry(backoff(attempts.failures)),
        _ => Decision::GiveUp,
    }
}

/// Wait after a 429 without `Retry-After`.
fn throttle_wait(budget: &Budget, throttles: u32) -> Duration {
    let probe = PROBE_START
        .saturating_mul(1u32 << throttles.min(8))
        .min(PROBE_MAX);
    match budget.wait_hint_detail() {
        // The window's period and phase are known: wait for the refill.
        Some((hint, true)) => hint,
        // Only an upper bound is known: probe, but never past the bound.
        Some((bound, false)) => probe.min(bound).max(Duration::from_millis(100)),
        None => probe,
    }
}

/// `200 ms * 2^n`, ±50 %, capped at 10 s.
pub(crate) fn backoff(n: u32) -> Duration {
    let base = BASE_BACKOFF
        .saturating_mul(1u32 << n.min(16))
        .min(MAX_BACKOFF);
    base.mul_f64(0.5 + unit_random())
}

/// A random duration in `[0, max)`.
fn spread(max: Duration) -> Duration {
    max.mul_f64(unit_random())
}

/// A number in `[0, 1)` from `fastrand`'s thread-local generator (randomly seeded
/// per thread), good enough to de-synchronise retries.
fn unit_random() -> f64 {
    fastrand::f64()
}

/// `Retry-After` as seconds or as an HTTP date.
pub(crate) fn parse_retry_after(value: &str) -> Option<Duration> {
    let v = value.trim();
    if let Ok(secs) = v.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    if let Ok(secs) = v.parse::<f64>() {
        return (secs.is_finite() && secs >= 0.0).then(|| Duration::from_secs_f64(secs.min(1e6)));
    }
    let when = chrono::DateTime::parse_from_rfc2822(v).ok()?;
    let delta = when.signed_duration_since(chrono::Utc::now());
    Some(delta.to_std().unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::error::NetworkKind;

    fn net(kind: NetworkKind, maybe_sent: bool) -> ApiError {
        ApiError::Network {
            kind,
            message: "boom".into(),
            maybe_sent,
        }
    }

    #[test]
    fn reads_retry_transient_failures_up_to_the_limit() {
        let b = Budget::new(600);
        let a = Attempts::default();
        let server = ApiError::Server {
            status: 503,
            message: String::new(),
        };
        assert!(matches!(
            decide(&server, true, 3, a, &b),
            Decision::Retry(_)
        ));
        assert!(matches!(
            decide(&net(NetworkKind::Timeout, true), true, 3, a, &b),
            Decision::Retry(_)
        ));
        assert!(matches!(
            decide(&net(NetworkKind::Reset, true), true, 3, a, &b),
            Decision::Retry(_)
        ));
        let spent = Attempts {
            failures: 3,
            throttles: 0,
        };
        assert_eq!(decide(&server, true, 3, spent, &b), Decision::GiveUp);
        let not_found = ApiError::NotFound {
            path: "p".into(),
            message: "m".into(),
        };
        assert_eq!(decide(&not_found, true, 3, a, &b), Decision::GiveUp);
    }

    #[test]
    fn mutations_retry_only_unsent_requests() {
        let b = Budget::new(600);
        let a = Attempts::default();
        assert!(matches!(
            decide(&net(NetworkKind::Connect, false), false, 3, a, &b),
            Decision::Retry(_)
        ));
        assert_eq!(
            decide(&net(NetworkKind::Timeout, true), false, 3, a, &b),
            Decision::GiveUp
        );
        assert_eq!(
            decide(&net(NetworkKind::Reset, true), false, 3, a, &b),
            Decision::GiveUp
        );
        let server = ApiError::Server {
            status: 500,
            message: String::new(),
        };
        assert_eq!(decide(&server, false, 3, a, &b), Decision::GiveUp);
    }

    #[test]
    fn throttles_wait_and_are_counted_apart() {
        let b = Budget::new(600);
        let a = Attempts {
            failures: 3,
            throttles: 0,
        };
        let rl = ApiError::RateLimited {
            retry_after: Some(Duration::from_secs(2)),
        };
        match decide(&rl, false, 3, a, &b) {
            Decision::Retry(d) => {
                assert!(d >= Duration::from_secs(2) && d < Duration::from_millis(2250))
            }
            other => panic!("{other:?}"),
        }
        let done = Attempts {
            failures: 0,
            throttles: MAX_THROTTLE_RETRIES,
        };
        assert_eq!(decide(&rl, true, 3, done, &b), Decision::GiveUp);
        let long = ApiError::RateLimited {
            retry_after: Some(Duration::from_secs(600)),
        };
        assert_eq!(decide(&long, true, 3, a, &b), Decision::GiveUp);
        b.record_throttle(None);
        let unknown = ApiError::RateLimited { retry_after: None };
        match decide(&unknown, true, 3, Attempts::default(), &b) {
            Decision::Retry(d) => assert!(d <= Duration::from_secs(2)),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn backoff_grows_with_jitter() {
        for n in 0..6 {
            let nominal = 200f64 * 2f64.powi(n as i32);
            let ms = backoff(n).as_secs_f64() * 1000.0;
            assert!(
                ms >= nominal * 0.5 - 1.0 && ms <= nominal * 1.5 + 1.0,
                "{n}: {ms}"
            );
        }
        assert!(backoff(30) <= Duration::from_secs(15));
        let draws: Vec<f64> = (0..50).map(|_| unit_random()).collect();
        assert!(draws.iter().all(|x| (0.0..1.0).contains(x)));
        assert!(draws.windows(2).any(|w| w[0] != w[1]));
    }

    #[test]
    fn retry_after_forms() {
        assert_eq!(parse_retry_after(" 7 "), Some(Duration::from_secs(7)));
        assert_eq!(parse_retry_after("1.5"), Some(Duration::from_millis(1500)));
        assert_eq!(
            parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT"),
            Some(Duration::ZERO)
        );
        assert_eq!(parse_retry_after("soon"), None);
        assert_eq!(parse_retry_after("-3"), None);
    }
}
