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
//!    rows the full sync did not see (deleted upstream) are removed. The cursor's
//!    first request goes out once every page is answered, while the writer merges
//!    the staged rows and the full sync ends; what it reads is written after.
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

mod ctx;
mod full;
pub mod pace;
mod resource;
mod walk;
mod writer;

use std::sync::{Arc, Mutex};
use std::time::Instant;

use tokio::sync::Semaphore;

use crate::api::ApiClient;
use crate::store::RecordStore;

pub use pace::{CancelToken, Pacer, SpendMeter};

use ctx::Ctx;
pub use ctx::{
    PAGES_PER_WINDOW, PER_PAGE, Progress, ProgressFn, Resource, ResourceReport, SyncError,
    SyncOptions, SyncReport,
};

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
            check_priority: self.opts.check_priority,
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
