//! The sync engine: reads a team's records into the local [`Store`] at the floor
//! cost of one point per 100 records, as fast as latency and the budget allow,
//! and resumes where it stopped.
//!
//! # Full sync of one resource
//!
//! 1. One probe, `sort_by=updated_at DESC&per_page=1&include_paging_counts=true`,
//!    gives the newest `updated_at` H (the high water mark) and the record count.
//!    Everything updated at or before H is read by windows; anything updated later
//!    (during the sync, too) by the incremental cursor afterwards.
//! 2. Windows of up to 10,000 records, `updated_at[lt]=H+1µs`, sorted by
//!    `updated_at` ascending: window 0 starts at the beginning, window j+1 right
//!    after the last record of window j's page 100. Inside a window every page
//!    number is at most 100 (each costs one point, never the deep-page surcharge),
//!    so all its pages are read in parallel once page 1 or page 100 has told the
//!    window's `total_count`; the next window's start is known as soon as page 100
//!    is in, so windows chain without waiting for each other. A window holding
//!    exactly a multiple of 100 records costs no extra "is there more?" request:
//!    the count says where it ends.
//! 3. A closed window can only shrink while it is read (a record updated meanwhile
//!    leaves it for the incremental part; a deleted one leaves it too), and a
//!    shrink shifts later pages by the records gone, which could skip a record at
//!    a page boundary. Every page carries the window's count at the time it was
//!    read; where a page saw a lower count than the page before it, the boundary
//!    between them is re-read with a keyset cursor (usually one request, and none
//!    at all when nothing changed).
//! 4. Ties: a window starts with `updated_at[gte]` at the previous window's last
//!    timestamp and skips the ids already read there. 10,000 records sharing one
//!    timestamp fall back to [`CursorStream`](crate::api::CursorStream), which pages
//!    through the tie.
//! 5. Every page is written with its checkpoint in one transaction (pages that
//!    arrive together share one, written by the engine's writer thread); a rerun
//!    after a crash or Ctrl-C reads only the pages not yet in the store.
//! 6. Finally the incremental cursor (`updated_at[gt]=H`, keyset) catches up, and
//!    rows the full sync did not see (deleted upstream) are removed.
//!
//! Reading N records thus costs ceil(N/100) + 2 points (probe and final cursor
//! check), plus one per 10,000 records only when a window boundary falls inside a
//! run of equal timestamps, plus one per boundary actually disturbed by a change.
//!
//! # Incremental refresh
//!
//! After a full sync, one keyset cursor per resource continues from the last
//! `updated_at` seen: ceil(changed/100) points, one when nothing changed.
//!
//! Requests run `concurrency` at a time (8 by default), each admitted by the
//! budget governor (see [`pace`]).

mod full;
pub mod pace;
mod resource;
mod walk;
mod writer;

use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Instant;

use serde::Serialize;
use tokio::sync::Semaphore;

use crate::api::{Account, ApiClient, ApiError, ApiResult, Query};
use crate::budget::Priority;
use crate::store::{RecordStore, StoreError};

pub use pace::{CancelToken, Pacer, SpendMeter};

use crate::api::models::Timestamped;
use crate::store::StoreRecord;

/// A record the engine can sync.
pub(crate) trait Syncable:
    serde::de::DeserializeOwned + Timestamped + StoreRecord + Send + 'static
{
}
impl<T: serde::de::DeserializeOwned + Timestamped + StoreRecord + Send + 'static> Syncable for T {}

/// Records per page: the maximum, so each point buys 100 records.
pub const PER_PAGE: u32 = 100;
/// Pages per window: the last page number that costs one point.
pub const PAGES_PER_WINDOW: u32 = 100;

/// What the engine reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Resource {
    Users,
    Cadences,
    Steps,
    People,
    Memberships,
    Emails,
    /// Calls (`/v2/activities/calls`): the report's call columns and the
    /// funnel's people reached.
    Calls,
    /// Email templates, cadence templates included: the template table's names.
    Templates,
}

