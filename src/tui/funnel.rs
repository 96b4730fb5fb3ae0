//! The detail's step funnel and template comparisons: what the view keeps of the
//! worker's `Funnel` answer, and the requests for it. The numbers are counted by
//! `metrics::funnel`, as `sltui report --by step` and `--by template` count them.

use std::collections::BTreeMap;

use crate::api::models::Step;
use crate::metrics::TimeRange;
use crate::metrics::breakdown::TemplateStats;
use crate::metrics::funnel::StepFunnel;

use super::fetch::Fetch;

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
