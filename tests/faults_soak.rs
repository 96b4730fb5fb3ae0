//! The soak of issue 4, bounded: the worker runs 200 enrollments (distinct pairs,
//! duplicates on purpose, archived cadences) and an engagement load against the
//! simulator with `--fault-rate 0.2 --faults 5xx,timeout,reset,malformed` and
//! `--other-load 0.5`, over real loopback HTTP with our real client. Then: no
//! panic, no duplicate membership, every enrollment reported in words, and once
//! the faults stop the engagement aggregates equal the simulator's truth.
//! Run with `--nocapture` to see the figures. Nothing asserts on speed.

mod worker_support;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::time::Instant;

use serde_json::json;
use sltui::api::models::{Cadence, Membership, Person};
use sltui::api::{ApiClient, Query};
use sltui::metrics::{Aggregator, TimeRange};
use sltui::sim::faults::FaultKind;
use sltui::sim::{self, SimConfig, SimHandle};
use sltui::worker::{
    ConnectionState, EnrollOutcome, Priority, Request, RequestId, WorkerEvent, WorkerOptions,
};
use worker_support::{
    HANG_GUARD, KEY, Ui, assert_counts_equal_truth, client, set_faults, sim_get, truth,
};

const ENROLLMENTS: usize = 200;

async fn start() -> SimHandle {
    sim::start(SimConfig {
        addr: ([127, 0, 0, 1], 0).into(),
        api_key: KEY.into(),
        seed: 4,
        people: 400,
        cadences: 14,
        // A short window, so budget waits are short too.
        budget: 600,
        minute_secs: 5.0,
        fault_rate: 0.2,
        faults: vec![
            FaultKind::ServerError,
            FaultKind::Timeout,
            FaultKind::Reset,
            FaultKind::Malformed,
        ],
        fault_timeout_ms: 300,
        other_load: 0.5,
        ..SimConfig::default()
    })
    .await
    .expect("simulator starts")
}

async fn all<T: serde::de::DeserializeOwned + Send + 'static>(
    api: &ApiClient,
    path: &str,
    q: Query,
) -> Vec<T> {
    api.page_walk::<T>(path, q.set("per_page", 100))
        .collect_all()
        .await
        .expect("a fault-free read")
}

