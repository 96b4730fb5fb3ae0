//! Enrollment, exactly once or reported as not done, never twice.
//!
//! For each person: check the memberships for this person and cadence first; create
//! the membership only when the person is not on the cadence; after an ambiguous
//! failure (timeout, reset, 5xx after the request was sent) re-read the memberships
//! before any retry. Enrollments of one person into one cadence are serialized.

use std::collections::BTreeMap;

use chrono::Utc;

use super::audit::MutationRecord;
use super::cache::CacheKey;
use super::ctx::Ctx;
use super::job::{Job, JobEnd};
use super::protocol::{EnrollOutcome, Priority, Request, RequestId, WorkerEvent};
use super::reads::{admit, reread};
use crate::api::models::NewMembership;
use crate::api::{ApiError, Query};

pub const READ_ONLY: &str = "read-only mode: enrollment disabled";

/// Points one enrollment costs at most: a check, the create, a re-check.
const ENROLL_COST: u32 = 3;

/// The one place every mutation passes through: the log file and the audit log.
fn record(ctx: &Ctx, m: &MutationRecord) {
    tracing::info!(target: "sltui::audit", action = m.action, person_id = m.person_id,
        cadence_id = m.cadence_id, step_id = ?m.step_id, on_behalf_of = ?m.user_id, outcome = ?m.outcome, cost = m.cost,
        "mutation");
    if let Err(Some(message)) = ctx.audit.append(m) {
        ctx.emit(WorkerEvent::Error { message });
    }
}

/// Where people go: the cadence, the step to start at, on whose behalf.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Enrollment {
    pub cadence_id: u64,
    pub step_id: Option<u64>,
    /// The create call's `user_id`; `None`: the key's user.
    pub user_id: Option<u64>,
}

pub async fn run(ctx: &Ctx, id: RequestId, person_ids: &[u64], what: Enrollment) -> JobEnd {
    let Enrollment {
        cadence_id,
        step_id,
        user_id,
    } = what;
    let mut failures: Vec<String> = Vec::new();
    for (i, &person_id) in person_ids.iter().enumerate() {
        let mut cost = 0u32;
        let outcome = if ctx.read_only {
            EnrollOutcome::Failed {
                reason: READ_ONLY.into(),
            }
        } else {
            let outcome = if let Some(why) = ctx.unreachable() {
                // Fail at once while the circuit is open: nothing is sent.
                EnrollOutcome::Failed {
                    reason: format!("{why}; nothing was done"),
                }
            } else {
                let _permit =
                    match admit(ctx, id, Priority::User, ENROLL_COST, "enrolling a person") {
                        Ok(permit) => permit,
                        Err(stop) => {
                            let rest = person_ids[i..].to_vec();
                            return stop.end(Job::Request(Request::Enroll {
                                person_ids: rest,
                                cadence_id,
                                step_id,
                                user_id,
                            }));
                        }
                    };
                let _pair = ctx.lock_pair(person_id, cadence_id).await;
                enroll_one(ctx, person_id, what, &mut cost).await
            };
            record(
                ctx,
                &MutationRecord {
                    at: Utc::now(),
                    action: "enroll",
                    person_id,
                    cadence_id,
                    step_id,
                    user_id,
                    outcome: outcome.clone(),
                    cost,
                },
            );
            outcome
        };
        match &outcome {
            EnrollOutcome::Failed { reason } => failures.push(reason.clone()),
            EnrollOutcome::Enrolled { .. } => {
                ctx.cache_remove(&CacheKey::CadenceDetail(cadence_id));
                ctx.cache_remove(&CacheKey::Person(person_id));
            }
            EnrollOutcome::AlreadyOnCadence { .. } => {}
        }
        ctx.emit(WorkerEvent::EnrollProgress {
            id,
            person_id,
            outcome,
        });
    }
    JobEnd::Done(summary(&failures, person_ids.len()))
}

/// The request's error: the reason when every enrollment failed the same way,
/// else how many failed.
pub(crate) fn summary(failures: &[String], total: usize) -> Result<(), String> {
    match failures {
        [] => Ok(()),
        [first, rest @ ..] if failures.len() == total && rest.iter().all(|r| r == first) => {
            Err(first.clone())
        }
        _ => Err(format!("{} of {total} enrollments failed", failures.len())),
    }
}

/// The membership id when the person is currently on the cadence; `cost` counts
/// the requests made.
async fn on_cadence(
    ctx: &Ctx,
    person_id: u64,
    cadence_id: u64,
    cost: &mut u32,
) -> Result<Option<u64>, ApiError> {
    let q = Query::new()
        .push("person_id", person_id)
        .push("cadence_id", cadence_id)
        .push("per_page", 100);
    let mut tries = 0;
    let found = loop {
        *cost += 1;
        match ctx.client.memberships(&q).await {
            Err(e) if reread(&e, &mut tries) => {}
            other => break other?,
        }
    };
    Ok(found
        .data
        .iter()
        .filter(|m| m.person_id().is_none_or(|p| p == person_id))
        .filter(|m| m.cadence_id().is_none_or(|c| c == cadence_id))
        .find(|m| m.currently_on_cadence)
        .map(|m| m.id))
}

