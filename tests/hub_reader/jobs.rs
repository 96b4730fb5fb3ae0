//! Enrollment through the team database: concurrent requests from several
//! dashboards make one job with one outcome seen by all; a job filed while no
//! hub runs jobs waits (and says so), and completes once one does.

use std::time::Duration;

use serde_json::json;
use sltui::api::models::{Cadence, Person};
use sltui::store::{PgStore, RecordStore, StoreRecord};
use sltui::worker::hub_reader::{HubReaderOptions, spawn_hub_reader};
use sltui::worker::{EnrollOutcome, Envelope, Priority, Request, WorkerEvent, WorkerHandle};

use super::pg_support::{TestDb, test_db};
use super::support::{HANG_GUARD, TestHubDriver, driver_membership, next_event};

pub const CADENCE: u64 = 41;
pub const PERSON: u64 = 7001;
const T: &str = "2024-05-01T10:00:00.000000-04:00";

/// A team database with one cadence and one person, as a hub leaves it.
pub async fn small_team() -> (TestDb, PgStore) {
    let db = test_db();
    let url = db.url.clone();
    let store = tokio::task::spawn_blocking(move || {
        let mut s = PgStore::connect(&url).expect("connects");
        let cadence: Cadence = serde_json::from_value(json!({
            "id": CADENCE, "created_at": T, "updated_at": T, "name": "Q3 Outbound",
            "team_cadence": true, "shared": true, "draft": false, "current_state": "active",
            "tags": [], "owner": {"_href": "https://api.salesloft.com/v2/users/7", "id": 7},
            "counts": {"cadence_people": 0}
        }))
        .expect("cadence json");
        let person: Person = serde_json::from_value(json!({
            "id": PERSON, "created_at": T, "updated_at": T, "first_name": "Ada",
            "last_name": "Lovelace", "email_address": "ada@example.com"
        }))
        .expect("person json");
        let r: &mut dyn RecordStore = &mut s;
        r.upsert_prepared(&Cadence::prepare(&[cadence]), 1).unwrap();
        r.upsert_prepared(&Person::prepare(&[person]), 1).unwrap();
        s
    })
    .await
    .expect("join");
    (db, store)
}

fn enroll(worker: &WorkerHandle, id: u64) {
    worker
        .requests
        .send(Envelope {
            id,
            priority: Priority::User,
            request: Request::Enroll {
                person_ids: vec![PERSON],
                cadence_id: CADENCE,
                step_id: None,
                user_id: None,
            },
        })
        .expect("the worker runs");
}

/// Rows of a table of the sltui schema, counted.
async fn count(url: &str, sql: &'static str) -> i64 {
    let url = url.to_string();
    // The blocking client runs a runtime of its own: on a plain thread.
    std::thread::spawn(move || {
        let mut c = postgres::Client::connect(&url, postgres::NoTls).expect("connects");
        c.query_one(sql, &[]).expect("counts").get(0)
    })
    .join()
    .expect("join")
}

