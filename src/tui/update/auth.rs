//! The key refused: the auth state's changes (what it shows is `tui::auth`'s;
//! the key accepted again is `reload`'s).

use std::time::Duration;

use crate::worker::protocol::{Priority, Request, RequestId};

use super::super::auth::{AuthFailed, is_refusal};
use super::super::auth_text::{retry_key, source};
use super::super::msg::Effect;
use super::super::state::{AppState, Level};

/// The worker says the key was refused (again).
pub fn on_failed(state: &mut AppState, retry_in_secs: u64, reason: String) {
    let first = state.conn.auth.is_none();
    // The failures that led here say nothing more than this state.
    state.screen.messages.retain(|m| !is_refusal(&m.text));
    let retry = state.conn.auth.as_ref().and_then(|a| a.retry);
    state.conn.auth = Some(AuthFailed {
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

/// The refresh key while refused: one try of the key, nothing else.
pub fn retry(state: &mut AppState, fx: &mut Vec<Effect>) {
    state.say(Level::Info, format!("trying {} again…", source(state)));
    let (id, effect) = state.request(Priority::User, Request::RetryAuth);
    if let Some(a) = &mut state.conn.auth {
        a.retry = Some(id);
    }
    fx.push(effect);
}

/// The user's try ended: a refusal is said by the state itself ("still
/// refused"), any other failure (too soon, unreachable) here. True when `id`
/// was the try.
pub fn on_finished(state: &mut AppState, id: RequestId, error: &Option<String>) -> bool {
    let Some(a) = state.conn.auth.as_mut().filter(|a| a.retry == Some(id)) else {
        return false;
    };
    a.retry = None;
    if let Some(e) = error.as_deref().filter(|e| !is_refusal(e)) {
        state.say(Level::Warn, e.to_string());
    }
    true
}
