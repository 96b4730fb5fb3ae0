//! The hub's webhook receiver: SalesLoft's signed deliveries (checked by
//! [`crate::webhooks`]: signature, size, redeliveries) written into PostgreSQL
//! through the same upserts the sync uses ([`PgStore::upsert_pushed`]), so the
//! change sequence and NOTIFY carry them to every dashboard at once. The poll stays
//! the safety net: a delivery lost, refused or not written is read by the next poll.
//!
//! Every hub runs its receiver, the standbys too: upserts are idempotent and an
//! older version never replaces a newer one, so a delivery written by any hub is
//! right, and deliveries that reach a standby (the callback URL points at a load
//! balancer, or at a hub that just lost the lead) are not lost. Only the leader
//! keeps the subscriptions ([`super::subscriptions`]).
//!
//! The token (the subscriptions' `callback_token`, the signing key) comes from the
//! profile's `[webhooks] token_env` / `token_cmd`, or else is generated once and
//! kept in the database (`meta`), so every hub on it verifies with the same one
//! without configuration and a restart or takeover keeps the subscriptions valid.
//! It is never printed.

use std::io::Read;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use crate::api::models::{Email, Membership, Person};
use crate::store::{PgStore, StoreError, StoreRecord};
use crate::sync::{CancelToken, Resource};
use crate::webhooks::{self, EventKind, Payload, WebhookEvent, WebhookToken};

/// How the hub takes webhooks.
#[derive(Debug, Clone)]
pub struct HubWebhooks {
    /// Where the receiver listens.
    pub listen: SocketAddr,
    /// The address SalesLoft POSTs to; the leader subscribes it. `None`: receive
    /// only (subscriptions made by hand).
    pub callback_url: Option<String>,
    /// From the profile; `None`: the database's generated token.
    pub token: Option<WebhookToken>,
}

/// Events written per database transaction at most.
const BATCH: usize = 256;
/// Attempts to write one batch before leaving it to the poll.
const WRITE_ATTEMPTS: u32 = 3;

/// A running receiver and its writer. Dropping it stops both.
pub struct Running {
    pub receiver: webhooks::Receiver,
    pub token: WebhookToken,
    writer: JoinHandle<()>,
}

impl Running {
    /// Stops accepting, then lets the writer finish what was accepted (the channel
    /// closes with the server), for at most a few seconds.
    pub async fn stop(self) {
        self.receiver.shutdown().await;
        let mut writer = self.writer;
        if tokio::time::timeout(Duration::from_secs(5), &mut writer)
            .await
            .is_err()
        {
            writer.abort();
        }
    }
}

