//! The client over real loopback HTTP against a tiny canned-response server:
//! retry policy, ambiguity of failed mutations, budget headers, probes,
//! decode errors, and that the key never leaks into messages.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use sltui::api::models::NewPerson;
use sltui::api::{ApiClient, ApiConfig, ApiError, NetworkKind, Query};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

const KEY: &str = "ak_test_secret_0123456789";

/// What the server does with one connection.
#[derive(Clone)]
enum Reply {
    Http {
        status: u16,
        headers: Vec<(&'static str, &'static str)>,
        body: &'static str,
    },
    /// Close the connection without answering.
    Close,
    /// Never answer.
    Hang,
}

fn json(status: u16, body: &'static str) -> Reply {
    Reply::Http {
        status,
        headers: vec![
            ("x-ratelimit-endpoint-cost", "1"),
            ("x-ratelimit-remaining-minute", "598"),
        ],
        body,
    }
}

struct Canned {
    base: String,
    seen: Arc<Mutex<Vec<String>>>,
}

/// Serves `replies` in order, one per connection (the last one repeats).
async fn serve(replies: Vec<Reply>) -> Canned {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    tokio::spawn(async move {
        let mut n = 0;
        loop {
            let Ok((sock, _)) = listener.accept().await else {
                return;
            };
            let reply = replies[n.min(replies.len() - 1)].clone();
            n += 1;
            let log = log.clone();
            tokio::spawn(answer(sock, reply, log));
        }
    });
    Canned { base, seen }
}

async fn answer(mut sock: TcpStream, reply: Reply, log: Arc<Mutex<Vec<String>>>) {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        let Ok(n) = sock.read(&mut chunk).await else {
            return;
        };
        if n == 0 {
            return;
        }
        buf.extend_from_slice(&chunk[..n]);
        let text = String::from_utf8_lossy(&buf).to_string();
        if let Some(end) = text.find("\r\n\r\n") {
            let len = text[..end]
                .lines()
                .find_map(|l| {
                    let (k, v) = l.split_once(':')?;
                    k.eq_ignore_ascii_case("content-length")
                        .then(|| v.trim().parse::<usize>().ok())?
                })
                .unwrap_or(0);
            if buf.len() >= end + 4 + len {
                log.lock().unwrap().push(text);
                break;
            }
        }
    }
    match reply {
        Reply::Close => {}
        Reply::Hang => tokio::time::sleep(Duration::from_secs(10)).await,
        Reply::Http {
            status,
            headers,
            body,
        } => {
            let mut out = format!(
                "HTTP/1.1 {status} X\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n",
                body.len()
            );
            for (k, v) in headers {
                out.push_str(&format!("{k}: {v}\r\n"));
            }
            out.push_str("\r\n");
            out.push_str(body);
            let _ = sock.write_all(out.as_bytes()).await;
            let _ = sock.shutdown().await;
        }
    }
}

fn client(base: &str) -> ApiClient {
    let mut cfg = ApiConfig::new(base, Some(KEY.to_string()));
    cfg.timeout = Duration::from_millis(800);
    cfg.connect_timeout = Duration::from_millis(500);
    ApiClient::new(cfg).unwrap()
}

const ME: &str =
    r#"{"data": {"id": 7, "name": "Pat", "role": {"id": "Admin"}, "team": {"id": 1}}}"#;

#[tokio::test]
async fn get_retries_server_errors_and_resets_then_succeeds() {
    let s = serve(vec![
        json(503, r#"{"error": "down"}"#),
        Reply::Close,
        json(200, ME),
    ])
    .await;
    let c = client(&s.base);
    let me = c.me().await.unwrap();
    assert_eq!(me.id, 7);
    let seen = s.seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 3);
    assert!(
        seen[0].starts_with("GET /v2/me.json HTTP/1.1"),
        "{}",
        seen[0]
    );
    assert!(
        seen[0]
            .to_ascii_lowercase()
            .contains(&format!("authorization: bearer {KEY}").to_ascii_lowercase())
    );
    let snap = c.budget().snapshot();
    assert_eq!(
        (snap.requests, snap.remaining, snap.last_cost),
        (2, Some(598), Some(1))
    );
}

#[tokio::test]
async fn reads_give_up_after_max_retries() {
    let s = serve(vec![json(502, "<html><h1>Bad Gateway</h1></html>")]).await;
    let err = client(&s.base).people(&Query::new()).await.unwrap_err();
    assert!(
        matches!(&err, ApiError::Server { status: 502, message } if message == "Bad Gateway"),
        "{err:?}"
    );
    assert_eq!(s.seen.lock().unwrap().len(), 4, "1 try + 3 retries");
}

