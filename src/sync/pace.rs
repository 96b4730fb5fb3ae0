//! Pacing the engine's requests within the team's budget, and measuring what
//! they cost.
//!
//! [`Pacer`] asks the worker's [`Governor`] before every request, counting the
//! points of requests still in flight, so parallel walks never spend the same
//! remainder twice. When the governor says wait, the refill of the budget window
//! is noticed by a rare probe (one useful request, allowed only while at least
//! half the reserve is left, every 0.25 s: so at most half the reserve, 15 points
//! of a 600 budget, probes the first 3.75 s of a wait): the API has no header
//! saying when the window resets, and the real window is a minute while a
//! simulator's may be seconds.
//!
//! [`SpendMeter`] sums the cost charged to our requests from the responses'
//! `x-ratelimit-endpoint-cost` headers, as recorded by the client's [`Budget`].

use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::sync::Notify;

use crate::api::Budget;
use crate::budget::{BudgetView, Decision, Governor, Priority};

/// Stops a sync cleanly (Ctrl-C): no new request starts, the ones in flight are
/// saved. Clones share the flag.
#[derive(Clone, Debug, Default)]
pub struct CancelToken {
    inner: Arc<(AtomicBool, Notify)>,
}

impl CancelToken {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn cancel(&self) {
        self.inner.0.store(true, Ordering::SeqCst);
        self.inner.1.notify_waiters();
    }

    pub fn is_cancelled(&self) -> bool {
        self.inner.0.load(Ordering::SeqCst)
    }

    /// Resolves once cancelled.
    pub async fn cancelled(&self) {
        loop {
            let notified = self.inner.1.notified();
            if self.is_cancelled() {
                return;
            }
            notified.await;
        }
    }

    /// Sleeps `d`, or less when cancelled; true when cancelled.
    pub async fn sleep(&self, d: Duration) -> bool {
        tokio::select! {
            _ = tokio::time::sleep(d) => self.is_cancelled(),
            _ = self.cancelled() => true,
        }
    }
}

/// The spacing of probes while the budget is short: a refill is noticed at most
/// this late (plus a request's latency) while probes are allowed.
const PROBE_EVERY: Duration = Duration::from_millis(250);
/// Probes never take the budget under this (an enrollment costs up to 3 points).
const MIN_PROBE_FLOOR: u32 = 3;

struct Waiting {
    /// When the current streak of deferrals may send its next probe.
    next_probe: Option<Instant>,
    /// The governor's last reason to wait, for progress output.
    reason: Option<String>,
}

/// The budget gate of the engine's requests.
pub struct Pacer {
    budget: Budget,
    governor: Governor,
    priority: Priority,
    pending: AtomicU32,
    waiting: Mutex<Waiting>,
}

/// One admitted request; its point is released when dropped (after the response
/// was recorded by the budget).
pub struct PacePermit<'a> {
    pacer: &'a Pacer,
}

impl Drop for PacePermit<'_> {
    fn drop(&mut self) {
        self.pacer.pending.fetch_sub(1, Ordering::SeqCst);
    }
}

impl Pacer {
    /// `bulk_share` binds only [`Priority::Bulk`]: the share of each budget window
    /// the sync may take.
    pub fn new(budget: Budget, priority: Priority, reserve: f64, bulk_share: f64) -> Self {
        Pacer {
            budget,
            governor: Governor::new(reserve).with_bulk_share(bulk_share),
            priority,
            pending: AtomicU32::new(0),
            waiting: Mutex::new(Waiting {
                next_probe: None,
                reason: None,
            }),
        }
    }

    fn view(&self) -> BudgetView {
        let pending = self.pending.load(Ordering::SeqCst);
        let snap = self.budget.snapshot();
        let (bulk_spent, bulk_frees_in) = self.budget.bulk_spent();
        BudgetView {
            remaining: Some(self.budget.estimated_remaining().saturating_sub(pending)),
            limit: snap.limit,
            reset_in: self.budget.wait_hint(),
            bulk_spent,
            bulk_frees_in,
        }
    }

    /// Why the engine is waiting for budget, if it is.
    pub fn waiting_reason(&self) -> Option<String> {
        self.waiting
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .reason
            .clone()
    }

    /// One request admitted: set aside its point, and count it to the bulk share.
    fn permit(&self, priority: Priority) -> PacePermit<'_> {
        self.pending.fetch_add(1, Ordering::SeqCst);
        if priority == Priority::Bulk {
            self.budget.note_bulk(1);
        }
        PacePermit { pacer: self }
    }

    /// Waits until a 1-point read may start; `None` when cancelled meanwhile.
    pub async fn admit(&self, cancel: &CancelToken) -> Option<PacePermit<'_>> {
        self.admit_as(self.priority, cancel).await
    }

    /// [`Pacer::admit`] for one read at `priority` instead of the pacer's own.
    pub async fn admit_as(
        &self,
        priority: Priority,
        cancel: &CancelToken,
    ) -> Option<PacePermit<'_>> {
        loop {
            if cancel.is_cancelled() {
                return None;
            }
            let wait = {
                let mut w = self.waiting.lock().unwrap_or_else(|e| e.into_inner());
                let view = self.view();
                // Over its share, bulk work waits for its own points to age out
                // of the window: no probe, the server's window is not the reason.
                match self.governor.decide(priority, 1, &view, "sync") {
                    Decision::Defer { reason, retry_in }
                        if self
                            .governor
                            .over_share(priority, 1, &view, "sync")
                            .is_some() =>
                    {
                        w.reason = Some(reason);
                        retry_in
                    }
                    Decision::Go => {
                        w.next_probe = None;
                        w.reason = None;
                        return Some(self.permit(priority));
                    }
                    Decision::Defer { reason, retry_in } => {
                        w.reason = Some(reason);
                        let now = Instant::now();
                        let throttled = self.budget.wait_hint();
                        let floor = self.governor.floor(priority, view.limit);
                        let probe_floor = (floor / 2).max(MIN_PROBE_FLOOR);
                        let due = *w.next_probe.get_or_insert(now + PROBE_EVERY);
                        if let Some(hint) = throttled {
                            // Refused by the server: its hint is the best there is.
                            hint.max(Duration::from_millis(50))
                        } else if now >= due
                            && self.pending.load(Ordering::SeqCst) == 0
                            && view.left() > probe_floor
                        {
                            // Probe: one request shows whether the window refilled.
                            w.next_probe = Some(now + PROBE_EVERY);
                            return Some(self.permit(priority));
                        } else if view.left() > probe_floor {
                            due.saturating_duration_since(now)
                                .max(Duration::from_millis(20))
                        } else {
                            // Under half the reserve: wait for the window as the
                            // budget estimates it (a minute after the last answer).
                            retry_in.min(Duration::from_secs(5))
                        }
                    }
                }
            };
            if cancel.sleep(wait).await {
                return None;
            }
        }
    }
}

