//! The engine's page writer: one thread that owns the store's writes of full-sync
//! pages, so the async workers keep fetching and decoding while SQLite works.
//!
//! Pages that arrive while a transaction runs are written together in the next
//! one (group commit): every page still goes in with its checkpoint, and a page's
//! sender hears back only once its transaction committed, so the engine plans
//! from durable pages exactly as before, with one commit per batch instead of one
//! per page. The rows are staged ([`RecordStore::stage_pages_prepared`]: appended
//! in arrival order, a commit touches a page or two of the store) and moved into
//! their tables in id order once no page has come for [`IDLE`] (the budget's
//! pauses), when a full sync has read its last page ([`PageWriter::merge`]), and
//! when the writer stops.

use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender, channel};
use std::sync::{Arc, Mutex};

use tokio::sync::oneshot;

use crate::store::{PageMark, Prepared, RecordStore, StoreError};

/// Pages written in one transaction at most.
const MAX_BATCH: usize = 64;
/// Rows staged between two copies of the log into the file while pages flow
/// (on a thread of its own, beside the writer): the sync's end then copies
/// only what came since, instead of every page the sync wrote.
const COPY_EVERY: usize = 2_000;
/// How long no page must have come before the staged rows are merged: longer than
/// the gaps between pages while they flow (a few ms at eight connections), so a
/// merge runs in the budget's pauses or at the end, not between two pages.
const IDLE: std::time::Duration = std::time::Duration::from_millis(100);

struct Job {
    resource: &'static str,
    mark: PageMark,
    rows: Prepared,
    generation: i64,
    done: oneshot::Sender<Result<(), String>>,
}

/// What the writer thread is asked to do.
enum Msg {
    Page(Job),
    /// Merge the staged rows now; answered once they are in their tables.
    Merge(oneshot::Sender<()>),
}

/// A handle to the writer thread; the thread ends at [`PageWriter::finish`] or
/// when the handle is dropped.
pub(crate) struct PageWriter {
    tx: Mutex<Option<Sender<Msg>>>,
    thread: Mutex<Option<std::thread::JoinHandle<()>>>,
}

impl PageWriter {
    /// Starts the writer on `store`. Falls back to writing on the caller's
    /// thread if no thread can be started.
    pub(crate) fn start(store: Arc<Mutex<dyn RecordStore>>) -> PageWriter {
        let (tx, rx) = channel::<Msg>();
        let spawned = std::thread::Builder::new()
            .name("sltui-sync-writer".into())
            .spawn({
                let store = store.clone();
                move || run(&store, rx)
            });
        let thread = match spawned {
            Ok(t) => Some(t),
            Err(e) => {
                tracing::warn!(error = %e, "no writer thread; pages are written inline");
                None
            }
        };
        PageWriter {
            tx: Mutex::new(Some(tx)),
            thread: Mutex::new(thread),
        }
    }

    /// Stops the thread once it has answered every page sent; later pages are
    /// refused with [`WriteError::Stopped`].
    pub(crate) fn finish(&self) {
        self.tx.lock().unwrap_or_else(|e| e.into_inner()).take();
        let thread = self.thread.lock().unwrap_or_else(|e| e.into_inner()).take();
        if let Some(t) = thread {
            let _ = t.join();
        }
    }

    /// Writes one page with its checkpoint; resolves once it is committed.
    pub(crate) async fn save(
        &self,
        resource: &'static str,
        mark: PageMark,
        rows: Prepared,
        generation: i64,
    ) -> Result<(), WriteError> {
        let (done, answer) = oneshot::channel();
        let job = Job {
            resource,
            mark,
            rows,
            generation,
            done,
        };
        let sent = match self.tx.lock().unwrap_or_else(|e| e.into_inner()).as_ref() {
            Some(tx) => tx.send(Msg::Page(job)).map_err(|back| back.0),
            None => Err(Msg::Page(job)),
        };
        if let Err(Msg::Page(job)) = sent {
            return Err(WriteError::Stopped(job.mark, job.rows));
        }
        match answer.await {
            Ok(Ok(())) => Ok(()),
            Ok(Err(msg)) => Err(WriteError::Store(msg)),
            Err(_) => Err(WriteError::Lost),
        }
    }

