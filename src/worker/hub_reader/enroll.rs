//! Enrollment through the team database: one job per person, run exactly once
//! by the leading hub; the dashboard waits for each job's outcome and reports it
//! as the worker does ([`EnrollOutcome`]).
//!
//! * The job's key is `dash-<process nonce>-<request id>-<person id>` ([`job_key`]):
//!   filing it again (a retry after a lost answer) returns the same job.
//! * A job for the same enrollment still queued or running is joined rather
//!   than filed again ([`PgStore::file_or_join_job`]): concurrent requests from
//!   any number of dashboards make one job, and all see its one outcome.
//! * The outcome arrives with the job's change (the follower fills
//!   `Shared::jobs`); a direct read every few seconds is the safety net.
//! * A job no hub has picked up for a while says so in the task line and keeps
//!   waiting: it runs when a hub leads again.
//!
//! The hub records outcomes with [`job_outcome`]; [`enroll_outcome`] reads them.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use super::shared::{Shared, blocking, lock};
use crate::store::pg::{Job, JobOutcome, JobRequest, JobState};
use crate::worker::Enrollment;
use crate::worker::enroll::{READ_ONLY, summary};
use crate::worker::protocol::{EnrollOutcome, RequestId, WorkerEvent};

/// How the outcome text of a job that created the membership starts.
pub const OUTCOME_ENROLLED: &str = "enrolled";
/// How the outcome text of a job whose person was on the cadence already starts
/// (the hub writes `already on cadence (membership N)`).
pub const OUTCOME_ALREADY: &str = "already on cadence";

/// Tries to file one job before the enrollment is reported as not done.
const FILE_TRIES: u32 = 3;
/// A direct read of unfinished jobs at least this often.
const RECHECK: Duration = Duration::from_secs(5);

/// The job key of one person of one request.
pub fn job_key(nonce: &str, request: RequestId, person_id: u64) -> String {
    format!("dash-{nonce}-{request}-{person_id}")
}

/// What the hub records for a run of the worker's enrollment: `Done` with the
/// membership and `enrolled (membership N)` or `already on cadence (membership
/// N)`, or `Failed` with the reason in words.
pub fn job_outcome(outcome: &EnrollOutcome) -> JobOutcome {
    match outcome {
        EnrollOutcome::Enrolled { membership_id } => JobOutcome::Done {
            membership_id: Some(*membership_id),
            outcome: format!("{OUTCOME_ENROLLED} (membership {membership_id})"),
        },
        EnrollOutcome::AlreadyOnCadence { membership_id } => JobOutcome::Done {
            membership_id: Some(*membership_id),
            outcome: format!("{OUTCOME_ALREADY} (membership {membership_id})"),
        },
        EnrollOutcome::Failed { reason } => JobOutcome::Failed {
            outcome: reason.clone(),
        },
    }
}

/// A finished job's outcome (`None` while it is queued or running).
pub fn enroll_outcome(job: &Job) -> Option<EnrollOutcome> {
    let text = job.outcome.as_deref().unwrap_or("").trim();
    match job.state {
        JobState::Queued | JobState::Running => None,
        JobState::Failed => Some(EnrollOutcome::Failed {
            reason: if text.is_empty() {
                "the hub reported a failure without a reason; nothing was done".into()
            } else {
                text.to_string()
            },
        }),
        JobState::Done => Some(match job.membership_id {
            // The hub writes "already on cadence (membership N)".
            Some(membership_id) if text.starts_with(OUTCOME_ALREADY) => {
                EnrollOutcome::AlreadyOnCadence { membership_id }
            }
            Some(membership_id) => EnrollOutcome::Enrolled { membership_id },
            None => EnrollOutcome::Failed {
                reason: format!(
                    "the hub finished the job without a membership ({}); look at the \
                     person's cadences before trying again",
                    if text.is_empty() { "no outcome" } else { text }
                ),
            },
        }),
    }
}

