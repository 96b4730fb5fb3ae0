//! The writes every handler shares: a request with a fresh id, a message on
//! screen, a value freed off the UI task, the live poll switched, the cadences
//! table rebuilt. A leaf: it calls no handler, so every handler can call it.

use crate::worker::protocol::{Priority, Request, RequestId};

use super::super::msg::Effect;
use super::super::state::{AppState, ERROR_TTL, Level, MESSAGE_TTL, Message};

/// Frees a large value (a replaced people index or aggregator) off the UI task:
/// the loop drops it on a blocking thread ([`Effect::Free`]); update starts no
/// thread of its own.
pub(crate) fn free<T: Send + 'static>(value: T, fx: &mut Vec<Effect>) {
    fx.push(Effect::Free(crate::worker::Parcel::new(Box::new(value))));
}

/// The two writes every handler needs; here, so that only `update` writes.
impl AppState {
    /// A request with a fresh id.
    pub fn request(&mut self, priority: Priority, request: Request) -> (RequestId, Effect) {
        let id = self.next_id;
        self.next_id += 1;
        (
            id,
            Effect::Send {
                id,
                priority,
                request,
            },
        )
    }

    pub fn say(&mut self, level: Level, text: impl Into<String>) {
        let ttl = if level == Level::Error {
            ERROR_TTL
        } else {
            MESSAGE_TTL
        };
        let text = text.into();
        match level {
            Level::Error => tracing::warn!(message = %text, "shown to the user"),
            _ => tracing::debug!(message = %text, "shown to the user"),
        }
        self.screen.messages.retain(|m| m.text != text);
        self.screen.messages.push(Message {
            text,
            level,
            until: self.clock.now + ttl,
        });
    }
}

/// The cadences table again after its filter, sort or numbers changed.
pub(crate) fn rebuild_cadences(state: &mut AppState) {
    state
        .cadences
        .list
        .rebuild(&state.metrics.agg, &state.metrics.loaded);
}

/// Sends `SetLive` when what the user and the view want differs from what was asked.
pub(crate) fn sync_live(state: &mut AppState, fx: &mut Vec<Effect>) {
    let want = state.wants_live();
    if state.conn.live.requested != Some(want) {
        state.conn.live.requested = Some(want);
        fx.push(
            state
                .request(Priority::User, Request::SetLive { enabled: want })
                .1,
        );
    }
}
