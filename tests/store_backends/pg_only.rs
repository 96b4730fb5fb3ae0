//! What only the PostgreSQL store does: versioned migrations (also with several
//! migrators at once), the change sequence and LISTEN/NOTIFY, catching up by
//! number, enrollment jobs under concurrency, and leader election.

use std::collections::HashSet;
use std::sync::{Arc, Barrier};
use std::thread;
use std::time::{Duration, Instant};

use sltui::api::CursorPosition;
use sltui::api::models::Person;
use sltui::store::pg::{HubStatus, JobOutcome, JobRequest, JobState, PG_SCHEMA_VERSION};
use sltui::store::{PgStore, RecordStore, StoreRecord};

use super::fact;
use super::pg_support::{TestDb, test_db};

fn admin(db: &TestDb) -> postgres::Client {
    postgres::Client::connect(&db.url, postgres::NoTls).expect("admin connection")
}

fn store(db: &TestDb) -> PgStore {
    PgStore::connect(&db.url).expect("store connects")
}

/// The test database's URL with a password in it (trust auth ignores it).
fn with_password(db: &TestDb) -> String {
    db.url
        .replacen("postgres://postgres@", "postgres://postgres:s3cret@", 1)
}

fn terminate(db: &TestDb, pid: i32) {
    let ok: bool = admin(db)
        .query_one("SELECT pg_terminate_backend($1)", &[&pid])
        .expect("terminate")
        .get(0);
    assert!(ok, "backend {pid} terminated");
}

fn person(id: u64, first: &str, secs: i64) -> Person {
    serde_json::from_value(serde_json::json!({
        "id": id, "first_name": first, "email_address": format!("p{id}@example.com"),
        "updated_at": chrono::DateTime::from_timestamp(1_700_000_000 + secs, 0).unwrap(),
        "created_at": "2023-01-01T00:00:00Z"
    }))
    .expect("a person")
}

fn request(key: &str, person: u64) -> JobRequest {
    JobRequest {
        key: key.into(),
        requested_by: "ada".into(),
        cadence_id: 7,
        person_id: person,
        step_id: Some(70),
        on_behalf_of: Some(3),
    }
}

#[test]
fn migrations_are_versioned_applied_once_and_a_newer_database_is_refused() {
    let db = test_db();
    let s = store(&db);
    assert_eq!(s.schema_version().unwrap(), PG_SCHEMA_VERSION);
    const { assert!(PG_SCHEMA_VERSION >= 3) };
    let again = store(&db);
    assert_eq!(again.migrate().unwrap(), 0, "nothing left to apply");
    let mut c = admin(&db);
    let versions: Vec<i32> = c
        .query(
            "SELECT version FROM sltui.schema_migrations ORDER BY version",
            &[],
        )
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert_eq!(versions, (1..=PG_SCHEMA_VERSION as i32).collect::<Vec<_>>());
    // Our tables live in their own schema, not in the database's public one.
    let public: i64 = c
        .query_one(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'",
            &[],
        )
        .unwrap()
        .get(0);
    assert_eq!(public, 0);

    c.execute(
        "INSERT INTO sltui.schema_migrations (version, name) VALUES ($1, 'from the future')",
        &[&(PG_SCHEMA_VERSION as i32 + 1)],
    )
    .unwrap();
    let e = PgStore::connect(&with_password(&db))
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("newer sltui") && e.contains("upgrade sltui"),
        "{e}"
    );
    assert!(!e.contains("s3cret") && e.contains("postgres:***@"), "{e}");
}

#[test]
fn six_processes_migrating_at_once_migrate_once() {
    let db = test_db();
    let gate = Arc::new(Barrier::new(6));
    let results: Vec<Result<i64, String>> = (0..6)
        .map(|_| {
            let (url, gate) = (db.url.clone(), gate.clone());
            thread::spawn(move || {
                gate.wait();
                PgStore::connect(&url)
                    .and_then(|s| s.schema_version())
                    .map_err(|e| e.to_string())
            })
        })
        .collect::<Vec<_>>()
        .into_iter()
        .map(|t| t.join().expect("no panic"))
        .collect();
    for r in &results {
        assert_eq!(r.as_ref().ok(), Some(&PG_SCHEMA_VERSION), "{r:?}");
    }
    let n: i64 = admin(&db)
        .query_one("SELECT count(*) FROM sltui.schema_migrations", &[])
        .unwrap()
        .get(0);
    assert_eq!(n, PG_SCHEMA_VERSION);
}