impl Resource {
    /// Every resource, small ones first.
    pub const ALL: [Resource; 8] = [
        Resource::Users,
        Resource::Cadences,
        Resource::Steps,
        Resource::Templates,
        Resource::People,
        Resource::Memberships,
        Resource::Calls,
        Resource::Emails,
    ];

    /// The name in reports and checkpoints.
    pub fn name(self) -> &'static str {
        match self {
            Resource::Users => "users",
            Resource::Cadences => "cadences",
            Resource::Steps => "steps",
            Resource::People => "people",
            Resource::Memberships => "cadence_memberships",
            Resource::Emails => "emails",
            Resource::Calls => "calls",
            Resource::Templates => "email_templates",
        }
    }

    /// The list endpoint under `/v2`.
    pub fn path(self) -> &'static str {
        match self {
            Resource::Users => "users",
            Resource::Cadences => "cadences",
            Resource::Steps => "steps",
            Resource::People => "people",
            Resource::Memberships => "cadence_memberships",
            Resource::Emails => "activities/emails",
            Resource::Calls => "activities/calls",
            Resource::Templates => "email_templates",
        }
    }

    /// The parameters every list request of the resource carries.
    pub fn base_query(self) -> Query {
        match self {
            // The list leaves cadence templates (the ones steps use) out unless asked.
            Resource::Templates => Query::new().set("include_cadence_templates", "true"),
            _ => Query::new(),
        }
    }

    /// The store table.
    pub fn table(self) -> &'static str {
        match self {
            Resource::Users => "users",
            Resource::Cadences => "cadences",
            Resource::Steps => "steps",
            Resource::People => "people",
            Resource::Memberships => "memberships",
            Resource::Emails => "email_facts",
            Resource::Calls => "calls",
            Resource::Templates => "email_templates",
        }
    }

    /// Parses a name as written by [`Resource::name`] (plus `memberships`).
    pub fn parse(s: &str) -> Option<Resource> {
        let s = s.trim().to_ascii_lowercase();
        Resource::ALL
            .into_iter()
            .find(|r| r.name() == s || r.table() == s)
    }
}

impl fmt::Display for Resource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// How to sync.
#[derive(Clone, Debug)]
pub struct SyncOptions {
    pub resources: Vec<Resource>,
    /// Start a new full sync even where an incremental cursor exists.
    pub full: bool,
    /// Requests in flight at once.
    pub concurrency: usize,
    /// The governor's priority of the engine's reads: `Visible` for a sync the user
    /// waits for, `Background` for the dashboard's.
    pub priority: Priority,
    /// Fraction of the budget kept for the user's own actions.
    pub reserve: f64,
    /// With [`Priority::Bulk`]: the share of each budget window the sync may take.
    pub bulk_share: f64,
}

impl Default for SyncOptions {
    fn default() -> Self {
        SyncOptions {
            resources: Resource::ALL.to_vec(),
            full: false,
            concurrency: 8,
            priority: Priority::Visible,
            reserve: 0.2,
            bulk_share: crate::budget::governor::DEFAULT_BULK_SHARE,
        }
    }
}

/// What happened to one resource.
#[derive(Clone, Debug, Default, Serialize)]
pub struct ResourceReport {
    pub resource: String,
    /// `full`, `resumed` (a full sync continued), `incremental`.
    pub mode: String,
    /// Records received (and written).
    pub records: u64,
    pub requests: u64,
    /// HTTP requests sent for this resource (retries and 429s included).
    /// Points charged for them, from their own responses' headers: the
    /// resources' requests and points add up to what the server charged.
    pub points: u64,
    /// 429 answers among the requests (they charge nothing).
    pub throttled: u64,
    pub seconds: f64,
    /// Rows removed because the server no longer has them.
    pub removed: u64,
    /// Boundaries re-read because the data changed while it was read.
    pub gaps: u64,
    /// Finished (not interrupted, no error).
    pub complete: bool,
    pub error: Option<String>,
    /// Something the user should know once, e.g. that the server ignores the
    /// `updated_at` filter here and the resource was read in full instead.
    pub note: Option<String>,
}

