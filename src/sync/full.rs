//! The windowed parallel full sync of one resource (see the module docs of
//! [`crate::sync`]).

use std::collections::{BTreeMap, BTreeSet, HashSet, VecDeque};
use std::sync::{Arc, Mutex};

use chrono::{DateTime, FixedOffset, TimeDelta};
use futures::StreamExt;
use futures::stream::FuturesUnordered;
use serde::de::DeserializeOwned;

use super::writer::WriteError;
use super::{Ctx, PAGES_PER_WINDOW, PER_PAGE, Resource, SyncError, Tally};
use crate::api::models::Timestamped;
use crate::api::query::format_timestamp;
use crate::api::{CursorPosition, Query};
use crate::store::{PageMark, StoreRecord, WindowMark};

type Time = DateTime<FixedOffset>;

/// A record the engine can sync.
pub trait Syncable: DeserializeOwned + Timestamped + StoreRecord + Send + 'static {}
impl<T: DeserializeOwned + Timestamped + StoreRecord + Send + 'static> Syncable for T {}

/// An exclusive upper bound just after `t`: `[lt]` of `t + 1 µs` is `[lte] t`.
pub(super) fn just_after(t: &Time) -> String {
    format_timestamp(&(*t + TimeDelta::microseconds(1)))
}

/// The sorted query of a window starting at `start`, bounded by `lt`, with the
/// window's `total_count` when `counts`.
fn window_query(start: &CursorPosition, lt: &str, counts: bool) -> Query {
    let mut q = Query::new()
        .set("sort_by", "updated_at")
        .set("sort_direction", "ASC")
        .set("per_page", PER_PAGE)
        .set("updated_at[lt]", lt);
    if counts {
        q = q.set("include_paging_counts", "true");
    }
    if let Some(after) = &start.after {
        let key = if start.seen_at_boundary.is_empty() {
            "updated_at[gt]"
        } else {
            "updated_at[gte]"
        };
        q = q.set(key, format_timestamp(after));
    }
    q
}

struct Win {
    mark: WindowMark,
    pages: BTreeMap<u32, PageMark>,
    queued: BTreeSet<u32>,
    /// The largest count any page saw (a closed window only shrinks).
    count: Option<u64>,
    /// Pages were read without counts: walk them one after another.
    uncounted: bool,
    /// Leading pages not read: they hold only records the previous window read at
    /// this window's first instant (checked on the first page that is read).
    skip: u32,
}

impl Win {
    fn new(mark: WindowMark, resumed: bool) -> Win {
        // Records at the start instant that the previous window read come first
        // here (ties keep their order); whole pages of them need no reading. On a
        // resume the check cannot be repeated, so nothing is skipped.
        let skip = if resumed || mark.start.after.is_none() {
            0
        } else {
            (mark.start.seen_at_boundary.len() as u32 / PER_PAGE).min(PAGES_PER_WINDOW - 1)
        };
        Win {
            mark,
            pages: BTreeMap::new(),
            queued: BTreeSet::new(),
            count: None,
            uncounted: false,
            skip,
        }
    }

    fn first(&self) -> u32 {
        self.skip + 1
    }

    /// Page 100 when it was read first, without a count, to find the window's end.
    fn opener(&self) -> Option<&PageMark> {
        self.pages
            .get(&PAGES_PER_WINDOW)
            .filter(|p| p.count == NO_COUNT)
    }

    /// The window's newest instant once an opener page 100 came back full: the
    /// other pages are then counted over `[start, bound]` only (10,000 records, not
    /// everything up to the high water mark), which keeps the server's counting cheap.
    fn bound(&self) -> Option<Time> {
        self.opener()
            .filter(|p| p.len >= PER_PAGE)
            .and_then(|p| p.last_at)
    }

    /// The exclusive `updated_at[lt]` of the counted pages.
    fn counted_end(&self, end: &str) -> String {
        self.bound()
            .as_ref()
            .map_or_else(|| end.to_string(), just_after)
    }

