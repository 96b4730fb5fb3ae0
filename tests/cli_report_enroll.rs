//! `sltui report` and `sltui enroll`: the real binary against an in-process
//! simulator, checked against the simulator's ground truth and its own API.
//! The child gets a private HOME/XDG tree and an empty config file, so the
//! user's real configuration is never read or written.

use std::path::PathBuf;
use std::process::{Command, Output};

use serde_json::Value;
use sltui::sim::{self, SimConfig, SimHandle};

#[path = "cli_report_enroll/alerts.rs"]
mod alerts;
#[path = "cli_report_enroll/breakdowns.rs"]
mod breakdowns;
#[path = "cli_report_enroll/cadence.rs"]
mod cadence;
#[path = "cli_report_enroll/dashboard.rs"]
mod dashboard;
#[path = "cli_report_enroll/demo.rs"]
mod demo;
#[path = "cli_report_enroll/enroll.rs"]
mod enroll;
#[path = "pg_support/mod.rs"]
mod pg_support;
#[path = "cli_report_enroll/report.rs"]
mod report;
#[path = "cli_report_enroll/stored.rs"]
mod stored;

const KEY: &str = "cli-test-key";
const COUNTS: [&str; 8] = [
    "sent",
    "delivered",
    "opened",
    "clicked",
    "replied",
    "bounced",
    "view_tracked",
    "click_tracked",
];

/// A private home for one child process; removed when dropped.
struct Home(tempfile::TempDir);

impl Home {
    fn new() -> Home {
        let dir = tempfile::Builder::new()
            .prefix("sltui-cli-test-")
            .tempdir()
            .expect("temp home");
        let config = dir.path().join("config.toml");
        std::fs::write(&config, "").expect("empty config");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&config, std::fs::Permissions::from_mode(0o600))
                .expect("chmod config");
        }
        Home(dir)
    }

    fn config(&self) -> PathBuf {
        self.0.path().join("config.toml")
    }
}

struct Sim {
    handle: SimHandle,
    http: reqwest::Client,
    home: Home,
}

async fn start() -> Sim {
    let handle = sim::start(SimConfig {
        addr: ([127, 0, 0, 1], 0).into(),
        api_key: KEY.into(),
        people: 400,
        cadences: 12,
        users: 4,
        live: false,
        ..SimConfig::default()
    })
    .await
    .expect("simulator starts");
    Sim {
        handle,
        http: reqwest::Client::new(),
        home: Home::new(),
    }
}

/// What one run of the binary said.
struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

impl Sim {
    /// Runs `sltui <args>` against the simulator with the test key.
    async fn sltui(&self, args: &[&str]) -> Run {
        let base = self.handle.base_url();
        let mut all = vec!["--base-url", base.as_str(), "--api-key", KEY];
        all.extend_from_slice(args);
        self.sltui_raw(&all).await
    }

    /// Runs `sltui <args> --config <empty file>` with a private HOME and nothing
    /// from the caller's SalesLoft environment.
    async fn sltui_raw(&self, args: &[&str]) -> Run {
        let home = self.home.0.path();
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_sltui"));
        cmd.args(args)
            .arg("--config")
            .arg(self.home.config())
            .env("HOME", home)
            .env("XDG_CONFIG_HOME", home.join("config"))
            .env("XDG_DATA_HOME", home.join("data"))
            .env("XDG_STATE_HOME", home.join("state"))
            .env("XDG_CACHE_HOME", home.join("cache"))
            .env_remove("SALESLOFT_API_KEY")
            .env_remove("SALESLOFT_BASE_URL")
            .env_remove("SLTUI_LOG");
        // Blocking wait off the runtime, so the simulator keeps serving meanwhile.
        let out: Output = tokio::task::spawn_blocking(move || cmd.output())
            .await
            .expect("join")
            .expect("the binary runs");
        Run {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }

    /// `GET /v2/<path>` with the key (charged like any client request).
    async fn api(&self, path: &str) -> Value {
        let url = format!("{}/{path}", self.handle.base_url());
        let res = self
            .http
            .get(url)
            .bearer_auth(KEY)
            .send()
            .await
            .expect("GET");
        assert!(res.status().is_success(), "GET {path}: {}", res.status());
        res.json().await.expect("json")
    }

    /// `GET /_sim/<path>` (test endpoints, not charged).
    async fn sim(&self, path: &str) -> Value {
        let url = format!("http://{}/_sim/{path}", self.handle.addr());
        let res = self.http.get(url).send().await.expect("GET");
        assert!(
            res.status().is_success(),
            "GET _sim/{path}: {}",
            res.status()
        );
        res.json().await.expect("json")
    }

    async fn posts(&self) -> u64 {
        self.sim("stats").await["by_endpoint"]["POST cadence_memberships"]
            .as_u64()
            .unwrap_or(0)
    }

    async fn cadences(&self) -> Vec<Value> {
        self.api("cadences?per_page=100").await["data"]
            .as_array()
            .expect("cadences")
            .clone()
    }

    /// A team cadence people can be added to.
    async fn active_cadence(&self) -> u64 {
        let found = self.cadences().await.into_iter().find(|c| {
            c["archived_at"].is_null() && c["draft"] == false && c["team_cadence"] == true
        });
        found.expect("an active team cadence")["id"]
            .as_u64()
            .unwrap()
    }

    /// An active personal cadence of a teammate (not the key's user's).
    async fn teammates_personal_cadence(&self) -> Value {
        let me = self.api("me.json").await["data"]["id"].as_u64();
        let found = self.cadences().await.into_iter().find(|c| {
            c["team_cadence"] == false
                && c["owner"]["id"].as_u64() != me
                && c["archived_at"].is_null()
                && c["draft"] == false
        });
        found.expect("a teammate's personal cadence")
    }

    async fn archived_cadence(&self) -> u64 {
        let found = self
            .cadences()
            .await
            .into_iter()
            .find(|c| !c["archived_at"].is_null());
        found.expect("an archived cadence")["id"].as_u64().unwrap()
    }

    /// The memberships of a person on a cadence (any state).
    async fn memberships(&self, person: u64, cadence: u64) -> Vec<Value> {
        let q = format!("cadence_memberships?person_id={person}&cadence_id={cadence}");
        self.api(&q).await["data"].as_array().expect("data").clone()
    }

    /// `n` people (id, email) never on `cadence`.
    async fn fresh_people(&self, cadence: u64, n: usize) -> Vec<(u64, String)> {
        let people = self.api("people?per_page=100").await;
        let mut out = Vec::new();
        for p in people["data"].as_array().expect("people") {
            let (Some(id), Some(email)) = (p["id"].as_u64(), p["email_address"].as_str()) else {
                continue;
            };
            if self.memberships(id, cadence).await.is_empty() {
                out.push((id, email.to_string()));
            }
            if out.len() == n {
                return out;
            }
        }
        panic!("not enough people off cadence {cadence}");
    }
}
