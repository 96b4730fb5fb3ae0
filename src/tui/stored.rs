//! The dashboard and the local store ([`crate::store`]).
//!
//! * Start-up: [`load`] reads the profile's store (off the UI thread) and [`seed`]
//!   puts it into the state before the first frame: cadences, steps, users, the
//!   people index and every email fact, so the cadences table shows numbers at once.
//!   The data is marked stale ("stored data from 10:42, refreshing…") until the first
//!   live cadence list replaces it; while SalesLoft is unreachable it reads
//!   "offline, data as of …" and enrolling is refused.
//! * Write-through: a background sync ([`crate::sync::Engine`], background priority,
//!   within the budget reserve) refreshes the store while the dashboard runs, so the
//!   next start is fresh; its progress ([`StoreEvent`]) shows as a bar in the status
//!   line.
//!
//! A missing or empty store changes nothing; a damaged one, one written by a newer
//! sltui, or one holding another server's data is reported once and left alone.

use std::collections::HashMap;
use std::path::Path;

use chrono::{DateTime, Local, Utc};

use crate::metrics::{Aggregator, GroupTotals, TimeRange};
use crate::store::{DashboardData, PersonRow, Store};
use crate::sync::{Progress, Resource, SyncReport};

use super::msg::Effect;
use super::search::PersonEntry;
use super::state::{AppState, IndexStatus, Level};

/// What the start-up read of the store found.
#[derive(Debug)]
pub enum StoreLoad {
    /// No store file, or one without data: start as without a store.
    Absent,
    /// Data to draw the first frame from.
    Loaded(Box<Stored>),
    /// The store cannot be used; the message says why and what to do.
    Failed(String),
}

/// What a start reads from the store for its first frame: the dashboard's data
/// without people and email facts (`data.people` and `data.email_facts` are
/// empty), and the engagement of the state's range from the store's per-day sums.
/// The people and the facts follow in a [`Rest`] ([`load_rest`]).
#[derive(Debug)]
pub struct Stored {
    pub data: DashboardData,
    /// The range `totals` are for.
    pub range: TimeRange,
    pub totals: GroupTotals,
    pub coverage: Coverage,
}

/// How much of the team a store holds, from its sync checkpoints.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Coverage {
    /// A full sync of the people finished: the store lists everyone (as of its
    /// sync), so the dashboard need not walk them again.
    pub people: bool,
    /// A full sync of the emails finished, and the store holds every email
    /// updated up to this instant: counts for any range come from it, and
    /// the live poll catches up from there.
    pub emails_through: Option<DateTime<Utc>>,
}

impl Coverage {
    fn read(store: &Store) -> Result<Coverage, crate::store::StoreError> {
        let people = store.resource_state(Resource::People.name())?;
        let emails = store.resource_state(Resource::Emails.name())?;
        Ok(Coverage {
            people: people.full_done_at.is_some(),
            emails_through: emails
                .full_done_at
                .and(emails.cursor)
                .and_then(|c| c.after)
                .map(|t| t.with_timezone(&Utc)),
        })
    }
}

/// What a start reads after its first frame: the people (the few fields the
/// people index needs) and every email fact, in an aggregator over
/// [`TimeRange::All`] ([`on_event`] narrows it to the state's range).
#[derive(Debug, Clone)]
pub struct Rest {
    pub people: Vec<PersonRow>,
    pub agg: Aggregator,
}

/// The meta key naming the server a store's data came from (as `sltui sync` writes it).
pub const SERVER_KEY: &str = "server";

