//! What every running job shares: the client, the event sender, the cache, the
//! budget governor and the progress of the long walks (engagement, people, live).

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use tokio::sync::mpsc::UnboundedSender;

use super::audit::AuditLog;
use super::breaker::{Breaker, FAILURES_TO_OPEN};
use super::cache::{CacheKey, Cached, TtlCache};
use super::protocol::{Priority, RequestId, WorkerEvent};
use crate::api::{ApiClient, ApiError, CursorPosition};
use crate::budget::{BudgetView, Decision, Governor};
use crate::metrics::TimeRange;

/// Locks a std mutex even if a holder panicked (the data stays usable).
pub fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// The governor plus how far it has read the budget's response history.
#[derive(Debug)]
struct Watch {
    governor: Governor,
    last_sample: Option<Instant>,
}

/// Engagement progress, kept across requests.
#[derive(Debug, Default)]
pub struct EngagementState {
    /// The widest range fully read per cadence.
    pub loaded: HashMap<u64, TimeRange>,
    /// Where the live poll over all emails continues from; taken when the first
    /// engagement load (or live polling) began, so nothing is missed in between.
    pub live_from: Option<CursorPosition>,
    /// Emails updated before this instant are history, not live activity (the
    /// catch-up after [`crate::worker::Request::LiveFrom`]).
    pub live_since: Option<chrono::DateTime<chrono::Utc>>,
}

/// The people index walk.
#[derive(Debug, Default)]
pub struct PeopleState {
    pub position: Option<CursorPosition>,
    /// Every person id seen, for the index's total.
    pub seen: HashSet<u64>,
    /// The first full walk is done; later walks only pick up changes.
    pub indexed: bool,
}

/// The governor's answer, with the points set aside while the read runs.
pub enum Admission<'a> {
    Go(Permit<'a>),
    Defer { reason: String, retry_in: Duration },
}

/// Points set aside for a read in flight, so concurrent reads do not all spend the
/// same remainder; released when dropped (the response has updated the budget).
#[must_use]
pub struct Permit<'a> {
    pending: &'a AtomicU32,
    cost: u32,
}

impl Drop for Permit<'_> {
    fn drop(&mut self) {
        self.pending.fetch_sub(self.cost, Ordering::SeqCst);
    }
}

pub struct Ctx {
    pub client: ApiClient,
    /// Points set aside by reads in flight.
    pending: AtomicU32,
    /// Live polling wanted (for `LiveState` events).
    live: AtomicBool,
    events: UnboundedSender<WorkerEvent>,
    pub read_only: bool,
    pub cache: Mutex<TtlCache<CacheKey, Cached>>,
    watch: Mutex<Watch>,
    pub engagement: Mutex<EngagementState>,
    pub people: Mutex<PeopleState>,
    enroll_locks: Mutex<PairLocks>,
    /// Requests whose current deferral was already announced.
    deferred: Mutex<HashSet<RequestId>>,
    /// Whether SalesLoft answers; the scheduler drives it.
    pub breaker: Mutex<Breaker>,
    /// Where mutations are recorded.
    pub audit: AuditLog,
    /// The profile's local store (read for `StoredEngagement`).
    pub store_path: Option<std::path::PathBuf>,
}

/// One lock per (person, cadence) pair being enrolled.
type PairLocks = HashMap<(u64, u64), Arc<tokio::sync::Mutex<()>>>;

impl Ctx {
    pub fn new(
        client: ApiClient,
        events: UnboundedSender<WorkerEvent>,
        read_only: bool,
        reserve: f64,
        bulk_share: f64,
        cache_capacity: usize,
        audit: AuditLog,
    ) -> Self {
        Self {
            client,
            pending: AtomicU32::new(0),
            live: AtomicBool::new(false),
            events,
            read_only,
            cache: Mutex::new(TtlCache::new(cache_capacity)),
            watch: Mutex::new(Watch {
                governor: Governor::new(reserve).with_bulk_share(bulk_share),
                last_sample: None,
            }),
            engagement: Mutex::new(EngagementState::default()),
            people: Mutex::new(PeopleState::default()),
            enroll_locks: Mutex::new(HashMap::new()),
            deferred: Mutex::new(HashSet::new()),
            breaker: Mutex::new(Breaker::new(FAILURES_TO_OPEN)),
            audit,
            store_path: None,
        }
    }

    pub fn with_store(mut self, path: Option<std::path::PathBuf>) -> Self {
        self.store_path = path;
        self
    }

    /// Why the user's actions fail at once, while SalesLoft is unreachable.
    pub fn unreachable(&self) -> Option<String> {
        lock(&self.breaker).refusal(Instant::now())
    }

    /// Sends an event to the UI; a UI that went away is not an error here.
    pub fn emit(&self, event: WorkerEvent) {
        let _ = self.events.send(event);
    }

    /// The budget as it stands, after feeding the governor every response it has
    /// not seen yet (to notice spend by other integrations).
    fn refresh(&self) -> (MutexGuard<'_, Watch>, BudgetView) {
        let budget = self.client.budget();
        let snap = budget.snapshot();
        let mut watch = lock(&self.watch);
        let since = watch.last_sample;
        for s in snap
            .history
            .iter()
            .filter(|s| since.is_none_or(|t| s.at > t))
        {
            watch.governor.observe(s.remaining, s.cost);
        }
        if let Some(last) = snap.history.last() {
            watch.last_sample = Some(last.at);
        }
        let pending = self.pending.load(Ordering::SeqCst);
        let (bulk_spent, bulk_frees_in) = budget.bulk_spent();
        let view = BudgetView {
            remaining: Some(budget.estimated_remaining().saturating_sub(pending)),
            limit: snap.limit,
            reset_in: budget.wait_hint(),
            bulk_spent,
            bulk_frees_in,
        };
        (watch, view)
    }