    /// Pages this window has, when known.
    fn pages_needed(&self) -> Option<u32> {
        if self.opener().is_some_and(|p| p.len > 0) {
            // 9,901 records or more: every page up to 100.
            return Some(PAGES_PER_WINDOW);
        }
        if self.uncounted {
            // One page after another until a short one.
            let last = self.pages.keys().max().copied()?;
            let full = self.pages[&last].len >= PER_PAGE;
            return Some(if full && last < PAGES_PER_WINDOW {
                last + 1
            } else {
                last
            });
        }
        let c = self.count?;
        let capped = c.min(u64::from(PER_PAGE * PAGES_PER_WINDOW));
        Some((capped.div_ceil(u64::from(PER_PAGE)) as u32).max(self.first()))
    }

    /// Whether the records go on past page 100 (a next window is needed). Without
    /// a count of everything left (an opener page), a full page 100 says yes; at
    /// worst the next window finds nothing, for one request.
    fn overflows(&self) -> bool {
        let Some(p100) = self.pages.get(&PAGES_PER_WINDOW) else {
            return false;
        };
        if p100.len < PER_PAGE {
            return false;
        }
        if p100.count != NO_COUNT {
            return p100.count > u64::from(PER_PAGE * PAGES_PER_WINDOW);
        }
        true
    }

    fn has_counted(&self) -> bool {
        self.pages.values().any(|p| p.count != NO_COUNT)
    }

    fn all_read(&self) -> bool {
        self.pages_needed()
            .is_some_and(|n| (self.first()..=n).all(|p| self.pages.contains_key(&p)))
    }

    /// Where the next window starts: right after page 100's last record. `None`
    /// until every page that may hold records at that instant was read (records
    /// at it come last, so they sit on page 100 and the pages just before it).
    fn successor_start(&self) -> Option<CursorPosition> {
        let p = self.pages.get(&PAGES_PER_WINDOW)?;
        let after = p.last_at?;
        for k in (self.first()..=PAGES_PER_WINDOW).rev() {
            let q = self.pages.get(&k)?;
            if q.first_at.is_some_and(|f| f < after) {
                break;
            }
        }
        // `after` is the window's newest instant, so every page holding records at
        // it ends with them: together their last ids are all the window read there.
        let mut seen: Vec<u64> = self
            .pages
            .values()
            .filter(|q| q.last_at == Some(after))
            .flat_map(|q| q.last_ids.iter().copied())
            .collect();
        if self.mark.start.after == Some(after) {
            seen.extend(self.mark.start.seen_at_boundary.iter().copied());
        }
        seen.sort_unstable();
        seen.dedup();
        Some(CursorPosition {
            after: Some(after),
            seen_at_boundary: seen,
        })
    }
}

/// A page as read and stored: its checkpoint, how many of its records the
/// previous window had read, and whether those all came first.
struct Read {
    mark: PageMark,
    dups: usize,
    dups_lead: bool,
}

/// Window, page, whether the page was asked with a count, and the outcome.
type Fetched = (u32, u32, bool, Result<Option<Read>, SyncError>);