/// Reads the store at `path` for the dashboard's first frame, engagement over
/// `range` at `now`: a few thousand rows whatever the size of the team. Never
/// creates the file. `server` is the server the dashboard talks to: a store
/// holding another server's data is not shown.
pub fn load(path: &Path, server: &str, range: TimeRange, now: DateTime<Utc>) -> StoreLoad {
    if !path.exists() {
        return StoreLoad::Absent;
    }
    let store = match Store::open(path) {
        Ok(s) => s,
        Err(e) => return StoreLoad::Failed(e.to_string()),
    };
    match store.meta(SERVER_KEY) {
        Ok(Some(other)) if other != server => {
            return StoreLoad::Failed(format!(
                "the local store {} holds data from {other}, not {server}; it is not shown \
                 (run `sltui sync --full` to replace it)",
                path.display()
            ));
        }
        Ok(_) => {}
        Err(e) => return StoreLoad::Failed(e.to_string()),
    }
    let since = range
        .since(now)
        .map(|t| t.timestamp().clamp(0, i64::from(u32::MAX)) as u32);
    let people = match store.has_rows("people") {
        Ok(n) => n,
        Err(e) => return StoreLoad::Failed(e.to_string()),
    };
    let coverage = match Coverage::read(&store) {
        Ok(c) => c,
        Err(e) => return StoreLoad::Failed(e.to_string()),
    };
    match store.dashboard_summary(since) {
        Ok((d, _)) if d.cadences.is_empty() && !people => StoreLoad::Absent,
        Ok((data, totals)) => StoreLoad::Loaded(Box::new(Stored {
            data,
            range,
            totals,
            coverage,
        })),
        Err(e) => StoreLoad::Failed(e.to_string()),
    }
}

/// What a background sync changed in the store ([`StoreEvent::Changed`]).
#[derive(Debug, Clone, Default)]
pub struct Changes {
    pub people: Vec<PersonRow>,
    pub facts: Vec<crate::metrics::EmailFact>,
}

/// The newest `updated_at` (microseconds) of the people and of the email facts
/// in the store: what a later [`load_changes`] reads after.
pub fn watermarks(store: &Store) -> (i64, i64) {
    (
        store.max_updated_us("people").unwrap_or(0),
        store.max_updated_us("email_facts").unwrap_or(0),
    )
}

/// The people and facts updated after `marks` ([`watermarks`] before a sync).
pub fn load_changes(store: &Store, marks: (i64, i64)) -> Result<Changes, String> {
    let people = store
        .person_rows_after(marks.0)
        .map_err(|e| e.to_string())?;
    let mut facts = Vec::new();
    store
        .for_each_email_fact_after(marks.1, |f| facts.push(f))
        .map_err(|e| e.to_string())?;
    Ok(Changes { people, facts })
}

/// Reads the people and the email facts of the store at `path` (what [`load`]
/// leaves for after the first frame). The error says what went wrong, in words.
pub fn load_rest(path: &Path) -> Result<Rest, String> {
    let store = Store::open(path).map_err(|e| e.to_string())?;
    let people = store.person_rows().map_err(|e| e.to_string())?;
    let mut agg = Aggregator::new(TimeRange::All, Utc::now());
    if let Ok(n) = store.count("email_facts") {
        agg.reserve(n as usize);
    }
    store
        .for_each_email_fact(|f| {
            agg.upsert(f);
        })
        .map_err(|e| e.to_string())?;
    Ok(Rest { people, agg })
}

/// The background sync of the store, as the status line shows it.
#[derive(Debug, Clone, Default, PartialEq)]
pub enum SyncLine {
    #[default]
    Idle,
    /// Records read so far and expected (when known), per resource.
    Running(Vec<(Resource, u64, Option<u64>)>),
    /// The last run ended (ok or not); said once as a message.
    Done,
}

/// Where the local store stands for the dashboard.
#[derive(Debug, Clone, Default)]
pub struct StoreStatus {
    /// The data on screen came from the store and no live answer replaced it yet.
    pub stale: bool,
    /// The state was seeded from the store (its engagement numbers stay shown while
    /// the live read refreshes them).
    pub seeded: bool,
    /// When the store's data was last synced.
    pub synced_at: Option<DateTime<Utc>>,
    pub sync: SyncLine,
    /// What the store held at start ([`Coverage`]).
    pub coverage: Coverage,
    /// Whether the last background sync of this session was ok (`None` before
    /// the first one ended).
    pub last_ok: Option<bool>,
}

impl StoreStatus {
    /// "10:42" today, else "2026-11-26 10:42" (local time); "an unknown time" without
    /// a sync time.
    pub fn as_of(&self, now: DateTime<Utc>) -> String {
        let Some(t) = self.synced_at else {
            return "an unknown time".to_string();
        };
        let (t, now) = (t.with_timezone(&Local), now.with_timezone(&Local));
        if t.date_naive() == now.date_naive() {
            t.format("%H:%M").to_string()
        } else {
            t.format("%Y-%m-%d %H:%M").to_string()
        }
    }

