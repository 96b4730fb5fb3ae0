//! One interface, two implementations: [`RecordStore`] is what the sync engine
//! and the dashboard's start-up read call on a store, implemented by the SQLite
//! [`Store`](super::Store) (one user) and the PostgreSQL
//! [`PgStore`](super::PgStore) (a team).
//!
//! Object safe and `Send`: the sync engine can hold an
//! `Arc<Mutex<dyn RecordStore>>` (or `Box<dyn RecordStore>`) whichever the
//! store. Records go in as [`Prepared`] rows (`T::prepare(&rows)` of any
//! [`StoreRecord`](super::StoreRecord)), encoded before a lock is taken.

use chrono::{DateTime, FixedOffset, Utc};

use super::{
    DashboardData, PageMark, PersonRow, Prepared, ResourceState, StoreRecord, StoreResult,
    WindowMark,
};
use crate::api::CursorPosition;
use crate::api::models::{Cadence, Call, EmailTemplate, Membership, Person, Step, User};
use crate::metrics::{EmailFact, GroupTotals};

/// A store of the team's records and of where their sync stands.
pub trait RecordStore: Send {
    /// Where the data lives, for messages: a file path, or a database URL
    /// without its password.
    fn location(&self) -> String;

    // -- key/value

    /// A value from the key/value table (e.g. the server the data came from).
    fn meta(&self, key: &str) -> StoreResult<Option<String>>;
    fn set_meta(&self, key: &str, value: &str) -> StoreResult<()>;

    // -- writing records (idempotent by id; an older version never replaces a newer)

    /// Upserts a batch in one transaction.
    fn upsert_prepared(&mut self, rows: &Prepared, generation: i64) -> StoreResult<()>;
    /// Upserts email facts directly (e.g. from the worker's engagement loads).
    fn upsert_email_facts(&mut self, facts: &[EmailFact], generation: i64) -> StoreResult<()>;

    // -- the sync engine's checkpoints

    /// The state of `resource` (a fresh one when never synced).
    fn resource_state(&self, resource: &str) -> StoreResult<ResourceState>;
    /// Starts a full sync of `resource` (a new generation).
    fn begin_full(
        &mut self,
        resource: &str,
        high_water: Option<DateTime<FixedOffset>>,
        expected: Option<u64>,
    ) -> StoreResult<ResourceState>;
    fn windows(&self, resource: &str) -> StoreResult<Vec<WindowMark>>;
    fn pages(&self, resource: &str) -> StoreResult<Vec<PageMark>>;
    /// Adds window `idx` starting at `start` (no-op when it exists).
    fn add_window(&mut self, resource: &str, idx: u32, start: &CursorPosition) -> StoreResult<()>;
    fn finish_window(&mut self, resource: &str, idx: u32) -> StoreResult<()>;
    /// Tunes the connection for (`on`) or back from a stream of page writes (a
    /// full sync's writer). Nothing to do by default.
    fn bulk_writes(&mut self, on: bool) -> StoreResult<()> {
        let _ = on;
        Ok(())
    }
    /// Work that copies what a full sync wrote so far to where it is kept, to
    /// run on another thread while the writer merges the staged rows
    /// ([`Store::checkpoint_aside`](crate::store::Store::checkpoint_aside)).
    /// Nothing by default.
    fn checkpoint_aside(&self) -> Option<std::sync::Arc<dyn Fn() + Send + Sync>> {
        None
    }
    /// Several pages (resource, mark, rows, generation), each with its
    /// checkpoint, in one transaction: all are saved or none.
    fn save_pages_prepared(
        &mut self,
        pages: &[(&str, &PageMark, &Prepared, i64)],
    ) -> StoreResult<()>;
    /// Like [`save_pages_prepared`](RecordStore::save_pages_prepared), for a
    /// full sync's writer: a store may stage the rows (cheaper to commit) and
    /// move them into their tables later, in [`merge_staged`](RecordStore::merge_staged),
    /// which it also does before a full sync begins or finishes. By default the
    /// rows go straight to their tables.
    fn stage_pages_prepared(
        &mut self,
        pages: &[(&str, &PageMark, &Prepared, i64)],
    ) -> StoreResult<()> {
        self.save_pages_prepared(pages)
    }
    /// Moves rows staged by [`stage_pages_prepared`](RecordStore::stage_pages_prepared)
    /// into their tables; how many there were.
    fn merge_staged(&mut self) -> StoreResult<u64> {
        Ok(0)
    }
    /// One page's records and its checkpoint, atomically.
    fn save_page_prepared(
        &mut self,
        resource: &str,
        mark: &PageMark,
        rows: &Prepared,
        generation: i64,
    ) -> StoreResult<()> {
        self.save_pages_prepared(&[(resource, mark, rows, generation)])
    }
    /// Ends the full sync: the incremental cursor takes over from `cursor` and
    /// rows of `table` the sync did not see are removed. Returns how many.
    fn finish_full(
        &mut self,
        resource: &str,
        table: &str,
        cursor: &CursorPosition,
    ) -> StoreResult<u64>;
    /// Records read by the incremental cursor, with the cursor's new position.
    fn save_cursor_prepared(
        &mut self,
        resource: &str,
        rows: &Prepared,
        cursor: &CursorPosition,
    ) -> StoreResult<()>;
    /// Notes that `resource` is up to date as of now.
    fn mark_synced(&mut self, resource: &str) -> StoreResult<()>;
    /// The oldest of the resources' last syncs; `None` if never.
    fn last_synced_at(&self) -> StoreResult<Option<DateTime<Utc>>>;