/// Runs (or resumes) the full sync of `res` up to the hand-over to the cursor.
pub(super) async fn full<T: Syncable>(
    ctx: &Arc<Ctx>,
    res: Resource,
    fresh: bool,
    tally: &Arc<Mutex<Tally>>,
) -> Result<(), SyncError> {
    let name = res.name();
    let mut state = ctx.store().resource_state(name)?;
    let resumed = !fresh && state.full_running();
    if !resumed {
        // The probe: the newest record and the count.
        let q = Query::new()
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
        state = ctx.store().begin_full(name, high, expected)?;
    }
    tally.lock().unwrap_or_else(|e| e.into_inner()).expected = state.expected;
    let generation = state.generation;
    let expected = state.expected;
    let Some(high) = state.high_water else {
        // Nothing on the server: the cursor starts at the beginning.
        let removed = ctx
            .store()
            .finish_full(name, res.table(), &CursorPosition::start())?;
        tally.lock().unwrap_or_else(|e| e.into_inner()).removed += removed;
        return Ok(());
    };
    let end = just_after(&high);

    let mut wins: Vec<Win> = ctx
        .store()
        .windows(name)?
        .into_iter()
        .map(|m| Win::new(m, resumed))
        .collect();
    for p in ctx.store().pages(name)? {
        if let Some(w) = wins.iter_mut().find(|w| w.mark.idx == p.idx) {
            if p.count == NO_COUNT {
                w.uncounted |= p.page != PAGES_PER_WINDOW;
            } else {
                w.count = Some(w.count.unwrap_or(0).max(p.count));
            }
            w.pages.insert(p.page, p);
        }
    }
    if wins.is_empty() {
        ctx.store().add_window(name, 0, &CursorPosition::start())?;
        wins.push(Win::new(
            WindowMark {
                idx: 0,
                start: CursorPosition::start(),
                done: false,
            },
            false,
        ));
    }
    if resumed {
        // Resumed pages already hold their records.
        let mut t = tally.lock().unwrap_or_else(|e| e.into_inner());
        let read: u64 = wins
            .iter()
            .flat_map(|w| w.pages.values())
            .map(|p| u64::from(p.len))
            .sum();
        t.expected = t.expected.map(|e| e.saturating_sub(read));
    }

    let mut queue: VecDeque<(u32, u32)> = VecDeque::new();
    let mut inflight: FuturesUnordered<tokio::task::JoinHandle<Fetched>> = FuturesUnordered::new();
    let launch = |w: &Win, page: u32| {
        let (ctx, tally) = (ctx.clone(), tally.clone());
        let (idx, start) = (w.mark.idx, w.mark.start.clone());
        // Page 100 asked before anything is known opens the window: uncounted, up
        // to the high water mark. Every other page is counted, bounded once known.
        let opener = page == PAGES_PER_WINDOW && !w.has_counted() && w.opener().is_none();
        let q = if opener {
            window_query(&start, &end, false)
        } else {
            window_query(&start, &w.counted_end(&end), true)
        }
        .set("page", page);
        tokio::spawn(async move {
            let out =
                fetch_page::<T>(&ctx, res, idx, page, &start, q, &high, generation, &tally).await;
            (idx, page, !opener, out)
        })
    };

    loop {
        // Settle windows: create successors, finish complete ones, plan pages.
        let mut i = 0;
        while i < wins.len() {
            if wins[i].mark.done {
                i += 1;
                continue;
            }
            if is_clump_window(&wins, i) {
                let start = wins[i].mark.start.clone();
                super::walk::bounded::<T>(ctx, res, start, &end, generation, tally).await?;
                ctx.store().finish_window(name, wins[i].mark.idx)?;
                wins[i].mark.done = true;
                i += 1;
                continue;
            }
            if wins[i].overflows() && i + 1 == wins.len() {
                if let Some(start) = wins[i].successor_start() {
                    let idx = wins[i].mark.idx + 1;
                    ctx.store().add_window(name, idx, &start)?;
                    let mark = WindowMark {
                        idx,
                        start,
                        done: false,
                    };
                    wins.push(Win::new(mark, false));
                }
            }
            let w = &wins[i];
            if w.all_read() && w.queued.is_empty() && (!w.overflows() || i + 1 < wins.len()) {
                let win_end = match wins.get(i + 1) {
                    Some(next) => next
                        .mark
                        .start
                        .after
                        .as_ref()
                        .map_or_else(|| end.clone(), just_after),
                    None => end.clone(),
                };
                for (from, to) in gaps(&wins[i], &win_end) {
                    tally.lock().unwrap_or_else(|e| e.into_inner()).gaps += 1;
                    super::walk::bounded::<T>(ctx, res, from, &to, generation, tally).await?;
                }
                ctx.store().finish_window(name, wins[i].mark.idx)?;
                wins[i].mark.done = true;
                i += 1;
                continue;
            }
            // Plan: the first page and page 100 first (count and successor), then
            // the rest.
            let w = &mut wins[i];
            let first = w.first();
            let want: Vec<u32> = match w.pages_needed() {
                Some(n) => (first..=n).collect(),
                // The last window: its first page counts what is left.
                None if w.pages.is_empty() && surely_last(expected, w.mark.idx) => vec![first],
                // Otherwise page 100 first: it tells where this window ends (so the
                // other pages count only this window) and where the next one starts.
                None if w.pages.is_empty() => vec![PAGES_PER_WINDOW],
                None if !w.has_counted() => vec![first],
                None => vec![],
            };
            for p in want {
                if !w.pages.contains_key(&p) && w.queued.insert(p) {
                    if p == first || p == PAGES_PER_WINDOW {
                        queue.push_front((w.mark.idx, p));
                    } else {
                        queue.push_back((w.mark.idx, p));
                    }
                }
            }
            i += 1;
        }
        if wins.iter().all(|w| w.mark.done) && inflight.is_empty() {
            break;
        }
        if ctx.cancel.is_cancelled() {
            // What is in flight is saved by its task; start nothing new.
            while inflight.next().await.is_some() {}
            return Err(SyncError::Cancelled);
        }
        while inflight.len() < ctx.concurrency * 2 {
            let Some((idx, page)) = queue.pop_front() else {
                break;
            };
            let Some(w) = wins.iter().find(|w| w.mark.idx == idx) else {
                continue;
            };
            inflight.push(launch(w, page));
        }
        let Some(done) = inflight.next().await else {
            if queue.is_empty() && !wins.iter().all(|w| w.mark.done) {
                return Err(SyncError::Server(format!(
                    "the sync of {name} could not plan its next pages; run `sltui sync --full`"
                )));
            }
            continue;
        };
        let (idx, page, asked_count, out) = done.map_err(|e| {
            SyncError::Server(format!("a page read of {name} stopped unexpectedly: {e}"))
        })?;
        let Some(w) = wins.iter_mut().find(|w| w.mark.idx == idx) else {
            continue;
        };
        w.queued.remove(&page);
        let Some(read) = out? else {
            continue; // cancelled before it started
        };
        if w.skip > 0 {
            // The skipped pages hold exactly the ties read before only if those
            // lead the first page read and appear nowhere else.
            let lead = w.mark.start.seen_at_boundary.len() - (w.skip * PER_PAGE) as usize;
            let ok = if page == w.first() {
                read.dups == lead.min(read.mark.len as usize) && read.dups_lead
            } else {
                read.dups == 0
            };
            if !ok {
                // Ties came back in another order: read the skipped pages after all.
                w.skip = 0;
            }
        }
        if read.counted() {
            w.count = Some(w.count.unwrap_or(0).max(read.mark.count));
        } else if asked_count {
            w.uncounted = true;
        }
        w.pages.insert(page, read.mark);
        ctx.report(res, tally);
    }
    let removed = ctx
        .store()
        .finish_full(name, res.table(), &CursorPosition::since(high))?;
    tally.lock().unwrap_or_else(|e| e.into_inner()).removed += removed;
    Ok(())
}

