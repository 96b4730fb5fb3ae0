//! The dashboard's first frame from the store: its data, and the engagement
//! sums of a range read from the per-day sums (`fact_days`).

use chrono::{DateTime, Utc};
use rusqlite::params;

use super::{Store, StoreResult};
use crate::api::models::{Cadence, Person, Step, User};
use crate::metrics::{EmailFact, Engagement, GroupTotals};

pub(crate) use super::schema::FACT_AT;

pub(crate) const DAY_SECS: u32 = 86_400;

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
}
