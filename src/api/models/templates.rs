//! Email templates (`/v2/email_templates`) and the cadence import answer.

use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};

use super::{Ref, lenient_u64, null_default};

/// `counts` of an email template: emails, not events.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EmailTemplateCounts {
    #[serde(default, deserialize_with = "lenient_u64")]
    pub sent_emails: u64,
    #[serde(default, deserialize_with = "lenient_u64")]
    pub views: u64,
    #[serde(default, deserialize_with = "lenient_u64")]
    pub clicks: u64,
    #[serde(default, deserialize_with = "lenient_u64")]
    pub replies: u64,
    #[serde(default, deserialize_with = "lenient_u64")]
    pub bounces: u64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EmailTemplate {
    pub id: u64,
    #[serde(default)]
    pub created_at: Option<DateTime<FixedOffset>>,
    #[serde(default)]
    pub updated_at: Option<DateTime<FixedOffset>>,
    #[serde(default, deserialize_with = "null_default")]
    pub title: String,
    #[serde(default)]
    pub subject: Option<String>,
    /// Only used on cadence steps (listed only with `include_cadence_templates=true`).
    #[serde(default, deserialize_with = "null_default")]
    pub cadence_template: bool,
    #[serde(default, deserialize_with = "null_default")]
    pub open_tracking_enabled: bool,
    #[serde(default, deserialize_with = "null_default")]
    pub click_tracking_enabled: bool,
    #[serde(default, deserialize_with = "null_default")]
    pub counts: EmailTemplateCounts,
}

/// `data` of `POST /v2/cadence_imports`: the new cadence.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CadenceImport {
    pub cadence: Ref,
}
