//! Runs a job: the one place that knows which file does which job (the
//! job's types, its label and its end are in `job.rs`, below every job).

use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::Instant;

use super::cache::CacheKey;
use super::ctx::Ctx;
use super::job::{Job, JobEnd};
use super::protocol::{Priority, Request, RequestId, WorkerEvent};
use super::{engagement, enroll, estimate, people, probe, reads};

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
        Job::Probe => probe::probe(&ctx).await,
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
