//! A cadence's step funnel and template comparisons for the detail view: the
//! cadence's steps, its emails in range and the team's calls in range, read with
//! the keyset cursor (one point per 100 records) and counted by
//! `metrics::funnel`, as `report --by step` and `--by template` count them.

use std::collections::BTreeMap;

use chrono::Utc;
use serde::de::DeserializeOwned;

use super::ctx::Ctx;
use super::facts::{EMAILS_PATH, PER_PAGE, engagement_query, since_param};
use super::jobs::{Job, JobEnd, Stop};
use super::protocol::{Priority, Request, RequestId, WorkerEvent};
use super::reads::{admit, failed, reread};
use crate::api::models::{Call, EmailTemplate, Step, Timestamped};
use crate::api::{CursorPosition, Query};
use crate::metrics::TimeRange;
use crate::metrics::funnel::{cadence_order, step_funnel, templates_by_step};

/// Every record of a list, one admitted cursor page at a time.
async fn cursor_all<T>(
    ctx: &Ctx,
    id: RequestId,
    priority: Priority,
    path: &str,
    query: Query,
    what: &str,
) -> Result<Vec<T>, Stop>
where
    T: DeserializeOwned + Timestamped + Send + 'static,
{
    let mut stream = ctx.client.cursor::<T>(
        path,
        query.set("per_page", PER_PAGE),
        CursorPosition::start(),
    );
    let page = format!("{what} (1 point per 100)");
    let mut out = Vec::new();
    let mut tries = 0;
    loop {
        let permit = admit(ctx, id, priority, 1, &page)?;
        let next = stream.next_batch().await;
        drop(permit);
        match next {
            Ok(Some(batch)) => {
                tries = 0;
                out.extend(batch);
            }
            Ok(None) => return Ok(out),
            Err(e) if reread(&e, &mut tries) => {}
            Err(e) => return Err(failed(ctx, id, what, e)),
        }
    }
}

/// Reads and counts the funnel of `cadence_id` over `range`; answered with one
/// `Funnel` event.
pub async fn load(
    ctx: &Ctx,
    id: RequestId,
    priority: Priority,
    cadence_id: u64,
    range: TimeRange,
) -> JobEnd {
    let result = async {
        let now = Utc::now();
        let what = format!("funnel of cadence {cadence_id}");
        let by_cadence = Query::new().push("cadence_id", cadence_id);
        let mut steps: Vec<Step> =
            cursor_all(ctx, id, priority, "steps", by_cadence, &what).await?;
        steps.retain(|s| s.cadence.as_ref().and_then(|c| c.id_u64()) == Some(cadence_id));
        cadence_order(&mut steps);
        let emails = cursor_all(
            ctx,
            id,
            priority,
            EMAILS_PATH,
            engagement_query(cadence_id, range, now),
            &what,
        )
        .await?;
        let mut calls_q = Query::new();
        if let Some(since) = range.since(now) {
            calls_q = calls_q.push("created_at[gte]", since_param(since));
        }
        let calls: Vec<Call> =
            cursor_all(ctx, id, priority, "activities/calls", calls_q, &what).await?;
        let funnel = step_funnel(cadence_id, &steps, &emails, &calls, range, now);
        let templates = templates_by_step(&emails, range, now);
        let mut ids: Vec<u64> = templates
            .values()
            .flatten()
            .filter_map(|t| t.template_id)
            .collect();
        ids.sort_unstable();
        ids.dedup();
        let mut titles = BTreeMap::new();
        for chunk in ids.chunks(PER_PAGE as usize) {
            let q = chunk.iter().fold(
                Query::new()
                    .push("include_cadence_templates", "true")
                    .push("per_page", PER_PAGE),
                |q, t| q.push("ids[]", t),
            );
            let permit = admit(ctx, id, priority, 1, &what)?;
            let page = ctx
                .client
                .list::<EmailTemplate>("email_templates", &q)
                .await;
            drop(permit);
            let page = page.map_err(|e| failed(ctx, id, &what, e))?;
            titles.extend(page.data.into_iter().map(|t| (t.id, t.title)));
        }
        ctx.emit(WorkerEvent::Funnel {
            id,
            cadence_id,
            range,
            steps,
            funnel,
            templates,
            titles,
        });
        Ok::<(), Stop>(())
    };
    match result.await {
        Ok(()) => JobEnd::Done(Ok(())),
        Err(stop) => stop.end(Job::Request(Request::Funnel { cadence_id, range })),
    }
}
