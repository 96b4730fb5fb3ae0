//! Signed webhook deliveries from the simulator, like SalesLoft's (salesloft-api.md
//! §7): every change to an email, a cadence membership or a person is POSTed to
//! the `callback_url` of every enabled subscription of its event type
//! ([`super::subscriptions`], `/v2/webhook_subscriptions`) as the bare object (the
//! same JSON as the REST answer), with `x-salesloft-event` and
//! `x-salesloft-signature` (hex HMAC-SHA1 of the body keyed by that subscription's
//! `callback_token`). A delivery not answered 2xx (or not answered at all) is
//! retried three more times, `retry_delay` apart (15 s on the real service), then
//! counted as failed. The fixed `SimConfig::webhook` target is a subscription
//! registered at start for each event type the simulator emits.
//!
//! Changes are found without hooks in the mutation code: every mutation stamps
//! `updated_at` with a time later than the dataset clock and moves the clock up to
//! it, so each scan takes the rows with `updated_at` in `(previous clock, clock]`
//! from the tables' `updated_at` indexes. A row changed twice between two scans is
//! delivered once, in its latest state (SalesLoft sends the object as it is, too).
//! Event types: `email_updated` (there is no `email_created`),
//! `cadence_membership_created`/`_updated` and `person_created`/`_updated`, by
//! whether `created_at` lies in the scanned window. A change made while no
//! subscription of its type is enabled is not delivered later.
//!
//! Written on its own (not shared with `crate::webhooks`): a shared signing function
//! would let a wrong algorithm pass every test.

use std::fmt;
use std::ops::Bound;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use hmac::{Hmac, Mac};
use serde::Serialize;
use sha1::Sha1;
use tokio::sync::Semaphore;
use tokio::task::{JoinHandle, JoinSet};

use super::json;
use super::lock::lock;
use super::model::{Dataset, Micros};
use super::shared::Shared;
use super::subscriptions::{DeliveryPolicy, RETRY_DELAY, Subscription};

/// How often the tables are scanned for changes.
const SCAN_EVERY: Duration = Duration::from_millis(100);
/// Deliveries (with their retries) in flight at once; more wait for a slot.
const IN_FLIGHT: usize = 32;
/// Retries after the first attempt (SalesLoft: three).
pub const RETRIES: u32 = 3;
/// The event types the simulator emits.
pub const EMITTED: [&str; 5] = [
    "email_updated",
    "cadence_membership_created",
    "cadence_membership_updated",
    "person_created",
    "person_updated",
];

/// Where and how the simulator delivers webhooks.
#[derive(Clone)]
pub struct WebhookTarget {
    pub url: String,
    /// The subscription's `callback_token` (the signing key).
    pub token: String,
    pub retry_delay: Duration,
    /// How long one attempt may take before it counts as failed.
    pub timeout: Duration,
}

impl WebhookTarget {
    pub fn new(url: &str, token: &str) -> WebhookTarget {
        WebhookTarget {
            url: url.to_string(),
            token: token.to_string(),
            retry_delay: RETRY_DELAY,
            timeout: Duration::from_secs(10),
        }
    }

    /// How deliveries to this target are tried.
    pub fn policy(&self) -> DeliveryPolicy {
        DeliveryPolicy {
            retry_delay: self.retry_delay,
            timeout: self.timeout,
        }
    }
}

impl fmt::Debug for WebhookTarget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WebhookTarget")
            .field("url", &self.url)
            .field("token", &"***")
            .field("retry_delay", &self.retry_delay)
            .finish()
    }
}

/// Delivery counters.
#[derive(Debug, Default)]
pub struct WebhookStats {
    events: AtomicU64,
    attempts: AtomicU64,
    delivered: AtomicU64,
    retried: AtomicU64,
    failed: AtomicU64,
    by_type: Mutex<Vec<(&'static str, u64)>>,
}

/// A copy of [`WebhookStats`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct WebhookStatsSnapshot {
    /// Deliveries started: one per change and subscription of its event type.
    pub events: u64,
    /// HTTP attempts made, first tries and retries.
    pub attempts: u64,
    /// Deliveries answered 2xx.
    pub delivered: u64,
    /// Retries made.
    pub retried: u64,
    /// Deliveries given up after the last retry.
    pub failed: u64,
    /// Deliveries started per event type.
    pub by_type: Vec<(&'static str, u64)>,
}

impl WebhookStatsSnapshot {
    /// Deliveries still being tried.
    pub fn pending(&self) -> u64 {
        self.events.saturating_sub(self.delivered + self.failed)
    }

