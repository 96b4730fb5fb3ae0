//! `sltui enroll`: adds people to a cadence through the dashboard's worker, which
//! enrolls each person exactly once (it checks the memberships first and re-reads
//! after an ambiguous failure). One line per person; exit 0 only when nothing failed.
//! `--dry-run` says what would happen from reads only, checking what the real call
//! would: the cadence's state, whether it is a teammate's personal cadence (not
//! people_addable for this key's user), the starting step, and whether the person
//! is already on it (an outcome, not a failure). `--cadence` takes an id or an
//! exact name, `--person` an id or an email address, `--user` (on whose behalf)
//! an id, an email address or an exact name.

use std::collections::{HashMap, VecDeque};

use super::args::EnrollArgs;
use super::opts::GlobalOpts;
use super::script::{Session, USAGE};
use crate::api::models::{Cadence, CadenceState, User};
use crate::worker::{EnrollOutcome, Enrollment, Priority, Request, WorkerEvent};

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
    let mut session = Session::connect(global, "enroll").await?;
    let cadences = session.cadences().await?;
    let cadence = match pick_cadence(cadences, &args.cadence) {
        Ok(c) => c,
        Err(why) => {
            eprintln!("sltui: {why}");
            return Ok(USAGE);
        }
    };
    let user = match &args.user {
        None => None,
        Some(arg) => match pick_user(users(&mut session).await?, arg) {
            Ok(u) => {
                let name = u.label().unwrap_or_else(|| format!("user {}", u.id));
                eprintln!("sltui: on behalf of {name} (user {})", u.id);
                Some(u.id)
            }
            Err(why) => {
                eprintln!("sltui: {why}");
                return Ok(USAGE);
            }
        },
    };
    let people = resolve(&mut session, &args).await?;
    let what = Enrollment {
        cadence_id: cadence.id,
        step_id: args.step,
        user_id: user,
    };
    let lines = if args.dry_run {
        dry_run(&mut session, &people, &cadence, what).await?
    } else {
        enroll(&mut session, &people, what).await?
    };
    let mut failures = 0;
    for (who, line) in people.iter().zip(&lines) {
        failures += usize::from(line.failed());
        println!("{}", line.render(&who.label));
    }
    Ok(if failures == 0 { 0 } else { 1 })
}

/// The cadence `arg` names: the one with that id, else the one with exactly that
/// name (else, ignoring case). No match, or several, is a usage error that says
/// which cadences there are to choose from.
fn pick_cadence(cadences: Vec<Cadence>, arg: &str) -> Result<Cadence, String> {
    let arg = arg.trim();
    if let Ok(id) = arg.parse::<u64>()
        && let Some(i) = cadences.iter().position(|c| c.id == id)
    {
        return Ok(cadences.into_iter().nth(i).expect("found above"));
    }
    let mut named: Vec<Cadence> = cadences.iter().filter(|c| c.name == arg).cloned().collect();
    if named.is_empty() {
        named = cadences
            .into_iter()
            .filter(|c| c.name.to_lowercase() == arg.to_lowercase())
            .collect();
    }
    match named.len() {
        1 => Ok(named.remove(0)),
        0 if arg.parse::<u64>().is_ok() => Err(format!(
            "no cadence with id {arg} on this team (nor one named so; `sltui report` lists them)"
        )),
        0 => Err(format!(
            "no cadence with id or name {arg:?} on this team (names are matched exactly; \
             `sltui report` lists them)"
        )),
        n => {
            named.sort_by_key(|c| c.id);
            let list: Vec<String> = named
                .iter()
                .map(|c| format!("id {} ({})", c.id, c.state().as_str()))
                .collect();
            Err(format!(
                "{n} cadences are named {arg:?}: {}; pass one of the ids with --cadence",
                list.join(", ")
            ))
        }
    }
}

/// The teammate `arg` names: the user with that id, else with that email address
/// (ignoring case), else with exactly that name (else ignoring case). No match or
/// several is a usage error that says what there is to choose from.
fn pick_user(users: Vec<User>, arg: &str) -> Result<User, String> {
    let arg = arg.trim();
    if let Ok(id) = arg.parse::<u64>() {
        return users.into_iter().find(|u| u.id == id).ok_or_else(|| {
            format!("no user with id {id} on this team (`sltui doctor` names the key's user)")
        });
    }
    let lower = arg.to_lowercase();
    let by_email = |u: &User| {
        [&u.email, &u.sending_email_address]
            .into_iter()
            .flatten()
            .any(|e| e.to_lowercase() == lower)
    };
    let mut named: Vec<User> = if arg.contains('@') {
        users.iter().filter(|u| by_email(u)).cloned().collect()
    } else {
        let exact: Vec<User> = users
            .iter()
            .filter(|u| u.label().as_deref() == Some(arg))
            .cloned()
            .collect();
        if exact.is_empty() {
            users
                .iter()
                .filter(|u| u.label().is_some_and(|n| n.to_lowercase() == lower))
                .cloned()
                .collect()
        } else {
            exact
        }
    };
    match named.len() {
        1 => Ok(named.remove(0)),
        0 => Err(format!(
            "no user with id, email address or name {arg:?} on this team (names are matched \
             exactly)"
        )),
        n => {
            named.sort_by_key(|u| u.id);
            let ids: Vec<String> = named.iter().map(|u| u.id.to_string()).collect();
            Err(format!(
                "{n} users are named {arg:?} (ids {}); pass one of the ids with --user",
                ids.join(", ")
            ))
        }
    }
}

