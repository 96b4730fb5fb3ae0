//! What the dashboard says while SalesLoft refuses the key: the status bar's
//! live-state piece, the message, the views' placeholder (never the key).

use crate::config::keymap::Action;

use super::auth::AuthFailed;
use super::state::AppState;

/// Where the key came from, in words, or "the key" when unknown.
pub(crate) fn source(state: &AppState) -> String {
    crate::config::the_key_from(state.conn.key_source.as_deref())
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
