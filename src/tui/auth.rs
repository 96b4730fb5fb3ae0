//! SalesLoft refused the key: the dashboard says so where live state goes (never
//! `● LIVE` then), names where the key came from (never the key), and offers the
//! refresh key to try it again; the worker sends nothing meanwhile and tries by
//! itself only after a long backoff.

use std::time::Instant;

use crate::config::keymap::Action;
use crate::worker::protocol::RequestId;

use super::state::AppState;

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

/// Where the key came from, in words, or "the key" when unknown.
pub(crate) fn source(state: &AppState) -> String {
    match &state.conn.key_source {
        Some(s) => format!("the key from {s}"),
        None => "the key".to_string(),
    }
}

/// The key for trying again ("r"), from the live keymap.
pub(crate) fn retry_key(state: &AppState) -> String {
    state
        .keymap
        .hint(Action::Refresh)
        .unwrap_or_else(|| "refresh".into())
}

fn retry_secs(state: &AppState, a: &AuthFailed) -> u64 {
    a.retry_at
        .saturating_duration_since(state.clock.now)
        .as_secs_f64()
        .ceil() as u64
}

/// The live-state piece of the status bar while refused.
pub fn status_text(state: &AppState, width: u16) -> Option<String> {
    let a = state.conn.auth.as_ref()?;
    let key = retry_key(state);
    let secs = retry_secs(state, a);
    Some(if width >= 110 {
        format!("✗ AUTH FAILED · {key} retry · auto in {secs} s")
    } else {
        // The hints below say how to retry.
        "✗ AUTH FAILED".to_string()
    })
}

/// The message line while refused and nothing newer is said.
pub fn message_text(state: &AppState) -> Option<String> {
    state.conn.auth.as_ref()?;
    Some(format!(
        "SalesLoft refused {}: {} tries it again",
        source(state),
        retry_key(state)
    ))
}

/// An error that only repeats the refusal the auth-failed state shows (a 401,
/// or the OAuth token endpoint refusing).
pub fn is_refusal(error: &str) -> bool {
    error.contains("401 Unauthorized") || error.contains("OAuth: ")
}

/// The line shown in place of a view's data while refused.
pub fn screen_text(state: &AppState) -> Option<String> {
    let a = state.conn.auth.as_ref()?;
    Some(format!(
        "SalesLoft refused {} ({}). Check it, then press {} to try again; sltui tries by itself in {} s.",
        source(state),
        a.reason,
        retry_key(state),
        retry_secs(state, a)
    ))
}
