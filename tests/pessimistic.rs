//! `sltui sim --pessimistic`: the real API's rough edges, as our real client sees
//! them over loopback HTTP, and `sltui doctor` against servers that are not the
//! SalesLoft API (an HTML page from a typo'd path, a login page).

mod e2e_support;

use std::time::{Duration, Instant};

use serde_json::Value;
use sltui::api::models::{Email, Membership, Step};
use sltui::api::{ApiClient, ApiConfig, ApiError, Query};
use sltui::sim::pessimism::{NEW_EMAIL_STATUS, NEW_STEP_TYPE, Pessimism};
use sltui::sim::{self, SimConfig, SimHandle};

const KEY: &str = "pessimistic-key";

async fn start(cfg: SimConfig) -> SimHandle {
    sim::start(SimConfig {
        addr: ([127, 0, 0, 1], 0).into(),
        api_key: KEY.into(),
        people: 300,
        cadences: 30,
        users: 4,
        pessimism: Pessimism::all(),
        ..cfg
    })
    .await
    .expect("simulator starts")
}

fn client(sim: &SimHandle) -> ApiClient {
    ApiClient::new(ApiConfig::new(&sim.base_url(), Some(KEY.into()))).expect("client")
}

async fn raw(sim: &SimHandle, path_and_query: &str) -> reqwest::Response {
    reqwest::Client::new()
        .get(format!("http://{}{path_and_query}", sim.addr()))
        .bearer_auth(KEY)
        .send()
        .await
        .expect("sim reachable")
}

#[tokio::test]
async fn unknown_paths_answer_an_html_page_that_the_client_names() {
    let sim = start(SimConfig::default()).await;
    let res = raw(&sim, "/v2/no_such_thing.json").await;
    assert_eq!(res.status(), 404);
    let ct = res.headers()["content-type"].to_str().unwrap().to_string();
    assert!(ct.starts_with("text/html"), "{ct}");
    assert!(res.text().await.unwrap().contains("<html>"));

    let err = client(&sim)
        .get_json::<Value>("no_such_thing.json", &Query::new())
        .await
        .unwrap_err();
    assert!(
        matches!(err, ApiError::NotSalesLoft { status: 404, .. }),
        "{err:?}"
    );
    let text = err.to_string();
    assert!(
        text.contains("this is not the SalesLoft API (it answered an HTML page): check --base-url"),
        "{text}"
    );
    assert!(!text.contains("deleted"), "{text}");
    // A record that does not exist is still the API's own JSON 404.
    let err = client(&sim).person(999_999_999).await.unwrap_err();
    assert!(matches!(err, ApiError::NotFound { .. }), "{err:?}");
    sim.shutdown().await;
}

#[tokio::test]
async fn gateway_errors_are_html_pages_and_stay_retryable_server_errors() {
    let sim = start(SimConfig {
        fault_rate: 1.0,
        faults: vec![sim::faults::FaultKind::ServerError],
        ..SimConfig::default()
    })
    .await;
    let mut cfg = ApiConfig::new(&sim.base_url(), Some(KEY.into()));
    cfg.max_retries = 0;
    let api = ApiClient::new(cfg).unwrap();
    let mut html = 0;
    for _ in 0..12 {
        let res = raw(&sim, "/v2/me.json").await;
        let status = res.status().as_u16();
        let ct = res.headers()["content-type"].to_str().unwrap().to_string();
        if status == 502 || status == 503 {
            assert!(ct.starts_with("text/html"), "{status} {ct}");
            html += 1;
        }
        let err = api.me().await.unwrap_err();
        assert!(matches!(err, ApiError::Server { .. }), "{err:?}");
        assert!(err.is_retryable_read());
    }
    assert!(html > 0, "some 502/503 were drawn");
    sim.shutdown().await;
}

#[tokio::test]
async fn a_429_has_no_retry_after_and_the_client_waits_instead_of_hammering() {
    // 20 points per sliding 1 s window.
    let sim = start(SimConfig {
        budget: 20,
        minute_secs: 1.0,
        ..SimConfig::default()
    })
    .await;
    let mut last = None;
    for _ in 0..25 {
        last = Some(raw(&sim, "/v2/me.json").await);
    }
    let res = last.unwrap();
    assert_eq!(res.status(), 429);
    assert!(res.headers().get("retry-after").is_none());
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["error"], "Rate limit exceeded");

    // 60 reads through the retrying client: every one succeeds, with few 429s.
    tokio::time::sleep(Duration::from_millis(1100)).await;
    reqwest::Client::new()
        .post(format!("http://{}/_sim/stats/reset", sim.addr()))
        .send()
        .await
        .unwrap();
    let api = client(&sim);
    for _ in 0..60 {
        api.me().await.expect("a read gets through after waiting");
    }
    let stats: Value = reqwest::get(format!("http://{}/_sim/stats", sim.addr()))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let throttled = stats["throttled"].as_u64().unwrap();
    eprintln!("60 reads at 20 points a second: {throttled} answered 429");
    assert!(throttled <= 12, "{throttled} 429s for 60 reads: hammering");
    sim.shutdown().await;
}

