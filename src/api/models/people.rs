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
    #[serde(default)]
    pub guid: Option<String>,
    #[serde(default)]
    pub created_at: Option<Time>,
    #[serde(default)]
    pub updated_at: Option<Time>,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub first_name: Option<String>,
    #[serde(default)]
    pub last_name: Option<String>,
    #[serde(default)]
    pub job_role: Option<String>,
    #[serde(default, deserialize_with = "null_default")]
    pub active: bool,
    #[serde(default)]
    pub time_zone: Option<String>,
    #[serde(default)]
    pub locale_utc_offset: Option<i64>,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub sending_email_address: Option<String>,
    #[serde(default)]
    pub full_email_address: Option<String>,
    #[serde(default)]
    pub work_country: Option<String>,
    #[serde(default)]
    pub seat_package: Option<String>,
    #[serde(default, deserialize_with = "null_default")]
    pub team_admin: bool,
    #[serde(default, deserialize_with = "null_default")]
    pub crm_connected: bool,
    #[serde(default)]
    pub group: Option<Ref>,
    #[serde(default)]
    pub team: Option<Ref>,
    /// `{"id": "Admin"}`, `{"id": "User"}` or a custom role id.
    #[serde(default)]
    pub role: Option<Ref>,
    #[serde(default)]
    pub phone_client: Option<Ref>,
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
    #[serde(default)]
    pub last_contacted_at: Option<Time>,
    #[serde(default)]
    pub last_replied_at: Option<Time>,
    #[serde(default)]
    pub first_name: Option<String>,
    #[serde(default)]
    pub last_name: Option<String>,
    #[serde(default)]
    pub display_name: Option<String>,
    #[serde(default)]
    pub email_address: Option<String>,
    #[serde(default)]
    pub secondary_email_address: Option<String>,
    #[serde(default)]
    pub personal_email_address: Option<String>,
    #[serde(default)]
    pub phone: Option<String>,
    #[serde(default)]
    pub mobile_phone: Option<String>,
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub city: Option<String>,
    #[serde(default)]
    pub state: Option<String>,
    #[serde(default)]
    pub country: Option<String>,
    #[serde(default)]
    pub person_company_name: Option<String>,
    #[serde(default)]
    pub person_company_website: Option<String>,
    #[serde(default)]
    pub person_company_industry: Option<String>,
    #[serde(default)]
    pub job_seniority: Option<String>,
    #[serde(default)]
    pub locale: Option<String>,
    #[serde(default)]
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
    #[serde(default)]
    pub account: Option<Ref>,
    #[serde(default)]
    pub owner: Option<Ref>,
    #[serde(default)]
    pub last_contacted_by: Option<Ref>,
    #[serde(default)]
    pub person_stage: Option<Ref>,
    #[serde(default)]
    pub most_recent_cadence: Option<Ref>,
    #[serde(default)]
    pub last_completed_step: Option<Ref>,
    /// Cadences the person is active on.
    #[serde(default, deserialize_with = "null_default")]
    pub cadences: Vec<Ref>,
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
