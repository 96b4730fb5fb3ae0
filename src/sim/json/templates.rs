//! Email templates (`/v2/email_templates`) and cadence exports
//! (`/v2/cadence_exports/{id}`), rendered from the simulator's own model.

use std::collections::HashMap;

use serde_json::{Value, json};

use super::{href, ts};
use crate::sim::model::{Cadence, Dataset, EmailTemplate, Micros, StepType};

/// What a template's emails add up to: `counts` (sent, views, clicks, replies,
/// bounces, counted as emails, not events) and when it was last used.
#[derive(Debug, Clone, Copy, Default)]
pub struct TemplateUse {
    pub counts: [u64; 5],
    pub last_used: Option<Micros>,
}

/// [`TemplateUse`] of every template that has sent emails, in one pass over the emails.
pub fn template_counts(ds: &Dataset) -> HashMap<u64, TemplateUse> {
    let mut out: HashMap<u64, TemplateUse> = HashMap::new();
    for e in ds.emails.iter() {
        let Some(t) = e.template_id else { continue };
        if !e.status.is_sent() {
            continue;
        }
        let u = out.entry(t).or_default();
        let c = &mut u.counts;
        c[0] += 1;
        c[1] += u64::from(e.views > 0);
        c[2] += u64::from(e.clicks > 0);
        c[3] += u64::from(e.replies > 0);
        c[4] += u64::from(e.bounced);
        u.last_used = u.last_used.max(e.sent_at);
    }
    out
}

/// The first 100 characters of the body as plain text.
fn preview(body: &str) -> String {
    let mut text = String::with_capacity(body.len());
    let mut in_tag = false;
    for ch in body.chars() {
        match ch {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => text.push(c),
            _ => {}
        }
    }
    text.chars().take(100).collect()
}

pub fn email_template(
    ds: &Dataset,
    t: &EmailTemplate,
    used: Option<&TemplateUse>,
    base: &str,
) -> Value {
    let used = used.copied().unwrap_or_default();
    let [sent, views, clicks, replies, bounces] = used.counts;
    let last_used = used.last_used;
    json!({
        "id": t.id,
        "created_at": ts(ds, t.created_at),
        "updated_at": ts(ds, t.updated_at),
        "title": t.title,
        "subject": t.subject,
        "body": t.body,
        "body_preview": preview(&t.body),
        "groups": [],
        "shared": t.shared,
        "open_tracking_enabled": t.open_tracking_enabled,
        "click_tracking_enabled": t.click_tracking_enabled,
        "cadence_template": t.cadence_template,
        "archived_at": null,
        "last_used_at": last_used.map(|at| ts(ds, at)),
        "tags": [],
        "counts": {
            "sent_emails": sent,
            "views": views,
            "clicks": clicks,
            "replies": replies,
            "bounces": bounces,
        },
        "template_owner": null,
        "team_template": null,
        "_links": {
            "attachments": format!("{base}/email_template_attachments?email_template_id[]={}", t.id),
        },
    })
}

/// `data` of `GET /v2/cadence_exports/{id}`: `{"cadence_content": {"step_groups": [...]}}`,
/// one group per day in step order, each step with its type, name, whether it is
/// enabled, and (email steps) its templates. The same `cadence_content` is what
/// `POST /v2/cadence_imports` takes.
pub fn cadence_export(ds: &Dataset, c: &Cadence) -> Value {
    let mut groups: Vec<Value> = Vec::new();
    let mut current: Option<(u32, Vec<Value>)> = None;
    for s in c.step_ids.iter().filter_map(|id| ds.steps.get(*id)) {
        let templates: Vec<Value> = s
            .template_ids
            .iter()
            .filter_map(|id| ds.email_templates.get(*id))
            .map(|t| json!({"title": t.title, "subject": t.subject, "body": t.body}))
            .collect();
        let type_settings = match s.kind {
            StepType::Email => json!({ "email_templates": templates }),
            _ => json!({}),
        };
        let step = json!({
            "type": s.kind.as_str(),
            "name": s.name,
            "enabled": !s.disabled,
            "multitouch_enabled": s.multitouch_enabled,
            "type_settings": type_settings,
        });
        match &mut current {
            Some((day, steps)) if *day == s.day => steps.push(step),
            _ => {
                if let Some(done) = current.take() {
                    groups.push(step_group(done));
                }
                current = Some((s.day, vec![step]));
            }
        }
    }
    if let Some(done) = current {
        groups.push(step_group(done));
    }
    json!({ "cadence_content": { "step_groups": groups } })
}

fn step_group((day, steps): (u32, Vec<Value>)) -> Value {
    json!({
        "day": day,
        "reference_id": day,
        "due_immediately": false,
        "steps": steps,
    })
}

/// `data` of `POST /v2/cadence_imports`.
pub fn cadence_import(base: &str, cadence_id: u64) -> Value {
    json!({ "cadence": href(base, "cadences", cadence_id) })
}
