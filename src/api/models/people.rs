//! Users and people.

use std::collections::BTreeMap;

use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};

use super::{Ref, lenient_u64, null_default};

type Time = DateTime<FixedOffset>;

/// A SalesLoft user (`/v2/me.json`, `/v2/users`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct User {
    pub id: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub guid: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<Time>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<Time>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub job_role: Option<String>,
    #[serde(default, deserialize_with = "null_default")]
    pub active: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_zone: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub locale_utc_offset: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sending_email_address: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub full_email_address: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub work_country: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seat_package: Option<String>,
    #[serde(default, deserialize_with = "null_default")]
    pub team_admin: bool,
    #[serde(default, deserialize_with = "null_default")]
    pub crm_connected: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<Ref>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub team: Option<Ref>,
    /// `{"id": "Admin"}`, `{"id": "User"}` or a custom role id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<Ref>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone_client: Option<Ref>,
}

/// The key's team (`/v2/team.json`): only what sltui reads of it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Team {
    #[serde(default, deserialize_with = "lenient_u64")]
    pub id: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// `group_public` (some resources visible only inside a group) or
    /// `all_public` (the OpenAPI file's Team schema); other values are kept.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group_privacy_setting: Option<String>,
}

impl Team {
    /// Whether a key that is not a team admin still sees every record: the
    /// team's group privacy is `all_public`. `false` for anything else,
    /// unknown values included.
    pub fn all_public(&self) -> bool {
        self.group_privacy_setting.as_deref() == Some("all_public")
    }
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonCounts {
    #[serde(default, deserialize_with = "lenient_u64")]
    pub emails_sent: u64,
    #[serde(default, deserialize_with = "lenient_u64")]
    pub emails_viewed: u64,
    #[serde(default, deserialize_with = "lenient_u64")]
    pub emails_clicked: u64,
    #[serde(default, deserialize_with = "lenient_u64")]
    pub emails_replied_to: u64,
    #[serde(default, deserialize_with = "lenient_u64")]
    pub emails_bounced: u64,
    #[serde(default, deserialize_with = "lenient_u64")]
    pub calls: u64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Person {
    pub id: u64,
    pub created_at: Time,
    pub updated_at: Time,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_contacted_at: Option<Time>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_replied_at: Option<Time>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email_address: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secondary_email_address: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub personal_email_address: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mobile_phone: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub city: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub person_company_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub person_company_website: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub person_company_industry: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub job_seniority: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub locale: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_contacted_type: Option<String>,
    #[serde(default, deserialize_with = "null_default")]
    pub do_not_contact: bool,
    #[serde(default, deserialize_with = "null_default")]
    pub bouncing: bool,
    #[serde(default, deserialize_with = "null_default")]
    pub eu_resident: bool,
    #[serde(default, deserialize_with = "null_default")]
    pub starred: bool,
    #[serde(default, deserialize_with = "null_default")]
    pub custom_fields: BTreeMap<String, serde_json::Value>,
    #[serde(default, deserialize_with = "null_default")]
    pub tags: Vec<String>,
    #[serde(default, deserialize_with = "null_default")]
    pub contact_restrictions: Vec<String>,
    #[serde(default, deserialize_with = "lenient_u64")]
    pub success_count: u64,
    #[serde(default, deserialize_with = "null_default")]
    pub counts: PersonCounts,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account: Option<Ref>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<Ref>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_contacted_by: Option<Ref>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub person_stage: Option<Ref>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub most_recent_cadence: Option<Ref>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_completed_step: Option<Ref>,
    /// Cadences the person is active on.
    #[serde(default, deserialize_with = "null_default")]
    pub cadences: Vec<Ref>,
}

impl User {
    /// The user's name, else first + last name, else the email address (blank
    /// values skipped); `None` when the record has none of them.
    pub fn label(&self) -> Option<String> {
        fn clean(s: &Option<String>) -> Option<&str> {
            s.as_deref().map(str::trim).filter(|s| !s.is_empty())
        }
        if let Some(n) = clean(&self.name) {
            return Some(n.to_string());
        }
        let parts: Vec<&str> = [clean(&self.first_name), clean(&self.last_name)]
            .into_iter()
            .flatten()
            .collect();
        if !parts.is_empty() {
            return Some(parts.join(" "));
        }
        clean(&self.email).map(str::to_string)
    }
}

impl Person {
    /// `display_name`, else first + last name, else the email address.
    pub fn label(&self) -> String {
        let full = [&self.first_name, &self.last_name]
            .iter()
            .filter_map(|s| s.as_deref().filter(|s| !s.is_empty()))
            .collect::<Vec<_>>()
            .join(" ");
        self.display_name
            .clone()
            .filter(|s| !s.is_empty())
            .or((!full.is_empty()).then_some(full))
            .or_else(|| self.email_address.clone())
            .unwrap_or_else(|| format!("person {}", self.id))
    }
}