    /// Overall progress of the background sync, 0..=1, when any resource knows its size.
    pub fn sync_fraction(&self) -> Option<f64> {
        let SyncLine::Running(per) = &self.sync else {
            return None;
        };
        let (mut done, mut of) = (0u64, 0u64);
        for (_, n, expected) in per {
            if let Some(e) = expected {
                done += (*n).min(*e);
                of += e;
            }
        }
        (of > 0).then(|| done as f64 / of as f64)
    }
}

/// A report from the dashboard's background sync.
#[derive(Debug, Clone)]
pub enum StoreEvent {
    /// The people and facts read after the first frame ([`load_rest`]), or why not.
    Loaded(Result<Box<Rest>, String>),
    /// People and email facts a background sync wrote (updated after the
    /// previous run's newest), to show them now rather than at the next start.
    Changed(Box<Changes>),
    Progress(Progress),
    Finished {
        ok: bool,
        records: u64,
        /// The first error, in words.
        error: Option<String>,
        synced_at: Option<DateTime<Utc>>,
    },
}

impl StoreEvent {
    /// The end of a sync, from its report and the store's new sync time.
    pub fn finished(report: &SyncReport, synced_at: Option<DateTime<Utc>>) -> StoreEvent {
        StoreEvent::Finished {
            ok: report.ok(),
            records: report.records,
            error: report
                .resources
                .iter()
                .find_map(|r| r.error.as_ref().map(|e| format!("{}: {e}", r.resource))),
            synced_at,
        }
    }
}

/// The state shows SalesLoft as unreachable while the data is the store's. A
/// retry in flight after a failure does not count as back online: only a live
/// answer (which clears `stale`) or a cleared error does, so the mark and the
/// enroll refusal do not flicker while the worker probes.
pub fn offline(state: &AppState) -> bool {
    let fetch = &state.cadences.fetch;
    state.store.stale && (state.connection.is_some() || fetch.error.is_some())
}

/// What enrolling says while offline on stored data.
pub fn offline_refusal(state: &AppState) -> String {
    format!(
        "offline (data as of {}): enrolling works again once SalesLoft answers",
        state.store.as_of(state.clock.wall)
    )
}

/// The status text of stored data not yet replaced by live answers.
pub fn stale_text(state: &AppState) -> Option<String> {
    if !state.store.stale {
        return None;
    }
    let when = state.store.as_of(state.clock.wall);
    Some(if offline(state) {
        format!("offline, data as of {when}")
    } else {
        format!("stored data from {when}, refreshing…")
    })
}

/// "store ▕███░░░░░▏ 42% people" (or records read when sizes are unknown).
pub fn sync_text(state: &AppState) -> Option<String> {
    let SyncLine::Running(per) = &state.store.sync else {
        return None;
    };
    let busiest = per
        .iter()
        .filter(|(_, n, e)| e.is_none_or(|e| *n < e))
        .map(|(r, _, _)| r.name())
        .next_back()
        .unwrap_or("");
    Some(match state.store.sync_fraction() {
        Some(f) => {
            const W: usize = 10;
            let full = ((f * W as f64).round() as usize).min(W);
            format!(
                "syncing store ▕{}{}▏ {:>3.0}% {busiest}",
                "█".repeat(full),
                "░".repeat(W - full),
                f * 100.0
            )
        }
        None => {
            let n: u64 = per.iter().map(|(_, n, _)| n).sum();
            format!("syncing store: {n} records {busiest}")
        }
    })
}

/// Puts the store's data into a fresh state, before the first frame, with the
/// people and email facts given in full (as small stores and tests have them).
pub fn seed(state: &mut AppState, mut data: DashboardData) {
    let facts = std::mem::take(&mut data.email_facts);
    let people = std::mem::take(&mut data.people);
    seed_data(state, data);
    let wall = state.clock.wall;
    state.metrics.agg = Aggregator::from_totals(state.metrics.range, wall, Vec::new());
    let mut agg = Aggregator::new(TimeRange::All, wall);
    agg.reserve(facts.len());
    for f in facts {
        agg.upsert(f);
    }
    let people = people.iter().map(person_row).collect();
    take_rest(state, Rest { people, agg });
}

