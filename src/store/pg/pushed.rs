//! Records pushed by SalesLoft (webhooks) rather than read by the sync: the same
//! upserts the sync uses (an older version never replaces a newer one; each write
//! takes a change number and notifies, so dashboards see it at once), stamped with
//! the resource's current generation, so a full sync running meanwhile keeps them.
//! The sync's cursor is not moved: the next poll still reads everything after it.
//!
//! And the hub's generated webhook token (the subscriptions' `callback_token` when
//! the profile names none), made once and shared by every hub on the database.

use super::{PgStore, write_tx};
use crate::store::records::id64;
use crate::store::{Prepared, StoreResult};

/// The `meta` key of the generated webhook token.
pub const WEBHOOK_SECRET_KEY: &str = "hub_webhook_secret";

impl PgStore {
    /// Writes rows that arrived by webhook for the sync resource `resource`
    /// (`emails`, `cadence_memberships`, `people`).
    pub fn upsert_pushed(&self, resource: &str, rows: &Prepared) -> StoreResult<()> {
        self.run(|c| {
            // The write lock first: a full sync starting meanwhile (a new
            // generation) waits for this transaction, or this one sees its number.
            let mut tx = write_tx(c)?;
            let generation: i64 = tx
                .query_opt(
                    "SELECT generation FROM sync_state WHERE resource = $1",
                    &[&resource],
                )?
                .map_or(Ok(0), |r| r.try_get(0))?;
            super::records::write(&mut tx, rows, generation)?;
            tx.commit()
        })
    }

    /// Removes a person SalesLoft reported deleted, unless the stored row is
    /// newer than the report (`updated_us`); true when a row went.
    pub fn remove_pushed_person(&self, id: u64, updated_us: i64) -> StoreResult<bool> {
        self.run(|c| {
            let mut tx = write_tx(c)?;
            let n = tx.execute(
                "DELETE FROM people WHERE id = $1 AND updated_us <= $2",
                &[&id64(id), &updated_us],
            )?;
            tx.commit()?;
            Ok(n > 0)
        })
    }

    /// The webhook token every hub on this database uses when the profile gives
    /// none: the stored one, or `fresh()` stored first (the first hub wins a race;
    /// all read the same value back).
    pub fn webhook_secret(&self, fresh: &str) -> StoreResult<String> {
        self.run(|c| {
            c.execute(
                "INSERT INTO meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING",
                &[&WEBHOOK_SECRET_KEY, &fresh],
            )?;
            c.query_one(
                "SELECT value FROM meta WHERE key = $1",
                &[&WEBHOOK_SECRET_KEY],
            )
            .map(|r| r.get(0))
        })
    }
}
