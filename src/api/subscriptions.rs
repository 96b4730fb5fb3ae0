//! Webhook subscriptions: `/v2/webhook_subscriptions` (salesloft-api.md §3.11).
//! One subscription per event type; a POST needs `callback_url`, `callback_token`
//! and `event_type`, a PUT changes only `enabled`, a DELETE is a 204.
//!
//! The answers' wrapping is not documented: the spec's schemas and the Ampersand
//! connector read the bare object (and a bare array for the list), while every
//! other endpoint wraps in `{"data": ...}`. Both are accepted here.

use std::fmt;

use reqwest::Method;
use serde::{Deserialize, Serialize};

use super::ApiResult;
use super::client::ApiClient;
use super::query::Query;

/// One subscription as SalesLoft shows it (`tenant_id` and `user_guid` are not
/// read: their types differ between the spec and real clients).
#[derive(Clone, PartialEq, Eq, Deserialize)]
pub struct WebhookSubscription {
    pub id: u64,
    pub callback_url: String,
    /// The signing key. Never shown: `Debug` prints `***`.
    #[serde(default)]
    pub callback_token: Option<String>,
    pub event_type: String,
    #[serde(default)]
    pub enabled: bool,
}

impl fmt::Debug for WebhookSubscription {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WebhookSubscription")
            .field("id", &self.id)
            .field("callback_url", &self.callback_url)
            .field("callback_token", &"***")
            .field("event_type", &self.event_type)
            .field("enabled", &self.enabled)
            .finish()
    }
}

/// What `POST /v2/webhook_subscriptions` takes.
#[derive(Clone, Serialize)]
pub struct NewWebhookSubscription<'a> {
    pub callback_url: &'a str,
    pub callback_token: &'a str,
    pub event_type: &'a str,
}

impl fmt::Debug for NewWebhookSubscription<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NewWebhookSubscription")
            .field("callback_url", &self.callback_url)
            .field("callback_token", &"***")
            .field("event_type", &self.event_type)
            .finish()
    }
}

/// `{"data": T}` or the bare `T`.
#[derive(Deserialize)]
#[serde(untagged)]
enum Wrapped<T> {
    Data { data: T },
    Bare(T),
}

impl<T> Wrapped<T> {
    fn into_inner(self) -> T {
        match self {
            Wrapped::Data { data } | Wrapped::Bare(data) => data,
        }
    }
}

#[derive(Serialize)]
struct Enabled {
    enabled: bool,
}

impl ApiClient {
    /// Every webhook subscription of the team's application.
    pub async fn webhook_subscriptions(&self) -> ApiResult<Vec<WebhookSubscription>> {
        let w: Wrapped<Vec<WebhookSubscription>> = self
            .get_json("webhook_subscriptions", &Query::new())
            .await?;
        Ok(w.into_inner())
    }

    pub async fn create_webhook_subscription(
        &self,
        new: &NewWebhookSubscription<'_>,
    ) -> ApiResult<WebhookSubscription> {
        let w: Wrapped<WebhookSubscription> = self
            .send_json(Method::POST, "webhook_subscriptions", new)
            .await?;
        Ok(w.into_inner())
    }

    /// Turns a subscription on or off.
    pub async fn set_webhook_subscription_enabled(
        &self,
        id: u64,
        enabled: bool,
    ) -> ApiResult<WebhookSubscription> {
        let path = format!("webhook_subscriptions/{id}");
        let w: Wrapped<WebhookSubscription> = self
            .send_json(Method::PUT, &path, &Enabled { enabled })
            .await?;
        Ok(w.into_inner())
    }

    /// Deletes a subscription (also one already gone: 204 either way).
    pub async fn delete_webhook_subscription(&self, id: u64) -> ApiResult<()> {
        self.delete(&format!("webhook_subscriptions/{id}")).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_bare_and_wrapped_answers_and_hides_the_token() {
        let bare = r#"{"id": 3, "callback_url": "https://h/", "callback_token": "s3cr3t",
            "event_type": "email_updated", "enabled": true, "tenant_id": "16",
            "user_guid": "51398ccd"}"#;
        let one: Wrapped<WebhookSubscription> = serde_json::from_str(bare).unwrap();
        let one = one.into_inner();
        assert_eq!((one.id, one.enabled), (3, true));
        assert!(!format!("{one:?}").contains("s3cr3t"));
        let wrapped = format!(r#"{{"data": [{bare}]}}"#);
        let list: Wrapped<Vec<WebhookSubscription>> = serde_json::from_str(&wrapped).unwrap();
        assert_eq!(list.into_inner()[0].event_type, "email_updated");
        let list: Wrapped<Vec<WebhookSubscription>> =
            serde_json::from_str(&format!("[{bare}]")).unwrap();
        assert_eq!(list.into_inner().len(), 1);
    }
}