/// Files and waits for the enrollment of each person; the request's error.
pub async fn run(
    shared: &Shared,
    id: RequestId,
    person_ids: &[u64],
    what: Enrollment,
) -> Option<String> {
    let Enrollment {
        cadence_id,
        step_id,
        user_id,
    } = what;
    let mut failures: Vec<String> = Vec::new();
    let report = |person_id: u64, outcome: EnrollOutcome, failures: &mut Vec<String>| {
        if let EnrollOutcome::Failed { reason } = &outcome {
            failures.push(reason.clone());
        }
        shared.emit(WorkerEvent::EnrollProgress {
            id,
            person_id,
            outcome,
        });
    };
    if shared.opts.read_only {
        for &p in person_ids {
            report(
                p,
                EnrollOutcome::Failed {
                    reason: READ_ONLY.into(),
                },
                &mut failures,
            );
        }
        return summary(&failures, person_ids.len()).err();
    }
    let mut jobs_rx = shared.jobs_changed.subscribe();
    // Each person's job key (the one filed, or the open one joined).
    let mut waiting: Vec<(u64, String, Instant)> = Vec::new();
    for &person_id in person_ids {
        let req = JobRequest {
            key: job_key(&shared.nonce, id, person_id),
            requested_by: shared.opts.requested_by.clone(),
            cadence_id,
            person_id,
            step_id,
            on_behalf_of: user_id,
        };
        match file(shared, req).await {
            Ok(job) => {
                lock(&shared.jobs).insert(job.key.clone(), job.clone());
                waiting.push((person_id, job.key, Instant::now()));
            }
            Err(reason) => report(person_id, EnrollOutcome::Failed { reason }, &mut failures),
        }
    }
    let mut noted: Option<u64> = None;
    let mut checked = Instant::now();
    while !waiting.is_empty() {
        let jobs: HashMap<String, Job> = {
            let watched = lock(&shared.jobs);
            waiting
                .iter()
                .filter_map(|(_, k, _)| watched.get(k).map(|j| (k.clone(), j.clone())))
                .collect()
        };
        let mut still = Vec::with_capacity(waiting.len());
        for (person_id, key, filed) in waiting {
            match jobs.get(&key).and_then(enroll_outcome) {
                Some(outcome) => report(person_id, outcome, &mut failures),
                None => still.push((person_id, key, filed)),
            }
        }
        waiting = still;
        if waiting.is_empty() {
            break;
        }
        // Waiting for a hub to take a job: said in the task line, every 10 s.
        let unclaimed = waiting
            .iter()
            .filter(|(_, k, _)| jobs.get(k).is_none_or(|j| j.state == JobState::Queued))
            .map(|(_, _, filed)| filed.elapsed())
            .max();
        let note = unclaimed
            .filter(|age| *age >= shared.opts.unclaimed_note_after)
            .map(|age| age.as_secs() / 10 * 10);
        if note != noted {
            noted = note;
            shared.emit(WorkerEvent::TaskNote {
                id,
                note: note.map(|secs| {
                    format!("waiting for the hub: no leader has picked it up for {secs} s")
                }),
            });
        }
        let wait = if checked.elapsed() >= RECHECK {
            checked = Instant::now();
            recheck(shared, &waiting).await;
            Duration::ZERO
        } else {
            Duration::from_millis(500)
        };
        if shared.stopped() {
            break;
        }
        let _ = tokio::time::timeout(wait, jobs_rx.changed()).await;
    }
    if noted.is_some() {
        shared.emit(WorkerEvent::TaskNote { id, note: None });
    }
    for (person_id, _, _) in waiting {
        let reason = "the dashboard stopped before the hub answered; the job stays queued and \
                      runs once (look at the person's cadences later)";
        report(
            person_id,
            EnrollOutcome::Failed {
                reason: reason.into(),
            },
            &mut failures,
        );
    }
    summary(&failures, person_ids.len()).err()
}

