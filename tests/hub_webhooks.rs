//! `sltui hub --callback-url`: the real binary against a real throwaway PostgreSQL
//! (tests/pg_support) and the simulator over loopback. The leader keeps one webhook
//! subscription per event type across restarts and takeovers; a change in the
//! simulator reaches the database through the webhook long before the poll; a
//! delivery with a bad signature is refused and writes nothing. Time limits here
//! only stop a hung test.

#[path = "hub_support/mod.rs"]
mod hub_support;
#[path = "pg_support/mod.rs"]
mod pg_support;

use std::process::Command;
use std::time::{Duration, Instant};

use hmac::{Hmac, Mac};
use hub_support::{HANG_GUARD, Hub, runtime};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use sha1::Sha1;
use sltui::sim::{self, SimConfig, SimHandle};
use sltui::store::PgStore;
use sltui::store::pg::WEBHOOK_SECRET_KEY;

const KEY: &str = "hub-webhooks-test-key";
/// The event types sltui subscribes to.
const TYPES: usize = 6;

/// A hub whose receiver listens on `port` and is subscribed as
/// `http://127.0.0.1:port/`; `poll_secs` between polls.
fn start_hub(sim: &SimHandle, db: &str, name: &str, port: u16, poll_secs: u32) -> Hub {
    let extra = [
        "--poll-secs".to_string(),
        poll_secs.to_string(),
        "--callback-url".into(),
        format!("http://127.0.0.1:{port}/"),
        "--webhook-listen".into(),
        format!("127.0.0.1:{port}"),
    ];
    Hub::spawn(sim, KEY, db, name, &extra)
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port()
}

fn start_sim(rt: &tokio::runtime::Runtime) -> SimHandle {
    rt.block_on(sim::start(SimConfig {
        addr: ([127, 0, 0, 1], 0).into(),
        api_key: KEY.into(),
        people: 200,
        cadences: 6,
        users: 3,
        budget: 1_000_000,
        ..SimConfig::default()
    }))
    .expect("simulator starts")
}

/// A request to the simulator (`_sim/...` paths at its root): status and JSON body.
fn sim_call(
    rt: &tokio::runtime::Runtime,
    sim: &SimHandle,
    method: Method,
    path: &str,
    body: Option<Value>,
) -> (StatusCode, Value) {
    let url = if path.starts_with("_sim") {
        format!("http://{}/{path}", sim.addr())
    } else {
        format!("{}/{path}", sim.base_url())
    };
    rt.block_on(async {
        let mut req = reqwest::Client::new().request(method, url).bearer_auth(KEY);
        if let Some(b) = body {
            req = req.json(&b);
        }
        let res = req.send().await.expect("the simulator answers");
        let status = res.status();
        (status, res.json().await.unwrap_or(Value::Null))
    })
}

/// The subscriptions as (id, callback_url, enabled), by id.
fn subscriptions(rt: &tokio::runtime::Runtime, sim: &SimHandle) -> Vec<(u64, String, bool)> {
    let (_, list) = sim_call(rt, sim, Method::GET, "webhook_subscriptions", None);
    let mut out: Vec<_> = list
        .as_array()
        .expect("a list")
        .iter()
        .map(|s| {
            (
                s["id"].as_u64().unwrap(),
                s["callback_url"].as_str().unwrap().to_string(),
                s["enabled"].as_bool().unwrap(),
            )
        })
        .collect();
    out.sort();
    out
}

/// Waits until `check` holds, for at most `limit`.
fn until(what: &str, limit: Duration, mut check: impl FnMut() -> bool) -> Duration {
    let start = Instant::now();
    while !check() {
        assert!(start.elapsed() < limit, "timed out waiting: {what}");
        std::thread::sleep(Duration::from_millis(20));
    }
    start.elapsed()
}

