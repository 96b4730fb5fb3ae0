//! Enrollment through the worker, exactly once: against the embedded simulator, and
//! against a small SalesLoft stand-in in this file that loses the answer to a create
//! on purpose (real loopback HTTP and our real client in both).

mod worker_support;

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::routing::get;
use serde_json::{Value, json};
use sltui::api::models::Membership;
use sltui::api::{ApiClient, ApiConfig, Query};
use sltui::worker::{self, EnrollOutcome, Envelope, Priority, Request, WorkerEvent, WorkerOptions};
use worker_support::{Ui, client, endpoint_count, start_sim, stat};

/// An active team cadence, an archived one, and two people on neither.
async fn pick(api: &ApiClient) -> (u64, u64, [u64; 2]) {
    let cadences = api.page_walk::<sltui::api::models::Cadence>("cadences", Query::new());
    let cadences = cadences.collect_all().await.expect("cadences");
    let active = cadences
        .iter()
        .find(|c| c.team_cadence && !c.draft && c.archived_at.is_none())
        .expect("an active team cadence");
    let archived = cadences
        .iter()
        .find(|c| c.archived_at.is_some())
        .expect("an archived cadence");
    let on_active: BTreeSet<u64> = members(api, None, Some(active.id))
        .await
        .iter()
        .filter_map(Membership::person_id)
        .collect();
    let people = api
        .people(&Query::new().push("per_page", 100))
        .await
        .expect("people")
        .data;
    let mut free = people
        .iter()
        .filter(|p| !on_active.contains(&p.id))
        .map(|p| p.id);
    let first = free.next().expect("a person not on the active cadence");
    let second = free
        .next()
        .expect("another person not on the active cadence");
    (active.id, archived.id, [first, second])
}