/// What a sync did.
#[derive(Clone, Debug, Default, Serialize)]
pub struct SyncReport {
    pub resources: Vec<ResourceReport>,
    pub records: u64,
    pub requests: u64,
    /// Points charged, from the responses' `x-ratelimit-endpoint-cost` (the sum
    /// over the resources).
    pub points: u64,
    /// 429 answers (they charge nothing; the client waited and retried).
    pub throttled: u64,
    pub seconds: f64,
    /// Stopped by Ctrl-C; checkpoints were saved.
    pub interrupted: bool,
}

impl SyncReport {
    pub fn ok(&self) -> bool {
        !self.interrupted && self.resources.iter().all(|r| r.error.is_none())
    }
}

/// Progress of one resource, after each request.
#[derive(Clone, Debug)]
pub struct Progress {
    pub resource: Resource,
    pub records: u64,
    /// Records the full sync expects, when known.
    pub expected: Option<u64>,
    pub requests: u64,
    /// Points charged by the whole sync so far.
    pub points: u64,
    /// Why the engine waits for budget, if it does.
    pub waiting: Option<String>,
}

pub type ProgressFn = Arc<dyn Fn(&Progress) + Send + Sync>;

/// Why a resource's sync stopped.
#[derive(Debug)]
pub enum SyncError {
    Api(ApiError),
    Store(StoreError),
    /// The server answered something the engine cannot use.
    Server(String),
    Cancelled,
}

impl fmt::Display for SyncError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SyncError::Api(e) => write!(f, "{e}"),
            SyncError::Store(e) => write!(f, "{e}"),
            SyncError::Server(m) => f.write_str(m),
            SyncError::Cancelled => f.write_str("interrupted; the next run continues from here"),
        }
    }
}

impl From<ApiError> for SyncError {
    fn from(e: ApiError) -> Self {
        SyncError::Api(e)
    }
}

impl From<StoreError> for SyncError {
    fn from(e: StoreError) -> Self {
        SyncError::Store(e)
    }
}

/// Counters of one resource.
#[derive(Debug, Default, Clone)]
pub(crate) struct Tally {
    pub records: u64,
    pub requests: u64,
    pub points: u64,
    pub throttled: u64,
    pub gaps: u64,
    pub removed: u64,
    pub expected: Option<u64>,
}

/// What every part of a sync shares.
pub(crate) struct Ctx {
    pub client: ApiClient,
    store: Arc<Mutex<dyn RecordStore>>,
    pacer: Pacer,
    meter: Arc<SpendMeter>,
    slots: Semaphore,
    /// Writes full-sync pages off the async workers, several per transaction.
    writer: writer::PageWriter,
    pub cancel: CancelToken,
    pub concurrency: usize,
    progress: Option<ProgressFn>,
}

impl Ctx {
    pub fn store(&self) -> MutexGuard<'_, dyn RecordStore + 'static> {
        self.store.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Runs one request when a connection slot and the budget allow; `None` when
    /// cancelled first. Its cost goes to `tally`.
    pub async fn gated<R, Fut>(
        &self,
        tally: &Mutex<Tally>,
        f: impl FnOnce() -> Fut,
    ) -> Option<ApiResult<R>>
    where
        Fut: std::future::Future<Output = ApiResult<R>>,
    {
        let _slot = tokio::select! {
            s = self.slots.acquire() => s.ok()?,
            _ = self.cancel.cancelled() => return None,
        };
        let permit = self.pacer.admit(&self.cancel).await?;
        // Counted from this call's own responses: with several resources in
        // flight, "what the budget saw since the last look" mixes them up.
        let account = Account::new();
        let out = account.scope(f()).await;
        drop(permit);
        self.meter.take();
        let mut t = tally.lock().unwrap_or_else(|e| e.into_inner());
        t.requests += account.requests();
        t.points += account.points();
        t.throttled += account.throttled();
        Some(out)
    }

    pub fn report(&self, resource: Resource, tally: &Mutex<Tally>) {
        if let Some(p) = &self.progress {
            let t = tally.lock().unwrap_or_else(|e| e.into_inner()).clone();
            p(&Progress {
                resource,
                records: t.records,
                expected: t.expected,
                requests: t.requests,
                points: self.meter.total(),
                waiting: self.pacer.waiting_reason(),
            });
        }
    }
}

/// The engine: a client, a store and options.
pub struct Engine {
    client: ApiClient,
    store: Arc<Mutex<dyn RecordStore>>,
    opts: SyncOptions,
    cancel: CancelToken,
    progress: Option<ProgressFn>,
}

impl Engine {
    pub fn new(client: ApiClient, store: Arc<Mutex<dyn RecordStore>>, opts: SyncOptions) -> Engine {
        Engine {
            client,
            store,
            opts,
            cancel: CancelToken::new(),
            progress: None,
        }
    }