/// The team's users, as the worker reads them.
async fn users(session: &mut Session) -> anyhow::Result<Vec<User>> {
    let mut users = Vec::new();
    session
        .run(Priority::Visible, Request::Users, |e| {
            if let WorkerEvent::Users { users: u, .. } = e {
                users = u;
            }
        })
        .await?
        .map_err(|reason| anyhow::anyhow!("could not read the team's users: {reason}"))?;
    Ok(users)
}

/// Everyone asked for, in order: `--person` values (an id, or an email address
/// looked up exactly), then `--email` values. Lookups go one at a time: they share
/// the worker's latest-wins search slot.
async fn resolve(session: &mut Session, args: &EnrollArgs) -> anyhow::Result<Vec<Who>> {
    let mut out: Vec<Who> = Vec::new();
    let mut emails: Vec<&str> = Vec::new();
    for given in &args.people {
        let given = given.trim();
        if let Ok(id) = given.parse::<u64>() {
            out.push(Who {
                label: format!("person {id}"),
                person: Ok(id),
            });
        } else if given.contains('@') {
            out.push(lookup(session, given).await?);
        } else {
            out.push(Who {
                label: given.to_string(),
                person: Err("not a person id or an email address".into()),
            });
        }
    }
    emails.extend(args.emails.iter().map(String::as_str));
    for email in emails {
        out.push(lookup(session, email).await?);
    }
    Ok(out)
}

/// The person with exactly this email address.
async fn lookup(session: &mut Session, email: &str) -> anyhow::Result<Who> {
    {
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
        Ok(match (done, found) {
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
        })
    }
}

