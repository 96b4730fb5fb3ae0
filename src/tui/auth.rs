//! SalesLoft refused the key: the dashboard says so where live state goes (never
//! `● LIVE` then), names where the key came from (never the key), and offers the
//! refresh key to try it again; the worker sends nothing meanwhile and tries by
//! itself only after a long backoff.

use std::time::Instant;

use crate::worker::protocol::RequestId;

/// The key was refused (401).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthFailed {
    /// SalesLoft's words.
    pub reason: String,
    /// When the worker tries the key by itself.
    pub retry_at: Instant,
    /// The user's try in flight.
    pub retry: Option<RequestId>,
}

/// An error that only repeats the refusal the auth-failed state shows (a 401,
/// or the OAuth token endpoint refusing).
pub fn is_refusal(error: &str) -> bool {
    error.contains("401 Unauthorized") || error.contains("OAuth: ")
}