    /// Stops the sync when cancelled (checkpoints are kept).
    pub fn with_cancel(mut self, cancel: CancelToken) -> Engine {
        self.cancel = cancel;
        self
    }

    pub fn on_progress(mut self, f: ProgressFn) -> Engine {
        self.progress = Some(f);
        self
    }

    /// Syncs every chosen resource, at once, sharing the connections and budget.
    pub async fn run(self) -> SyncReport {
        let started = Instant::now();
        let budget = self.client.budget().clone();
        let meter = SpendMeter::new(budget.clone());
        let ctx = Arc::new(Ctx {
            client: self.client.clone(),
            store: self.store.clone(),
            pacer: Pacer::new(
                budget,
                self.opts.priority,
                self.opts.reserve,
                self.opts.bulk_share,
            ),
            meter: meter.clone(),
            slots: Semaphore::new(self.opts.concurrency.max(1)),
            writer: writer::PageWriter::start(self.store.clone()),
            cancel: self.cancel.clone(),
            concurrency: self.opts.concurrency.max(1),
            progress: self.progress.clone(),
        });
        let mut resources: Vec<Resource> = Vec::new();
        for r in &self.opts.resources {
            if !resources.contains(r) {
                resources.push(*r);
            }
        }
        let jobs = resources
            .iter()
            .map(|&r| resource::sync_resource(&ctx, r, self.opts.full));
        let reports = futures::future::join_all(jobs).await;
        // Every page was answered: the writer thread is idle and ends now.
        ctx.writer.finish();
        let mut out = SyncReport {
            records: reports.iter().map(|r| r.records).sum(),
            requests: reports.iter().map(|r| r.requests).sum(),
            points: reports.iter().map(|r| r.points).sum(),
            throttled: reports.iter().map(|r| r.throttled).sum(),
            seconds: started.elapsed().as_secs_f64(),
            interrupted: self.cancel.is_cancelled(),
            resources: reports,
        };
        if out.interrupted {
            for r in &mut out.resources {
                if !r.complete && r.error.is_none() {
                    r.error = Some(SyncError::Cancelled.to_string());
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::Resource;

    /// The store's coverage checks name the sync checkpoints of the resources
    /// the funnel and the calls read: each must be a resource this engine syncs.
    #[test]
    fn the_funnel_reads_resources_the_engine_syncs() {
        use crate::store::funnel::{CALL_RESOURCES, FUNNEL_RESOURCES};
        for name in FUNNEL_RESOURCES.iter().chain(CALL_RESOURCES.iter()) {
            let res = Resource::parse(name);
            assert!(
                res.is_some_and(|r| r.name() == *name && Resource::ALL.contains(&r)),
                "{name} is a synced resource"
            );
        }
        for r in Resource::ALL {
            assert_eq!(
                crate::store::table_of(r.name()),
                Some(r.table()),
                "the store knows {}'s table",
                r.name()
            );
        }
        assert_eq!(
            Resource::parse("email_templates"),
            Some(Resource::Templates)
        );
        assert_eq!(Resource::Templates.path(), "email_templates");
        assert!(
            Resource::Templates
                .base_query()
                .to_query_string()
                .contains("include_cadence_templates=true"),
            "cadence templates are asked for"
        );
    }
}
