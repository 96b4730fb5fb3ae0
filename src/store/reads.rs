//! Reading records back: the stored models, the email facts one row at a
//! time, the people index's rows, and counts.

use serde::de::DeserializeOwned;

use super::records::{TABLES, id64, person_label, utc_micros};
use super::{Store, StoreResult};
use crate::api::models::{Cadence, Membership, Person, Step, User};
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
        mut f: impl FnMut(EmailFact),
    ) -> StoreResult<usize> {
        let mut st = self
            .conn
            .prepare(
                "SELECT id, cadence_id, step_id, flags, sent_at, updated_us, template_id
                 FROM email_facts WHERE updated_us > ?1",
            )
            .map_err(|e| self.sql(e))?;
        let mut rows = st.query([updated_us]).map_err(|e| self.sql(e))?;
        let mut n = 0;
        while let Some(r) = rows.next().map_err(|e| self.sql(e))? {
            let fact = (|| {
                let flags: i64 = r.get(3)?;
                let id: i64 = r.get(0)?;
                let mut fact = EmailFact {
                    email_id: id as u64,
                    cadence_id: r.get::<_, Option<i64>>(1)?.map(|v| v as u64),
                    step_id: r.get::<_, Option<i64>>(2)?.map(|v| v as u64),
                    sent: false,
                    bounced: false,
                    viewed: false,
                    clicked: false,
                    replied: false,
                    view_tracked: true,
                    click_tracked: true,
                    template_id: r.get::<_, Option<i64>>(6)?.map(|v| v as u64),
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