    /// Moves the staged rows into their tables now (a full sync read its last
    /// page: the writer would otherwise wait for [`IDLE`], and the sync's end
    /// would merge them on the engine's task). The log the pages filled is
    /// copied into the file beside the merge and after it, while the sync goes
    /// on. Returns once merged; at once when there is no writer thread.
    pub(crate) async fn merge(&self) {
        let (done, answer) = oneshot::channel();
        let sent = match self.tx.lock().unwrap_or_else(|e| e.into_inner()).as_ref() {
            Some(tx) => tx.send(Msg::Merge(done)).is_ok(),
            None => false,
        };
        if sent {
            let _ = answer.await;
        }
    }
}

/// Why a page was not written.
#[derive(Debug)]
pub(crate) enum WriteError {
    /// The writer thread is gone (it never started): the caller writes the
    /// page itself.
    Stopped(PageMark, Prepared),
    /// The transaction failed; the store's message.
    Store(String),
    /// The writer stopped before answering (it panicked).
    Lost,
}

fn run(store: &Mutex<dyn RecordStore>, rx: Receiver<Msg>) {
    let locked = || store.lock().unwrap_or_else(|e| e.into_inner());
    let bulk = |on: bool| {
        if let Err(e) = locked().bulk_writes(on) {
            tracing::warn!(error = %e, "store not tuned for the sync's writes");
        }
    };
    // Rows staged and not yet merged into their tables; at the start, rows a
    // stopped process may have left staged (merged at the first pause or at the
    // latest when this writer stops, so an incremental run shows them too).
    let mut staged = 1usize;
    let mut merger = Merger {
        aside: locked().checkpoint_aside(),
        copying: None,
        since_copy: 0,
    };
    bulk(true);
    loop {
        let first = match rx.recv_timeout(IDLE) {
            Ok(msg) => msg,
            Err(RecvTimeoutError::Timeout) => {
                merger.merge(store, &mut staged);
                match rx.recv() {
                    Ok(msg) => msg,
                    Err(_) => break,
                }
            }
            Err(RecvTimeoutError::Disconnected) => break,
        };
        let mut batch = Vec::new();
        let mut merges = Vec::new();
        let mut next = Some(first);
        while let Some(msg) = next.take() {
            match msg {
                Msg::Page(job) => batch.push(job),
                Msg::Merge(done) => merges.push(done),
            }
            if batch.len() < MAX_BATCH {
                next = rx.try_recv().ok();
            }
        }
        if !batch.is_empty() {
            let before = staged;
            write(store, batch, &mut staged);
            merger.since_copy += staged.saturating_sub(before);
            merger.copy_if_due();
        }
        if !merges.is_empty() {
            merger.merge(store, &mut staged);
            for done in merges {
                let _ = done.send(());
            }
        }
    }
    merger.merge(store, &mut staged);
    merger.join();
    bulk(false);
}

/// Writes a batch of pages (rows staged, with their checkpoints) in one
/// transaction and answers each page's sender.
fn write(store: &Mutex<dyn RecordStore>, batch: Vec<Job>, staged: &mut usize) {
    let outcome = {
        let pages: Vec<(&str, &PageMark, &Prepared, i64)> = batch
            .iter()
            .map(|j| (j.resource, &j.mark, &j.rows, j.generation))
            .collect();
        store
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .stage_pages_prepared(&pages)
    };
    if outcome.is_ok() {
        *staged += batch.iter().map(|j| j.rows.len()).sum::<usize>();
    }
    let outcome = outcome.map_err(|e: StoreError| e.to_string());
    for job in batch {
        // A sender that gave up (its task was dropped) needs no answer.
        let _ = job.done.send(outcome.clone());
    }
}

/// Merges the staged rows, and copies the log into the file with a checkpoint
/// that needs no lock on the store, on a thread of its own: every
/// [`COPY_EVERY`] rows while pages flow, and after each merge while the sync
/// goes on (its last request, the end of its full sync), so the checkpoint that
/// ends the sync (in `bulk_writes(false)`) copies only what was written since.
struct Merger {
    aside: Option<Arc<dyn Fn() + Send + Sync>>,
    copying: Option<std::thread::JoinHandle<()>>,
    /// Rows staged since the last copy began.
    since_copy: usize,
}

impl Merger {
    /// Starts a copy of the log into the file once [`COPY_EVERY`] rows were
    /// staged since the last one, unless that one still runs.
    fn copy_if_due(&mut self) {
        if self.since_copy < COPY_EVERY || self.copying.as_ref().is_some_and(|t| !t.is_finished()) {
            return;
        }
        self.join();
        self.copy();
    }

    fn copy(&mut self) {
        self.since_copy = 0;
        self.copying = self.aside.clone().and_then(|work| {
            std::thread::Builder::new()
                .name("sltui-sync-checkpoint".into())
                .spawn(move || work())
                .ok()
        });
    }

