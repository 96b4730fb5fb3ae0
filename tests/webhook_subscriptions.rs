//! The simulator's `/v2/webhook_subscriptions` over real loopback HTTP (raw reqwest:
//! the simulator's wire behaviour, not our client), and its deliveries to every
//! enabled subscription of an event type, each signed with that subscription's
//! token (checked by the real receiver). Time limits only stop a hung test.

use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use sltui::sim::{self, SimConfig, SimHandle};
use sltui::webhooks::{self, EventKind, WebhookEvent, WebhookToken};
use tokio::sync::mpsc;

const KEY: &str = "subscriptions-test-key";
/// Stops a hung test; never a performance threshold.
const GUARD: Duration = Duration::from_secs(60);

async fn start_sim() -> SimHandle {
    sim::start(SimConfig {
        addr: ([127, 0, 0, 1], 0).into(),
        api_key: KEY.into(),
        people: 100,
        cadences: 4,
        ..SimConfig::default()
    })
    .await
    .expect("simulator starts")
}

/// Sends a request; the status, the cost header and the JSON body (`Null` if none).
async fn call(
    sim: &SimHandle,
    method: Method,
    path: &str,
    form: Option<&str>,
    json: Option<Value>,
) -> (StatusCode, u32, Value) {
    let mut req = reqwest::Client::new()
        .request(method, format!("{}/{path}", sim.base_url()))
        .bearer_auth(KEY);
    if let Some(f) = form {
        req = req
            .header("content-type", "application/x-www-form-urlencoded")
            .body(f.to_string());
    }
    if let Some(j) = json {
        req = req.json(&j);
    }
    let res = req.send().await.expect("sim reachable");
    let status = res.status();
    let cost = res
        .headers()
        .get("x-ratelimit-endpoint-cost")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok())
        .expect("cost header");
    let body = res.json().await.unwrap_or(Value::Null);
    (status, cost, body)
}

async fn receiver(token: &str) -> (webhooks::Receiver, mpsc::Receiver<WebhookEvent>) {
    webhooks::start(
        ([127, 0, 0, 1], 0).into(),
        WebhookToken::new(token).unwrap(),
    )
    .await
    .expect("receiver starts")
}

async fn next(events: &mut mpsc::Receiver<WebhookEvent>) -> WebhookEvent {
    tokio::time::timeout(GUARD, events.recv())
        .await
        .expect("a delivery in time")
        .expect("receiver open")
}

async fn create_person(sim: &SimHandle, n: u32) -> u64 {
    let body = json!({"first_name": "Sub", "last_name": format!("Scriber{n}"),
        "email_address": format!("sub.scriber{n}@example.com")});
    let (status, _, created) = call(sim, Method::POST, "people", None, Some(body)).await;
    assert_eq!(status, StatusCode::OK);
    created["data"]["id"].as_u64().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn subscriptions_are_kept_and_each_is_delivered_to_with_its_own_token() {
    let sim = start_sim().await;
    let (rx_a, mut events_a) = receiver("token-a-51c2").await;
    let (rx_b, mut events_b) = receiver("token-b-9e07").await;

    // Form-encoded, as the spec says.
    let form = format!(
        "callback_url={}&callback_token=token-a-51c2&event_type=person_created",
        rx_a.url()
    );
    let (status, cost, a) = call(
        &sim,
        Method::POST,
        "webhook_subscriptions",
        Some(&form),
        None,
    )
    .await;
    assert_eq!((status, cost), (StatusCode::OK, 1), "{a}");
    assert_eq!(a["event_type"], "person_created");
    assert_eq!(a["enabled"], true);
    assert_eq!(a["callback_token"], "token-a-51c2");
    assert!(a["tenant_id"].is_u64() && a["user_guid"].is_string(), "{a}");
    // JSON, as most clients send.
    let mut ids = Vec::new();
    for event in ["person_created", "email_updated"] {
        let body = json!({"callback_url": rx_b.url(), "callback_token": "token-b-9e07",
            "event_type": event});
        let (status, _, b) = call(
            &sim,
            Method::POST,
            "webhook_subscriptions",
            None,
            Some(body),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{b}");
        ids.push(b["id"].as_u64().unwrap());
    }
    // Missing fields and unknown event types are 422 field errors.
    let body = json!({"callback_url": rx_b.url(), "event_type": "email_sent"});
    let (status, _, err) = call(
        &sim,
        Method::POST,
        "webhook_subscriptions",
        None,
        Some(body),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(err["errors"]["callback_token"][0], "can't be blank");
    assert_eq!(
        err["errors"]["event_type"][0],
        "is not included in the list"
    );

    // Disable one; the list filters on `enabled`.
    let path = format!("webhook_subscriptions/{}", ids[1]);
    let (status, _, off) = call(&sim, Method::PUT, &path, Some("enabled=false"), None).await;
    assert_eq!(
        (status, off["enabled"].clone()),
        (StatusCode::OK, json!(false))
    );
    let (_, _, all) = call(&sim, Method::GET, "webhook_subscriptions", None, None).await;
    assert_eq!(all.as_array().map(Vec::len), Some(3), "{all}");
    let (_, _, disabled) = call(
        &sim,
        Method::GET,
        "webhook_subscriptions?enabled=false",
        None,
        None,
    )
    .await;
    assert_eq!(disabled[0]["id"].as_u64(), Some(ids[1]), "{disabled}");

    // One change, delivered to both person_created subscriptions, each signed with
    // its own token (a wrong one would be refused with a 401 and counted).
    let first = create_person(&sim, 1).await;
    for events in [&mut events_a, &mut events_b] {
        let ev = next(events).await;
        assert_eq!((ev.kind, ev.object_id()), (EventKind::PersonCreated, first));
    }
    assert_eq!(rx_a.stats().unauthorized + rx_b.stats().unauthorized, 0);

    // Deleted (twice: 204 both times), then no longer delivered to.
    let path = format!("webhook_subscriptions/{}", a["id"]);
    for _ in 0..2 {
        let (status, _, _) = call(&sim, Method::DELETE, &path, None, None).await;
        assert_eq!(status, StatusCode::NO_CONTENT);
    }
    let (status, _, _) = call(&sim, Method::GET, &path, None, None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let second = create_person(&sim, 2).await;
    assert_eq!(next(&mut events_b).await.object_id(), second);
    let deadline = tokio::time::Instant::now() + GUARD;
    while sim.webhook_stats().is_none_or(|s| s.pending() > 0) {
        assert!(tokio::time::Instant::now() < deadline, "deliveries hang");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let s = sim.webhook_stats().unwrap();
    assert_eq!((s.events, s.delivered, s.failed), (3, 3, 0), "{s:?}");
    assert!(
        events_a.try_recv().is_err(),
        "the deleted subscription got nothing"
    );
    assert!(
        events_b.try_recv().is_err(),
        "the disabled email_updated got nothing"
    );
}