/// Enrolls every resolved person with one request to the worker.
async fn enroll(
    session: &mut Session,
    people: &[Who],
    what: Enrollment,
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
            cadence_id: what.cadence_id,
            step_id: what.step_id,
            user_id: what.user_id,
        };
        finished = session
            .run(Priority::User, request, |e| {
                if let WorkerEvent::EnrollProgress {
                    person_id, outcome, ..
                } = e
                    && let Some(i) = waiting.get_mut(&person_id).and_then(VecDeque::pop_front)
                {
                    lines[i] = Some(Line::Done(outcome));
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

/// Why SalesLoft would refuse to add anyone to `cadence`, if it would: an
/// archived, draft (or expired, deleted) cadence, or someone else's personal
/// cadence (it takes people only on its owner's behalf: not `people_addable` for
/// anyone else). `acting` is the user the people would be added for: the `--user`
/// given (`chosen`), else the key's user (`me`), when known.
fn cadence_refusal(cadence: &Cadence, acting: Option<u64>, chosen: bool) -> Option<String> {
    match cadence.state() {
        CadenceState::Active | CadenceState::Other(_) => {}
        CadenceState::Archived => return Some("cadence is archived".to_string()),
        CadenceState::Draft => return Some("cadence is a draft".to_string()),
        other => return Some(format!("cadence is {}", other.as_str())),
    }
    let owner = cadence.owner.as_ref().and_then(|o| o.id_u64());
    match (cadence.team_cadence, owner, acting) {
        (false, Some(owner), Some(acting)) if owner != acting && chosen => Some(format!(
            "cadence is a personal cadence of user {owner}, not people_addable for user \
             {acting}: a personal cadence takes people only on its owner's behalf \
             (--user {owner})"
        )),
        (false, Some(owner), Some(acting)) if owner != acting => Some(format!(
            "cadence is a personal cadence of another user (user {owner}), not people_addable \
             for you (user {acting}): add them on its owner's behalf with --user {owner}"
        )),
        _ => None,
    }
}

/// The user the key belongs to, if the worker can say.
async fn me(session: &mut Session) -> anyhow::Result<Option<User>> {
    let mut me = None;
    session
        .run(Priority::Visible, Request::Me, |e| {
            if let WorkerEvent::Me { user, .. } = e {
                me = Some(user);
            }
        })
        .await?
        .map_err(|reason| anyhow::anyhow!("could not read who the key belongs to: {reason}"))?;
    Ok(me)
}

/// What enrolling would do, from reads only, in the order the worker decides:
/// read-only mode, then the person's memberships, then the cadence and step.
async fn dry_run(
    session: &mut Session,
    people: &[Who],
    cadence: &Cadence,
    what: Enrollment,
) -> anyhow::Result<Vec<Line>> {
    let acting = match what.user_id {
        Some(user) => Some(user),
        None if cadence.team_cadence => None,
        None => me(session).await?.map(|u| u.id),
    };
    let refusal = cadence_refusal(cadence, acting, what.user_id.is_some());
    let step_problem = match what.step_id {
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

    fn cadence(id: u64, name: &str, team: bool, owner: u64, state: &str) -> Cadence {
        serde_json::from_value(serde_json::json!({
            "id": id, "name": name, "team_cadence": team, "current_state": state,
            "owner": {"id": owner},
            "created_at": "2024-01-01T00:00:00Z", "updated_at": "2024-01-01T00:00:00Z",
        }))
        .unwrap()
    }

    fn user(id: u64, name: &str, email: &str) -> User {
        serde_json::from_value(serde_json::json!({"id": id, "name": name, "email": email})).unwrap()
    }

    #[test]
    fn users_by_id_email_or_exact_name_and_ambiguity_lists_the_ids() {
        let all = || {
            vec![
                user(7, "Sam Rep", "sam@team.example"),
                user(8, "Pat Owner", "pat@team.example"),
                user(9, "Pat Owner", "pat2@team.example"),
            ]
        };
        assert_eq!(pick_user(all(), "7").unwrap().id, 7);
        assert_eq!(pick_user(all(), " SAM@team.example ").unwrap().id, 7);
        assert_eq!(pick_user(all(), "sam rep").unwrap().id, 7);
        assert_eq!(
            pick_user(all(), "Pat Owner").unwrap_err(),
            "2 users are named \"Pat Owner\" (ids 8, 9); pass one of the ids with --user"
        );
        assert!(
            pick_user(all(), "12")
                .unwrap_err()
                .starts_with("no user with id 12")
        );
        assert!(pick_user(all(), "nobody@x.y").is_err());
    }

    #[test]
    fn cadences_by_id_or_exact_name_and_ambiguity_lists_the_matches() {
        let all = || {
            vec![
                cadence(3, "Q1 Outbound", true, 1, "active"),
                cadence(9, "Q1 Outbound", false, 2, "archived"),
                cadence(12, "Webinar", true, 1, "active"),
                cadence(44, "12", true, 1, "active"),
            ]
        };
        assert_eq!(pick_cadence(all(), "12").unwrap().id, 12, "an id first");
        assert_eq!(pick_cadence(all(), " Webinar ").unwrap().id, 12);
        assert_eq!(pick_cadence(all(), "webinar").unwrap().id, 12);
        let err = pick_cadence(all(), "Q1 Outbound").unwrap_err();
        assert_eq!(
            err,
            "2 cadences are named \"Q1 Outbound\": id 3 (active), id 9 (archived); pass one \
             of the ids with --cadence"
        );
        let err = pick_cadence(all(), "Nope").unwrap_err();
        assert!(
            err.starts_with("no cadence with id or name \"Nope\""),
            "{err}"
        );
    }

    #[test]
    fn a_teammates_personal_cadence_is_refused_like_the_real_call() {
        let mine = cadence(1, "Mine", false, 7, "active");
        let theirs = cadence(2, "Theirs", false, 8, "active");
        let team = cadence(3, "Team", true, 8, "active");
        assert_eq!(cadence_refusal(&mine, Some(7), false), None);
        assert_eq!(cadence_refusal(&team, Some(7), false), None);
        let why = cadence_refusal(&theirs, Some(7), false).unwrap();
        assert!(
            why.contains("personal cadence of another user (user 8)"),
            "{why}"
        );
        assert!(why.contains("people_addable"), "{why}");
        assert!(why.ends_with("--user 8"), "the owner is suggested: {why}");
        // On the owner's behalf it goes; on a third user's it does not.
        assert_eq!(cadence_refusal(&theirs, Some(8), true), None);
        let why = cadence_refusal(&theirs, Some(9), true).unwrap();
        assert!(
            why.contains("only on its owner's behalf (--user 8)"),
            "{why}"
        );
        // A team cadence takes any teammate.
        assert_eq!(cadence_refusal(&team, Some(9), true), None);
        let draft = cadence(4, "Draft", true, 7, "draft");
        assert_eq!(
            cadence_refusal(&draft, Some(7), false).as_deref(),
            Some("cadence is a draft")
        );
    }

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
