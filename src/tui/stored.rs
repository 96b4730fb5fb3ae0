//! The dashboard's view of the local store ([`crate::store`]).
//!
//! * Start-up: the store's first-frame read ([`crate::store::start::load`], done
//!   before the terminal is taken) goes into the state through `update`
//!   (`update::stored::apply_load`): cadences, steps, users and the range's per-day sums, so the
//!   cadences table shows numbers at once. The data is marked stale ("stored data
//!   from 10:42, refreshing…") until the first live cadence list replaces it; while
//!   SalesLoft is unreachable it reads "offline, data as of …" and enrolling is
//!   refused.
//! * The worker owns the background sync ([`crate::worker::store_sync`]); its
//!   reports arrive as `WorkerEvent::Store` and `update` folds them in:
//!   the people and facts read after the first frame, what a sync changed, and the
//!   sync's progress for the status line.

pub use crate::worker::store_sync::StoreEvent;

use super::state::AppState;
pub use super::store_status::{StoreStatus, SyncLine};

/// The state shows SalesLoft as unreachable while the data is the store's. A
/// retry in flight after a failure does not count as back online: only a live
/// answer (which clears `stale`) or a cleared error does, so the mark and the
/// enroll refusal do not flicker while the worker probes.
pub fn offline(state: &AppState) -> bool {
    let fetch = &state.cadences.list.fetch;
    state.conn.store.stale && (state.conn.unreachable.is_some() || fetch.error.is_some())
}

/// What enrolling says while offline on stored data.
pub fn offline_refusal(state: &AppState) -> String {
    format!(
        "offline (data as of {}): enrolling works again once SalesLoft answers",
        state.conn.store.as_of(state.clock.wall)
    )
}

/// The status text of stored data not yet replaced by live answers.
pub fn stale_text(state: &AppState) -> Option<String> {
    if !state.conn.store.stale {
        return None;
    }
    let when = state.conn.store.as_of(state.clock.wall);
    Some(if offline(state) {
        format!("offline, data as of {when}")
    } else {
        format!("stored data from {when}, refreshing…")
    })
}

/// "store ▕███░░░░░▏ 42% people" (or records read when sizes are unknown).
pub fn sync_text(state: &AppState) -> Option<String> {
    let SyncLine::Running(per) = &state.conn.store.sync else {
        return None;
    };
    let busiest = per
        .iter()
        .filter(|(_, n, e)| e.is_none_or(|e| *n < e))
        .map(|(r, _, _)| *r)
        .next_back()
        .unwrap_or("");
    Some(match state.conn.store.sync_fraction() {
        Some(f) => {
            const W: usize = 10;
            let full = ((f * W as f64).round() as usize).min(W);
            format!(
                "syncing store ▕{}{}▏ {:>3.0}% {busiest}",
                "█".repeat(full),
                "░".repeat(W - full),
                f * 100.0
            )
        }
        None => {
            let n: u64 = per.iter().map(|(_, n, _)| n).sum();
            format!("syncing store: {n} records {busiest}")
        }
    })
}
