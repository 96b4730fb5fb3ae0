//! The key works again after a refusal: everything on screen is read again
//! (the refusal itself is `auth`'s).

use crate::worker::protocol::{Priority, Request};

use super::super::msg::Effect;
use super::super::state::{AppState, IndexStatus, Level};
use super::writes::sync_live;
use super::{actions, people};

/// The key works again: everything on screen is read again.
pub fn on_up(state: &mut AppState, fx: &mut Vec<Effect>) {
    if state.conn.auth.take().is_none() {
        return;
    }
    state.say(Level::Info, "SalesLoft accepts the key again; reloading");
    reload_after_auth(state, fx);
}

/// The key works again after a refusal: who we are, the team's users, the
/// cadences, the view on screen and the people index are read again.
pub(crate) fn reload_after_auth(state: &mut AppState, fx: &mut Vec<Effect>) {
    fx.push(state.request(Priority::Visible, Request::Me).1);
    fx.push(state.request(Priority::Visible, Request::Users).1);
    state.cadences.list.fetch.error = None;
    actions::refresh_after_auth(state, fx);
    if state.people.search.index_request.is_none()
        && !matches!(state.people.search.status, IndexStatus::Done { .. })
    {
        people::start_index(state, fx);
    }
    sync_live(state, fx);
}