#[test]
fn change_numbers_increase_and_the_notification_carries_them() {
    let db = test_db();
    let s = store(&db);
    let mut listener = s.listen().unwrap();
    assert_eq!(s.change_seq().unwrap(), 0);
    let a: Vec<_> = (1..=50).map(|i| fact(i, Some(1), Some(2), 1, 0)).collect();
    s.upsert_email_facts(&a, 1).unwrap();
    let n1 = listener
        .wait(Duration::from_secs(10))
        .unwrap()
        .expect("announced");
    assert_eq!(
        n1,
        s.change_seq().unwrap(),
        "the notification carries the number"
    );
    let b: Vec<_> = (51..=60).map(|i| fact(i, Some(1), Some(2), 5, 1)).collect();
    s.upsert_email_facts(&b, 1).unwrap();
    let n2 = listener
        .wait(Duration::from_secs(10))
        .unwrap()
        .expect("announced");
    assert!(n2 > n1, "{n2} > {n1}");
    // The same rows again: no change, no number, no notification.
    s.upsert_email_facts(&a, 2).unwrap();
    assert_eq!(listener.wait(Duration::from_millis(500)).unwrap(), None);
    assert_eq!(s.change_seq().unwrap(), n2);
    let seqs: Vec<i64> = admin(&db)
        .query("SELECT seq FROM sltui.email_facts ORDER BY seq", &[])
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert!(
        seqs.windows(2).all(|w| w[0] < w[1]) && seqs[0] > 0,
        "each row its own number"
    );
    let since_n1 = s.changes_after(n1).unwrap();
    assert_eq!(since_n1.facts, b, "exactly the rows written after n1");
    assert_eq!(since_n1.through, n2);
    // A newer person: one more number, announced.
    s.upsert_prepared(&Person::prepare(&[person(5, "Ada", 0)]), 1)
        .unwrap();
    s.upsert_prepared(&Person::prepare(&[person(5, "Augusta", 9)]), 1)
        .unwrap();
    let n3 = listener
        .wait(Duration::from_secs(10))
        .unwrap()
        .expect("announced");
    assert!(n3 > n2);
    let set = s.changes_after(n2).unwrap();
    assert_eq!(set.people.len(), 1);
    assert_eq!(set.people[0].name, "Augusta");
    assert!(set.facts.is_empty());
}

#[test]
fn a_reader_that_missed_notifications_catches_up_by_number() {
    let db = test_db();
    let writer = store(&db);
    let reader = store(&db);
    let mut listener = reader.listen().unwrap();
    let start = reader.change_seq().unwrap();
    // The reader's listening connection dies: its notifications are lost.
    terminate(&db, listener.backend_pid().unwrap());
    writer.begin_full("emails", None, None).unwrap();
    let mut written = Vec::new();
    for batch in 0..5u64 {
        let facts: Vec<_> = (1..=20)
            .map(|i| fact(batch * 100 + i, Some(batch), None, 1, 0))
            .collect();
        writer.upsert_email_facts(&facts, 1).unwrap();
        written.extend(facts);
    }
    writer
        .upsert_prepared(&Person::prepare(&[person(1, "Grace", 0)]), 1)
        .unwrap();
    // A full sync that saw only the first 90 facts removes the other 10.
    writer.begin_full("emails", None, None).unwrap();
    writer.upsert_email_facts(&written[..90], 2).unwrap();
    let removed = writer
        .finish_full("emails", "email_facts", &CursorPosition::start())
        .unwrap();
    assert_eq!(removed, 10);
    assert!(
        listener.wait(Duration::from_secs(1)).is_err(),
        "the dead listener says so"
    );
    // The reader's own session dies too: the next read connects again.
    let others: Vec<i32> = admin(&db)
        .query(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database()
               AND pid <> pg_backend_pid() AND application_name = 'sltui'",
            &[],
        )
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert!(!others.is_empty());
    for pid in others {
        terminate(&db, pid);
    }
    let set = reader.changes_after(start).unwrap();
    let mut got: Vec<u64> = set.facts.iter().map(|f| f.email_id).collect();
    got.sort_unstable();
    got.dedup();
    let mut want: Vec<u64> = written.iter().map(|f| f.email_id).collect();
    want.sort_unstable();
    assert_eq!(
        got,
        want[..90].to_vec(),
        "every fact written while the reader was away"
    );
    let mut gone: Vec<u64> = set
        .removed
        .iter()
        .filter(|(t, _)| t == "email_facts")
        .map(|(_, id)| *id)
        .collect();
    gone.sort_unstable();
    assert_eq!(gone, want[90..].to_vec(), "and the ones removed");
    assert_eq!(set.people.len(), 1);
    assert_eq!(set.through, reader.change_seq().unwrap());
    assert!(reader.changes_after(set.through).unwrap().is_empty());
}

