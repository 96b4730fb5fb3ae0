//! The hub's reports folded into the state: its status row and whether the
//! team database answers ([`crate::tui::hub::HubView`]).

use crate::worker::protocol::HubSeen;

use super::super::state::{AppState, Level};

/// The reader read the hub's status row.
pub fn on_status(state: &mut AppState, hub: Option<HubSeen>) {
    if let Some(view) = &mut state.conn.hub {
        view.seen = Some(hub);
    }
}

/// The team database stopped answering, or answers again.
pub fn on_database(state: &mut AppState, problem: Option<String>) {
    let Some(view) = &mut state.conn.hub else {
        return;
    };
    let was = view.problem.is_some();
    view.problem = problem.clone();
    match (was, problem) {
        (false, Some(why)) => state.say(
            Level::Error,
            format!("{why}; showing the last data read, reconnecting"),
        ),
        (true, None) => state.say(Level::Info, "the team database answers again"),
        _ => {}
    }
}
