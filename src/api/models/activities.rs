//! Email and call activities.

use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};

use super::{Ref, lenient_opt_string, lenient_opt_u64, lenient_u64, null_default};

type Time = DateTime<FixedOffset>;

/// Email engagement counts; `views` are the opens (there is no `opens`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EmailCounts {
    #[serde(default, deserialize_with = "lenient_u64")]
    pub views: u64,
    #[serde(default, deserialize_with = "lenient_u64")]
    pub clicks: u64,
    #[serde(default, deserialize_with = "lenient_u64")]
    pub replies: u64,
    #[serde(default, deserialize_with = "lenient_u64")]
    pub unique_devices: u64,
    #[serde(default, deserialize_with = "lenient_u64")]
    pub unique_locations: u64,
    #[serde(default, deserialize_with = "lenient_u64")]
    pub attachments: u64,
}

/// An email activity (`/v2/activities/emails`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Email {
    pub id: u64,
    pub created_at: Time,
    pub updated_at: Time,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recipient_email_address: Option<String>,
    #[serde(default, deserialize_with = "null_default")]
    pub status: String,
    /// A separate flag: a bounced email keeps `status: "sent"`.
    #[serde(default, deserialize_with = "null_default")]
    pub bounced: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub send_after: Option<Time>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sent_at: Option<Time>,
    #[serde(default, deserialize_with = "null_default")]
    pub view_tracking: bool,
    #[serde(default, deserialize_with = "null_default")]
    pub click_tracking: bool,
    #[serde(
        default,
        deserialize_with = "lenient_opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub personalization: Option<String>,
    /// Only with `scoped_fields[]=subject` and the `email_contents:read` scope.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    #[serde(default, deserialize_with = "null_default")]
    pub counts: EmailCounts,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user: Option<Ref>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recipient: Option<Ref>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mailing: Option<Ref>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub action: Option<Ref>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cadence: Option<Ref>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub step: Option<Ref>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email_template: Option<Ref>,
}

impl Email {
    /// Status is one of `sent`, `sent_from_gmail`, `sent_from_external`.
    pub fn is_sent(&self) -> bool {
        matches!(
            self.status.as_str(),
            "sent" | "sent_from_gmail" | "sent_from_external"
        )
    }
    pub fn cadence_id(&self) -> Option<u64> {
        self.cadence.as_ref().and_then(Ref::id_u64)
    }
    pub fn step_id(&self) -> Option<u64> {
        self.step.as_ref().and_then(Ref::id_u64)
    }
    pub fn template_id(&self) -> Option<u64> {
        self.email_template.as_ref().and_then(Ref::id_u64)
    }
}

/// A call activity (`/v2/activities/calls`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Call {
    pub id: u64,
    pub created_at: Time,
    pub updated_at: Time,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<String>,
    /// Seconds; often null.
    #[serde(
        default,
        deserialize_with = "lenient_opt_u64",
        skip_serializing_if = "Option::is_none"
    )]
    pub duration: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disposition: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sentiment: Option<String>,
    #[serde(default, deserialize_with = "null_default")]
    pub recordings: Vec<serde_json::Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user: Option<Ref>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub called_person: Option<Ref>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<Ref>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cadence: Option<Ref>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub step: Option<Ref>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub action: Option<Ref>,
}
