//! Records on PostgreSQL: idempotent batch upserts (one statement per batch, the
//! rows passed as arrays), the dashboard's reads, and the range totals from the
//! per-day sums.

use std::collections::HashMap;

use postgres::GenericClient;
use postgres::fallible_iterator::FallibleIterator;
use serde::de::DeserializeOwned;

use super::{PgStore, write_tx};
use crate::api::models::{Cadence, Call, EmailTemplate, Membership, Person, Step, User};
use crate::metrics::{EmailFact, Engagement, GroupTotals};
use crate::store::records::{JsonRow, Kind, id64, person_label, utc_micros};
use crate::store::summary::DAY_SECS;
use crate::store::{PersonRow, Prepared, StoreResult, TABLES};

/// An email fact from its columns ([`FACT_COLUMNS`]); the flags column is
/// `metrics::flags` (migration 4 added the tracking bits, stored negated, so a
/// row written before reads as tracked).
pub(crate) fn fact_from(row: &postgres::Row) -> Result<EmailFact, postgres::Error> {
    let mut fact = EmailFact {
        email_id: row.try_get::<_, i64>(0)? as u64,
        cadence_id: row.try_get::<_, Option<i64>>(1)?.map(|v| v as u64),
        step_id: row.try_get::<_, Option<i64>>(2)?.map(|v| v as u64),
        sent: false,
        bounced: false,
        viewed: false,
        clicked: false,
        replied: false,
        view_tracked: true,
        click_tracked: true,
        template_id: row.try_get::<_, Option<i64>>(6)?.map(|v| v as u64),
        person_id: row.try_get::<_, Option<i64>>(7)?.map(|v| v as u64),
        sent_at: row.try_get::<_, Option<i64>>(4)?.map(utc_micros),
        updated_at: utc_micros(row.try_get(5)?),
    };
    fact.set_flags(row.try_get::<_, i32>(3)? as u8);
    Ok(fact)
}

/// The columns [`fact_from`] reads.
pub(crate) const FACT_COLUMNS: &str =
    "id, cadence_id, step_id, flags, sent_at, updated_us, template_id, person_id";

/// The columns [`person_row_from`] reads: a field of another type (a model
/// changed) reads as missing, as in the SQLite store.
pub(crate) const PERSON_COLUMNS: &str = "id,
    CASE WHEN jsonb_typeof(data->'display_name') = 'string' THEN data->>'display_name' END,
    CASE WHEN jsonb_typeof(data->'first_name') = 'string' THEN data->>'first_name' END,
    CASE WHEN jsonb_typeof(data->'last_name') = 'string' THEN data->>'last_name' END,
    CASE WHEN jsonb_typeof(data->'email_address') = 'string' THEN data->>'email_address' END,
    CASE WHEN jsonb_typeof(data->'person_company_name') = 'string'
         THEN data->>'person_company_name' END,
    CASE WHEN jsonb_typeof(data->'title') = 'string' THEN data->>'title' END";

pub(crate) fn person_row_from(r: &postgres::Row) -> Result<PersonRow, postgres::Error> {
    let id = r.try_get::<_, i64>(0)? as u64;
    let text = |i: usize| r.try_get::<_, Option<String>>(i);
    let email = text(4)?;
    Ok(PersonRow {
        id,
        name: person_label(id, text(1)?, text(2)?, text(3)?, email.as_deref()),
        email: email.unwrap_or_default(),
        company: text(5)?.unwrap_or_default(),
        title: text(6)?.unwrap_or_default(),
    })
}

/// Writes `rows` in the transaction `c`, never replacing a row by an older
/// version of it (as the SQLite store).
pub(crate) fn write(
    c: &mut impl GenericClient,
    rows: &Prepared,
    generation: i64,
) -> Result<(), postgres::Error> {
    match &rows.kind {
        Kind::Facts(facts) => write_facts(c, facts, generation),
        Kind::Json { table, extra, rows } => write_json(c, table, extra, rows, generation),
    }
}

/// Keeps one row per id (the newest; of equals, the last), as writing them one
/// by one would leave it: one statement may not touch a row twice.
fn newest_per_id<T>(rows: &[T], key: impl Fn(&T) -> (i64, i64)) -> Vec<&T> {
    let mut at: HashMap<i64, usize> = HashMap::with_capacity(rows.len());
    let mut out: Vec<&T> = Vec::with_capacity(rows.len());
    for r in rows {
        let (id, updated) = key(r);
        match at.get(&id) {
            Some(&i) if key(out[i]).1 > updated => {}
            Some(&i) => out[i] = r,
            None => {
                at.insert(id, out.len());
                out.push(r);
            }
        }
    }
    out
}

