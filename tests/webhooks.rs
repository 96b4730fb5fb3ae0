//! Signed webhooks over real loopback HTTP: the receiver (`sltui::webhooks`), the
//! simulator's deliveries (`sim --webhook-url`), the worker folding them, and the
//! headless `sltui webhooks` command. Time limits only stop a hung test.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use chrono::{DateTime, TimeDelta};
use hmac::{Hmac, Mac};
use serde_json::{Value, json};
use sha1::Sha1;
use sltui::api::{ApiClient, ApiConfig};
use sltui::metrics::{Aggregator, TimeRange};
use sltui::sim::webhooks::WebhookTarget;
use sltui::sim::{self, SimConfig, SimHandle};
use sltui::webhooks::{self, EventKind, Payload, WebhookEvent, WebhookToken};
use sltui::worker::{self, Envelope, Priority, Request, WorkerEvent, WorkerOptions};
use tokio::sync::mpsc;

const KEY: &str = "webhook-test-key";
const TOKEN: &str = "cb-token-7f3a91";
/// Stops a hung test; never a performance threshold.
const GUARD: Duration = Duration::from_secs(60);

/// Written here from the documented rule (hex HMAC-SHA1 of the raw body keyed by the
/// callback token), not taken from the code under test.
fn sign(token: &str, body: &[u8]) -> String {
    let mut mac = Hmac::<Sha1>::new_from_slice(token.as_bytes()).unwrap();
    mac.update(body);
    mac.finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

async fn start_sim(webhook: Option<WebhookTarget>, live: bool, people: usize) -> SimHandle {
    sim::start(SimConfig {
        addr: ([127, 0, 0, 1], 0).into(),
        api_key: KEY.into(),
        people,
        cadences: 8,
        live,
        live_tick_ms: 50,
        webhook,
        ..SimConfig::default()
    })
    .await
    .expect("simulator starts")
}

async fn receiver() -> (webhooks::Receiver, mpsc::Receiver<WebhookEvent>) {
    webhooks::start(
        ([127, 0, 0, 1], 0).into(),
        WebhookToken::new(TOKEN).unwrap(),
    )
    .await
    .expect("receiver starts")
}

fn target(url: &str, retry_ms: u64) -> WebhookTarget {
    let mut t = WebhookTarget::new(url, TOKEN);
    t.retry_delay = Duration::from_millis(retry_ms);
    t.timeout = Duration::from_secs(5);
    t
}

async fn api(sim: &SimHandle, method: reqwest::Method, path: &str, body: Option<Value>) -> Value {
    let mut req = reqwest::Client::new()
        .request(method, format!("{}/{path}", sim.base_url()))
        .bearer_auth(KEY);
    if let Some(b) = body {
        req = req.json(&b);
    }
    let res = req.send().await.expect("sim reachable");
    assert!(res.status().is_success(), "{path}: {}", res.status());
    res.json().await.unwrap_or(Value::Null)
}

async fn get(sim: &SimHandle, path: &str) -> Value {
    api(sim, reqwest::Method::GET, path, None).await
}

async fn post(url: &str, event: &str, body: &[u8], signature: Option<&str>) -> StatusCode {
    let mut req = reqwest::Client::new()
        .post(url)
        .header("content-type", "application/json")
        .header("x-salesloft-event", event)
        .body(body.to_vec());
    if let Some(sig) = signature {
        req = req.header("x-salesloft-signature", sig);
    }
    let status = req.send().await.expect("receiver reachable").status();
    StatusCode::from_u16(status.as_u16()).unwrap()
}

/// Posts `body` as `event`, signed with [`TOKEN`] the way SalesLoft signs.
async fn post_signed(url: &str, event: &str, body: &[u8]) -> StatusCode {
    post(url, event, body, Some(&sign(TOKEN, body))).await
}

/// Creates person `n` on the simulator, which delivers it as `person_created`.
async fn create_person(sim: &SimHandle, n: u32) -> Value {
    api(
        sim,
        reqwest::Method::POST,
        "people.json",
        Some(new_person(n)),
    )
    .await
}

/// The id of an active team cadence (anyone may enroll on it).
async fn active_team_cadence(sim: &SimHandle) -> u64 {
    get(sim, "cadences.json?per_page=100").await["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["current_state"] == "active" && c["team_cadence"] == true)
        .map(|c| c["id"].as_u64().unwrap())
        .expect("an active team cadence")
}

/// Puts the person on the cadence; the new membership's id.
async fn add_membership(sim: &SimHandle, person_id: u64, cadence_id: u64) -> u64 {
    let body = json!({"person_id": person_id, "cadence_id": cadence_id});
    let created = api(
        sim,
        reqwest::Method::POST,
        "cadence_memberships.json",
        Some(body),
    )
    .await;
    created["data"]["id"].as_u64().unwrap()
}

/// The worker on our client to `sim`, also folding the events the receiver passes on.
fn webhook_worker(sim: &SimHandle, events: mpsc::Receiver<WebhookEvent>) -> worker::WorkerHandle {
    let client = ApiClient::new(ApiConfig::new(&sim.base_url(), Some(KEY.into()))).unwrap();
    worker::spawn_with_webhooks(client, WorkerOptions::default(), events)
}

/// The worker's next event.
async fn next_event(handle: &mut worker::WorkerHandle) -> WorkerEvent {
    tokio::time::timeout(GUARD, handle.events.recv())
        .await
        .unwrap()
        .unwrap()
}

/// Waits (polling) until `check` holds; panics after the guard.
async fn until(what: &str, mut check: impl FnMut() -> bool) {
    let deadline = tokio::time::Instant::now() + GUARD;
    while !check() {
        assert!(
            tokio::time::Instant::now() < deadline,
            "timed out waiting: {what}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// A sent, delivered, view-tracked, not yet opened cadence email from the simulator,
/// as JSON.
async fn unopened_email(sim: &SimHandle) -> Value {
    let page = get(sim, "activities/emails.json?per_page=100").await;
    page["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| {
            e["status"] == "sent"
                && e["bounced"] == false
                && e["counts"]["views"] == 0
                && e["view_tracking"] == true
                && e["cadence"].is_object()
        })
        .cloned()
        .expect("an unopened sent email")
}

/// `e` as it would be after a later open: one view, `updated_at` a second later.
fn opened(e: &Value) -> Value {
    let mut e = e.clone();
    let t = DateTime::parse_from_rfc3339(e["updated_at"].as_str().unwrap()).unwrap();
    let later = (t + TimeDelta::seconds(1)).format("%Y-%m-%dT%H:%M:%S%.6f%:z");
    e["updated_at"] = json!(later.to_string());
    e["counts"]["views"] = json!(1);
    e
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_valid_signature_is_accepted_and_parsed() {
    let sim = start_sim(None, false, 200).await;
    let (rx, mut events) = receiver().await;
    let email = unopened_email(&sim).await;
    let body = serde_json::to_vec(&email).unwrap();
    let status = post_signed(&rx.url(), "email_updated", &body).await;
    assert_eq!(status, StatusCode::OK);
    let ev = events.recv().await.expect("one event");
    assert_eq!(ev.kind, EventKind::EmailUpdated);
    assert_eq!(ev.object_id(), email["id"].as_u64().unwrap());
    let Payload::Email(parsed) = &ev.payload else {
        panic!("not an email: {ev:?}");
    };
    assert_eq!(parsed.cadence_id(), email["cadence"]["id"].as_u64());
    // Upper-case hex is the same signature; an event type sltui does not use is
    // acknowledged (so SalesLoft does not retry it) and not passed on.
    let account = br#"{"id": 5, "updated_at": "2024-01-01T00:00:00Z"}"#;
    let upper = sign(TOKEN, account).to_uppercase();
    assert_eq!(
        post(&rx.url(), "account_updated", account, Some(&upper)).await,
        StatusCode::OK
    );
    let s = rx.stats();
    assert_eq!((s.accepted, s.ignored, s.unauthorized), (1, 1, 0));
    assert!(events.try_recv().is_err(), "nothing else passed on");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn missing_and_wrong_signatures_are_401() {
    let (rx, mut events) = receiver().await;
    let body =
        br#"{"id": 9, "created_at": "2024-01-01T00:00:00Z", "updated_at": "2024-01-01T00:00:00Z"}"#;
    let url = rx.url();
    assert_eq!(
        post(&url, "person_updated", body, None).await,
        StatusCode::UNAUTHORIZED
    );
    let other_key = sign("another-token", body);
    assert_eq!(
        post(&url, "person_updated", body, Some(&other_key)).await,
        StatusCode::UNAUTHORIZED
    );
    let other_body = sign(TOKEN, br#"{"id": 10}"#);
    assert_eq!(
        post(&url, "person_updated", body, Some(&other_body)).await,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        post(&url, "person_updated", body, Some("not-hex")).await,
        StatusCode::UNAUTHORIZED
    );
    // SHA-256 is a stale claim (salesloft-api.md §7): refused like any wrong signature.
    let sha256_len = "a".repeat(64);
    assert_eq!(
        post(&url, "person_updated", body, Some(&sha256_len)).await,
        StatusCode::UNAUTHORIZED
    );
    // A signed body that is not the object the event names is a 400, not a crash.
    let junk = b"{\"id\": \"nope\"}";
    assert_eq!(
        post_signed(&url, "person_updated", junk).await,
        StatusCode::BAD_REQUEST
    );
    let s = rx.stats();
    assert_eq!((s.unauthorized, s.invalid, s.accepted), (5, 1, 0));
    assert!(events.try_recv().is_err(), "nothing passed on");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bodies_over_one_mebibyte_are_413() {
    let (rx, mut events) = receiver().await;
    let url = rx.url();
    // Exactly 1 MiB of valid JSON (padded with spaces) is accepted...
    let head =
        br#"{"id": 3, "created_at": "2024-01-01T00:00:00Z", "updated_at": "2024-01-01T00:00:00Z"}"#;
    let mut body = head.to_vec();
    body.splice(
        1..1,
        std::iter::repeat_n(b' ', webhooks::MAX_BODY - head.len()),
    );
    assert_eq!(body.len(), webhooks::MAX_BODY);
    assert_eq!(
        post_signed(&url, "person_updated", &body).await,
        StatusCode::OK
    );
    // ...one byte more is not, correctly signed or not.
    body.insert(1, b' ');
    assert_eq!(
        post_signed(&url, "person_updated", &body).await,
        StatusCode::PAYLOAD_TOO_LARGE
    );
    // Without a Content-Length (chunked), the limit holds while reading.
    let addr = rx.addr();
    let sig = sign(TOKEN, &body);
    let status = tokio::task::spawn(async move {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
        let head = format!(
            "POST / HTTP/1.1\r\nhost: {addr}\r\nx-salesloft-event: person_updated\r\n\
             x-salesloft-signature: {sig}\r\ntransfer-encoding: chunked\r\nconnection: close\r\n\r\n"
        );
        s.write_all(head.as_bytes()).await.unwrap();
        for chunk in body.chunks(64 * 1024) {
            let frame = format!("{:x}\r\n", chunk.len());
            // The server may answer and close before the whole body is sent.
            if s.write_all(frame.as_bytes()).await.is_err()
                || s.write_all(chunk).await.is_err()
                || s.write_all(b"\r\n").await.is_err()
            {
                break;
            }
        }
        let _ = s.write_all(b"0\r\n\r\n").await;
        let mut answer = Vec::new();
        let _ = s.read_to_end(&mut answer).await;
        String::from_utf8_lossy(&answer).to_string()
    })
    .await
    .unwrap();
    assert!(status.starts_with("HTTP/1.1 413"), "{status}");
    let s = rx.stats();
    assert_eq!((s.accepted, s.too_large), (1, 2));
    assert_eq!(events.recv().await.unwrap().object_id(), 3);
}

/// In front of the receiver: passes every delivery on, but answers the first one
/// 500 as if the acknowledgement had been lost, so the simulator delivers it again.
#[derive(Clone)]
struct LossyProxy {
    to: String,
    hits: Arc<AtomicU64>,
}

async fn lossy(State(p): State<LossyProxy>, headers: HeaderMap, body: Bytes) -> StatusCode {
    let n = p.hits.fetch_add(1, Ordering::SeqCst);
    let mut req = reqwest::Client::new().post(&p.to).body(body.to_vec());
    for name in ["x-salesloft-event", "x-salesloft-signature", "content-type"] {
        if let Some(v) = headers.get(name).and_then(|v| v.to_str().ok()) {
            req = req.header(name, v);
        }
    }
    let status = req.send().await.map(|r| r.status().as_u16()).unwrap_or(502);
    if n == 0 {
        StatusCode::INTERNAL_SERVER_ERROR
    } else {
        StatusCode::from_u16(status).unwrap()
    }
}

async fn serve(app: Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    format!("http://{addr}/hook")
}

fn new_person(n: u32) -> Value {
    json!({"first_name": "Webhook", "last_name": format!("Test{n}"),
           "email_address": format!("webhook.test{n}@example.com")})
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_redelivery_is_deduplicated() {
    let (rx, mut events) = receiver().await;
    let hits = Arc::new(AtomicU64::new(0));
    let proxy = serve(Router::new().fallback(lossy).with_state(LossyProxy {
        to: rx.url(),
        hits: hits.clone(),
    }))
    .await;
    let sim = start_sim(Some(target(&proxy, 100)), false, 200).await;
    let created = create_person(&sim, 1).await;
    let person_id = created["data"]["id"].as_u64().unwrap();
    until("the retry is delivered", || {
        sim.webhook_stats().is_some_and(|s| s.delivered == 1)
    })
    .await;
    let s = sim.webhook_stats().unwrap();
    assert_eq!(
        (s.events, s.attempts, s.retried, s.failed),
        (1, 2, 1, 0),
        "{s:?}"
    );
    assert_eq!(s.count("person_created"), 1);
    assert_eq!(hits.load(Ordering::SeqCst), 2);
    let r = rx.stats();
    assert_eq!((r.accepted, r.duplicates), (1, 1), "{r:?}");
    let ev = events.recv().await.unwrap();
    assert_eq!(
        (ev.kind, ev.object_id()),
        (EventKind::PersonCreated, person_id)
    );
    assert!(events.try_recv().is_err(), "passed on once");
}

async fn counting(State(hits): State<Arc<AtomicU64>>) -> StatusCode {
    hits.fetch_add(1, Ordering::SeqCst);
    StatusCode::SERVICE_UNAVAILABLE
}

/// A simulator delivering to `url` (retries 50 ms apart) that created person `n` and
/// has given up delivering it.
async fn undeliverable_person(url: &str, n: u32) -> SimHandle {
    let sim = start_sim(Some(target(url, 50)), false, 200).await;
    create_person(&sim, n).await;
    until("the delivery is given up", || {
        sim.webhook_stats().is_some_and(|s| s.failed == 1)
    })
    .await;
    sim
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_delivery_is_retried_three_times_then_given_up() {
    let hits = Arc::new(AtomicU64::new(0));
    let url = serve(Router::new().fallback(counting).with_state(hits.clone())).await;
    let sim = undeliverable_person(&url, 2).await;
    let s = sim.webhook_stats().unwrap();
    assert_eq!((s.attempts, s.retried, s.delivered), (4, 3, 0), "{s:?}");
    assert_eq!(hits.load(Ordering::SeqCst), 4, "one try and three retries");

    // Nobody listening at all (connection refused) is retried the same way.
    let closed = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        format!("http://{}/", l.local_addr().unwrap())
    };
    let sim = undeliverable_person(&closed, 3).await;
    assert_eq!(sim.webhook_stats().unwrap().attempts, 4);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_email_update_changes_the_aggregate_exactly_once() {
    let sim = start_sim(None, false, 300).await;
    let (rx, events) = receiver().await;
    let mut handle = webhook_worker(&sim, events);
    let email = unopened_email(&sim).await;
    let cadence = email["cadence"]["id"].as_u64().unwrap();

    // Polled first: the cadence's emails, folded the way the dashboard folds them.
    let mut agg = Aggregator::new(TimeRange::All, chrono::Utc::now());
    handle
        .requests
        .send(Envelope {
            id: 1,
            priority: Priority::Visible,
            request: Request::Engagement {
                cadence_ids: vec![cadence],
                range: TimeRange::All,
            },
        })
        .unwrap();
    loop {
        match next_event(&mut handle).await {
            WorkerEvent::EmailFacts { facts, .. } => facts.into_iter().for_each(|f| {
                agg.upsert(f);
            }),
            WorkerEvent::Finished { id: 1, error } => {
                assert_eq!(error, None);
                break;
            }
            _ => {}
        }
    }
    let before = agg.by_cadence(cadence);
    assert!(before.delivered > 0);

    // Live updates on (the dashboard's Cadences view); the live poll runs too.
    let email_id = email["id"].as_u64().unwrap();
    handle
        .requests
        .send(Envelope {
            id: 2,
            priority: Priority::User,
            request: Request::SetLive { enabled: true },
        })
        .unwrap();
    while !matches!(
        next_event(&mut handle).await,
        WorkerEvent::LiveState { enabled: true, .. }
    ) {}
    // The open arrives by webhook, twice (a redelivery), then the stale state again.
    let newer = serde_json::to_vec(&opened(&email)).unwrap();
    let older = serde_json::to_vec(&email).unwrap();
    for body in [&newer, &newer, &older] {
        assert_eq!(
            post_signed(&rx.url(), "email_updated", body).await,
            StatusCode::OK
        );
    }
    // Folded in the order pushed: the open, then the stale state.
    let mut changes = 0;
    let mut opened_seen = false;
    let deadline = tokio::time::Instant::now() + GUARD;
    loop {
        let ev = tokio::time::timeout_at(deadline, handle.events.recv())
            .await
            .expect("the pushed facts arrive")
            .unwrap();
        let WorkerEvent::EmailFacts { facts, live, .. } = ev else {
            continue;
        };
        assert!(live, "pushed and polled-live facts are live facts");
        let mut stale_after_open = false;
        for f in facts {
            // The live poll may also bring other emails the generated team
            // updated in the last minutes: they are folded, not counted.
            let ours = f.email_id == email_id;
            if ours {
                stale_after_open |= opened_seen && !f.viewed;
                opened_seen |= f.viewed;
            }
            changes += usize::from(agg.upsert(f) && ours);
        }
        if stale_after_open {
            break;
        }
    }
    let after = agg.by_cadence(cadence);
    assert_eq!(
        changes, 1,
        "the open changed the aggregate once; the stale state did not"
    );
    assert_eq!(after.opened, before.opened + 1);
    assert_eq!(
        after.replied, before.replied,
        "the frozen-time reply was not folded"
    );
    assert_eq!(
        (after.sent, after.delivered),
        (before.sent, before.delivered),
        "no email counted twice"
    );
    assert_eq!((rx.stats().accepted, rx.stats().duplicates), (2, 1));
    drop(handle.requests);
}

/// Receives until `kind` for object `id` arrives (other events are skipped).
async fn expect(
    events: &mut mpsc::Receiver<WebhookEvent>,
    kind: EventKind,
    id: u64,
) -> WebhookEvent {
    let deadline = tokio::time::Instant::now() + GUARD;
    loop {
        let ev = tokio::time::timeout_at(deadline, events.recv())
            .await
            .unwrap_or_else(|_| panic!("no {} for {id}", kind.name()))
            .expect("receiver open");
        if ev.kind == kind && ev.object_id() == id {
            return ev;
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_simulator_delivers_signed_changes_to_the_receiver() {
    let (rx, mut events) = receiver().await;
    let sim = start_sim(Some(target(&rx.url(), 100)), false, 200).await;
    let person = create_person(&sim, 4).await;
    let person_id = person["data"]["id"].as_u64().unwrap();
    expect(&mut events, EventKind::PersonCreated, person_id).await;

    let cadence_id = active_team_cadence(&sim).await;
    let membership_id = add_membership(&sim, person_id, cadence_id).await;
    let ev = expect(&mut events, EventKind::MembershipCreated, membership_id).await;
    let Payload::Membership(m) = ev.payload else {
        panic!("not a membership");
    };
    assert_eq!(
        (m.person_id(), m.cadence_id()),
        (Some(person_id), Some(cadence_id))
    );
    assert!(m.currently_on_cadence);

    let path = format!("people/{person_id}.json");
    api(
        &sim,
        reqwest::Method::PUT,
        &path,
        Some(json!({"title": "CFO"})),
    )
    .await;
    // (The enrollment touched the person too: that update may come first.)
    loop {
        let ev = expect(&mut events, EventKind::PersonUpdated, person_id).await;
        let Payload::Person(p) = ev.payload else {
            panic!("not a person");
        };
        if p.title.as_deref() == Some("CFO") {
            break;
        }
    }

    let path = format!("cadence_memberships/{membership_id}.json");
    api(&sim, reqwest::Method::DELETE, &path, None).await;
    let ev = expect(&mut events, EventKind::MembershipUpdated, membership_id).await;
    let Payload::Membership(m) = ev.payload else {
        panic!("not a membership");
    };
    assert!(!m.currently_on_cadence, "removed");

    until("every change is delivered", || {
        sim.webhook_stats().is_some_and(|s| s.pending() == 0)
    })
    .await;
    let s = sim.webhook_stats().unwrap();
    assert_eq!((s.failed, s.retried), (0, 0), "{s:?}");
    let r = rx.stats();
    assert_eq!(
        (r.accepted, r.unauthorized, r.duplicates),
        (s.delivered, 0, 0),
        "{r:?} {s:?}"
    );

    // Live activity: emails sent and opened arrive as email_updated, each one the
    // simulator's current email or an earlier state of it.
    drop(sim);
    let (rx, mut events) = receiver().await;
    let sim = start_sim(Some(target(&rx.url(), 100)), true, 3000).await;
    let mut emails = Vec::new();
    let deadline = tokio::time::Instant::now() + GUARD;
    while emails.len() < 3 {
        let ev = tokio::time::timeout_at(deadline, events.recv())
            .await
            .expect("live emails arrive")
            .unwrap();
        if let Payload::Email(e) = ev.payload {
            emails.push(e);
        }
    }
    for e in &emails {
        let now = &get(&sim, &format!("activities/emails/{}.json", e.id)).await["data"];
        let now_at = DateTime::parse_from_rfc3339(now["updated_at"].as_str().unwrap()).unwrap();
        assert!(now_at >= e.updated_at, "email {} from the future", e.id);
        assert_eq!(now["cadence"]["id"].as_u64(), e.cadence_id());
    }
    let r = rx.stats();
    assert_eq!((r.unauthorized, r.invalid), (0, 0), "{r:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_headless_command_prints_each_event_once_and_never_the_token() {
    use tokio::io::{AsyncBufReadExt, BufReader};
    let sim = start_sim(None, false, 200).await;
    let email = unopened_email(&sim).await;
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    // The token source comes from the config file's [webhooks] section.
    let config = dir.join("config.toml");
    std::fs::write(
        &config,
        "[webhooks]\ntoken_env = \"SLTUI_TEST_HOOK_TOKEN\"\n",
    )
    .unwrap();
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_sltui"))
        .args(["webhooks", "--listen", "127.0.0.1:0"])
        .args(["--json", "--max-events", "2", "--config"])
        .arg(&config)
        .env("SLTUI_TEST_HOOK_TOKEN", TOKEN)
        .env("XDG_CONFIG_HOME", dir)
        .env("XDG_STATE_HOME", dir)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("sltui runs");
    let mut stderr = BufReader::new(child.stderr.take().unwrap()).lines();
    let first = tokio::time::timeout(GUARD, stderr.next_line())
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    let url = first
        .split_whitespace()
        .find(|w| w.starts_with("http://"))
        .unwrap_or_else(|| panic!("no URL in {first:?}"))
        .to_string();
    let newer = serde_json::to_vec(&opened(&email)).unwrap();
    let older = serde_json::to_vec(&email).unwrap();
    // A redelivery in between is answered but not printed.
    for body in [&older, &older, &newer] {
        let status = post_signed(&url, "email_updated", body).await;
        assert_eq!(status, StatusCode::OK);
    }
    let out = tokio::time::timeout(GUARD, child.wait_with_output())
        .await
        .unwrap()
        .unwrap();
    assert!(out.status.success());
    let stdout = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<Value> = stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 3, "{stdout}");
    let id = email["id"].as_u64().unwrap();
    assert_eq!(lines[0]["id"], id);
    assert_eq!(lines[1]["state"], json!(["sent", "opened"]));
    assert_eq!(lines[1]["cadence"]["opened"], 1);
    let summary = &lines[2]["summary"];
    assert_eq!(summary["receiver"]["accepted"], 2);
    assert_eq!(summary["receiver"]["duplicates"], 1);
    assert_eq!(summary["totals"]["sent"], 1, "one email, counted once");
    let all = format!("{first}\n{stdout}");
    assert!(!all.contains(TOKEN), "the token is never printed");
}

/// Runs one request through the worker; the members of the cadence detail it got.
async fn cadence_members(handle: &mut worker::WorkerHandle, id: u64, cadence_id: u64) -> Vec<u64> {
    let request = Request::CadenceDetail { cadence_id };
    let envelope = Envelope {
        id,
        priority: Priority::Visible,
        request,
    };
    handle.requests.send(envelope).unwrap();
    let mut members = Vec::new();
    loop {
        match next_event(handle).await {
            WorkerEvent::CadenceMembers {
                id: got,
                members: m,
                ..
            } if got == id => {
                members = m.iter().map(|(m, _)| m.id).collect();
            }
            WorkerEvent::Finished { id: got, error } if got == id => {
                assert_eq!(error, None);
                return members;
            }
            _ => {}
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_membership_webhook_refreshes_the_cached_cadence_detail() {
    let (rx, events) = receiver().await;
    let sim = start_sim(Some(target(&rx.url(), 100)), false, 200).await;
    let mut handle = webhook_worker(&sim, events);
    let cadence_id = active_team_cadence(&sim).await;
    let before = cadence_members(&mut handle, 1, cadence_id).await;
    // Someone else enrolls a person (another integration, or the SalesLoft web app).
    let person = create_person(&sim, 5).await;
    let person_id = person["data"]["id"].as_u64().unwrap();
    let membership_id = add_membership(&sim, person_id, cadence_id).await;
    assert!(!before.contains(&membership_id));
    // The detail is cached for 30 s; the webhook makes the next look read it again.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    let mut id = 2;
    loop {
        if cadence_members(&mut handle, id, cadence_id)
            .await
            .contains(&membership_id)
        {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "the cached detail was never refreshed"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
        id += 1;
    }
    assert!(rx.stats().accepted >= 2);
    drop(handle.requests);
}
