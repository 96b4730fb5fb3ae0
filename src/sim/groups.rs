//! The team's groups and what the key's user may see of them under `--non-admin`
//! (the rules are told in `sim::privacy`). Plain data over user ids, so the
//! dataset can hold it and `privacy` can read the dataset through it.

use std::collections::HashMap;

/// The groups, by id.
pub const GROUPS: [(u64, &str); 3] = [(1, "East"), (2, "West"), (3, "Central")];

#[derive(Debug, Clone)]
pub struct Privacy {
    /// The key's user.
    pub me: u64,
    /// The group of every user.
    group_of: HashMap<u64, u64>,
    /// The team's `group_privacy_setting` is `group_public` (other groups'
    /// records hidden); `false`: `all_public`, the rep's key sees everything.
    pub group_public: bool,
}

impl Privacy {
    /// Groups the team's users, given in the team's order as (id, an active
    /// rep: active and not a team admin), and picks the key's user, the first
    /// active rep of group 1; `None` when there is none. `group_public`: the
    /// team's group privacy is on.
    pub fn new(
        users: impl IntoIterator<Item = (u64, bool)>,
        group_public: bool,
    ) -> Option<Privacy> {
        let users: Vec<(u64, bool)> = users.into_iter().collect();
        let group_of: HashMap<u64, u64> = users
            .iter()
            .enumerate()
            .map(|(i, (id, _))| (*id, i as u64 % 3 + 1))
            .collect();
        let me = users
            .iter()
            .find(|(id, rep)| *rep && group_of.get(id) == Some(&1))?
            .0;
        Some(Privacy {
            me,
            group_of,
            group_public,
        })
    }

    pub fn group_of(&self, user: u64) -> Option<u64> {
        self.group_of.get(&user).copied()
    }

    fn my_group(&self) -> Option<u64> {
        self.group_of(self.me)
    }

    /// A user the key can see: of the key's group, or anyone on an
    /// `all_public` team.
    pub fn user_visible(&self, user: u64) -> bool {
        !self.group_public || self.group_of(user) == self.my_group()
    }

    /// A person the key can see, by its owner (a person with no owner is seen).
    pub fn owner_visible(&self, owner: Option<u64>) -> bool {
        owner.is_none_or(|o| self.user_visible(o))
    }
}
