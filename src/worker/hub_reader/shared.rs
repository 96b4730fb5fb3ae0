//! What the reader's request tasks and its follower share, and the small
//! helpers they all use (a leaf: answers, enroll and follow take them from here,
//! and mod.rs, which starts them, too).

use std::collections::{BTreeSet, HashMap};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use tokio::sync::{mpsc, watch};

use super::options::HubReaderOptions;
use crate::api::models::{Call, EmailTemplate};
use crate::metrics::{EmailFact, TimeRange};
use crate::store::StoreError;
use crate::store::pg::{Job, PgStore};
use crate::worker::protocol::WorkerEvent;

/// The funnel asked for last: the follower counts it again when one of its
/// cadence's calls or of the templates it names changes.
#[derive(Debug, Clone, PartialEq)]
pub struct FunnelShown {
    pub cadence_id: u64,
    pub range: TimeRange,
    /// The templates its comparisons name (a new or renamed one changes a title).
    pub templates: BTreeSet<u64>,
    /// The calls of its cadence it was counted from (one moved to another
    /// cadence changes it, though its new version names the other cadence).
    pub calls: BTreeSet<u64>,
}

impl FunnelShown {
    /// Whether `calls` or `templates` (changed in the database) touch this funnel.
    pub fn touched_by(&self, calls: &[Call], templates: &[EmailTemplate]) -> bool {
        calls.iter().any(|c| {
            self.calls.contains(&c.id)
                || c.cadence.as_ref().and_then(|r| r.id_u64()) == Some(self.cadence_id)
        }) || templates.iter().any(|t| self.templates.contains(&t.id))
    }
}

/// What the request tasks and the follower share.
pub(super) struct Shared {
    pub store: Arc<PgStore>,
    /// The database's URL, for a second session (never shown).
    pub url: String,
    events: mpsc::UnboundedSender<WorkerEvent>,
    pub opts: HubReaderOptions,
    /// Live changes wanted (`SetLive`); while off, changed facts wait in `held`.
    pub live: AtomicBool,
    pub held: Mutex<HashMap<u64, EmailFact>>,
    /// Seconds between catch-ups without an announcement.
    pub safety_secs: AtomicU64,
    /// The worker's requests ended: the follower stops.
    pub stop: AtomicBool,
    /// The newest state of the jobs this reader waits for, by key.
    pub jobs: Mutex<HashMap<String, Job>>,
    /// Bumped whenever `jobs` changed.
    pub jobs_changed: watch::Sender<u64>,
    /// The cadence whose detail and the person whose page were asked for last
    /// (their changed memberships are sent as they change).
    pub detail: Mutex<Option<u64>>,
    pub person: Mutex<Option<u64>>,
    /// The funnel asked for last (counted again when its calls or templates change).
    pub funnel: Mutex<Option<FunnelShown>>,
    /// Makes this process's job keys its own.
    pub nonce: String,
}

impl Shared {
    pub(super) fn new(
        store: Arc<PgStore>,
        url: String,
        events: mpsc::UnboundedSender<WorkerEvent>,
        opts: HubReaderOptions,
    ) -> Shared {
        let safety = opts.safety_net.as_secs().max(1);
        Shared {
            store,
            url,
            events,
            opts,
            live: AtomicBool::new(false),
            held: Mutex::new(HashMap::new()),
            safety_secs: AtomicU64::new(safety),
            stop: AtomicBool::new(false),
            jobs: Mutex::new(HashMap::new()),
            jobs_changed: watch::channel(0).0,
            detail: Mutex::new(None),
            person: Mutex::new(None),
            funnel: Mutex::new(None),
            nonce: nonce(),
        }
    }

    /// Sends an event; false when the dashboard is gone.
    pub fn emit(&self, event: WorkerEvent) -> bool {
        self.events.send(event).is_ok()
    }

    pub fn stopped(&self) -> bool {
        self.stop.load(Ordering::Relaxed) || self.events.is_closed()
    }
}

/// Locks a std mutex even if a holder panicked.
pub(super) fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// A per-process random tag (time, process id and the std hasher's random keys).
fn nonce() -> String {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u128(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos()),
    );
    h.write_u32(std::process::id());
    format!("{:016x}", h.finish())
}

/// Runs a blocking store call off the async workers; a stopped call is an error.
pub(super) async fn blocking<R: Send + 'static>(
    f: impl FnOnce() -> Result<R, StoreError> + Send + 'static,
) -> Result<R, String> {
    match tokio::task::spawn_blocking(f).await {
        Ok(r) => r.map_err(|e| e.to_string()),
        Err(e) => Err(format!("the team database read stopped: {e}")),
    }
}
