//! The dashboard's background sync of the local store, owned by the worker: started
//! with the worker when the profile has a store, then again every [`REFRESH_EVERY`]
//! (sooner, with backoff, after a failure), stopped (checkpoints kept) when the
//! dashboard quits. Bulk background work: at most the profile's
//! `background_share` of each budget window, nothing under the reserve. Its
//! reports ([`StoreEvent`]) reach the UI as `WorkerEvent::Store`.

use std::path::PathBuf;

use chrono::{DateTime, Utc};

use crate::store::Store;
use crate::store::start::{Changes, Rest, SERVER_KEY, load_changes, load_rest, watermarks};
use crate::sync::{Progress, Resource, SyncReport};

/// What the worker's background sync works on.
#[derive(Debug, Clone, PartialEq)]
pub struct StoreSync {
    /// The profile's store file.
    pub path: PathBuf,
    /// The server the dashboard talks to (written to a new store's meta).
    pub server: String,
    /// The share of each budget window the sync may take (`background_share`).
    pub share: f64,
    /// First read what the first frame left out ([`load_rest`]).
    pub rest: bool,
}

/// A report from the dashboard's background sync.
#[derive(Debug)]
pub enum StoreEvent {
    /// The people and facts read after the first frame ([`load_rest`]), or why not.
    Loaded(Result<Box<Rest>, String>),
    /// Everything the store holds, read again to replace what the dashboard has:
    /// people and facts removed upstream go (the team database's reader sends it
    /// after a removed email fact, or when it fell behind pruned removals).
    Reloaded(Box<Rest>),
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

/// The stored people as a prepared search index (the expensive part of taking
/// them: a second or so at 100k people), so the UI task only swaps it in.
pub fn index_people(mut rest: Rest) -> Rest {
    let mut index = crate::search::PeopleIndex::default();
    for r in std::mem::take(&mut rest.people) {
        index.upsert(crate::search::PersonEntry {
            id: r.id,
            name: r.name,
            email: r.email,
            company: r.company,
            title: r.title,
        });
    }
    index.prepare();
    rest.index = Some(index);
    rest
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
        opts: StoreSync,
        reserve: f64,
    ) -> (
        BackgroundSync,
        tokio::sync::mpsc::UnboundedReceiver<StoreEvent>,
    ) {
        use std::sync::{Arc, Mutex};

        let StoreSync {
            path,
            server,
            share,
            rest,
        } = opts;
        let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
        let cancel = crate::sync::CancelToken::new();
        let stop = cancel.clone();
        let task = tokio::spawn(async move {
            if rest {
                let p = path.clone();
                let loaded = tokio::task::spawn_blocking(move || load_rest(&p).map(index_people))
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
                check_priority: Some(crate::budget::Priority::Background),
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
