//! `sltui enroll`: adds people to a cadence through the dashboard's worker, which
//! enrolls each person exactly once (it checks the memberships first and re-reads
//! after an ambiguous failure). One line per person; exit 0 only when nothing failed.
//! `--dry-run` says what would happen from reads only.

use std::collections::{HashMap, VecDeque};

use super::script::{Session, USAGE};
use super::{EnrollArgs, GlobalOpts};
use crate::api::models::{Cadence, CadenceState};
use crate::worker::{EnrollOutcome, Priority, Request, WorkerEvent};

/// The worker's words for a refused mutation, reused by the dry run.
const READ_ONLY: &str = "read-only mode: enrollment disabled";

/// One person asked for, as given on the command line.
#[derive(Debug, Clone, PartialEq)]
struct Who {
    label: String,
    /// `Err`: the person could not be resolved, and why.
    person: Result<u64, String>,
}

/// What happened (or would happen) to one person.
#[derive(Debug, Clone, PartialEq)]
enum Line {
    Done(EnrollOutcome),
    WouldEnroll,
    WouldFail(String),
}

impl Line {
    fn failed(&self) -> bool {
        matches!(
            self,
            Line::Done(EnrollOutcome::Failed { .. }) | Line::WouldFail(_)
        )
    }

    fn render(&self, who: &str) -> String {
        match self {
            Line::Done(EnrollOutcome::Enrolled { membership_id }) => {
                format!("enrolled {who} (membership {membership_id})")
            }
            Line::Done(EnrollOutcome::AlreadyOnCadence { membership_id }) => {
                format!("already on cadence {who} (membership {membership_id})")
            }
            Line::Done(EnrollOutcome::Failed { reason }) => format!("failed {who}: {reason}"),
            Line::WouldEnroll => format!("would enroll {who}"),
            Line::WouldFail(reason) => format!("would fail {who}: {reason}"),
        }
    }
}

pub async fn run(global: &GlobalOpts, args: EnrollArgs) -> anyhow::Result<i32> {
    let mut session = Session::connect(global)?;
    let cadences = session.cadences().await?;
    let Some(cadence) = cadences.into_iter().find(|c| c.id == args.cadence) else {
        eprintln!("sltui: no cadence with id {} on this team", args.cadence);
        return Ok(USAGE);
    };
    let people = resolve(&mut session, &args).await?;
    let lines = if args.dry_run {
        dry_run(&mut session, &people, &cadence, args.step).await?
    } else {
        enroll(&mut session, &people, cadence.id, args.step).await?
    };
    let mut failures = 0;
    for (who, line) in people.iter().zip(&lines) {
        failures += usize::from(line.failed());
        println!("{}", line.render(&who.label));
    }
    Ok(if failures == 0 { 0 } else { 1 })
}

/// People by id as given, then people by email, each email looked up exactly
/// (one at a time: lookups share the worker's latest-wins search slot).
async fn resolve(session: &mut Session, args: &EnrollArgs) -> anyhow::Result<Vec<Who>> {
    let mut out: Vec<Who> = args
        .people
        .iter()
        .map(|&id| Who {
            label: format!("person {id}"),
            person: Ok(id),
        })
        .collect();
    for email in &args.emails {
        let address = email.trim().to_string();
        let mut found = None;
        let request = Request::PersonByEmail {
            email: address.clone(),
        };
        let done = session
            .run(Priority::Visible, request, |e| {
                if let WorkerEvent::PersonFound { person, .. } = e {
                    found = Some(person);
                }
            })
            .await?;
        out.push(match (done, found) {
            (Err(reason), _) => Who {
                label: address,
                person: Err(format!("could not look the address up: {reason}")),
            },
            (Ok(()), Some(Some(person))) => Who {
                label: format!("person {} <{address}>", person.id),
                person: Ok(person.id),
            },
            (Ok(()), _) => Who {
                label: address,
                person: Err("no person with this email address".into()),
            },
        });
    }
    Ok(out)
}

/// Enrolls every resolved person with one request to the worker.
async fn enroll(
    session: &mut Session,
    people: &[Who],
    cadence_id: u64,
    step_id: Option<u64>,
) -> anyhow::Result<Vec<Line>> {
    let mut lines: Vec<Option<Line>> = people
        .iter()
        .map(|w| {
            w.person.as_ref().err().map(|reason| {
                Line::Done(EnrollOutcome::Failed {
                    reason: reason.clone(),
                })
            })
        })
        .collect();
    // The worker answers person by person, in order; a person given twice is
    // answered twice (the second time: already on the cadence).
    let mut waiting: HashMap<u64, VecDeque<usize>> = HashMap::new();
    let mut person_ids = Vec::new();
    for (i, w) in people.iter().enumerate() {
        if let Ok(id) = w.person {
            waiting.entry(id).or_default().push_back(i);
            person_ids.push(id);
        }
    }
    let mut finished = Ok(());
    if !person_ids.is_empty() {
        let request = Request::Enroll {
            person_ids,
            cadence_id,
            step_id,
        };
        finished = session
            .run(Priority::User, request, |e| {
                if let WorkerEvent::EnrollProgress {
                    person_id, outcome, ..
                } = e
                {
                    if let Some(i) = waiting.get_mut(&person_id).and_then(VecDeque::pop_front) {
                        lines[i] = Some(Line::Done(outcome));
                    }
                }
            })
            .await?;
    }
    // Anyone the worker never answered for was not enrolled by this run.
    let unanswered = match finished {
        Err(reason) => format!("not done: {reason}"),
        Ok(()) => "not done: the worker gave no answer for this person".to_string(),
    };
    Ok(lines
        .into_iter()
        .map(|l| {
            l.unwrap_or_else(|| {
                Line::Done(EnrollOutcome::Failed {
                    reason: unanswered.clone(),
                })
            })
        })
        .collect())
}