async fn enroll_one(ctx: &Ctx, person_id: u64, what: Enrollment, cost: &mut u32) -> EnrollOutcome {
    let Enrollment {
        cadence_id,
        step_id,
        user_id,
    } = what;
    let failed = |reason: String| EnrollOutcome::Failed { reason };
    match on_cadence(ctx, person_id, cadence_id, cost).await {
        Ok(Some(membership_id)) => return EnrollOutcome::AlreadyOnCadence { membership_id },
        Ok(None) => {}
        Err(e) => {
            return failed(format!(
                "could not check the person's cadences, nothing was done: {e}"
            ));
        }
    }
    let new = NewMembership {
        person_id,
        cadence_id,
        user_id,
        step_id,
    };
    for attempt in 0..2 {
        *cost += 1;
        let err = match ctx.client.create_membership(&new).await {
            Ok(m) => {
                return EnrollOutcome::Enrolled {
                    membership_id: m.id,
                };
            }
            Err(e) => e,
        };
        if let ApiError::Validation { fields, message } = &err {
            let words = validation_words(fields, message.as_deref());
            if words == ALREADY {
                // Someone else enrolled them in between: say so with the id.
                if let Ok(Some(membership_id)) = on_cadence(ctx, person_id, cadence_id, cost).await
                {
                    return EnrollOutcome::AlreadyOnCadence { membership_id };
                }
            }
            return failed(words);
        }
        if !err.is_ambiguous() {
            return failed(plain_words(&err));
        }
        // The create may have been applied even though the answer was lost.
        match on_cadence(ctx, person_id, cadence_id, cost).await {
            Ok(Some(membership_id)) => return EnrollOutcome::Enrolled { membership_id },
            Ok(None) if attempt == 0 => continue,
            Ok(None) => return failed(format!("not enrolled (checked after the failure): {err}")),
            Err(check) => {
                return failed(format!(
                    "unknown whether it was applied ({err}); checking failed too ({check}); \
                     look at the person's cadences before trying again"
                ));
            }
        }
    }
    failed("not enrolled".into())
}

const ALREADY: &str = "already on this cadence";

/// A 422's field errors in plain words.
pub fn validation_words(fields: &BTreeMap<String, Vec<String>>, message: Option<&str>) -> String {
    let mut words: Vec<String> = Vec::new();
    for (field, msgs) in fields {
        for msg in msgs {
            let lower = msg.to_lowercase();
            let w = if lower.contains("already") {
                ALREADY.to_string()
            } else if lower.contains("archived") {
                "cadence is archived".to_string()
            } else if lower.contains("draft") {
                "cadence is a draft".to_string()
            } else if lower.contains("personal cadence") || lower.contains("another user") {
                "cadence is another user's personal cadence".to_string()
            } else if field == "step_id" {
                "the starting step is not part of this cadence".to_string()
            } else {
                format!("{} {msg}", field.replace('_', " "))
            };
            if !words.contains(&w) {
                words.push(w);
            }
        }
    }
    if words.is_empty() {
        return message.map_or_else(|| "rejected by SalesLoft".to_string(), str::to_string);
    }
    words.join("; ")
}

/// Other errors, in words for the task line.
fn plain_words(err: &ApiError) -> String {
    match err {
        ApiError::NotFound { .. } => {
            "person or cadence not found (it may have been deleted)".into()
        }
        ApiError::Forbidden {
            scope: Some(scope), ..
        } => format!("missing permission: {scope}"),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(pairs: &[(&str, &str)]) -> BTreeMap<String, Vec<String>> {
        let mut m: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for (f, msg) in pairs {
            m.entry(f.to_string()).or_default().push(msg.to_string());
        }
        m
    }

    #[test]
    fn field_errors_become_plain_words() {
        let w = |p: &[(&str, &str)]| validation_words(&fields(p), None);
        assert_eq!(w(&[("person_id", "is already on this cadence")]), ALREADY);
        assert_eq!(
            w(&[("cadence_id", "cadence is archived")]),
            "cadence is archived"
        );
        assert_eq!(
            w(&[("cadence_id", "cadence is a draft")]),
            "cadence is a draft"
        );
        assert_eq!(
            w(&[("cadence_id", "is a personal cadence owned by another user")]),
            "cadence is another user's personal cadence"
        );
        assert_eq!(
            w(&[("step_id", "does not belong to this cadence")]),
            "the starting step is not part of this cadence"
        );
        assert_eq!(
            w(&[
                ("person_id", "can't be blank"),
                ("cadence_id", "is not a number")
            ]),
            "cadence id is not a number; person id can't be blank"
        );
        assert_eq!(validation_words(&BTreeMap::new(), Some("nope")), "nope");
        assert_eq!(
            validation_words(&BTreeMap::new(), None),
            "rejected by SalesLoft"
        );
    }

    #[test]
    fn summary_names_a_shared_reason_or_counts() {
        assert_eq!(summary(&[], 2), Ok(()));
        let ro = vec![READ_ONLY.to_string(), READ_ONLY.to_string()];
        assert_eq!(summary(&ro, 2), Err(READ_ONLY.to_string()));
        assert_eq!(
            summary(&ro[..1], 2),
            Err("1 of 2 enrollments failed".into())
        );
    }

    #[test]
    fn other_errors_in_words() {
        let nf = ApiError::NotFound {
            path: "x".into(),
            message: "Not Found".into(),
        };
        assert!(plain_words(&nf).starts_with("person or cadence not found"));
        let fb = ApiError::Forbidden {
            message: "no".into(),
            scope: Some("cadences:write".into()),
        };
        assert_eq!(plain_words(&fb), "missing permission: cadences:write");
    }
}
