//! The data the analytics read: template variants with different true reply
//! rates, untracked emails, calls on steps, outcomes consistent with replies.

use std::collections::HashMap;

use super::tests::opts;
use super::*;
use crate::sim::model::{Email, Step, StepType};

#[test]
fn email_steps_rotate_through_two_or_three_templates() {
    let ds = generate(&opts(11, 3000));
    let email_steps: Vec<&Step> = ds
        .steps
        .iter()
        .filter(|s| s.kind == StepType::Email)
        .collect();
    assert!(
        email_steps
            .iter()
            .all(|s| (1..=3).contains(&s.template_ids.len()))
    );
    let ab = email_steps
        .iter()
        .filter(|s| s.template_ids.len() > 1)
        .count();
    assert!(
        ab * 3 > email_steps.len(),
        "most email steps run an A/B test: {ab}"
    );
    assert!(
        ds.steps
            .iter()
            .filter(|s| s.kind != StepType::Email)
            .all(|s| s.template_ids.is_empty())
    );
    // Every cadence email names one of its step's templates; one-offs none.
    for e in ds.emails.iter() {
        match (e.step_id, e.template_id) {
            (Some(step), Some(t)) => {
                assert!(ds.steps.get(step).unwrap().template_ids.contains(&t));
            }
            (None, None) => {}
            other => panic!("email {} has step/template {other:?}", e.id),
        }
    }
}

#[test]
fn template_variants_have_different_reply_rates() {
    let ds = generate(&opts(5, 20_000));
    // Delivered and replied per template.
    let mut per: HashMap<u64, (u64, u64)> = HashMap::new();
    for e in ds
        .emails
        .iter()
        .filter(|e| e.status.is_sent() && !e.bounced)
    {
        if let Some(t) = e.template_id {
            let c = per.entry(t).or_default();
            c.0 += 1;
            c.1 += u64::from(e.replies > 0);
        }
    }
    // On the busiest A/B step, the variants' true factors differ, and so do
    // the observed rates, in the same order.
    let step = ds
        .steps
        .iter()
        .filter(|s| s.template_ids.len() > 1)
        .max_by_key(|s| {
            s.template_ids
                .iter()
                .map(|t| per.get(t).map_or(0, |c| c.0))
                .sum::<u64>()
        })
        .expect("an A/B step");
    let mut rows: Vec<(f64, f64)> = step
        .template_ids
        .iter()
        .map(|t| {
            let (n, r) = per.get(t).copied().unwrap_or_default();
            (
                template_reply_factor(ds.team_id, *t),
                r as f64 / n.max(1) as f64,
            )
        })
        .collect();
    rows.sort_by(|a, b| a.0.total_cmp(&b.0));
    let (lo, hi) = (rows[0], rows[rows.len() - 1]);
    if hi.0 - lo.0 > 0.4 {
        assert!(hi.1 > lo.1, "the better template replies more: {rows:?}");
    }
}

#[test]
fn some_emails_are_not_tracked() {
    let ds = generate(&opts(3, 3000));
    let sent: Vec<&Email> = ds.emails.iter().filter(|e| e.status.is_sent()).collect();
    let no_views = sent.iter().filter(|e| !e.view_tracking).count();
    let no_clicks = sent.iter().filter(|e| !e.click_tracking).count();
    assert!(
        no_views > 0 && no_views * 5 < sent.len(),
        "{no_views} of {}",
        sent.len()
    );
    assert!(no_clicks > 0, "some emails do not track clicks");
    assert!(
        sent.iter()
            .all(|e| (e.view_tracking || e.views == 0) && (e.click_tracking || e.clicks == 0)),
        "untracked emails never show views or clicks"
    );
}

#[test]
fn outcomes_follow_replies_and_calls() {
    let ds = generate(&opts(9, 5000));
    let mut replies: HashMap<u64, u32> = HashMap::new();
    for e in ds.emails.iter().filter(|e| e.replies > 0) {
        if let Some(c) = e.cadence_id {
            *replies.entry(c).or_default() += 1;
        }
    }
    let mut demos: HashMap<u64, u32> = HashMap::new();
    let mut calls_on_steps = 0;
    for call in ds.calls.iter() {
        if let (Some(c), Some(_)) = (call.cadence_id, call.step_id) {
            calls_on_steps += 1;
            assert!(call.disposition.is_some());
            if call.sentiment.as_deref() == Some("Demo Scheduled") {
                *demos.entry(c).or_default() += 1;
            }
        }
    }
    assert!(calls_on_steps > 100, "calls happen on cadence steps");
    let mut booked = 0;
    for c in ds.cadences.iter() {
        let most =
            replies.get(&c.id).copied().unwrap_or(0) + demos.get(&c.id).copied().unwrap_or(0);
        assert!(
            c.meetings_booked <= most,
            "cadence {}: {} meetings",
            c.id,
            c.meetings_booked
        );
        assert!(c.opportunities_created <= c.meetings_booked);
        booked += c.meetings_booked;
    }
    assert!(booked > 0, "meetings get booked");
}
