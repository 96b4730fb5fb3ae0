//! The people index walk: a keyset cursor over every person, for the local search.
//! The first walk reads everyone; later walks continue from the saved position and
//! pick up only people changed since.

use std::sync::Arc;

use super::ctx::{Admission, Ctx, lock};
use super::job::{Job, JobEnd};
use super::protocol::{Priority, Request, RequestId, SharedPeople, WorkerEvent};
use super::reads::{admit, failed, reread};
use crate::api::Query;
use crate::api::models::Person;
use crate::search::{PeopleIndex, PersonEntry};

/// What the search shows of a person.
pub fn person_entry(p: &Person) -> PersonEntry {
    PersonEntry {
        id: p.id,
        name: p.label(),
        email: p.email_address.clone().unwrap_or_default(),
        company: p.person_company_name.clone().unwrap_or_default(),
        title: p.title.clone().unwrap_or_default(),
    }
}

/// `people` as search entries, shared by whoever holds a clone (the walk's own
/// index and the UI's), the pages themselves dropped by the caller.
pub fn shared_entries(people: &[Person]) -> SharedPeople {
    people.iter().map(|p| Arc::new(person_entry(p))).collect()
}

/// `announce`: a request from the UI (deferrals are reported and it ends with
/// `PeopleIndexed`); otherwise the worker's own quiet refresh.
pub async fn walk(ctx: &Ctx, id: RequestId, announce: bool) -> JobEnd {
    let start = lock(&ctx.people).position.clone();
    // A walk from the start lists everyone: it also builds their index for the
    // UI (later walks list only changes; the UI adds those itself). Not laid
    // out here: the UI's own index of the pages may be laid out already (a
    // search typed during the walk), and two layouts of everyone would be held;
    // the UI has the worker lay this one out when it takes it.
    let mut built = (announce && start.is_none()).then(PeopleIndex::default);
    let start = start.unwrap_or_default();
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
                let entries = shared_entries(&people);
                drop(people);
                if let Some(index) = &mut built {
                    for e in &entries {
                        index.upsert(e.clone());
                    }
                }
                ctx.emit(WorkerEvent::PeopleBatch {
                    id,
                    people: entries,
                });
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
        let index = built.map(Box::new);
        ctx.emit(WorkerEvent::PeopleIndexed { id, total, index });
    }
    JobEnd::Done(Ok(()))
}