    pub fn count(&self, event: &str) -> u64 {
        self.by_type
            .iter()
            .find(|(t, _)| *t == event)
            .map_or(0, |(_, n)| *n)
    }
}

impl WebhookStats {
    pub fn snapshot(&self) -> WebhookStatsSnapshot {
        let get = |c: &AtomicU64| c.load(Ordering::Relaxed);
        WebhookStatsSnapshot {
            events: get(&self.events),
            attempts: get(&self.attempts),
            delivered: get(&self.delivered),
            retried: get(&self.retried),
            failed: get(&self.failed),
            by_type: self
                .by_type
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .clone(),
        }
    }

    fn found(&self, event: &'static str) {
        self.events.fetch_add(1, Ordering::Relaxed);
        let mut by_type = self.by_type.lock().unwrap_or_else(|e| e.into_inner());
        match by_type.iter_mut().find(|(t, _)| *t == event) {
            Some((_, n)) => *n += 1,
            None => by_type.push((event, 1)),
        }
    }
}

/// One delivery: the event type and the rendered object.
#[derive(Debug, Clone)]
struct Outgoing {
    event: &'static str,
    updated_at: Micros,
    body: Vec<u8>,
}

/// Hex HMAC-SHA1 of `body` keyed by `token`: the `x-salesloft-signature` value.
pub fn signature(token: &str, body: &[u8]) -> String {
    let mut mac =
        Hmac::<Sha1>::new_from_slice(token.as_bytes()).expect("HMAC accepts keys of any length");
    mac.update(body);
    let digest = mac.finalize().into_bytes();
    let mut out = String::with_capacity(40);
    for b in digest {
        out.push_str(&format!("{b:02x}"));
    }
    out
}

/// The changes in `(from, to]`, oldest first.
fn changes(ds: &Dataset, from: Micros, to: Micros, base: &str) -> Vec<Outgoing> {
    let window = || (Bound::Excluded(from), Bound::Included(to));
    let created = |t: Micros| t > from;
    let mut out = Vec::new();
    let mut push = |event: &'static str, updated_at: Micros, value: serde_json::Value| {
        out.push(Outgoing {
            event,
            updated_at,
            body: serde_json::to_vec(&value).unwrap_or_default(),
        });
    };
    let (lo, hi) = window();
    for e in ds.emails.range_updated(lo, hi) {
        push("email_updated", e.updated_at, json::email(ds, e, base));
    }
    let (lo, hi) = window();
    for m in ds.memberships.range_updated(lo, hi) {
        let event = if created(m.created_at) {
            "cadence_membership_created"
        } else {
            "cadence_membership_updated"
        };
        push(event, m.updated_at, json::membership(ds, m, base));
    }
    let (lo, hi) = window();
    for p in ds.people.range_updated(lo, hi) {
        let event = if created(p.created_at) {
            "person_created"
        } else {
            "person_updated"
        };
        push(event, p.updated_at, json::person(ds, p, base));
    }
    out.sort_by_key(|o| o.updated_at);
    out
}

/// Starts delivering every change from now on to the enabled subscriptions.
/// Aborting the task stops the scans and every delivery in flight.
pub fn spawn(shared: Arc<Shared>, stats: Arc<WebhookStats>) -> JoinHandle<()> {
    // The clock is read now, not when the task first runs: a change made right after
    // `sim::start` returns is delivered too.
    let from = shared.read().ds.now;
    tokio::spawn(run(shared, stats, from))
}

