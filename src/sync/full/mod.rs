//! The windowed parallel full sync of one resource (see the module docs of
//! [`crate::sync`]): the plan that opens, settles and finishes windows
//! ([`window`]), and the page reads it launches ([`page`]).

mod page;
mod window;

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use futures::StreamExt;
use futures::stream::FuturesUnordered;
use tokio::task::JoinHandle;

use super::ctx::{Ctx, PAGES_PER_WINDOW, PER_PAGE, Resource, SyncError, Syncable, Tally};
use crate::api::CursorPosition;
use crate::store::{ResourceState, WindowMark};
use page::{Fetched, PageJob, PageRef, Read, fetch_page, window_query};
use window::{Time, Window, is_clump_window, just_after, surely_last};

/// Runs (or resumes) the full sync of `res`, then the incremental cursor.
pub(super) async fn full<T: Syncable>(
    ctx: &Arc<Ctx>,
    res: Resource,
    fresh: bool,
    tally: &Arc<Mutex<Tally>>,
) -> Result<(), SyncError> {
    let name = res.name();
    let (state, resumed) = open::<T>(ctx, res, fresh, tally).await?;
    lock(tally).expected = state.expected;
    let Some(high) = state.high_water else {
        // Nothing on the server: the cursor starts at the beginning.
        let removed = ctx
            .store()
            .finish_full(name, res.table(), &CursorPosition::start())?;
        lock(tally).removed += removed;
        return super::walk::incremental::<T>(ctx, res, tally).await;
    };
    let wins = load_windows(ctx, name, resumed)?;
    if resumed {
        // Resumed pages already hold their records.
        let read: u64 = wins
            .iter()
            .flat_map(|w| w.pages.values())
            .map(|p| u64::from(p.len))
            .sum();
        let mut t = lock(tally);
        t.expected = t.expected.map(|e| e.saturating_sub(read));
    }
    let mut run = Run::<T> {
        ctx,
        res,
        tally,
        end: just_after(&high),
        high,
        generation: state.generation,
        expected: state.expected,
        wins,
        queue: VecDeque::new(),
        inflight: FuturesUnordered::new(),
        _record: std::marker::PhantomData,
    };
    run.windows().await?;
    // Every page is answered: the cursor's first request (everything updated
    // after `high`) goes out now, while the staged rows move into the table on
    // the writer's thread and the full sync ends.
    let cursor = CursorPosition::since(high);
    let end = async {
        ctx.writer.merge().await;
        let removed = ctx.store().finish_full(name, res.table(), &cursor)?;
        lock(tally).removed += removed;
        Ok(())
    };
    super::walk::incremental_from::<T>(ctx, res, tally, cursor.clone(), end).await
}

fn lock(tally: &Mutex<Tally>) -> std::sync::MutexGuard<'_, Tally> {
    tally.lock().unwrap_or_else(|e| e.into_inner())
}

/// The resource's full-sync state: the one it left off in on a resume, else a
/// new one begun after the probe (the newest record and the count). The flag
/// says it was resumed.
async fn open<T: Syncable>(
    ctx: &Ctx,
    res: Resource,
    fresh: bool,
    tally: &Mutex<Tally>,
) -> Result<(ResourceState, bool), SyncError> {
    let name = res.name();
    let state = ctx.store().resource_state(name)?;
    let resumed = !fresh && state.full_running();
    if resumed {
        return Ok((state, true));
    }
    let q = res
        .base_query()
        .set("sort_by", "updated_at")
        .set("sort_direction", "DESC")
        .set("per_page", 1)
        .set("include_paging_counts", "true");
    let env = ctx
        .gated(tally, || ctx.client.list::<T>(res.path(), &q))
        .await
        .ok_or(SyncError::Cancelled)??;
    let high = env.data.first().map(|r| r.updated_at());
    let expected = env.metadata.paging.and_then(|p| p.total_count);
    Ok((ctx.store().begin_full(name, high, expected)?, false))
}

