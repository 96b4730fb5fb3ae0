//! `sltui enroll` (real, dry run, read-only) and usage errors, checked through the
//! simulator's API and stats.

use super::start;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn enroll_by_id_and_email_exactly_once() {
    let sim = start().await;
    let cadence = sim.active_cadence().await;
    let people = sim.fresh_people(cadence, 2).await;
    let (by_id, (by_email_id, email)) = (people[0].0, people[1].clone());
    let (c, p) = (cadence.to_string(), by_id.to_string());
    let args = ["enroll", "--cadence", &c, "--person", &p, "--email", &email];

    let run = sim.sltui(&args).await;
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(lines.len(), 2, "{}", run.stdout);
    assert!(lines[0].starts_with(&format!("enrolled person {by_id} (membership ")));
    assert!(lines[1].starts_with(&format!("enrolled person {by_email_id} <{email}>")));

    let posts = sim.posts().await;
    let again = sim.sltui(&args).await;
    assert_eq!(again.code, 0, "{}{}", again.stdout, again.stderr);
    let lines: Vec<&str> = again.stdout.lines().collect();
    assert_eq!(lines.len(), 2, "{}", again.stdout);
    assert!(
        lines.iter().all(|l| l.starts_with("already on cadence ")),
        "{}",
        again.stdout
    );
    assert_eq!(sim.posts().await, posts, "no create the second time");

    for person in [by_id, by_email_id] {
        let ms = sim.memberships(person, cadence).await;
        assert_eq!(ms.len(), 1, "exactly one membership: {ms:?}");
        assert_eq!(ms[0]["currently_on_cadence"], true);
        let id = ms[0]["id"].as_u64().unwrap();
        assert!(
            run.stdout.contains(&format!("(membership {id})")),
            "{}",
            run.stdout
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn enroll_failures_exit_one_with_the_reason() {
    let sim = start().await;
    let archived = sim.archived_cadence().await;
    let (person, _) = sim.fresh_people(archived, 1).await[0].clone();
    let (c, p) = (archived.to_string(), person.to_string());
    let run = sim
        .sltui(&["enroll", "--cadence", &c, "--person", &p])
        .await;
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert_eq!(
        run.stdout.trim(),
        format!("failed person {person}: cadence is archived")
    );
    assert!(sim.memberships(person, archived).await.is_empty());

    // An unknown address fails its own line; the others still go through.
    let active = sim.active_cadence().await;
    let (ok, _) = sim.fresh_people(active, 1).await[0];
    let (c, p) = (active.to_string(), ok.to_string());
    let args = [
        "enroll",
        "--cadence",
        &c,
        "--person",
        &p,
        "--email",
        "nobody@nowhere.invalid",
    ];
    let run = sim.sltui(&args).await;
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stdout.contains(&format!("enrolled person {ok} ")),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("failed nobody@nowhere.invalid: no person with this email address"),
        "{}",
        run.stdout
    );

    // An unknown cadence is a usage error.
    let run = sim
        .sltui(&["enroll", "--cadence", "999999999", "--person", &p])
        .await;
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains("no cadence with id 999999999"),
        "{}",
        run.stderr
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dry_run_and_read_only_change_nothing() {
    let sim = start().await;
    let active = sim.active_cadence().await;
    let archived = sim.archived_cadence().await;
    let (person, email) = sim.fresh_people(active, 1).await[0].clone();
    let (c, p) = (active.to_string(), person.to_string());
    let posts = sim.posts().await;

    let run = sim
        .sltui(&["enroll", "--cadence", &c, "--email", &email, "--dry-run"])
        .await;
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert_eq!(
        run.stdout.trim(),
        format!("would enroll person {person} <{email}>")
    );

    // A step of no cadence (ids are never 1 in the simulator's data).
    let args = [
        "enroll",
        "--cadence",
        &c,
        "--person",
        &p,
        "--step",
        "1",
        "--dry-run",
    ];
    let run = sim.sltui(&args).await;
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert_eq!(
        run.stdout.trim(),
        format!("would fail person {person}: the starting step is not part of this cadence")
    );

    let a = archived.to_string();
    let run = sim
        .sltui(&["enroll", "--cadence", &a, "--person", &p, "--dry-run"])
        .await;
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert_eq!(
        run.stdout.trim(),
        format!("would fail person {person}: cadence is archived")
    );

    let run = sim
        .sltui(&["--read-only", "enroll", "--cadence", &c, "--person", &p])
        .await;
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stdout
            .trim()
            .starts_with(&format!("failed person {person}: read-only mode")),
        "{}",
        run.stdout
    );

    assert_eq!(sim.posts().await, posts, "no create was sent");
    assert!(sim.memberships(person, active).await.is_empty());
    assert!(sim.memberships(person, archived).await.is_empty());

    // After a real enrollment the dry run sees it.
    let run = sim
        .sltui(&["enroll", "--cadence", &c, "--person", &p])
        .await;
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let run = sim
        .sltui(&["enroll", "--cadence", &c, "--person", &p, "--dry-run"])
        .await;
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stdout
            .starts_with(&format!("already on cadence person {person} (membership "))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_usage_and_missing_key_fail_clearly() {
    let sim = start().await;
    let run = sim.sltui(&["report", "--bogus"]).await;
    assert_eq!(run.code, 2);
    assert!(
        run.stderr
            .lines()
            .next()
            .unwrap_or("")
            .starts_with("error: unexpected argument '--bogus'"),
        "{}",
        run.stderr
    );
    assert!(run.stdout.is_empty());

    let run = sim.sltui(&["report", "--format", "xml"]).await;
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.starts_with("error: invalid value 'xml'"),
        "{}",
        run.stderr
    );

    let run = sim.sltui(&["enroll", "--cadence", "1"]).await;
    assert_eq!(run.code, 2, "someone to enroll is required");
    assert!(run.stderr.starts_with("error:"), "{}", run.stderr);

    let run = sim.sltui(&["report", "--cadence", "999999999"]).await;
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("no cadence with id 999999999"),
        "{}",
        run.stderr
    );

    // No key anywhere: no demo fallback, a clear message.
    let base = sim.handle.base_url();
    let run = sim.sltui_raw(&["--base-url", &base, "report"]).await;
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("no API key"), "{}", run.stderr);
    assert!(run.stdout.is_empty());
}

