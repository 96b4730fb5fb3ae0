//! The `/v2/webhook_subscriptions` endpoint over the shared [`Subscriptions`]
//! (the rules are in the parent module).

use axum::http::StatusCode;

use super::super::body::Fields;
use super::super::lock::lock;
use super::super::query::ApiError;
use super::super::routes::Route;
use super::super::shared::{Answer, Shared};
use super::{Subscription, render};

/// The `/v2/webhook_subscriptions` calls (already authorised and charged); `None`
/// for any other route.
pub(in crate::sim) fn answer(
    s: &Shared,
    route: Route,
    query: Option<&str>,
    content_type: Option<&str>,
    body: &[u8],
) -> Option<Answer> {
    let tenant = s.read().ds.team_id;
    let one = |sub: &Subscription| Ok((StatusCode::OK, Some(render(sub, tenant).to_string())));
    let out = match route {
        Route::WebhookSubscriptions => lock(&s.subscriptions)
            .list(query, tenant)
            .map(|text| (StatusCode::OK, Some(text))),
        Route::WebhookSubscription(id) => match lock(&s.subscriptions).get(id) {
            Some(sub) => one(sub),
            None => Err(ApiError::NotFound),
        },
        Route::CreateWebhookSubscription => {
            let fields = match Fields::parse(query, content_type, body) {
                Ok(f) => f,
                Err(e) => return Some(Err(e)),
            };
            let guid = {
                let w = s.read();
                w.me()
                    .and_then(|id| w.ds.users.get(id))
                    .map(|u| u.guid.clone())
                    .unwrap_or_default()
            };
            lock(&s.subscriptions).create(&fields, &guid).and_then(one)
        }
        Route::UpdateWebhookSubscription(id) => {
            let fields = match Fields::parse(query, content_type, body) {
                Ok(f) => f,
                Err(e) => return Some(Err(e)),
            };
            lock(&s.subscriptions).update(id, &fields).and_then(one)
        }
        Route::DeleteWebhookSubscription(id) => {
            lock(&s.subscriptions).delete(id);
            Ok((StatusCode::NO_CONTENT, None))
        }
        _ => return None,
    };
    Some(out)
}