    /// May a read of `cost` points at `priority` start now? Paused background work
    /// is refused whatever the cost. Admitted points stay set aside until the
    /// permit is dropped.
    pub fn admit(&self, priority: Priority, cost: u32, what: &str) -> Admission<'_> {
        let (mut watch, view) = self.refresh();
        self.check_pause(&mut watch, &view);
        let decision = if priority.is_background() && watch.governor.is_paused() {
            let retry_in = view.reset_in.unwrap_or(Duration::from_secs(5));
            Decision::Defer {
                reason: watch.governor.paused_read_reason(&view, what, retry_in),
                retry_in,
            }
        } else {
            watch.governor.decide(priority, cost, &view, what)
        };
        match decision {
            Decision::Go => {
                // Still under the watch lock: admissions are serialized.
                self.pending.fetch_add(cost, Ordering::SeqCst);
                if priority == Priority::Bulk {
                    self.client.budget().note_bulk(cost);
                }
                drop(watch);
                Admission::Go(Permit {
                    pending: &self.pending,
                    cost,
                })
            }
            Decision::Defer { reason, retry_in } => Admission::Defer { reason, retry_in },
        }
    }

    /// Announces a deferral with a `Deferred` event, once per streak of deferrals
    /// of one request (a background walk is re-checked every few seconds).
    pub fn note_deferred(&self, id: RequestId, reason: String) {
        if lock(&self.deferred).insert(id) {
            self.emit(WorkerEvent::Deferred { id, reason });
        }
    }

    /// The request got going again: a later deferral is news.
    pub fn note_admitted(&self, id: RequestId) {
        lock(&self.deferred).remove(&id);
    }

    pub fn set_live(&self, enabled: bool) {
        self.live.store(enabled, Ordering::Relaxed);
    }

    /// Whether live updates are wanted (not frozen, a view that shows engagement).
    pub fn live_wanted(&self) -> bool {
        self.live.load(Ordering::Relaxed)
    }

    /// Announces a change of the background pause with a `LiveState` event.
    fn check_pause(&self, watch: &mut Watch, view: &BudgetView) {
        if let Some(paused_reason) = watch.governor.update_pause(view) {
            let enabled = self.live.load(Ordering::Relaxed);
            self.emit(WorkerEvent::LiveState {
                enabled,
                paused_reason,
            });
        }
    }

    /// Re-evaluates the background pause (announcing a change); true while paused.
    pub fn check_budget(&self) -> bool {
        let (mut watch, view) = self.refresh();
        self.check_pause(&mut watch, &view);
        watch.governor.is_paused()
    }

    /// The reason background work is paused, if it is.
    pub fn pause_reason(&self) -> Option<String> {
        let (watch, view) = self.refresh();
        watch
            .governor
            .is_paused()
            .then(|| watch.governor.pause_reason(&view))
    }

    /// How long to wait after a 429 before trying again.
    pub fn throttle_wait(&self, err: &ApiError) -> Duration {
        let hinted = match err {
            ApiError::RateLimited { retry_after } => *retry_after,
            _ => None,
        };
        hinted
            .or_else(|| self.client.budget().wait_hint())
            .unwrap_or(Duration::from_secs(5))
            .clamp(Duration::from_secs(1), Duration::from_secs(60))
    }

    /// Serializes enrollments of one person into one cadence within this process.
    pub async fn lock_pair(
        &self,
        person_id: u64,
        cadence_id: u64,
    ) -> tokio::sync::OwnedMutexGuard<()> {
        let m = {
            let mut locks = lock(&self.enroll_locks);
            // Forget locks nobody holds any more, so the map stays small.
            locks.retain(|_, m| Arc::strong_count(m) > 1);
            locks.entry((person_id, cadence_id)).or_default().clone()
        };
        m.lock_owned().await
    }

    pub fn cache_get(&self, key: &CacheKey) -> Option<Cached> {
        lock(&self.cache).get(key, Instant::now())
    }

    pub fn cache_put(&self, key: CacheKey, value: Cached) {
        let ttl = key.ttl();
        lock(&self.cache).put(key, value, ttl, Instant::now());
    }

    pub fn cache_remove(&self, key: &CacheKey) {
        lock(&self.cache).remove(key);
    }

    /// The live data changed emails of these cadences: their cached funnels
    /// (any range) are read again when next asked.
    pub fn forget_funnels(&self, cadence_ids: impl IntoIterator<Item = Option<u64>>) {
        let changed: std::collections::HashSet<u64> = cadence_ids.into_iter().flatten().collect();
        if !changed.is_empty() {
            lock(&self.cache)
                .remove_where(|k| matches!(k, CacheKey::Funnel(c, _) if changed.contains(c)));
        }
    }

    /// Forgets cached answers and loaded engagement (the `R` key).
    pub fn clear(&self) {
        lock(&self.cache).clear();
        lock(&self.engagement).loaded.clear();
    }
}
