//! The worker's loop: takes requests, keeps the waiting line, starts jobs within
//! the concurrency bounds, runs the live-polling schedule, reports budget pauses,
//! and drives the circuit breaker (while open only the user's own requests start,
//! and fail at once; one probe goes out after the backoff).

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use tokio::sync::mpsc::UnboundedReceiver;
use tokio::task::{Id, JoinError, JoinSet};

use super::ctx::{Ctx, lock};
use super::job::{Job, JobEnd, label};
use super::jobs;
use super::probe;
use super::protocol::{ConnectionState, Envelope, Priority, Request, RequestId, WorkerEvent};
use super::queue::{self, JobKey, JobQueue, Queued, Slot};

/// Jobs running at once (reads for the screen and background work).
const MAX_RUNNING: usize = 4;
/// Of those, background jobs (polling, indexing).
const MAX_BACKGROUND: usize = 2;
/// The user's own mutations may run beyond the bound.
const USER_EXTRA: usize = 2;
/// The people index picks up changes every this many poll ticks.
const PEOPLE_REFRESH_TICKS: u64 = 6;

/// The poll interval, kept between a second and an hour.
fn poll_interval(secs: u64) -> Duration {
    Duration::from_secs(secs.clamp(1, 3600))
}

/// What the loop remembers about a running job.
#[derive(Debug)]
struct Meta {
    id: RequestId,
    priority: Priority,
    key: Option<JobKey>,
    slot: Option<Slot>,
    /// Internal jobs (live poll, index refresh) report problems as `Error` events
    /// and get no `Started`/`Finished`.
    internal: bool,
    cancel: Arc<AtomicBool>,
}

pub struct Scheduler {
    ctx: Arc<Ctx>,
    queue: JobQueue<Job>,
    tasks: JoinSet<JobEnd>,
    running: HashMap<Id, Meta>,
    started: HashSet<RequestId>,
    live_enabled: bool,
    live_id: RequestId,
    /// Background work was paused at the last look.
    paused: bool,
    /// The last error of a periodic walk, already reported.
    last_error: Option<String>,
    index_id: Option<RequestId>,
    poll_every: Duration,
    next_tick: Instant,
    ticks: u64,
    /// The key's refusal last announced (its round and last try), while refused.
    auth_seen: Option<(u32, Instant)>,
}

impl Scheduler {
    pub fn new(ctx: Arc<Ctx>, poll_secs: u64) -> Self {
        let poll_every = poll_interval(poll_secs);
        Self {
            ctx,
            queue: JobQueue::default(),
            tasks: JoinSet::new(),
            running: HashMap::new(),
            started: HashSet::new(),
            live_enabled: false,
            live_id: 0,
            paused: false,
            last_error: None,
            index_id: None,
            poll_every,
            next_tick: Instant::now() + poll_every,
            ticks: 0,
            auth_seen: None,
        }
    }

    /// Runs until the UI drops its request sender; running jobs are then aborted.
    pub async fn run(mut self, mut requests: UnboundedReceiver<Envelope>) {
        loop {
            self.dispatch();
            let now = Instant::now();
            let probe = lock(&self.ctx.breaker).next_probe();
            let wake = [self.queue.next_wake(now), probe, self.auth_trial_at()]
                .into_iter()
                .flatten()
                .fold(self.next_tick, Instant::min);
            tokio::select! {
                msg = requests.recv() => match msg {
                    Some(envelope) => self.accept(envelope),
                    None => break,
                },
                Some(done) = self.tasks.join_next_with_id(), if !self.tasks.is_empty() => {
                    self.on_done(done);
                }
                _ = tokio::time::sleep_until(wake.into()) => {}
            }
            self.on_time();
        }
        self.tasks.abort_all();
    }

    fn emit(&self, event: WorkerEvent) {
        self.ctx.emit(event);
    }

    fn start_once(&mut self, id: RequestId, label: String) {
        if self.started.insert(id) {
            self.emit(WorkerEvent::Started { id, label });
        }
    }

    /// Ends a request: `Started` first if it never ran, then `Finished`.
    fn finish(&mut self, id: RequestId, label: impl FnOnce() -> String, error: Option<String>) {
        if !self.started.remove(&id) {
            self.emit(WorkerEvent::Started { id, label: label() });
        }
        self.ctx.note_admitted(id);
        self.emit(WorkerEvent::Finished { id, error });
    }

