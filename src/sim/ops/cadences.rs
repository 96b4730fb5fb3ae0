//! `POST /v2/cadence_imports`: a new cadence and its steps from the
//! `cadence_content` a cadence export gives (see `sim::json::cadence_export`),
//! with `settings` (name, target_daily_people, remove_replied, remove_bounced,
//! cadence_function) and `sharing_settings` (team_cadence, shared).

use serde_json::Value;

use super::{Errors, World};
use crate::sim::body::Fields;
use crate::sim::model::{Cadence, EmailTemplate, Step, StepType};
use crate::sim::query::ApiError;

/// One step read from `cadence_content.step_groups[].steps[]`.
struct NewStep {
    day: u32,
    kind: StepType,
    name: String,
    enabled: bool,
    templates: Vec<(String, String, String)>,
}

fn text(v: &Value, key: &str) -> Option<String> {
    v.get(key)
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

fn flag(v: Option<&Value>, key: &str, default: bool) -> bool {
    v.and_then(|v| v.get(key))
        .and_then(Value::as_bool)
        .unwrap_or(default)
}

/// Reads the steps, or says which field is wrong (422 like the real API).
fn read_steps(content: Option<&Value>, errs: &mut Errors) -> Vec<NewStep> {
    let Some(groups) = content
        .and_then(|c| c.get("step_groups"))
        .and_then(Value::as_array)
    else {
        errs.add("cadence_content", "must have a step_groups array");
        return Vec::new();
    };
    let mut out = Vec::new();
    for g in groups {
        let day = g.get("day").and_then(Value::as_u64).unwrap_or(0);
        let Ok(day @ 1..=365) = u32::try_from(day) else {
            errs.add(
                "cadence_content",
                "step_groups[].day must be a day from 1 to 365",
            );
            continue;
        };
        for s in g
            .get("steps")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let kind = match s.get("type").and_then(Value::as_str) {
                Some("email") => StepType::Email,
                Some("phone") => StepType::Phone,
                Some("other") => StepType::Other,
                Some("integration") => StepType::Integration,
                _ => {
                    errs.add(
                        "cadence_content",
                        "steps[].type must be email, phone, other or integration",
                    );
                    continue;
                }
            };
            let templates = s
                .get("type_settings")
                .and_then(|t| t.get("email_templates"))
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .map(|t| {
                    let subject = text(t, "subject").unwrap_or_default();
                    let title = text(t, "title").unwrap_or_else(|| subject.clone());
                    (title, subject, text(t, "body").unwrap_or_default())
                })
                .collect();
            out.push(NewStep {
                day,
                kind,
                name: text(s, "name").unwrap_or_else(|| kind.as_str().to_string()),
                enabled: s.get("enabled").and_then(Value::as_bool).unwrap_or(true),
                templates,
            });
        }
    }
    out
}

/// Creates the cadence (owned by the key's user) and its steps; returns its id.
pub fn import_cadence(w: &mut World, f: &Fields) -> Result<u64, ApiError> {
    let mut errs = Errors::default();
    let settings = f.raw("settings").filter(|v| v.is_object());
    let sharing = f.raw("sharing_settings").filter(|v| v.is_object());
    let name = settings.and_then(|s| text(s, "name"));
    if name.is_none() {
        errs.add("name", "can't be blank");
    }
    let steps = read_steps(f.raw("cadence_content"), &mut errs);
    errs.check()?;
    let name = name.unwrap_or_default();
    let me = w.me().ok_or(ApiError::NotFound)?;
    let now = w.stamp();
    let ds = &mut w.ds;
    let cadence_id = ds.cadences.next_id();
    let mut step_ids = Vec::with_capacity(steps.len());
    let mut last_day = 0;
    let mut number = 0;
    let mut ordered = steps;
    ordered.sort_by_key(|s| s.day);
    for s in ordered {
        if s.day != last_day {
            last_day = s.day;
            number = 0;
        }
        number += 1;
        let mut template_ids = Vec::new();
        if s.kind == StepType::Email {
            for (title, subject, body) in s.templates {
                let id = ds.email_templates.next_id();
                ds.email_templates.insert(EmailTemplate {
                    id,
                    title,
                    subject,
                    body,
                    cadence_template: true,
                    open_tracking_enabled: true,
                    click_tracking_enabled: true,
                    shared: false,
                    created_at: now,
                    updated_at: now,
                });
                template_ids.push(id);
            }
        }
        let id = ds.steps.next_id();
        ds.steps.insert(Step {
            id,
            cadence_id,
            day: s.day,
            step_number: number,
            kind: s.kind,
            name: s.name,
            disabled: !s.enabled,
            multitouch_enabled: false,
            template_ids,
            created_at: now,
            updated_at: now,
        });
        step_ids.push(id);
    }
    let team_cadence = flag(sharing, "team_cadence", false);
    let target = settings
        .and_then(|s| s.get("target_daily_people"))
        .and_then(Value::as_u64)
        .and_then(|v| u32::try_from(v).ok())
        .unwrap_or(0);
    ds.cadences.insert(Cadence {
        id: cadence_id,
        name,
        owner_id: me,
        creator_id: me,
        team_cadence,
        shared: team_cadence || flag(sharing, "shared", false),
        draft: false,
        archived_at: None,
        cadence_function: settings
            .and_then(|s| text(s, "cadence_function"))
            .unwrap_or_else(|| "outbound".to_string()),
        tags: Vec::new(),
        remove_bounces_enabled: flag(settings, "remove_bounced", true),
        remove_replies_enabled: flag(settings, "remove_replied", true),
        opt_out_link_included: false,
        target_daily_people: target,
        opportunities_created: 0,
        meetings_booked: 0,
        step_ids,
        created_at: now,
        updated_at: now,
    });
    Ok(cadence_id)
}