/// The outcome and the error of each of the requests `ids` on `worker`.
async fn outcomes(
    worker: &mut WorkerHandle,
    ids: &[u64],
) -> Vec<(u64, EnrollOutcome, Option<String>)> {
    let mut got: std::collections::HashMap<u64, EnrollOutcome> = Default::default();
    let mut out = Vec::new();
    while out.len() < ids.len() {
        let ev = next_event(worker, "the enrollments' end", |e| {
            e.request_id().is_some_and(|id| ids.contains(&id))
        })
        .await;
        match ev {
            WorkerEvent::EnrollProgress { id, outcome, .. } => {
                got.insert(id, outcome);
            }
            WorkerEvent::Finished { id, error } => {
                let o = got.remove(&id).expect("an outcome before the end");
                out.push((id, o, error));
            }
            _ => {}
        }
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn six_requests_from_three_dashboards_make_one_job_and_one_outcome() {
    let (db, _store) = small_team().await;
    let mut clients = Vec::new();
    for k in 0..3 {
        let opts = HubReaderOptions {
            requested_by: format!("client-{k}@test"),
            ..HubReaderOptions::default()
        };
        clients.push(spawn_hub_reader(&db.url, opts).await.expect("connects"));
    }
    // Two requests from each, at once; no hub runs jobs yet.
    for c in &clients {
        enroll(c, 1);
        enroll(c, 2);
    }
    let end = tokio::time::Instant::now() + HANG_GUARD;
    let asked = "SELECT count(*) FROM sltui.audit WHERE action IN ('job.filed', 'job.joined')";
    while count(&db.url, asked).await < 6 {
        assert!(tokio::time::Instant::now() < end, "six requests filed");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(
        count(&db.url, "SELECT count(*) FROM sltui.jobs").await,
        1,
        "one job"
    );
    let driver = TestHubDriver::start(&db.url);
    let job_id = count(&db.url, "SELECT max(id) FROM sltui.jobs").await;
    let want = EnrollOutcome::Enrolled {
        membership_id: driver_membership(job_id),
    };
    for c in &mut clients {
        for (id, got, error) in outcomes(c, &[1, 2]).await {
            assert_eq!(got, want, "request {id} sees the one outcome");
            assert_eq!(error, None);
        }
    }
    assert_eq!(
        driver.runs.load(std::sync::atomic::Ordering::SeqCst),
        1,
        "the job ran once"
    );
    assert_eq!(
        count(&db.url, "SELECT count(*) FROM sltui.jobs").await,
        1,
        "still one job"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_job_filed_without_a_hub_waits_and_completes_when_one_runs() {
    let (db, _store) = small_team().await;
    let mut worker = spawn_hub_reader(
        &db.url,
        HubReaderOptions {
            unclaimed_note_after: Duration::from_secs(1),
            ..HubReaderOptions::default()
        },
    )
    .await
    .expect("connects");
    enroll(&worker, 5);
    let mut early = Vec::new();
    let note = next_event(&mut worker, "the waiting note", |e| {
        if matches!(
            e,
            WorkerEvent::EnrollProgress { .. } | WorkerEvent::Finished { .. }
        ) {
            early.push(format!("{e:?}"));
        }
        matches!(e, WorkerEvent::TaskNote { note: Some(_), .. })
    })
    .await;
    let WorkerEvent::TaskNote {
        id,
        note: Some(text),
    } = note
    else {
        unreachable!()
    };
    assert_eq!(id, 5);
    assert!(
        text.starts_with("waiting for the hub: no leader has picked it up for"),
        "{text}"
    );
    assert!(early.is_empty(), "nothing ended without a hub: {early:?}");
    assert_eq!(
        count(
            &db.url,
            "SELECT count(*) FROM sltui.jobs WHERE state = 'queued'"
        )
        .await,
        1,
        "the job waits in the queue"
    );
    let _driver = TestHubDriver::start(&db.url);
    let mut cleared = false;
    let mut got = None;
    loop {
        match next_event(&mut worker, "the end", |e| e.request_id() == Some(5)).await {
            WorkerEvent::TaskNote { note: None, .. } => cleared = true,
            WorkerEvent::EnrollProgress { outcome, .. } => got = Some(outcome),
            WorkerEvent::Finished { error, .. } => {
                assert_eq!(error, None);
                break;
            }
            _ => {}
        }
    }
    assert!(
        matches!(got, Some(EnrollOutcome::Enrolled { .. })),
        "{got:?}"
    );
    assert!(cleared, "the note goes once a hub took the job");
}

fn ask(worker: &WorkerHandle, id: u64, request: Request) {
    worker
        .requests
        .send(Envelope {
            id,
            priority: Priority::Visible,
            request,
        })
        .expect("the worker runs");
}

/// The hub's own user answers `Me` once the hub stored it (and it says so
/// before); a membership written for the cadence and the person on screen
/// reaches them as pushed answers.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn me_and_pushed_memberships() {
    let (db, store) = small_team().await;
    let mut worker = spawn_hub_reader(&db.url, HubReaderOptions::default())
        .await
        .expect("connects");
    ask(&worker, 1, Request::Me);
    let ev = next_event(&mut worker, "Me's end", |e| {
        matches!(e, WorkerEvent::Finished { id: 1, .. })
    })
    .await;
    let WorkerEvent::Finished {
        error: Some(why), ..
    } = ev
    else {
        panic!("no hub user stored: {ev:?}");
    };
    assert!(
        why.contains("has not recorded whose SalesLoft key"),
        "{why}"
    );
    let me: sltui::api::models::User =
        serde_json::from_value(json!({"id": 77, "name": "Hub Owner"})).unwrap();
    let store = std::sync::Arc::new(store);
    let s = store.clone();
    tokio::task::spawn_blocking(move || s.set_hub_me(&me).unwrap())
        .await
        .unwrap();
    ask(&worker, 2, Request::Me);
    let ev = next_event(&mut worker, "Me", |e| {
        matches!(e, WorkerEvent::Me { id: 2, .. })
    })
    .await;
    let WorkerEvent::Me { user, .. } = ev else {
        unreachable!()
    };
    assert_eq!(user.id, 77);

    ask(
        &worker,
        3,
        Request::CadenceDetail {
            cadence_id: CADENCE,
        },
    );
    ask(&worker, 4, Request::PersonDetail { person_id: PERSON });
    next_event(&mut worker, "the details", |e| {
        matches!(e, WorkerEvent::Finished { id: 4, .. })
    })
    .await;
    let m: sltui::api::models::Membership = serde_json::from_value(json!({
        "id": 555, "created_at": T, "updated_at": T, "added_at": T,
        "person_deleted": false, "currently_on_cadence": true, "current_state": "staged",
        "cadence": {"_href": "https://api.salesloft.com/v2/cadences/41", "id": CADENCE},
        "person": {"_href": "https://api.salesloft.com/v2/people/7001", "id": PERSON},
        "counts": {"views": 0, "clicks": 0, "replies": 0, "calls": 0, "sent_emails": 0,
                   "bounces": 0}
    }))
    .unwrap();
    let s = store.clone();
    tokio::task::spawn_blocking(move || {
        s.upsert_prepared(&sltui::api::models::Membership::prepare(&[m]), 1)
            .unwrap()
    })
    .await
    .unwrap();
    let mut detail = false;
    let mut person = false;
    while !(detail && person) {
        match next_event(&mut worker, "the pushed memberships", |e| {
            e.request_id() == Some(sltui::worker::PUSHED)
        })
        .await
        {
            WorkerEvent::CadenceMembers { members, .. } => {
                assert_eq!(members.len(), 1);
                assert_eq!(members[0].0.id, 555);
                assert_eq!(members[0].1.as_ref().map(|p| p.id), Some(PERSON));
                detail = true;
            }
            WorkerEvent::PersonDetail { memberships, .. } => {
                assert_eq!(memberships.iter().map(|m| m.id).collect::<Vec<_>>(), [555]);
                person = true;
            }
            _ => {}
        }
    }
}

/// An enrollment on a teammate's behalf files its job with `on_behalf_of`, which
/// the leading hub passes to SalesLoft as the create's `user_id`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_job_says_on_whose_behalf() {
    let (db, _store) = small_team().await;
    let worker = spawn_hub_reader(&db.url, HubReaderOptions::default())
        .await
        .expect("connects");
    ask(
        &worker,
        3,
        Request::Enroll {
            person_ids: vec![PERSON],
            cadence_id: CADENCE,
            step_id: None,
            user_id: Some(9),
        },
    );
    let end = tokio::time::Instant::now() + HANG_GUARD;
    while count(&db.url, "SELECT count(*) FROM sltui.jobs").await < 1 {
        assert!(tokio::time::Instant::now() < end, "the job is filed");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(
        count(&db.url, "SELECT on_behalf_of FROM sltui.jobs").await,
        9
    );
}
