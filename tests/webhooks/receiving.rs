//! The receiver over HTTP: signatures, size limits, deduplicated redeliveries,
//! and the simulator's retries of a delivery that fails.

use super::*;

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