/// Sums the cost charged to this client's requests, from the budget's record of
/// every response (429s charge nothing).
pub struct SpendMeter {
    budget: Budget,
    state: Mutex<(u64, Option<Instant>)>,
    points: std::sync::atomic::AtomicU64,
    throttled_at_start: u64,
}

impl SpendMeter {
    pub fn new(budget: Budget) -> Arc<Self> {
        let snap = budget.snapshot();
        let last = snap.history.last().map(|s| s.at);
        Arc::new(SpendMeter {
            state: Mutex::new((snap.requests, last)),
            points: std::sync::atomic::AtomicU64::new(0),
            throttled_at_start: snap.throttled,
            budget,
        })
    }

    /// Points charged since the last call (and adds them to the total).
    pub fn take(&self) -> u64 {
        let snap = self.budget.snapshot();
        let mut st = self.state.lock().unwrap_or_else(|e| e.into_inner());
        let new = snap.requests.saturating_sub(st.0) as usize;
        st.0 = snap.requests;
        // The newest `new` samples are ours to count (the history keeps 120).
        let fresh = snap.history.iter().rev().take(new.min(snap.history.len()));
        let pts: u64 = fresh.map(|s| u64::from(s.cost)).sum();
        st.1 = snap.history.last().map(|s| s.at);
        self.points.fetch_add(pts, Ordering::SeqCst);
        pts
    }

    /// Points charged since the meter was made.
    pub fn total(&self) -> u64 {
        self.take();
        self.points.load(Ordering::SeqCst)
    }

    /// 429 answers since the meter was made.
    pub fn throttled(&self) -> u64 {
        self.budget
            .snapshot()
            .throttled
            .saturating_sub(self.throttled_at_start)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_pacer_keeps_the_floor_and_probes_for_a_refill() {
        let cancel = CancelToken::new();
        // Nothing known yet: go.
        let budget = Budget::new(600);
        let pacer = Pacer::new(budget.clone(), Priority::Visible, 0.2, 0.2);
        assert!(pacer.admit(&cancel).await.is_some());

        // 25 left: under the floor (30) but above half of it, so after a short
        // wait one probe goes out to see whether the window refilled.
        budget.record_at(Some(1), Some(25), Instant::now());
        let started = Instant::now();
        let permit = pacer.admit(&cancel).await;
        assert!(permit.is_some());
        assert!(started.elapsed() >= PROBE_EVERY, "{:?}", started.elapsed());
        assert!(pacer.waiting_reason().is_some());
        drop(permit);

        // 10 left: no probes; it waits until cancelled.
        budget.record_at(Some(1), Some(10), Instant::now());
        let stop = cancel.clone();
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(400)).await;
            stop.cancel();
        });
        assert!(pacer.admit(&cancel).await.is_none());
    }

    #[tokio::test]
    async fn bulk_work_waits_for_its_share_to_free_up() {
        let cancel = CancelToken::new();
        let budget = Budget::new(600);
        budget.record_at(Some(1), Some(599), Instant::now());
        // 5% of 600: 30 points a window.
        let pacer = Pacer::new(budget.clone(), Priority::Bulk, 0.2, 0.05);
        for _ in 0..30 {
            drop(pacer.admit(&cancel).await.expect("within the share"));
        }
        assert_eq!(budget.bulk_spent().0, 30);
        let stop = cancel.clone();
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(300)).await;
            stop.cancel();
        });
        assert!(
            pacer.admit(&cancel).await.is_none(),
            "the 31st point waits for the window"
        );
        let why = pacer.waiting_reason().expect("says why it waits");
        assert!(why.contains("5% share"), "{why}");
        // A sync the user waits for is not held to the share.
        let visible = Pacer::new(budget.clone(), Priority::Visible, 0.2, 0.05);
        assert!(visible.admit(&CancelToken::new()).await.is_some());
    }

    #[test]
    fn the_meter_sums_the_charged_costs() {
        let budget = Budget::new(600);
        budget.record_at(Some(1), Some(599), Instant::now());
        let meter = SpendMeter::new(budget.clone());
        budget.record_at(Some(1), Some(598), Instant::now());
        budget.record_at(Some(3), Some(595), Instant::now());
        assert_eq!(meter.take(), 4);
        budget.record_at(Some(1), Some(594), Instant::now());
        assert_eq!(meter.total(), 5);
        assert_eq!(meter.throttled(), 0);
    }
}
