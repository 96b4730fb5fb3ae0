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
//! pauses), and when the writer stops.

use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender, TryRecvError, channel};
use std::sync::{Arc, Mutex};

use tokio::sync::oneshot;

use crate::store::{PageMark, Prepared, RecordStore, StoreError};

/// Pages written in one transaction at most.
const MAX_BATCH: usize = 64;
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

/// A handle to the writer thread; the thread ends at [`PageWriter::finish`] or
/// when the handle is dropped.
pub(crate) struct PageWriter {
    tx: Mutex<Option<Sender<Job>>>,
    thread: Mutex<Option<std::thread::JoinHandle<()>>>,
}

impl PageWriter {
    /// Starts the writer on `store`. Falls back to writing on the caller's
    /// thread if no thread can be started.
    pub(crate) fn start(store: Arc<Mutex<dyn RecordStore>>) -> PageWriter {
        let (tx, rx) = channel::<Job>();
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
            Some(tx) => tx.send(job).map_err(|back| back.0),
            None => Err(job),
        };
        if let Err(job) = sent {
            return Err(WriteError::Stopped(job.mark, job.rows));
        }
        match answer.await {
            Ok(Ok(())) => Ok(()),
            Ok(Err(msg)) => Err(WriteError::Store(msg)),
            Err(_) => Err(WriteError::Lost),
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

fn run(store: &Mutex<dyn RecordStore>, rx: Receiver<Job>) {
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
    // A checkpoint that needs no lock on the store, started with every merge:
    // while the rows are merged (here, or by the engine finishing the sync,
    // which holds the store meanwhile), the log the pages filled is copied into
    // the file on another thread, so the checkpoint that ends the sync (in
    // `bulk(false)`) copies only what the merge wrote.
    let aside = locked().checkpoint_aside();
    let merge = |staged: &mut usize| {
        if *staged > 0 {
            let copying = aside.clone().and_then(|work| {
                std::thread::Builder::new()
                    .name("sltui-sync-checkpoint".into())
                    .spawn(move || work())
                    .ok()
            });
            // A failed merge leaves the rows staged: the next merge (at the
            // latest when the sync finishes) takes them.
            match locked().merge_staged() {
                Ok(_) => *staged = 0,
                Err(e) => tracing::warn!(error = %e, "staged rows not merged yet"),
            }
            if let Some(t) = copying {
                let _ = t.join();
            }
        }
    };
    bulk(true);
    loop {
        let first = match rx.recv_timeout(IDLE) {
            Ok(job) => job,
            Err(RecvTimeoutError::Timeout) => {
                merge(&mut staged);
                match rx.recv() {
                    Ok(job) => job,
                    Err(_) => break,
                }
            }
            Err(RecvTimeoutError::Disconnected) => break,
        };
        let mut batch = vec![first];
        while batch.len() < MAX_BATCH {
            match rx.try_recv() {
                Ok(job) => batch.push(job),
                Err(TryRecvError::Empty | TryRecvError::Disconnected) => break,
            }
        }
        let outcome = {
            let pages: Vec<(&str, &PageMark, &Prepared, i64)> = batch
                .iter()
                .map(|j| (j.resource, &j.mark, &j.rows, j.generation))
                .collect();
            locked().stage_pages_prepared(&pages)
        };
        if outcome.is_ok() {
            staged += batch.iter().map(|j| j.rows.len()).sum::<usize>();
        }
        let outcome = outcome.map_err(|e: StoreError| e.to_string());
        for job in batch {
            // A sender that gave up (its task was dropped) needs no answer.
            let _ = job.done.send(outcome.clone());
        }
    }
    merge(&mut staged);
    bulk(false);
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
        let ids: Vec<u64> = store
            .lock()
            .unwrap()
            .people()
            .unwrap()
            .iter()
            .map(|p| p.id)
            .collect();
        assert_eq!(ids, vec![7, 8], "merged when the writer stopped");
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