/// What enrolling would do, from reads only, in the order the worker decides:
/// read-only mode, then the person's memberships, then the cadence and step.
async fn dry_run(
    session: &mut Session,
    people: &[Who],
    cadence: &Cadence,
    step_id: Option<u64>,
) -> anyhow::Result<Vec<Line>> {
    let refusal = match cadence.state() {
        CadenceState::Active | CadenceState::Other(_) => None,
        CadenceState::Archived => Some("cadence is archived".to_string()),
        CadenceState::Draft => Some("cadence is a draft".to_string()),
        other => Some(format!("cadence is {}", other.as_str())),
    };
    let step_problem = match step_id {
        Some(step) if refusal.is_none() => step_check(session, cadence.id, step).await?,
        _ => None,
    };
    let mut lines = Vec::with_capacity(people.len());
    for who in people {
        let person_id = match (&who.person, session.read_only) {
            (Err(reason), _) => {
                lines.push(Line::WouldFail(reason.clone()));
                continue;
            }
            (Ok(_), true) => {
                lines.push(Line::WouldFail(READ_ONLY.into()));
                continue;
            }
            (Ok(id), false) => *id,
        };
        let mut memberships = None;
        let done = session
            .run(
                Priority::Visible,
                Request::PersonDetail { person_id },
                |e| {
                    if let WorkerEvent::PersonDetail { memberships: m, .. } = e {
                        memberships = Some(m);
                    }
                },
            )
            .await?;
        let line = match (done, memberships) {
            (Err(reason), _) if reason.contains("404") => {
                Line::WouldFail("person not found".into())
            }
            (Err(reason), _) => Line::WouldFail(format!("could not read the person: {reason}")),
            (Ok(()), None) => Line::WouldFail("could not read the person".into()),
            (Ok(()), Some(memberships)) => {
                let on = memberships
                    .iter()
                    .find(|m| m.cadence_id() == Some(cadence.id) && m.currently_on_cadence);
                match (on, &refusal, &step_problem) {
                    (Some(m), _, _) => Line::Done(EnrollOutcome::AlreadyOnCadence {
                        membership_id: m.id,
                    }),
                    (None, Some(why), _) | (None, None, Some(why)) => Line::WouldFail(why.clone()),
                    (None, None, None) => Line::WouldEnroll,
                }
            }
        };
        lines.push(line);
    }
    Ok(lines)
}

/// Why `step` cannot start this cadence, if it cannot (the cadence's steps as the
/// detail view reads them).
async fn step_check(
    session: &mut Session,
    cadence_id: u64,
    step: u64,
) -> anyhow::Result<Option<String>> {
    let mut steps = None;
    let done = session
        .run(
            Priority::Visible,
            Request::CadenceDetail { cadence_id },
            |e| {
                if let WorkerEvent::CadenceSteps { steps: s, .. } = e {
                    steps = Some(s);
                }
            },
        )
        .await?;
    Ok(match (done, steps) {
        (Err(reason), _) => Some(format!("could not read the cadence's steps: {reason}")),
        (Ok(()), Some(steps)) if steps.iter().any(|s| s.id == step) => None,
        (Ok(()), _) => Some("the starting step is not part of this cadence".into()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_read_as_documented() {
        let who = "person 7 <a@b.c>";
        let l = |o| Line::Done(o).render(who);
        assert_eq!(
            l(EnrollOutcome::Enrolled { membership_id: 3 }),
            "enrolled person 7 <a@b.c> (membership 3)"
        );
        assert_eq!(
            l(EnrollOutcome::AlreadyOnCadence { membership_id: 3 }),
            "already on cadence person 7 <a@b.c> (membership 3)"
        );
        assert_eq!(
            l(EnrollOutcome::Failed {
                reason: "cadence is archived".into()
            }),
            "failed person 7 <a@b.c>: cadence is archived"
        );
        assert_eq!(
            Line::WouldEnroll.render("person 1"),
            "would enroll person 1"
        );
        assert!(Line::WouldFail("x".into()).failed());
        assert!(!Line::WouldEnroll.failed());
        assert!(!Line::Done(EnrollOutcome::AlreadyOnCadence { membership_id: 1 }).failed());
    }
}
