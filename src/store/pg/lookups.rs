//! What a dashboard on the team database reads besides the whole tables: one
//! person, a cadence's steps and people, a person's memberships, the facts of
//! some cadences over a range, the hub's user and status with the database's
//! clock; the connect that never creates the schema; and filing an enrollment
//! job that joins one already open for the same enrollment.

use chrono::{DateTime, Utc};
use postgres::fallible_iterator::FallibleIterator;
use serde::de::DeserializeOwned;

use super::conn::{PgErrorKind, Session, Target, off_runtime};
use super::jobs::{JOB_COLUMNS, Job, JobRequest, audit, job_from};
use super::lead::{HUB_COLUMNS, HubStatus, hub_from};
use super::records::{FACT_COLUMNS, fact_from};
use super::{PgStore, schema, write_tx};
use crate::api::models::{Membership, Person, Step, User};
use crate::metrics::EmailFact;
use crate::store::records::id64;
use crate::store::{StoreError, StoreResult};

/// The meta key under which the hub keeps its own user (`/v2/me` of its key), as
/// JSON: the dashboards' "me" (whose personal cadences are whose).
pub const HUB_ME_KEY: &str = "hub_me";

fn json_rows<T: DeserializeOwned>(rows: &[postgres::Row]) -> Result<Vec<T>, postgres::Error> {
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        // A row that no longer parses (a model changed) is skipped, as elsewhere.
        if let Ok(v) = serde_json::from_str(r.try_get::<_, &str>(0)?) {
            out.push(v);
        }
    }
    Ok(out)
}

impl PgStore {
    /// Connects to a database a hub has set up, for reading: refuses one without
    /// the sltui schema (it never creates it), migrates an older one, refuses a
    /// newer one.
    pub fn connect_existing(url: &str) -> StoreResult<PgStore> {
        let target = Target::parse(url).map_err(StoreError::Postgres)?;
        let session = off_runtime(|| {
            let mut client = target.connect()?;
            let found = schema::version(&mut client)
                .map_err(|e| target.error(PgErrorKind::Connect(super::conn::describe(&e))))?;
            if found == 0 {
                return Err(target.error(PgErrorKind::Refused(
                    "it holds no sltui data yet; run `sltui hub --db …` on it first".into(),
                )));
            }
            schema::migrate(&mut client, &target)?;
            Ok(Session::new(client))
        })
        .map_err(StoreError::Postgres)?;
        Ok(PgStore {
            target,
            session: std::sync::Mutex::new(Some(session)),
            fence: std::sync::atomic::AtomicI32::new(0),
        })
    }

    fn json_query<T: DeserializeOwned + Send>(
        &self,
        sql: &str,
        params: &[&(dyn postgres::types::ToSql + Sync)],
    ) -> StoreResult<Vec<T>> {
        self.read(|c| json_rows(&c.query(sql, params)?))
    }

    /// One person by id.
    pub fn person(&self, id: u64) -> StoreResult<Option<Person>> {
        let found: Vec<Person> =
            self.json_query("SELECT data::text FROM people WHERE id = $1", &[&id64(id)])?;
        Ok(found.into_iter().next())
    }

    /// The people with these ids (those the store holds), by id.
    pub fn people_by_ids(&self, ids: &[u64]) -> StoreResult<Vec<Person>> {
        let ids: Vec<i64> = ids.iter().map(|&i| id64(i)).collect();
        self.json_query(
            "SELECT data::text FROM people WHERE id = ANY($1) ORDER BY id",
            &[&ids],
        )
    }

    /// The person with this email address (case and spaces ignored).
    pub fn person_by_email(&self, email: &str) -> StoreResult<Option<Person>> {
        let address = email.trim().to_lowercase();
        let found: Vec<Person> = self.json_query(
            "SELECT data::text FROM people
             WHERE lower(trim(data->>'email_address')) = $1 ORDER BY id LIMIT 1",
            &[&address],
        )?;
        Ok(found.into_iter().next())
    }

    /// A person's memberships, by id.
    pub fn person_memberships(&self, person_id: u64) -> StoreResult<Vec<Membership>> {
        self.json_query(
            "SELECT data::text FROM memberships WHERE person_id = $1 ORDER BY id",
            &[&id64(person_id)],
        )
    }

    /// A cadence's steps, by id.
    pub fn cadence_steps(&self, cadence_id: u64) -> StoreResult<Vec<Step>> {
        self.json_query(
            "SELECT data::text FROM steps WHERE cadence_id = $1 ORDER BY id",
            &[&id64(cadence_id)],
        )
    }

