//! Our API client (`sltui::api::ApiClient`) against the embedded simulator over
//! real loopback HTTP. Nothing of the client is mocked: every call goes through
//! its request loop, retry policy, budget and decoding. Raw `reqwest` is used
//! only to read ground truth (raw JSON, `/_sim/*`) to compare against.

mod worker_support;

use std::collections::{BTreeMap, HashSet};

use reqwest::StatusCode;
use serde_json::{Value, json};
use sltui::api::{ApiClient, ApiConfig};
use sltui::sim::SimConfig;
use worker_support::{RawSim as Sim, bounded};

#[path = "client_sim/budget.rs"]
mod budget;
#[path = "client_sim/errors.rs"]
mod errors;
#[path = "client_sim/records.rs"]
mod records;
#[path = "client_sim/walks.rs"]
mod walks;

const KEY: &str = "client-sim-key";

/// A simulator taking [`KEY`], plus a raw HTTP client for ground truth.
async fn start(cfg: SimConfig) -> Sim {
    Sim::start(KEY, cfg).await
}

/// A small team: quick to generate, enough for mutations and error paths.
fn small_cfg() -> SimConfig {
    SimConfig {
        people: 300,
        cadences: 12,
        users: 6,
        ..SimConfig::default()
    }
}

impl Sim {
    /// Our client with the simulator's key and `budget_limit`.
    fn client_with(&self, key: &str, budget_limit: u32) -> ApiClient {
        let mut cfg = ApiConfig::new(&self.handle.base_url(), Some(key.to_string()));
        cfg.budget_limit = budget_limit;
        ApiClient::new(cfg).expect("client")
    }

    fn client(&self) -> ApiClient {
        self.client_with(KEY, 600)
    }

    /// Raw GET of a `/v2` path (ground truth, not through our client).
    async fn raw_get(&self, path_and_query: &str) -> Value {
        let url = format!(
            "{}/v2/{}",
            self.root,
            path_and_query.trim_start_matches('/')
        );
        let res = self
            .raw
            .get(url)
            .bearer_auth(KEY)
            .send()
            .await
            .expect("raw request");
        assert_eq!(res.status(), StatusCode::OK, "raw GET {path_and_query}");
        res.json().await.expect("raw json")
    }

    /// Every record of a list endpoint via raw page requests (`per_page=100`).
    async fn raw_all(&self, path: &str, filter: &str) -> Vec<Value> {
        let mut all = Vec::new();
        for page in 1.. {
            let sep = if filter.is_empty() { "" } else { "&" };
            let v = self
                .raw_get(&format!("{path}?per_page=100&page={page}{sep}{filter}"))
                .await;
            let data = v["data"].as_array().expect("data array").clone();
            let done = v["metadata"]["paging"]["next_page"].is_null() || data.is_empty();
            all.extend(data);
            if done {
                break;
            }
        }
        all
    }

    async fn stats(&self) -> Stats {
        let v = self.get("/_sim/stats").await;
        let n = |k: &str| v[k].as_u64().unwrap_or_else(|| panic!("stats.{k}: {v}"));
        Stats {
            requests: n("requests"),
            cost_charged: n("cost_charged"),
            throttled: n("throttled"),
        }
    }

    async fn assert_consistent(&self) {
        let v = self.get("/_sim/truth/consistency").await;
        assert_eq!(v["problems"], json!([]), "dataset inconsistent: {v}");
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Stats {
    requests: u64,
    cost_charged: u64,
    throttled: u64,
}

/// Asserts `ids` has no duplicates and returns them as a set.
fn unique(what: &str, ids: impl IntoIterator<Item = u64>) -> HashSet<u64> {
    let mut set = HashSet::new();
    let mut dups = Vec::new();
    for id in ids {
        if !set.insert(id) {
            dups.push(id);
        }
    }
    assert!(dups.is_empty(), "{what}: duplicate ids {dups:?}");
    set
}

/// The largest group of raw records sharing one `updated_at` string:
/// (timestamp, ids).
fn biggest_clump(records: &[Value]) -> (String, Vec<u64>) {
    let mut groups: BTreeMap<String, Vec<u64>> = BTreeMap::new();
    for r in records {
        let ts = r["updated_at"].as_str().expect("updated_at").to_string();
        groups
            .entry(ts)
            .or_default()
            .push(r["id"].as_u64().expect("id"));
    }
    groups
        .into_iter()
        .max_by_key(|(_, ids)| ids.len())
        .expect("records")
}
