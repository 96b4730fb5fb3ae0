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

#[path = "webhooks/delivery.rs"]
mod delivery;
#[path = "webhooks/receiving.rs"]
mod receiving;

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

/// The body of a new person `n`.
fn new_person(n: u32) -> Value {
    json!({"first_name": "Webhook", "last_name": format!("Test{n}"),
           "email_address": format!("webhook.test{n}@example.com")})
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
