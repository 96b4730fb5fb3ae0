//! The detail's step funnel and template comparisons: what the view keeps of the
//! worker's `Funnel` answer, and the requests for it. The numbers are counted by
//! `metrics::funnel`, as `sltui report --by step` and `--by template` count them.

use std::collections::BTreeMap;

use crate::api::models::Step;
use crate::metrics::TimeRange;
use crate::metrics::breakdown::TemplateStats;
use crate::metrics::funnel::StepFunnel;
use crate::worker::protocol::{Priority, Request, RequestId};

use super::fetch::Fetch;
use super::msg::Effect;
use super::state::AppState;

/// One cadence's funnel over one range.
#[derive(Debug, Clone, PartialEq)]
pub struct FunnelData {
    pub range: TimeRange,
    pub rows: Vec<StepFunnel>,
    /// Template comparisons by step id (steps whose emails name templates).
    pub templates: BTreeMap<u64, Vec<TemplateStats>>,
    pub titles: BTreeMap<u64, String>,
}

impl FunnelData {
    /// The funnel row of a step.
    pub fn row(&self, step_id: u64) -> Option<&StepFunnel> {
        self.rows.iter().find(|r| r.step_id == Some(step_id))
    }

    /// A template's title, else its id; emails without a template say so.
    pub fn title(&self, template_id: Option<u64>) -> String {
        match template_id {
            Some(id) => self
                .titles
                .get(&id)
                .cloned()
                .unwrap_or_else(|| format!("template {id}")),
            None => "(no template)".to_string(),
        }
    }
}

/// The funnel pane of the open cadence.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FunnelPane {
    pub fetch: Fetch,
    pub data: Option<FunnelData>,
}

/// The steps the detail lists: all of them in cadence order, disabled ones
/// included (they are marked, not hidden), as `report --by step` lists them.
pub fn detail_steps(steps: &[Step]) -> Vec<&Step> {
    let mut v: Vec<&Step> = steps.iter().collect();
    v.sort_by_key(|s| (s.day.unwrap_or(0), s.step_number.unwrap_or(0), s.id));
    v
}

/// Asks for the open cadence's funnel over the current range, unless it is
/// already shown for this range (`force`: the refresh keys).
pub fn request(state: &mut AppState, force: bool, fx: &mut Vec<Effect>) {
    let range = state.metrics.range;
    // The worker answers from the store when it covers the funnel (the team
    // database on `--db`), else from a cached or fresh read of SalesLoft.
    let Some(d) = &state.detail else { return };
    let cadence_id = d.cadence_id;
    let have = d.funnel.data.as_ref().is_some_and(|f| f.range == range);
    if (have || d.funnel.fetch.is_loading()) && !force {
        return;
    }
    let (id, effect) = state.request(Priority::Visible, Request::Funnel { cadence_id, range });
    if let Some(d) = &mut state.detail {
        d.funnel.fetch.start(id);
    }
    fx.push(effect);
}

/// The worker's answer, taken only by the detail that waits for it.
pub fn on_funnel(
    state: &mut AppState,
    id: RequestId,
    cadence_id: u64,
    data: FunnelData,
    steps: Vec<Step>,
) {
    // Steps are facts about the cadence, whoever asked.
    state.steps.insert(cadence_id, steps);
    let now = state.clock.now;
    let len = state.detail_step_count();
    if let Some(d) = &mut state.detail
        && d.cadence_id == cadence_id
        && d.funnel.fetch.wants(id)
    {
        d.funnel.data = Some(data);
        d.funnel.fetch.arrived(now);
        d.cursor.clamp(len + d.members.len());
    }
}

/// The request finished; true when it was the funnel's.
pub fn on_finished(state: &mut AppState, id: RequestId, error: Option<String>) -> bool {
    let now = state.clock.now;
    match &mut state.detail {
        Some(d) => d.funnel.fetch.finish(id, error, now),
        None => false,
    }
}

/// The step under the detail's cursor, if the cursor is on a step.
pub fn selected_step(state: &AppState) -> Option<&Step> {
    let d = state.detail.as_ref()?;
    let steps = detail_steps(state.steps.get(&d.cadence_id)?);
    steps.get(d.cursor.selected).copied()
}