#[test]
fn six_concurrent_filers_from_three_clients_file_one_job() {
    let db = test_db();
    let clients: Vec<Arc<PgStore>> = (0..3).map(|_| Arc::new(store(&db))).collect();
    let gate = Arc::new(Barrier::new(6));
    let results: Vec<_> = (0..6)
        .map(|i| {
            let (s, gate) = (clients[i % 3].clone(), gate.clone());
            thread::spawn(move || {
                gate.wait();
                s.file_job(&request("enroll-ada-1", 42)).expect("filed")
            })
        })
        .collect::<Vec<_>>()
        .into_iter()
        .map(|t| t.join().expect("no panic"))
        .collect();
    let ids: HashSet<i64> = results.iter().map(|(j, _)| j.id).collect();
    assert_eq!(ids.len(), 1, "every filer got the same job");
    assert_eq!(results.iter().filter(|(_, created)| *created).count(), 1);
    let mut c = admin(&db);
    let n: i64 = c
        .query_one("SELECT count(*) FROM sltui.jobs", &[])
        .unwrap()
        .get(0);
    assert_eq!(n, 1);
    let filed: i64 = c
        .query_one(
            "SELECT count(*) FROM sltui.audit WHERE action = 'job.filed'",
            &[],
        )
        .unwrap()
        .get(0);
    assert_eq!(filed, 1, "one audit row for the one mutation");
    let job = clients[0].job("enroll-ada-1").unwrap().expect("the job");
    assert_eq!(
        (job.state, job.person_id, job.on_behalf_of),
        (JobState::Queued, 42, Some(3))
    );
    let e = clients[1]
        .file_job(&request("enroll-ada-1", 43))
        .unwrap_err()
        .to_string();
    assert!(e.contains("already used for another enrollment"), "{e}");
}

#[test]
fn claimers_never_share_a_job_and_orphans_go_back_to_the_queue() {
    let db = test_db();
    let s = store(&db);
    for i in 0..40 {
        s.file_job(&request(&format!("k{i}"), i)).unwrap();
    }
    let gate = Arc::new(Barrier::new(4));
    let claimed: Vec<Vec<String>> = (0..4)
        .map(|w| {
            let (url, gate) = (db.url.clone(), gate.clone());
            thread::spawn(move || {
                let s = PgStore::connect(&url).unwrap();
                let me = format!("runner-{w}");
                gate.wait();
                let mut mine = Vec::new();
                while let Some(job) = s.claim_next_job(&me).unwrap() {
                    assert_eq!((job.state, job.attempts), (JobState::Running, 1));
                    let done = JobOutcome::Done {
                        membership_id: Some(1000 + job.person_id),
                        outcome: "enrolled".into(),
                    };
                    s.finish_job(&job.key, &me, &done).unwrap();
                    mine.push(job.key);
                }
                mine
            })
        })
        .collect::<Vec<_>>()
        .into_iter()
        .map(|t| t.join().expect("no panic"))
        .collect();
    let all: Vec<&String> = claimed.iter().flatten().collect();
    let unique: HashSet<&String> = all.iter().copied().collect();
    assert_eq!((all.len(), unique.len()), (40, 40), "each job claimed once");
    let j = s.job("k7").unwrap().unwrap();
    assert_eq!((j.state, j.membership_id), (JobState::Done, Some(1007)));
    // A leader dies mid-job: the job stays running until the next leader puts it back.
    s.file_job(&request("k-orphan", 99)).unwrap();
    let taken = s.claim_next_job("dead-leader").unwrap().unwrap();
    assert_eq!(taken.key, "k-orphan");
    assert!(s.claim_next_job("new-leader").unwrap().is_none());
    let e = s
        .finish_job(
            "k-orphan",
            "new-leader",
            &JobOutcome::Failed {
                outcome: "x".into(),
            },
        )
        .unwrap_err();
    assert!(
        e.to_string().contains("not running under new-leader"),
        "{e}"
    );
    assert_eq!(s.requeue_orphaned_jobs("new-leader").unwrap(), 1);
    let again = s.claim_next_job("new-leader").unwrap().unwrap();
    assert_eq!(
        (again.key.as_str(), again.attempts),
        ("k-orphan", 2),
        "check before retrying"
    );
    let failed = s
        .finish_job(
            "k-orphan",
            "new-leader",
            &JobOutcome::Failed {
                outcome: "already enrolled".into(),
            },
        )
        .unwrap();
    assert_eq!(failed.state, JobState::Failed);
    let actions: Vec<String> = s
        .audit_log(3)
        .unwrap()
        .into_iter()
        .map(|a| a.action)
        .collect();
    assert_eq!(actions, ["job.failed", "job.claimed", "job.requeued"]);
}

