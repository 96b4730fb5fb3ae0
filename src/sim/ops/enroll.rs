//! Adding people to cadences and removing them: one membership record per
//! (person, cadence) pair, ever; re-adding reuses it.

use super::{Errors, World, required_id};
use crate::sim::body::{Fields, Got};
use crate::sim::model::{Dataset, Membership, MembershipCounts, MembershipState, Micros};
use crate::sim::query::ApiError;

/// Marks a person and a cadence as changed (their rendered cadences/counts move).
fn touch(ds: &mut Dataset, person_id: u64, cadence_id: u64, now: Micros) {
    ds.people.update(person_id, |p| p.updated_at = now);
    ds.cadences.update(cadence_id, |c| c.updated_at = now);
}

/// `POST /v2/cadence_memberships`: adds a person to a cadence, returning the
/// membership id (the existing one when the person was on it before).
pub fn create_membership(w: &mut World, f: &Fields) -> Result<u64, ApiError> {
    let me = w.me();
    let mut errs = Errors::default();
    let person_id = required_id(f, "person_id", &mut errs);
    let cadence_id = required_id(f, "cadence_id", &mut errs);
    let user_id = match f.id("user_id") {
        Got::Value(v) => Some(v),
        Got::Absent | Got::Null => me,
        Got::Invalid => {
            errs.add("user_id", "is not a number");
            None
        }
    };
    let step_id = match f.id("step_id") {
        Got::Value(v) => Some(v),
        Got::Absent | Got::Null => None,
        Got::Invalid => {
            errs.add("step_id", "is not a number");
            None
        }
    };
    errs.check()?;
    let (Some(person_id), Some(cadence_id)) = (person_id, cadence_id) else {
        return Err(ApiError::NotFound);
    };
    let ds = &w.ds;
    ds.people.get(person_id).ok_or(ApiError::NotFound)?;
    // Another group's person (`--non-admin`): not visible, so not found.
    if !super::super::privacy::person_id_visible(ds, person_id) {
        return Err(ApiError::NotFound);
    }
    let cadence = ds.cadences.get(cadence_id).ok_or(ApiError::NotFound)?;
    let Some(user_id) = user_id.filter(|u| ds.users.get(*u).is_some()) else {
        return Err(ApiError::field("user_id", "is invalid"));
    };
    if cadence.archived_at.is_some() {
        return Err(ApiError::field("cadence_id", "cadence is archived"));
    }
    if cadence.draft {
        return Err(ApiError::field("cadence_id", "cadence is a draft"));
    }
    if !cadence.team_cadence && cadence.owner_id != user_id {
        return Err(ApiError::field(
            "cadence_id",
            "is a personal cadence owned by another user",
        ));
    }
    if let Some(step) = step_id
        && !cadence.step_ids.contains(&step)
    {
        return Err(ApiError::field(
            "step_id",
            "does not belong to this cadence",
        ));
    }
    let start_step = step_id.or_else(|| cadence.step_ids.first().copied());
    let existing = ds.membership_by_pair.get(&(person_id, cadence_id)).copied();
    if let Some(mid) = existing
        && ds
            .memberships
            .get(mid)
            .is_some_and(|m| m.state.on_cadence())
    {
        return Err(ApiError::field("person_id", "is already on this cadence"));
    }
    let now = w.stamp();
    let ds = &mut w.ds;
    let id = match existing {
        Some(mid) => {
            ds.memberships
                .update(mid, |m| {
                    m.state = MembershipState::Staged;
                    m.user_id = user_id;
                    m.step_id = start_step;
                    m.added_at = now;
                    m.updated_at = now;
                })
                .ok_or(ApiError::NotFound)?;
            mid
        }
        None => {
            let id = ds.memberships.next_id();
            ds.memberships.insert(Membership {
                id,
                person_id,
                cadence_id,
                user_id,
                state: MembershipState::Staged,
                step_id: start_step,
                latest_action_id: None,
                counts: MembershipCounts::default(),
                added_at: now,
                created_at: now,
                updated_at: now,
            });
            ds.membership_by_pair.insert((person_id, cadence_id), id);
            id
        }
    };
    touch(ds, person_id, cadence_id, now);
    Ok(id)
}

/// `DELETE /v2/cadence_memberships/{id}`: removes the person from the cadence.
/// Already off the cadence: nothing changes, still a success.
pub fn delete_membership(w: &mut World, id: u64) -> Result<(), ApiError> {
    let m = w.ds.memberships.get(id).ok_or(ApiError::NotFound)?;
    if !m.state.on_cadence() {
        return Ok(());
    }
    let (person_id, cadence_id) = (m.person_id, m.cadence_id);
    let now = w.stamp();
    let ds = &mut w.ds;
    ds.memberships.update(id, |m| {
        m.state = MembershipState::Removed;
        m.step_id = None;
        m.updated_at = now;
    });
    touch(ds, person_id, cadence_id, now);
    Ok(())
}
