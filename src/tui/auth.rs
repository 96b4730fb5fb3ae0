//! SalesLoft refused the key: the dashboard says so where live state goes (never
//! `● LIVE` then), names where the key came from (never the key), and offers the
//! refresh key to try it again; the worker sends nothing meanwhile and tries by
//! itself only after a long backoff.

use std::time::{Duration, Instant};

use crate::config::keymap::Action;
use crate::worker::protocol::{Priority, Request, RequestId};

use super::msg::Effect;
use super::state::{AppState, Level};

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
fn source(state: &AppState) -> String {
    crate::config::the_key_from(state.key_source.as_deref())
}

/// The key for trying again ("r"), from the live keymap.
fn retry_key(state: &AppState) -> String {
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

/// The worker says the key was refused (again).
pub fn on_failed(state: &mut AppState, retry_in_secs: u64, reason: String) {
    let first = state.auth.is_none();
    // The failures that led here say nothing more than this state.
    state.messages.retain(|m| !is_refusal(&m.text));
    let retry = state.auth.as_ref().and_then(|a| a.retry);
    state.auth = Some(AuthFailed {
        reason,
        retry_at: state.clock.now + Duration::from_secs(retry_in_secs),
        retry,
    });
    let text = format!(
        "SalesLoft refused {}; {} tries it again",
        source(state),
        retry_key(state)
    );
    if first {
        state.say(Level::Error, text);
    } else {
        state.say(Level::Error, format!("still refused: {text}"));
    }
}

/// The key works again: everything on screen is read again.
pub fn on_up(state: &mut AppState, fx: &mut Vec<Effect>) {
    if state.auth.take().is_none() {
        return;
    }
    state.say(Level::Info, "SalesLoft accepts the key again; reloading");
    super::update::reload_after_auth(state, fx);
}

/// The refresh key while refused: one try of the key, nothing else.
pub fn retry(state: &mut AppState, fx: &mut Vec<Effect>) {
    state.say(Level::Info, format!("trying {} again…", source(state)));
    let (id, effect) = state.request(Priority::User, Request::RetryAuth);
    if let Some(a) = &mut state.auth {
        a.retry = Some(id);
    }
    fx.push(effect);
}

/// The user's try ended: a refusal is said by the state itself ("still
/// refused"), any other failure (too soon, unreachable) here. True when `id`
/// was the try.
pub fn on_finished(state: &mut AppState, id: RequestId, error: &Option<String>) -> bool {
    let Some(a) = state.auth.as_mut().filter(|a| a.retry == Some(id)) else {
        return false;
    };
    a.retry = None;
    if let Some(e) = error.as_deref().filter(|e| !is_refusal(e)) {
        state.say(Level::Warn, e.to_string());
    }
    true
}

/// The live-state piece of the status bar while refused.
pub fn status_text(state: &AppState, width: u16) -> Option<String> {
    let a = state.auth.as_ref()?;
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
    state.auth.as_ref()?;
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
    let a = state.auth.as_ref()?;
    Some(format!(
        "SalesLoft refused {} ({}). Check it, then press {} to try again; sltui tries by itself in {} s.",
        source(state),
        a.reason,
        retry_key(state),
        retry_secs(state, a)
    ))
}
