//! The leader keeps the team's webhook subscriptions: on taking the lead and every
//! few minutes it lists `/v2/webhook_subscriptions` and, for each event type sltui
//! folds ([`EventKind::ALL`]), makes sure there is exactly one enabled subscription
//! to this hub's callback URL with the hub's token:
//!
//! * one that is there but disabled is enabled again (PUT);
//! * a missing one is created (POST), after the list showed it missing, so a
//!   restart or a takeover never adds a second one;
//! * sltui's other subscriptions of that type — to another hub's callback URL
//!   (the previous leader's) with the same token, or to this URL with an old
//!   token, or a second copy — are deleted once the right one is in place.
//!
//! Subscriptions with another URL and another token belong to someone else and
//! are left alone. Every request is bulk background work paced like the sync (its
//! share of the budget, nothing under the reserve).

use std::time::Duration;

use crate::api::{ApiClient, NewWebhookSubscription, WebhookSubscription};
use crate::budget::Priority;
use crate::sync::{CancelToken, Pacer};
use crate::webhooks::{EventKind, WebhookToken};

use super::{HubOptions, say};

/// Between two checks while all is well.
pub const EVERY: Duration = Duration::from_secs(300);
/// After a failed check (doubling after each further failure, up to [`EVERY`]).
const AGAIN_AFTER_FAILURE: Duration = Duration::from_secs(30);

/// One change to make.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    Create(&'static str),
    Enable(u64),
    Remove(u64),
}

fn same_url(a: &str, b: &str) -> bool {
    a.trim_end_matches('/') == b.trim_end_matches('/')
}

/// What to change so each of `wanted` has exactly one enabled subscription to
/// `url` with `token`: creations and enablings first, removals last (no gap).
pub fn plan(
    subs: &[WebhookSubscription],
    url: &str,
    token: &str,
    wanted: &[&'static str],
) -> Vec<Step> {
    let mut first = Vec::new();
    let mut last = Vec::new();
    for &event in wanted {
        let ours: Vec<&WebhookSubscription> = subs
            .iter()
            .filter(|s| s.event_type == event)
            .filter(|s| {
                same_url(&s.callback_url, url) || s.callback_token.as_deref() == Some(token)
            })
            .collect();
        // Current: this URL and this token (a list that hides tokens counts as this one).
        let current = |s: &WebhookSubscription| {
            same_url(&s.callback_url, url) && s.callback_token.as_deref().is_none_or(|t| t == token)
        };
        let keep = ours
            .iter()
            .find(|s| current(s) && s.enabled)
            .or_else(|| ours.iter().find(|s| current(s)))
            .map(|s| s.id);
        match keep {
            None => first.push(Step::Create(event)),
            Some(id) => {
                if ours.iter().any(|s| s.id == id && !s.enabled) {
                    first.push(Step::Enable(id));
                }
            }
        }
        last.extend(
            ours.iter()
                .filter(|s| Some(s.id) != keep)
                .map(|s| Step::Remove(s.id)),
        );
    }
    first.extend(last);
    first
}

/// The event types the hub subscribes to.
fn wanted() -> Vec<&'static str> {
    EventKind::ALL.iter().map(|k| k.name()).collect()
}

/// Keeps the subscriptions until `duties` is cancelled (the lead is lost).
pub async fn keep(
    client: ApiClient,
    opts: HubOptions,
    callback_url: String,
    token: WebhookToken,
    duties: CancelToken,
) {
    let pacer = Pacer::new(
        client.budget().clone(),
        Priority::Bulk,
        opts.reserve,
        opts.share,
    );
    let mut reported = false;
    let mut failures = 0u32;
    while !duties.is_cancelled() {
        let wait = match check(&client, &pacer, &duties, &callback_url, &token).await {
            Ok(Some(steps)) => {
                if !steps.is_empty() || !reported {
                    say(&opts.name, describe(&steps, &callback_url));
                    reported = true;
                }
                failures = 0;
                EVERY
            }
            Ok(None) => break,
            Err(e) => {
                let wait = AGAIN_AFTER_FAILURE
                    .saturating_mul(1 << failures.min(4))
                    .min(EVERY);
                failures += 1;
                say(
                    &opts.name,
                    format!(
                        "could not check the webhook subscriptions ({e}); again in {} s \
                         (the poll goes on meanwhile)",
                        wait.as_secs()
                    ),
                );
                wait
            }
        };
        if duties.sleep(wait).await {
            break;
        }
    }
}

