//! One window of a full sync: up to 100 pages of 100 records, sorted by
//! `updated_at`, and what its pages tell about its end, its successor and the
//! boundaries to re-read.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, FixedOffset, TimeDelta};

use super::super::ctx::{PAGES_PER_WINDOW, PER_PAGE};
use crate::api::CursorPosition;
use crate::api::query::format_timestamp;
use crate::store::{PageMark, WindowMark};

pub(super) type Time = DateTime<FixedOffset>;

/// `PageMark::count` of a page whose answer had no `total_count`.
pub(super) const NO_COUNT: u64 = u64::MAX;

/// An exclusive upper bound just after `t`: `[lt]` of `t + 1 µs` is `[lte] t`.
pub(super) fn just_after(t: &Time) -> String {
    format_timestamp(&(*t + TimeDelta::microseconds(1)))
}

/// A stretch to re-read with the keyset cursor: from a position to an exclusive
/// `updated_at[lt]`.
#[derive(Debug, PartialEq)]
pub(super) struct Span {
    pub from: CursorPosition,
    pub to: String,
}

pub(super) struct Window {
    pub mark: WindowMark,
    pub pages: BTreeMap<u32, PageMark>,
    pub queued: BTreeSet<u32>,
    /// The largest count any page saw (a closed window only shrinks).
    pub count: Option<u64>,
    /// Pages were read without counts: walk them one after another.
    pub uncounted: bool,
    /// Leading pages not read: they hold only records the previous window read at
    /// this window's first instant (checked on the first page that is read).
    pub skip: u32,
}

impl Window {
    pub fn new(mark: WindowMark, resumed: bool) -> Window {
        // Records at the start instant that the previous window read come first
        // here (ties keep their order); whole pages of them need no reading. On a
        // resume the check cannot be repeated, so nothing is skipped.
        let skip = if resumed || mark.start.after.is_none() {
            0
        } else {
            (mark.start.seen_at_boundary.len() as u32 / PER_PAGE).min(PAGES_PER_WINDOW - 1)
        };
        Window {
            mark,
            pages: BTreeMap::new(),
            queued: BTreeSet::new(),
            count: None,
            uncounted: false,
            skip,
        }
    }

    /// Window 0, starting at the beginning.
    pub fn first_of_all() -> Window {
        Window::new(
            WindowMark {
                idx: 0,
                start: CursorPosition::start(),
                done: false,
            },
            false,
        )
    }

    /// Takes in a page read earlier (on a resume) or just now.
    pub fn absorb_stored(&mut self, p: PageMark) {
        if p.count == NO_COUNT {
            self.uncounted |= p.page != PAGES_PER_WINDOW;
        } else {
            self.count = Some(self.count.unwrap_or(0).max(p.count));
        }
        self.pages.insert(p.page, p);
    }

    pub fn first(&self) -> u32 {
        self.skip + 1
    }

    /// Page 100 when it was read first, without a count, to find the window's end.
    pub fn opener(&self) -> Option<&PageMark> {
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
    pub fn counted_end(&self, end: &str) -> String {
        self.bound()
            .as_ref()
            .map_or_else(|| end.to_string(), just_after)
    }

    /// Pages this window has, when known.
    pub fn pages_needed(&self) -> Option<u32> {
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
    pub fn overflows(&self) -> bool {
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

    pub fn has_counted(&self) -> bool {
        self.pages.values().any(|p| p.count != NO_COUNT)
    }

    pub fn all_read(&self) -> bool {
        self.pages_needed()
            .is_some_and(|n| (self.first()..=n).all(|p| self.pages.contains_key(&p)))
    }

    /// The pages to ask for next: the first page and page 100 first (count and
    /// successor), then the rest. `is_last` says the records left fit in this
    /// window.
    pub fn wanted(&self, is_last: bool) -> Vec<u32> {
        let first = self.first();
        match self.pages_needed() {
            Some(n) => (first..=n).collect(),
            // The last window: its first page counts what is left.
            None if self.pages.is_empty() && is_last => vec![first],
            // Otherwise page 100 first: it tells where this window ends (so the
            // other pages count only this window) and where the next one starts.
            None if self.pages.is_empty() => vec![PAGES_PER_WINDOW],
            None if !self.has_counted() => vec![first],
            None => vec![],
        }
    }

    /// Where the next window starts: right after page 100's last record. `None`
    /// until every page that may hold records at that instant was read (records
    /// at it come last, so they sit on page 100 and the pages just before it).
    pub fn successor_start(&self) -> Option<CursorPosition> {
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

    /// Boundaries to re-read: between consecutive pages where the later one saw
    /// a smaller window (records left it in between, shifting pages onto ones
    /// already read). `win_end` is the window's own exclusive end.
    pub fn gaps(&self, win_end: &str) -> Vec<Span> {
        if self.uncounted {
            return Vec::new();
        }
        let pages: Vec<&PageMark> = self.pages.values().collect();
        let mut out: Vec<Span> = Vec::new();
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
                .unwrap_or_else(|| self.mark.start.clone());
            let to = pages[k..]
                .iter()
                .find_map(|p| p.first_at.as_ref().map(just_after))
                .unwrap_or_else(|| win_end.to_string());
            let span = Span { from, to };
            if !out.contains(&span) {
                out.push(span);
            }
        }
        out
    }
}

/// Whether window `idx` is the last: the records left when the sync began, less
/// 10,000 per earlier window, fit in it with a clear margin.
pub(super) fn surely_last(expected: Option<u64>, idx: u32) -> bool {
    let window = u64::from(PER_PAGE * PAGES_PER_WINDOW);
    expected.is_some_and(|e| e.saturating_sub(window * u64::from(idx)) + window / 20 < window)
}

/// A window whose start is the same instant as its predecessor's: 10,000 or more
/// records share one timestamp, so it is walked by the keyset cursor instead.
pub(super) fn is_clump_window(wins: &[Window], i: usize) -> bool {
    i > 0
        && wins[i].mark.start.after.is_some()
        && wins[i].mark.start.after == wins[i - 1].mark.start.after
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

    fn window(pages: Vec<PageMark>, count: u64) -> Window {
        let mut w = Window::first_of_all();
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
        let g = w.gaps("END");
        assert_eq!(g.len(), 1, "{g:?}");
        assert_eq!(g[0].from.after, Some(t(199)));
        assert_eq!(g[0].from.seen_at_boundary, vec![19]);
        assert_eq!(g[0].to, just_after(&t(202)));
        // Steady counts: nothing to re-read.
        let steady = window(
            vec![
                page(1, 150, 100, 0, 99, &[9]),
                page(2, 150, 50, 100, 149, &[5]),
            ],
            150,
        );
        assert!(steady.gaps("END").is_empty());
        // The last pages came back empty: re-read to the window's end.
        let emptied = window(
            vec![page(1, 150, 100, 0, 99, &[9]), page(2, 90, 0, 0, 0, &[])],
            150,
        );
        let g = emptied.gaps("END");
        assert_eq!(g.len(), 1);
        assert_eq!(g[0].to, "END");
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
        let s = Window::new(
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
        let r = Window::new(s.mark.clone(), true);
        assert_eq!(r.first(), 1);
        assert!(surely_last(Some(25_000), 2));
        assert!(!surely_last(Some(25_000), 1));
        assert!(!surely_last(None, 5));
    }

    #[test]
    fn an_empty_window_asks_page_100_first_unless_it_is_the_last() {
        let w = Window::first_of_all();
        assert_eq!(w.wanted(false), vec![PAGES_PER_WINDOW]);
        assert_eq!(w.wanted(true), vec![1]);
    }
}
