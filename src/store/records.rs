//! Writing and loading records: idempotent upserts by id, batch loads for the
//! dashboard's first frame.

use chrono::{DateTime, TimeZone, Utc};
use rusqlite::{Transaction, params};
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::{Store, StoreResult};
use crate::api::models::{Cadence, Email, Membership, Person, Step, User};
use crate::metrics::email_fact;
use crate::metrics::{EmailFact, Engagement, GroupTotals};

/// An email fact's range time in unix seconds, as SQL over `email_facts`: its
/// `sent_at`, else its `updated_at`, clamped to 1..=u32::MAX as the aggregator
/// does. Schema migration 2 indexes and sums by this very expression.
pub(crate) const FACT_AT: &str = "max(1, min(4294967295, coalesce(sent_at, updated_us) / 1000000))";

pub(crate) const DAY_SECS: u32 = 86_400;

/// A record the store keeps. Rows are [`prepare`](StoreRecord::prepare)d (encoded)
/// outside any lock, then written in one transaction.
pub trait StoreRecord: Sized {
    /// The table, also the resource's name in the sync checkpoints.
    const TABLE: &'static str;
    fn prepare(rows: &[Self]) -> Prepared;
}

/// Rows encoded for their table, ready to write.
#[derive(Debug, Clone)]
pub struct Prepared {
    pub(crate) kind: Kind,
}

#[derive(Debug, Clone)]
pub(crate) enum Kind {
    Json {
        table: &'static str,
        extra: &'static [&'static str],
        rows: Vec<JsonRow>,
    },
    Facts(Vec<EmailFact>),
}

#[derive(Debug, Clone)]
pub(crate) struct JsonRow {
    pub(crate) id: i64,
    pub(crate) updated_us: i64,
    pub(crate) data: String,
    pub(crate) extra: [Option<i64>; 2],
}

