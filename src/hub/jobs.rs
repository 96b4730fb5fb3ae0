//! The leader's enrollment jobs: claims one job at a time and performs it with
//! the worker's enrollment, which lists the person's memberships before it
//! creates one and re-reads them after an ambiguous failure: so a job a dead
//! leader left running (claimed again, `attempts > 1`) finds the membership that
//! leader may have created and reports it as already on the cadence, never as a
//! second membership. The outcome and an audit row go to PostgreSQL.

use std::sync::Arc;
use std::time::Duration;

use crate::api::ApiClient;
use crate::store::PgStore;
use crate::store::pg::{Job, JobOutcome};
use crate::sync::CancelToken;
use crate::worker::{
    self, EnrollOutcome, Envelope, Priority, Request, RequestId, WorkerEvent, WorkerHandle,
    WorkerOptions,
};

use super::{HubOptions, blocking, say};

/// The words a finished job's outcome starts with, which dashboards read back.
pub const ENROLLED: &str = "enrolled";
pub const ALREADY_ON_CADENCE: &str = "already on cadence";

/// Seconds to wait for one enrollment before the job is failed (the worker's own
/// retries and budget waits happen inside).
const JOB_TIMEOUT: Duration = Duration::from_secs(300);

pub(super) async fn run(
    client: ApiClient,
    opts: HubOptions,
    store: Arc<PgStore>,
    duties: CancelToken,
) {
    let mut worker = worker::spawn(
        client,
        WorkerOptions {
            reserve: opts.reserve,
            bulk_share: opts.share,
            // The audit log of hub jobs is PostgreSQL's (finish_job writes it).
            audit_log: None,
            profile: opts.name.clone(),
            ..WorkerOptions::default()
        },
    );
    let mut next_id: RequestId = 0;
    while !duties.is_cancelled() {
        let (s, name) = (store.clone(), opts.name.clone());
        match blocking(move || s.claim_next_job(&name)).await {
            Ok(Some(job)) => {
                next_id += 1;
                let outcome = perform(&mut worker, next_id, &job).await;
                let text = match &outcome {
                    JobOutcome::Done { outcome, .. } | JobOutcome::Failed { outcome } => {
                        outcome.clone()
                    }
                };
                let (s, name, key) = (store.clone(), opts.name.clone(), job.key.clone());
                match blocking(move || s.finish_job(&key, &name, &outcome)).await {
                    Ok(_) => say(
                        &opts.name,
                        format!(
                            "job {}: person {} into cadence {}: {text} (asked by {})",
                            job.key, job.person_id, job.cadence_id, job.requested_by
                        ),
                    ),
                    Err(e) => say(
                        &opts.name,
                        format!("job {}: outcome not recorded ({e}); it runs again", job.key),
                    ),
                }
            }
            Ok(None) => {
                if duties.sleep(Duration::from_millis(500)).await {
                    break;
                }
            }
            Err(e) => {
                say(&opts.name, format!("could not claim a job ({e}); retrying"));
                if duties.sleep(Duration::from_secs(2)).await {
                    break;
                }
            }
        }
    }
}

/// One job through the worker's exactly-once enrollment.
async fn perform(worker: &mut WorkerHandle, id: RequestId, job: &Job) -> JobOutcome {
    let request = Request::Enroll {
        person_ids: vec![job.person_id],
        cadence_id: job.cadence_id,
        step_id: job.step_id,
        user_id: job.on_behalf_of,
    };
    let sent = worker.requests.send(Envelope {
        id,
        priority: Priority::User,
        request,
    });
    if sent.is_err() {
        return JobOutcome::Failed {
            outcome: "the hub's worker stopped".into(),
        };
    }
    let mut result: Option<EnrollOutcome> = None;
    let waited = tokio::time::timeout(JOB_TIMEOUT, async {
        while let Some(event) = worker.events.recv().await {
            match event {
                WorkerEvent::EnrollProgress {
                    id: of, outcome, ..
                } if of == id => result = Some(outcome),
                WorkerEvent::Finished { id: of, error } if of == id => return error,
                _ => {}
            }
        }
        Some("the hub's worker stopped".to_string())
    })
    .await;
    match (result, waited) {
        (Some(EnrollOutcome::Enrolled { membership_id }), _) => JobOutcome::Done {
            membership_id: Some(membership_id),
            outcome: format!("{ENROLLED} (membership {membership_id})"),
        },
        (Some(EnrollOutcome::AlreadyOnCadence { membership_id }), _) => JobOutcome::Done {
            membership_id: Some(membership_id),
            outcome: format!("{ALREADY_ON_CADENCE} (membership {membership_id})"),
        },
        (Some(EnrollOutcome::Failed { reason }), _) => JobOutcome::Failed { outcome: reason },
        (None, Ok(Some(error))) => JobOutcome::Failed { outcome: error },
        (None, Ok(None)) => JobOutcome::Failed {
            outcome: "the enrollment ended without an outcome".into(),
        },
        (None, Err(_)) => JobOutcome::Failed {
            outcome: format!(
                "no answer within {} s: not done (check the person's cadences)",
                JOB_TIMEOUT.as_secs()
            ),
        },
    }
}
