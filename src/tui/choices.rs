//! Which cadences people can be added to, and why not, in plain words.

use crate::api::models::{Cadence, CadenceState};

/// A cadence in the picker; a disabled one says why people cannot be added.
#[derive(Debug, Clone, PartialEq)]
pub struct CadenceChoice {
    pub id: u64,
    pub name: String,
    pub disabled: Option<String>,
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

/// Why this user (`me`, when known) cannot add people to this cadence: its state,
/// or it is another rep's personal cadence (SalesLoft refuses that even to admins).
/// Until `me` is known, personal cadences are not held against anyone.
pub fn not_addable_for(c: &Cadence, me: Option<u64>) -> Option<String> {
    not_addable(&c.state()).or_else(|| {
        let owner = c.owner.as_ref().and_then(|o| o.id_u64());
        match (me, owner) {
            (Some(me), Some(owner)) if !c.team_cadence && owner != me => {
                Some("another rep's personal cadence".into())
            }
            _ => None,
        }
    })
}

/// Addable cadences first (by name), then the others, disabled with the reason.
pub fn cadence_choices(cadences: &[Cadence], me: Option<u64>) -> Vec<CadenceChoice> {
    let mut v: Vec<CadenceChoice> = cadences
        .iter()
        .map(|c| CadenceChoice {
            id: c.id,
            name: c.name.clone(),
            disabled: not_addable_for(c, me),
        })
        .collect();
    v.sort_by(|a, b| {
        (a.disabled.is_some(), a.name.to_lowercase())
            .cmp(&(b.disabled.is_some(), b.name.to_lowercase()))
    });
    v
}
