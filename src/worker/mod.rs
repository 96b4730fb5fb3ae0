//! The one background task that does all network work for the UI.
//!
//! The UI sends [`Envelope`]s (a [`Request`] with its id and [`Priority`]) and
//! receives [`WorkerEvent`]s. Inside: an LRU cache with a time-to-live per kind,
//! one request in flight per key, latest-wins slots for searches and engagement
//! loads, priorities (user > visible > background), a small concurrency bound,
//! the live-polling schedule, the budget governor that keeps a reserve of the
//! team's rate-limit budget for the user's own actions, the circuit breaker that
//! stops hammering an unreachable SalesLoft, and the audit log of mutations.

mod audit;
mod breaker;
mod cache;
mod ctx;
mod engagement;
mod enroll;
mod estimate;
mod facts;
mod funnel;
pub mod hub_reader;

mod job;
mod jobs;
pub mod layout;
mod people;
mod probe;
pub use people::{person_entry, shared_entries};
pub mod parcel;
pub mod protocol;
mod pushed;
mod queue;
mod reads;
mod scheduler;
pub mod store_sync;

use std::path::PathBuf;
use std::sync::Arc;

use tokio::sync::mpsc;

pub use crate::budget::{BudgetView, Decision, Governor};
pub use audit::{MutationRecord, line as audit_line};
pub use breaker::FAILURES_TO_OPEN;
pub use enroll::Enrollment;
pub use facts::email_fact;
pub use layout::{LayoutBase, PeopleChange, PeopleLayout, lay_out};
pub use parcel::Parcel;
pub use protocol::*;
pub use pushed::PUSHED;

use crate::api::ApiClient;

/// How the worker behaves.
#[derive(Debug, Clone, PartialEq)]
pub struct WorkerOptions {
    /// Seconds between live polls.
    pub poll_secs: u64,
    /// Fraction of the budget limit kept for the user's own actions.
    pub reserve: f64,
    /// Fraction of each budget window bulk background work (the people index)
    /// may take.
    pub bulk_share: f64,
    /// Refuse every mutation.
    pub read_only: bool,
    /// Answers kept in the LRU cache.
    pub cache_capacity: usize,
    /// Append every mutation to this file as a JSON line (`Paths::audit_log()`).
    pub audit_log: Option<PathBuf>,
    /// The profile's name, for the audit log.
    pub profile: String,
    /// The profile's local store, for `StoredEngagement` (read only).
    pub store_path: Option<PathBuf>,
    /// Keep the profile's local store fresh in the background while the worker
    /// runs (the dashboard's store sync); its reports are `WorkerEvent::Store`.
    pub store_sync: Option<store_sync::StoreSync>,
}

impl Default for WorkerOptions {
    fn default() -> Self {
        Self {
            poll_secs: 5,
            reserve: 0.2,
            bulk_share: crate::budget::governor::DEFAULT_BULK_SHARE,
            read_only: false,
            cache_capacity: 256,
            audit_log: None,
            profile: "default".to_string(),
            store_path: None,
            store_sync: None,
        }
    }
}

/// The UI's end of the worker.
pub struct WorkerHandle {
    pub requests: mpsc::UnboundedSender<Envelope>,
    pub events: mpsc::UnboundedReceiver<WorkerEvent>,
    /// The background sync of the local store, when asked for
    /// ([`WorkerOptions::store_sync`]): stop it on quit to save its checkpoints.
    pub store_sync: Option<store_sync::BackgroundSync>,
}

impl std::fmt::Debug for WorkerHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WorkerHandle")
            .field("store_sync", &self.store_sync.is_some())
            .finish_non_exhaustive()
    }
}

/// Starts the worker on the current tokio runtime. It runs until `requests` (and
/// every clone of it) is dropped.
pub fn spawn(client: ApiClient, opts: WorkerOptions) -> WorkerHandle {
    start(client, opts, None)
}

/// Like [`spawn`], and folds the webhook events from `webhooks` (see
/// `crate::webhooks::start`) into the same events as polled data.
pub fn spawn_with_webhooks(
    client: ApiClient,
    opts: WorkerOptions,
    webhooks: mpsc::Receiver<crate::webhooks::WebhookEvent>,
) -> WorkerHandle {
    start(client, opts, Some(webhooks))
}

fn start(
    client: ApiClient,
    opts: WorkerOptions,
    webhooks: Option<mpsc::Receiver<crate::webhooks::WebhookEvent>>,
) -> WorkerHandle {
    let (req_tx, req_rx) = mpsc::unbounded_channel();
    let (ev_tx, ev_rx) = mpsc::unbounded_channel();
    let store_sync = opts.store_sync.map(|s| {
        let (sync, mut reports) =
            store_sync::BackgroundSync::start(client.clone(), s, opts.reserve);
        let tx = ev_tx.clone();
        tokio::spawn(async move {
            while let Some(report) = reports.recv().await {
                if tx.send(WorkerEvent::Store(report)).is_err() {
                    break;
                }
            }
        });
        sync
    });
    let ctx = ctx::Ctx::new(
        client,
        ev_tx,
        opts.read_only,
        opts.reserve,
        opts.bulk_share,
        opts.cache_capacity,
        audit::AuditLog::new(opts.audit_log, opts.profile),
    );
    let ctx = Arc::new(ctx.with_store(opts.store_path));
    if let Some(events) = webhooks {
        tokio::spawn(pushed::run(ctx.clone(), events));
    }
    let scheduler = scheduler::Scheduler::new(ctx, opts.poll_secs);
    tokio::spawn(scheduler.run(req_rx));
    WorkerHandle {
        requests: req_tx,
        events: ev_rx,
        store_sync,
    }
}
