//! Enrollment jobs and the audit log.
//!
//! A dashboard or `sltui enroll --db` files a job under the requester's
//! idempotency key (filing the same key again returns the same job); the leading
//! hub claims jobs one at a time (`FOR UPDATE SKIP LOCKED`: two claimers never get
//! one job), runs it and records the outcome. A job left running by a leader that
//! died goes back to the queue when the next one takes over
//! ([`PgStore::requeue_orphaned_jobs`]); its attempt count tells the runner to
//! check SalesLoft before it sends again. Every mutation writes an audit row.

use chrono::{DateTime, Utc};
use postgres::GenericClient;

use super::{Fail, PgStore, write_tx};
use crate::store::StoreResult;
use crate::store::records::id64;

/// What a requester asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobRequest {
    /// Unique per request; filing it again returns the job already filed.
    pub key: String,
    /// Who asked (a user name or a dashboard's name; never a secret).
    pub requested_by: String,
    pub cadence_id: u64,
    pub person_id: u64,
    pub step_id: Option<u64>,
    /// The SalesLoft user the enrollment is for (`None`: the hub's user).
    pub on_behalf_of: Option<u64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JobState {
    Queued,
    Running,
    Done,
    Failed,
}

impl JobState {
    pub fn as_str(self) -> &'static str {
        match self {
            JobState::Queued => "queued",
            JobState::Running => "running",
            JobState::Done => "done",
            JobState::Failed => "failed",
        }
    }

    fn parse(s: &str) -> JobState {
        match s {
            "running" => JobState::Running,
            "done" => JobState::Done,
            "failed" => JobState::Failed,
            _ => JobState::Queued,
        }
    }

    /// Done or failed: nothing more happens to the job.
    pub fn is_final(self) -> bool {
        matches!(self, JobState::Done | JobState::Failed)
    }
}

/// A job as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Job {
    pub id: i64,
    pub key: String,
    pub requested_by: String,
    pub cadence_id: u64,
    pub person_id: u64,
    pub step_id: Option<u64>,
    pub on_behalf_of: Option<u64>,
    pub state: JobState,
    /// What happened, in words (set when finished).
    pub outcome: Option<String>,
    pub membership_id: Option<u64>,
    /// How many times a runner took it (above 1: check before sending again).
    pub attempts: u32,
    pub claimed_by: Option<String>,
    pub created_at: DateTime<Utc>,
    pub claimed_at: Option<DateTime<Utc>>,
    pub finished_at: Option<DateTime<Utc>>,
}

/// How a run ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JobOutcome {
    Done {
        membership_id: Option<u64>,
        outcome: String,
    },
    Failed {
        outcome: String,
    },
}

/// One row of the audit log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEntry {
    pub at: DateTime<Utc>,
    pub actor: String,
    pub action: String,
    pub job_key: Option<String>,
    pub detail: String,
}

pub(crate) const JOB_COLUMNS: &str = "id, key, requested_by, cadence_id, person_id, step_id, \
     on_behalf_of, state, outcome, membership_id, attempts, claimed_by, created_at, claimed_at, \
     finished_at";

pub(crate) fn job_from(r: &postgres::Row) -> Result<Job, postgres::Error> {
    let id = |v: Option<i64>| v.map(|v| v as u64);
    Ok(Job {
        id: r.try_get(0)?,
        key: r.try_get(1)?,
        requested_by: r.try_get(2)?,
        cadence_id: r.try_get::<_, i64>(3)? as u64,
        person_id: r.try_get::<_, i64>(4)? as u64,
        step_id: id(r.try_get(5)?),
        on_behalf_of: id(r.try_get(6)?),
        state: JobState::parse(r.try_get(7)?),
        outcome: r.try_get(8)?,
        membership_id: id(r.try_get(9)?),
        attempts: r.try_get::<_, i32>(10)?.max(0) as u32,
        claimed_by: r.try_get(11)?,
        created_at: r.try_get(12)?,
        claimed_at: r.try_get(13)?,
        finished_at: r.try_get(14)?,
    })
}

pub(crate) fn audit(
    c: &mut impl GenericClient,
    actor: &str,
    action: &str,
    job_key: Option<&str>,
    detail: &str,
) -> Result<(), postgres::Error> {
    c.execute(
        "INSERT INTO audit (actor, action, job_key, detail) VALUES ($1, $2, $3, $4)",
        &[&actor, &action, &job_key, &detail],
    )?;
    Ok(())
}

fn same_request(job: &Job, req: &JobRequest) -> bool {
    job.cadence_id == req.cadence_id
        && job.person_id == req.person_id
        && job.step_id == req.step_id
        && job.on_behalf_of == req.on_behalf_of
}