/// Two `sltui enroll` processes race to add the same people to one cadence:
/// each person ends with exactly one membership, and for each person exactly one
/// process reports "enrolled" while the other reports "already on cadence".
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_processes_enrolling_the_same_people_create_one_membership_each() {
    let sim = start().await;
    let cadence = sim.active_cadence().await;
    let people = sim.fresh_people(cadence, 8).await;
    let c = cadence.to_string();
    let ids: Vec<String> = people.iter().map(|(id, _)| id.to_string()).collect();
    let mut args = vec!["enroll", "--cadence", c.as_str()];
    for id in &ids {
        args.extend(["--person", id.as_str()]);
    }
    // The second process lists the same people in reverse, so the two meet in the middle.
    let mut reversed = vec!["enroll", "--cadence", c.as_str()];
    for id in ids.iter().rev() {
        reversed.extend(["--person", id.as_str()]);
    }

    let (a, b) = tokio::join!(sim.sltui(&args), sim.sltui(&reversed));
    for run in [&a, &b] {
        assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
        assert_eq!(run.stdout.lines().count(), people.len(), "{}", run.stdout);
    }

    for (person, _) in &people {
        let ms = sim.memberships(*person, cadence).await;
        assert_eq!(
            ms.len(),
            1,
            "person {person}: exactly one membership: {ms:?}"
        );
        let said = |run: &super::Run| {
            run.stdout
                .lines()
                .find(|l| l.contains(&format!("person {person} ")))
                .unwrap_or_default()
                .to_string()
        };
        let (la, lb) = (said(&a), said(&b));
        let enrolled = [&la, &lb]
            .iter()
            .filter(|l| l.starts_with("enrolled "))
            .count();
        let already = [&la, &lb]
            .iter()
            .filter(|l| l.starts_with("already on cadence "))
            .count();
        assert_eq!(
            (enrolled, already),
            (1, 1),
            "person {person}: one enrolled, one already on cadence:\n{la}\n{lb}"
        );
        let id = ms[0]["id"].as_u64().unwrap();
        let winner = if la.starts_with("enrolled ") {
            &la
        } else {
            &lb
        };
        assert!(winner.contains(&format!("(membership {id})")), "{winner}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dry_run_refuses_what_the_real_call_refuses_and_takes_names_and_emails() {
    let sim = start().await;
    let cadences = sim.cadences().await;
    let theirs = sim.teammates_personal_cadence().await["id"]
        .as_u64()
        .unwrap();
    let (person, _) = sim.fresh_people(theirs, 1).await[0].clone();
    let (c, p) = (theirs.to_string(), person.to_string());
    let dry = sim
        .sltui(&["enroll", "--cadence", &c, "--person", &p, "--dry-run"])
        .await;
    assert_eq!(dry.code, 1, "{}{}", dry.stdout, dry.stderr);
    assert!(
        dry.stdout.starts_with(&format!(
            "would fail person {person}: cadence is a personal cadence of another user"
        )),
        "{}",
        dry.stdout
    );
    // The real call is refused alike, and changes nothing.
    let real = sim
        .sltui(&["enroll", "--cadence", &c, "--person", &p])
        .await;
    assert_eq!(real.code, 1, "{}{}", real.stdout, real.stderr);
    assert!(
        real.stdout
            .starts_with(&format!("failed person {person}: ")),
        "{}",
        real.stdout
    );
    assert!(sim.memberships(person, theirs).await.is_empty());

    // A team cadence by its exact name, a person by email through --person.
    let active = sim.active_cadence().await;
    let name = cadences
        .iter()
        .find(|c| c["id"].as_u64() == Some(active))
        .unwrap()["name"]
        .as_str()
        .unwrap()
        .to_string();
    let unique = cadences
        .iter()
        .filter(|c| c["name"] == name.as_str())
        .count()
        == 1;
    let (person, email) = sim.fresh_people(active, 1).await[0].clone();
    let cadence_arg = if unique {
        name.clone()
    } else {
        active.to_string()
    };
    let args = ["enroll", "--cadence", &cadence_arg, "--person", &email];
    let dry = sim.sltui(&[&args[..], &["--dry-run"]].concat()).await;
    assert_eq!(dry.code, 0, "{}{}", dry.stdout, dry.stderr);
    assert_eq!(
        dry.stdout.trim(),
        format!("would enroll person {person} <{email}>")
    );
    let real = sim.sltui(&args).await;
    assert_eq!(real.code, 0, "{}{}", real.stdout, real.stderr);
    // Already on it: an outcome, exit 0, in the dry run too.
    let again = sim.sltui(&[&args[..], &["--dry-run"]].concat()).await;
    assert_eq!(again.code, 0, "{}{}", again.stdout, again.stderr);
    assert!(
        again.stdout.starts_with("already on cadence "),
        "{}",
        again.stdout
    );

    // Neither an id nor a name: a usage error naming what was given.
    let run = sim
        .sltui(&["enroll", "--cadence", "No Such Cadence", "--person", &email])
        .await;
    assert_eq!(run.code, 2, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stderr
            .contains("no cadence with id or name \"No Such Cadence\""),
        "{}",
        run.stderr
    );
}

/// `--user` adds people on a teammate's behalf: the dry run and the real call agree,
/// the membership is the owner's, the audit line says on whose behalf, and a user
/// that is not on the team is a usage error.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn enroll_on_a_teammates_behalf_with_user() {
    let sim = start().await;
    let theirs = sim.teammates_personal_cadence().await;
    let (cadence, owner) = (
        theirs["id"].as_u64().unwrap(),
        theirs["owner"]["id"].as_u64().unwrap(),
    );
    let users = sim.api("users?per_page=100").await;
    let owner_email = users["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["id"].as_u64() == Some(owner))
        .and_then(|u| u["email"].as_str())
        .expect("the owner's email")
        .to_string();
    let (person, _) = sim.fresh_people(cadence, 1).await[0].clone();
    let (c, p) = (cadence.to_string(), person.to_string());

    // Without --user the refusal suggests the owner.
    let dry = sim
        .sltui(&["enroll", "--cadence", &c, "--person", &p, "--dry-run"])
        .await;
    assert_eq!(dry.code, 1, "{}{}", dry.stdout, dry.stderr);
    assert!(
        dry.stdout.trim_end().ends_with(&format!("--user {owner}")),
        "{}",
        dry.stdout
    );
    // On the owner's behalf, by email: would enroll, then does.
    let args = [
        "enroll",
        "--cadence",
        &c,
        "--person",
        &p,
        "--user",
        &owner_email,
    ];
    let dry = sim.sltui(&[&args[..], &["--dry-run"]].concat()).await;
    assert_eq!(dry.code, 0, "{}{}", dry.stdout, dry.stderr);
    assert_eq!(dry.stdout.trim(), format!("would enroll person {person}"));
    assert!(
        dry.stderr.contains("on behalf of ") && dry.stderr.contains(&format!("(user {owner})")),
        "{}",
        dry.stderr
    );
    let real = sim.sltui(&args).await;
    assert_eq!(real.code, 0, "{}{}", real.stdout, real.stderr);
    assert!(real.stdout.starts_with("enrolled "), "{}", real.stdout);
    let on = sim.memberships(person, cadence).await;
    assert_eq!(on.len(), 1, "{on:?}");
    assert_eq!(on[0]["user"]["id"].as_u64(), Some(owner));
    // The data directory's layout is the platform's: find the file.
    let found = walk(sim.home.0.path(), "audit.log").expect("an audit log");
    let audit = std::fs::read_to_string(found).expect("the audit log");
    let last: serde_json::Value = serde_json::from_str(audit.lines().last().unwrap()).unwrap();
    assert_eq!(last["on_behalf_of"].as_u64(), Some(owner), "{last}");
    assert_eq!(last["outcome"], "enrolled");

    // A third user is refused for a personal cadence before anything is sent.
    let third = users["data"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|u| u["id"].as_u64())
        .find(|u| *u != owner)
        .unwrap()
        .to_string();
    let (other, _) = sim.fresh_people(cadence, 1).await[0].clone();
    let o = other.to_string();
    let dry = sim
        .sltui(&[
            "enroll",
            "--cadence",
            &c,
            "--person",
            &o,
            "--user",
            &third,
            "--dry-run",
        ])
        .await;
    assert_eq!(dry.code, 1, "{}{}", dry.stdout, dry.stderr);
    assert!(
        dry.stdout.contains("only on its owner's behalf"),
        "{}",
        dry.stdout
    );
    // Nobody by that name: a usage error.
    let run = sim
        .sltui(&[
            "enroll",
            "--cadence",
            &c,
            "--person",
            &o,
            "--user",
            "Nobody Here",
        ])
        .await;
    assert_eq!(run.code, 2, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stderr
            .contains("no user with id, email address or name"),
        "{}",
        run.stderr
    );
    assert!(sim.memberships(other, cadence).await.is_empty());
}

/// The first file named `name` under `dir`.
fn walk(dir: &std::path::Path, name: &str) -> Option<std::path::PathBuf> {
    for entry in std::fs::read_dir(dir).ok()?.flatten() {
        let path = entry.path();
        if path.is_dir() {
            if let Some(found) = walk(&path, name) {
                return Some(found);
            }
        } else if path.file_name().is_some_and(|n| n == name) {
            return Some(path);
        }
    }
    None
}