/// The windows and pages the store holds for this sync, or window 0 when there
/// are none yet.
fn load_windows(ctx: &Ctx, name: &str, resumed: bool) -> Result<Vec<Window>, SyncError> {
    let mut wins: Vec<Window> = ctx
        .store()
        .windows(name)?
        .into_iter()
        .map(|m| Window::new(m, resumed))
        .collect();
    for p in ctx.store().pages(name)? {
        if let Some(w) = wins.iter_mut().find(|w| w.mark.idx == p.idx) {
            w.absorb_stored(p);
        }
    }
    if wins.is_empty() {
        ctx.store().add_window(name, 0, &CursorPosition::start())?;
        wins.push(Window::first_of_all());
    }
    Ok(wins)
}

/// One full sync's windows, its queue of pages to read and the reads in flight.
struct Run<'a, T> {
    ctx: &'a Arc<Ctx>,
    res: Resource,
    tally: &'a Arc<Mutex<Tally>>,
    /// The exclusive end of everything the windows read: just after `high`.
    end: String,
    /// The high water mark: the newest record when the sync began.
    high: Time,
    generation: i64,
    /// Records the probe counted.
    expected: Option<u64>,
    wins: Vec<Window>,
    queue: VecDeque<PageRef>,
    inflight: FuturesUnordered<JoinHandle<Fetched>>,
    _record: std::marker::PhantomData<fn() -> T>,
}