#[test]
fn subscriptions_are_made_once_and_kept_across_a_restart_and_a_takeover() {
    let rt = runtime();
    let sim = start_sim(&rt);
    let db = pg_support::test_db();
    let (port_a, port_b) = (free_port(), free_port());
    let url_a = format!("http://127.0.0.1:{port_a}/");
    let url_b = format!("http://127.0.0.1:{port_b}/");

    let a = start_hub(&sim, &db.url, "hub-a", port_a, 600);
    a.wait_for("leading");
    a.wait_for("webhook subscriptions to");
    let first = subscriptions(&rt, &sim);
    assert_eq!(first.len(), TYPES, "{first:?}");
    assert!(
        first.iter().all(|(_, u, on)| *u == url_a && *on),
        "{first:?}"
    );

    // A restart: the same subscriptions, one disabled meanwhile enabled again.
    a.kill();
    let (status, _) = sim_call(
        &rt,
        &sim,
        Method::PUT,
        &format!("webhook_subscriptions/{}", first[0].0),
        Some(json!({"enabled": false})),
    );
    assert_eq!(status, StatusCode::OK);
    let a = start_hub(&sim, &db.url, "hub-a", port_a, 600);
    a.wait_for("leading");
    a.wait_for("webhook subscriptions to");
    assert_eq!(subscriptions(&rt, &sim), first, "{}", a.said());
    assert!(a.said().contains("1 enabled again"), "{}", a.said());

    // A standby says nothing to SalesLoft about subscriptions; a takeover points
    // them at the new leader, still one per event type.
    let b = start_hub(&sim, &db.url, "hub-b", port_b, 600);
    b.wait_for("standing by");
    assert_eq!(subscriptions(&rt, &sim), first);
    // A standby's receiver writes too (a delivery that reaches it is not lost).
    let store = PgStore::connect(&db.url).expect("the database");
    let (id, body) = renamed_person(&rt, &sim, "ViaStandby");
    let sig = sign(&hub_token(&store), &body);
    assert_eq!(deliver(&rt, port_b, &body, &sig), StatusCode::OK);
    until("the standby's write", HANG_GUARD, || {
        person_named(&store, id).as_deref() == Some("ViaStandby")
    });
    a.kill();
    b.wait_for("leading");
    b.wait_for("webhook subscriptions to");
    let after = subscriptions(&rt, &sim);
    assert_eq!(after.len(), TYPES, "{after:?}\n{}", b.said());
    assert!(
        after.iter().all(|(_, u, on)| *u == url_b && *on),
        "{after:?}"
    );
    let stats = sim_call(&rt, &sim, Method::GET, "_sim/stats", None).1;
    let posts = stats["by_endpoint"]["POST webhook_subscriptions"].as_u64();
    assert_eq!(
        posts,
        Some(2 * TYPES as u64),
        "created for a, then for b: {stats}"
    );
    drop(b);
    rt.block_on(sim.shutdown());
}

/// Waits until the hub's first sync stored people.
fn synced(store: &PgStore) {
    until("the first sync", HANG_GUARD, || {
        store.count("people").expect("count") > 0
    });
}

fn person_named(store: &PgStore, id: u64) -> Option<String> {
    store
        .people()
        .expect("people")
        .into_iter()
        .find(|p| p.id == id)
        .map(|p| p.first_name.unwrap_or_default())
}

#[test]
fn a_change_in_salesloft_reaches_the_database_by_webhook_long_before_the_poll() {
    let rt = runtime();
    let sim = start_sim(&rt);
    let db = pg_support::test_db();
    let hub = start_hub(&sim, &db.url, "hub-w", free_port(), 3600);
    hub.wait_for("webhook subscriptions to");
    let store = PgStore::connect(&db.url).expect("the database");
    synced(&store);
    hub.wait_for("synced");
    let stats = sim_call(&rt, &sim, Method::GET, "_sim/stats", None).1;
    let polls = stats["by_endpoint"]["GET people"].as_u64();

    let body = json!({"first_name": "Pushed", "last_name": "ByWebhook",
        "email_address": "pushed.by.webhook@example.com"});
    let (status, created) = sim_call(&rt, &sim, Method::POST, "people", Some(body));
    assert_eq!(status, StatusCode::OK, "{created}");
    let id = created["data"]["id"].as_u64().unwrap();
    let took = until(
        "the new person in PostgreSQL",
        Duration::from_secs(60),
        || person_named(&store, id).as_deref() == Some("Pushed"),
    );
    eprintln!("change → PostgreSQL by webhook in {took:?} (poll every 3600 s)");
    let stats = sim_call(&rt, &sim, Method::GET, "_sim/stats", None).1;
    assert_eq!(
        stats["by_endpoint"]["GET people"].as_u64(),
        polls,
        "no poll read it"
    );
    drop(hub);
    rt.block_on(sim.shutdown());
}