impl PgStore {
    /// Files a job, or returns the one already filed under the same key (then
    /// `false`). The same key for a different enrollment is refused.
    pub fn file_job(&self, req: &JobRequest) -> StoreResult<(Job, bool)> {
        self.run_with(|c| {
            let mut tx = write_tx(c)?;
            let sql = format!(
                "INSERT INTO jobs (key, requested_by, cadence_id, person_id, step_id, on_behalf_of)
                 VALUES ($1, $2, $3, $4, $5, $6)
                 ON CONFLICT (key) DO NOTHING RETURNING {JOB_COLUMNS}"
            );
            let inserted = tx.query_opt(
                &sql,
                &[
                    &req.key,
                    &req.requested_by,
                    &id64(req.cadence_id),
                    &id64(req.person_id),
                    &req.step_id.map(id64),
                    &req.on_behalf_of.map(id64),
                ],
            )?;
            let (job, created) = match inserted {
                Some(r) => {
                    let job = job_from(&r)?;
                    let detail = format!("cadence {} person {}", job.cadence_id, job.person_id);
                    audit(
                        &mut tx,
                        &req.requested_by,
                        "job.filed",
                        Some(&req.key),
                        &detail,
                    )?;
                    (job, true)
                }
                None => {
                    let sql = format!("SELECT {JOB_COLUMNS} FROM jobs WHERE key = $1");
                    let job = job_from(&tx.query_one(&sql, &[&req.key])?)?;
                    if !same_request(&job, req) {
                        return Err(Fail::Refused(format!(
                            "the job key {} was already used for another enrollment (cadence \
                             {} person {}); use a new key",
                            req.key, job.cadence_id, job.person_id
                        )));
                    }
                    (job, false)
                }
            };
            tx.commit()?;
            Ok((job, created))
        })
    }

    /// The job filed under `key`.
    pub fn job(&self, key: &str) -> StoreResult<Option<Job>> {
        let sql = format!("SELECT {JOB_COLUMNS} FROM jobs WHERE key = $1");
        self.read(|c| {
            c.query_opt(&sql, &[&key])?
                .as_ref()
                .map(job_from)
                .transpose()
        })
    }

    /// Takes the oldest queued job for `claimer` (state running, one more
    /// attempt); `None` when the queue is empty. Concurrent claimers never get
    /// the same job.
    pub fn claim_next_job(&self, claimer: &str) -> StoreResult<Option<Job>> {
        self.run(|c| {
            let mut tx = write_tx(c)?;
            let sql = format!(
                "UPDATE jobs SET state = 'running', attempts = attempts + 1, claimed_by = $1,
                        claimed_at = now()
                 WHERE id = (SELECT id FROM jobs WHERE state = 'queued' ORDER BY id
                             LIMIT 1 FOR UPDATE SKIP LOCKED)
                 RETURNING {JOB_COLUMNS}"
            );
            let job = tx
                .query_opt(&sql, &[&claimer])?
                .as_ref()
                .map(job_from)
                .transpose()?;
            if let Some(j) = &job {
                let detail = format!("attempt {}", j.attempts);
                audit(&mut tx, claimer, "job.claimed", Some(&j.key), &detail)?;
            }
            tx.commit()?;
            Ok(job)
        })
    }

    /// Records how the job `key` ended. Only its claimer, while it runs, may;
    /// anyone else is refused (the job was put back or finished meanwhile).
    pub fn finish_job(&self, key: &str, claimer: &str, outcome: &JobOutcome) -> StoreResult<Job> {
        let (state, membership, text) = match outcome {
            JobOutcome::Done {
                membership_id,
                outcome,
            } => ("done", membership_id.map(id64), outcome.as_str()),
            JobOutcome::Failed { outcome } => ("failed", None, outcome.as_str()),
        };
        self.run_with(|c| {
            let mut tx = write_tx(c)?;
            let sql = format!(
                "UPDATE jobs SET state = $3, outcome = $4, membership_id = $5, finished_at = now()
                 WHERE key = $1 AND claimed_by = $2 AND state = 'running'
                 RETURNING {JOB_COLUMNS}"
            );
            let row = tx.query_opt(&sql, &[&key, &claimer, &state, &text, &membership])?;
            let Some(row) = row else {
                return Err(Fail::Refused(format!(
                    "job {key} is not running under {claimer}; its outcome was not recorded"
                )));
            };
            let job = job_from(&row)?;
            audit(&mut tx, claimer, &format!("job.{state}"), Some(key), text)?;
            tx.commit()?;
            Ok(job)
        })
    }

    /// Puts back in the queue the jobs left running by claimers other than
    /// `claimer` (a leader that died mid-job): for the new leader at takeover.
    /// Their attempts stay counted. Returns how many.
    pub fn requeue_orphaned_jobs(&self, claimer: &str) -> StoreResult<u64> {
        self.run(|c| {
            let mut tx = write_tx(c)?;
            let rows = tx.query(
                "UPDATE jobs SET state = 'queued'
                 WHERE state = 'running' AND claimed_by IS DISTINCT FROM $1
                 RETURNING key, claimed_by",
                &[&claimer],
            )?;
            for r in &rows {
                let by: Option<String> = r.try_get(1)?;
                let detail = format!("left running by {}", by.as_deref().unwrap_or("nobody"));
                audit(
                    &mut tx,
                    claimer,
                    "job.requeued",
                    Some(r.try_get(0)?),
                    &detail,
                )?;
            }
            tx.commit()?;
            Ok(rows.len() as u64)
        })
    }

    /// The newest `limit` audit rows, newest first.
    pub fn audit_log(&self, limit: i64) -> StoreResult<Vec<AuditEntry>> {
        self.read(|c| {
            c.query(
                "SELECT at, actor, action, job_key, detail FROM audit ORDER BY id DESC LIMIT $1",
                &[&limit],
            )?
            .iter()
            .map(|r| {
                Ok(AuditEntry {
                    at: r.try_get(0)?,
                    actor: r.try_get(1)?,
                    action: r.try_get(2)?,
                    job_key: r.try_get(3)?,
                    detail: r.try_get(4)?,
                })
            })
            .collect()
        })
    }
}