/// 200 (person, cadence) enrollments: mostly distinct pairs on active team
/// cadences, every tenth a repeat of an earlier pair, every tenth into an archived one.
fn plan(cadences: &[Cadence], people: &[u64]) -> (Vec<(u64, u64)>, HashSet<u64>) {
    let active: Vec<u64> = cadences
        .iter()
        .filter(|c| c.team_cadence && !c.draft && c.archived_at.is_none())
        .map(|c| c.id)
        .collect();
    let archived: HashSet<u64> = cadences
        .iter()
        .filter(|c| c.archived_at.is_some())
        .map(|c| c.id)
        .collect();
    assert!(active.len() >= 2 && !archived.is_empty(), "{cadences:?}");
    let archived_ids: Vec<u64> = archived.iter().copied().collect();
    let mut pairs = Vec::new();
    for i in 0..ENROLLMENTS {
        let pair = match i % 10 {
            4 if i >= 10 => pairs[i - 7],
            9 => (people[i], archived_ids[i % archived_ids.len()]),
            _ => (people[i], active[i % active.len()]),
        };
        pairs.push(pair);
    }
    (pairs, archived)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_hundred_enrollments_under_faults() {
    let sim = start().await;
    let truth = truth(&sim).await;
    // Fault-free reads to set up and check: faults are off while they run.
    set_faults(&sim, json!({"fault_rate": 0})).await;
    let clean = client(&sim, 600);
    let cadences: Vec<Cadence> = all(&clean, "cadences", Query::new()).await;
    let people: Vec<u64> = all::<Person>(&clean, "people", Query::new())
        .await
        .iter()
        .map(|p| p.id)
        .take(ENROLLMENTS)
        .collect();
    let (pairs, archived) = plan(&cadences, &people);
    let cadence_ids: Vec<u64> = cadences.iter().map(|c| c.id).collect();
    set_faults(&sim, json!({"fault_rate": 0.2})).await;
    reqwest::Client::new()
        .post(format!("http://{}/_sim/stats/reset", sim.addr()))
        .send()
        .await
        .expect("sim reachable");

    let tmp = tempfile::tempdir().unwrap();
    let audit = tmp.path().join("soak.log");
    let opts = WorkerOptions {
        poll_secs: 1,
        audit_log: Some(audit.clone()),
        profile: "soak".into(),
        ..WorkerOptions::default()
    };
    let started = Instant::now();
    let mut ui = Ui::new(client(&sim, 600), opts);
    ui.send(Priority::User, Request::SetLive { enabled: true });
    let engagement = Request::Engagement {
        cadence_ids: cadence_ids.clone(),
        range: TimeRange::All,
    };
    let first_load = ui.send(Priority::Visible, engagement.clone());
    let mut asked: HashMap<RequestId, (u64, u64)> = HashMap::new();
    for &(person, cadence) in &pairs {
        let request = Request::Enroll {
            person_ids: vec![person],
            cadence_id: cadence,
            step_id: None,
            user_id: None,
        };
        asked.insert(ui.send(Priority::User, request), (person, cadence));
    }

    let mut agg = Aggregator::new(TimeRange::All, chrono::Utc::now());
    let mut outcomes: HashMap<RequestId, EnrollOutcome> = HashMap::new();
    let mut finished: HashSet<RequestId> = HashSet::new();
    let (mut downs, mut ups) = (0, 0);
    let mut first_error: Option<String> = None;
    let watch = async {
        while finished.len() < asked.len() + 1 {
            match ui.event().await {
                WorkerEvent::EnrollProgress { id, outcome, .. } => {
                    assert!(outcomes.insert(id, outcome).is_none(), "one outcome each");
                }
                WorkerEvent::Finished { id, error }
                    if asked.contains_key(&id) || id == first_load =>
                {
                    if id == first_load {
                        first_error = error;
                    }
                    finished.insert(id);
                }
                WorkerEvent::EmailFacts { facts, .. } => facts.into_iter().for_each(|f| {
                    agg.upsert(f);
                }),
                WorkerEvent::Connection { state } => match state {
                    ConnectionState::Down { .. } => downs += 1,
                    ConnectionState::Up => ups += 1,
                    ConnectionState::AuthFailed { reason, .. } => {
                        panic!("the key is right; refused: {reason}")
                    }
                },
                _ => {}
            }
        }
    };
    tokio::time::timeout(HANG_GUARD, watch)
        .await
        .expect("every enrollment finishes");
    let soak_time = started.elapsed();
    let stats = sim_get(&sim, "/_sim/stats").await;
    for kind in ["5xx", "timeout", "reset", "malformed"] {
        assert!(
            stats["faults"][kind].as_u64() > Some(0),
            "{kind} injected: {}",
            stats["faults"]
        );
    }

    // Every enrollment reported: enrolled, already on the cadence, or failed in words.
    let mut by_outcome: BTreeMap<&str, usize> = BTreeMap::new();
    let mut reasons: BTreeMap<String, usize> = BTreeMap::new();
    for (id, pair) in &asked {
        let outcome = outcomes
            .get(id)
            .unwrap_or_else(|| panic!("no outcome for {pair:?}"));
        let kind = match outcome {
            EnrollOutcome::Enrolled { .. } => "enrolled",
            EnrollOutcome::AlreadyOnCadence { .. } => "already on cadence",
            EnrollOutcome::Failed { reason } => {
                assert!(reason.trim().len() > 5, "a reason in words: {reason:?}");
                *reasons.entry(reason.clone()).or_default() += 1;
                "failed"
            }
        };
        *by_outcome.entry(kind).or_default() += 1;
        if archived.contains(&pair.1) {
            assert!(
                matches!(outcome, EnrollOutcome::Failed { .. }),
                "archived cadence {pair:?}: {outcome:?}"
            );
        }
    }

    // Faults off: no duplicate membership, and every reported membership is there.
    set_faults(&sim, json!({"fault_rate": 0, "other_load": 0})).await;
    let problems = sim_get(&sim, "/_sim/truth/consistency").await["problems"].clone();
    assert_eq!(problems, json!([]), "the simulator's books agree");
    let mut on: HashMap<(u64, u64), Vec<Membership>> = HashMap::new();
    let touched: HashSet<u64> = pairs.iter().map(|p| p.1).collect();
    for cadence in touched {
        let q = Query::new().push("cadence_id", cadence);
        for m in all::<Membership>(&clean, "cadence_memberships", q).await {
            let person = m.person_id().expect("a person id");
            on.entry((person, cadence)).or_default().push(m);
        }
    }
    for (pair, ms) in &on {
        assert_eq!(ms.len(), 1, "one membership for {pair:?}: {ms:?}");
    }
    for (id, pair) in &asked {
        if let Some(EnrollOutcome::Enrolled { membership_id })
        | Some(EnrollOutcome::AlreadyOnCadence { membership_id }) = outcomes.get(id)
        {
            let m = &on
                .get(pair)
                .unwrap_or_else(|| panic!("{pair:?} reported but absent"))[0];
            assert_eq!(m.id, *membership_id, "{pair:?}");
            assert!(m.currently_on_cadence, "{pair:?}");
        }
    }

    // The audit log: a line per enrollment, mode 0600, no key.
    let text = std::fs::read_to_string(&audit).expect("the audit log");
    assert_eq!(text.lines().count(), ENROLLMENTS);
    assert!(!text.contains(KEY));

    // The same worker, faults stopped: the aggregates equal the truth.
    let (events, error) = ui.run(Priority::Visible, engagement).await;
    assert_eq!(error, None, "the engagement load after the faults stopped");
    for e in events {
        if let WorkerEvent::EmailFacts { facts, .. } = e {
            facts.into_iter().for_each(|f| {
                agg.upsert(f);
            });
        }
    }
    assert_counts_equal_truth(&agg, &truth);
    println!(
        "soak: {ENROLLMENTS} enrollments in {:.1} s; outcomes {by_outcome:?}; \
         failures {reasons:?}; engagement under faults: {}; circuit down {downs}x, up {ups}x; \
         sim: {} requests, {} throttled, faults {}",
        soak_time.as_secs_f64(),
        first_error.as_deref().unwrap_or("loaded"),
        stats["requests"],
        stats["throttled"],
        stats["faults"],
    );
    sim.shutdown().await;
}