fn sign(token: &str, body: &[u8]) -> String {
    let mut mac = Hmac::<Sha1>::new_from_slice(token.as_bytes()).unwrap();
    mac.update(body);
    mac.finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// A stored person renamed `first_name`, as a delivery newer than anything stored:
/// the id and the body.
fn renamed_person(
    rt: &tokio::runtime::Runtime,
    sim: &SimHandle,
    first_name: &str,
) -> (u64, Vec<u8>) {
    let (_, page) = sim_call(rt, sim, Method::GET, "people?per_page=1", None);
    let mut person = page["data"][0].clone();
    person["first_name"] = json!(first_name);
    person["updated_at"] = json!("2099-01-01T00:00:00.000000Z");
    let id = person["id"].as_u64().unwrap();
    (id, serde_json::to_vec(&person).unwrap())
}

/// POSTs a `person_updated` delivery to the receiver on `port`.
fn deliver(rt: &tokio::runtime::Runtime, port: u16, body: &[u8], sig: &str) -> StatusCode {
    deliver_event(rt, port, "person_updated", body, sig)
}

fn deliver_event(
    rt: &tokio::runtime::Runtime,
    port: u16,
    event: &str,
    body: &[u8],
    sig: &str,
) -> StatusCode {
    rt.block_on(async {
        reqwest::Client::new()
            .post(format!("http://127.0.0.1:{port}/"))
            .header("content-type", "application/json")
            .header("x-salesloft-event", event)
            .header("x-salesloft-signature", sig)
            .body(body.to_vec())
            .send()
            .await
            .expect("the receiver answers")
            .status()
    })
}

fn hub_token(store: &PgStore) -> String {
    store
        .meta(WEBHOOK_SECRET_KEY)
        .expect("meta")
        .expect("the generated token")
}

#[test]
fn a_delivery_with_a_bad_signature_is_refused_and_writes_nothing() {
    let rt = runtime();
    let sim = start_sim(&rt);
    let db = pg_support::test_db();
    let port = free_port();
    let hub = start_hub(&sim, &db.url, "hub-s", port, 3600);
    hub.wait_for("receiving webhooks on");
    let store = PgStore::connect(&db.url).expect("the database");
    synced(&store);
    hub.wait_for("synced");

    // A stored person, renamed in a delivery newer than what is stored.
    let (id, body) = renamed_person(&rt, &sim, "Forged");
    let seq = store.change_seq().expect("seq");
    let people_changed = || store.changes_after(seq).expect("changes").people.len();
    let wrong = sign("not-the-token", &body);
    assert_eq!(deliver(&rt, port, &body, &wrong), StatusCode::UNAUTHORIZED);
    std::thread::sleep(Duration::from_millis(500));
    assert_ne!(person_named(&store, id).as_deref(), Some("Forged"));
    assert_eq!(people_changed(), 0, "nothing written");

    // The same delivery signed with the hub's token is written (the control).
    let token = hub_token(&store);
    assert!(!hub.said().contains(&token), "the token is never printed");
    assert_eq!(
        deliver(&rt, port, &body, &sign(&token, &body)),
        StatusCode::OK
    );
    until(
        "the signed delivery written",
        Duration::from_secs(60),
        || person_named(&store, id).as_deref() == Some("Forged"),
    );

    // person_deleted removes the row (a delivery at least as new as the stored one).
    let mut gone: Value = serde_json::from_slice(&body).unwrap();
    gone["updated_at"] = json!("2099-01-01T00:00:01.000000Z");
    let gone = serde_json::to_vec(&gone).unwrap();
    let sig = sign(&token, &gone);
    assert_eq!(
        deliver_event(&rt, port, "person_deleted", &gone, &sig),
        StatusCode::OK
    );
    until(
        "the deleted person removed",
        Duration::from_secs(60),
        || person_named(&store, id).is_none(),
    );

    // Ctrl-C stops the receiver with the hub (exit 130), and the port is free again.
    let mut hub = hub;
    let pid = hub.child.id().to_string();
    let sent = Command::new("kill").args(["-INT", &pid]).status();
    assert!(sent.is_ok_and(|s| s.success()), "SIGINT sent");
    let start = Instant::now();
    let code = loop {
        if let Some(status) = hub.child.try_wait().expect("wait") {
            break status.code();
        }
        assert!(
            start.elapsed() < HANG_GUARD,
            "the hub did not stop:\n{}",
            hub.said()
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    assert_eq!(code, Some(130), "{}", hub.said());
    assert!(
        std::net::TcpListener::bind(("127.0.0.1", port)).is_ok(),
        "the receiver is gone"
    );
    rt.block_on(sim.shutdown());
}
