//! Reading records back: the stored models, the email facts one row at a
//! time, the people index's rows, and counts.

use serde::de::DeserializeOwned;

use super::records::{TABLES, id64, person_label, utc_micros};
use super::{Store, StoreResult};
use crate::api::models::{Cadence, Call, EmailTemplate, Membership, Person, Step, User};
use crate::metrics::EmailFact;

/// A person as the dashboard's people index lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonRow {
    pub id: u64,
    /// As [`Person::label`]: display name, else first + last name, else email.
    pub name: String,
    pub email: String,
    pub company: String,
    pub title: String,
}

impl Store {
    fn load_json<T: DeserializeOwned>(&self, sql: &str) -> StoreResult<Vec<T>> {
        let mut st = self.conn.prepare(sql).map_err(|e| self.sql(e))?;
        let rows = st
            .query_map([], |r| r.get::<_, String>(0))
            .map_err(|e| self.sql(e))?;
        let mut out = Vec::new();
        for row in rows {
            let text = row.map_err(|e| self.sql(e))?;
            // A row that no longer parses (a model changed) is skipped, not fatal:
            // the next sync writes it again.
            if let Ok(v) = serde_json::from_str(&text) {
                out.push(v);
            }
        }
        Ok(out)
    }

    pub fn people(&self) -> StoreResult<Vec<Person>> {
        self.load_json("SELECT data FROM people ORDER BY id")
    }

    pub fn cadences(&self) -> StoreResult<Vec<Cadence>> {
        self.load_json("SELECT data FROM cadences ORDER BY id")
    }

    pub fn steps(&self) -> StoreResult<Vec<Step>> {
        self.load_json("SELECT data FROM steps ORDER BY cadence_id, id")
    }

    pub fn users(&self) -> StoreResult<Vec<User>> {
        self.load_json("SELECT data FROM users ORDER BY id")
    }

    pub fn memberships(&self) -> StoreResult<Vec<Membership>> {
        self.load_json("SELECT data FROM memberships ORDER BY id")
    }

    /// One cadence's memberships.
    pub fn cadence_memberships(&self, cadence_id: u64) -> StoreResult<Vec<Membership>> {
        let mut st = self
            .conn
            .prepare_cached("SELECT data FROM memberships WHERE cadence_id = ?1 ORDER BY id")
            .map_err(|e| self.sql(e))?;
        let rows = st
            .query_map([id64(cadence_id)], |r| r.get::<_, String>(0))
            .map_err(|e| self.sql(e))?;
        let mut out = Vec::new();
        for row in rows {
            if let Ok(m) = serde_json::from_str(&row.map_err(|e| self.sql(e))?) {
                out.push(m);
            }
        }
        Ok(out)
    }

    pub fn email_facts(&self) -> StoreResult<Vec<EmailFact>> {
        let mut out = Vec::with_capacity(self.count("email_facts")? as usize);
        self.for_each_email_fact(|f| out.push(f))?;
        Ok(out)
    }

    /// Hands every stored email fact to `f`, one row at a time (no list of a
    /// million facts in memory). Returns how many.
    pub fn for_each_email_fact(&self, f: impl FnMut(EmailFact)) -> StoreResult<usize> {
        self.for_each_email_fact_after(i64::MIN, f)
    }

    /// [`Store::for_each_email_fact`] of the facts updated after `updated_us`.
    pub fn for_each_email_fact_after(
        &self,
        updated_us: i64,
        f: impl FnMut(EmailFact),
    ) -> StoreResult<usize> {
        self.facts_where("updated_us > ?1", updated_us, f)
    }

    /// One cadence's email facts (sent or not), by id.
    pub fn cadence_email_facts(&self, cadence_id: u64) -> StoreResult<Vec<EmailFact>> {
        let mut out = Vec::new();
        self.facts_where("cadence_id = ?1 ORDER BY id", id64(cadence_id), |f| {
            out.push(f)
        })?;
        Ok(out)
    }

