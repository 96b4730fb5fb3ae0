//! The open cadence's tables as CSV: its steps as the funnel shows them, its
//! people, and the template table of the step under the cursor.

use crate::api::models::Step;
use crate::metrics::funnel::drop_off;

use super::super::funnel::detail_steps;
use super::super::state::AppState;
use super::csv::{Csv, engagement_cells, field, opt, rate};

const STEPS: [&str; 20] = [
    "cadence_id",
    "step_id",
    "step_number",
    "day",
    "type",
    "name",
    "disabled",
    "range",
    "people_reached",
    "drop_off",
    "sent",
    "delivered",
    "opened",
    "clicked",
    "replied",
    "bounced",
    "open_rate",
    "click_rate",
    "reply_rate",
    "bounce_rate",
];

const MEMBERS: [&str; 7] = [
    "cadence_id",
    "person_id",
    "name",
    "email",
    "state",
    "currently_on_cadence",
    "sent",
];

fn step_name(st: &Step) -> String {
    st.name
        .clone()
        .or_else(|| st.display_name.clone())
        .unwrap_or_default()
}

/// The pane under the cursor: the steps (the funnel), or the people.
pub(super) fn focused(state: &AppState) -> Result<Csv, String> {
    let Some(d) = &state.cadences.detail else {
        return Err("no cadence open".into());
    };
    let steps: Vec<&Step> = state
        .cadences
        .steps
        .get(&d.cadence_id)
        .map(|v| detail_steps(v))
        .unwrap_or_default();
    if state.selected_step().is_some() || d.members.is_empty() {
        return steps_csv(state, d.cadence_id, &steps);
    }
    let rows: Vec<Vec<String>> = d
        .members
        .iter()
        .map(|(m, p)| {
            let id = m.person_id();
            let entry = id.and_then(|id| state.people.search.index.by_id(id));
            let name = p
                .as_ref()
                .map(|p| p.label())
                .or_else(|| entry.map(|e| e.name.clone()))
                .unwrap_or_default();
            let email = p
                .as_ref()
                .and_then(|p| p.email_address.clone())
                .or_else(|| entry.map(|e| e.email.clone()))
                .unwrap_or_default();
            vec![
                d.cadence_id.to_string(),
                opt(id),
                field(&name),
                field(&email),
                field(&m.current_state),
                m.currently_on_cadence.to_string(),
                m.counts.sent_emails.to_string(),
            ]
        })
        .collect();
    Ok(Csv::new(
        "cadence-people",
        &MEMBERS,
        rows,
        "person",
        "people",
    ))
}

/// The steps in the funnel's order (disabled ones included, as drawn): the
/// people each reached (empty until the funnel is read, or for steps that
/// neither email nor call), the drop-off from the step before that reached
/// anyone (negative: a gain), and the step's emails in the range.
fn steps_csv(state: &AppState, cadence_id: u64, steps: &[&Step]) -> Result<Csv, String> {
    if steps.is_empty() {
        return Err("no steps on screen to export (still loading?)".into());
    }
    let range = state.metrics.range;
    let funnel = state
        .cadences
        .detail
        .as_ref()
        .and_then(|d| d.funnel.data.as_ref())
        .filter(|f| f.range == range);
    let counted = |st: &Step| matches!(st.step_type.as_str(), "email" | "phone");
    let reached = |st: &Step| {
        funnel
            .and_then(|f| f.row(st.id))
            .map(|r| r.people_reached)
            .filter(|&n| n > 0 || counted(st))
    };
    let known = state.engagement_known(cadence_id) && !state.engagement_pending(cadence_id);
    let rows = steps
        .iter()
        .enumerate()
        .map(|(pos, st)| {
            let here = reached(st);
            let before = steps[..pos]
                .iter()
                .rev()
                .filter_map(|p| reached(p))
                .find(|&n| n > 0);
            let drop = match (before, here) {
                (Some(b), Some(h)) => drop_off(b, h),
                _ => None,
            };
            let mut cells = vec![
                cadence_id.to_string(),
                st.id.to_string(),
                opt(st.step_number),
                opt(st.day),
                field(&st.step_type),
                field(&step_name(st)),
                st.disabled.to_string(),
                field(&range.to_string()),
                opt(here),
                rate(drop),
            ];
            // Empty, not the live minutes' counts, when the range was not read.
            if st.step_type == "email" && known {
                cells.extend(engagement_cells(&state.metrics.agg.by_step(st.id), false));
            } else {
                cells.extend(std::iter::repeat_n(String::new(), 10));
            }
            cells
        })
        .collect();
    Ok(Csv::new("steps", &STEPS, rows, "step", "steps"))
}

const TEMPLATES: [&str; 15] = [
    "cadence_id",
    "step_id",
    "range",
    "template_id",
    "template_name",
    "sent",
    "delivered",
    "replied",
    "reply_rate",
    "reply_rate_ci_low",
    "reply_rate_ci_high",
    "leader",
    "p_value",
    "p_better",
    "verdict",
];

/// The template A/B table of the step under the cursor, as drawn.
pub(super) fn templates(state: &AppState) -> Result<Csv, String> {
    let Some(d) = &state
        .cadences
        .detail
        .as_ref()
        .filter(|_| state.view == super::super::state::View::CadenceDetail)
    else {
        return Err("the template table is in a cadence's detail: open one (enter)".into());
    };
    let Some(st) = state.selected_step() else {
        return Err("move the cursor to a step to export its templates".into());
    };
    let range = state.metrics.range;
    let Some(f) = d.funnel.data.as_ref().filter(|f| f.range == range) else {
        return Err("the templates are still loading".into());
    };
    let rows: Vec<Vec<String>> = f
        .templates
        .get(&st.id)
        .map_or(&[][..], Vec::as_slice)
        .iter()
        .map(|t| {
            let e = &t.engagement;
            vec![
                d.cadence_id.to_string(),
                st.id.to_string(),
                field(&range.to_string()),
                opt(t.template_id),
                field(&f.title(t.template_id)),
                e.sent.to_string(),
                e.delivered.to_string(),
                e.replied.to_string(),
                rate(t.reply_rate),
                rate(t.reply_rate_ci.map(|c| c.0)),
                rate(t.reply_rate_ci.map(|c| c.1)),
                t.leader.to_string(),
                opt(t.p_value),
                opt(t.p_better),
                field(t.verdict.as_str()),
            ]
        })
        .collect();
    if rows.is_empty() {
        return Err(format!(
            "step {} sent no emails in {range}: no templates to export",
            st.id
        ));
    }
    Ok(Csv::new(
        "templates",
        &TEMPLATES,
        rows,
        "template",
        "templates",
    ))
}