fn write_json(
    c: &mut impl GenericClient,
    table: &str,
    extra: &[&str],
    rows: &[JsonRow],
    generation: i64,
) -> Result<(), postgres::Error> {
    if rows.is_empty() {
        return Ok(());
    }
    let rows = newest_per_id(rows, |r| (r.id, r.updated_us));
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let ups: Vec<i64> = rows.iter().map(|r| r.updated_us).collect();
    let data: Vec<&str> = rows.iter().map(|r| r.data.as_str()).collect();
    let e0: Vec<Option<i64>> = rows.iter().map(|r| r.extra[0]).collect();
    let e1: Vec<Option<i64>> = rows.iter().map(|r| r.extra[1]).collect();
    let mut cols = vec!["id", "updated_us", "seen", "data"];
    cols.extend_from_slice(extra);
    let mut select = vec!["u.id", "u.up", "$3", "u.data::jsonb"];
    let mut arrays = vec!["$1::int8[]", "$2::int8[]", "$4::text[]"];
    let mut names = vec!["id", "up", "data"];
    for (i, _) in extra.iter().enumerate() {
        select.push(["u.e0", "u.e1"][i]);
        arrays.push(["$5::int8[]", "$6::int8[]"][i]);
        names.push(["e0", "e1"][i]);
    }
    let newer = "excluded.updated_us >= t.updated_us";
    let mut set = vec![
        "seen = excluded.seen".to_string(),
        format!("data = CASE WHEN {newer} THEN excluded.data ELSE t.data END"),
    ];
    for col in extra {
        set.push(format!(
            "{col} = CASE WHEN {newer} THEN excluded.{col} ELSE t.{col} END"
        ));
    }
    set.push("updated_us = greatest(t.updated_us, excluded.updated_us)".into());
    let sql = format!(
        "INSERT INTO {table} AS t ({}) SELECT {} FROM unnest({}) AS u({})
         ON CONFLICT (id) DO UPDATE SET {}",
        cols.join(", "),
        select.join(", "),
        arrays.join(", "),
        names.join(", "),
        set.join(", ")
    );
    match extra.len() {
        0 => c.execute(&sql, &[&ids, &ups, &generation, &data])?,
        1 => c.execute(&sql, &[&ids, &ups, &generation, &data, &e0])?,
        _ => c.execute(&sql, &[&ids, &ups, &generation, &data, &e0, &e1])?,
    };
    Ok(())
}

pub(crate) fn write_facts(
    c: &mut impl GenericClient,
    facts: &[EmailFact],
    generation: i64,
) -> Result<(), postgres::Error> {
    if facts.is_empty() {
        return Ok(());
    }
    let facts = newest_per_id(facts, |f| {
        (id64(f.email_id), f.updated_at.timestamp_micros())
    });
    let ids: Vec<i64> = facts.iter().map(|f| id64(f.email_id)).collect();
    let ups: Vec<i64> = facts
        .iter()
        .map(|f| f.updated_at.timestamp_micros())
        .collect();
    let cadences: Vec<Option<i64>> = facts.iter().map(|f| f.cadence_id.map(id64)).collect();
    let steps: Vec<Option<i64>> = facts.iter().map(|f| f.step_id.map(id64)).collect();
    let flags: Vec<i32> = facts.iter().map(|f| i32::from(f.flags())).collect();
    let templates: Vec<Option<i64>> = facts.iter().map(|f| f.template_id.map(id64)).collect();
    let people: Vec<Option<i64>> = facts.iter().map(|f| f.person_id.map(id64)).collect();
    let sent: Vec<Option<i64>> = facts
        .iter()
        .map(|f| f.sent_at.map(|t| t.timestamp_micros()))
        .collect();
    let newer = "excluded.updated_us >= t.updated_us";
    c.execute(
        &format!(
            "INSERT INTO email_facts AS t
               (id, updated_us, seen, cadence_id, step_id, flags, sent_at, template_id,
                person_id)
             SELECT u.id, u.up, $3, u.c, u.s, u.f, u.at, u.tpl, u.p
             FROM unnest($1::int8[], $2::int8[], $4::int8[], $5::int8[], $6::int4[], $7::int8[],
                         $8::int8[], $9::int8[])
               AS u(id, up, c, s, f, at, tpl, p)
             ON CONFLICT (id) DO UPDATE SET
               seen = excluded.seen,
               cadence_id = CASE WHEN {newer} THEN excluded.cadence_id ELSE t.cadence_id END,
               step_id = CASE WHEN {newer} THEN excluded.step_id ELSE t.step_id END,
               flags = CASE WHEN {newer} THEN excluded.flags ELSE t.flags END,
               sent_at = CASE WHEN {newer} THEN excluded.sent_at ELSE t.sent_at END,
               template_id = CASE WHEN {newer} THEN excluded.template_id
                                  ELSE t.template_id END,
               person_id = CASE WHEN {newer} THEN excluded.person_id ELSE t.person_id END,
               updated_us = greatest(t.updated_us, excluded.updated_us)"
        ),
        &[
            &ids,
            &ups,
            &generation,
            &cadences,
            &steps,
            &flags,
            &sent,
            &templates,
            &people,
        ],
    )?;
    Ok(())
}

