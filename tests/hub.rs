//! `sltui hub` against a real throwaway PostgreSQL (tests/pg_support) and the
//! simulator over loopback: the real binary, several of them, one leading.
//! Time limits here only stop a hung test; takeover times are printed, not asserted.

#[path = "hub_support/mod.rs"]
mod hub_support;
#[path = "pg_support/mod.rs"]
mod pg_support;

use std::time::{Duration, Instant};

use hub_support::{HANG_GUARD, Hub, runtime};
use serde_json::Value;
use sltui::sim::{self, SimConfig, SimHandle};
use sltui::store::PgStore;
use sltui::store::pg::{JobRequest, JobState};

const KEY: &str = "hub-test-key";

/// A hub polling every second.
fn start_hub(sim: &SimHandle, db: &str, name: &str) -> Hub {
    Hub::spawn(sim, KEY, db, name, &["--poll-secs".into(), "1".into()])
}

fn start_sim(rt: &tokio::runtime::Runtime, people: usize, latency_ms: u64) -> SimHandle {
    rt.block_on(sim::start(SimConfig {
        addr: ([127, 0, 0, 1], 0).into(),
        api_key: KEY.into(),
        people,
        cadences: 8,
        users: 4,
        budget: 1_000_000,
        latency_ms,
        live: false,
        ..SimConfig::default()
    }))
    .expect("simulator starts")
}

fn sim_get(rt: &tokio::runtime::Runtime, sim: &SimHandle, path: &str) -> Value {
    let url = if path.starts_with("_sim") {
        format!("http://{}/{path}", sim.addr())
    } else {
        format!("{}/{path}", sim.base_url())
    };
    rt.block_on(async {
        reqwest::Client::new()
            .get(url)
            .bearer_auth(KEY)
            .send()
            .await
            .expect("GET")
            .json::<Value>()
            .await
            .expect("json")
    })
}

/// Records per resource in the hub's database, named as the sim's truth names them.
fn stored_counts(store: &PgStore) -> Vec<(String, u64)> {
    let tables = [
        ("users", "users"),
        ("cadences", "cadences"),
        ("steps", "steps"),
        ("people", "people"),
        ("cadence_memberships", "memberships"),
        ("emails", "email_facts"),
    ];
    tables
        .iter()
        .map(|(name, table)| (name.to_string(), store.count(table).expect("count")))
        .collect()
}

fn truth_counts(rt: &tokio::runtime::Runtime, sim: &SimHandle) -> Vec<(String, u64)> {
    let t = sim_get(rt, sim, "_sim/truth/counts");
    [
        "users",
        "cadences",
        "steps",
        "people",
        "cadence_memberships",
        "emails",
    ]
    .iter()
    .map(|n| (n.to_string(), t[n].as_u64().expect("a count")))
    .collect()
}