async fn run(shared: Arc<Shared>, stats: Arc<WebhookStats>, from: Micros) {
    let client = match reqwest::Client::builder().build() {
        Ok(c) => c,
        Err(e) => {
            tracing::error!("simulator webhooks off: no HTTP client ({e})");
            return;
        }
    };
    let slots = Arc::new(Semaphore::new(IN_FLIGHT));
    let mut deliveries = JoinSet::new();
    let mut last = from;
    let mut every = tokio::time::interval(SCAN_EVERY);
    every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        every.tick().await;
        while deliveries.try_join_next().is_some() {}
        let subs = lock(&shared.subscriptions).enabled();
        let (found, now) = {
            let w = shared.read();
            let now = w.ds.now;
            if subs.is_empty() {
                (Vec::new(), now)
            } else {
                (changes(&w.ds, last, now, &shared.base), now)
            }
        };
        last = now;
        for out in found {
            let out = Arc::new(out);
            for sub in subs.iter().filter(|s| s.event_type == out.event) {
                stats.found(out.event);
                let Ok(slot) = slots.clone().acquire_owned().await else {
                    return;
                };
                let (client, sub, stats, out) =
                    (client.clone(), sub.clone(), stats.clone(), out.clone());
                deliveries.spawn(async move {
                    deliver(&client, &sub, &stats, &out).await;
                    drop(slot);
                });
            }
        }
    }
}

/// One delivery with its retries.
async fn deliver(
    client: &reqwest::Client,
    sub: &Subscription,
    stats: &WebhookStats,
    out: &Outgoing,
) {
    let sig = signature(&sub.callback_token, &out.body);
    for attempt in 0..=RETRIES {
        if attempt > 0 {
            tokio::time::sleep(sub.policy.retry_delay).await;
            stats.retried.fetch_add(1, Ordering::Relaxed);
        }
        stats.attempts.fetch_add(1, Ordering::Relaxed);
        let sent = client
            .post(&sub.callback_url)
            .timeout(sub.policy.timeout)
            .header("content-type", "application/json")
            .header("x-salesloft-event", out.event)
            .header("x-salesloft-signature", &sig)
            .body(out.body.clone())
            .send()
            .await;
        let why = match sent {
            Ok(r) if r.status().is_success() => {
                stats.delivered.fetch_add(1, Ordering::Relaxed);
                return;
            }
            Ok(r) => format!("answered {}", r.status()),
            Err(e) if e.is_timeout() => "timed out".to_string(),
            Err(_) => "could not be reached".to_string(),
        };
        tracing::debug!(event = out.event, attempt, "webhook delivery failed: {why}");
    }
    stats.failed.fetch_add(1, Ordering::Relaxed);
    tracing::warn!(
        event = out.event,
        subscription = sub.id,
        "webhook delivery to {} failed after {} attempts",
        sub.callback_url,
        RETRIES + 1
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signs_like_rfc_2202() {
        assert_eq!(
            signature("Jefe", b"what do ya want for nothing?"),
            "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79"
        );
        let t = WebhookTarget::new("http://127.0.0.1:1/", "s3cret");
        assert!(!format!("{t:?}").contains("s3cret"));
    }

    #[test]
    fn finds_changes_in_the_window_by_type() {
        use crate::sim::dataset::{GenOptions, generate};
        let mut ds = generate(&GenOptions {
            seed: 7,
            people: 50,
            cadences: 3,
            users: 2,
            now: 1_700_000_000_000_000,
        });
        let from = ds.now;
        assert!(changes(&ds, from, from, "http://x/v2").is_empty());
        let email = ds.emails.iter().next().map(|e| e.id).unwrap();
        let person = ds.people.iter().next().map(|p| p.id).unwrap();
        ds.emails.update(email, |e| e.updated_at = from + 1);
        ds.people.update(person, |p| p.updated_at = from + 2);
        ds.now = from + 2;
        let found = changes(&ds, from, ds.now, "http://x/v2");
        let kinds: Vec<&str> = found.iter().map(|o| o.event).collect();
        assert_eq!(kinds, ["email_updated", "person_updated"]);
        let body: serde_json::Value = serde_json::from_slice(&found[0].body).unwrap();
        assert_eq!(body["id"], email);
        assert!(
            changes(&ds, ds.now, ds.now, "http://x/v2").is_empty(),
            "delivered once"
        );
    }
}