async fn members(api: &ApiClient, person: Option<u64>, cadence: Option<u64>) -> Vec<Membership> {
    let mut q = Query::new();
    if let Some(p) = person {
        q = q.push("person_id", p);
    }
    if let Some(c) = cadence {
        q = q.push("cadence_id", c);
    }
    api.page_walk::<Membership>("cadence_memberships", q)
        .collect_all()
        .await
        .expect("memberships")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn enrollment_happens_exactly_once() {
    let sim = start_sim(600, 200).await;
    let api = client(&sim, 600);
    let (active, archived, [person, other]) = pick(&api).await;
    let mut ui = Ui::new(api.clone(), WorkerOptions::default());

    let (first, error) = ui.enroll(person, active).await;
    assert_eq!(error, None);
    let EnrollOutcome::Enrolled { membership_id } = first else {
        panic!("expected Enrolled, got {first:?}")
    };
    let (second, _) = ui.enroll(person, active).await;
    assert_eq!(second, EnrollOutcome::AlreadyOnCadence { membership_id });
    let on = members(&api, Some(person), Some(active)).await;
    assert_eq!(on.len(), 1, "exactly one membership: {on:?}");
    assert!(on[0].currently_on_cadence);

    // Two enrollments of one pair at once: serialized, one creates, one reports.
    let enroll = Request::Enroll {
        person_ids: vec![other],
        cadence_id: active,
        step_id: None,
        user_id: None,
    };
    let ids = [
        ui.send(Priority::User, enroll.clone()),
        ui.send(Priority::User, enroll),
    ];
    let mut outcomes = Vec::new();
    while outcomes.len() < 2 {
        if let WorkerEvent::EnrollProgress { id, outcome, .. } = ui.event().await {
            assert!(ids.contains(&id));
            outcomes.push(outcome);
        }
    }
    let enrolled = outcomes
        .iter()
        .filter(|o| matches!(o, EnrollOutcome::Enrolled { .. }))
        .count();
    let already = outcomes
        .iter()
        .filter(|o| matches!(o, EnrollOutcome::AlreadyOnCadence { .. }))
        .count();
    assert_eq!((enrolled, already), (1, 1), "{outcomes:?}");
    assert_eq!(members(&api, Some(other), Some(active)).await.len(), 1);

    let (outcome, error) = ui.enroll(person, archived).await;
    match outcome {
        EnrollOutcome::Failed { reason } => {
            assert_eq!(reason, "cadence is archived");
            assert_eq!(error.as_deref(), Some("cadence is archived"));
        }
        other => panic!("expected Failed, got {other:?}"),
    }
    assert!(
        members(&api, Some(person), Some(archived))
            .await
            .iter()
            .all(|m| !m.currently_on_cadence)
    );
    sim.shutdown().await;
}

/// SalesLoft takes people into a teammate's personal cadence only on its owner's
/// behalf (`user_id`), and into a team cadence on any teammate's: the worker sends
/// the user it is given, and the membership is the owner's.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn enrollment_on_a_teammates_behalf() {
    let sim = start_sim(600, 200).await;
    let api = client(&sim, 600);
    let (active, _, [person, other]) = pick(&api).await;
    let me = api.me().await.expect("me").id;
    let cadences = api.page_walk::<sltui::api::models::Cadence>("cadences", Query::new());
    let cadences = cadences.collect_all().await.expect("cadences");
    let (theirs, owner) = cadences
        .iter()
        .filter(|c| !c.team_cadence && !c.draft && c.archived_at.is_none())
        .find_map(|c| {
            let owner = c.owner.as_ref().and_then(|o| o.id_u64())?;
            (owner != me).then_some((c.id, owner))
        })
        .expect("an active personal cadence of a teammate");
    let on_theirs: BTreeSet<u64> = members(&api, None, Some(theirs))
        .await
        .iter()
        .filter_map(Membership::person_id)
        .collect();
    let everyone: Vec<u64> = api
        .people(&Query::new().push("per_page", 100))
        .await
        .expect("people")
        .data
        .iter()
        .map(|p| p.id)
        .collect();
    let person = [person, other]
        .into_iter()
        .chain(everyone.iter().copied())
        .find(|p| !on_theirs.contains(p))
        .expect("someone not on the personal cadence");
    let mut ui = Ui::new(api.clone(), WorkerOptions::default());

    // As the key's user: refused in words, nothing created.
    let (outcome, _) = ui.enroll(person, theirs).await;
    assert_eq!(
        outcome,
        EnrollOutcome::Failed {
            reason: "cadence is another user's personal cadence".into()
        }
    );
    assert!(members(&api, Some(person), Some(theirs)).await.is_empty());

    // On its owner's behalf: enrolled, and the membership is the owner's.
    let (outcome, error) = ui.enroll_as(person, theirs, Some(owner)).await;
    assert_eq!(error, None, "{outcome:?}");
    assert!(
        matches!(outcome, EnrollOutcome::Enrolled { .. }),
        "{outcome:?}"
    );
    let on = members(&api, Some(person), Some(theirs)).await;
    assert_eq!(on.len(), 1, "{on:?}");
    assert_eq!(on[0].user.as_ref().and_then(|u| u.id_u64()), Some(owner));

    // A team cadence on a teammate's behalf: the membership is the teammate's.
    let free = members(&api, None, Some(active)).await;
    let taken: BTreeSet<u64> = free.iter().filter_map(Membership::person_id).collect();
    let someone = everyone
        .into_iter()
        .find(|p| !taken.contains(p) && *p != person)
        .expect("a free person");
    let (outcome, _) = ui.enroll_as(someone, active, Some(owner)).await;
    assert!(
        matches!(outcome, EnrollOutcome::Enrolled { .. }),
        "{outcome:?}"
    );
    let on = members(&api, Some(someone), Some(active)).await;
    assert_eq!(on[0].user.as_ref().and_then(|u| u.id_u64()), Some(owner));
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn read_only_sends_nothing() {
    let sim = start_sim(600, 100).await;
    let api = client(&sim, 600);
    let (active, _, [person, _]) = pick(&api).await;
    let opts = WorkerOptions {
        read_only: true,
        ..WorkerOptions::default()
    };
    let mut ui = Ui::new(api.clone(), opts);
    let requests = stat(&sim, "requests").await;
    let (outcome, error) = ui.enroll(person, active).await;
    let reason = "read-only mode: enrollment disabled".to_string();
    assert_eq!(
        outcome,
        EnrollOutcome::Failed {
            reason: reason.clone()
        }
    );
    assert_eq!(error, Some(reason));
    assert_eq!(
        stat(&sim, "requests").await,
        requests,
        "no request at all reached the API"
    );
    assert_eq!(endpoint_count(&sim, "POST cadence_memberships").await, 0);
    sim.shutdown().await;
}

/// How the next creates fail.
#[derive(Clone, Copy)]
enum Fault {
    /// Applied, then a 500 (the answer is lost).
    AppliedThen500,
    /// A 502 before anything was applied.
    Unapplied502,
}

struct World {
    faults: Vec<Fault>,
    posts: u32,
    /// (membership id, person id, cadence id)
    memberships: Vec<(u64, u64, u64)>,
}

type Shared = Arc<Mutex<World>>;

fn membership(id: u64, person: u64, cadence: u64) -> Value {
    json!({
        "id": id, "created_at": "2024-05-01T09:00:00.000000-04:00",
        "updated_at": "2024-05-01T09:00:00.000000-04:00", "added_at": null,
        "person_deleted": false, "currently_on_cadence": true, "current_state": "staged",
        "cadence": {"id": cadence}, "person": {"id": person}, "user": {"id": 1},
        "latest_action": null, "counts": {"views": 0, "clicks": 0, "replies": 0,
        "calls": 0, "sent_emails": 0, "bounces": 0}
    })
}

fn param(q: &str, key: &str) -> Option<u64> {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(q).ok()?;
    pairs.iter().find(|(k, _)| k == key)?.1.parse().ok()
}

async fn list(State(w): State<Shared>, RawQuery(q): RawQuery) -> axum::Json<Value> {
    let q = q.unwrap_or_default();
    let (person, cadence) = (param(&q, "person_id"), param(&q, "cadence_id"));
    let w = w.lock().unwrap();
    let data: Vec<Value> = w
        .memberships
        .iter()
        .filter(|(_, p, c)| person.is_none_or(|x| x == *p) && cadence.is_none_or(|x| x == *c))
        .map(|(id, p, c)| membership(*id, *p, *c))
        .collect();
    axum::Json(
        json!({"metadata": {"paging": {"per_page": 100, "current_page": 1,
        "next_page": null, "prev_page": null}}, "data": data}),
    )
}

async fn create(
    State(w): State<Shared>,
    body: axum::body::Bytes,
) -> (StatusCode, axum::Json<Value>) {
    let v: Value = serde_json::from_slice(&body).unwrap_or_default();
    let (person, cadence) = (
        v["person_id"].as_u64().unwrap_or(0),
        v["cadence_id"].as_u64().unwrap_or(0),
    );
    let mut w = w.lock().unwrap();
    w.posts += 1;
    let fault = if w.faults.is_empty() {
        None
    } else {
        Some(w.faults.remove(0))
    };
    if let Some(Fault::Unapplied502) = fault {
        return (
            StatusCode::BAD_GATEWAY,
            axum::Json(json!({"error": "Bad Gateway"})),
        );
    }
    let id = 500 + w.memberships.len() as u64;
    w.memberships.push((id, person, cadence));
    match fault {
        Some(_) => (
            StatusCode::INTERNAL_SERVER_ERROR,
            axum::Json(json!({"error": "oops"})),
        ),
        None => (
            StatusCode::OK,
            axum::Json(json!({"data": membership(id, person, cadence)})),
        ),
    }
}

async fn serve(faults: Vec<Fault>) -> (ApiClient, Shared) {
    let world = Arc::new(Mutex::new(World {
        faults,
        posts: 0,
        memberships: Vec::new(),
    }));
    let app = Router::new()
        .route("/v2/cadence_memberships", get(list).post(create))
        .with_state(world.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    let client =
        ApiClient::new(ApiConfig::new(&format!("http://{addr}"), Some("k".into()))).unwrap();
    (client, world)
}

async fn enroll_once(client: ApiClient) -> EnrollOutcome {
    let mut w = worker::spawn(client, WorkerOptions::default());
    let request = Request::Enroll {
        person_ids: vec![7],
        cadence_id: 3,
        step_id: None,
        user_id: None,
    };
    w.requests
        .send(Envelope {
            id: 1,
            priority: Priority::User,
            request,
        })
        .unwrap();
    loop {
        let event = tokio::time::timeout(Duration::from_secs(120), w.events.recv()).await;
        if let WorkerEvent::EnrollProgress { outcome, .. } = event.unwrap().unwrap() {
            return outcome;
        }
    }
}

#[tokio::test]
async fn a_create_applied_but_answered_with_500_is_not_repeated() {
    let (client, world) = serve(vec![Fault::AppliedThen500]).await;
    let outcome = enroll_once(client).await;
    assert_eq!(outcome, EnrollOutcome::Enrolled { membership_id: 500 });
    let w = world.lock().unwrap();
    assert_eq!(
        (w.posts, w.memberships.len()),
        (1, 1),
        "re-read instead of a second POST"
    );
}

#[tokio::test]
async fn a_create_that_was_not_applied_is_retried_once() {
    let (client, world) = serve(vec![Fault::Unapplied502]).await;
    let outcome = enroll_once(client).await;
    assert_eq!(outcome, EnrollOutcome::Enrolled { membership_id: 500 });
    let w = world.lock().unwrap();
    assert_eq!((w.posts, w.memberships.len()), (2, 1));
}

#[tokio::test]
async fn two_lost_answers_in_a_row_report_failure_not_a_guess() {
    let (client, world) = serve(vec![Fault::Unapplied502, Fault::Unapplied502]).await;
    let outcome = enroll_once(client).await;
    match outcome {
        EnrollOutcome::Failed { reason } => assert!(reason.starts_with("not enrolled"), "{reason}"),
        other => panic!("expected Failed, got {other:?}"),
    }
    let w = world.lock().unwrap();
    assert_eq!(
        (w.posts, w.memberships.len()),
        (2, 0),
        "never more than one retry"
    );
}
