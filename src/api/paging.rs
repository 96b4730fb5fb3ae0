//! Walking list endpoints.
//!
//! [`PageWalk`] follows `metadata.paging.next_page` (fine for small lists;
//! deep pages cost more budget). [`CursorStream`] is the keyset walk that
//! SalesLoft recommends for sync: `sort_by=updated_at&sort_direction=ASC`
//! with an `updated_at` lower bound, never paging deep.
//!
//! Many records can share one `updated_at` (a bulk update stamps hundreds at
//! once), so a plain `updated_at[gt]=last` cursor would lose records and a
//! plain `[gte]` one would repeat them or stall. The stream therefore keeps
//! the ids already returned at the boundary timestamp T and asks for
//! `updated_at[gte]=T`, skipping those ids. When a whole page shares one
//! timestamp T, it pages through T alone (`[gte]=T&[lte]=T&page=1,2,...`,
//! with `include_paging_counts` to notice records leaving T meanwhile, which
//! would shift the pages, and then re-reads T), and continues with
//! `updated_at[gt]=T`. A record whose `updated_at` moves forward during a
//! walk is returned again later; callers de-duplicate by id.

use std::collections::HashSet;
use std::marker::PhantomData;

use chrono::{DateTime, FixedOffset};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use super::ApiResult;
use super::client::ApiClient;
use super::error::ApiError;
use super::models::{ListEnvelope, Timestamped};
use super::query::{Query, format_timestamp};

const DEFAULT_PER_PAGE: u32 = 100;
/// Extra passes over one timestamp when its record count changed meanwhile.
const MAX_CLUMP_PASSES: u32 = 3;

fn per_page_of(query: &Query) -> u32 {
    query
        .get("per_page")
        .and_then(|v| v.trim().parse::<u32>().ok())
        .map_or(DEFAULT_PER_PAGE, |n| n.clamp(1, 100))
}

/// Page-number walk over a list endpoint.
pub struct PageWalk<T> {
    client: ApiClient,
    path: String,
    query: Query,
    next: Option<u32>,
    requests: u64,
    _records: PhantomData<fn() -> T>,
}

impl<T: DeserializeOwned> PageWalk<T> {
    pub(crate) fn new(client: ApiClient, path: &str, query: Query) -> Self {
        let start = query
            .get("page")
            .and_then(|p| p.trim().parse::<u32>().ok())
            .unwrap_or(1)
            .max(1);
        let per_page = per_page_of(&query);
        PageWalk {
            client,
            path: path.to_string(),
            query: query.set("per_page", per_page),
            next: Some(start),
            requests: 0,
            _records: PhantomData,
        }
    }

    /// The next page, or `None` after the last one. After an error the same
    /// page is requested again by the next call.
    pub async fn next_page(&mut self) -> ApiResult<Option<Vec<T>>> {
        let Some(page) = self.next else {
            return Ok(None);
        };
        let q = self.query.clone().set("page", page);
        self.requests += 1;
        let env: ListEnvelope<T> = self.client.list(&self.path, &q).await?;
        // No `paging` (un-paginated `/v2/users`): this was everything.
        self.next = env
            .metadata
            .paging
            .and_then(|p| p.next_page)
            .filter(|n| *n > page && !env.data.is_empty());
        Ok(Some(env.data))
    }

    pub async fn collect_all(mut self) -> ApiResult<Vec<T>> {
        let mut all = Vec::new();
        while let Some(page) = self.next_page().await? {
            all.extend(page);
        }
        Ok(all)
    }

    /// List requests made so far (retries inside one request not counted).
    pub fn requests(&self) -> u64 {
        self.requests
    }
}

/// Where a cursor walk stands: every record with `updated_at < after`, and
/// the ones at `after` listed in `seen_at_boundary`, were returned. With an
/// empty `seen_at_boundary`, everything at `after` counts as done.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct CursorPosition {
    pub after: Option<DateTime<FixedOffset>>,
    pub seen_at_boundary: Vec<u64>,
}

impl CursorPosition {
    /// From the oldest record.
    pub fn start() -> Self {
        Self::default()
    }

    /// Records updated strictly after `t`.
    pub fn since(t: DateTime<FixedOffset>) -> Self {
        CursorPosition {
            after: Some(t),
            seen_at_boundary: Vec::new(),
        }
    }
}