#[tokio::test]
async fn mutations_are_not_retried_once_sent() {
    let person = NewPerson {
        email_address: Some("a@example.com".into()),
        ..Default::default()
    };
    for reply in [json(500, r#"{"error": "boom"}"#), Reply::Close, Reply::Hang] {
        let s = serve(vec![reply, json(200, "{}")]).await;
        let err = client(&s.base).create_person(&person).await.unwrap_err();
        assert!(err.is_ambiguous(), "{err:?}");
        assert_eq!(s.seen.lock().unwrap().len(), 1, "{err:?}");
        let req = s.seen.lock().unwrap()[0].clone();
        assert!(req.starts_with("POST /v2/people HTTP/1.1"));
        assert!(
            req.ends_with(r#"{"email_address":"a@example.com"}"#),
            "{req}"
        );
        if let ApiError::Network {
            kind, maybe_sent, ..
        } = &err
        {
            assert!(maybe_sent);
            assert!(
                matches!(kind, NetworkKind::Reset | NetworkKind::Timeout),
                "{err:?}"
            );
        }
    }
}

#[tokio::test]
async fn unreachable_server_is_not_sent_and_is_retried() {
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let mut cfg = ApiConfig::new(&format!("http://127.0.0.1:{port}"), Some(KEY.into()));
    cfg.max_retries = 1;
    let c = ApiClient::new(cfg).unwrap();
    let started = Instant::now();
    let err = c.delete_membership(5).await.unwrap_err();
    assert!(
        matches!(
            err,
            ApiError::Network {
                kind: NetworkKind::Connect,
                maybe_sent: false,
                ..
            }
        ),
        "{err:?}"
    );
    assert!(!err.is_ambiguous());
    assert!(
        started.elapsed() >= Duration::from_millis(100),
        "one backoff happened"
    );
    assert!(!err.to_string().contains(KEY));
}

#[tokio::test]
async fn throttle_waits_for_retry_after_and_gives_up_eventually() {
    let throttled = Reply::Http {
        status: 429,
        headers: vec![("retry-after", "1"), ("x-ratelimit-remaining-minute", "0")],
        body: r#"{"error": "Too Many Requests"}"#,
    };
    let s = serve(vec![throttled, json(200, ME)]).await;
    let c = client(&s.base);
    let started = Instant::now();
    c.me().await.unwrap();
    assert!(started.elapsed() >= Duration::from_secs(1));
    assert_eq!(c.budget().snapshot().throttled, 1);

    let always = Reply::Http {
        status: 429,
        headers: vec![("retry-after", "0")],
        body: "",
    };
    let s = serve(vec![always]).await;
    let c = client(&s.base);
    let err = c.me().await.unwrap_err();
    assert!(
        matches!(err, ApiError::RateLimited { retry_after: Some(d) } if d.is_zero()),
        "{err:?}"
    );
    assert_eq!(
        s.seen.lock().unwrap().len(),
        6,
        "1 try + 5 throttle retries"
    );
    assert_eq!(c.budget().snapshot().throttled, 6);
}

#[tokio::test]
async fn garbage_budget_headers_are_ignored() {
    let reply = Reply::Http {
        status: 200,
        headers: vec![
            ("x-ratelimit-endpoint-cost", "lots"),
            ("x-ratelimit-remaining-minute", "-1"),
        ],
        body: ME,
    };
    let s = serve(vec![reply]).await;
    let c = client(&s.base);
    c.me().await.unwrap();
    let snap = c.budget().snapshot();
    assert_eq!(
        (snap.requests, snap.remaining, snap.last_cost),
        (1, None, None)
    );
    assert_eq!(c.budget().estimated_remaining(), 600);
}

#[tokio::test]
async fn bad_json_is_a_decode_error_naming_the_request() {
    let s = serve(vec![json(200, r#"{"data": [{"id": 1, "updated_at": 5}]}"#)]).await;
    let err = client(&s.base)
        .emails(&Query::new().push("ids[]", 1))
        .await
        .unwrap_err();
    let text = err.to_string();
    assert!(text.contains("GET activities/emails?ids%5B%5D=1"), "{text}");
    assert!(text.contains("line 1 column"), "{text}");
}

#[tokio::test]
async fn probe_reports_status_budget_and_body_without_retrying() {
    let reply = Reply::Http {
        status: 401,
        headers: vec![
            ("x-ratelimit-endpoint-cost", "1"),
            ("x-ratelimit-remaining-minute", "42"),
        ],
        body: r#"{"error": "Not authorized"}"#,
    };
    let s = serve(vec![reply]).await;
    let c = client(&s.base);
    let p = c.probe("me.json").await;
    assert_eq!(
        (p.status, p.cost, p.remaining),
        (Some(401), Some(1), Some(42))
    );
    assert!(
        matches!(&p.error, Some(ApiError::Unauthorized { message, oauth: None }) if message == "Not authorized")
    );
    assert_eq!(p.body.unwrap()["error"], "Not authorized");
    assert_eq!(s.seen.lock().unwrap().len(), 1);
    let text = p.error.unwrap().to_string();
    assert!(text.contains("Check the API key where it comes from") && !text.contains(KEY));
    assert!(!format!("{c:?}").contains(KEY));
}

#[tokio::test]
async fn timeouts_on_reads_are_retried_then_reported() {
    let s = serve(vec![Reply::Hang]).await;
    let mut cfg = ApiConfig::new(&s.base, Some(KEY.into()));
    cfg.timeout = Duration::from_millis(200);
    cfg.max_retries = 1;
    let err = ApiClient::new(cfg).unwrap().me().await.unwrap_err();
    assert!(
        matches!(
            err,
            ApiError::Network {
                kind: NetworkKind::Timeout,
                maybe_sent: true,
                ..
            }
        ),
        "{err:?}"
    );
    assert_eq!(s.seen.lock().unwrap().len(), 2);
}