    // -- reading

    /// Whether a record table holds any row.
    fn has_rows(&self, table: &str) -> StoreResult<bool>;
    /// Rows in a record table (0 for any other name).
    fn count(&self, table: &str) -> StoreResult<u64>;
    /// The newest `updated_at` (microseconds) in a record table; 0 when empty.
    fn max_updated_us(&self, table: &str) -> StoreResult<i64>;
    fn people(&self) -> StoreResult<Vec<Person>>;
    fn cadences(&self) -> StoreResult<Vec<Cadence>>;
    fn steps(&self) -> StoreResult<Vec<Step>>;
    fn users(&self) -> StoreResult<Vec<User>>;
    fn memberships(&self) -> StoreResult<Vec<Membership>>;
    fn cadence_memberships(&self, cadence_id: u64) -> StoreResult<Vec<Membership>>;
    /// The team's calls, by id.
    fn calls(&self) -> StoreResult<Vec<Call>>;
    /// One cadence's calls, by id.
    fn cadence_calls(&self, cadence_id: u64) -> StoreResult<Vec<Call>>;
    /// The team's email templates (cadence templates included), by id.
    fn email_templates(&self) -> StoreResult<Vec<EmailTemplate>>;
    /// One cadence's email facts (sent or not), by id.
    fn cadence_email_facts(&self, cadence_id: u64) -> StoreResult<Vec<EmailFact>>;
    /// The people index's rows of the people updated after `updated_us`, by id.
    fn person_rows_after(&self, updated_us: i64) -> StoreResult<Vec<PersonRow>>;
    /// Hands each email fact updated after `updated_us` to `f`, one at a time;
    /// returns how many.
    fn for_each_email_fact_after(
        &self,
        updated_us: i64,
        f: &mut (dyn FnMut(EmailFact) + Send),
    ) -> StoreResult<usize>;
    /// Engagement per (cadence, step) of the sent emails whose range time is at
    /// or after `since` (unix seconds; `None`: all time), from the per-day sums.
    fn range_totals(&self, since: Option<u32>) -> StoreResult<GroupTotals>;

    // -- provided

    /// The people index's rows of every person, by id.
    fn person_rows(&self) -> StoreResult<Vec<PersonRow>> {
        self.person_rows_after(i64::MIN)
    }

    /// Hands every email fact to `f`; returns how many.
    fn for_each_email_fact(&self, f: &mut (dyn FnMut(EmailFact) + Send)) -> StoreResult<usize> {
        self.for_each_email_fact_after(i64::MIN, f)
    }

    fn email_facts(&self) -> StoreResult<Vec<EmailFact>> {
        let mut out = Vec::with_capacity(self.count("email_facts")? as usize);
        self.for_each_email_fact(&mut |f| out.push(f))?;
        Ok(out)
    }

    /// What the dashboard's first frame reads: [`DashboardData`] without people
    /// and email facts, and the engagement since `since`.
    fn dashboard_summary(&self, since: Option<u32>) -> StoreResult<(DashboardData, GroupTotals)> {
        let data = DashboardData {
            people: Vec::new(),
            cadences: self.cadences()?,
            steps: self.steps()?,
            users: self.users()?,
            email_facts: Vec::new(),
            synced_at: self.last_synced_at()?,
        };
        Ok((data, self.range_totals(since)?))
    }

    /// Everything the dashboard needs at start, in one go.
    fn dashboard_data(&self) -> StoreResult<DashboardData> {
        Ok(DashboardData {
            people: self.people()?,
            cadences: self.cadences()?,
            steps: self.steps()?,
            users: self.users()?,
            email_facts: self.email_facts()?,
            synced_at: self.last_synced_at()?,
        })
    }
}

/// The typed conveniences of the SQLite store, on any store behind the
/// interface (generic methods cannot be in an object-safe trait): each encodes
/// the rows ([`StoreRecord::prepare`]) and calls the trait.
impl<'a> dyn RecordStore + 'a {
    /// Upserts a batch in one transaction.
    pub fn upsert<T: StoreRecord>(&mut self, rows: &[T], generation: i64) -> StoreResult<()> {
        self.upsert_prepared(&T::prepare(rows), generation)
    }

    /// Records written outside pages (gap fills), no checkpoint change.
    pub fn save_records<T: StoreRecord>(&mut self, rows: &[T], generation: i64) -> StoreResult<()> {
        self.upsert(rows, generation)
    }

    /// One page's records and its checkpoint, atomically.
    pub fn save_page<T: StoreRecord>(
        &mut self,
        resource: &str,
        mark: &PageMark,
        rows: &[T],
        generation: i64,
    ) -> StoreResult<()> {
        self.save_page_prepared(resource, mark, &T::prepare(rows), generation)
    }

    /// Records read by the incremental cursor, with the cursor's new position.
    pub fn save_cursor<T: StoreRecord>(
        &mut self,
        resource: &str,
        rows: &[T],
        cursor: &CursorPosition,
    ) -> StoreResult<()> {
        self.save_cursor_prepared(resource, &T::prepare(rows), cursor)
    }
}
