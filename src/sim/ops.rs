//! Mutations: create/update people, add/remove cadence memberships, log calls.
//! Each one validates like the real API (422 field errors, 404 for unknown ids)
//! and keeps the dataset consistent: `updated_at` stamped with the sim clock and
//! indexed through `Table::insert`/`update`, `person_by_email` and
//! `membership_by_pair` maintained, counts moved where the change implies it.
//!
//! Choices where salesloft-api.md leaves room (§3.4 UNCERTAIN):
//! * an unknown `person_id`/`cadence_id` on create is a 404 `{"error":"Not Found"}`
//!   (Rails `find` semantics), not a 422;
//! * deleting an already removed membership is a 204 again (idempotent, like
//!   person deletion is documented to be);
//! * re-adding a person reuses the one membership record for that pair (§3.4).

mod cadences;
mod calls;
mod enroll;
mod people;

use std::collections::BTreeMap;

use chrono::Utc;

use super::body::{Fields, Got};
use super::model::{Dataset, Micros};
use super::query::ApiError;

pub use cadences::import_cadence;
pub use calls::create_call;
pub use enroll::{create_membership, delete_membership};
pub use people::{create_person, update_person};

/// The simulated world behind the lock: the dataset plus the mutation clock.
#[derive(Debug)]
pub struct World {
    pub ds: Dataset,
    last_stamp: Micros,
}

impl World {
    pub fn new(ds: Dataset) -> Self {
        Self { ds, last_stamp: 0 }
    }

    /// The sim clock for a mutation: wall-clock micros, never earlier than the
    /// dataset's clock, and strictly increasing so cursors never see a tie
    /// between two mutations. The dataset's clock moves up to it, so nothing is
    /// ever stamped later than `ds.now`.
    pub fn stamp(&mut self) -> Micros {
        let wall = Utc::now().timestamp_micros();
        let now = wall.max(self.ds.now).max(self.last_stamp.saturating_add(1));
        self.last_stamp = now;
        self.ds.now = now;
        now
    }

    /// The authenticated user (the API key belongs to the team's first user, an
    /// admin; with `--non-admin`, to a rep).
    pub fn me(&self) -> Option<u64> {
        if let Some(p) = &self.ds.privacy {
            return Some(p.me);
        }
        self.ds.users.iter().next().map(|u| u.id)
    }
}

/// Collects 422 field errors.
#[derive(Default)]
pub(super) struct Errors(BTreeMap<String, Vec<String>>);

impl Errors {
    pub(super) fn add(&mut self, field: &str, msg: &str) {
        self.0.entry(field.into()).or_default().push(msg.into());
    }

    pub(super) fn check(self) -> Result<(), ApiError> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(ApiError::Fields(self.0))
        }
    }
}

/// Reads a required id field: 422 "can't be blank" / "is not a number".
pub(super) fn required_id(f: &Fields, name: &str, errs: &mut Errors) -> Option<u64> {
    match f.id(name) {
        Got::Value(v) => Some(v),
        Got::Invalid => {
            errs.add(name, "is not a number");
            None
        }
        Got::Absent | Got::Null => {
            errs.add(name, "can't be blank");
            None
        }
    }
}
