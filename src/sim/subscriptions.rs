//! Webhook subscriptions: `/v2/webhook_subscriptions` (salesloft-api.md §3.11,
//! OpenAPI `Subscription`). One subscription per event type; the POST needs
//! `callback_url`, `callback_token` and `event_type` (form-encoded as the spec says,
//! or JSON), a PUT changes only `enabled`, a DELETE answers 204 also for an id that
//! is gone (the spec: "can be called multiple times successfully"). Every call costs
//! 1 point like the other single-object calls.
//!
//! Fields: `id, callback_url, callback_token, event_type, enabled, tenant_id,
//! user_guid` (the user is the key's owner, the tenant the team).
//!
//! Choices where the real API is not documented:
//! * the answers are the bare object (POST, GET one, PUT) and a bare array (GET
//!   list), as the spec's schemas and the Ampersand connector's decoding show, not
//!   the `{"data": ...}` envelope of the other endpoints (a client should accept
//!   both);
//! * a `callback_url` that is not `http://` or `https://`, and an event type not in
//!   SalesLoft's list, are 422 field errors; a second subscription for the same URL
//!   and event type is allowed (the real service does not say it refuses one);
//! * `enabled` given as something that is not a boolean is a 422.
//!
//! [`super::webhooks`] delivers each change to every enabled subscription of its
//! event type, signed with that subscription's token.

mod http;

use std::time::Duration;

use serde_json::{Value, json};

use super::body::{Fields, Got};
use super::query::{ApiError, Query};

pub(super) use self::http::answer;

/// SalesLoft's event types (salesloft-api.md §7); others are refused with a 422.
pub const EVENT_TYPES: &[&str] = &[
    "account_created",
    "account_updated",
    "account_deleted",
    "bulk_job_completed",
    "cadence_created",
    "cadence_updated",
    "cadence_deleted",
    "cadence_membership_created",
    "cadence_membership_updated",
    "call_created",
    "call_updated",
    "call_data_record_created",
    "call_data_record_updated",
    "conversation_created",
    "conversation_updated",
    "conversation_recording_created",
    "conversation_transcript_created",
    "email_updated",
    "email_with_body_and_subject_updated",
    "link_swap",
    "meeting_booked",
    "meeting_updated",
    "note_created",
    "note_updated",
    "note_deleted",
    "person_created",
    "person_updated",
    "person_deleted",
    "step_created",
    "step_updated",
    "step_deleted",
    "success_created",
    "task_created",
    "task_updated",
    "task_completed",
    "task_deleted",
    "user_created",
    "user_updated",
];

/// SalesLoft's delay between delivery attempts.
pub const RETRY_DELAY: Duration = Duration::from_secs(15);

/// How deliveries to a subscription are tried.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DeliveryPolicy {
    /// The delay between attempts (15 s on the real service).
    pub retry_delay: Duration,
    /// How long one attempt may take before it counts as failed.
    pub timeout: Duration,
}

impl Default for DeliveryPolicy {
    fn default() -> Self {
        DeliveryPolicy {
            retry_delay: RETRY_DELAY,
            timeout: Duration::from_secs(10),
        }
    }
}

/// One subscription.
#[derive(Clone, PartialEq, Eq)]
pub struct Subscription {
    pub id: u64,
    pub callback_url: String,
    /// The signing key; shown only in the API's own answers, never in a log.
    pub callback_token: String,
    pub event_type: String,
    pub enabled: bool,
    pub user_guid: String,
    pub policy: DeliveryPolicy,
}

impl std::fmt::Debug for Subscription {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Subscription")
            .field("id", &self.id)
            .field("callback_url", &self.callback_url)
            .field("callback_token", &"***")
            .field("event_type", &self.event_type)
            .field("enabled", &self.enabled)
            .finish()
    }
}

/// The team's subscriptions.
#[derive(Debug, Default)]
pub struct Subscriptions {
    rows: Vec<Subscription>,
    last_id: u64,
    /// How API-created subscriptions are delivered to.
    pub policy: DeliveryPolicy,
}

impl Subscriptions {
    /// Adds a subscription without checks (the simulator's pre-registered target).
    pub fn add(
        &mut self,
        callback_url: &str,
        callback_token: &str,
        event_type: &str,
        user_guid: &str,
        policy: DeliveryPolicy,
    ) -> &Subscription {
        self.last_id += 1;
        self.rows.push(Subscription {
            id: self.last_id,
            callback_url: callback_url.to_string(),
            callback_token: callback_token.to_string(),
            event_type: event_type.to_string(),
            enabled: true,
            user_guid: user_guid.to_string(),
            policy,
        });
        self.rows.last().expect("just pushed")
    }

