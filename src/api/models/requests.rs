//! Request bodies for POST/PUT, sent as JSON. Unset fields are omitted, so a
//! [`PersonUpdate`] changes only what it sets (SalesLoft updates are partial
//! PUTs).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

macro_rules! person_body {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        #[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
        pub struct $name {
            #[serde(skip_serializing_if = "Option::is_none")]
            pub email_address: Option<String>,
            #[serde(skip_serializing_if = "Option::is_none")]
            pub first_name: Option<String>,
            #[serde(skip_serializing_if = "Option::is_none")]
            pub last_name: Option<String>,
            #[serde(skip_serializing_if = "Option::is_none")]
            pub phone: Option<String>,
            #[serde(skip_serializing_if = "Option::is_none")]
            pub phone_extension: Option<String>,
            #[serde(skip_serializing_if = "Option::is_none")]
            pub mobile_phone: Option<String>,
            #[serde(skip_serializing_if = "Option::is_none")]
            pub home_phone: Option<String>,
            #[serde(skip_serializing_if = "Option::is_none")]
            pub title: Option<String>,
            #[serde(skip_serializing_if = "Option::is_none")]
            pub person_company_name: Option<String>,
            #[serde(skip_serializing_if = "Option::is_none")]
            pub person_company_website: Option<String>,
            #[serde(skip_serializing_if = "Option::is_none")]
            pub person_company_industry: Option<String>,
            #[serde(skip_serializing_if = "Option::is_none")]
            pub secondary_email_address: Option<String>,
            #[serde(skip_serializing_if = "Option::is_none")]
            pub personal_email_address: Option<String>,
            #[serde(skip_serializing_if = "Option::is_none")]
            pub linkedin_url: Option<String>,
            #[serde(skip_serializing_if = "Option::is_none")]
            pub job_seniority: Option<String>,
            #[serde(skip_serializing_if = "Option::is_none")]
            pub city: Option<String>,
            #[serde(skip_serializing_if = "Option::is_none")]
            pub state: Option<String>,
            #[serde(skip_serializing_if = "Option::is_none")]
            pub country: Option<String>,
            #[serde(skip_serializing_if = "Option::is_none")]
            pub work_city: Option<String>,
            #[serde(skip_serializing_if = "Option::is_none")]
            pub work_state: Option<String>,
            #[serde(skip_serializing_if = "Option::is_none")]
            pub work_country: Option<String>,
            #[serde(skip_serializing_if = "Option::is_none")]
            pub locale: Option<String>,
            #[serde(skip_serializing_if = "Option::is_none")]
            pub do_not_contact: Option<bool>,
            #[serde(skip_serializing_if = "Option::is_none")]
            pub owner_id: Option<u64>,
            #[serde(skip_serializing_if = "Option::is_none")]
            pub account_id: Option<u64>,
            #[serde(skip_serializing_if = "Option::is_none")]
            pub person_stage_id: Option<u64>,
            #[serde(skip_serializing_if = "Option::is_none")]
            pub import_id: Option<u64>,
            #[serde(skip_serializing_if = "Option::is_none")]
            pub tags: Option<Vec<String>>,
            #[serde(skip_serializing_if = "Option::is_none")]
            pub contact_restrictions: Option<Vec<String>>,
            #[serde(skip_serializing_if = "Option::is_none")]
            pub custom_fields: Option<BTreeMap<String, String>>,
        }
    };
}

person_body!(
    /// `POST /v2/people`: either `email_address`, or `phone` + `last_name`,
    /// must be given (they are the unique lookup on the team).
    NewPerson
);
person_body!(
    /// `PUT /v2/people/{id}`: only the fields that are set change.
    PersonUpdate
);

/// `POST /v2/cadence_memberships`: add a person to a cadence.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewMembership {
    pub person_id: u64,
    pub cadence_id: u64,
    /// Defaults to the authenticated user.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_id: Option<u64>,
    /// The step to start at.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub step_id: Option<u64>,
}

/// `POST /v2/activities/calls`: log a call.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewCall {
    pub person_id: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub to: Option<String>,
    /// Seconds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub duration: Option<u64>,
    /// Must be one of the team's `/v2/call_dispositions` names.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub disposition: Option<String>,
    /// Must be one of the team's `/v2/call_sentiments` names.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sentiment: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub action_id: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_guid: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub linked_call_data_record_ids: Option<Vec<u64>>,
}