    /// Hands `f` the email facts of these cadences whose range time (sent_at,
    /// else updated_at) is at or after `since` (unix seconds; `None`: all),
    /// streamed; returns how many.
    pub fn for_each_fact_of(
        &self,
        cadence_ids: &[u64],
        since: Option<i64>,
        f: &mut (dyn FnMut(EmailFact) + Send),
    ) -> StoreResult<usize> {
        let ids: Vec<i64> = cadence_ids.iter().map(|&i| id64(i)).collect();
        let since = since.unwrap_or(i64::MIN);
        let sql = format!(
            "SELECT {FACT_COLUMNS} FROM email_facts
             WHERE cadence_id = ANY($1) AND fact_at(sent_at, updated_us) >= $2"
        );
        self.run(|c| {
            let mut rows =
                c.query_raw(&sql, [&ids as &(dyn postgres::types::ToSql + Sync), &since])?;
            let mut n = 0;
            while let Some(r) = rows.next()? {
                f(fact_from(&r)?);
                n += 1;
            }
            Ok(n)
        })
    }

    /// The hub's own user, as it stored it under [`HUB_ME_KEY`].
    pub fn hub_me(&self) -> StoreResult<Option<User>> {
        Ok(self
            .meta(HUB_ME_KEY)?
            .and_then(|s| serde_json::from_str(&s).ok()))
    }

    /// Stores the hub's own user (the hub calls this after `/v2/me`).
    pub fn set_hub_me(&self, user: &User) -> StoreResult<()> {
        let text = serde_json::to_string(user).unwrap_or_else(|_| "{}".into());
        self.set_meta(HUB_ME_KEY, &text)
    }

    /// The hub's status row (`None` before any hub ran) and the database's clock
    /// when it was read, so ages need no agreement between the machines' clocks.
    pub fn hub_status_at(&self) -> StoreResult<(Option<HubStatus>, DateTime<Utc>)> {
        let sql = format!("SELECT {HUB_COLUMNS} FROM hub_status WHERE id = 1");
        self.read(|c| {
            let now: DateTime<Utc> = c.query_one("SELECT now()", &[])?.get(0);
            let status = c.query_opt(&sql, &[])?.as_ref().map(hub_from).transpose()?;
            Ok((status, now))
        })
    }

    /// Files `req`, unless a job for the same enrollment (cadence, person, step,
    /// on whose behalf) is still queued or running: then that one is returned
    /// (`false`), so concurrent requests from any number of dashboards make one
    /// job and all see its one outcome. Filing the same key again returns its job.
    pub fn file_or_join_job(&self, req: &JobRequest) -> StoreResult<(Job, bool)> {
        self.run(|c| {
            let mut tx = write_tx(c)?;
            let same_key = format!("SELECT {JOB_COLUMNS} FROM jobs WHERE key = $1");
            if let Some(r) = tx.query_opt(&same_key, &[&req.key])? {
                let job = job_from(&r)?;
                tx.commit()?;
                return Ok((job, false));
            }
            let open = format!(
                "SELECT {JOB_COLUMNS} FROM jobs
                 WHERE cadence_id = $1 AND person_id = $2
                   AND step_id IS NOT DISTINCT FROM $3 AND on_behalf_of IS NOT DISTINCT FROM $4
                   AND state IN ('queued', 'running')
                 ORDER BY id LIMIT 1"
            );
            let enrollment = [id64(req.cadence_id), id64(req.person_id)];
            let (step, behalf) = (req.step_id.map(id64), req.on_behalf_of.map(id64));
            if let Some(r) =
                tx.query_opt(&open, &[&enrollment[0], &enrollment[1], &step, &behalf])?
            {
                let job = job_from(&r)?;
                let detail = format!("joined by {}", req.key);
                audit(
                    &mut tx,
                    &req.requested_by,
                    "job.joined",
                    Some(&job.key),
                    &detail,
                )?;
                tx.commit()?;
                return Ok((job, false));
            }
            let insert = format!(
                "INSERT INTO jobs (key, requested_by, cadence_id, person_id, step_id, on_behalf_of)
                 VALUES ($1, $2, $3, $4, $5, $6) RETURNING {JOB_COLUMNS}"
            );
            let row = tx.query_one(
                &insert,
                &[
                    &req.key,
                    &req.requested_by,
                    &enrollment[0],
                    &enrollment[1],
                    &step,
                    &behalf,
                ],
            )?;
            let job = job_from(&row)?;
            let detail = format!("cadence {} person {}", job.cadence_id, job.person_id);
            audit(
                &mut tx,
                &req.requested_by,
                "job.filed",
                Some(&req.key),
                &detail,
            )?;
            tx.commit()?;
            Ok((job, true))
        })
    }
}
