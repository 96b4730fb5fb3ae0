//! Hostile bodies through the real client over loopback HTTP: a tiny axum
//! server answers with whatever body and status the test sets, and the
//! simulator's `malformed` fault damages real answers.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::http::StatusCode;
use axum::http::header::CONTENT_TYPE;
use sltui::api::{ApiClient, ApiConfig, ApiError, Query};
use sltui::sim::SimConfig;
use sltui::sim::faults::FaultKind;

use super::mutate::{Rng, mutant};
use super::{Kind, decode_client, fixtures, runtime, show};

/// An error message the user sees must stay readable.
const MAX_MESSAGE: usize = 1024;
const CLIENT_SEED: u64 = 0xC11E_0000;
/// Mutants per fixture sent through the client.
const CLIENT_PER_FIXTURE: usize = 40;

#[derive(Clone)]
struct Answer {
    status: u16,
    content_type: &'static str,
    body: Vec<u8>,
}

/// A server that answers every request with the current `Answer`.
struct Server {
    answer: Arc<Mutex<Answer>>,
    requests: Arc<AtomicU64>,
    base: String,
}

impl Server {
    async fn start() -> Server {
        let answer = Arc::new(Mutex::new(Answer {
            status: 200,
            content_type: "application/json",
            body: b"{}".to_vec(),
        }));
        let requests = Arc::new(AtomicU64::new(0));
        let (a, r) = (answer.clone(), requests.clone());
        let app = axum::Router::new().fallback(move || {
            let (a, r) = (a.clone(), r.clone());
            async move {
                r.fetch_add(1, Ordering::SeqCst);
                let now = a.lock().unwrap().clone();
                let status = StatusCode::from_u16(now.status).unwrap();
                (status, [(CONTENT_TYPE, now.content_type)], now.body)
            }
        });
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Server {
            answer,
            requests,
            base: format!("http://{addr}/v2"),
        }
    }

    fn set(&self, status: u16, content_type: &'static str, body: Vec<u8>) {
        *self.answer.lock().unwrap() = Answer {
            status,
            content_type,
            body,
        };
    }

    fn client(&self, max_retries: u32) -> ApiClient {
        let mut cfg = ApiConfig::new(&self.base, Some("hostile-key".into()));
        cfg.max_retries = max_retries;
        cfg.timeout = Duration::from_secs(10);
        ApiClient::new(cfg).expect("a client")
    }
}

/// Whether `text` holds a run of `n` copies of `c` (a payload's filler).
fn echoes_n(text: &str, c: char, n: usize) -> bool {
    text.contains(&c.to_string().repeat(n))
}

/// A decode error shows what kind of value was there, never more than a few
/// dozen of its characters.
fn echoes(text: &str, c: char) -> bool {
    echoes_n(text, c, 60)
}

#[test]
fn the_client_turns_every_mutant_into_data_or_a_short_decode_error() {
    let rt = runtime();
    let server = rt.block_on(Server::start());
    let client = server.client(3);
    let (mut ok, mut err) = (0, 0);
    for (n, f) in fixtures().iter().enumerate() {
        let seed = CLIENT_SEED + n as u64;
        let mut rng = Rng::new(seed);
        server.set(200, "application/json", f.body.clone());
        if let Err(e) = rt.block_on(decode_client(f.kind, &client)) {
            panic!("{:?}: the unmutated fixture fails: {e}", f.kind);
        }
        for _ in 0..CLIENT_PER_FIXTURE {
            let (body, log) = mutant(f, &mut rng);
            server.set(200, "application/json", body.clone());
            let before = server.requests.load(Ordering::SeqCst);
            let outcome = rt.block_on(decode_client(f.kind, &client));
            let ctx = || show(&body, &log, seed);
            let Err(e) = outcome else {
                ok += 1;
                continue;
            };
            err += 1;
            let ApiError::Decode { what, .. } = &e else {
                panic!("{:?}: not a decode error: {e}; {}", f.kind, ctx());
            };
            let request = format!("GET {}", f.kind.resource());
            assert!(what.contains(&request), "{what} lacks {request}; {}", ctx());
            let text = e.to_string();
            assert!(
                text.len() < MAX_MESSAGE && !echoes(&text, 'x') && !echoes(&text, 'a'),
                "{:?}: a {}-byte message: {}; {}",
                f.kind,
                text.len(),
                text.chars().take(300).collect::<String>(),
                ctx()
            );
            assert!(text.contains("expected shape"), "{text}");
            let sent = server.requests.load(Ordering::SeqCst) - before;
            assert_eq!(sent, 1, "a body that does not decode is not re-requested");
        }
    }
    eprintln!("client: {ok} mutants parsed, {err} rejected with short decode errors");
    assert!(ok > 50 && err > 50, "{ok} parsed, {err} rejected");
}

