//! The simulator's fault injection as our real client sees it over loopback HTTP:
//! each fault kind, faults after a mutation was applied, the outage, other
//! integrations' load, and switching faults at run time.

use std::time::Duration;

use serde_json::{Value, json};
use sltui::api::models::NewMembership;
use sltui::api::{ApiClient, ApiConfig, ApiError, NetworkKind, Query};
use sltui::sim::faults::FaultKind;
use sltui::sim::{self, SimConfig, SimHandle};

const KEY: &str = "fault-test-key";

async fn start(cfg: SimConfig) -> SimHandle {
    sim::start(SimConfig {
        addr: ([127, 0, 0, 1], 0).into(),
        api_key: KEY.into(),
        people: 60,
        cadences: 6,
        users: 3,
        ..cfg
    })
    .await
    .expect("simulator starts")
}

/// A client that never retries, so each call is one exchange.
fn once(sim: &SimHandle, timeout: Duration) -> ApiClient {
    let mut cfg = ApiConfig::new(&sim.base_url(), Some(KEY.into()));
    cfg.max_retries = 0;
    cfg.timeout = timeout;
    ApiClient::new(cfg).expect("client")
}

fn root(sim: &SimHandle) -> String {
    format!("http://{}", sim.addr())
}

async fn sim_get(sim: &SimHandle, path: &str) -> Value {
    reqwest::get(format!("{}{path}", root(sim)))
        .await
        .expect("sim reachable")
        .json()
        .await
        .expect("json")
}

async fn set_faults(sim: &SimHandle, body: Value) -> reqwest::Response {
    reqwest::Client::new()
        .post(format!("{}/_sim/faults", root(sim)))
        .json(&body)
        .send()
        .await
        .expect("sim reachable")
}

fn only(kind: FaultKind) -> SimConfig {
    SimConfig {
        fault_rate: 1.0,
        faults: vec![kind],
        fault_timeout_ms: 300,
        ..SimConfig::default()
    }
}

#[tokio::test]
async fn each_fault_reaches_the_client_as_its_kind_of_error() {
    let sim = start(only(FaultKind::ServerError)).await;
    let api = once(&sim, Duration::from_secs(10));
    for _ in 0..4 {
        let err = api.me().await.unwrap_err();
        assert!(matches!(err, ApiError::Server { .. }), "{err:?}");
    }
    assert_eq!(sim_get(&sim, "/_sim/stats").await["faults"]["5xx"], 4);

    set_faults(&sim, json!({"faults": ["reset"]})).await;
    let err = api.me().await.unwrap_err();
    assert!(
        matches!(
            err,
            ApiError::Network {
                kind: NetworkKind::Reset,
                maybe_sent: true,
                ..
            }
        ),
        "{err:?}"
    );

    set_faults(&sim, json!({"faults": "malformed"})).await;
    for _ in 0..3 {
        let err = api.me().await.unwrap_err();
        // Cut short or not JSON; the "please wait" page is an HTML answer.
        assert!(
            matches!(
                err,
                ApiError::Decode { .. } | ApiError::NotSalesLoft { status: 200, .. }
            ),
            "{err:?}"
        );
    }

    // Held past the client's timeout: the client gives up first.
    set_faults(&sim, json!({"faults": "timeout", "fault_timeout_ms": 2000})).await;
    let short = once(&sim, Duration::from_millis(300));
    let err = short.me().await.unwrap_err();
    assert!(
        matches!(
            err,
            ApiError::Network {
                kind: NetworkKind::Timeout,
                ..
            }
        ),
        "{err:?}"
    );
    // Held less than the client's timeout: the gateway answers 504.
    set_faults(&sim, json!({"fault_timeout_ms": 50})).await;
    let err = api.me().await.unwrap_err();
    assert!(
        matches!(err, ApiError::Server { status: 504, .. }),
        "{err:?}"
    );

    set_faults(&sim, json!({"faults": "slow"})).await;
    api.me().await.expect("a slow answer is still an answer");

    set_faults(&sim, json!({"fault_rate": 0})).await;
    api.me().await.expect("no faults");
    let counts = &sim_get(&sim, "/_sim/stats").await["faults"];
    assert_eq!(counts["reset"], 1);
    assert_eq!(counts["malformed"], 3);
    assert_eq!(counts["timeout"], 2);
    assert_eq!(counts["slow"], 1);
    assert_eq!(counts["total"], 11);

    let bad = set_faults(&sim, json!({"faults": ["nope"]})).await;
    assert_eq!(bad.status(), 400);
    let text = bad.text().await.unwrap_or_default();
    assert!(text.contains("unknown fault"), "{text}");
    sim.shutdown().await;
}

