//! The worker when SalesLoft is down (the circuit breaker) and its audit log of
//! mutations, against the simulator over real loopback HTTP. Outages are started
//! and ended through `POST /_sim/faults`, so nothing depends on timing.

mod worker_support;

use std::collections::BTreeSet;

use serde_json::{Value, json};
use sltui::api::models::{Cadence, Membership, Person};
use sltui::api::{ApiClient, ApiConfig, Query};
use sltui::sim::{self, SimConfig, SimHandle};
use sltui::worker::{
    ConnectionState, EnrollOutcome, Priority, Request, RequestId, WorkerEvent, WorkerOptions,
};
use worker_support::{HANG_GUARD, Ui, endpoint_count, id_of, set_faults};

/// A key nobody would write by accident, to look for in the audit log.
const SECRET: &str = "sk-live-AUDIT-7f3a9c0d-DO-NOT-LOG";

async fn start() -> SimHandle {
    sim::start(SimConfig {
        addr: ([127, 0, 0, 1], 0).into(),
        api_key: SECRET.into(),
        people: 150,
        cadences: 10,
        ..SimConfig::default()
    })
    .await
    .expect("simulator starts")
}

fn api(sim: &SimHandle) -> ApiClient {
    ApiClient::new(ApiConfig::new(&sim.base_url(), Some(SECRET.into()))).expect("client")
}

/// An active team cadence, an archived one, and people on neither.
async fn pick(api: &ApiClient) -> (u64, u64, Vec<u64>) {
    let cadences: Vec<Cadence> = api
        .page_walk::<Cadence>("cadences", Query::new())
        .collect_all()
        .await
        .expect("cadences");
    let active = cadences
        .iter()
        .find(|c| c.team_cadence && !c.draft && c.archived_at.is_none())
        .expect("an active team cadence")
        .id;
    let archived = cadences
        .iter()
        .find(|c| c.archived_at.is_some())
        .expect("an archived cadence")
        .id;
    let on: BTreeSet<u64> = api
        .page_walk::<Membership>(
            "cadence_memberships",
            Query::new().push("cadence_id", active),
        )
        .collect_all()
        .await
        .expect("memberships")
        .iter()
        .filter_map(Membership::person_id)
        .collect();
    let people: Vec<u64> = api
        .page_walk::<Person>("people", Query::new())
        .collect_all()
        .await
        .expect("people")
        .iter()
        .map(|p| p.id)
        .filter(|id| !on.contains(id))
        .take(4)
        .collect();
    (active, archived, people)
}

