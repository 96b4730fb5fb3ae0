//! Whether SalesLoft answers, as seen from every exchange of the client: any HTTP
//! answer below 500 is a sign of life; a transport failure (timeout, reset,
//! refused connection) or a 5xx is a failure. The worker's circuit breaker reads
//! this; clones share the same record.

use std::sync::{Arc, Mutex, MutexGuard};

/// What is known about the connection right now.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct HealthSnapshot {
    /// Failed exchanges in a row since the last answer.
    pub consecutive_failures: u32,
    /// Exchanges that got an answer (below 500), since the start.
    pub successes: u64,
    /// Exchanges that failed, since the start.
    pub failures: u64,
    /// The newest failure in a few words ("timed out", "server error 503").
    pub last_failure: Option<String>,
}

#[derive(Clone, Debug, Default)]
pub struct Health {
    inner: Arc<Mutex<HealthSnapshot>>,
}

impl Health {
    fn lock(&self) -> MutexGuard<'_, HealthSnapshot> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// SalesLoft answered (any status below 500).
    pub fn record_success(&self) {
        let mut h = self.lock();
        h.consecutive_failures = 0;
        h.successes += 1;
    }

    /// An exchange failed; `why` in a few words, never with a secret in it.
    pub fn record_failure(&self, why: impl Into<String>) {
        let mut h = self.lock();
        h.consecutive_failures = h.consecutive_failures.saturating_add(1);
        h.failures += 1;
        h.last_failure = Some(why.into());
    }

    pub fn snapshot(&self) -> HealthSnapshot {
        self.lock().clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failures_in_a_row_reset_on_an_answer() {
        let h = Health::default();
        let shared = h.clone();
        h.record_failure("timed out");
        shared.record_failure("server error 503");
        let s = h.snapshot();
        assert_eq!(s.consecutive_failures, 2);
        assert_eq!(s.last_failure.as_deref(), Some("server error 503"));
        h.record_success();
        let s = shared.snapshot();
        assert_eq!((s.consecutive_failures, s.successes, s.failures), (0, 1, 2));
    }
}