fn describe(steps: &[Step], url: &str) -> String {
    let count = |f: fn(&Step) -> bool| steps.iter().filter(|s| f(s)).count();
    let created = count(|s| matches!(s, Step::Create(_)));
    let enabled = count(|s| matches!(s, Step::Enable(_)));
    let removed = count(|s| matches!(s, Step::Remove(_)));
    if steps.is_empty() {
        return format!("webhook subscriptions to {url} in place");
    }
    format!(
        "webhook subscriptions to {url}: {created} created, {enabled} enabled again, \
         {removed} stale removed"
    )
}

/// One check: the steps made (`None` when cancelled).
async fn check(
    client: &ApiClient,
    pacer: &Pacer,
    cancel: &CancelToken,
    url: &str,
    token: &WebhookToken,
) -> Result<Option<Vec<Step>>, String> {
    let Some(permit) = pacer.admit(cancel).await else {
        return Ok(None);
    };
    let subs = client
        .webhook_subscriptions()
        .await
        .map_err(|e| e.to_string())?;
    drop(permit);
    let steps = plan(&subs, url, token.secret(), &wanted());
    for step in &steps {
        let Some(permit) = pacer.admit(cancel).await else {
            return Ok(None);
        };
        let done = match step {
            Step::Create(event) => client
                .create_webhook_subscription(&NewWebhookSubscription {
                    callback_url: url,
                    callback_token: token.secret(),
                    event_type: event,
                })
                .await
                .map(|_| ()),
            Step::Enable(id) => client
                .set_webhook_subscription_enabled(*id, true)
                .await
                .map(|_| ()),
            Step::Remove(id) => client.delete_webhook_subscription(*id).await,
        };
        drop(permit);
        done.map_err(|e| e.to_string())?;
    }
    Ok(Some(steps))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sub(id: u64, url: &str, token: &str, event: &str, enabled: bool) -> WebhookSubscription {
        WebhookSubscription {
            id,
            callback_url: url.into(),
            callback_token: Some(token.into()),
            event_type: event.into(),
            enabled,
        }
    }

    const URL: &str = "https://hooks.example.com/sltui";
    const WANTED: [&str; 3] = ["email_updated", "person_created", "person_updated"];

    #[test]
    fn creates_the_missing_and_nothing_twice() {
        assert_eq!(
            plan(&[], URL, "t", &WANTED),
            WANTED.map(Step::Create).to_vec()
        );
        let all: Vec<_> = WANTED
            .iter()
            .enumerate()
            .map(|(i, e)| sub(i as u64 + 1, &format!("{URL}/"), "t", e, true))
            .collect();
        assert!(
            plan(&all, URL, "t", &WANTED).is_empty(),
            "a restart adds none"
        );
    }

    #[test]
    fn enables_repoints_and_removes_stale_copies_but_not_others() {
        let subs = [
            sub(1, URL, "t", "email_updated", false),
            sub(2, "http://old-leader:8787/", "t", "person_created", true),
            sub(3, URL, "old-token", "person_updated", true),
            sub(4, URL, "t", "person_updated", true),
            sub(5, URL, "t", "person_updated", false),
            sub(
                6,
                "https://crm.example.com/",
                "theirs",
                "person_updated",
                true,
            ),
        ];
        assert_eq!(
            plan(&subs, URL, "t", &WANTED),
            vec![
                Step::Enable(1),
                Step::Create("person_created"),
                Step::Remove(2),
                Step::Remove(3),
                Step::Remove(5),
            ]
        );
    }
}
