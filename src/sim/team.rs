//! Team-level resources: `GET /v2/team`, and the team's call dispositions and
//! sentiments (objects `{id, created_at, updated_at, name}`, salesloft-api.md §3.7).

use serde_json::{Value, json};

use super::json;
use super::list::SortVal;
use super::lists::{Filter, run, value};
use super::model::{Dataset, Micros, Record, Table};
use super::query::{ApiError, Query};

/// When the team was set up: its first user's creation time.
fn team_created(ds: &Dataset) -> Micros {
    ds.users
        .iter()
        .map(|u| u.created_at)
        .min()
        .unwrap_or(ds.now)
}

/// `GET /v2/team` (fields from the spec's Team schema).
pub fn team(ds: &Dataset) -> Value {
    let created = team_created(ds);
    json!({
        "id": ds.team_id,
        "created_at": json::ts(ds, created),
        "updated_at": json::ts(ds, created),
        "name": ds.team_name,
        "license_limit": ds.users.len().max(1) + 3,
        "plan": "advanced",
        "plan_features": {},
        "team_visibility_default": "public",
        "group_privacy_setting": if ds.privacy.as_ref().is_some_and(|p| p.group_public) {
            "group_public"
        } else {
            "all_public"
        },
        "allow_automated_email_steps": true,
        "call_recording_disabled": false,
        "click_tracking_default": true,
        "custom_tracking_domain": null,
        "deactivated": false,
        "dispositions_required": false,
        "sentiments_required": false,
        "email_daily_limit": 1000,
        "local_dial_enabled": true,
        "record_by_default": false,
        "_private_fields": {},
    })
}

/// A disposition or sentiment row.
#[derive(Debug, Clone)]
pub struct Named {
    pub id: u64,
    pub name: String,
    pub at: Micros,
}

impl Record for Named {
    fn id(&self) -> u64 {
        self.id
    }
    fn updated_at(&self) -> Micros {
        self.at
    }
}

fn named_list(
    ds: &Dataset,
    names: &[String],
    first_id: u64,
    q: Query,
    filter_name: bool,
) -> Result<String, ApiError> {
    let at = team_created(ds);
    let rows = names
        .iter()
        .enumerate()
        .map(|(i, n)| Named {
            id: first_id + i as u64,
            name: n.clone(),
            at,
        })
        .collect();
    let table = Table::from_rows(first_id, rows);
    let key = |by: &str| -> Option<fn(&Named) -> SortVal> {
        match by {
            "name" => Some(|n| SortVal::text(Some(&n.name))),
            _ => None,
        }
    };
    let filters = move |q: &mut Query| -> Filter<Named> {
        let names = if filter_name { q.strings("name") } else { None };
        Some(Box::new(move |n: &Named| {
            names.as_ref().is_none_or(|s| s.contains(&n.name))
        }))
    };
    run(
        &table,
        q,
        true,
        &["name", "updated_at"],
        "name",
        key,
        filters,
        value(|n: &Named| {
            json!({
                "id": n.id,
                "created_at": json::ts(ds, n.at),
                "updated_at": json::ts(ds, n.at),
                "name": n.name,
            })
        }),
    )
}

/// `GET /v2/call_dispositions`
pub fn dispositions(ds: &Dataset, q: Query) -> Result<String, ApiError> {
    named_list(ds, &ds.call_dispositions, 41_001, q, false)
}

/// `GET /v2/call_sentiments`
pub fn sentiments(ds: &Dataset, q: Query) -> Result<String, ApiError> {
    named_list(ds, &ds.call_sentiments, 17_001, q, true)
}
