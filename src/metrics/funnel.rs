//! A cadence's step funnel and its template comparisons, from the raw records:
//! what `report --by step` and `--by template` print and what the dashboard's
//! detail draws. One implementation, so both show the same numbers.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Utc};

use super::breakdown::{TemplateStats, compare_templates};
use super::calls::call_in_range;
use super::{Aggregator, EmailFact, Engagement, TimeRange};
use crate::api::models::{Call, Step};

/// One row of a cadence's funnel: a step (or `None`, the cadence's emails without a
/// step), its emails' engagement in range and the people it reached.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StepFunnel {
    pub step_id: Option<u64>,
    pub engagement: Engagement,
    /// Recipients of the step's sent emails and people its calls reached, each once.
    pub people_reached: usize,
}

/// The cadence's steps in cadence order (day, then number, then id), disabled ones included.
pub fn cadence_order(steps: &mut [Step]) {
    steps.sort_by_key(|s| (s.day.unwrap_or(0), s.step_number.unwrap_or(0), s.id));
}

/// One row per step in the order given (disabled ones included), then a
/// `(no step)` row when the cadence has emails without one of these steps, so the
/// rows add up to the cadence's engagement over `range`. `facts` are the
/// cadence's emails (others are ignored), `calls` may be the team's (those of
/// other cadences or made before the range are ignored).
pub fn step_funnel(
    cadence_id: u64,
    steps: &[Step],
    facts: &[EmailFact],
    calls: &[Call],
    range: TimeRange,
    now: DateTime<Utc>,
) -> Vec<StepFunnel> {
    let mut agg = Aggregator::new(range, now);
    let mut reached: BTreeMap<u64, BTreeSet<u64>> = BTreeMap::new();
    for fact in facts {
        if fact.cadence_id != Some(cadence_id) {
            continue;
        }
        if fact.sent
            && fact.in_range(range, now)
            && let (Some(step), Some(person)) = (fact.step_id, fact.person_id)
        {
            reached.entry(step).or_default().insert(person);
        }
        agg.upsert(fact.clone());
    }
    for c in calls {
        let on_cadence = c.cadence.as_ref().and_then(|r| r.id_u64()) == Some(cadence_id);
        let step = c.step.as_ref().and_then(|r| r.id_u64());
        let person = c.called_person.as_ref().and_then(|r| r.id_u64());
        if let (true, true, Some(step), Some(person)) =
            (on_cadence, call_in_range(c, range, now), step, person)
        {
            reached.entry(step).or_default().insert(person);
        }
    }
    let mut rest = agg.by_cadence(cadence_id);
    let mut rows = Vec::with_capacity(steps.len() + 1);
    for s in steps {
        let e = agg.by_step(s.id);
        rest -= e;
        rows.push(StepFunnel {
            step_id: Some(s.id),
            engagement: e,
            people_reached: reached.get(&s.id).map_or(0, BTreeSet::len),
        });
    }
    if !rest.is_empty() {
        rows.push(StepFunnel {
            step_id: None,
            engagement: rest,
            people_reached: 0,
        });
    }
    rows
}

/// The share of people lost from one funnel row to the next: `1 - next / previous`
/// (negative when the next step reached more); `None` when the previous reached nobody.
pub fn drop_off(previous: usize, next: usize) -> Option<f64> {
    (previous > 0).then(|| 1.0 - next as f64 / previous as f64)
}

/// Engagement per template of the facts, template ids ascending, emails
/// without a template last.
pub fn template_rows(facts: &[EmailFact]) -> Vec<(Option<u64>, Engagement)> {
    let mut by: BTreeMap<(bool, Option<u64>), Engagement> = BTreeMap::new();
    for f in facts {
        *by.entry((f.template_id.is_none(), f.template_id))
            .or_default() += f.engagement();
    }
    by.into_iter().map(|((_, id), e)| (id, e)).collect()
}

/// The templates of one step's emails sent in range, compared with the step's
/// leader (see [`compare_templates`]), in [`template_rows`] order.
pub fn step_templates(
    step_id: u64,
    facts: &[EmailFact],
    range: TimeRange,
    now: DateTime<Utc>,
) -> Vec<TemplateStats> {
    let facts: Vec<EmailFact> = facts
        .iter()
        .filter(|f| f.step_id == Some(step_id) && f.sent && f.in_range(range, now))
        .cloned()
        .collect();
    compare_templates(&template_rows(&facts))
}

/// [`step_templates`] for every step the facts name, by step id.
pub fn templates_by_step(
    facts: &[EmailFact],
    range: TimeRange,
    now: DateTime<Utc>,
) -> BTreeMap<u64, Vec<TemplateStats>> {
    let mut by: BTreeMap<u64, Vec<EmailFact>> = BTreeMap::new();
    for f in facts {
        if let Some(step) = f.step_id.filter(|_| f.sent && f.in_range(range, now)) {
            by.entry(step).or_default().push(f.clone());
        }
    }
    by.into_iter()
        .map(|(step, facts)| (step, compare_templates(&template_rows(&facts))))
        .collect()
}

/// A cadence's funnel and template comparisons over a range, whichever source
/// the records came from (the store or SalesLoft): what the detail draws and
/// `report --by step|template` prints.
#[derive(Debug, Clone, PartialEq)]
pub struct CadenceFunnel {
    pub cadence_id: u64,
    pub range: TimeRange,
    /// The cadence's steps in [`cadence_order`], disabled ones included.
    pub steps: Vec<Step>,
    /// [`step_funnel`] of the steps.
    pub rows: Vec<StepFunnel>,
    /// [`templates_by_step`] of the cadence's emails.
    pub templates: BTreeMap<u64, Vec<TemplateStats>>,
    /// Names of the templates compared, by id (a template not found has none).
    pub titles: BTreeMap<u64, String>,
}

impl CadenceFunnel {
    /// Counts the funnel from the records: `steps` may be the team's (the
    /// cadence's are kept), `facts` the cadence's emails, `calls` the team's.
    /// Template names are left to [`CadenceFunnel::name_templates`].
    pub fn count(
        cadence_id: u64,
        mut steps: Vec<Step>,
        facts: &[EmailFact],
        calls: &[Call],
        range: TimeRange,
        now: DateTime<Utc>,
    ) -> CadenceFunnel {
        steps.retain(|s| s.cadence.as_ref().and_then(|c| c.id_u64()) == Some(cadence_id));
        cadence_order(&mut steps);
        let facts: Vec<EmailFact> = facts
            .iter()
            .filter(|f| f.cadence_id == Some(cadence_id))
            .cloned()
            .collect();
        CadenceFunnel {
            cadence_id,
            range,
            rows: step_funnel(cadence_id, &steps, &facts, calls, range, now),
            templates: templates_by_step(&facts, range, now),
            steps,
            titles: BTreeMap::new(),
        }
    }

    /// The templates compared in any step, ascending.
    pub fn template_ids(&self) -> Vec<u64> {
        let ids: BTreeSet<u64> = self
            .templates
            .values()
            .flatten()
            .filter_map(|t| t.template_id)
            .collect();
        ids.into_iter().collect()
    }

    /// Keeps the names of the compared templates out of `titles` (any set).
    pub fn name_templates<'a>(&mut self, titles: impl IntoIterator<Item = (u64, &'a str)>) {
        let wanted: BTreeSet<u64> = self.template_ids().into_iter().collect();
        self.titles = titles
            .into_iter()
            .filter(|(id, _)| wanted.contains(id))
            .map(|(id, t)| (id, t.to_string()))
            .collect();
    }
}
