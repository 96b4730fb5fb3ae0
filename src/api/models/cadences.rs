//! Cadences, their steps, and cadence memberships.

use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};

use super::{Ref, lenient_opt_u64, lenient_u64, null_default};

type Time = DateTime<FixedOffset>;

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CadenceCounts {
    /// Real data has `null` here.
    #[serde(
        default,
        deserialize_with = "lenient_opt_u64",
        skip_serializing_if = "Option::is_none"
    )]
    pub cadence_people: Option<u64>,
    #[serde(default, deserialize_with = "lenient_u64")]
    pub people_acted_on_count: u64,
    #[serde(default, deserialize_with = "lenient_u64")]
    pub target_daily_people: u64,
    #[serde(default, deserialize_with = "lenient_u64")]
    pub opportunities_created: u64,
    #[serde(default, deserialize_with = "lenient_u64")]
    pub meetings_booked: u64,
}

/// Lifecycle state of a cadence.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum CadenceState {
    Draft,
    Active,
    Archived,
    Expired,
    Deleted,
    Other(String),
}

impl CadenceState {
    pub fn parse(s: &str) -> Self {
        match s.trim().to_ascii_lowercase().as_str() {
            "draft" => CadenceState::Draft,
            "active" => CadenceState::Active,
            "archived" => CadenceState::Archived,
            "expired" => CadenceState::Expired,
            "deleted" => CadenceState::Deleted,
            _ => CadenceState::Other(s.to_string()),
        }
    }

    pub fn as_str(&self) -> &str {
        match self {
            CadenceState::Draft => "draft",
            CadenceState::Active => "active",
            CadenceState::Archived => "archived",
            CadenceState::Expired => "expired",
            CadenceState::Deleted => "deleted",
            CadenceState::Other(s) => s,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Cadence {
    pub id: u64,
    pub created_at: Time,
    pub updated_at: Time,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub archived_at: Option<Time>,
    #[serde(default, deserialize_with = "null_default")]
    pub name: String,
    #[serde(default, deserialize_with = "null_default")]
    pub team_cadence: bool,
    #[serde(default, deserialize_with = "null_default")]
    pub shared: bool,
    #[serde(default, deserialize_with = "null_default")]
    pub draft: bool,
    #[serde(default, deserialize_with = "null_default")]
    pub remove_bounces_enabled: bool,
    #[serde(default, deserialize_with = "null_default")]
    pub remove_replies_enabled: bool,
    #[serde(default, deserialize_with = "null_default")]
    pub opt_out_link_included: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cadence_function: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_identifier: Option<String>,
    /// Newer field (`draft/active/archived/expired/deleted`); absent in
    /// older data, see [`Cadence::state`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub current_state: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub archived: Option<bool>,
    #[serde(default, deserialize_with = "null_default")]
    pub tags: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub creator: Option<Ref>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<Ref>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cadence_priority: Option<Ref>,
    #[serde(default, deserialize_with = "null_default")]
    pub groups: Vec<Ref>,
    #[serde(default, deserialize_with = "null_default")]
    pub counts: CadenceCounts,
}

impl Cadence {
    /// `current_state` when present, else derived from `archived_at`,
    /// `archived` and `draft`.
    pub fn state(&self) -> CadenceState {
        match &self.current_state {
            Some(s) if !s.trim().is_empty() => CadenceState::parse(s),
            _ if self.archived_at.is_some() || self.archived == Some(true) => {
                CadenceState::Archived
            }
            _ if self.draft => CadenceState::Draft,
            _ => CadenceState::Active,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Step {
    pub id: u64,
    pub created_at: Time,
    pub updated_at: Time,
    #[serde(default, deserialize_with = "null_default")]
    pub disabled: bool,
    /// `email`, `phone`, `integration`, `other` (new types may appear).
    #[serde(rename = "type", default, deserialize_with = "null_default")]
    pub step_type: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    #[serde(
        default,
        deserialize_with = "lenient_opt_u64",
        skip_serializing_if = "Option::is_none"
    )]
    pub day: Option<u64>,
    #[serde(
        default,
        deserialize_with = "lenient_opt_u64",
        skip_serializing_if = "Option::is_none"
    )]
    pub step_number: Option<u64>,
    #[serde(default, deserialize_with = "null_default")]
    pub multitouch_enabled: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub details: Option<Ref>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cadence: Option<Ref>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MembershipCounts {
    #[serde(default, deserialize_with = "lenient_u64")]
    pub views: u64,
    #[serde(default, deserialize_with = "lenient_u64")]
    pub clicks: u64,
    #[serde(default, deserialize_with = "lenient_u64")]
    pub replies: u64,
    #[serde(default, deserialize_with = "lenient_u64")]
    pub calls: u64,
    #[serde(default, deserialize_with = "lenient_u64")]
    pub sent_emails: u64,
    #[serde(default, deserialize_with = "lenient_u64")]
    pub bounces: u64,
}

/// A cadence membership (`/v2/cadence_memberships`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Membership {
    pub id: u64,
    pub created_at: Time,
    pub updated_at: Time,
    /// The last time the person was added.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub added_at: Option<Time>,
    #[serde(default, deserialize_with = "null_default")]
    pub person_deleted: bool,
    #[serde(default, deserialize_with = "null_default")]
    pub currently_on_cadence: bool,
    /// `processing, staged, active, scheduled, completed, removed,
    /// removed_no_action, reassigned`.
    #[serde(default, deserialize_with = "null_default")]
    pub current_state: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cadence: Option<Ref>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub person: Option<Ref>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user: Option<Ref>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub step: Option<Ref>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub latest_action: Option<Ref>,
    #[serde(default, deserialize_with = "null_default")]
    pub counts: MembershipCounts,
}

impl Membership {
    pub fn person_id(&self) -> Option<u64> {
        self.person.as_ref().and_then(Ref::id_u64)
    }
    pub fn cadence_id(&self) -> Option<u64> {
        self.cadence.as_ref().and_then(Ref::id_u64)
    }
}
