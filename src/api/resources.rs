//! One method per SalesLoft resource the dashboard uses. Paths are written
//! without the `.json` suffix (both spellings work), except `me.json`.

use reqwest::Method;
use serde::de::DeserializeOwned;

use super::ApiResult;
use super::client::ApiClient;
use super::models::{
    Cadence, Call, Email, ListEnvelope, Membership, NewCall, NewMembership, NewPerson, Person,
    PersonUpdate, Single, Step, Team, Timestamped, User,
};
use super::paging::{CursorPosition, CursorStream, PageWalk};
use super::query::Query;

impl ApiClient {
    async fn one<T: DeserializeOwned>(&self, path: &str) -> ApiResult<T> {
        Ok(self.get_json::<Single<T>>(path, &Query::new()).await?.data)
    }

    /// The authenticated user (`GET /v2/me.json`).
    pub async fn me(&self) -> ApiResult<User> {
        self.one("me.json").await
    }

    /// The key's team (`GET /v2/team.json`): its group privacy says whether a
    /// key that is not a team admin sees everything.
    pub async fn team(&self) -> ApiResult<Team> {
        self.one("team.json").await
    }

    /// All users: without `page`, `/v2/users` is not paginated and its
    /// metadata has no `paging` key.
    pub async fn users(&self) -> ApiResult<Vec<User>> {
        Ok(self.list::<User>("users", &Query::new()).await?.data)
    }

    pub async fn person(&self, id: u64) -> ApiResult<Person> {
        self.one(&format!("people/{id}")).await
    }

    pub async fn people(&self, q: &Query) -> ApiResult<ListEnvelope<Person>> {
        self.list("people", q).await
    }

    /// Creates a person. A duplicate email comes back as a 422
    /// [`ApiError::Validation`](super::ApiError::Validation).
    pub async fn create_person(&self, p: &NewPerson) -> ApiResult<Person> {
        let s: Single<Person> = self.send_json(Method::POST, "people", p).await?;
        Ok(s.data)
    }

    pub async fn update_person(&self, id: u64, p: &PersonUpdate) -> ApiResult<Person> {
        let path = format!("people/{id}");
        let s: Single<Person> = self.send_json(Method::PUT, &path, p).await?;
        Ok(s.data)
    }

    pub async fn cadence(&self, id: u64) -> ApiResult<Cadence> {
        self.one(&format!("cadences/{id}")).await
    }

    pub async fn cadences(&self, q: &Query) -> ApiResult<ListEnvelope<Cadence>> {
        self.list("cadences", q).await
    }

    pub async fn step(&self, id: u64) -> ApiResult<Step> {
        self.one(&format!("steps/{id}")).await
    }

    pub async fn steps(&self, q: &Query) -> ApiResult<ListEnvelope<Step>> {
        self.list("steps", q).await
    }

    pub async fn membership(&self, id: u64) -> ApiResult<Membership> {
        self.one(&format!("cadence_memberships/{id}")).await
    }

    pub async fn memberships(&self, q: &Query) -> ApiResult<ListEnvelope<Membership>> {
        self.list("cadence_memberships", q).await
    }

    /// Adds a person to a cadence. Not retried unless provably unsent: on an
    /// ambiguous error, re-read the memberships before trying again.
    pub async fn create_membership(&self, m: &NewMembership) -> ApiResult<Membership> {
        let s: Single<Membership> = self
            .send_json(Method::POST, "cadence_memberships", m)
            .await?;
        Ok(s.data)
    }

    /// Removes a person from a cadence (204).
    pub async fn delete_membership(&self, id: u64) -> ApiResult<()> {
        self.delete(&format!("cadence_memberships/{id}")).await
    }

    pub async fn email(&self, id: u64) -> ApiResult<Email> {
        self.one(&format!("activities/emails/{id}")).await
    }

    pub async fn emails(&self, q: &Query) -> ApiResult<ListEnvelope<Email>> {
        self.list("activities/emails", q).await
    }

    pub async fn call(&self, id: u64) -> ApiResult<Call> {
        self.one(&format!("activities/calls/{id}")).await
    }

    pub async fn calls(&self, q: &Query) -> ApiResult<ListEnvelope<Call>> {
        self.list("activities/calls", q).await
    }

    pub async fn create_call(&self, c: &NewCall) -> ApiResult<Call> {
        let s: Single<Call> = self.send_json(Method::POST, "activities/calls", c).await?;
        Ok(s.data)
    }

    /// Page-number walk over a list endpoint (`page=1,2,...`).
    pub fn page_walk<T: DeserializeOwned>(&self, path: &str, query: Query) -> PageWalk<T> {
        PageWalk::new(self.clone(), path, query)
    }

    /// Keyset walk in `updated_at` order from `start`; see [`CursorStream`].
    pub fn cursor<T: DeserializeOwned + Timestamped>(
        &self,
        path: &str,
        query: Query,
        start: CursorPosition,
    ) -> CursorStream<T> {
        CursorStream::new(self.clone(), path, query, start)
    }
}