impl Read {
    /// The server sent `total_count` (stored as `count`; `u64::MAX` marks its absence).
    fn counted(&self) -> bool {
        self.mark.count != NO_COUNT
    }
}

/// `PageMark::count` of a page whose answer had no `total_count`.
const NO_COUNT: u64 = u64::MAX;

/// Whether window `idx` is the last: the records left when the sync began, less
/// 10,000 per earlier window, fit in it with a clear margin.
fn surely_last(expected: Option<u64>, idx: u32) -> bool {
    let window = u64::from(PER_PAGE * PAGES_PER_WINDOW);
    expected.is_some_and(|e| e.saturating_sub(window * u64::from(idx)) + window / 20 < window)
}

/// A window whose start is the same instant as its predecessor's: 10,000 or more
/// records share one timestamp, so it is walked by the keyset cursor instead.
fn is_clump_window(wins: &[Win], i: usize) -> bool {
    i > 0
        && wins[i].mark.start.after.is_some()
        && wins[i].mark.start.after == wins[i - 1].mark.start.after
}

/// Reads one page of a window, checks it, and writes its records with its
/// checkpoint. `Ok(None)`: cancelled before it was sent.
#[allow(clippy::too_many_arguments)]
async fn fetch_page<T: Syncable>(
    ctx: &Ctx,
    res: Resource,
    idx: u32,
    page: u32,
    start: &CursorPosition,
    q: Query,
    high: &Time,
    generation: i64,
    tally: &Mutex<Tally>,
) -> Result<Option<Read>, SyncError> {
    let Some(env) = ctx
        .gated(tally, || ctx.client.list::<T>(res.path(), &q))
        .await
    else {
        return Ok(None);
    };
    let env = env?;
    let count = env.metadata.paging.as_ref().and_then(|p| p.total_count);
    let raw = env.data;
    let mut prev: Option<Time> = None;
    for r in &raw {
        let u = r.updated_at();
        let below = start.after.is_some_and(|a| u < a);
        if u > *high || below {
            return Err(SyncError::Api(crate::api::ApiError::FilterIgnored {
                path: res.path().to_string(),
                evidence: format!(
                    "record {} updated {} is outside the window asked for",
                    r.record_id(),
                    format_timestamp(&u)
                ),
            }));
        }
        if prev.is_some_and(|p| u < p) {
            return Err(SyncError::Server(format!(
                "the server does not sort {} by updated_at (record {} updated {} came after a \
                 newer one); this resource cannot be synced with this server",
                res.path(),
                r.record_id(),
                format_timestamp(&u)
            )));
        }
        prev = Some(u);
    }
    let last_at = raw.last().map(|r| r.updated_at());
    let last_ids: Vec<u64> = raw
        .iter()
        .filter(|r| Some(r.updated_at()) == last_at)
        .map(|r| r.record_id())
        .collect();
    // Records at the window's start instant that the previous window read.
    let dup: HashSet<u64> = start.seen_at_boundary.iter().copied().collect();
    let is_dup = |r: &T| Some(r.updated_at()) == start.after && dup.contains(&r.record_id());
    let dups = raw.iter().filter(|r| is_dup(r)).count();
    let dups_lead = raw.iter().take(dups).all(&is_dup);
    let mark = PageMark {
        idx,
        page,
        count: count.unwrap_or(NO_COUNT),
        len: raw.len() as u32,
        first_at: raw.first().map(|r| r.updated_at()),
        last_at,
        last_ids,
    };
    let fresh: Vec<T> = raw.into_iter().filter(|r| !is_dup(r)).collect();
    let prepared = T::prepare(&fresh);
    // Written by the engine's writer thread, with its checkpoint, before the
    // window planner hears of the page.
    match ctx
        .writer
        .save(res.name(), mark.clone(), prepared, generation)
        .await
    {
        Ok(()) => {}
        Err(WriteError::Stopped(mark, prepared)) => {
            ctx.store()
                .save_page_prepared(res.name(), &mark, &prepared, generation)?;
        }
        Err(WriteError::Store(msg)) => return Err(SyncError::Server(msg)),
        Err(WriteError::Lost) => {
            return Err(SyncError::Server(format!(
                "the store writer stopped while saving a page of {}; run `sltui sync` again \
                 to continue from the last saved page",
                res.name()
            )));
        }
    }
    tally.lock().unwrap_or_else(|e| e.into_inner()).records += fresh.len() as u64;
    Ok(Some(Read {
        mark,
        dups,
        dups_lead,
    }))
}