impl Prepared {
    pub fn len(&self) -> usize {
        match &self.kind {
            Kind::Json { rows, .. } => rows.len(),
            Kind::Facts(f) => f.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Upserts the rows inside `tx`, never replacing a row by an older version.
    pub(crate) fn write(&self, tx: &Transaction<'_>, generation: i64) -> rusqlite::Result<()> {
        match &self.kind {
            Kind::Facts(facts) => write_facts(tx, facts, generation),
            Kind::Json { table, extra, rows } => {
                let mut st = tx.prepare_cached(&upsert_sql(table, extra))?;
                for r in rows {
                    match extra.len() {
                        0 => st.execute(params![r.id, r.updated_us, generation, r.data])?,
                        1 => {
                            st.execute(params![r.id, r.updated_us, generation, r.data, r.extra[0]])?
                        }
                        _ => st.execute(params![
                            r.id,
                            r.updated_us,
                            generation,
                            r.data,
                            r.extra[0],
                            r.extra[1]
                        ])?,
                    };
                }
                Ok(())
            }
        }
    }
}

fn json_rows<T: Serialize>(
    table: &'static str,
    extra: &'static [&'static str],
    rows: &[T],
    key: impl Fn(&T) -> (u64, i64, [Option<i64>; 2]),
) -> Prepared {
    let rows = rows
        .iter()
        .map(|r| {
            let (id, updated_us, extra) = key(r);
            JsonRow {
                id: id64(id),
                updated_us,
                data: compact(r),
                extra,
            }
        })
        .collect();
    Prepared {
        kind: Kind::Json { table, extra, rows },
    }
}

/// The record as compact JSON. The models skip their unset (`None`) fields when
/// serialized (`skip_serializing_if`) and read a missing field as `None`, so a stored
/// person takes a few hundred bytes.
pub(super) fn compact<T: Serialize>(row: &T) -> String {
    serde_json::to_string(row).unwrap_or_else(|_| "null".to_string())
}

/// The upsert of the JSON-backed tables; `extra` names the indexed columns.
fn upsert_sql(table: &str, extra: &[&str]) -> String {
    let mut cols = vec!["id", "updated_us", "seen", "data"];
    cols.extend_from_slice(extra);
    let marks: Vec<String> = (1..=cols.len()).map(|i| format!("?{i}")).collect();
    let mut set = vec![
        "seen = excluded.seen".to_string(),
        format!(
            "data = CASE WHEN excluded.updated_us >= {table}.updated_us THEN excluded.data ELSE {table}.data END"
        ),
    ];
    for c in extra {
        set.push(format!(
            "{c} = CASE WHEN excluded.updated_us >= {table}.updated_us THEN excluded.{c} ELSE {table}.{c} END"
        ));
    }
    set.push(format!(
        "updated_us = max({table}.updated_us, excluded.updated_us)"
    ));
    format!(
        "INSERT INTO {table} ({}) VALUES ({}) ON CONFLICT(id) DO UPDATE SET {}",
        cols.join(", "),
        marks.join(", "),
        set.join(", ")
    )
}

fn ref_id(r: &Option<crate::api::models::Ref>) -> Option<i64> {
    r.as_ref()
        .and_then(|r| r.id_u64())
        .and_then(|v| i64::try_from(v).ok())
}

pub(crate) fn id64(id: u64) -> i64 {
    i64::try_from(id).unwrap_or(i64::MAX)
}

impl StoreRecord for Person {
    const TABLE: &'static str = "people";
    fn prepare(rows: &[Self]) -> Prepared {
        json_rows(Self::TABLE, &[], rows, |r| {
            (r.id, r.updated_at.timestamp_micros(), [None, None])
        })
    }
}

impl StoreRecord for Cadence {
    const TABLE: &'static str = "cadences";
    fn prepare(rows: &[Self]) -> Prepared {
        json_rows(Self::TABLE, &[], rows, |r| {
            (r.id, r.updated_at.timestamp_micros(), [None, None])
        })
    }
}

impl StoreRecord for Step {
    const TABLE: &'static str = "steps";
    fn prepare(rows: &[Self]) -> Prepared {
        json_rows(Self::TABLE, &["cadence_id"], rows, |r| {
            (
                r.id,
                r.updated_at.timestamp_micros(),
                [ref_id(&r.cadence), None],
            )
        })
    }
}

impl StoreRecord for Membership {
    const TABLE: &'static str = "memberships";
    fn prepare(rows: &[Self]) -> Prepared {
        json_rows(Self::TABLE, &["person_id", "cadence_id"], rows, |r| {
            (
                r.id,
                r.updated_at.timestamp_micros(),
                [ref_id(&r.person), ref_id(&r.cadence)],
            )
        })
    }
}

impl StoreRecord for User {
    const TABLE: &'static str = "users";
    fn prepare(rows: &[Self]) -> Prepared {
        json_rows(Self::TABLE, &[], rows, |r| {
            (
                r.id,
                r.updated_at.map_or(0, |t| t.timestamp_micros()),
                [None, None],
            )
        })
    }
}

impl StoreRecord for Email {
    const TABLE: &'static str = "email_facts";
    fn prepare(rows: &[Self]) -> Prepared {
        Prepared {
            kind: Kind::Facts(rows.iter().map(email_fact).collect()),
        }
    }
}

fn write_facts(tx: &Transaction<'_>, facts: &[EmailFact], generation: i64) -> rusqlite::Result<()> {
    let mut st = tx.prepare_cached(
        "INSERT INTO email_facts (id, updated_us, seen, cadence_id, step_id, flags, sent_at,
                                  template_id)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
         ON CONFLICT(id) DO UPDATE SET
           seen = excluded.seen,
           cadence_id = CASE WHEN excluded.updated_us >= email_facts.updated_us
                        THEN excluded.cadence_id ELSE email_facts.cadence_id END,
           step_id = CASE WHEN excluded.updated_us >= email_facts.updated_us
                     THEN excluded.step_id ELSE email_facts.step_id END,
           flags = CASE WHEN excluded.updated_us >= email_facts.updated_us
                   THEN excluded.flags ELSE email_facts.flags END,
           sent_at = CASE WHEN excluded.updated_us >= email_facts.updated_us
                     THEN excluded.sent_at ELSE email_facts.sent_at END,
           template_id = CASE WHEN excluded.updated_us >= email_facts.updated_us
                         THEN excluded.template_id ELSE email_facts.template_id END,
           updated_us = max(email_facts.updated_us, excluded.updated_us)",
    )?;
    for f in facts {
        let flags = i64::from(f.flags());
        st.execute(params![
            id64(f.email_id),
            f.updated_at.timestamp_micros(),
            generation,
            f.cadence_id.map(id64),
            f.step_id.map(id64),
            flags,
            f.sent_at.map(|t| t.timestamp_micros()),
            f.template_id.map(id64),
        ])?;
    }
    Ok(())
}

pub(crate) fn utc_micros(us: i64) -> DateTime<Utc> {
    Utc.timestamp_micros(us).single().unwrap_or_default()
}

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

/// [`Person::label`] from the stored columns.
pub(crate) fn person_label(
    id: u64,
    display: Option<String>,
    first: Option<String>,
    last: Option<String>,
    email: Option<&str>,
) -> String {
    if let Some(d) = display.filter(|s| !s.is_empty()) {
        return d;
    }
    let full = [first, last]
        .into_iter()
        .flatten()
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    if !full.is_empty() {
        return full;
    }
    email.map_or_else(|| format!("person {id}"), str::to_string)
}

/// Everything the dashboard shows before its first network call.
#[derive(Debug, Clone, Default)]
pub struct DashboardData {
    pub people: Vec<Person>,
    pub cadences: Vec<Cadence>,
    pub steps: Vec<Step>,
    pub users: Vec<User>,
    pub email_facts: Vec<EmailFact>,
    /// When the last sync of any resource finished: "offline, data as of ...".
    pub synced_at: Option<DateTime<Utc>>,
}

impl Store {
    /// Upserts a batch in one transaction (see [`StoreRecord`]).
    pub fn upsert<T: StoreRecord>(&mut self, rows: &[T], generation: i64) -> StoreResult<()> {
        self.upsert_prepared(&T::prepare(rows), generation)
    }