/// `table` when it is one of the record tables (names are never taken from input).
fn record_table(table: &str) -> Option<&'static str> {
    TABLES.iter().copied().find(|t| *t == table)
}

impl PgStore {
    /// Upserts rows encoded beforehand, in one transaction.
    pub fn upsert_prepared(&self, rows: &Prepared, generation: i64) -> StoreResult<()> {
        self.run(|c| {
            let mut tx = write_tx(c)?;
            write(&mut tx, rows, generation)?;
            tx.commit()
        })
    }

    pub fn upsert_email_facts(&self, facts: &[EmailFact], generation: i64) -> StoreResult<()> {
        self.run(|c| {
            let mut tx = write_tx(c)?;
            write_facts(&mut tx, facts, generation)?;
            tx.commit()
        })
    }

    fn load_json<T: DeserializeOwned + Send>(
        &self,
        sql: &str,
        params: &[&(dyn postgres::types::ToSql + Sync)],
    ) -> StoreResult<Vec<T>> {
        self.read(|c| {
            let mut rows = c.query_raw(sql, params.iter().copied())?;
            let mut out = Vec::new();
            while let Some(r) = rows.next()? {
                // A row that no longer parses (a model changed) is skipped, not
                // fatal: the next sync writes it again.
                if let Ok(v) = serde_json::from_str(r.try_get::<_, &str>(0)?) {
                    out.push(v);
                }
            }
            Ok(out)
        })
    }

    pub fn people(&self) -> StoreResult<Vec<Person>> {
        self.load_json("SELECT data::text FROM people ORDER BY id", &[])
    }

    pub fn cadences(&self) -> StoreResult<Vec<Cadence>> {
        self.load_json("SELECT data::text FROM cadences ORDER BY id", &[])
    }

    pub fn steps(&self) -> StoreResult<Vec<Step>> {
        self.load_json(
            "SELECT data::text FROM steps ORDER BY cadence_id NULLS FIRST, id",
            &[],
        )
    }

    pub fn users(&self) -> StoreResult<Vec<User>> {
        self.load_json("SELECT data::text FROM users ORDER BY id", &[])
    }

    pub fn memberships(&self) -> StoreResult<Vec<Membership>> {
        self.load_json("SELECT data::text FROM memberships ORDER BY id", &[])
    }

    pub fn calls(&self) -> StoreResult<Vec<Call>> {
        self.load_json("SELECT data::text FROM calls ORDER BY id", &[])
    }

    pub fn cadence_calls(&self, cadence_id: u64) -> StoreResult<Vec<Call>> {
        self.load_json(
            "SELECT data::text FROM calls WHERE cadence_id = $1 ORDER BY id",
            &[&id64(cadence_id)],
        )
    }

    pub fn email_templates(&self) -> StoreResult<Vec<EmailTemplate>> {
        self.load_json("SELECT data::text FROM email_templates ORDER BY id", &[])
    }

    /// One cadence's email facts (sent or not), by id.
    pub fn cadence_email_facts(&self, cadence_id: u64) -> StoreResult<Vec<EmailFact>> {
        self.read(|c| {
            let sql =
                format!("SELECT {FACT_COLUMNS} FROM email_facts WHERE cadence_id = $1 ORDER BY id");
            let mut out = Vec::new();
            for r in c.query(&sql, &[&id64(cadence_id)])? {
                out.push(fact_from(&r)?);
            }
            Ok(out)
        })
    }

    pub fn cadence_memberships(&self, cadence_id: u64) -> StoreResult<Vec<Membership>> {
        self.load_json(
            "SELECT data::text FROM memberships WHERE cadence_id = $1 ORDER BY id",
            &[&id64(cadence_id)],
        )
    }