/// Waits for the next `Connection` event, answering nothing else.
async fn connection(ui: &mut Ui) -> ConnectionState {
    loop {
        if let WorkerEvent::Connection { state } = ui.event().await {
            return state;
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_outage_opens_the_circuit_and_one_probe_closes_it() {
    let sim = start().await;
    let (active, _, people) = pick(&api(&sim)).await;
    let mut ui = Ui::new(api(&sim), WorkerOptions::default());
    let (_, error) = ui.run(Priority::Visible, Request::Cadences).await;
    assert_eq!(error, None, "up at first");

    set_faults(&sim, json!({"outage_secs": 3600})).await;
    // Reads for the screen fail (each tried four times by the client) until the
    // worker stops trying and says why.
    let mut person = people[0];
    let down = loop {
        ui.send(
            Priority::Visible,
            Request::PersonDetail { person_id: person },
        );
        person += 1;
        let state = tokio::time::timeout(HANG_GUARD, async {
            loop {
                match ui.event().await {
                    WorkerEvent::Connection { state } => return Some(state),
                    WorkerEvent::Finished { .. } => return None,
                    _ => {}
                }
            }
        })
        .await
        .expect("the worker answers");
        if let Some(state) = state {
            break state;
        }
    };
    let ConnectionState::Down {
        retry_in_secs,
        reason,
    } = down
    else {
        panic!("expected Down, got {down:?}")
    };
    assert_eq!(retry_in_secs, 2, "the first probe after 2 s");
    assert_eq!(reason, "server error 503");

    // While open: the user's enrollment fails at once, nothing is sent.
    let posts = endpoint_count(&sim, "POST cadence_memberships").await;
    let (outcome, error) = ui.enroll(people[1], active).await;
    let EnrollOutcome::Failed { reason } = outcome else {
        panic!("expected Failed, got {outcome:?}")
    };
    assert!(
        reason.starts_with("SalesLoft unreachable (server error 503), retrying")
            && reason.ends_with("nothing was done"),
        "{reason}"
    );
    assert_eq!(error.as_deref(), Some(reason.as_str()));
    assert_eq!(
        endpoint_count(&sim, "POST cadence_memberships").await,
        posts,
        "nothing sent while the circuit is open"
    );
    // A read for the screen waits for the circuit instead of failing.
    let held: RequestId = ui.send(
        Priority::Visible,
        Request::PersonDetail {
            person_id: people[2],
        },
    );

    // Probes keep failing while the outage lasts: Down again, later each time.
    let again = connection(&mut ui).await;
    assert!(
        matches!(&again, ConnectionState::Down { retry_in_secs, reason }
            if *retry_in_secs > 2 && reason == "server error 503"),
        "{again:?}"
    );
    let probes = endpoint_count(&sim, "GET me").await;
    assert!(probes >= 1, "the probe asks GET /me");

    // SalesLoft is back: the next probe closes the circuit, the held read runs.
    set_faults(&sim, json!({"outage_secs": 0})).await;
    let mut held_done = None;
    let up = tokio::time::timeout(HANG_GUARD, async {
        loop {
            match ui.event().await {
                WorkerEvent::Connection { state } => return state,
                WorkerEvent::Finished { id, error } if id == held => held_done = Some(error),
                _ => {}
            }
        }
    })
    .await
    .expect("the circuit closes");
    assert_eq!(up, ConnectionState::Up);
    assert_eq!(
        endpoint_count(&sim, "GET me").await,
        probes + 1,
        "a single probe closed it"
    );
    if held_done.is_none() {
        loop {
            let e = ui.event().await;
            if id_of(&e) == Some(held)
                && let WorkerEvent::Finished { error, .. } = e
            {
                held_done = Some(error);
                break;
            }
        }
    }
    assert_eq!(
        held_done,
        Some(None),
        "the held read ran once SalesLoft answered"
    );
    let (outcome, _) = ui.enroll(people[1], active).await;
    assert!(
        matches!(outcome, EnrollOutcome::Enrolled { .. }),
        "{outcome:?}"
    );
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_enrollment_is_one_audit_line_without_the_key() {
    let sim = start().await;
    let (active, archived, people) = pick(&api(&sim)).await;
    let tmp = tempfile::tempdir().unwrap();
    // In a directory that does not exist yet: the worker creates it.
    let path = tmp.path().join("logs").join("audit.log");
    let opts = WorkerOptions {
        audit_log: Some(path.clone()),
        profile: "acme".into(),
        ..WorkerOptions::default()
    };
    let mut ui = Ui::new(api(&sim), opts);
    let asked = [
        (people[0], active),
        (people[1], active),
        (people[0], active),
        (people[2], archived),
    ];
    let mut outcomes = Vec::new();
    for (person, cadence) in asked {
        outcomes.push(ui.enroll(person, cadence).await.0);
    }
    // A batch of two is two lines.
    let (_, error) = ui
        .run(
            Priority::User,
            Request::Enroll {
                person_ids: vec![people[3], people[1]],
                cadence_id: active,
                step_id: None,
                user_id: None,
            },
        )
        .await;
    assert_eq!(error, None);

    let text = std::fs::read_to_string(&path).expect("the audit log exists");
    assert!(
        !text.contains(SECRET),
        "the key never reaches the audit log"
    );
    let lines: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).expect("each line is JSON"))
        .collect();
    assert_eq!(lines.len(), 6, "{text}");
    let outcome_words: Vec<&str> = lines.iter().filter_map(|l| l["outcome"].as_str()).collect();
    assert_eq!(
        outcome_words,
        [
            "enrolled",
            "enrolled",
            "already_on_cadence",
            "failed",
            "enrolled",
            "already_on_cadence"
        ]
    );
    let first = &lines[0];
    assert_eq!(first["profile"], "acme");
    assert_eq!(first["action"], "enroll");
    assert_eq!(first["person_id"], people[0]);
    assert_eq!(first["cadence_id"], active);
    assert_eq!(first["step_id"], Value::Null);
    assert!(first["time"].as_str().is_some_and(|t| t.ends_with('Z')));
    assert_eq!(first["cost"], 2, "a check and the create");
    let EnrollOutcome::Enrolled { membership_id } = outcomes[0] else {
        panic!("{:?}", outcomes[0])
    };
    assert_eq!(first["membership_id"], membership_id);
    assert_eq!(lines[2]["membership_id"], membership_id);
    assert_eq!(lines[3]["reason"], "cadence is archived");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&path).expect("meta").permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
    }
    sim.shutdown().await;
}