/// The first frame's part of the store: cadences, steps and users (the
/// engagement numbers are set by the caller).
fn seed_data(state: &mut AppState, data: DashboardData) {
    let now = state.clock.now;
    let DashboardData {
        cadences,
        steps,
        users,
        synced_at,
        ..
    } = data;
    state.cadences.cadences = cadences;
    state.cadences.fetch.arrived(now);
    let mut by_cadence: HashMap<u64, Vec<_>> = HashMap::new();
    for s in steps {
        if let Some(c) = s.cadence.as_ref().and_then(|c| c.id_u64()) {
            by_cadence.entry(c).or_default().push(s);
        }
    }
    state.steps.extend(by_cadence);
    state.users = users
        .iter()
        .filter_map(|u| super::update::user_name(u).map(|n| (u.id, n)))
        .collect();
    state.store.stale = true;
    state.store.seeded = true;
    state.store.synced_at = synced_at;
}

/// The people and email facts read after the first frame: the stored people join
/// the index (people the worker listed meanwhile keep their newer entry and their
/// place, so search results, marks and an open enrollment stay valid), and the
/// facts replace the stored totals, with the facts that arrived meanwhile
/// replayed on top.
fn take_rest(state: &mut AppState, rest: Rest) {
    let Rest { people, agg } = rest;
    let wall = state.clock.wall;
    let m = &mut state.metrics;
    m.agg.absorb(agg, wall, &mut m.series);
    let index = &mut state.people.index;
    let had = index.len();
    for r in people {
        if index.by_id(r.id).is_none() {
            index.upsert(row_entry(r));
        }
    }
    index.prepare();
    if !matches!(state.people.status, IndexStatus::Failed(_)) {
        state.people.status = IndexStatus::Done {
            total: state.people.index.len(),
        };
    }
    if state.people.index.len() != had {
        super::update::people_changed(state);
    }
    state
        .cadences
        .rebuild(&state.metrics.agg, &state.metrics.loaded);
}

fn person_row(p: &crate::api::models::Person) -> PersonRow {
    let e = person_entry(p);
    PersonRow {
        id: e.id,
        name: e.name,
        email: e.email,
        company: e.company,
        title: e.title,
    }
}

fn person_entry(p: &crate::api::models::Person) -> PersonEntry {
    PersonEntry {
        id: p.id,
        name: p.label(),
        email: p.email_address.clone().unwrap_or_default(),
        company: p.person_company_name.clone().unwrap_or_default(),
        title: p.title.clone().unwrap_or_default(),
    }
}

/// Applies what the start-up read found: seeds the state, or says why the store is
/// not used.
pub fn apply_load(state: &mut AppState, load: StoreLoad) {
    match load {
        StoreLoad::Absent => {}
        StoreLoad::Loaded(stored) => {
            let Stored {
                data,
                range,
                totals,
                coverage,
            } = *stored;
            seed_data(state, data);
            state.store.coverage = coverage;
            if coverage.people {
                state.people.status = IndexStatus::Running;
            }
            let wall = state.clock.wall;
            let mut agg = Aggregator::from_totals(range, wall, totals);
            // A state on another range than the load's shows no stored numbers.
            agg.set_range(state.metrics.range, wall);
            state.metrics.agg = agg;
            state
                .cadences
                .rebuild(&state.metrics.agg, &state.metrics.loaded);
        }
        StoreLoad::Failed(message) => state.say(Level::Warn, message),
    }
}