/// Files one job (the same key again after a lost answer: never two jobs).
async fn file(shared: &Shared, req: JobRequest) -> Result<Job, String> {
    let mut last = String::new();
    for attempt in 0..FILE_TRIES {
        if attempt > 0 {
            tokio::time::sleep(Duration::from_millis(300 << attempt)).await;
        }
        let store = shared.store.clone();
        let r = req.clone();
        match blocking(move || store.file_or_join_job(&r)).await {
            Ok((job, _created)) => return Ok(job),
            Err(e) => last = e,
        }
    }
    Err(format!(
        "the enrollment could not be filed with the team database ({last}); if it was \
         filed after all the hub runs it once: look at the person's cadences before trying again"
    ))
}

/// Reads the unfinished jobs directly (a lost announcement costs seconds only).
async fn recheck(shared: &Shared, waiting: &[(u64, String, Instant)]) {
    for (_, key, _) in waiting {
        let store = shared.store.clone();
        let k = key.clone();
        if let Ok(Some(job)) = blocking(move || store.job(&k)).await {
            lock(&shared.jobs).insert(job.key.clone(), job);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Utc;

    fn job(state: JobState, outcome: Option<&str>, membership_id: Option<u64>) -> Job {
        Job {
            id: 1,
            key: "k".into(),
            requested_by: "me".into(),
            cadence_id: 2,
            person_id: 3,
            step_id: None,
            on_behalf_of: None,
            state,
            outcome: outcome.map(String::from),
            membership_id,
            attempts: 1,
            claimed_by: None,
            created_at: Utc::now(),
            claimed_at: None,
            finished_at: None,
        }
    }

    #[test]
    fn outcomes_round_trip_through_the_job_row() {
        for outcome in [
            EnrollOutcome::Enrolled { membership_id: 9 },
            EnrollOutcome::AlreadyOnCadence { membership_id: 9 },
            EnrollOutcome::Failed {
                reason: "cadence is archived".into(),
            },
        ] {
            let (state, text, m) = match job_outcome(&outcome) {
                JobOutcome::Done {
                    membership_id,
                    outcome,
                } => (JobState::Done, outcome, membership_id),
                JobOutcome::Failed { outcome } => (JobState::Failed, outcome, None),
            };
            assert_eq!(enroll_outcome(&job(state, Some(&text), m)), Some(outcome));
        }
    }

    #[test]
    fn the_hubs_outcome_words_read_back() {
        assert_eq!(
            enroll_outcome(&job(
                JobState::Done,
                Some("enrolled (membership 9)"),
                Some(9)
            )),
            Some(EnrollOutcome::Enrolled { membership_id: 9 })
        );
        assert_eq!(
            enroll_outcome(&job(
                JobState::Done,
                Some("already on cadence (membership 9)"),
                Some(9)
            )),
            Some(EnrollOutcome::AlreadyOnCadence { membership_id: 9 })
        );
    }

    #[test]
    fn unfinished_and_odd_jobs_read_plainly() {
        assert_eq!(enroll_outcome(&job(JobState::Queued, None, None)), None);
        assert_eq!(enroll_outcome(&job(JobState::Running, None, None)), None);
        let Some(EnrollOutcome::Failed { reason }) =
            enroll_outcome(&job(JobState::Done, Some("enrolled"), None))
        else {
            panic!("a done job without a membership is not called enrolled");
        };
        assert!(reason.contains("without a membership"), "{reason}");
        let Some(EnrollOutcome::Failed { reason }) =
            enroll_outcome(&job(JobState::Failed, None, None))
        else {
            panic!("failed");
        };
        assert!(reason.contains("nothing was done"), "{reason}");
    }

    #[test]
    fn keys_name_the_process_request_and_person() {
        assert_eq!(job_key("ab12", 7, 42), "dash-ab12-7-42");
    }
}
