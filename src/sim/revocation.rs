//! Revoking the API key while the simulator runs, as an admin does in SalesLoft
//! (Settings → API keys) while a dashboard is open.
//!
//! From the moment of revocation every `/v2` request carrying the key is answered
//! 401 `{"error": ...}` like any refused token (salesloft-api.md §auth: 401s use a
//! singular `error` string), and the requests that arrive from then on are
//! counted apart, so a test can check what a client sends after the revocation.
//! OAuth access tokens are not affected (`/_sim/oauth/revoke` revokes those).
//!
//! Test-only endpoints (no auth, no charge): `POST /_sim/key/revoke` (now),
//! `POST /_sim/key/restore` (the key works again), `GET /_sim/key`. The
//! simulator's `--revoke-key-after S` revokes the key `S` seconds after start.

mod http;

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use serde_json::json;

use super::lock::lock;

pub use self::http::routes;

/// When the key is (or will be) revoked, and what arrived since.
#[derive(Debug, Default)]
pub struct KeyRevocation {
    at: std::sync::Mutex<Option<Instant>>,
    /// `/v2` requests that arrived at or after the revocation.
    after: AtomicU64,
}

impl KeyRevocation {
    /// Revokes the key at `at` (now, or later for `--revoke-key-after`).
    pub fn revoke_at(&self, at: Instant) {
        *lock(&self.at) = Some(at);
        self.after.store(0, Ordering::SeqCst);
    }

    /// The key works again.
    pub fn restore(&self) {
        *lock(&self.at) = None;
    }

    /// Whether the key is revoked at `now`.
    pub fn is_revoked(&self, now: Instant) -> bool {
        lock(&self.at).is_some_and(|at| now >= at)
    }

    /// Counts a `/v2` request that arrived at `now`.
    pub fn arrived(&self, now: Instant) {
        if self.is_revoked(now) {
            self.after.fetch_add(1, Ordering::SeqCst);
        }
    }

    /// `/v2` requests that arrived since the revocation.
    pub fn requests_after(&self) -> u64 {
        self.after.load(Ordering::SeqCst)
    }

    fn state(&self, now: Instant) -> serde_json::Value {
        let at = *lock(&self.at);
        json!({
            "revoked": at.is_some_and(|at| now >= at),
            "revoked_secs_ago": at.filter(|at| now >= *at).map(|at| (now - at).as_secs_f64()),
            "requests_after_revocation": self.requests_after(),
        })
    }
}

/// The revocation time for `--revoke-key-after S`.
pub fn scheduled(started: Instant, after_secs: Option<f64>) -> Option<Instant> {
    after_secs.map(|s| started + Duration::from_secs_f64(s.max(0.0)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_count_from_the_revocation_on() {
        let r = KeyRevocation::default();
        let t0 = Instant::now();
        r.arrived(t0);
        assert!(!r.is_revoked(t0));
        r.revoke_at(t0 + Duration::from_secs(5));
        r.arrived(t0 + Duration::from_secs(4));
        assert!(!r.is_revoked(t0 + Duration::from_secs(4)));
        r.arrived(t0 + Duration::from_secs(5));
        r.arrived(t0 + Duration::from_secs(6));
        assert!(r.is_revoked(t0 + Duration::from_secs(5)));
        assert_eq!(r.requests_after(), 2);
        r.restore();
        assert!(!r.is_revoked(t0 + Duration::from_secs(7)));
    }
}