    /// Hands every email fact updated after `updated_us` to `f`, streamed.
    pub fn for_each_email_fact_after(
        &self,
        updated_us: i64,
        f: &mut (dyn FnMut(EmailFact) + Send),
    ) -> StoreResult<usize> {
        self.run(|c| {
            let sql = format!("SELECT {FACT_COLUMNS} FROM email_facts WHERE updated_us > $1");
            let mut rows = c.query_raw(&sql, [&updated_us])?;
            let mut n = 0;
            while let Some(r) = rows.next()? {
                f(fact_from(&r)?);
                n += 1;
            }
            Ok(n)
        })
    }

    pub fn person_rows_after(&self, updated_us: i64) -> StoreResult<Vec<PersonRow>> {
        self.read(|c| {
            let sql =
                format!("SELECT {PERSON_COLUMNS} FROM people WHERE updated_us > $1 ORDER BY id");
            let mut rows = c.query_raw(&sql, [&updated_us])?;
            let mut out = Vec::new();
            while let Some(r) = rows.next()? {
                out.push(person_row_from(&r)?);
            }
            Ok(out)
        })
    }

    pub fn count(&self, table: &str) -> StoreResult<u64> {
        let Some(table) = record_table(table) else {
            return Ok(0);
        };
        self.read(|c| {
            c.query_one(&format!("SELECT count(*) FROM {table}"), &[])
                .map(|r| r.get::<_, i64>(0) as u64)
        })
    }

    pub fn has_rows(&self, table: &str) -> StoreResult<bool> {
        let Some(table) = record_table(table) else {
            return Ok(false);
        };
        self.read(|c| {
            c.query_one(&format!("SELECT EXISTS (SELECT 1 FROM {table})"), &[])
                .map(|r| r.get(0))
        })
    }

    pub fn max_updated_us(&self, table: &str) -> StoreResult<i64> {
        let Some(table) = record_table(table) else {
            return Ok(0);
        };
        self.read(|c| {
            c.query_one(
                &format!("SELECT coalesce(max(updated_us), 0)::int8 FROM {table}"),
                &[],
            )
            .map(|r| r.get(0))
        })
    }

    /// Engagement per (cadence, step) of the sent emails whose range time is at
    /// or after `since` (unix seconds; `None`: all time): the per-day sums of the
    /// whole days, and a recount of the day `since` falls in.
    pub fn range_totals(&self, since: Option<u32>) -> StoreResult<GroupTotals> {
        let first_day = since.map_or(-1, |s| i64::from(s / DAY_SECS));
        let per = self.read(|c| {
            let mut per: HashMap<(i64, i64), Engagement> = HashMap::new();
            let mut tx = c.build_transaction().read_only(true).start()?;
            let rows = tx.query(
                "SELECT cadence_id, step_id, sum(sent)::int8, sum(delivered)::int8,
                        sum(opened)::int8, sum(clicked)::int8, sum(replied)::int8,
                        sum(bounced)::int8, sum(view_tracked)::int8, sum(click_tracked)::int8
                 FROM fact_days WHERE day > $1 GROUP BY cadence_id, step_id",
                &[&first_day],
            )?;
            for r in rows {
                let n = |i: usize| r.get::<_, i64>(i).max(0) as u64;
                *per.entry((r.get(0), r.get(1))).or_default() += Engagement {
                    sent: n(2),
                    delivered: n(3),
                    opened: n(4),
                    clicked: n(5),
                    replied: n(6),
                    bounced: n(7),
                    view_tracked: n(8),
                    click_tracked: n(9),
                };
            }
            if let Some(since) = since {
                let end = (first_day + 1) * i64::from(DAY_SECS);
                let rows = tx.query(
                    "SELECT coalesce(cadence_id, 0), coalesce(step_id, 0), flags FROM email_facts
                     WHERE fact_at(sent_at, updated_us) >= $1
                       AND fact_at(sent_at, updated_us) < $2 AND flags & 1 = 1",
                    &[&i64::from(since), &end],
                )?;
                for r in rows {
                    let flags = r.get::<_, i32>(2) as u8;
                    *per.entry((r.get(0), r.get(1))).or_default() += Engagement::of_flags(flags);
                }
            }
            tx.commit()?;
            Ok(per)
        })?;
        let id = |v: i64| (v != 0).then_some(v as u64);
        let mut out: GroupTotals = per
            .into_iter()
            .filter(|(_, e)| !e.is_empty())
            .map(|((c, s), e)| ((id(c), id(s)), e))
            .collect();
        out.sort_unstable_by_key(|(g, _)| *g);
        Ok(out)
    }
}