/// The newest instant (µs) a query's `updated_at[lt]` and `[lte]` let through.
fn last_instant(query: &Query) -> Option<DateTime<FixedOffset>> {
    let at = |key: &str| {
        query
            .get(key)
            .and_then(|v| DateTime::parse_from_rfc3339(v.trim()).ok())
    };
    let lt = at("updated_at[lt]").map(|t| t - chrono::TimeDelta::microseconds(1));
    match (lt, at("updated_at[lte]")) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

/// A hash of the ids of a page, never 0 for a non-empty page.
fn page_fingerprint<T: Timestamped>(page: &[T]) -> u64 {
    use std::hash::{Hash, Hasher};
    if page.is_empty() {
        return 0;
    }
    let mut h = std::collections::hash_map::DefaultHasher::new();
    for r in page {
        r.record_id().hash(&mut h);
    }
    h.finish().max(1)
}

/// Paging through the records that share one timestamp.
#[derive(Clone, Copy, Debug)]
struct Clump {
    at: DateTime<FixedOffset>,
    page: u32,
    first_count: Option<u64>,
    passes: u32,
    /// The ids of the previous page of this pass, hashed (0: none yet).
    last_page: u64,
}

/// Keyset walk in `updated_at` order; see the module docs.
pub struct CursorStream<T> {
    client: ApiClient,
    path: String,
    base: Query,
    per_page: u32,
    pos: CursorPosition,
    /// The newest instant the query's `updated_at[lt]`/`[lte]` lets through.
    last: Option<DateTime<FixedOffset>>,
    clump: Option<Clump>,
    caught_up: bool,
    requests: u64,
    _records: PhantomData<fn() -> T>,
}

impl<T: DeserializeOwned + Timestamped> CursorStream<T> {
    pub(crate) fn new(client: ApiClient, path: &str, query: Query, start: CursorPosition) -> Self {
        let per_page = per_page_of(&query);
        let last = last_instant(&query);
        let base = query
            .remove("page")
            .remove("updated_at[gt]")
            .remove("updated_at[gte]")
            .set("sort_by", "updated_at")
            .set("sort_direction", "ASC")
            .set("per_page", per_page);
        CursorStream {
            client,
            path: path.to_string(),
            base,
            per_page,
            pos: start,
            last,
            clump: None,
            caught_up: false,
            requests: 0,
            _records: PhantomData,
        }
    }

    /// The last batch was the newest (a short page), or the position is past the
    /// query's upper bound: the next [`CursorStream::next_batch`] answers `None`
    /// without a request, so a caller that pays for each call before making it
    /// (a budget gate) can stop here.
    pub fn caught_up(&self) -> bool {
        self.caught_up || (self.clump.is_none() && self.nothing_left())
    }

    /// The next records in `updated_at` order; `None` when caught up. After
    /// `None`, later calls look for newer records again (live polling).
    pub async fn next_batch(&mut self) -> ApiResult<Option<Vec<T>>> {
        if std::mem::take(&mut self.caught_up) {
            return Ok(None);
        }
        loop {
            if let Some(clump) = self.clump {
                if let Some(batch) = self.clump_step(clump).await? {
                    return Ok(Some(batch));
                }
                continue;
            }
            if self.nothing_left() {
                // The range left holds no instant: asking would cost a point.
                return Ok(None);
            }
            let mut q = self.base.clone();
            if let Some(t) = &self.pos.after {
                let key = if self.pos.seen_at_boundary.is_empty() {
                    "updated_at[gt]"
                } else {
                    "updated_at[gte]"
                };
                q = q.set(key, format_timestamp(t));
            }
            let (raw, page_size) = self.fetch(&q).await?;
            // A server that honours `[gt]`/`[gte]` never sends an older record.
            // This is enough to notice an ignored filter whenever it matters:
            // if nothing older comes back, every record returned is newer and
            // the walk is right; with more than a page of records, the second
            // request gets the oldest ones again. (A missing echo in
            // `metadata.filtering` alone proves nothing harmful.)
            if let Some(after) = self.pos.after
                && let Some(old) = raw.iter().find(|r| r.updated_at() < after)
            {
                return Err(ApiError::FilterIgnored {
                    path: self.path.clone(),
                    evidence: format!(
                        "record {} updated {} came back for updated_at after {}",
                        old.record_id(),
                        format_timestamp(&old.updated_at()),
                        format_timestamp(&after)
                    ),
                });
            }
            let full = raw.len() >= page_size;
            if full && raw.iter().all(|r| r.updated_at() == raw[0].updated_at()) {
                // A whole page at one timestamp: walk that timestamp alone.
                self.clump = Some(Clump {
                    at: raw[0].updated_at(),
                    page: 1,
                    first_count: None,
                    passes: 0,
                    last_page: 0,
                });
                continue;
            }
            let fresh = self.absorb(raw);
            if !full {
                self.caught_up = !fresh.is_empty();
                return Ok((!fresh.is_empty()).then_some(fresh));
            }
            if fresh.is_empty() {
                return Err(self.stalled("a full page with no new records"));
            }
            return Ok(Some(fresh));
        }
    }

    /// Everything up to the query's upper bound was returned: the range after
    /// the position holds no instant (e.g. `[gt]=T` below `[lt]=T+1µs`, once a
    /// clump at T was paged through).
    fn nothing_left(&self) -> bool {
        match (self.pos.after, self.last) {
            (Some(after), Some(last)) => {
                after > last || (after == last && self.pos.seen_at_boundary.is_empty())
            }
            _ => false,
        }
    }

    /// One page of the records at `c.at`.
    async fn clump_step(&mut self, mut c: Clump) -> ApiResult<Option<Vec<T>>> {
        let t = format_timestamp(&c.at);
        let q = self
            .base
            .clone()
            .set("updated_at[gte]", &t)
            .set("updated_at[lte]", &t)
            .set("include_paging_counts", "true")
            .set("page", c.page);
        let (raw, page_size, count) = self.fetch_counted(&q).await?;
        if c.page == 1 {
            c.first_count = count;
        }
        let raw_len = raw.len();
        // A server that ignores `page` (or the filters) answers every page alike:
        // the same full page twice in a row, or full pages past the count at T.
        // Real pages at T never repeat (records only ever leave T).
        let ids = page_fingerprint(&raw);
        let past_count = count
            .or(c.first_count)
            .is_some_and(|n| u64::from(c.page - 1) * page_size as u64 >= n);
        if raw_len >= page_size && (ids == c.last_page || past_count) {
            return Err(self.stalled("the same full page for every page number"));
        }
        c.last_page = ids;
        let at_t: Vec<T> = raw.into_iter().filter(|r| r.updated_at() == c.at).collect();
        if raw_len > 0 && at_t.is_empty() {
            return Err(self.stalled("records outside the requested updated_at range"));
        }
        if self.pos.after != Some(c.at) {
            // Nothing is left between the old boundary and `c.at`.
            self.pos.after = Some(c.at);
            self.pos.seen_at_boundary.clear();
        }
        let fresh = self.absorb(at_t);
        if raw_len < page_size {
            let shifted = matches!((c.first_count, count), (Some(a), Some(b)) if a != b);
            if shifted && c.passes < MAX_CLUMP_PASSES {
                // Records left T while we paged: offsets moved, read T again.
                self.clump = Some(Clump {
                    page: 1,
                    first_count: None,
                    passes: c.passes + 1,
                    last_page: 0,
                    ..c
                });
            } else {
                // Everything at T was returned: continue with `[gt]=T`.
                self.clump = None;
                self.pos.seen_at_boundary.clear();
            }
        } else {
            c.page += 1;
            self.clump = Some(c);
        }
        Ok((!fresh.is_empty()).then_some(fresh))
    }

    /// Drops records behind the cursor and already-returned ids at the
    /// boundary, then moves the cursor to the newest returned record.
    fn absorb(&mut self, raw: Vec<T>) -> Vec<T> {
        let after = self.pos.after;
        let mut seen: HashSet<u64> = self.pos.seen_at_boundary.iter().copied().collect();
        let fresh: Vec<T> = raw
            .into_iter()
            .filter(|r| match after {
                None => true,
                Some(a) => {
                    let u = r.updated_at();
                    u > a || (u == a && seen.insert(r.record_id()))
                }
            })
            .collect();
        let Some(newest) = fresh.iter().map(|r| r.updated_at()).max() else {
            return fresh;
        };
        let at_newest = fresh
            .iter()
            .filter(|r| r.updated_at() == newest)
            .map(|r| r.record_id());
        if after == Some(newest) {
            let mut known: HashSet<u64> = self.pos.seen_at_boundary.iter().copied().collect();
            let added: Vec<u64> = at_newest.filter(|id| known.insert(*id)).collect();
            self.pos.seen_at_boundary.extend(added);
        } else {
            let mut ids: Vec<u64> = at_newest.collect();
            ids.sort_unstable();
            ids.dedup();
            self.pos.after = Some(newest);
            self.pos.seen_at_boundary = ids;
        }
        fresh
    }

    async fn fetch(&mut self, q: &Query) -> ApiResult<(Vec<T>, usize)> {
        let (data, size, _) = self.fetch_counted(q).await?;
        Ok((data, size))
    }

    /// One page, the page size in effect (the server may cap `per_page`),
    /// and `total_count` when the server sent it.
    async fn fetch_counted(&mut self, q: &Query) -> ApiResult<(Vec<T>, usize, Option<u64>)> {
        self.requests += 1;
        let env: ListEnvelope<T> = self.client.list(&self.path, q).await?;
        let paging = env.metadata.paging.unwrap_or_default();
        let echoed = paging.per_page;
        let size = if echoed > 0 {
            echoed.min(self.per_page)
        } else {
            self.per_page
        };
        Ok((env.data, size as usize, paging.total_count))
    }

    fn stalled(&self, what: &str) -> ApiError {
        ApiError::Decode {
            what: format!("the updated_at cursor over {}", self.path),
            message: format!(
                "the server returned {what}; it may not support updated_at filters \
                 or sorting on this endpoint (use a page walk instead)"
            ),
        }
    }

    /// All records up to now (until caught up).
    pub async fn collect_all(mut self) -> ApiResult<Vec<T>> {
        let mut all = Vec::new();
        while let Some(batch) = self.next_batch().await? {
            all.extend(batch);
        }
        Ok(all)
    }

    /// A checkpoint: a stream started from it continues exactly here.
    pub fn position(&self) -> &CursorPosition {
        &self.pos
    }

    /// List requests made so far (retries inside one request not counted).
    pub fn requests(&self) -> u64 {
        self.requests
    }
}