    pub fn get(&self, id: u64) -> Option<&Subscription> {
        self.rows.iter().find(|s| s.id == id)
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// The enabled subscriptions, for delivery.
    pub fn enabled(&self) -> Vec<Subscription> {
        self.rows.iter().filter(|s| s.enabled).cloned().collect()
    }

    /// `GET /v2/webhook_subscriptions[?enabled=…]`: a bare array, by id.
    pub fn list(&self, query: Option<&str>, tenant_id: u64) -> Result<String, ApiError> {
        let mut q = Query::parse(query)?;
        let enabled = q.flag("enabled");
        q.finish()?;
        let rows: Vec<Value> = self
            .rows
            .iter()
            .filter(|s| enabled.is_none_or(|e| s.enabled == e))
            .map(|s| render(s, tenant_id))
            .collect();
        Ok(Value::Array(rows).to_string())
    }

    /// `POST /v2/webhook_subscriptions`: checks the three required fields.
    pub fn create(&mut self, f: &Fields, user_guid: &str) -> Result<&Subscription, ApiError> {
        let mut errs = super::ops::Errors::default();
        let mut text = |name: &str| match f.text(name) {
            Got::Value(v) => Some(v),
            Got::Absent | Got::Null => {
                errs.add(name, "can't be blank");
                None
            }
            Got::Invalid => {
                errs.add(name, "is invalid");
                None
            }
        };
        let url = text("callback_url");
        let token = text("callback_token");
        let event = text("event_type");
        if let Some(u) = &url
            && (!(u.starts_with("http://") || u.starts_with("https://"))
                || u.contains(char::is_whitespace))
        {
            errs.add("callback_url", "is invalid");
        }
        if let Some(e) = &event
            && !EVENT_TYPES.contains(&e.as_str())
        {
            errs.add("event_type", "is not included in the list");
        }
        errs.check()?;
        let (Some(url), Some(token), Some(event)) = (url, token, event) else {
            return Err(ApiError::field("callback_url", "can't be blank"));
        };
        let policy = self.policy;
        Ok(self.add(&url, &token, &event, user_guid, policy))
    }

    /// `PUT /v2/webhook_subscriptions/{id}`: only `enabled` changes.
    pub fn update(&mut self, id: u64, f: &Fields) -> Result<&Subscription, ApiError> {
        let enabled = match f.boolean("enabled") {
            Got::Value(b) => Some(b),
            Got::Absent | Got::Null => None,
            Got::Invalid => return Err(ApiError::field("enabled", "is invalid")),
        };
        let sub = self
            .rows
            .iter_mut()
            .find(|s| s.id == id)
            .ok_or(ApiError::NotFound)?;
        if let Some(e) = enabled {
            sub.enabled = e;
        }
        Ok(sub)
    }

    /// `DELETE /v2/webhook_subscriptions/{id}`: gone either way.
    pub fn delete(&mut self, id: u64) {
        self.rows.retain(|s| s.id != id);
    }
}

/// A subscription as the API shows it.
pub fn render(s: &Subscription, tenant_id: u64) -> Value {
    json!({
        "id": s.id,
        "callback_url": s.callback_url,
        "callback_token": s.callback_token,
        "event_type": s.event_type,
        "enabled": s.enabled,
        "tenant_id": tenant_id,
        "user_guid": s.user_guid,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(body: &str) -> Fields {
        Fields::parse(
            None,
            Some("application/x-www-form-urlencoded"),
            body.as_bytes(),
        )
        .unwrap()
    }

    #[test]
    fn create_checks_every_required_field() {
        let mut subs = Subscriptions::default();
        let Err(ApiError::Fields(errs)) = subs.create(&form("callback_url=ftp://x"), "g") else {
            panic!("accepted");
        };
        assert_eq!(errs["callback_url"], ["is invalid"]);
        assert_eq!(errs["callback_token"], ["can't be blank"]);
        assert_eq!(errs["event_type"], ["can't be blank"]);
        let Err(ApiError::Fields(errs)) = subs.create(
            &form("callback_url=http://h/&callback_token=t&event_type=email_sent"),
            "g",
        ) else {
            panic!("accepted");
        };
        assert_eq!(errs["event_type"], ["is not included in the list"]);
        assert!(subs.is_empty());
        let made = subs
            .create(
                &form("callback_url=http://h/&callback_token=t&event_type=email_updated"),
                "g",
            )
            .unwrap()
            .clone();
        assert_eq!((made.id, made.enabled), (1, true));
        assert!(
            !format!("{made:?}").contains("\"t\""),
            "the token is hidden"
        );
    }

    #[test]
    fn update_list_and_delete() {
        let mut subs = Subscriptions::default();
        let p = DeliveryPolicy::default();
        subs.add("http://a/", "t", "email_updated", "g", p);
        subs.add("http://a/", "t", "person_updated", "g", p);
        assert!(!subs.update(2, &form("enabled=false")).unwrap().enabled);
        assert!(matches!(
            subs.update(2, &form("enabled=maybe")),
            Err(ApiError::Fields(_))
        ));
        assert!(matches!(
            subs.update(9, &form("enabled=true")),
            Err(ApiError::NotFound)
        ));
        let on: Value = serde_json::from_str(&subs.list(Some("enabled=true"), 5).unwrap()).unwrap();
        assert_eq!(on.as_array().unwrap().len(), 1);
        assert_eq!(on[0]["tenant_id"], 5);
        assert_eq!(subs.enabled().len(), 1);
        subs.delete(1);
        subs.delete(1);
        assert_eq!(subs.len(), 1);
        assert!(subs.list(Some("enabled=perhaps"), 5).is_err());
    }
}
