//! The Activity ranking re-sorts itself as live opens, clicks and replies
//! arrive: the selection stays on the same cadence, so enter (or a click)
//! opens the cadence the user picked, not whichever moved into its row.

use super::super::state::{AppState, View};

/// The cadence under the Activity cursor before a message: its row and id.
pub(super) fn before(state: &AppState) -> Option<(usize, u64)> {
    if state.view != View::Activity {
        return None;
    }
    let at = state.activity.cursor.selected;
    state.ranked_cadences().get(at).map(|&(id, _)| (at, id))
}

/// After the message: when the cursor did not move but the ranking did, the
/// cursor follows the cadence to its new row (a cadence gone from the list
/// leaves the cursor where it was).
pub(super) fn keep(state: &mut AppState, before: Option<(usize, u64)>) {
    let Some((at, id)) = before else {
        return;
    };
    if state.view != View::Activity || state.activity.cursor.selected != at {
        return;
    }
    if let Some(pos) = state.ranked_cadences().iter().position(|&(c, _)| c == id) {
        state.activity.cursor.selected = pos;
    }
}
