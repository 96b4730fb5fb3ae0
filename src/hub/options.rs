//! How a hub runs ([`HubOptions`]).

use super::webhooks::HubWebhooks;

/// How a hub runs.
#[derive(Debug, Clone)]
pub struct HubOptions {
    /// `postgres://…`; never printed as is (see [`crate::redact::database_url`]).
    pub db_url: String,
    /// This hub's name in the status and the job log (host and pid by default).
    pub name: String,
    /// Seconds between polls of the fast-moving resources.
    pub poll_secs: u64,
    /// Seconds between syncs of every resource.
    pub full_every_secs: u64,
    /// Fraction of the budget kept for the users' own actions.
    pub reserve: f64,
    /// Fraction of each budget window the hub may take.
    pub share: f64,
    /// Seconds between leadership attempts while standing by.
    pub standby_secs: u64,
    /// The webhook receiver and subscriptions (off: `None`).
    pub webhooks: Option<HubWebhooks>,
}

impl HubOptions {
    pub fn new(db_url: impl Into<String>, name: impl Into<String>) -> HubOptions {
        HubOptions {
            db_url: db_url.into(),
            name: name.into(),
            poll_secs: 10,
            full_every_secs: 600,
            reserve: crate::config::DEFAULT_BUDGET_RESERVE,
            share: crate::config::DEFAULT_BACKGROUND_SHARE,
            standby_secs: 1,
            webhooks: None,
        }
    }
}
