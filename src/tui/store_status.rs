//! Where the local store stands for the dashboard, as the state keeps it: the
//! stale mark, when it was synced, and the background sync's progress. Folded
//! into the state by [`super::stored`].

use chrono::{DateTime, Local, Utc};

use crate::store::start::Coverage;

/// The background sync of the store, as the status line shows it.
#[derive(Debug, Clone, Default, PartialEq)]
pub enum SyncLine {
    #[default]
    Idle,
    /// Records read so far and expected (when known), per resource (by its name).
    Running(Vec<(&'static str, u64, Option<u64>)>),
    /// The last run ended (ok or not); said once as a message.
    Done,
}

/// Where the local store stands for the dashboard.
#[derive(Debug, Clone, Default)]
pub struct StoreStatus {
    /// The data on screen came from the store and no live answer replaced it yet.
    pub stale: bool,
    /// The state was seeded from the store (its engagement numbers stay shown while
    /// the live read refreshes them).
    pub seeded: bool,
    /// When the store's data was last synced.
    pub synced_at: Option<DateTime<Utc>>,
    pub sync: SyncLine,
    /// What the store held at start ([`Coverage`]).
    pub coverage: Coverage,
    /// Whether the last background sync of this session was ok (`None` before
    /// the first one ended).
    pub last_ok: Option<bool>,
}

impl StoreStatus {
    /// "10:42" today, else "2026-11-26 10:42" (local time); "an unknown time" without
    /// a sync time.
    pub fn as_of(&self, now: DateTime<Utc>) -> String {
        let Some(t) = self.synced_at else {
            return "an unknown time".to_string();
        };
        let (t, now) = (t.with_timezone(&Local), now.with_timezone(&Local));
        if t.date_naive() == now.date_naive() {
            t.format("%H:%M").to_string()
        } else {
            t.format("%Y-%m-%d %H:%M").to_string()
        }
    }

    /// Overall progress of the background sync, 0..=1, when any resource knows its size.
    pub fn sync_fraction(&self) -> Option<f64> {
        let SyncLine::Running(per) = &self.sync else {
            return None;
        };
        let (mut done, mut of) = (0u64, 0u64);
        for (_, n, expected) in per {
            if let Some(e) = expected {
                done += (*n).min(*e);
                of += e;
            }
        }
        (of > 0).then(|| done as f64 / of as f64)
    }
}