    /// Hands each fact matching `cond` (over `?1` = `param`) to `f`, one row at a time.
    fn facts_where(
        &self,
        cond: &str,
        param: i64,
        mut f: impl FnMut(EmailFact),
    ) -> StoreResult<usize> {
        let mut st = self
            .conn
            .prepare_cached(&format!(
                "SELECT id, cadence_id, step_id, flags, sent_at, updated_us, template_id,
                        person_id
                 FROM email_facts WHERE {cond}"
            ))
            .map_err(|e| self.sql(e))?;
        let mut rows = st.query([param]).map_err(|e| self.sql(e))?;
        let mut n = 0;
        while let Some(r) = rows.next().map_err(|e| self.sql(e))? {
            let fact = (|| {
                let flags: i64 = r.get(3)?;
                let id: i64 = r.get(0)?;
                let opt = |i: usize| r.get::<_, Option<i64>>(i).map(|v| v.map(|v| v as u64));
                let mut fact = EmailFact {
                    email_id: id as u64,
                    cadence_id: opt(1)?,
                    step_id: opt(2)?,
                    sent: false,
                    bounced: false,
                    viewed: false,
                    clicked: false,
                    replied: false,
                    view_tracked: true,
                    click_tracked: true,
                    template_id: opt(6)?,
                    person_id: opt(7)?,
                    sent_at: r.get::<_, Option<i64>>(4)?.map(utc_micros),
                    updated_at: utc_micros(r.get(5)?),
                };
                fact.set_flags(flags as u8);
                Ok(fact)
            })()
            .map_err(|e: rusqlite::Error| self.sql(e))?;
            f(fact);
            n += 1;
        }
        Ok(n)
    }

    /// The team's calls, by id.
    pub fn calls(&self) -> StoreResult<Vec<Call>> {
        self.load_json("SELECT data FROM calls ORDER BY id")
    }

    /// One cadence's calls, by id.
    pub fn cadence_calls(&self, cadence_id: u64) -> StoreResult<Vec<Call>> {
        self.load_json(&format!(
            "SELECT data FROM calls WHERE cadence_id = {} ORDER BY id",
            id64(cadence_id)
        ))
    }

    /// The team's email templates (cadence templates included), by id.
    pub fn email_templates(&self) -> StoreResult<Vec<EmailTemplate>> {
        self.load_json("SELECT data FROM email_templates ORDER BY id")
    }

    /// Rows in `table` (one of the record tables).
    pub fn count(&self, table: &str) -> StoreResult<u64> {
        if !TABLES.contains(&table) {
            return Ok(0);
        }
        self.conn
            .query_row(&format!("SELECT count(*) FROM {table}"), [], |r| {
                r.get::<_, i64>(0)
            })
            .map(|n| n as u64)
            .map_err(|e| self.sql(e))
    }

    /// What the dashboard lists of each person: the few fields of its people index,
    /// read by SQLite from the stored JSON (no JSON parsing here), in id order.
    pub fn person_rows(&self) -> StoreResult<Vec<PersonRow>> {
        self.person_rows_after(i64::MIN)
    }

    /// [`Store::person_rows`] of the people updated after `updated_us`.
    pub fn person_rows_after(&self, updated_us: i64) -> StoreResult<Vec<PersonRow>> {
        let mut st = self
            .conn
            .prepare(
                "SELECT id, json_extract(data, '$.display_name'), json_extract(data, '$.first_name'),
                        json_extract(data, '$.last_name'), json_extract(data, '$.email_address'),
                        json_extract(data, '$.person_company_name'), json_extract(data, '$.title')
                 FROM people WHERE updated_us > ?1 ORDER BY id",
            )
            .map_err(|e| self.sql(e))?;
        let capacity = if updated_us == i64::MIN {
            self.count("people")? as usize
        } else {
            0
        };
        let mut out = Vec::with_capacity(capacity);
        let mut rows = st.query([updated_us]).map_err(|e| self.sql(e))?;
        // A field of another type (a model changed) reads as missing, as serde would skip the row.
        let text = |r: &rusqlite::Row<'_>, i: usize| -> Option<String> {
            r.get::<_, Option<String>>(i).ok().flatten()
        };
        while let Some(r) = rows.next().map_err(|e| self.sql(e))? {
            let id: i64 = r.get(0).map_err(|e| self.sql(e))?;
            let id = id as u64;
            let email = text(r, 4);
            let name = person_label(id, text(r, 1), text(r, 2), text(r, 3), email.as_deref());
            out.push(PersonRow {
                id,
                name,
                email: email.unwrap_or_default(),
                company: text(r, 5).unwrap_or_default(),
                title: text(r, 6).unwrap_or_default(),
            });
        }
        Ok(out)
    }

    /// Whether a record table holds any row (without counting them all).
    pub fn has_rows(&self, table: &str) -> StoreResult<bool> {
        if !TABLES.contains(&table) {
            return Ok(false);
        }
        self.conn
            .query_row(&format!("SELECT EXISTS (SELECT 1 FROM {table})"), [], |r| {
                r.get(0)
            })
            .map_err(|e| self.sql(e))
    }

    /// The newest `updated_at` (microseconds) in a record table; 0 when empty.
    pub fn max_updated_us(&self, table: &str) -> StoreResult<i64> {
        if !TABLES.contains(&table) {
            return Ok(0);
        }
        self.conn
            .query_row(
                &format!("SELECT coalesce(max(updated_us), 0) FROM {table}"),
                [],
                |r| r.get(0),
            )
            .map_err(|e| self.sql(e))
    }
}