#[test]
fn huge_and_garbage_bodies_give_short_typed_errors() {
    let rt = runtime();
    let server = rt.block_on(Server::start());
    let mb = |c: char| c.to_string().repeat(1 << 20);
    let json = "application/json";
    type Check = fn(&ApiError) -> bool;
    let cases: Vec<(&str, u16, &'static str, Vec<u8>, Check)> = vec![
        (
            "1 MB string as the id",
            200,
            json,
            format!(r#"{{"data": {{"id": "{}"}}}}"#, mb('a')).into_bytes(),
            |e| matches!(e, ApiError::Decode { .. }),
        ),
        (
            "1 MB unknown value, then a wrong type",
            200,
            json,
            format!(r#"{{"data": {{"zz": "{}", "id": true}}}}"#, mb('a')).into_bytes(),
            |e| matches!(e, ApiError::Decode { .. }),
        ),
        (
            "10k-deep nesting",
            200,
            json,
            format!(
                r#"{{"data": {}{}}}"#,
                "[".repeat(10_000),
                "]".repeat(10_000)
            )
            .into_bytes(),
            |e| matches!(e, ApiError::Decode { .. }),
        ),
        (
            "binary garbage",
            200,
            json,
            (0..=255u8).cycle().take(1 << 20).collect(),
            |e| matches!(e, ApiError::Decode { .. }),
        ),
        (
            "an HTML page",
            200,
            "text/html",
            format!("<html><body>{}</body></html>", mb('a')).into_bytes(),
            |e| matches!(e, ApiError::NotSalesLoft { status: 200, .. }),
        ),
        ("an empty 200", 200, json, Vec::new(), |e| {
            matches!(e, ApiError::Decode { .. })
        }),
        (
            "a 1 MB 401 message",
            401,
            json,
            format!(r#"{{"error": "{}"}}"#, mb('a')).into_bytes(),
            |e| matches!(e, ApiError::Unauthorized { .. }),
        ),
        (
            "a 1 MB 404 message",
            404,
            json,
            format!(r#"{{"error": "{}"}}"#, mb('a')).into_bytes(),
            |e| matches!(e, ApiError::NotFound { .. }),
        ),
        (
            "a 422 with 1 MB field errors",
            422,
            json,
            format!(
                r#"{{"errors": {{"{}": ["{}"], "b": ["x"]}}}}"#,
                mb('a'),
                mb('a')
            )
            .into_bytes(),
            |e| matches!(e, ApiError::Validation { .. }),
        ),
        (
            "a 2 MB 502 page",
            502,
            "text/html",
            format!("<html><title>502</title>{}{}</html>", mb('a'), mb('a')).into_bytes(),
            |e| matches!(e, ApiError::Server { status: 502, .. }),
        ),
        (
            "a 418 of binary garbage",
            418,
            "application/octet-stream",
            (0..=255u8).cycle().take(1 << 20).collect(),
            |e| matches!(e, ApiError::Http { status: 418, .. }),
        ),
    ];
    for (what, status, content_type, body, expected) in cases {
        server.set(status, content_type, body);
        // A client that met a 401 stops sending the key: a fresh one per case.
        let client = server.client(0);
        let err = rt
            .block_on(client.person(7))
            .expect_err("a hostile body is an error");
        let text = err.to_string();
        assert!(expected(&err), "{what}: unexpected {err:?}");
        // An error answer's own message is shown, cut to 200 characters.
        let most = if status == 200 { 60 } else { 201 };
        assert!(
            text.len() < MAX_MESSAGE && !echoes_n(&text, 'a', most),
            "{what}: a {}-byte message: {}",
            text.len(),
            text.chars().take(300).collect::<String>()
        );
        if status == 200 {
            assert!(text.contains("GET people/7"), "{what}: {text}");
        } else {
            assert!(text.contains(&status.to_string()), "{what}: {text}");
        }
    }
}

#[test]
fn simulator_malformed_answers_are_decode_errors_naming_the_request() {
    let rt = runtime();
    rt.block_on(async {
        let sim = sltui::sim::start(SimConfig {
            addr: ([127, 0, 0, 1], 0).into(),
            people: 60,
            cadences: 4,
            users: 3,
            api_key: "hostile-sim-key".into(),
            fault_rate: 1.0,
            faults: vec![FaultKind::Malformed],
            ..SimConfig::default()
        })
        .await
        .expect("start the simulator");
        let client = ApiClient::new(ApiConfig::new(
            &sim.base_url(),
            Some("hostile-sim-key".into()),
        ))
        .expect("a client");
        let q = Query::new().set("per_page", 5);
        for _ in 0..3 {
            for (kind, result) in [
                (Kind::People, client.people(&q).await.map(drop)),
                (Kind::Cadences, client.cadences(&q).await.map(drop)),
                (Kind::Emails, client.emails(&q).await.map(drop)),
                (Kind::Me, client.me().await.map(drop)),
            ] {
                let err = result.expect_err("every answer is damaged");
                let text = err.to_string();
                assert!(text.len() < MAX_MESSAGE, "{text}");
                match &err {
                    ApiError::Decode { what, .. } => {
                        assert!(what.contains(&format!("GET {}", kind.resource())), "{what}");
                        assert!(text.contains("did not have the expected shape"), "{text}");
                    }
                    // The damaged answer that is an HTML page ("please wait").
                    ApiError::NotSalesLoft { path, .. } => {
                        assert!(path.contains(&format!("GET {}", kind.resource())), "{path}");
                        assert!(text.contains("not the SalesLoft API"), "{text}");
                    }
                    _ => panic!("{kind:?}: expected a decode error, got {err:?}"),
                }
            }
        }
        sim.shutdown().await;
    });
}

/// A list page of `n` people, all updated at `updated_at`, with `paging`.
fn people_page(n: usize, updated_at: &str, paging: &str) -> Vec<u8> {
    let person = |id: usize| {
        format!(
            r#"{{"id": {id}, "created_at": "2024-01-01T00:00:00.000000-05:00", "updated_at": "{updated_at}"}}"#
        )
    };
    let data: Vec<String> = (1..=n).map(person).collect();
    format!(
        r#"{{"metadata": {{"paging": {paging}}}, "data": [{}]}}"#,
        data.join(",")
    )
    .into_bytes()
}

/// `fut`'s output, failing the test if it takes 20 s (a walk that never ends).
fn within<T>(
    rt: &tokio::runtime::Runtime,
    what: &str,
    fut: impl std::future::Future<Output = T>,
) -> T {
    rt.block_on(async {
        tokio::time::timeout(Duration::from_secs(20), fut)
            .await
            .unwrap_or_else(|_| panic!("{what}: the walk did not end"))
    })
}

#[test]
fn page_and_cursor_walks_end_on_hostile_paging() {
    use sltui::api::CursorPosition;
    use sltui::api::models::Person;
    let rt = runtime();
    let server = rt.block_on(Server::start());
    let client = server.client(0);
    let t = "2024-05-01T10:00:00.000000-04:00";
    // Page walks: the same answer for every page, whatever it says comes next.
    for (next, pages, ok) in [
        ("1", 1, true),
        ("null", 1, true),
        ("\"2\"", 2, true),
        ("4294967295", 2, true),
        ("4294967296", 1, false),
        ("-1", 1, false),
        ("\"soon\"", 1, false),
    ] {
        let paging = format!(r#"{{"per_page": 3, "current_page": 1, "next_page": {next}}}"#);
        server.set(200, "application/json", people_page(3, t, &paging));
        let before = server.requests.load(Ordering::SeqCst);
        let walk = client.page_walk::<Person>("people", Query::new().set("per_page", 3));
        let result = within(&rt, next, walk.collect_all());
        assert_eq!(result.is_ok(), ok, "next_page {next}: {result:?}");
        let sent = server.requests.load(Ordering::SeqCst) - before;
        assert_eq!(sent, pages, "next_page {next}: {sent} requests");
    }
    // Cursor walks against a server that ignores the filters: a full page at
    // one timestamp forever, or a full page of ever the same records.
    for (what, body) in [
        ("one timestamp", people_page(3, t, r#"{"per_page": 3}"#)),
        ("no paging", people_page(3, t, "null")),
    ] {
        server.set(200, "application/json", body);
        let before = server.requests.load(Ordering::SeqCst);
        let q = Query::new().set("per_page", 3);
        let stream = client.cursor::<Person>("people", q, CursorPosition::start());
        let result = within(&rt, what, stream.collect_all());
        let sent = server.requests.load(Ordering::SeqCst) - before;
        let err = result.expect_err("a server ignoring the cursor is an error");
        assert!(err.to_string().contains("updated_at"), "{what}: {err}");
        assert!(sent < 10, "{what}: {sent} requests");
    }
}
