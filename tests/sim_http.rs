//! The simulator over real loopback HTTP, spoken to with raw reqwest (this tests
//! the simulator's wire behaviour, not our client).

use std::time::Duration;

use chrono::DateTime;
use reqwest::{Client, Method, StatusCode};
use serde_json::{Value, json};
use sltui::sim::{self, SimConfig, SimHandle};

#[path = "sim_http/analytics.rs"]
mod analytics;
#[path = "sim_http/limits.rs"]
mod limits;
#[path = "sim_http/reads.rs"]
mod reads;
#[path = "sim_http/writes.rs"]
mod writes;

const KEY: &str = "test-key";

struct Sim {
    handle: SimHandle,
    http: Client,
    base: String,
    root: String,
}

struct Reply {
    status: StatusCode,
    headers: reqwest::header::HeaderMap,
    body: Value,
}

impl Reply {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    fn cost(&self) -> u32 {
        self.header("x-ratelimit-endpoint-cost")
            .and_then(|v| v.parse().ok())
            .expect("x-ratelimit-endpoint-cost header")
    }

    fn remaining(&self) -> u32 {
        self.header("x-ratelimit-remaining-minute")
            .and_then(|v| v.parse().ok())
            .expect("x-ratelimit-remaining-minute header")
    }

    fn data(&self) -> &Vec<Value> {
        self.body["data"].as_array().expect("data array")
    }
}

async fn sim_with(cfg: SimConfig) -> Sim {
    let handle = sim::start(SimConfig {
        addr: "127.0.0.1:0".parse().expect("addr"),
        api_key: KEY.into(),
        ..cfg
    })
    .await
    .expect("simulator starts");
    let base = handle.base_url();
    let root = format!("http://{}", handle.addr());
    Sim {
        handle,
        http: Client::new(),
        base,
        root,
    }
}

async fn small() -> Sim {
    sim_with(SimConfig {
        people: 60,
        cadences: 8,
        users: 4,
        ..SimConfig::default()
    })
    .await
}

impl Sim {
    async fn send(&self, method: Method, path: &str, key: Option<&str>, body: Body<'_>) -> Reply {
        let url = format!("{}/{}", self.base, path.trim_start_matches('/'));
        let mut req = self.http.request(method, url);
        if let Some(k) = key {
            req = req.bearer_auth(k);
        }
        req = match body {
            Body::None => req,
            Body::Json(v) => req.json(v),
            Body::Form(f) => req
                .header("content-type", "application/x-www-form-urlencoded")
                .body(serde_urlencoded::to_string(f).expect("form")),
            Body::Raw(ct, raw) => req.header("content-type", ct).body(raw.to_string()),
        };
        let res = req.send().await.expect("request");
        let status = res.status();
        let headers = res.headers().clone();
        let text = res.text().await.expect("body");
        let body = if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).unwrap_or_else(|e| panic!("json body ({e}): {text}"))
        };
        Reply {
            status,
            headers,
            body,
        }
    }

    async fn get(&self, path: &str) -> Reply {
        self.send(Method::GET, path, Some(KEY), Body::None).await
    }

    async fn post_json(&self, path: &str, v: &Value) -> Reply {
        self.send(Method::POST, path, Some(KEY), Body::Json(v))
            .await
    }

    async fn sim_get(&self, path: &str) -> Value {
        let url = format!("{}{}", self.root, path);
        let res = self.http.get(url).send().await.expect("request");
        assert_eq!(res.status(), StatusCode::OK);
        res.json().await.expect("json")
    }

    /// A non-draft, non-archived team cadence (anyone may add people to it).
    async fn open_team_cadence(&self) -> u64 {
        let r = self
            .get("cadences?team_cadence=true&archived=false&per_page=100")
            .await;
        r.data()
            .iter()
            .find(|c| c["draft"] == json!(false))
            .and_then(|c| c["id"].as_u64())
            .expect("an addable team cadence")
    }

    async fn new_person(&self, email: &str) -> u64 {
        let r = self
            .post_json(
                "people",
                &json!({"email_address": email, "first_name": "Test"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        r.body["data"]["id"].as_u64().expect("person id")
    }

    async fn enroll(&self, person: u64, cadence: u64) -> Reply {
        self.post_json(
            "cadence_memberships",
            &json!({"person_id": person, "cadence_id": cadence}),
        )
        .await
    }

    async fn consistent(&self) {
        let v = self.sim_get("/_sim/truth/consistency").await;
        assert_eq!(v["problems"], json!([]), "dataset inconsistent: {v}");
    }
}

enum Body<'a> {
    None,
    Json(&'a Value),
    Form(&'a [(&'a str, &'a str)]),
    Raw(&'a str, &'a str),
}

fn micros(ts: &Value) -> i64 {
    let s = ts.as_str().expect("timestamp string");
    DateTime::parse_from_rfc3339(s)
        .expect("rfc3339 timestamp")
        .timestamp_micros()
}

fn keys(v: &Value) -> Vec<String> {
    let mut k: Vec<String> = v.as_object().expect("object").keys().cloned().collect();
    k.sort();
    k
}
