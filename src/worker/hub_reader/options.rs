//! How a dashboard's hub reader behaves, and who it says asked for an
//! enrollment (a leaf: the reader's parts take it from here).

use std::time::Duration;

/// How the hub reader behaves.
#[derive(Debug, Clone, PartialEq)]
pub struct HubReaderOptions {
    /// Refuse every enrollment (`--read-only`).
    pub read_only: bool,
    /// Who files the enrollment jobs: `$USER@host`, else the run's target
    /// ([`requester`]). Never a secret.
    pub requested_by: String,
    /// After the first frame ([`HubReader::first_frame`]), send the people and
    /// every email fact as the store's rest (`WorkerEvent::Store(Loaded)`).
    pub rest: bool,
    /// Catch up at least this often, announcement or not.
    pub safety_net: Duration,
    /// A job still waiting for a hub after this long says so in the task line.
    pub unclaimed_note_after: Duration,
}

impl Default for HubReaderOptions {
    fn default() -> Self {
        Self {
            read_only: false,
            requested_by: requester("profile default"),
            rest: false,
            safety_net: Duration::from_secs(5),
            unclaimed_note_after: Duration::from_secs(30),
        }
    }
}

/// `$USER@host` (who asked for an enrollment), else `target`: the run's target
/// as the audit names it (`profile work`, or the database's `host:port/name`
/// for a run without a config; never "profile demo").
pub fn requester(target: &str) -> String {
    let user = ["USER", "LOGNAME"]
        .iter()
        .find_map(|v| std::env::var(v).ok().filter(|s| !s.trim().is_empty()));
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .or_else(|| std::env::var("HOSTNAME").ok())
        .map(|h| h.trim().to_string())
        .filter(|h| !h.is_empty());
    requester_from(user, host, target)
}

pub(super) fn requester_from(user: Option<String>, host: Option<String>, target: &str) -> String {
    let clean = |s: &str| -> String {
        s.chars()
            .filter(|c| !c.is_control())
            .take(60)
            .collect::<String>()
    };
    match (user, host) {
        (Some(u), Some(h)) => clean(&format!("{}@{}", u.trim(), h)),
        (Some(u), None) => clean(u.trim()),
        _ => clean(target),
    }
}
