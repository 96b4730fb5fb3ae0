//! Which cadences people can be added to, and why not, in plain words.

use crate::api::models::{Cadence, CadenceState};

/// A cadence in the picker; a disabled one says why people cannot be added.
#[derive(Debug, Clone, PartialEq)]
pub struct CadenceChoice {
    pub id: u64,
    pub name: String,
    pub disabled: Option<String>,
    /// Someone else's personal cadence: its owner, the only user it takes people
    /// for (the enrollment goes on the owner's behalf).
    pub owner: Option<u64>,
}

/// Why people cannot be added to a cadence in this state, in plain words.
pub fn not_addable(state: &CadenceState) -> Option<String> {
    match state {
        CadenceState::Active => None,
        CadenceState::Draft => Some("draft: activate it in SalesLoft first".into()),
        CadenceState::Archived => Some("archived".into()),
        CadenceState::Expired => Some("expired".into()),
        CadenceState::Deleted => Some("deleted".into()),
        CadenceState::Other(s) => Some(format!("state \"{s}\"")),
    }
}

/// The owner of a personal cadence that is not `me`'s (when `me` is known):
/// SalesLoft adds people to it only on its owner's behalf (`user_id`).
pub fn someone_elses(c: &Cadence, me: Option<u64>) -> Option<u64> {
    let owner = c.owner.as_ref().and_then(|o| o.id_u64())?;
    (!c.team_cadence && me.is_some_and(|me| me != owner)).then_some(owner)
}

/// Addable cadences first (by name), then the others, disabled with the reason.
pub fn cadence_choices(cadences: &[Cadence], me: Option<u64>) -> Vec<CadenceChoice> {
    let mut v: Vec<CadenceChoice> = cadences
        .iter()
        .map(|c| CadenceChoice {
            id: c.id,
            name: c.name.clone(),
            disabled: not_addable(&c.state()),
            owner: someone_elses(c, me),
        })
        .collect();
    v.sort_by(|a, b| {
        (a.disabled.is_some(), a.name.to_lowercase())
            .cmp(&(b.disabled.is_some(), b.name.to_lowercase()))
    });
    v
}
