//! Which hub leads, and the hub's status as the dashboards show it.
//!
//! Leadership is a session-level advisory lock held on a connection of its own,
//! kept by the [`Leadership`] guard: while that connection lives, no other hub
//! gets the lock; when it dies (the process killed, the backend terminated, the
//! network cut: keepalives notice within seconds), PostgreSQL releases the lock
//! and a standby polling [`PgStore::try_lead`] every second takes over. A leader
//! checks [`Leadership::is_alive`] before each unit of work and stops working
//! when it is false.

use chrono::{DateTime, Utc};

use super::conn::{PgErrorKind, Session, Target, describe, off_runtime};
use super::schema::LEAD_LOCK;
use super::{PgStore, write_tx};
use crate::store::{StoreError, StoreResult};

/// The hub's status row.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct HubStatus {
    pub hub_name: String,
    pub leader_since: Option<DateTime<Utc>>,
    pub last_sync_at: Option<DateTime<Utc>>,
    /// The team's budget as the hub last read it from SalesLoft's headers.
    pub budget_remaining: Option<u32>,
    pub budget_limit: Option<u32>,
    /// When the row was last written.
    pub updated_at: Option<DateTime<Utc>>,
}

pub(crate) const HUB_COLUMNS: &str =
    "hub_name, leader_since, last_sync_at, budget_remaining, budget_limit, updated_at";

pub(crate) fn hub_from(r: &postgres::Row) -> Result<HubStatus, postgres::Error> {
    let n = |v: Option<i32>| v.map(|v| v.max(0) as u32);
    Ok(HubStatus {
        hub_name: r.try_get(0)?,
        leader_since: r.try_get(1)?,
        last_sync_at: r.try_get(2)?,
        budget_remaining: n(r.try_get(3)?),
        budget_limit: n(r.try_get(4)?),
        updated_at: r.try_get(5)?,
    })
}

fn int(v: Option<u32>) -> Option<i32> {
    v.map(|v| i32::try_from(v).unwrap_or(i32::MAX))
}

impl PgStore {
    /// The hub's status; `None` before any hub ran.
    pub fn hub_status(&self) -> StoreResult<Option<HubStatus>> {
        let sql = format!("SELECT {HUB_COLUMNS} FROM hub_status WHERE id = 1");
        self.read(|c| c.query_opt(&sql, &[])?.as_ref().map(hub_from).transpose())
    }

    /// Writes the whole status row (`updated_at` is the database's clock).
    pub fn put_hub_status(&self, s: &HubStatus) -> StoreResult<()> {
        self.run(|c| {
            let mut tx = write_tx(c)?;
            tx.execute(
                "INSERT INTO hub_status (id, hub_name, leader_since, last_sync_at,
                                         budget_remaining, budget_limit)
                 VALUES (1, $1, $2, $3, $4, $5)
                 ON CONFLICT (id) DO UPDATE SET hub_name = excluded.hub_name,
                   leader_since = excluded.leader_since, last_sync_at = excluded.last_sync_at,
                   budget_remaining = excluded.budget_remaining,
                   budget_limit = excluded.budget_limit",
                &[
                    &s.hub_name,
                    &s.leader_since,
                    &s.last_sync_at,
                    &int(s.budget_remaining),
                    &int(s.budget_limit),
                ],
            )?;
            tx.commit()
        })
    }

    /// Notes the team's budget as read from a response (keeps the rest of the row).
    pub fn note_budget(&self, hub_name: &str, remaining: u32, limit: u32) -> StoreResult<()> {
        self.run(|c| {
            let mut tx = write_tx(c)?;
            tx.execute(
                "INSERT INTO hub_status (id, hub_name, budget_remaining, budget_limit)
                 VALUES (1, $1, $2, $3)
                 ON CONFLICT (id) DO UPDATE SET hub_name = excluded.hub_name,
                   budget_remaining = excluded.budget_remaining,
                   budget_limit = excluded.budget_limit",
                &[&hub_name, &int(Some(remaining)), &int(Some(limit))],
            )?;
            tx.commit()
        })
    }

    /// Notes a finished sync (keeps the rest of the row).
    pub fn note_sync(&self, hub_name: &str, at: DateTime<Utc>) -> StoreResult<()> {
        self.run(|c| {
            let mut tx = write_tx(c)?;
            tx.execute(
                "INSERT INTO hub_status (id, hub_name, last_sync_at) VALUES (1, $1, $2)
                 ON CONFLICT (id) DO UPDATE SET hub_name = excluded.hub_name,
                   last_sync_at = excluded.last_sync_at",
                &[&hub_name, &at],
            )?;
            tx.commit()
        })
    }

    /// Tries to become the leading hub, as `name`: `Some` (the guard that holds
    /// the lock on a connection of its own) when no other hub leads, else
    /// `None`. Leading notes `name` and the time in the hub's status row.
    pub fn try_lead(&self, name: &str) -> StoreResult<Option<Leadership>> {
        let mut session = self.new_session()?;
        let target = self.target.clone();
        let won = off_runtime(|| -> Result<bool, postgres::Error> {
            let c = session.client();
            let app: String = format!("sltui hub {name}")
                .chars()
                .filter(|c| !c.is_control())
                .take(60)
                .collect();
            c.execute("SELECT set_config('application_name', $1, false)", &[&app])?;
            c.query_one("SELECT pg_try_advisory_lock($1)", &[&LEAD_LOCK])
                .map(|r| r.get(0))
        })
        .map_err(|e| StoreError::Postgres(target.error(PgErrorKind::Connect(describe(&e)))))?;
        if !won {
            return Ok(None);
        }
        let since = Utc::now();
        let prev = self.hub_status()?.unwrap_or_default();
        self.put_hub_status(&HubStatus {
            hub_name: name.to_string(),
            leader_since: Some(since),
            ..prev
        })?;
        Ok(Some(Leadership {
            session,
            target,
            name: name.to_string(),
            since,
        }))
    }
}

/// The lead, held while this guard and its connection live; dropping it
/// closes the connection, which hands the lead on.
pub struct Leadership {
    session: Session,
    target: Target,
    name: String,
    since: DateTime<Utc>,
}

impl std::fmt::Debug for Leadership {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Leadership")
            .field("name", &self.name)
            .field("since", &self.since)
            .finish()
    }
}

impl Leadership {
    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn since(&self) -> DateTime<Utc> {
        self.since
    }

    /// Whether the lead is still held: the connection answers, and holds the lock.
    pub fn is_alive(&mut self) -> bool {
        if self.session.is_closed() {
            return false;
        }
        let session = &mut self.session;
        off_runtime(move || {
            session
                .client()
                .query_one(
                    "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'
                       AND pid = pg_backend_pid() AND granted AND objsubid = 1
                       AND ((classid::int8 << 32) | objid::int8) = $1",
                    &[&LEAD_LOCK],
                )
                .map(|r| r.get::<_, i64>(0) > 0)
                .unwrap_or(false)
        })
    }

    /// The server process holding the lock (to find it in `pg_stat_activity`).
    pub fn backend_pid(&mut self) -> StoreResult<i32> {
        let target = &self.target;
        let session = &mut self.session;
        off_runtime(move || {
            session
                .client()
                .query_one("SELECT pg_backend_pid()", &[])
                .map(|r| r.get(0))
        })
        .map_err(|e| StoreError::Postgres(target.error(PgErrorKind::Query(describe(&e)))))
    }
}