/// A report from the background sync.
/// Returns the requests it leads to.
pub fn on_event(state: &mut AppState, event: StoreEvent) -> Vec<Effect> {
    match event {
        StoreEvent::Loaded(Ok(rest)) => take_rest(state, *rest),
        StoreEvent::Loaded(Err(e)) => {
            // Counting goes on from the live reads alone.
            let wall = state.clock.wall;
            let m = &mut state.metrics;
            m.agg
                .absorb(Aggregator::new(TimeRange::All, wall), wall, &mut m.series);
            state.say(
                Level::Warn,
                format!(
                    "reading the local store's people and emails failed ({e}); \
                     they load from SalesLoft instead"
                ),
            );
            let fx = super::update::store_fallback(state);
            state
                .cadences
                .rebuild(&state.metrics.agg, &state.metrics.loaded);
            return fx;
        }
        StoreEvent::Changed(changes) => {
            let Changes { people, facts } = *changes;
            let mut indexed = false;
            for r in people {
                indexed |= state.people.index.upsert(row_entry(r));
            }
            if indexed {
                state.people.index.prepare();
                super::update::people_changed(state);
            }
            let mut changed = false;
            for f in facts {
                changed |= state.metrics.agg.upsert(f);
            }
            if changed {
                state
                    .cadences
                    .rebuild(&state.metrics.agg, &state.metrics.loaded);
            }
        }
        StoreEvent::Progress(p) => {
            let mut per = match std::mem::take(&mut state.store.sync) {
                SyncLine::Running(per) => per,
                _ => Vec::new(),
            };
            match per.iter_mut().find(|(r, _, _)| *r == p.resource) {
                Some(e) => *e = (p.resource, p.records, p.expected),
                None => per.push((p.resource, p.records, p.expected)),
            }
            state.store.sync = SyncLine::Running(per);
        }
        StoreEvent::Finished {
            ok,
            records,
            error,
            synced_at,
        } => {
            state.store.sync = SyncLine::Done;
            if synced_at.is_some() {
                state.store.synced_at = synced_at;
            }
            // Said for the first run and when the outcome changes; the periodic
            // refreshes and repeated retries stay quiet.
            let was = state.store.last_ok.replace(ok);
            if ok && was != Some(true) {
                state.say(
                    Level::Info,
                    format!("local store up to date ({records} records read)"),
                );
            } else if !ok && was != Some(false) {
                let what = error.unwrap_or_else(|| "it stopped".to_string());
                state.say(
                    Level::Warn,
                    format!(
                        "the local store was not fully refreshed ({what}); \
                         retrying in the background"
                    ),
                );
            }
        }
    }
    Vec::new()
}

fn row_entry(r: PersonRow) -> PersonEntry {
    PersonEntry {
        id: r.id,
        name: r.name,
        email: r.email,
        company: r.company,
        title: r.title,
    }
}

/// When the next background sync runs after `failures` failed runs in a row:
/// [`REFRESH_EVERY`] after a good one; 30 s, 1, 2, 4... minutes (at most
/// [`REFRESH_EVERY`]) after failures.
pub fn next_sync_in(failures: u32) -> std::time::Duration {
    if failures == 0 {
        return REFRESH_EVERY;
    }
    let backoff = std::time::Duration::from_secs(30).saturating_mul(1 << (failures - 1).min(10));
    backoff.min(REFRESH_EVERY)
}

/// How often the background sync refreshes the store while the dashboard runs
/// (an incremental run costs a point per resource when nothing changed).
pub const REFRESH_EVERY: std::time::Duration = std::time::Duration::from_secs(600);

/// Waits `d`; false as soon as `stop` is cancelled.
async fn pause(d: std::time::Duration, stop: &crate::sync::CancelToken) -> bool {
    let end = tokio::time::Instant::now() + d;
    while tokio::time::Instant::now() < end {
        if stop.is_cancelled() {
            return false;
        }
        let step = std::time::Duration::from_millis(250);
        tokio::time::sleep(step.min(end - tokio::time::Instant::now())).await;
    }
    !stop.is_cancelled()
}

/// The dashboard's background sync of the store: started after the first frame,
/// then again every [`REFRESH_EVERY`] (sooner, with backoff, after a failure),
/// stopped (checkpoints kept) when the dashboard quits. What each run changes is
/// shown at once ([`StoreEvent::Changed`]).
pub struct BackgroundSync {
    cancel: crate::sync::CancelToken,
    task: tokio::task::JoinHandle<()>,
}

/// Connections the background sync uses: few, so the dashboard's own reads
/// never wait for a slot behind it.
pub const SYNC_CONNECTIONS: usize = 2;

