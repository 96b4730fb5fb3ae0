//! The detail's funnel: asked for, taken when it answers, finished.

use crate::api::models::Step;
use crate::worker::PUSHED;
use crate::worker::protocol::{Priority, Request, RequestId};

use super::super::funnel::FunnelData;
use super::super::msg::Effect;
use super::super::state::AppState;

/// Asks for the open cadence's funnel over the current range, unless it is
/// already shown for this range (`force`: the refresh keys).
pub fn request(state: &mut AppState, force: bool, fx: &mut Vec<Effect>) {
    let range = state.metrics.range;
    // The worker answers from the store when it covers the funnel (the team
    // database on `--db`), else from a cached or fresh read of SalesLoft.
    let Some(d) = &state.cadences.detail else {
        return;
    };
    let cadence_id = d.cadence_id;
    let have = d.funnel.data.as_ref().is_some_and(|f| f.range == range);
    if (have || d.funnel.fetch.is_loading()) && !force {
        return;
    }
    let (id, effect) = state.request(Priority::Visible, Request::Funnel { cadence_id, range });
    if let Some(d) = &mut state.cadences.detail {
        d.funnel.fetch.start(id);
    }
    fx.push(effect);
}

/// The worker's answer, taken only by the detail that waits for it; or a
/// funnel the worker counted again because the team database changed one of
/// its calls or templates (`PUSHED`), taken by the detail of that cadence when
/// it shows the same range.
pub fn on_funnel(
    state: &mut AppState,
    id: RequestId,
    cadence_id: u64,
    data: FunnelData,
    steps: Vec<Step>,
) {
    // Steps are facts about the cadence, whoever asked.
    state.cadences.steps.insert(cadence_id, steps);
    let now = state.clock.now;
    let len = state.detail_step_count();
    let range = state.metrics.range;
    if let Some(d) = &mut state.cadences.detail
        && d.cadence_id == cadence_id
        && (d.funnel.fetch.wants(id) || (id == PUSHED && data.range == range))
    {
        d.funnel.data = Some(data);
        d.funnel.fetch.arrived(now);
        d.cursor.clamp(len + d.members.len());
    }
}

/// The request finished; true when it was the funnel's.
pub fn on_finished(state: &mut AppState, id: RequestId, error: Option<String>) -> bool {
    let now = state.clock.now;
    match &mut state.cadences.detail {
        Some(d) => d.funnel.fetch.finish(id, error, now),
        None => false,
    }
}