    /// Writes rows encoded beforehand (so a shared store is locked only to write).
    pub fn upsert_prepared(&mut self, rows: &Prepared, generation: i64) -> StoreResult<()> {
        self.in_tx(|tx| rows.write(tx, generation))
    }

    /// Upserts email facts directly (e.g. from the worker's engagement loads).
    pub fn upsert_email_facts(&mut self, facts: &[EmailFact], generation: i64) -> StoreResult<()> {
        self.in_tx(|tx| write_facts(tx, facts, generation))
    }

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

    /// What the first frame of the dashboard reads: [`DashboardData`] without
    /// `people` and `email_facts` (left empty), and the engagement per (cadence,
    /// step) of the sent emails whose range time is at or after `since` (unix
    /// seconds; `None` = all time), as [`crate::metrics::Aggregator`] counts it.
    ///
    /// Reads the per-day sums (`fact_days`) of the whole days in range and
    /// recounts only the emails of the day `since` falls in, to the second, so it
    /// costs a few thousand rows whatever the number of emails.
    pub fn dashboard_summary(
        &self,
        since: Option<u32>,
    ) -> StoreResult<(DashboardData, GroupTotals)> {
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

    /// Engagement per (cadence, step) of the sent emails in range; see
    /// [`Store::dashboard_summary`].
    pub fn range_totals(&self, since: Option<u32>) -> StoreResult<GroupTotals> {
        let mut per: std::collections::HashMap<(i64, i64), Engagement> = Default::default();
        let first_day = since.map_or(-1, |s| i64::from(s / DAY_SECS));
        {
            let mut st = self
                .conn
                .prepare_cached(
                    "SELECT cadence_id, step_id, sum(sent), sum(delivered), sum(opened),
                            sum(clicked), sum(replied), sum(bounced), sum(view_tracked),
                            sum(click_tracked)
                     FROM fact_days WHERE day > ?1 GROUP BY cadence_id, step_id",
                )
                .map_err(|e| self.sql(e))?;
            let mut rows = st.query([first_day]).map_err(|e| self.sql(e))?;
            while let Some(r) = rows.next().map_err(|e| self.sql(e))? {
                let n = |i: usize| r.get::<_, i64>(i).map(|v| v.max(0) as u64);
                let e = (|| {
                    Ok(Engagement {
                        sent: n(2)?,
                        delivered: n(3)?,
                        opened: n(4)?,
                        clicked: n(5)?,
                        replied: n(6)?,
                        bounced: n(7)?,
                        view_tracked: n(8)?,
                        click_tracked: n(9)?,
                    })
                })()
                .map_err(|e: rusqlite::Error| self.sql(e))?;
                let key = (
                    r.get(0).map_err(|e| self.sql(e))?,
                    r.get(1).map_err(|e| self.sql(e))?,
                );
                *per.entry(key).or_default() += e;
            }
        }
        if let Some(since) = since {
            // The day the range starts in: its emails at or after `since`, one by one.
            let sql = format!(
                "SELECT coalesce(cadence_id, 0), coalesce(step_id, 0), flags FROM email_facts
                 WHERE {FACT_AT} >= ?1 AND {FACT_AT} < ?2 AND flags & 1"
            );
            let mut st = self.conn.prepare_cached(&sql).map_err(|e| self.sql(e))?;
            let end = (first_day + 1) * i64::from(DAY_SECS);
            let mut rows = st
                .query(params![i64::from(since), end])
                .map_err(|e| self.sql(e))?;
            while let Some(r) = rows.next().map_err(|e| self.sql(e))? {
                let (c, s, flags): (i64, i64, i64) = (|| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))()
                    .map_err(|e: rusqlite::Error| self.sql(e))?;
                *per.entry((c, s)).or_default() += Engagement::of_flags(flags as u8);
            }
        }
        let id = |v: i64| (v != 0).then_some(v as u64);
        let mut out: GroupTotals = per
            .into_iter()
            .filter(|(_, e)| !e.is_empty())
            .map(|((c, s), e)| ((id(c), id(s)), e))
            .collect();
        out.sort_unstable_by_key(|(g, _)| *g);
        Ok(out)
    }

    /// Everything the dashboard needs at start, in one go.
    pub fn dashboard_data(&self) -> StoreResult<DashboardData> {
        Ok(DashboardData {
            people: self.people()?,
            cadences: self.cadences()?,
            steps: self.steps()?,
            users: self.users()?,
            email_facts: self.email_facts()?,
            synced_at: self.last_synced_at()?,
        })
    }

    /// Removes rows of `table` a finished full sync of generation `generation`
    /// did not see (they were deleted upstream). Returns how many.
    pub(crate) fn sweep(&mut self, table: &str, generation: i64) -> StoreResult<u64> {
        if !TABLES.contains(&table) {
            return Ok(0);
        }
        self.conn
            .execute(
                &format!("DELETE FROM {table} WHERE seen < ?1"),
                [generation],
            )
            .map(|n| n as u64)
            .map_err(|e| self.sql(e))
    }
}

/// The record tables, by resource.
pub const TABLES: &[&str] = &[
    "people",
    "cadences",
    "steps",
    "memberships",
    "users",
    "email_facts",
];