impl<T: Syncable> Run<'_, T> {
    /// Settles windows and reads pages until every window is done.
    async fn windows(&mut self) -> Result<(), SyncError> {
        let name = self.res.name();
        loop {
            self.settle().await?;
            if self.wins.iter().all(|w| w.mark.done) && self.inflight.is_empty() {
                return Ok(());
            }
            if self.ctx.cancel.is_cancelled() {
                // What is in flight is saved by its task; start nothing new.
                while self.inflight.next().await.is_some() {}
                return Err(SyncError::Cancelled);
            }
            self.launch_queued();
            let Some(done) = self.inflight.next().await else {
                if self.queue.is_empty() && !self.wins.iter().all(|w| w.mark.done) {
                    return Err(SyncError::Server(format!(
                        "the sync of {name} could not plan its next pages; run `sltui sync --full`"
                    )));
                }
                continue;
            };
            let fetched = done.map_err(|e| {
                SyncError::Server(format!("a page read of {name} stopped unexpectedly: {e}"))
            })?;
            self.absorb(fetched)?;
        }
    }

    /// Creates successors, finishes complete windows and plans pages, for every
    /// window in turn (a successor made here is settled in the same pass).
    async fn settle(&mut self) -> Result<(), SyncError> {
        let mut i = 0;
        while i < self.wins.len() {
            self.settle_one(i).await?;
            i += 1;
        }
        Ok(())
    }

    async fn settle_one(&mut self, i: usize) -> Result<(), SyncError> {
        let (ctx, res) = (self.ctx, self.res);
        if self.wins[i].mark.done {
            return Ok(());
        }
        if is_clump_window(&self.wins, i) {
            let start = self.wins[i].mark.start.clone();
            super::walk::bounded::<T>(ctx, res, start, &self.end, self.generation, self.tally)
                .await?;
            return self.finish(i);
        }
        let last = i + 1 == self.wins.len();
        if self.wins[i].overflows() && last {
            self.add_successor(i)?;
        }
        let w = &self.wins[i];
        if w.all_read() && w.queued.is_empty() && (!w.overflows() || i + 1 < self.wins.len()) {
            return self.close(i).await;
        }
        self.plan(i);
        Ok(())
    }

    /// Window `i + 1`, once window `i`'s page 100 says where it starts.
    fn add_successor(&mut self, i: usize) -> Result<(), SyncError> {
        if let Some(start) = self.wins[i].successor_start() {
            let idx = self.wins[i].mark.idx + 1;
            self.ctx.store().add_window(self.res.name(), idx, &start)?;
            let mark = WindowMark {
                idx,
                start,
                done: false,
            };
            self.wins.push(Window::new(mark, false));
        }
        Ok(())
    }

    /// Re-reads the boundaries where window `i` shrank, then finishes it.
    async fn close(&mut self, i: usize) -> Result<(), SyncError> {
        let win_end = match self.wins.get(i + 1) {
            Some(next) => next
                .mark
                .start
                .after
                .as_ref()
                .map_or_else(|| self.end.clone(), just_after),
            None => self.end.clone(),
        };
        for gap in self.wins[i].gaps(&win_end) {
            lock(self.tally).gaps += 1;
            super::walk::bounded::<T>(
                self.ctx,
                self.res,
                gap.from,
                &gap.to,
                self.generation,
                self.tally,
            )
            .await?;
        }
        self.finish(i)
    }

    fn finish(&mut self, i: usize) -> Result<(), SyncError> {
        let idx = self.wins[i].mark.idx;
        self.ctx.store().finish_window(self.res.name(), idx)?;
        self.wins[i].mark.done = true;
        Ok(())
    }

    /// Queues the pages window `i` needs next: its first page and page 100 at
    /// the front (count and successor), the rest behind, last page first: where
    /// page 100 ends inside a run of equal timestamps, the pages before it tell
    /// where the next window starts, so it starts early, not after this one.
    fn plan(&mut self, i: usize) {
        let w = &mut self.wins[i];
        let first = w.first();
        for page in w
            .wanted(surely_last(self.expected, w.mark.idx))
            .into_iter()
            .rev()
        {
            if !w.pages.contains_key(&page) && w.queued.insert(page) {
                let at = PageRef {
                    idx: w.mark.idx,
                    page,
                };
                if page == first || page == PAGES_PER_WINDOW {
                    self.queue.push_front(at);
                } else {
                    self.queue.push_back(at);
                }
            }
        }
    }

    /// Starts queued page reads, up to twice the concurrency in flight.
    fn launch_queued(&mut self) {
        while self.inflight.len() < self.ctx.concurrency * 2 {
            let Some(at) = self.queue.pop_front() else {
                break;
            };
            let Some(w) = self.wins.iter().find(|w| w.mark.idx == at.idx) else {
                continue;
            };
            let task = self.launch(w, at);
            self.inflight.push(task);
        }
    }

    fn launch(&self, w: &Window, at: PageRef) -> JoinHandle<Fetched> {
        let (ctx, tally) = (self.ctx.clone(), self.tally.clone());
        let start = w.mark.start.clone();
        // Page 100 asked before anything is known opens the window: uncounted, up
        // to the high water mark. Every other page is counted, bounded once known.
        let opener = at.page == PAGES_PER_WINDOW && !w.has_counted() && w.opener().is_none();
        let q = if opener {
            window_query(self.res, &start, &self.end, false)
        } else {
            window_query(self.res, &start, &w.counted_end(&self.end), true)
        }
        .set("page", at.page);
        let (res, high, generation) = (self.res, self.high, self.generation);
        tokio::spawn(async move {
            let job = PageJob {
                res,
                at,
                start: &start,
                high: &high,
                generation,
            };
            let out = fetch_page::<T>(&ctx, job, q, &tally).await;
            Fetched {
                at,
                asked_count: !opener,
                out,
            }
        })
    }

    /// Takes a page read back into its window.
    fn absorb(&mut self, fetched: Fetched) -> Result<(), SyncError> {
        let Fetched {
            at,
            asked_count,
            out,
        } = fetched;
        let Some(w) = self.wins.iter_mut().find(|w| w.mark.idx == at.idx) else {
            return Ok(());
        };
        w.queued.remove(&at.page);
        let Some(read) = out? else {
            return Ok(()); // cancelled before it started
        };
        check_skip(w, at.page, &read);
        if read.counted() {
            w.count = Some(w.count.unwrap_or(0).max(read.mark.count));
        } else if asked_count {
            w.uncounted = true;
        }
        w.pages.insert(at.page, read.mark);
        self.ctx.report(self.res, self.tally);
        Ok(())
    }
}

/// The skipped pages hold exactly the ties read before only if those lead the
/// first page read and appear nowhere else; otherwise the ties came back in
/// another order, and the skipped pages are read after all.
fn check_skip(w: &mut Window, page: u32, read: &Read) {
    if w.skip == 0 {
        return;
    }
    let lead = w.mark.start.seen_at_boundary.len() - (w.skip * PER_PAGE) as usize;
    let ok = if page == w.first() {
        read.dups == lead.min(read.mark.len as usize) && read.dups_lead
    } else {
        read.dups == 0
    };
    if !ok {
        w.skip = 0;
    }
}