#[tokio::test]
async fn steps_ignore_updated_at_and_do_not_echo_it() {
    let sim = start(SimConfig::default()).await;
    let future = "2999-01-01T00:00:00.000000Z";
    let body: Value = raw(
        &sim,
        &format!("/v2/steps.json?per_page=100&updated_at[gt]={future}"),
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(
        body["data"].as_array().unwrap().len(),
        100,
        "the filter was ignored"
    );
    assert!(body["metadata"]["filtering"].get("updated_at").is_none());
    let emails: Value = raw(
        &sim,
        &format!("/v2/activities/emails.json?updated_at[gt]={future}"),
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(
        emails["data"].as_array().unwrap().len(),
        0,
        "emails still filter"
    );
    assert!(emails["metadata"]["filtering"].get("updated_at").is_some());
    sim.shutdown().await;
}

#[tokio::test]
async fn loose_numbers_and_new_enum_values_decode() {
    let sim = start(SimConfig::default()).await;
    let body: Value = raw(&sim, "/v2/steps.json?per_page=100")
        .await
        .json()
        .await
        .unwrap();
    let rows = body["data"].as_array().unwrap();
    assert!(
        rows.iter().any(|r| r["day"].is_string()),
        "some days are strings"
    );
    assert!(rows.iter().any(|r| r["cadence"]["id"].is_string()));
    assert!(rows.iter().any(|r| r["day"].is_number()), "not all of them");
    // Same seed, same answer.
    let again: Value = raw(&sim, "/v2/steps.json?per_page=100")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(body, again);

    let api = client(&sim);
    let q = Query::new().set("per_page", 100);
    let mut page = 1;
    let mut steps = Vec::new();
    loop {
        let env = api
            .list::<Step>("steps", &q.clone().set("page", page))
            .await
            .expect("every step decodes");
        let n = env.data.len();
        steps.extend(env.data);
        if n < 100 {
            break;
        }
        page += 1;
    }
    assert!(
        steps
            .iter()
            .all(|s| s.day.is_some() && s.step_number.is_some())
    );
    assert!(
        steps
            .iter()
            .all(|s| s.cadence.as_ref().and_then(|c| c.id_u64()).is_some())
    );
    assert!(
        steps.iter().any(|s| s.step_type == NEW_STEP_TYPE),
        "a new step type"
    );

    let emails = api
        .list::<Email>("activities/emails", &Query::new().set("per_page", 100))
        .await
        .expect("emails decode");
    assert!(
        emails
            .data
            .iter()
            .all(|e| e.cadence.is_none() || e.cadence_id().is_some())
    );
    let memberships = api
        .list::<Membership>("cadence_memberships", &Query::new().set("per_page", 100))
        .await
        .expect("memberships decode");
    assert!(memberships.data.iter().all(|m| m.person_id().is_some()));
    // An unknown status is kept, and only on emails that were not sent.
    let all: Value = raw(&sim, "/v2/activities/emails.json?per_page=100&page=1")
        .await
        .json()
        .await
        .unwrap();
    for e in all["data"].as_array().unwrap() {
        if e["status"] == NEW_EMAIL_STATUS {
            assert!(e["sent_at"].is_null(), "a sent email keeps its status: {e}");
        }
    }
    sim.shutdown().await;
}

#[tokio::test]
async fn deep_pages_answer_later() {
    let sim = start(SimConfig::default()).await;
    let time = |page: u32| {
        let sim = &sim;
        async move {
            let t = Instant::now();
            let res = raw(sim, &format!("/v2/people.json?per_page=1&page={page}")).await;
            assert_eq!(res.status(), 200);
            t.elapsed()
        }
    };
    let shallow = time(1).await;
    let deep = time(800).await;
    assert!(
        deep >= Duration::from_millis(350) && deep > shallow,
        "page 800 took {deep:?}, page 1 {shallow:?}"
    );
    sim.shutdown().await;
}

/// `sltui doctor --base-url URL --api-key KEY`, run off the async workers.
async fn doctor(url: String) -> e2e_support::Output {
    tokio::task::spawn_blocking(move || {
        let home = e2e_support::TempHome::new("doc-html");
        e2e_support::run(
            home.sltui()
                .args(["doctor", "--base-url", &url, "--api-key", KEY]),
        )
    })
    .await
    .expect("doctor ran")
}

fn assert_not_salesloft(out: &e2e_support::Output) {
    let text = out.all();
    assert!(!out.ok(), "doctor must fail\n{}", out.describe());
    assert!(
        text.contains("this is not the SalesLoft API (it answered an HTML page): check --base-url"),
        "{text}"
    );
    assert!(!text.contains("[ok  ] reachable"), "{text}");
    assert!(!text.contains("deleted"), "{text}");
}

#[tokio::test(flavor = "multi_thread")]
async fn doctor_says_a_typo_in_the_path_is_not_the_salesloft_api() {
    let sim = start(SimConfig {
        pessimism: Pessimism {
            html_errors: true,
            ..Pessimism::default()
        },
        ..SimConfig::default()
    })
    .await;
    let out = doctor(format!("http://{}/v3", sim.addr())).await;
    assert_not_salesloft(&out);
    // The right URL passes.
    let out = doctor(sim.base_url()).await;
    assert!(out.ok(), "{}", out.describe());
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn doctor_says_a_login_page_is_not_the_salesloft_api() {
    use axum::http::header;
    let page = "<!DOCTYPE html><html><head><title>Sign in - Corporate SSO</title></head>\
                <body><form method=post><input name=user></form></body></html>";
    let app = axum::Router::new().fallback(move || async move {
        ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], page)
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let server = tokio::spawn(async move { axum::serve(listener, app).await });
    let out = doctor(format!("http://{addr}")).await;
    assert_not_salesloft(&out);
    assert!(
        out.all().contains("Sign in - Corporate SSO"),
        "{}",
        out.all()
    );
    server.abort();
}
