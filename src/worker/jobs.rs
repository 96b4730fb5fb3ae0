//! The jobs the worker runs, how each is labelled, and how each one ends.

use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::{Duration, Instant};

use super::cache::CacheKey;
use super::ctx::Ctx;
use super::protocol::{Priority, Request, RequestId, WorkerEvent};
use super::{breaker, engagement, enroll, estimate, people, reads};

/// One unit of work: a UI request, or one of the worker's own periodic walks.
#[derive(Debug, Clone, PartialEq)]
pub enum Job {
    Request(Request),
    /// The live poll over changed emails (answers carry the `SetLive` id).
    Poll,
    /// Picks up changed people after the first full index.
    PeopleRefresh,
    /// Asks whether SalesLoft answers again (the circuit breaker's probe).
    Probe,
    /// Tries a refused key once more after the backoff (`GET /me`).
    AuthProbe,
}

impl Job {
    pub fn label(&self) -> String {
        match self {
            Job::Request(r) => label(r),
            Job::Poll => "Checking for new email activity".into(),
            Job::PeopleRefresh => "Refreshing the people index".into(),
            Job::Probe => "Checking whether SalesLoft answers".into(),
            Job::AuthProbe => "Trying the key again".into(),
        }
    }
}

/// The task line's words for a request.
pub fn label(request: &Request) -> String {
    match request {
        Request::Cadences => "Loading cadences".into(),
        Request::CadenceDetail { cadence_id } => format!("Loading cadence {cadence_id}"),
        Request::Engagement { cadence_ids, range } => {
            let n = cadence_ids.len();
            let s = if n == 1 { "" } else { "s" };
            format!("Loading engagement of {n} cadence{s} ({range})")
        }
        Request::EstimateEngagement { cadence_ids, range } => {
            let n = cadence_ids.len();
            let s = if n == 1 { "" } else { "s" };
            format!("Counting the emails of {n} cadence{s} ({range})")
        }
        Request::StoredEngagement { range } => {
            format!("Reading the stored engagement ({range})")
        }
        Request::IndexPeople => "Indexing people for search".into(),
        Request::LayOutPeople { .. } => "Laying out the people index".into(),
        Request::PersonByEmail { email } => format!("Looking up {email}"),
        Request::PersonDetail { person_id } => format!("Loading person {person_id}"),
        Request::Enroll {
            person_ids,
            cadence_id,
            ..
        } => {
            let n = person_ids.len();
            let who = if n == 1 {
                "1 person".to_string()
            } else {
                format!("{n} people")
            };
            format!("Enrolling {who} into cadence {cadence_id}")
        }
        Request::SetLive { enabled: true } => "Live updates on".into(),
        Request::SetLive { enabled: false } => "Live updates paused".into(),
        Request::SetPollInterval { secs } => format!("Polling every {secs} s"),
        Request::LiveFrom { through } => {
            format!(
                "Catching up on emails changed since {}",
                through.format("%Y-%m-%d %H:%M UTC")
            )
        }
        Request::ClearCache => "Clearing cached data".into(),
        Request::Me => "Loading your user".into(),
        Request::Users => "Loading the team's users".into(),
        Request::RetryAuth => "Trying the key again".into(),
        Request::Funnel { cadence_id, range } => {
            format!("Loading the funnel of cadence {cadence_id} ({range})")
        }
        Request::Calls { range } => format!("Loading the team's calls ({range})"),
    }
}

/// How a job ended.
#[derive(Debug)]
pub enum JobEnd {
    /// Done; the error in words.
    Done(Result<(), String>),
    /// The budget could not afford it (a `Deferred` event said so); run `job`
    /// (the rest of the work) again after `retry_in`.
    Deferred { retry_in: Duration, job: Job },
    /// A newer request of the same latest-wins slot replaced it.
    Superseded,
}

/// Why a walk stopped early.
#[derive(Debug)]
pub enum Stop {
    /// Deferred for the budget; the `Deferred` event was sent.
    Budget(Duration),
    /// Replaced by a newer request.
    Cancelled,
    Failed(String),
}

impl Stop {
    /// The job's end, given what is left to do.
    pub fn end(self, rest: Job) -> JobEnd {
        match self {
            Stop::Budget(retry_in) => JobEnd::Deferred {
                retry_in,
                job: rest,
            },
            Stop::Cancelled => JobEnd::Superseded,
            Stop::Failed(e) => JobEnd::Done(Err(e)),
        }
    }
}

