//! [`RecordStore`] for [`PgStore`]: each method is the store's own (the
//! queries live in `records.rs` and `checkpoint.rs`).

use chrono::{DateTime, FixedOffset, Utc};

use super::PgStore;
use crate::api::CursorPosition;
use crate::api::models::{Cadence, Call, EmailTemplate, Membership, Person, Step, User};
use crate::metrics::{EmailFact, GroupTotals};
use crate::store::{
    PageMark, PersonRow, Prepared, RecordStore, ResourceState, StoreResult, WindowMark,
};

impl RecordStore for PgStore {
    fn location(&self) -> String {
        self.target().to_string()
    }

    fn meta(&self, key: &str) -> StoreResult<Option<String>> {
        PgStore::meta(self, key)
    }

    fn set_meta(&self, key: &str, value: &str) -> StoreResult<()> {
        PgStore::set_meta(self, key, value)
    }

    fn upsert_prepared(&mut self, rows: &Prepared, generation: i64) -> StoreResult<()> {
        PgStore::upsert_prepared(self, rows, generation)
    }

    fn upsert_email_facts(&mut self, facts: &[EmailFact], generation: i64) -> StoreResult<()> {
        PgStore::upsert_email_facts(self, facts, generation)
    }

    fn resource_state(&self, resource: &str) -> StoreResult<ResourceState> {
        PgStore::resource_state(self, resource)
    }

    fn begin_full(
        &mut self,
        resource: &str,
        high_water: Option<DateTime<FixedOffset>>,
        expected: Option<u64>,
    ) -> StoreResult<ResourceState> {
        PgStore::begin_full(self, resource, high_water, expected)
    }

    fn windows(&self, resource: &str) -> StoreResult<Vec<WindowMark>> {
        PgStore::windows(self, resource)
    }

    fn pages(&self, resource: &str) -> StoreResult<Vec<PageMark>> {
        PgStore::pages(self, resource)
    }

    fn add_window(&mut self, resource: &str, idx: u32, start: &CursorPosition) -> StoreResult<()> {
        PgStore::add_window(self, resource, idx, start)
    }

    fn finish_window(&mut self, resource: &str, idx: u32) -> StoreResult<()> {
        PgStore::finish_window(self, resource, idx)
    }

    fn save_pages_prepared(
        &mut self,
        pages: &[(&str, &PageMark, &Prepared, i64)],
    ) -> StoreResult<()> {
        PgStore::save_pages_prepared(self, pages)
    }

    fn finish_full(
        &mut self,
        resource: &str,
        table: &str,
        cursor: &CursorPosition,
    ) -> StoreResult<u64> {
        PgStore::finish_full(self, resource, table, cursor)
    }

    fn save_cursor_prepared(
        &mut self,
        resource: &str,
        rows: &Prepared,
        cursor: &CursorPosition,
    ) -> StoreResult<()> {
        PgStore::save_cursor_prepared(self, resource, rows, cursor)
    }

    fn mark_synced(&mut self, resource: &str) -> StoreResult<()> {
        PgStore::mark_synced(self, resource)
    }

    fn last_synced_at(&self) -> StoreResult<Option<DateTime<Utc>>> {
        PgStore::last_synced_at(self)
    }

    fn has_rows(&self, table: &str) -> StoreResult<bool> {
        PgStore::has_rows(self, table)
    }

    fn count(&self, table: &str) -> StoreResult<u64> {
        PgStore::count(self, table)
    }

    fn max_updated_us(&self, table: &str) -> StoreResult<i64> {
        PgStore::max_updated_us(self, table)
    }

    fn people(&self) -> StoreResult<Vec<Person>> {
        PgStore::people(self)
    }

    fn cadences(&self) -> StoreResult<Vec<Cadence>> {
        PgStore::cadences(self)
    }

    fn steps(&self) -> StoreResult<Vec<Step>> {
        PgStore::steps(self)
    }

    fn users(&self) -> StoreResult<Vec<User>> {
        PgStore::users(self)
    }

    fn memberships(&self) -> StoreResult<Vec<Membership>> {
        PgStore::memberships(self)
    }

    fn calls(&self) -> StoreResult<Vec<Call>> {
        PgStore::calls(self)
    }

    fn cadence_calls(&self, cadence_id: u64) -> StoreResult<Vec<Call>> {
        PgStore::cadence_calls(self, cadence_id)
    }

    fn email_templates(&self) -> StoreResult<Vec<EmailTemplate>> {
        PgStore::email_templates(self)
    }

    fn cadence_email_facts(&self, cadence_id: u64) -> StoreResult<Vec<EmailFact>> {
        PgStore::cadence_email_facts(self, cadence_id)
    }

    fn cadence_memberships(&self, cadence_id: u64) -> StoreResult<Vec<Membership>> {
        PgStore::cadence_memberships(self, cadence_id)
    }

    fn person_rows_after(&self, updated_us: i64) -> StoreResult<Vec<PersonRow>> {
        PgStore::person_rows_after(self, updated_us)
    }

    fn for_each_email_fact_after(
        &self,
        updated_us: i64,
        f: &mut (dyn FnMut(EmailFact) + Send),
    ) -> StoreResult<usize> {
        PgStore::for_each_email_fact_after(self, updated_us, f)
    }

    fn range_totals(&self, since: Option<u32>) -> StoreResult<GroupTotals> {
        PgStore::range_totals(self, since)
    }
}
