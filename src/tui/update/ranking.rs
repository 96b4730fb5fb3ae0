//! The Activity ranking re-sorts itself as live opens, clicks and replies
//! arrive: the selection stays on the same cadence, so enter (or a click)
//! opens the cadence the user picked, not whichever moved into its row.
//!
//! The ranking is computed once a message (after it), while Activity is on
//! screen: the cadence under the cursor is held from one message to the next.

use super::super::state::{AppState, View};

/// The cadence under the Activity cursor before a message (its row and id), as
/// the previous message left it.
pub(super) fn before(state: &AppState) -> Option<(usize, u64)> {
    (state.view == View::Activity)
        .then_some(state.activity.held)
        .flatten()
}

/// After the message: when the cursor did not move but the ranking did, the
/// cursor follows the cadence to its new row (a cadence gone from the list
/// leaves the cursor where it was). Holds the cadence now under the cursor for
/// the next message.
pub(super) fn keep(state: &mut AppState, before: Option<(usize, u64)>) {
    if state.view != View::Activity {
        state.activity.held = None;
        return;
    }
    let ranked = state.ranked_cadences();
    if let Some((at, id)) = before
        && state.activity.cursor.selected == at
        && let Some(pos) = ranked.iter().position(|&(c, _)| c == id)
    {
        state.activity.cursor.selected = pos;
    }
    let at = state.activity.cursor.selected;
    state.activity.held = ranked.get(at).map(|&(id, _)| (at, id));
}
