//! The sync's vocabulary and shared context: the resources, options, reports,
//! errors and the counters, and the `Ctx` every walk runs with (a leaf of the
//! sync: the walks and the engine take them from here).

use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard};

use serde::Serialize;
use tokio::sync::Semaphore;

use super::pace::{CancelToken, Pacer, SpendMeter};
use super::writer::PageWriter;
use crate::api::models::Timestamped;
use crate::api::{Account, ApiClient, ApiError, ApiResult, Query};
use crate::budget::Priority;
use crate::store::StoreRecord;
use crate::store::{RecordStore, StoreError};

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
    /// The priority of each resource's first request, the one that asks whether
    /// anything changed (a point per resource: the incremental cursor's first
    /// page, or the first page of a resource read whole because the server
    /// ignores its `updated_at` filter). `Some(Background)` lets a poll through
    /// while bulk work has used its share (after a large sync, for up to a
    /// minute), so a change shows within a poll; the further pages of a burst of
    /// changes stay at `priority`. `None`: `priority`.
    pub check_priority: Option<Priority>,
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
            check_priority: None,
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
    pub(super) store: Arc<Mutex<dyn RecordStore>>,
    pub(super) pacer: Pacer,
    pub(super) meter: Arc<SpendMeter>,
    pub(super) slots: Semaphore,
    /// Writes full-sync pages off the async workers, several per transaction.
    pub(super) writer: PageWriter,
    pub cancel: CancelToken,
    pub concurrency: usize,
    pub(super) progress: Option<ProgressFn>,
    /// [`SyncOptions::check_priority`].
    pub(super) check_priority: Option<Priority>,
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
        self.gated_as(None, tally, f).await
    }

    /// [`Ctx::gated`] at `priority` instead of the engine's own when given (a
    /// poll's check at [`SyncOptions::check_priority`]).
    pub async fn gated_as<R, Fut>(
        &self,
        priority: Option<Priority>,
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
        let permit = match priority {
            Some(p) => self.pacer.admit_as(p, &self.cancel).await?,
            None => self.pacer.admit(&self.cancel).await?,
        };
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