/// Boundaries to re-read: between consecutive pages where the later one saw a
/// smaller window (records left it in between, shifting pages onto ones already
/// read). Each is (start position, exclusive `updated_at[lt]`).
fn gaps(w: &Win, win_end: &str) -> Vec<(CursorPosition, String)> {
    if w.uncounted {
        return Vec::new();
    }
    let pages: Vec<&PageMark> = w.pages.values().collect();
    let mut out: Vec<(CursorPosition, String)> = Vec::new();
    for k in 1..pages.len() {
        // An uncounted page (an opener) was read before every other page of its
        // window, so no record can shift past it unseen.
        let (a, b) = (pages[k - 1].count, pages[k].count);
        if a == NO_COUNT || b == NO_COUNT || a <= b {
            continue;
        }
        let from = pages[..k]
            .iter()
            .rev()
            .find_map(|p| {
                p.last_at.map(|at| CursorPosition {
                    after: Some(at),
                    seen_at_boundary: p.last_ids.clone(),
                })
            })
            .unwrap_or_else(|| w.mark.start.clone());
        let to = pages[k..]
            .iter()
            .find_map(|p| p.first_at.as_ref().map(just_after))
            .unwrap_or_else(|| win_end.to_string());
        if !out.iter().any(|(f, t)| *f == from && *t == to) {
            out.push((from, to));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(us: i64) -> Time {
        DateTime::parse_from_rfc3339("2024-05-01T09:00:00-04:00").unwrap()
            + TimeDelta::microseconds(us)
    }

    fn page(n: u32, count: u64, len: u32, first: i64, last: i64, last_ids: &[u64]) -> PageMark {
        PageMark {
            idx: 0,
            page: n,
            count,
            len,
            first_at: (len > 0).then(|| t(first)),
            last_at: (len > 0).then(|| t(last)),
            last_ids: last_ids.to_vec(),
        }
    }

    fn window(pages: Vec<PageMark>, count: u64) -> Win {
        let mut w = Win::new(
            WindowMark {
                idx: 0,
                start: CursorPosition::start(),
                done: false,
            },
            false,
        );
        w.count = Some(count);
        for p in pages {
            w.pages.insert(p.page, p);
        }
        w
    }

    #[test]
    fn a_shrink_between_two_pages_is_re_read_there_only() {
        let w = window(
            vec![
                page(1, 350, 100, 0, 99, &[9]),
                page(2, 350, 100, 100, 199, &[19]),
                page(3, 348, 100, 202, 301, &[31]),
                page(4, 348, 48, 302, 349, &[49]),
            ],
            350,
        );
        assert!(w.all_read());
        let g = gaps(&w, "END");
        assert_eq!(g.len(), 1, "{g:?}");
        assert_eq!(g[0].0.after, Some(t(199)));
        assert_eq!(g[0].0.seen_at_boundary, vec![19]);
        assert_eq!(g[0].1, just_after(&t(202)));
        // Steady counts: nothing to re-read.
        let steady = window(
            vec![
                page(1, 150, 100, 0, 99, &[9]),
                page(2, 150, 50, 100, 149, &[5]),
            ],
            150,
        );
        assert!(gaps(&steady, "END").is_empty());
        // The last pages came back empty: re-read to the window's end.
        let emptied = window(
            vec![page(1, 150, 100, 0, 99, &[9]), page(2, 90, 0, 0, 0, &[])],
            150,
        );
        let g = gaps(&emptied, "END");
        assert_eq!(g.len(), 1);
        assert_eq!(g[0].1, "END");
    }

    #[test]
    fn windows_plan_their_pages_and_successor() {
        let mut w = window(vec![page(1, 25_000, 100, 0, 99, &[1])], 25_000);
        assert_eq!(w.pages_needed(), Some(100));
        assert!(!w.overflows(), "page 100 not read yet");
        assert_eq!(w.successor_start(), None);
        // Page 100 ends in a tie at 9_999 that began on page 99: wait for page 99.
        w.pages
            .insert(100, page(100, 25_000, 100, 9_999, 9_999, &[500, 501]));
        assert!(w.overflows());
        assert_eq!(w.successor_start(), None);
        w.pages
            .insert(99, page(99, 25_000, 100, 9_900, 9_999, &[400, 401]));
        let next = w.successor_start().expect("known now");
        assert_eq!(next.after, Some(t(9_999)));
        assert_eq!(next.seen_at_boundary, vec![400, 401, 500, 501]);
        // A successor starting after 250 tied records skips their two full pages.
        let s = Win::new(
            WindowMark {
                idx: 1,
                start: CursorPosition {
                    after: Some(t(9_999)),
                    seen_at_boundary: (0..250).collect(),
                },
                done: false,
            },
            false,
        );
        assert_eq!(s.first(), 3);
        // ...but not on a resume, where the order cannot be checked again.
        let r = Win::new(s.mark.clone(), true);
        assert_eq!(r.first(), 1);
        assert!(surely_last(Some(25_000), 2));
        assert!(!surely_last(Some(25_000), 1));
        assert!(!surely_last(None, 5));
    }
}