    fn merge(&mut self, store: &Mutex<dyn RecordStore>, staged: &mut usize) {
        if *staged == 0 {
            return;
        }
        // The copy that runs ends first: beside the merge it would slow it.
        self.join();
        // A failed merge leaves the rows staged: the next merge (at the
        // latest when the sync finishes) takes them.
        match store
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .merge_staged()
        {
            Ok(_) => *staged = 0,
            Err(e) => tracing::warn!(error = %e, "staged rows not merged yet"),
        }
        // The merge's pages are copied while the sync goes on.
        self.copy();
    }

    fn join(&mut self) {
        if let Some(t) = self.copying.take() {
            let _ = t.join();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::models::Person;
    use crate::store::StoreRecord;

    fn person(id: u64) -> Person {
        serde_json::from_value(serde_json::json!({
            "id": id,
            "created_at": "2024-05-01T09:00:00.000000-04:00",
            "updated_at": format!("2024-05-01T09:00:{:02}.000000-04:00", id % 60),
            "first_name": "Ada",
            "last_name": format!("L{id}"),
            "email_address": format!("ada{id}@example.com"),
        }))
        .expect("a person")
    }

    fn person_ids(store: &Mutex<crate::store::Store>) -> Vec<u64> {
        let people = store.lock().unwrap().people().unwrap();
        people.iter().map(|p| p.id).collect()
    }

    fn mark(page: u32, len: u32) -> PageMark {
        PageMark {
            idx: 0,
            page,
            count: 1_000,
            len,
            first_at: None,
            last_at: None,
            last_ids: vec![u64::from(page)],
        }
    }

    #[test]
    fn rows_a_stopped_process_left_staged_are_merged_by_the_next_writer() {
        let mut store = crate::store::Store::open_in_memory().unwrap();
        let rows = Person::prepare(&[person(7), person(8)]);
        store
            .stage_pages_prepared(&[("people", &mark(1, 2), &rows, 1)])
            .unwrap();
        assert!(store.people().unwrap().is_empty(), "staged, not merged");
        // The next run (an incremental one, say) writes no page at all.
        let store = Arc::new(Mutex::new(store));
        PageWriter::start(store.clone()).finish();
        assert_eq!(
            person_ids(&store),
            vec![7, 8],
            "merged when the writer stopped"
        );
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_merge_asked_for_moves_the_staged_rows_before_the_writer_stops() {
        let store = Arc::new(Mutex::new(crate::store::Store::open_in_memory().unwrap()));
        let writer = PageWriter::start(store.clone());
        let rows = Person::prepare(&[person(3), person(1)]);
        writer.save("people", mark(1, 2), rows, 1).await.unwrap();
        writer.merge().await;
        assert_eq!(
            person_ids(&store),
            vec![1, 3],
            "merged while the writer runs"
        );
        writer.finish();
        // Without a writer thread, a merge asked for returns at once.
        writer.merge().await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn concurrent_pages_are_all_written_with_their_checkpoints() {
        let store = Arc::new(Mutex::new(crate::store::Store::open_in_memory().unwrap()));
        let state = store
            .lock()
            .unwrap()
            .begin_full("people", None, Some(400))
            .unwrap();
        let writer = Arc::new(PageWriter::start(store.clone()));
        let mut tasks = Vec::new();
        for page in 1..=40u32 {
            let writer = writer.clone();
            let generation = state.generation;
            tasks.push(tokio::spawn(async move {
                let rows: Vec<Person> =
                    (0..10).map(|i| person(u64::from(page) * 100 + i)).collect();
                let prepared = Person::prepare(&rows);
                writer
                    .save("people", mark(page, 10), prepared, generation)
                    .await
            }));
        }
        for t in tasks {
            t.await.unwrap().unwrap();
        }
        writer.finish();
        // After the thread ended, a page is handed back to be written inline.
        let late = writer
            .save(
                "people",
                mark(41, 0),
                Person::prepare(&[]),
                state.generation,
            )
            .await;
        assert!(matches!(late, Err(WriteError::Stopped(m, _)) if m.page == 41));
        let s = store.lock().unwrap();
        assert_eq!(s.count("people").unwrap(), 400);
        let pages = s.pages("people").unwrap();
        assert_eq!(pages.len(), 40);
        assert!(
            pages
                .iter()
                .all(|p| p.len == 10 && p.last_ids == vec![u64::from(p.page)])
        );
    }
}
