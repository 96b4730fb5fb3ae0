//! What `sltui doctor --db` reports about a team database: the schema, whether
//! a hub leads, the hub's last word, the job queue and how much it holds.

use chrono::{DateTime, Utc};

use super::lead::HubStatus;
use super::schema::LEAD_LOCK;
use super::{PgStore, schema};
use crate::store::StoreResult;

/// A team database's state, read in one snapshot.
#[derive(Debug, Clone, PartialEq)]
pub struct DbHealth {
    pub schema_version: i64,
    /// A hub holds the leader's lock now.
    pub led: bool,
    /// The hub's status row, and the database's clock when it was read.
    pub hub: Option<HubStatus>,
    pub now: DateTime<Utc>,
    pub jobs_queued: i64,
    pub jobs_running: i64,
    /// When the oldest queued job was filed.
    pub oldest_queued: Option<DateTime<Utc>>,
    /// Rows per record table, in [`HEALTH_TABLES`] order.
    pub rows: Vec<(&'static str, i64)>,
    /// The highest change number (what a dashboard follows).
    pub change_seq: i64,
}

/// The tables whose rows the report counts: every record table the sync (and
/// so the hub) fills, a table added there is counted here too.
pub const HEALTH_TABLES: &[&str] = crate::store::TABLES;

impl PgStore {
    /// The database's state for a health report (reads only).
    pub fn health(&self) -> StoreResult<DbHealth> {
        let change_seq = self.change_seq()?;
        let (hub, now) = self.hub_status_at()?;
        self.read(|c| {
            let mut tx = c
                .build_transaction()
                .isolation_level(postgres::IsolationLevel::RepeatableRead)
                .read_only(true)
                .start()?;
            let schema_version = schema::version(&mut tx)?;
            let led: bool = tx
                .query_one(
                    "SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory'
                       AND granted AND objsubid = 1
                       AND ((classid::int8 << 32) | objid::int8) = $1)",
                    &[&LEAD_LOCK],
                )?
                .get(0);
            let r = tx.query_one(
                "SELECT count(*) FILTER (WHERE state = 'queued'),
                        count(*) FILTER (WHERE state = 'running'),
                        min(created_at) FILTER (WHERE state = 'queued')
                 FROM jobs",
                &[],
            )?;
            let (jobs_queued, jobs_running, oldest_queued) = (r.get(0), r.get(1), r.get(2));
            let mut rows = Vec::with_capacity(HEALTH_TABLES.len());
            for &t in HEALTH_TABLES {
                let n: i64 = tx
                    .query_one(&format!("SELECT count(*) FROM {t}"), &[])?
                    .get(0);
                rows.push((t, n));
            }
            tx.commit()?;
            Ok(DbHealth {
                schema_version,
                led,
                hub: hub.clone(),
                now,
                jobs_queued,
                jobs_running,
                oldest_queued,
                rows,
                change_seq,
            })
        })
    }
}
