//! `sltui sim --non-admin`: the key belongs to a rep who is not a team admin, on
//! a team whose `group_privacy_setting` is `group_public` (the OpenAPI file:
//! "certain resources will only be visible to members of the same group").
//!
//! What "hidden" means here (the API does not list the resources; this is the
//! simulator's reading, kept narrow and consistent):
//!
//! * the team's users are in three groups (user `i` in group `i % 3 + 1`, the
//!   admin in group 1); the key's user is the first active rep of group 1;
//!   `/v2/me` says `team_admin: false` and every user carries its `group`;
//! * `/v2/users` lists only the key's group unless `visible_only=false`;
//! * a person owned by a user of another group is hidden: not in `/v2/people`,
//!   404 on `/v2/people/{id}`; so are the cadence memberships, emails and calls
//!   of hidden people (lists and by id), and enrolling one is refused (404);
//! * cadences and steps stay visible (team cadences are run by all users), and
//!   a cadence's `counts.cadence_people` still counts everyone on it: totals a
//!   client adds up from what it can read are partial.
//!
//! `/_sim/truth/counts` counts what this key can read.

use std::collections::HashSet;
use std::sync::Arc;

use super::model::Dataset;

pub use super::groups::{GROUPS, Privacy};

/// The key's user and groups for this dataset (see [`Privacy::new`]).
pub fn for_key(ds: &Dataset, group_public: bool) -> Option<Privacy> {
    Privacy::new(
        ds.users.iter().map(|u| (u.id, u.active && !u.team_admin)),
        group_public,
    )
}

/// The ids of the people the key cannot see (empty without `--non-admin`).
pub fn hidden_people(ds: &Dataset) -> Option<Arc<HashSet<u64>>> {
    let privacy = ds.privacy.as_ref().filter(|p| p.group_public)?;
    Some(Arc::new(
        ds.people
            .iter()
            .filter(|p| !privacy.owner_visible(p.owner_id))
            .map(|p| p.id)
            .collect(),
    ))
}

/// Whether the key can see person `id` (always without `--non-admin`).
pub fn person_id_visible(ds: &Dataset, id: u64) -> bool {
    match (&ds.privacy, ds.people.get(id)) {
        (Some(privacy), Some(p)) => privacy.owner_visible(p.owner_id),
        _ => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::dataset::{GenOptions, generate};

    #[test]
    fn the_key_is_a_rep_who_sees_only_its_group() {
        let mut ds = generate(&GenOptions {
            seed: 7,
            people: 300,
            cadences: 6,
            users: 12,
            now: 1_700_000_000_000_000,
        });
        let privacy = for_key(&ds, true).expect("a rep in group 1");
        let me = ds.users.get(privacy.me).unwrap();
        assert!(!me.team_admin && me.active);
        assert_eq!(privacy.group_of(privacy.me), Some(1));
        ds.privacy = Some(privacy);
        let hidden = hidden_people(&ds).unwrap();
        assert!(!hidden.is_empty() && hidden.len() < 300, "{}", hidden.len());
        let shown = ds.people.iter().find(|p| !hidden.contains(&p.id)).unwrap();
        assert!(person_id_visible(&ds, shown.id));
        let gone = *hidden.iter().next().unwrap();
        assert!(!person_id_visible(&ds, gone));
        // The same rep on an all_public team sees everyone.
        ds.privacy = for_key(&ds, false);
        assert!(hidden_people(&ds).is_none());
        assert!(person_id_visible(&ds, gone));
    }
}
