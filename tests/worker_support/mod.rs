//! Shared by the integration tests that run the simulator in process: a simulator on
//! a free loopback port (bare, or with a raw HTTP client for ground truth), our
//! client, and a UI stand-in that sends the worker requests and reads its events.
//! Time limits only stop a hung test.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::time::Duration;

use serde_json::Value;
use sltui::api::{ApiClient, ApiConfig};
use sltui::metrics::Aggregator;
use sltui::sim::{self, SimConfig, SimHandle};
use sltui::worker::{
    self, EnrollOutcome, Envelope, Priority, Request, RequestId, WorkerEvent, WorkerHandle,
    WorkerOptions,
};

/// Stops a hung test; generous on purpose, never a performance threshold.
pub const HANG_GUARD: Duration = Duration::from_secs(180);

pub const KEY: &str = "worker-test-key";

/// A simulator on a free loopback port taking `api_key`; the rest of `cfg` as given.
pub async fn start_sim_keyed(api_key: &str, cfg: SimConfig) -> SimHandle {
    sim::start(SimConfig {
        addr: ([127, 0, 0, 1], 0).into(),
        api_key: api_key.into(),
        ..cfg
    })
    .await
    .expect("simulator starts")
}

/// A simulator on a free loopback port taking [`KEY`]; the rest of `cfg` as given.
pub async fn start_sim_with(cfg: SimConfig) -> SimHandle {
    start_sim_keyed(KEY, cfg).await
}

pub async fn start_sim(budget: u32, people: usize) -> SimHandle {
    start_sim_with(SimConfig {
        budget,
        people,
        cadences: 12,
        live: false,
        ..SimConfig::default()
    })
    .await
}

pub fn client(sim: &SimHandle, limit: u32) -> ApiClient {
    let mut cfg = ApiConfig::new(&sim.base_url(), Some(KEY.into()));
    cfg.budget_limit = limit;
    ApiClient::new(cfg).expect("client")
}

/// `GET` a `/_sim` endpoint (not charged).
pub async fn sim_get(sim: &SimHandle, path: &str) -> Value {
    let base = sim.base_url();
    let origin = base.trim_end_matches('/').trim_end_matches("/v2");
    reqwest::get(format!("{origin}{path}"))
        .await
        .expect("sim reachable")
        .json()
        .await
        .expect("sim json")
}

/// Zeroes the simulator's request and point counters (`POST /_sim/stats/reset`).
pub async fn reset_stats(sim: &SimHandle) {
    let base = sim.base_url();
    let origin = base.trim_end_matches('/').trim_end_matches("/v2");
    reqwest::Client::new()
        .post(format!("{origin}/_sim/stats/reset"))
        .send()
        .await
        .expect("sim reachable")
        .error_for_status()
        .expect("stats reset");
}

pub async fn stat(sim: &SimHandle, field: &str) -> u64 {
    sim_get(sim, "/_sim/stats").await[field]
        .as_u64()
        .unwrap_or(0)
}

pub async fn endpoint_count(sim: &SimHandle, name: &str) -> u64 {
    sim_get(sim, "/_sim/stats").await["by_endpoint"][name]
        .as_u64()
        .unwrap_or(0)
}

/// A running simulator, a raw HTTP client to read ground truth with (never our
/// client), and the simulator's root URL (`http://127.0.0.1:PORT`, no `/v2`).
pub struct RawSim {
    pub handle: SimHandle,
    pub raw: reqwest::Client,
    pub root: String,
}

impl RawSim {
    /// A simulator on a free loopback port taking `api_key`; the rest of `cfg` as given.
    pub async fn start(api_key: &str, cfg: SimConfig) -> RawSim {
        let handle = start_sim_keyed(api_key, cfg).await;
        let root = format!("http://{}", handle.addr());
        RawSim {
            handle,
            raw: reqwest::Client::new(),
            root,
        }
    }

    /// `GET` of a path under the root without a key (`/_sim/...`), answered 200.
    pub async fn get(&self, path: &str) -> Value {
        get_ok(&self.raw, &self.root, path).await
    }

    /// `POST` (no body) of a path under the root without a key, answered 200.
    pub async fn post(&self, path: &str) -> Value {
        post_ok(&self.raw, &self.root, path).await
    }
}

/// `GET root+path` without a key; asserts a 200 and returns the JSON.
pub async fn get_ok(raw: &reqwest::Client, root: &str, path: &str) -> Value {
    ok_json(raw.get(format!("{root}{path}")), path).await
}

/// `POST root+path` (no body) without a key; asserts a 200 and returns the JSON.
pub async fn post_ok(raw: &reqwest::Client, root: &str, path: &str) -> Value {
    ok_json(raw.post(format!("{root}{path}")), path).await
}