    fn accept(
        &mut self,
        Envelope {
            id,
            priority,
            request,
        }: Envelope,
    ) {
        match request {
            Request::SetLive { enabled } => {
                self.live_enabled = enabled;
                self.live_id = id;
                self.ctx.set_live(enabled);
                if enabled {
                    jobs::ensure_live_watermark(&self.ctx);
                    self.next_tick = Instant::now();
                }
                let paused_reason = self.ctx.pause_reason();
                self.finish(id, || label(&request), None);
                self.emit(WorkerEvent::LiveState {
                    enabled,
                    paused_reason,
                });
            }
            Request::LiveFrom { through } => {
                jobs::live_from(&self.ctx, through);
                self.next_tick = Instant::now();
                self.finish(id, || label(&request), None);
            }
            Request::SetPollInterval { secs } => {
                self.poll_every = poll_interval(secs);
                self.next_tick = self.next_tick.min(Instant::now() + self.poll_every);
                self.finish(id, || label(&request), None);
            }
            Request::ClearCache => {
                self.ctx.clear();
                self.queue.wake_all();
                self.finish(id, || label(&request), None);
            }
            Request::LayOutPeople { layout } => {
                let ctx = self.ctx.clone();
                tokio::spawn(async move {
                    match super::layout::laid_out(layout).await {
                        Some(Ok(index)) => ctx.emit(WorkerEvent::PeopleLaidOut { id, index }),
                        Some(Err(error)) => ctx.emit(WorkerEvent::Finished {
                            id,
                            error: Some(error),
                        }),
                        None => {}
                    }
                });
            }
            request => {
                let slot = queue::slot_of(&request);
                if slot.is_some() {
                    // Latest wins: a running job of the slot stops at its next page.
                    for meta in self.running.values().filter(|m| m.slot == slot) {
                        meta.cancel.store(true, Ordering::Relaxed);
                    }
                }
                if request == Request::IndexPeople {
                    self.index_id = Some(id);
                }
                let priority = queue::effective_priority(&request, priority);
                let key = queue::key_of(&request);
                let job = Job::Request(request);
                if let Some(old) = self.queue.push(id, priority, key, slot, job) {
                    let Queued { id, job, .. } = old;
                    self.finish(id, || job.label(), None);
                }
            }
        }
    }

    fn may_start(&self, q: &Queued<Job>) -> bool {
        if q.key.as_ref().is_some_and(|k| self.key_running(k)) {
            return false;
        }
        // SalesLoft unreachable: reads wait; the user's own requests fail at once.
        if q.priority != Priority::User && lock(&self.ctx.breaker).is_open() {
            return false;
        }
        let total = self.running.len();
        let background = self
            .running
            .values()
            .filter(|m| m.priority.is_background())
            .count();
        match q.priority {
            Priority::User => total < MAX_RUNNING + USER_EXTRA,
            Priority::Visible => total < MAX_RUNNING,
            Priority::Bulk | Priority::Background => {
                total < MAX_RUNNING && background < MAX_BACKGROUND
            }
        }
    }

    fn key_running(&self, key: &JobKey) -> bool {
        self.running.values().any(|m| m.key.as_ref() == Some(key))
    }

    /// Starts every queued job that may start now.
    fn dispatch(&mut self) {
        loop {
            let now = Instant::now();
            let mut queue = std::mem::take(&mut self.queue);
            let next = queue.pop_ready(now, |q| self.may_start(q));
            self.queue = queue;
            let Some(item) = next else { break };
            let Queued {
                id,
                priority,
                key,
                slot,
                job,
                ..
            } = item;
            self.start_once(id, job.label());
            if let Job::Request(request) = &job
                && jobs::answer_from_cache(&self.ctx, id, request)
            {
                self.finish(id, String::new, None);
                continue;
            }
            self.spawn(
                Meta {
                    id,
                    priority,
                    key,
                    slot,
                    internal: false,
                    cancel: Arc::default(),
                },
                job,
            );
        }
    }

    fn spawn(&mut self, meta: Meta, job: Job) {
        let ctx = Arc::clone(&self.ctx);
        let cancel = Arc::clone(&meta.cancel);
        let (id, priority) = (meta.id, meta.priority);
        let handle = self.tasks.spawn(jobs::run(ctx, id, priority, job, cancel));
        self.running.insert(handle.id(), meta);
    }

    fn on_done(&mut self, done: Result<(Id, JobEnd), JoinError>) {
        let (task, end) = match done {
            Ok(pair) => pair,
            Err(e) => {
                let why = if e.is_panic() {
                    "failed unexpectedly"
                } else {
                    "was stopped"
                };
                (
                    e.id(),
                    JobEnd::Done(Err(format!("internal error: the job {why}"))),
                )
            }
        };
        let Some(meta) = self.running.remove(&task) else {
            return;
        };
        if meta.internal && meta.key == Some(JobKey::AuthProbe) {
            // `check_auth` announces what came of it.
            return;
        }
        if meta.key == Some(JobKey::Probe) {
            if probe::probe_ended(&self.ctx) {
                self.queue.wake_all();
            }
            return;
        }
        if meta.internal {
            // A poll failing every few seconds is said once, until it works again.
            match end {
                JobEnd::Done(Err(message)) if self.last_error.as_ref() != Some(&message) => {
                    self.last_error = Some(message.clone());
                    self.emit(WorkerEvent::Error { message });
                }
                JobEnd::Done(Ok(())) => self.last_error = None,
                _ => {}
            }
            return;
        }
        match end {
            JobEnd::Done(result) => self.finish(meta.id, String::new, result.err()),
            JobEnd::Superseded => self.finish(meta.id, String::new, None),
            JobEnd::Deferred { .. } if meta.cancel.load(Ordering::Relaxed) => {
                self.finish(meta.id, String::new, None);
            }
            JobEnd::Deferred { retry_in, job } => {
                let until = Instant::now() + retry_in;
                self.queue
                    .push_deferred(meta.id, meta.priority, meta.key, meta.slot, job, until);
            }
        }
    }