/// 32 random bytes from the system, in hex.
fn generated_secret() -> Result<String, String> {
    let mut bytes = [0u8; 32];
    std::fs::File::open("/dev/urandom")
        .and_then(|mut f| f.read_exact(&mut bytes))
        .map_err(|e| {
            format!(
                "could not generate a webhook token ({e}); set [webhooks] token_env or \
                 token_cmd in the profile"
            )
        })?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

/// The token: the profile's, or the database's (made now if there is none).
async fn token(store: &Arc<PgStore>, hooks: &HubWebhooks) -> Result<WebhookToken, String> {
    if let Some(t) = &hooks.token {
        return Ok(t.clone());
    }
    let fresh = generated_secret()?;
    let s = store.clone();
    let secret = super::blocking(move || s.webhook_secret(&fresh)).await?;
    WebhookToken::new(&secret).map_err(|e| e.to_string())
}

/// Starts the receiver on `hooks.listen` and the task that writes what it accepts
/// (on a connection of its own, `db_url`).
pub async fn start(
    store: &Arc<PgStore>,
    db_url: &str,
    hooks: &HubWebhooks,
    name: &str,
) -> Result<Running, String> {
    let token = token(store, hooks).await?;
    let url = db_url.to_string();
    let writer_store = Arc::new(super::blocking(move || PgStore::connect(&url)).await?);
    let (receiver, events) = webhooks::start(hooks.listen, token.clone())
        .await
        .map_err(|e| format!("{e:#}; choose another address with --webhook-listen"))?;
    let writer = tokio::spawn(write_events(writer_store, events, name.to_string()));
    Ok(Running {
        receiver,
        token,
        writer,
    })
}

/// Writes accepted events in batches, in the order they were accepted.
async fn write_events(store: Arc<PgStore>, mut events: mpsc::Receiver<WebhookEvent>, name: String) {
    let mut batch = Vec::with_capacity(BATCH);
    let stop = CancelToken::new();
    while events.recv_many(&mut batch, BATCH).await > 0 {
        let taken = Arc::new(std::mem::take(&mut batch));
        let mut attempt = 0;
        loop {
            attempt += 1;
            let (s, evs) = (store.clone(), taken.clone());
            match super::blocking(move || write_batch(&s, &evs)).await {
                Ok(()) => break,
                Err(e) if attempt < WRITE_ATTEMPTS => {
                    tracing::warn!(hub = %name, error = %e, "writing webhook events failed; again");
                    stop.sleep(Duration::from_millis(500 * u64::from(attempt)))
                        .await;
                }
                Err(e) => {
                    super::say(
                        &name,
                        format!(
                            "{} webhook event(s) not written ({e}); the next poll reads them",
                            taken.len()
                        ),
                    );
                    break;
                }
            }
        }
    }
}

/// One batch, one transaction per resource.
fn write_batch(store: &PgStore, events: &[WebhookEvent]) -> Result<(), StoreError> {
    let mut emails: Vec<Email> = Vec::new();
    let mut memberships: Vec<Membership> = Vec::new();
    let mut people: Vec<Person> = Vec::new();
    let mut deleted: Vec<(u64, i64)> = Vec::new();
    for ev in events {
        match (&ev.payload, ev.kind) {
            (Payload::Email(e), _) => emails.push((**e).clone()),
            (Payload::Membership(m), _) => memberships.push((**m).clone()),
            (Payload::Person(p), EventKind::PersonDeleted) => {
                deleted.push((p.id, p.updated_at.timestamp_micros()));
            }
            (Payload::Person(p), _) => people.push((**p).clone()),
        }
    }
    if !emails.is_empty() {
        store.upsert_pushed(Resource::Emails.name(), &Email::prepare(&emails))?;
    }
    if !memberships.is_empty() {
        store.upsert_pushed(
            Resource::Memberships.name(),
            &Membership::prepare(&memberships),
        )?;
    }
    if !people.is_empty() {
        store.upsert_pushed(Resource::People.name(), &Person::prepare(&people))?;
    }
    for (id, updated_us) in deleted {
        store.remove_pushed_person(id, updated_us)?;
    }
    Ok(())
}

/// The default listening address for a callback URL: every interface, on the
/// URL's explicit port (the hub reached directly), else 8787 (behind a proxy).
pub fn default_listen(callback_url: Option<&str>) -> SocketAddr {
    let port = callback_url
        .and_then(|u| u.split_once("://").map(|(_, rest)| rest))
        .map(|rest| rest.split(['/', '?', '#']).next().unwrap_or(""))
        .and_then(|authority| {
            let host_port = authority.rsplit('@').next().unwrap_or(authority);
            let (host, port) = host_port.rsplit_once(':')?;
            // An IPv6 literal without a port ("[::1]") has its colons inside brackets.
            if host.contains('[') && !host.ends_with(']') {
                return None;
            }
            port.parse::<u16>().ok()
        })
        .unwrap_or(DEFAULT_PORT);
    SocketAddr::from(([0, 0, 0, 0], port))
}

/// The receiver's port when the callback URL names none.
pub const DEFAULT_PORT: u16 = 8787;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn listens_on_the_callback_urls_port_or_the_default() {
        let port = |u: Option<&str>| default_listen(u).port();
        assert_eq!(port(Some("http://10.0.0.5:9100/hooks")), 9100);
        assert_eq!(port(Some("https://hooks.example.com/sltui")), DEFAULT_PORT);
        assert_eq!(port(Some("http://u:p@h:9200")), 9200);
        assert_eq!(port(Some("http://[::1]:9300/")), 9300);
        assert_eq!(port(Some("http://[::1]/")), DEFAULT_PORT);
        assert_eq!(port(None), DEFAULT_PORT);
        assert!(default_listen(None).ip().is_unspecified());
    }

    #[test]
    fn generated_tokens_are_long_and_differ() {
        let (a, b) = (generated_secret().unwrap(), generated_secret().unwrap());
        assert_eq!(a.len(), 64);
        assert_ne!(a, b);
    }
}