#[test]
fn a_standby_takes_over_from_a_killed_leader_and_the_database_equals_the_truth() {
    let rt = runtime();
    // Latency, so the first sync is still running when the leader dies.
    let sim = start_sim(&rt, 1_500, 15);
    let db = pg_support::test_db();
    let a = start_hub(&sim, &db.url, "hub-a");
    a.wait_for("leading");
    let b = start_hub(&sim, &db.url, "hub-b");
    b.wait_for("standing by");
    assert!(!b.said().contains("leading"), "two leaders:\n{}", b.said());

    // Kill the leader (SIGKILL) once some records are in, mid-sync.
    let store = PgStore::connect(&db.url).expect("the database");
    let start = Instant::now();
    while store.count("email_facts").expect("count") == 0 {
        assert!(start.elapsed() < HANG_GUARD, "the leader stored nothing");
        std::thread::sleep(Duration::from_millis(50));
    }
    let mut a = a;
    a.child.kill().expect("SIGKILL");
    let _ = a.child.wait();
    let killed = Instant::now();
    b.wait_for("leading");
    eprintln!("standby took over {:?} after the SIGKILL", killed.elapsed());

    // The new leader finishes the sync: every resource equals the truth, no
    // record lost or doubled.
    let truth = truth_counts(&rt, &sim);
    let start = Instant::now();
    loop {
        let stored = stored_counts(&store);
        if stored == truth {
            break;
        }
        assert!(
            start.elapsed() < HANG_GUARD,
            "stored {stored:?}, truth {truth:?}; hub-b said:\n{}",
            b.said()
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    let status = store.hub_status().expect("status").expect("a hub status");
    assert_eq!(status.hub_name, "hub-b", "{status:?}");
    drop(b);
    rt.block_on(sim.shutdown());
}

#[test]
fn six_requests_from_three_clients_make_one_membership_even_filed_before_any_leader() {
    let rt = runtime();
    let sim = start_sim(&rt, 300, 0);
    let db = pg_support::test_db();
    // A person and an active team cadence they are not on.
    let cadences = sim_get(&rt, &sim, "cadences?per_page=100");
    let cadence = cadences["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["archived_at"].is_null() && c["draft"] == false && c["team_cadence"] == true)
        .expect("an active team cadence")["id"]
        .as_u64()
        .unwrap();
    let people = sim_get(&rt, &sim, "people?per_page=100");
    let person = people["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_u64().unwrap())
        .find(|p| {
            let q = format!("cadence_memberships?person_id={p}&cadence_id={cadence}");
            sim_get(&rt, &sim, &q)["data"]
                .as_array()
                .unwrap()
                .is_empty()
        })
        .expect("a person not on the cadence");

    // No hub runs yet: 3 clients file 6 requests at once (each its own key; one
    // client files its first request twice, which is one job).
    let url = db.url.clone();
    PgStore::connect(&url).expect("migrate");
    let threads: Vec<_> = (0..3)
        .map(|client| {
            let url = url.clone();
            std::thread::spawn(move || {
                let store = PgStore::connect(&url).expect("connect");
                let mut filed = Vec::new();
                for n in 0..2 {
                    let req = JobRequest {
                        key: format!("client-{client}-request-{n}"),
                        requested_by: format!("client-{client}"),
                        cadence_id: cadence,
                        person_id: person,
                        step_id: None,
                        on_behalf_of: None,
                    };
                    filed.push(store.file_job(&req).expect("filed").0.key);
                    if n == 0 {
                        let (again, new) = store.file_job(&req).expect("filed again");
                        assert!(!new, "the same key is the same job");
                        assert_eq!(again.key, req.key);
                    }
                }
                filed
            })
        })
        .collect();
    let keys: Vec<String> = threads
        .into_iter()
        .flat_map(|t| t.join().expect("client"))
        .collect();
    assert_eq!(keys.len(), 6);
    let store = PgStore::connect(&url).expect("connect");
    std::thread::sleep(Duration::from_millis(500));
    for k in &keys {
        assert_eq!(
            store.job(k).unwrap().unwrap().state,
            JobState::Queued,
            "nobody runs jobs before a hub leads"
        );
    }

    let hub = start_hub(&sim, &db.url, "hub-jobs");
    hub.wait_for("leading");
    let start = Instant::now();
    let jobs = loop {
        let jobs: Vec<_> = keys
            .iter()
            .map(|k| store.job(k).unwrap().expect("the job"))
            .collect();
        if jobs.iter().all(|j| j.state.is_final()) {
            break jobs;
        }
        assert!(
            start.elapsed() < HANG_GUARD,
            "jobs not finished: {jobs:?}\n{}",
            hub.said()
        );
        std::thread::sleep(Duration::from_millis(100));
    };
    let outcomes: Vec<String> = jobs
        .iter()
        .map(|j| j.outcome.clone().unwrap_or_default())
        .collect();
    assert!(
        jobs.iter().all(|j| j.state == JobState::Done),
        "{outcomes:?}"
    );
    assert_eq!(
        outcomes
            .iter()
            .filter(|o| o.starts_with("enrolled"))
            .count(),
        1,
        "{outcomes:?}"
    );
    assert_eq!(
        outcomes
            .iter()
            .filter(|o| o.starts_with("already on cadence"))
            .count(),
        5,
        "{outcomes:?}"
    );
    let q = format!("cadence_memberships?person_id={person}&cadence_id={cadence}");
    let memberships = sim_get(&rt, &sim, &q);
    assert_eq!(
        memberships["data"].as_array().unwrap().len(),
        1,
        "exactly one membership in SalesLoft"
    );
    let posts = sim_get(&rt, &sim, "_sim/stats")["by_endpoint"]["POST cadence_memberships"]
        .as_u64()
        .unwrap_or(0);
    assert_eq!(posts, 1, "one create call");
    assert!(
        store.audit_log(100).expect("audit").len() >= 6,
        "the audit log is in PostgreSQL"
    );
    drop(hub);
    rt.block_on(sim.shutdown());
}

/// Fencing: a hub's store fenced to its lead session writes while the lead holds;
/// once that session is gone (the leader cut off) and another hub leads, every
/// write of the old one fails with `FENCED` and changes nothing — also after its
/// store reconnects — while the new leader's writes go through.
#[test]
fn a_hub_that_lost_the_lead_writes_nothing() {
    use sltui::store::pg::FENCED;
    let db = pg_support::test_db();
    let old = PgStore::connect(&db.url).expect("connects");
    let mut lead = old.try_lead("old").expect("asks").expect("leads");
    let pid = lead.backend_pid().expect("pid");
    old.fence(Some(pid)).expect("fenced");
    old.note_sync("old", chrono::Utc::now())
        .expect("a fenced write while leading goes through");

    // The lead session is cut off; a standby takes over.
    assert!(terminate(&db.url, pid), "the lead session was ended");
    let new = PgStore::connect(&db.url).expect("connects");
    let end = Instant::now() + HANG_GUARD;
    let mut next = loop {
        if let Some(l) = new.try_lead("new").expect("asks") {
            break l;
        }
        assert!(Instant::now() < end, "the standby takes over");
        std::thread::sleep(Duration::from_millis(50));
    };
    new.fence(Some(next.backend_pid().expect("pid")))
        .expect("fenced");
    new.note_sync("new", chrono::Utc::now())
        .expect("the new leader writes");
    let before = new.hub_status().expect("status").expect("a row");

    // The old hub does not know yet: its write fails, and nothing changed.
    let err = old
        .note_sync("old", chrono::Utc::now())
        .expect_err("fenced out");
    assert!(err.to_string().contains(FENCED), "{err}");
    let err = old
        .add_window("emails", 7, &sltui::api::CursorPosition::start())
        .expect_err("fenced out");
    assert!(err.to_string().contains(FENCED), "{err}");
    // Its own session dropped and opened again: still fenced.
    let own = old.session_pid().expect("the store's own session");
    assert!(terminate(&db.url, own));
    assert!(old.note_sync("old", chrono::Utc::now()).is_err());
    let after = new.hub_status().expect("status").expect("a row");
    assert_eq!(after.hub_name, "new");
    assert_eq!(after.last_sync_at, before.last_sync_at);
    // Unfenced (a hub standing by), it may write what a standby writes.
    old.fence(None).expect("unfenced");
    assert!(
        old.try_lead("old").expect("asks").is_none(),
        "the lead is taken"
    );
    assert!(next.is_alive());
}

/// Ends the server process `pid` (as `pg_terminate_backend` does for an admin).
fn terminate(url: &str, pid: i32) -> bool {
    let url = url.to_string();
    std::thread::spawn(move || {
        let mut c = postgres::Client::connect(&url, postgres::NoTls).expect("connects");
        c.query_one("SELECT pg_terminate_backend($1)", &[&pid])
            .expect("terminates")
            .get(0)
    })
    .join()
    .expect("join")
}

/// `sltui hub --demo` runs the one demo team every command's demo runs
/// (cli/demo.rs: the default dataset), says so, and leads on the database.
#[test]
fn hub_demo_runs_the_one_demo_team() {
    let db = pg_support::test_db();
    let hub = Hub::spawn_on(
        &["--demo".to_string()],
        &db.url,
        "demo-hub",
        &["--poll-secs".into(), "1".into()],
    );
    hub.wait_for("demo: hub runs against the embedded simulator");
    hub.wait_for("leading");
    let store = PgStore::connect(&db.url).expect("the hub's database");
    let users = SimConfig::default().users as u64;
    let start = Instant::now();
    while store.count("users").expect("count") < users {
        assert!(
            start.elapsed() < HANG_GUARD,
            "the demo team's {users} users never arrived; the hub said:\n{}",
            hub.said()
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    assert_eq!(
        store.count("users").unwrap(),
        users,
        "the default demo team"
    );
    hub.kill();
}

/// Requests the simulator answered for `endpoint` (e.g. "GET email_templates").
fn served(rt: &tokio::runtime::Runtime, sim: &SimHandle, endpoint: &str) -> u64 {
    sim_get(rt, sim, "_sim/stats")["by_endpoint"][endpoint]
        .as_u64()
        .unwrap_or(0)
}

/// Calls and email templates are polled with the fast resources: a call made
/// after the hub's first pass reaches the database within a few polls, long
/// before the next pass over every resource (an hour away here).
#[test]
fn a_call_made_after_the_first_pass_arrives_without_a_full_pass() {
    let rt = runtime();
    let sim = start_sim(&rt, 200, 0);
    let db = pg_support::test_db();
    let hub = Hub::spawn(
        &sim,
        KEY,
        &db.url,
        "hub-calls",
        &[
            "--poll-secs".into(),
            "1".into(),
            "--full-every-secs".into(),
            "3600".into(),
        ],
    );
    hub.wait_for("(every resource)");
    let templates_read = served(&rt, &sim, "GET email_templates");
    let person = sim_get(&rt, &sim, "people?per_page=1")["data"][0]["id"]
        .as_u64()
        .expect("a person");
    let created: Value = rt.block_on(async {
        reqwest::Client::new()
            .post(format!("{}/activities/calls", sim.base_url()))
            .bearer_auth(KEY)
            .json(&serde_json::json!({"person_id": person, "duration": 42}))
            .send()
            .await
            .expect("POST")
            .json()
            .await
            .expect("json")
    });
    let call_id = created["data"]["id"].as_u64().expect("the new call's id");
    let store = PgStore::connect(&db.url).expect("the hub's database");
    let start = Instant::now();
    while !store
        .calls()
        .expect("calls")
        .iter()
        .any(|c| c.id == call_id)
    {
        assert!(
            start.elapsed() < HANG_GUARD,
            "call {call_id} never reached the database; the hub said:\n{}",
            hub.said()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    eprintln!(
        "the call reached the database {:?} after it was made",
        start.elapsed()
    );
    assert_eq!(
        hub.said().matches("(every resource)").count(),
        1,
        "no second pass over every resource: the poll brought it\n{}",
        hub.said()
    );
    assert!(
        served(&rt, &sim, "GET email_templates") > templates_read,
        "the polls read the email templates too"
    );
    hub.kill();
    rt.block_on(sim.shutdown());
}