    /// The circuit breaker: opens or closes it from the client's health, and sends
    /// the one probe when it is due. True while open.
    fn check_connection(&mut self) -> bool {
        if probe::check(&self.ctx) {
            // SalesLoft answers again: what waited may go now.
            self.queue.wake_all();
        }
        let probe = lock(&self.ctx.breaker).take_probe(Instant::now());
        if probe {
            let meta = Meta {
                id: 0,
                priority: Priority::Background,
                key: Some(JobKey::Probe),
                slot: None,
                internal: true,
                cancel: Arc::default(),
            };
            self.spawn(meta, Job::Probe);
        }
        lock(&self.ctx.breaker).is_open()
    }

    /// When the refused key's next try is due (none while a try is out).
    fn auth_trial_at(&self) -> Option<Instant> {
        if self.key_running(&JobKey::AuthProbe) {
            return None;
        }
        self.ctx.client.auth_refusal().map(|r| r.next_try)
    }

    /// The refused key: announces a refusal (and each refused try), sends the
    /// one try when the backoff is over, and announces the key working again
    /// (what waited may go). True while refused.
    fn check_auth(&mut self) -> bool {
        let refusal = self.ctx.client.auth_refusal();
        match (&refusal, self.auth_seen) {
            (None, None) => return false,
            (None, Some(_)) => {
                self.auth_seen = None;
                self.queue.wake_all();
                self.emit(WorkerEvent::Connection {
                    state: ConnectionState::Up,
                });
                return false;
            }
            (Some(r), seen) if seen != Some((r.round, r.last_try)) => {
                self.auth_seen = Some((r.round, r.last_try));
                let left = r.next_try.saturating_duration_since(Instant::now());
                self.emit(WorkerEvent::Connection {
                    state: ConnectionState::AuthFailed {
                        retry_in_secs: left.as_secs_f64().ceil() as u64,
                        reason: r.message.clone(),
                    },
                });
            }
            _ => {}
        }
        if let Some(r) = refusal
            && r.next_try <= Instant::now()
            && !self.key_running(&JobKey::AuthProbe)
        {
            // Beyond the bounds, as the breaker's probe: nothing else is sent.
            let meta = Meta {
                id: 0,
                priority: Priority::Background,
                key: Some(JobKey::AuthProbe),
                slot: None,
                internal: true,
                cancel: Arc::default(),
            };
            self.spawn(meta, Job::AuthProbe);
        }
        true
    }

    /// Connection and budget pause changes, and the poll schedule.
    fn on_time(&mut self) {
        let refused = self.check_auth();
        let unreachable = self.check_connection();
        let paused = self.ctx.check_budget();
        if self.paused && !paused {
            // The budget recovered: deferred work may go now.
            self.queue.wake_all();
        }
        self.paused = paused;
        let now = Instant::now();
        if now < self.next_tick {
            return;
        }
        self.ticks += 1;
        self.next_tick = now + self.poll_every;
        if paused || unreachable || refused {
            return;
        }
        if self.live_enabled {
            self.spawn_internal(self.live_id, JobKey::LivePoll, Job::Poll);
        }
        let indexed = lock(&self.ctx.people).indexed;
        if let Some(index_id) = self.index_id.filter(|_| indexed)
            && self.ticks.is_multiple_of(PEOPLE_REFRESH_TICKS)
        {
            self.spawn_internal(index_id, JobKey::IndexPeople, Job::PeopleRefresh);
        }
    }

    fn spawn_internal(&mut self, id: RequestId, key: JobKey, job: Job) {
        let background = self
            .running
            .values()
            .filter(|m| m.priority.is_background())
            .count();
        if self.key_running(&key)
            || background >= MAX_BACKGROUND
            || self.running.len() >= MAX_RUNNING
        {
            return;
        }
        self.spawn(
            Meta {
                id,
                priority: Priority::Background,
                key: Some(key),
                slot: None,
                internal: true,
                cancel: Arc::default(),
            },
            job,
        );
    }
}
