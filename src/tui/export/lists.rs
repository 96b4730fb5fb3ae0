//! The people found, a person's cadences, the Activity ranking and the alert
//! rules as CSV, each as its view lists them.

use crate::metrics::alerts::Check;

use super::super::alerts::RuleState;
use super::super::state::AppState;
use super::super::views::alerts::{condition, scope_text};
use super::csv::{Csv, field, opt, rate};

const PEOPLE: [&str; 6] = ["person_id", "name", "email", "company", "title", "marked"];

/// The people search's results, in the order shown, with their marks.
pub(super) fn people(state: &AppState) -> Result<Csv, String> {
    let p = &state.people.search;
    let rows: Vec<Vec<String>> = p
        .hits
        .hits
        .iter()
        .filter_map(|&i| p.index.get(i))
        .map(|e| {
            vec![
                e.id.to_string(),
                field(&e.name),
                field(&e.email),
                field(&e.company),
                field(&e.title),
                p.marked.contains(&e.id).to_string(),
            ]
        })
        .collect();
    if rows.is_empty() {
        return Err("no people on screen to export: search first (/)".into());
    }
    Ok(Csv::new("people", &PEOPLE, rows, "person", "people"))
}

const MEMBERSHIPS: [&str; 9] = [
    "person_id",
    "cadence_id",
    "cadence_name",
    "state",
    "currently_on_cadence",
    "added_at",
    "sent",
    "opens",
    "replies",
];

/// The open person's cadences (memberships), as the person page lists them.
pub(super) fn person(state: &AppState) -> Result<Csv, String> {
    let Some(page) = &state.people.person else {
        return Err("no person open".into());
    };
    let rows: Vec<Vec<String>> = page
        .memberships
        .iter()
        .map(|m| {
            let id = m.cadence_id();
            let name = id
                .and_then(|id| state.cadences.list.by_id(id))
                .map_or_else(String::new, |c| field(&c.name));
            vec![
                page.person_id.to_string(),
                opt(id),
                name,
                field(&m.current_state),
                m.currently_on_cadence.to_string(),
                opt(m.added_at.map(|t| t.to_rfc3339())),
                m.counts.sent_emails.to_string(),
                m.counts.views.to_string(),
                m.counts.replies.to_string(),
            ]
        })
        .collect();
    if rows.is_empty() {
        return Err("this person is on no cadence: nothing to export".into());
    }
    Ok(Csv::new(
        "person-cadences",
        &MEMBERSHIPS,
        rows,
        "cadence",
        "cadences",
    ))
}

const ACTIVITY: [&str; 8] = [
    "rank",
    "cadence_id",
    "name",
    "opens_10min",
    "clicks_10min",
    "replies_10min",
    "range",
    "open_rate",
];

/// The Activity view's ranking: live opens, clicks and replies over the
/// chart's ten minutes, busiest first, and the open rate over the range, as
/// shown.
pub(super) fn activity(state: &AppState) -> Result<Csv, String> {
    let rows: Vec<Vec<String>> = state
        .ranked_cadences()
        .into_iter()
        .enumerate()
        .map(|(i, (id, [opens, clicks, replies]))| {
            let name = state
                .cadences
                .list
                .by_id(id)
                .map_or_else(String::new, |c| field(&c.name));
            // Empty when the range was not read, as the cadences CSV.
            let known = state.engagement_known(id) && !state.engagement_pending(id);
            let open = known
                .then(|| state.metrics.agg.by_cadence(id).rates().open)
                .flatten();
            vec![
                (i + 1).to_string(),
                id.to_string(),
                name,
                opens.to_string(),
                clicks.to_string(),
                replies.to_string(),
                field(&state.metrics.range.to_string()),
                rate(open),
            ]
        })
        .collect();
    if rows.is_empty() {
        return Err("no cadences on screen to export".into());
    }
    Ok(Csv::new("activity", &ACTIVITY, rows, "cadence", "cadences"))
}

const ALERTS: [&str; 16] = [
    "name",
    "metric",
    "direction",
    "threshold",
    "days",
    "min_sent",
    "drop_vs_days",
    "cadence_id",
    "scope",
    "condition",
    "state",
    "sent",
    "value",
    "rate",
    "baseline_rate",
    "note",
];

/// The `[[alerts]]` rules with what each says now, in the config's order.
pub(super) fn alerts(state: &AppState) -> Result<Csv, String> {
    let a = &state.analytics.alerts;
    let rows: Vec<Vec<String>> = a
        .rules
        .iter()
        .enumerate()
        .map(|(i, r)| {
            // `value` is what the rule compares: the rate, or with
            // drop_vs_days the drop; the screen's "Now" also gives the rate
            // and the baseline's when the rule fires.
            let (word, sent, value, rates, note) = match a.states.get(i) {
                Some(RuleState::Evaluated(Check::Fires(f))) => (
                    "firing",
                    Some(f.sent),
                    Some(f.value),
                    (Some(f.rate), f.baseline_rate),
                    String::new(),
                ),
                Some(RuleState::Evaluated(Check::Quiet { sent, value })) => {
                    let rate = value.filter(|_| r.drop_vs_days.is_none());
                    ("quiet", Some(*sent), *value, (rate, None), String::new())
                }
                Some(RuleState::Evaluated(Check::TooFew { sent })) => (
                    "too_few",
                    Some(*sent),
                    None,
                    (None, None),
                    format!("fewer than {} sent", r.min_sent),
                ),
                Some(RuleState::NotEvaluated(why)) => {
                    ("not_evaluated", None, None, (None, None), why.clone())
                }
                None => ("not_evaluated", None, None, (None, None), String::new()),
            };
            vec![
                field(&r.name),
                r.metric.as_str().to_string(),
                r.threshold.direction().to_string(),
                format!("{:.4}", r.threshold.value()),
                r.days.to_string(),
                r.min_sent.to_string(),
                opt(r.drop_vs_days),
                opt(r.cadence),
                field(&scope_text(state, r)),
                field(&condition(r)),
                word.to_string(),
                opt(sent),
                rate(value),
                rate(rates.0),
                rate(rates.1),
                field(&note),
            ]
        })
        .collect();
    if rows.is_empty() {
        return Err("no alert rules to export: add [[alerts]] to config.toml".into());
    }
    Ok(Csv::new("alerts", &ALERTS, rows, "rule", "rules"))
}
