//! Reads `report` makes with the client itself (the worker has no request for
//! them): a cadence's steps and emails, the team's calls, template names. Every
//! list is walked with the keyset cursor (shallow pages, one point per 100).

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};

use crate::api::models::{Call, Email, EmailTemplate, Step};
use crate::api::query::format_timestamp;
use crate::api::{ApiClient, ApiResult, CursorPosition, Query};
use crate::metrics::TimeRange;

const PER_PAGE: u32 = 100;

async fn walk<T>(client: &ApiClient, path: &str, query: Query) -> ApiResult<Vec<T>>
where
    T: serde::de::DeserializeOwned + crate::api::models::Timestamped,
{
    let mut stream = client.cursor::<T>(
        path,
        query.push("per_page", PER_PAGE),
        CursorPosition::start(),
    );
    let mut out = Vec::new();
    while let Some(batch) = stream.next_batch().await? {
        out.extend(batch);
    }
    Ok(out)
}

/// The cadence's steps in cadence order (day, then number), disabled ones included.
pub async fn steps(client: &ApiClient, cadence_id: u64) -> ApiResult<Vec<Step>> {
    let mut steps: Vec<Step> =
        walk::<Step>(client, "steps", Query::new().push("cadence_id", cadence_id))
            .await?
            .into_iter()
            .filter(|s| s.cadence.as_ref().and_then(|c| c.id_u64()) == Some(cadence_id))
            .collect();
    crate::metrics::funnel::cadence_order(&mut steps);
    Ok(steps)
}

/// The cadence's emails sent in `range` (all its emails when all time).
pub async fn cadence_emails(
    client: &ApiClient,
    cadence_id: u64,
    range: TimeRange,
    now: DateTime<Utc>,
) -> ApiResult<Vec<Email>> {
    let mut q = Query::new().push("cadence_id[]", cadence_id);
    if let Some(since) = range.since(now) {
        q = q.push("sent_at[gte]", format_timestamp(&since.fixed_offset()));
    }
    walk(client, "activities/emails", q).await
}

/// The team's calls made in `range` (every call when all time).
pub async fn calls(
    client: &ApiClient,
    range: TimeRange,
    now: DateTime<Utc>,
) -> ApiResult<Vec<Call>> {
    let mut q = Query::new();
    if let Some(since) = range.since(now) {
        q = q.push("created_at[gte]", format_timestamp(&since.fixed_offset()));
    }
    walk(client, "activities/calls", q).await
}

/// Titles of the given templates (cadence templates included), by id.
pub async fn template_titles(client: &ApiClient, ids: &[u64]) -> ApiResult<BTreeMap<u64, String>> {
    let mut out = BTreeMap::new();
    for chunk in ids.chunks(PER_PAGE as usize) {
        let mut q = Query::new()
            .push("include_cadence_templates", "true")
            .push("per_page", PER_PAGE);
        for id in chunk {
            q = q.push("ids[]", id);
        }
        let page = client.list::<EmailTemplate>("email_templates", &q).await?;
        out.extend(page.data.into_iter().map(|t| (t.id, t.title)));
    }
    Ok(out)
}