impl BackgroundSync {
    /// Starts an incremental refresh of the store at `path` (a full sync when it
    /// is empty), as bulk background work: at most `share` of each budget window
    /// (the profile's `background_share`), and nothing while the budget is under
    /// `reserve` (the profile's). With `rest`, it first
    /// reads what the dashboard's first frame left out ([`load_rest`], reported as
    /// [`StoreEvent::Loaded`]). Reports go to the returned receiver.
    pub fn start(
        client: crate::api::ApiClient,
        path: std::path::PathBuf,
        server: String,
        reserve: f64,
        share: f64,
        rest: bool,
    ) -> (
        BackgroundSync,
        tokio::sync::mpsc::UnboundedReceiver<StoreEvent>,
    ) {
        use std::sync::{Arc, Mutex};

        let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
        let cancel = crate::sync::CancelToken::new();
        let stop = cancel.clone();
        let task = tokio::spawn(async move {
            if rest {
                let p = path.clone();
                let loaded = tokio::task::spawn_blocking(move || load_rest(&p))
                    .await
                    .unwrap_or_else(|e| Err(format!("the read stopped: {e}")));
                let _ = tx.send(StoreEvent::Loaded(loaded.map(Box::new)));
            }
            let opened = tokio::task::spawn_blocking(move || {
                let store = Store::open(&path)?;
                if store.meta(SERVER_KEY)?.is_none() {
                    store.set_meta(SERVER_KEY, &server)?;
                }
                Ok::<_, crate::store::StoreError>(store)
            })
            .await;
            let store = match opened {
                Ok(Ok(s)) => Arc::new(Mutex::new(s)),
                Ok(Err(e)) => {
                    let _ = tx.send(StoreEvent::Finished {
                        ok: false,
                        records: 0,
                        error: Some(e.to_string()),
                        synced_at: None,
                    });
                    return;
                }
                Err(_) => return,
            };
            let progress = {
                let tx = tx.clone();
                Arc::new(move |p: &Progress| {
                    let _ = tx.send(StoreEvent::Progress(p.clone()));
                })
            };
            let opts = crate::sync::SyncOptions {
                resources: Resource::ALL.to_vec(),
                full: false,
                concurrency: SYNC_CONNECTIONS,
                priority: crate::budget::Priority::Bulk,
                reserve,
                bulk_share: share,
            };
            let mut failures = 0u32;
            for run in 0u32.. {
                let locked = || store.lock().unwrap_or_else(|e| e.into_inner());
                let marks = watermarks(&locked());
                let report = crate::sync::Engine::new(client.clone(), store.clone(), opts.clone())
                    .with_cancel(stop.clone())
                    .on_progress(progress.clone())
                    .run()
                    .await;
                tracing::info!(
                    run,
                    records = report.records,
                    requests = report.requests,
                    points = report.points,
                    ok = report.ok(),
                    "background store sync ended"
                );
                if stop.is_cancelled() {
                    break;
                }
                // What this run wrote, shown now. Not after a first full sync
                // into an empty store: the dashboard read all of it live.
                if report.records > 0 && (rest || run > 0) {
                    let changes = {
                        let store = store.clone();
                        tokio::task::spawn_blocking(move || {
                            load_changes(&store.lock().unwrap_or_else(|e| e.into_inner()), marks)
                        })
                        .await
                    };
                    match changes {
                        Ok(Ok(c)) if !(c.people.is_empty() && c.facts.is_empty()) => {
                            let _ = tx.send(StoreEvent::Changed(Box::new(c)));
                        }
                        Ok(Ok(_)) => {}
                        Ok(Err(e)) => {
                            tracing::warn!(error = %e, "reading the sync's changes failed")
                        }
                        Err(e) => tracing::warn!(error = %e, "reading the sync's changes stopped"),
                    }
                }
                let synced_at = locked().last_synced_at().ok().flatten();
                let _ = tx.send(StoreEvent::finished(&report, synced_at));
                failures = if report.ok() { 0 } else { failures + 1 };
                if !pause(next_sync_in(failures), &stop).await {
                    break;
                }
            }
        });
        (BackgroundSync { cancel, task }, rx)
    }

    /// Stops the sync; requests in flight are saved with their checkpoints
    /// (waits at most `grace`).
    pub async fn stop(self, grace: std::time::Duration) {
        self.cancel.cancel();
        let mut task = self.task;
        if tokio::time::timeout(grace, &mut task).await.is_err() {
            task.abort();
        }
    }
}