pub async fn run(
    ctx: Arc<Ctx>,
    id: RequestId,
    priority: Priority,
    job: Job,
    cancel: Arc<AtomicBool>,
) -> JobEnd {
    // While SalesLoft is unreachable the user's own requests fail at once (only
    // they start then); an enrollment says so per person, in its own words.
    if priority == Priority::User
        && !matches!(job, Job::Request(Request::Enroll { .. }))
        && let Some(why) = ctx.unreachable()
    {
        return JobEnd::Done(Err(why));
    }
    // The periodic walks report contact themselves (they may stop before any request).
    let own_heartbeat = matches!(
        job,
        Job::Poll | Job::PeopleRefresh | Job::Probe | Job::AuthProbe
    );
    let end = match job {
        Job::Request(Request::Cadences) => reads::cadences(&ctx, id, priority).await,
        Job::Request(Request::CadenceDetail { cadence_id }) => {
            reads::cadence_detail(&ctx, id, priority, cadence_id).await
        }
        Job::Request(Request::PersonByEmail { email }) => {
            reads::person_by_email(&ctx, id, priority, email).await
        }
        Job::Request(Request::PersonDetail { person_id }) => {
            reads::person_detail(&ctx, id, priority, person_id).await
        }
        Job::Request(Request::Engagement { cadence_ids, range }) => {
            engagement::load(&ctx, id, priority, cadence_ids, range, &cancel).await
        }
        Job::Request(Request::EstimateEngagement { cadence_ids, range }) => {
            estimate::engagement(&ctx, id, priority, cadence_ids, range).await
        }
        Job::Request(Request::StoredEngagement { range }) => {
            estimate::stored(&ctx, id, range).await
        }
        Job::Request(Request::Me) => reads::me(&ctx, id, priority).await,
        Job::Request(Request::Users) => reads::users(&ctx, id, priority).await,
        Job::Request(Request::Funnel { cadence_id, range }) => {
            super::funnel::load(&ctx, id, priority, cadence_id, range).await
        }
        Job::Request(Request::Calls { range }) => {
            super::funnel::calls(&ctx, id, priority, range).await
        }
        Job::Request(Request::IndexPeople) => people::walk(&ctx, id, true).await,
        Job::PeopleRefresh => people::walk(&ctx, id, false).await,
        Job::Poll => engagement::poll(&ctx, id).await,
        Job::Probe => breaker::probe(&ctx).await,
        Job::Request(Request::RetryAuth) => match ctx.client.allow_auth_retry() {
            Ok(()) => JobEnd::Done(ctx.client.try_key().await.map_err(|e| e.to_string())),
            Err(wait) => JobEnd::Done(Err(format!(
                "the key was tried less than {} s ago: try again in {} s",
                crate::api::auth_gate::MIN_GAP.as_secs(),
                wait.as_secs_f64().ceil() as u64
            ))),
        },
        Job::AuthProbe => JobEnd::Done(ctx.client.try_key().await.map_err(|e| e.to_string())),
        Job::Request(Request::Enroll {
            person_ids,
            cadence_id,
            step_id,
            user_id,
        }) => {
            let what = enroll::Enrollment {
                cadence_id,
                step_id,
                user_id,
            };
            enroll::run(&ctx, id, &person_ids, what).await
        }
        // Handled by the loop itself; nothing to do here.
        Job::Request(
            Request::SetLive { .. }
            | Request::SetPollInterval { .. }
            | Request::LiveFrom { .. }
            | Request::ClearCache
            | Request::LayOutPeople { .. },
        ) => JobEnd::Done(Ok(())),
    };
    if !own_heartbeat && matches!(end, JobEnd::Done(Ok(()))) {
        ctx.emit(WorkerEvent::Heartbeat { at: Instant::now() });
    }
    end
}

/// Answers a read from the cache when a fresh answer is there; true if it did.
pub fn answer_from_cache(ctx: &Ctx, id: RequestId, request: &Request) -> bool {
    let key = match request {
        Request::Cadences => CacheKey::Cadences,
        Request::CadenceDetail { cadence_id } => CacheKey::CadenceDetail(*cadence_id),
        Request::PersonDetail { person_id } => CacheKey::Person(*person_id),
        Request::PersonByEmail { email } => CacheKey::PersonByEmail(email.trim().to_lowercase()),
        Request::Me => CacheKey::Me,
        Request::Users => CacheKey::Users,
        _ => return false,
    };
    let Some(cached) = ctx.cache_get(&key) else {
        return false;
    };
    reads::emit_cached(ctx, id, cached);
    true
}

/// Sets where the live poll starts, if not set yet.
pub fn ensure_live_watermark(ctx: &Ctx) {
    engagement::ensure_live_watermark(ctx);
}

pub fn live_from(ctx: &Ctx, through: chrono::DateTime<chrono::Utc>) {
    engagement::live_from(ctx, through);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::TimeRange;

    #[test]
    fn labels_read_well() {
        let r = Request::Engagement {
            cadence_ids: vec![1, 2],
            range: TimeRange::Days(30),
        };
        assert_eq!(label(&r), "Loading engagement of 2 cadences (last 30 days)");
        let e = Request::Enroll {
            person_ids: vec![5],
            cadence_id: 9,
            step_id: None,
            user_id: None,
        };
        assert_eq!(label(&e), "Enrolling 1 person into cadence 9");
        assert_eq!(Job::Poll.label(), "Checking for new email activity");
    }
}