async fn ok_json(req: reqwest::RequestBuilder, path: &str) -> Value {
    let res = req.send().await.expect("sim request");
    assert_eq!(res.status(), reqwest::StatusCode::OK, "{path}");
    res.json().await.expect("sim json")
}

/// Bounds a test so a bug shows up as a failure, not a hang.
pub async fn bounded<F: std::future::Future>(secs: u64, f: F) -> F::Output {
    tokio::time::timeout(Duration::from_secs(secs), f)
        .await
        .expect("test timed out")
}

/// What a UI does with the worker: sends requests, reads events.
pub struct Ui {
    pub worker: WorkerHandle,
    pub next: RequestId,
}

pub fn id_of(e: &WorkerEvent) -> Option<RequestId> {
    e.request_id()
}

impl Ui {
    pub fn new(client: ApiClient, opts: WorkerOptions) -> Self {
        Self {
            worker: worker::spawn(client, opts),
            next: 0,
        }
    }

    /// A worker polling live data every second, its client allowed 600 points.
    pub fn polling_every_second(sim: &SimHandle) -> Self {
        let opts = WorkerOptions {
            poll_secs: 1,
            ..WorkerOptions::default()
        };
        Self::new(client(sim, 600), opts)
    }

    pub fn send(&mut self, priority: Priority, request: Request) -> RequestId {
        self.next += 1;
        let id = self.next;
        let envelope = Envelope {
            id,
            priority,
            request,
        };
        self.worker.requests.send(envelope).expect("worker running");
        id
    }

    pub async fn event(&mut self) -> WorkerEvent {
        tokio::time::timeout(HANG_GUARD, self.worker.events.recv())
            .await
            .expect("the worker went quiet")
            .expect("the worker stopped")
    }

    /// Sends a request and returns its events up to `Finished`, and its error.
    pub async fn run(
        &mut self,
        priority: Priority,
        request: Request,
    ) -> (Vec<WorkerEvent>, Option<String>) {
        let id = self.send(priority, request);
        let mut events = Vec::new();
        loop {
            let e = self.event().await;
            if id_of(&e) != Some(id) {
                continue;
            }
            if let WorkerEvent::Finished { error, .. } = e {
                return (events, error);
            }
            events.push(e);
        }
    }

    pub async fn enroll(
        &mut self,
        person_id: u64,
        cadence_id: u64,
    ) -> (EnrollOutcome, Option<String>) {
        self.enroll_as(person_id, cadence_id, None).await
    }

    /// Enrolls on `user_id`'s behalf (`None`: the key's user).
    pub async fn enroll_as(
        &mut self,
        person_id: u64,
        cadence_id: u64,
        user_id: Option<u64>,
    ) -> (EnrollOutcome, Option<String>) {
        let request = Request::Enroll {
            person_ids: vec![person_id],
            cadence_id,
            step_id: None,
            user_id,
        };
        let (events, error) = self.run(Priority::User, request).await;
        let outcome = events.into_iter().find_map(|e| match e {
            WorkerEvent::EnrollProgress {
                person_id: p,
                outcome,
                ..
            } if p == person_id => Some(outcome),
            _ => None,
        });
        (outcome.expect("an EnrollProgress for the person"), error)
    }
}

/// Truth per cadence id: `{"sent", "delivered", ...}`.
pub async fn truth(sim: &SimHandle) -> BTreeMap<u64, Value> {
    let v = sim_get(sim, "/_sim/truth/engagement").await;
    v.as_object()
        .expect("truth object")
        .iter()
        .map(|(k, v)| (k.parse().expect("cadence id"), v.clone()))
        .collect()
}

/// Asserts that `agg` counts every cadence of `truth` ([`truth`]) as the simulator
/// does: sent, delivered, opened, clicked, replied and bounced.
pub fn assert_counts_equal_truth(agg: &Aggregator, truth: &BTreeMap<u64, Value>) {
    for (id, want) in truth {
        let got = agg.by_cadence(*id);
        let pairs = [
            ("sent", got.sent),
            ("delivered", got.delivered),
            ("opened", got.opened),
            ("clicked", got.clicked),
            ("replied", got.replied),
            ("bounced", got.bounced),
        ];
        for (field, value) in pairs {
            assert_eq!(Some(value), want[field].as_u64(), "cadence {id} {field}");
        }
    }
}

/// Sets the simulator's faults (`POST /_sim/faults`), which must be accepted.
pub async fn set_faults(sim: &SimHandle, body: Value) {
    let res = reqwest::Client::new()
        .post(format!("http://{}/_sim/faults", sim.addr()))
        .json(&body)
        .send()
        .await
        .expect("sim reachable");
    assert!(res.status().is_success());
}
