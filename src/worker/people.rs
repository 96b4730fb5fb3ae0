//! The people index walk: a keyset cursor over every person, for the local search.
//! The first walk reads everyone; later walks continue from the saved position and
//! pick up only people changed since.

use super::ctx::{Admission, Ctx, lock};
use super::jobs::{Job, JobEnd};
use super::protocol::{Priority, Request, RequestId, WorkerEvent};
use super::reads::{admit, failed, reread};
use crate::api::Query;
use crate::api::models::Person;

/// `announce`: a request from the UI (deferrals are reported and it ends with
/// `PeopleIndexed`); otherwise the worker's own quiet refresh.
pub async fn walk(ctx: &Ctx, id: RequestId, announce: bool) -> JobEnd {
    let start = lock(&ctx.people).position.clone().unwrap_or_default();
    let query = Query::new().push("per_page", 100);
    let mut stream = ctx.client.cursor::<Person>("people", query, start);
    let mut tries = 0;
    loop {
        let what = "people index (1 point per 100 people)";
        let permit = if announce {
            match admit(ctx, id, Priority::Bulk, 1, what) {
                Ok(permit) => permit,
                Err(stop) => return stop.end(Job::Request(Request::IndexPeople)),
            }
        } else {
            match ctx.admit(Priority::Bulk, 1, what) {
                Admission::Go(permit) => permit,
                Admission::Defer { .. } => return JobEnd::Done(Ok(())),
            }
        };
        let next = stream.next_batch().await;
        drop(permit);
        match next {
            Ok(Some(people)) => {
                tries = 0;
                {
                    let mut state = lock(&ctx.people);
                    for p in &people {
                        state.seen.insert(p.id);
                    }
                    state.position = Some(stream.position().clone());
                }
                ctx.emit(WorkerEvent::PeopleBatch { id, people });
            }
            Ok(None) => break,
            Err(e) if reread(&e, &mut tries) => {}
            Err(e) if announce => {
                return failed(ctx, id, "indexing people", e)
                    .end(Job::Request(Request::IndexPeople));
            }
            Err(e) => return JobEnd::Done(Err(format!("refreshing the people index: {e}"))),
        }
    }
    let total = {
        let mut state = lock(&ctx.people);
        state.indexed = true;
        state.seen.len()
    };
    if announce {
        ctx.emit(WorkerEvent::PeopleIndexed { id, total });
    }
    JobEnd::Done(Ok(()))
}
