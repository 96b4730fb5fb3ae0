//! [`RecordStore`] for the SQLite [`Store`]: each method delegates to the
//! store's own, so nothing changes (nor slows) for the one-user store.

use chrono::{DateTime, FixedOffset, Utc};

use super::backend::RecordStore;
use super::{
    DashboardData, PageMark, PersonRow, Prepared, ResourceState, Store, StoreResult, WindowMark,
};
use crate::api::CursorPosition;
use crate::api::models::{Cadence, Call, EmailTemplate, Membership, Person, Step, User};
use crate::metrics::{EmailFact, GroupTotals};

impl RecordStore for Store {
    fn location(&self) -> String {
        self.path().display().to_string()
    }

    fn meta(&self, key: &str) -> StoreResult<Option<String>> {
        Store::meta(self, key)
    }

    fn set_meta(&self, key: &str, value: &str) -> StoreResult<()> {
        Store::set_meta(self, key, value)
    }

    fn upsert_prepared(&mut self, rows: &Prepared, generation: i64) -> StoreResult<()> {
        Store::upsert_prepared(self, rows, generation)
    }

    fn upsert_email_facts(&mut self, facts: &[EmailFact], generation: i64) -> StoreResult<()> {
        Store::upsert_email_facts(self, facts, generation)
    }

    fn resource_state(&self, resource: &str) -> StoreResult<ResourceState> {
        Store::resource_state(self, resource)
    }

    fn begin_full(
        &mut self,
        resource: &str,
        high_water: Option<DateTime<FixedOffset>>,
        expected: Option<u64>,
    ) -> StoreResult<ResourceState> {
        Store::begin_full(self, resource, high_water, expected)
    }

    fn windows(&self, resource: &str) -> StoreResult<Vec<WindowMark>> {
        Store::windows(self, resource)
    }

    fn pages(&self, resource: &str) -> StoreResult<Vec<PageMark>> {
        Store::pages(self, resource)
    }

    fn add_window(&mut self, resource: &str, idx: u32, start: &CursorPosition) -> StoreResult<()> {
        Store::add_window(self, resource, idx, start)
    }

    fn finish_window(&mut self, resource: &str, idx: u32) -> StoreResult<()> {
        Store::finish_window(self, resource, idx)
    }

    fn bulk_writes(&mut self, on: bool) -> StoreResult<()> {
        Store::bulk_writes(self, on)
    }

    fn checkpoint_aside(&self) -> Option<std::sync::Arc<dyn Fn() + Send + Sync>> {
        Store::checkpoint_aside(self)
    }

    fn save_pages_prepared(
        &mut self,
        pages: &[(&str, &PageMark, &Prepared, i64)],
    ) -> StoreResult<()> {
        Store::save_pages_prepared(self, pages)
    }

    fn stage_pages_prepared(
        &mut self,
        pages: &[(&str, &PageMark, &Prepared, i64)],
    ) -> StoreResult<()> {
        Store::stage_pages_prepared(self, pages)
    }

    fn merge_staged(&mut self) -> StoreResult<u64> {
        Store::merge_staged(self)
    }

    fn save_page_prepared(
        &mut self,
        resource: &str,
        mark: &PageMark,
        rows: &Prepared,
        generation: i64,
    ) -> StoreResult<()> {
        Store::save_page_prepared(self, resource, mark, rows, generation)
    }

    fn finish_full(
        &mut self,
        resource: &str,
        table: &str,
        cursor: &CursorPosition,
    ) -> StoreResult<u64> {
        Store::finish_full(self, resource, table, cursor)
    }

    fn save_cursor_prepared(
        &mut self,
        resource: &str,
        rows: &Prepared,
        cursor: &CursorPosition,
    ) -> StoreResult<()> {
        Store::save_cursor_prepared(self, resource, rows, cursor)
    }

    fn mark_synced(&mut self, resource: &str) -> StoreResult<()> {
        Store::mark_synced(self, resource)
    }

    fn last_synced_at(&self) -> StoreResult<Option<DateTime<Utc>>> {
        Store::last_synced_at(self)
    }

    fn has_rows(&self, table: &str) -> StoreResult<bool> {
        Store::has_rows(self, table)
    }

    fn count(&self, table: &str) -> StoreResult<u64> {
        Store::count(self, table)
    }

    fn max_updated_us(&self, table: &str) -> StoreResult<i64> {
        Store::max_updated_us(self, table)
    }

    fn people(&self) -> StoreResult<Vec<Person>> {
        Store::people(self)
    }

    fn cadences(&self) -> StoreResult<Vec<Cadence>> {
        Store::cadences(self)
    }

    fn steps(&self) -> StoreResult<Vec<Step>> {
        Store::steps(self)
    }

    fn users(&self) -> StoreResult<Vec<User>> {
        Store::users(self)
    }

    fn memberships(&self) -> StoreResult<Vec<Membership>> {
        Store::memberships(self)
    }

    fn calls(&self) -> StoreResult<Vec<Call>> {
        Store::calls(self)
    }

    fn cadence_calls(&self, cadence_id: u64) -> StoreResult<Vec<Call>> {
        Store::cadence_calls(self, cadence_id)
    }

    fn email_templates(&self) -> StoreResult<Vec<EmailTemplate>> {
        Store::email_templates(self)
    }

    fn cadence_email_facts(&self, cadence_id: u64) -> StoreResult<Vec<EmailFact>> {
        Store::cadence_email_facts(self, cadence_id)
    }

    fn cadence_memberships(&self, cadence_id: u64) -> StoreResult<Vec<Membership>> {
        Store::cadence_memberships(self, cadence_id)
    }

    fn person_rows_after(&self, updated_us: i64) -> StoreResult<Vec<PersonRow>> {
        Store::person_rows_after(self, updated_us)
    }

    fn person_rows(&self) -> StoreResult<Vec<PersonRow>> {
        Store::person_rows(self)
    }

    fn for_each_email_fact_after(
        &self,
        updated_us: i64,
        f: &mut (dyn FnMut(EmailFact) + Send),
    ) -> StoreResult<usize> {
        Store::for_each_email_fact_after(self, updated_us, f)
    }

    fn for_each_email_fact(&self, f: &mut (dyn FnMut(EmailFact) + Send)) -> StoreResult<usize> {
        Store::for_each_email_fact(self, f)
    }

    fn email_facts(&self) -> StoreResult<Vec<EmailFact>> {
        Store::email_facts(self)
    }

    fn range_totals(&self, since: Option<u32>) -> StoreResult<GroupTotals> {
        Store::range_totals(self, since)
    }

    fn dashboard_summary(&self, since: Option<u32>) -> StoreResult<(DashboardData, GroupTotals)> {
        Store::dashboard_summary(self, since)
    }

    fn dashboard_data(&self) -> StoreResult<DashboardData> {
        Store::dashboard_data(self)
    }
}
