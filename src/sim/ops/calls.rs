//! Logging calls: disposition and sentiment from the team's lists, the
//! person's call count and last-contacted fields moved with it.

use super::{Errors, World, required_id};
use crate::sim::body::Fields;
use crate::sim::body::Got;
use crate::sim::model::Call;
use crate::sim::query::ApiError;

/// `POST /v2/activities/calls`: logs a call, returning its id.
pub fn create_call(w: &mut World, f: &Fields) -> Result<u64, ApiError> {
    let me = w.me();
    let mut errs = Errors::default();
    let person_id = required_id(f, "person_id", &mut errs);
    let ds = &w.ds;
    let mut pick = |name: &str, list: &[String]| match f.text(name) {
        Got::Value(v) if list.contains(&v) => Some(v),
        Got::Absent | Got::Null => None,
        _ => {
            errs.add(name, "is not included in the list");
            None
        }
    };
    let disposition = pick("disposition", &ds.call_dispositions);
    let sentiment = pick("sentiment", &ds.call_sentiments);
    let duration = match f.uint("duration") {
        Got::Value(d) => Some(d),
        Got::Absent | Got::Null => None,
        Got::Invalid => {
            errs.add("duration", "is not a number");
            None
        }
    };
    let user_id = match f.text("user_guid") {
        Got::Absent | Got::Null => me,
        Got::Value(g) => {
            let found = ds.users.iter().find(|u| u.guid == g).map(|u| u.id);
            if found.is_none() {
                errs.add("user_guid", "is invalid");
            }
            found
        }
        Got::Invalid => {
            errs.add("user_guid", "is invalid");
            None
        }
    };
    let notes = match f.text("notes") {
        Got::Value(n) => Some(n),
        Got::Invalid => {
            errs.add("notes", "is invalid");
            None
        }
        _ => None,
    };
    let to = f.text("to").value();
    errs.check()?;
    let (Some(person_id), Some(user_id)) = (person_id, user_id) else {
        return Err(ApiError::field("user_guid", "is invalid"));
    };
    let person = ds.people.get(person_id).ok_or(ApiError::NotFound)?;
    let to = to
        .or_else(|| person.phone.clone())
        .or_else(|| person.mobile_phone.clone())
        .unwrap_or_default();
    let now = w.stamp();
    let ds = &mut w.ds;
    let id = ds.calls.next_id();
    ds.calls.insert(Call {
        id,
        person_id,
        user_id,
        cadence_id: None,
        step_id: None,
        to,
        duration,
        disposition,
        sentiment,
        notes,
        created_at: now,
        updated_at: now,
    });
    ds.people.update(person_id, |p| {
        p.counts.calls = p.counts.calls.saturating_add(1);
        p.last_contacted_at = Some(now);
        p.last_contacted_type = Some("call".into());
        p.last_contacted_by = Some(user_id);
        p.updated_at = now;
    });
    Ok(id)
}