#[test]
fn one_leader_at_a_time_and_a_standby_takes_over_when_it_dies() {
    let db = test_db();
    let gate = Arc::new(Barrier::new(4));
    let contenders: Vec<_> = (0..4)
        .map(|i| {
            let (url, gate) = (db.url.clone(), gate.clone());
            thread::spawn(move || {
                let s = PgStore::connect(&url).unwrap();
                gate.wait();
                let lead = s.try_lead(&format!("hub-{i}")).unwrap();
                (s, lead)
            })
        })
        .collect::<Vec<_>>()
        .into_iter()
        .map(|t| t.join().expect("no panic"))
        .collect();
    let mut leaders: Vec<_> = contenders.into_iter().filter_map(|(_, l)| l).collect();
    assert_eq!(leaders.len(), 1, "exactly one of four contenders leads");
    let mut leader = leaders.pop().unwrap();
    assert!(leader.is_alive());
    let standby = store(&db);
    for _ in 0..3 {
        assert!(
            standby.try_lead("standby").unwrap().is_none(),
            "never two leaders"
        );
    }
    assert_eq!(
        standby.hub_status().unwrap().unwrap().hub_name,
        leader.name()
    );
    // The leader's connection dies.
    terminate(&db, leader.backend_pid().unwrap());
    let died = Instant::now();
    assert!(!leader.is_alive(), "a dead leader knows it");
    let mut next = None;
    while died.elapsed() < Duration::from_secs(10) {
        if let Some(l) = standby.try_lead("standby").unwrap() {
            next = Some(l);
            break;
        }
        thread::sleep(Duration::from_secs(1));
    }
    let mut next = next.expect("the standby leads within 10 s of the leader's death");
    assert!(next.is_alive());
    let status = standby.hub_status().unwrap().unwrap();
    assert_eq!(status.hub_name, "standby");
    assert!(status.leader_since.is_some());
    // Dropping the guard hands the lead on at once.
    drop(next);
    let third = store(&db);
    assert!(third.try_lead("third").unwrap().is_some());
}

#[test]
fn the_hub_status_row_is_kept_and_announced() {
    let db = test_db();
    let s = store(&db);
    assert_eq!(s.hub_status().unwrap(), None);
    let before = s.change_seq().unwrap();
    s.put_hub_status(&HubStatus {
        hub_name: "hub-a".into(),
        ..HubStatus::default()
    })
    .unwrap();
    s.note_budget("hub-a", 412, 600).unwrap();
    let synced = chrono::Utc::now();
    s.note_sync("hub-a", synced).unwrap();
    let h = s.hub_status().unwrap().unwrap();
    assert_eq!((h.budget_remaining, h.budget_limit), (Some(412), Some(600)));
    assert_eq!(
        h.last_sync_at.map(|t| t.timestamp_micros()),
        Some(synced.timestamp_micros())
    );
    assert!(h.updated_at.is_some());
    let set = s.changes_after(before).unwrap();
    assert_eq!(set.hub.map(|h| h.budget_remaining), Some(Some(412)));
}

#[test]
fn a_bad_or_unreachable_database_says_what_to_do_without_the_password() {
    let e = PgStore::connect("postgres://hub:s3cret@127.0.0.1:1/team")
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("cannot connect to the team database postgres://hub:***@127.0.0.1:1/team"),
        "{e}"
    );
    assert!(!e.contains("s3cret"), "{e}");
    let e = PgStore::connect("mysql://hub:s3cret@db/team")
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("postgres://user:password@host:5432/database") && !e.contains("s3cret"),
        "{e}"
    );
}

/// Inside an async runtime (current-thread, as `#[tokio::test]`): calls and
/// the store's drop run off the runtime, nothing panics.
#[tokio::test]
async fn the_store_works_from_async_code() {
    let db = test_db();
    let mut s: Box<dyn RecordStore> = Box::new(PgStore::connect(&db.url).unwrap());
    s.upsert_email_facts(&[fact(1, Some(1), None, 1, 0)], 1)
        .unwrap();
    assert_eq!(s.email_facts().unwrap(), vec![fact(1, Some(1), None, 1, 0)]);
    drop(s);
    tokio::task::yield_now().await;
}