#[tokio::test]
async fn a_fault_may_strike_after_the_membership_was_created() {
    let sim = start(SimConfig::default()).await;
    let api = once(&sim, Duration::from_secs(10));
    let cadences = api
        .cadences(&Query::new().push("per_page", 100))
        .await
        .expect("cadences")
        .data;
    // One we may add people to: a team cadence, or our own (which one the
    // generated team has depends on the whole dataset).
    let me = api.me().await.expect("me").id;
    let cadence = cadences
        .iter()
        .find(|c| {
            let mine = c.owner.as_ref().and_then(|o| o.id_u64()) == Some(me);
            (c.team_cadence || mine) && !c.draft && c.archived_at.is_none()
        })
        .expect("an active cadence we may add people to")
        .id;
    let people = api
        .people(&Query::new().push("per_page", 100))
        .await
        .expect("people")
        .data;
    set_faults(
        &sim,
        json!({"fault_rate": 1, "faults": "5xx,reset,timeout", "fault_timeout_ms": 20}),
    )
    .await;
    // Some creates are lost before they were applied, some after.
    let mut applied_but_lost = 0;
    let mut not_applied = 0;
    for p in people.iter().take(30) {
        let new = NewMembership {
            person_id: p.id,
            cadence_id: cadence,
            user_id: None,
            step_id: None,
        };
        let err = api.create_membership(&new).await.unwrap_err();
        assert!(err.is_ambiguous(), "{err:?}");
        set_faults(&sim, json!({"fault_rate": 0})).await;
        let found = api
            .memberships(
                &Query::new()
                    .push("person_id", p.id)
                    .push("cadence_id", cadence),
            )
            .await
            .expect("memberships")
            .data;
        if found.iter().any(|m| m.currently_on_cadence) {
            applied_but_lost += 1;
        } else {
            not_applied += 1;
        }
        set_faults(&sim, json!({"fault_rate": 1})).await;
    }
    assert!(
        applied_but_lost > 0 && not_applied > 0,
        "{applied_but_lost} / {not_applied}"
    );
    sim.shutdown().await;
}

#[tokio::test]
async fn outage_and_other_load() {
    let sim = start(SimConfig {
        budget: 1000,
        ..SimConfig::default()
    })
    .await;
    let api = once(&sim, Duration::from_secs(10));
    api.me().await.expect("up");
    set_faults(&sim, json!({"outage_secs": 600})).await;
    for _ in 0..3 {
        let err = api.me().await.unwrap_err();
        assert!(
            matches!(err, ApiError::Server { status: 503, .. }),
            "{err:?}"
        );
    }
    assert_eq!(sim_get(&sim, "/_sim/faults").await["in_outage"], true);
    set_faults(&sim, json!({"outage_secs": 0})).await;
    api.me().await.expect("the outage is over");
    assert_eq!(sim_get(&sim, "/_sim/stats").await["faults"]["outage"], 3);

    // Other integrations spend half of every window, evenly: the budget drops by
    // more than we spend. A window of 60 s; wait until some of it was spent.
    set_faults(&sim, json!({"other_load": 0.5})).await;
    let before = sim_get(&sim, "/_sim/stats").await["remaining"]
        .as_u64()
        .unwrap_or(0);
    tokio::time::sleep(Duration::from_millis(400)).await;
    api.me().await.expect("up");
    let after = api.budget().snapshot();
    let remaining = u64::from(after.remaining.unwrap_or(0));
    assert!(
        remaining < before.saturating_sub(1),
        "remaining {remaining} after spending 1 from {before}"
    );
    sim.shutdown().await;
}
