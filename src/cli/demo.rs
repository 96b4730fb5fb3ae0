//! A `--demo` run (or a run without credentials on the built-in demo profile):
//! every command talks to the embedded simulator on loopback, as the dashboard
//! does, never to the real API without a key.

use anyhow::Context;

use super::dashboard_hooks::demo_key;
use crate::api::{ApiClient, ApiConfig};
use crate::sim::{SimConfig, SimHandle};

/// The embedded simulator of one run and a client for it.
pub struct Demo {
    pub sim: SimHandle,
    pub client: ApiClient,
    /// The simulator's key (made up for this run).
    pub key: String,
}

impl Demo {
    /// Starts the simulator on a free loopback port with a fresh key; `live`
    /// lets time move (new sends, opens, replies).
    pub async fn start(live: bool) -> anyhow::Result<Demo> {
        Self::start_with(live, None).await
    }

    /// [`Self::start`], and the simulator delivers signed webhooks to `webhook`
    /// (the dashboard's demo, when the profile has a callback).
    pub async fn start_with(
        live: bool,
        webhook: Option<crate::sim::webhooks::WebhookTarget>,
    ) -> anyhow::Result<Demo> {
        let key = demo_key();
        let sim = crate::sim::start(Self::config(&key, live, webhook))
            .await
            .context("could not start the embedded simulator for demo mode")?;
        let client = ApiClient::new(ApiConfig::new(&sim.base_url(), Some(key.clone())))?;
        Ok(Demo { sim, client, key })
    }

    /// The one demo team every command's demo runs: the default dataset (same
    /// seed and size), on loopback, with the run's key.
    fn config(
        key: &str,
        live: bool,
        webhook: Option<crate::sim::webhooks::WebhookTarget>,
    ) -> SimConfig {
        SimConfig {
            addr: ([127, 0, 0, 1], 0).into(),
            api_key: key.to_string(),
            live,
            webhook,
            ..SimConfig::default()
        }
    }

    /// The simulator's API root (`http://127.0.0.1:PORT/v2`).
    pub fn base_url(&self) -> String {
        self.sim.base_url()
    }

    /// Stops the simulator.
    pub async fn stop(self) {
        self.sim.shutdown().await;
    }
}

/// Says on stderr that this run uses the demo, and how to reach a real team.
pub fn say(command: &str) {
    eprintln!(
        "sltui: demo: {command} runs against the embedded simulator (no credentials configured, \
         or --demo); pass --api-key or set SALESLOFT_API_KEY for your team"
    );
}
