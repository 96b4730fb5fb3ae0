//! The HTTP side: an axum server that takes SalesLoft webhook deliveries, checks
//! them and hands the accepted ones to a channel.
//!
//! Answers: 401 when `x-salesloft-signature` is missing or does not match the body,
//! 413 for a body over [`MAX_BODY`], 408 for a body not sent within [`BODY_TIMEOUT`],
//! 400 for a body that is not the object the event names, 405 for anything but
//! POST, 503 when the consumer is [`QUEUE`] events behind (SalesLoft retries it
//! later), 200 otherwise, including redeliveries (counted, not passed on) and event
//! types sltui does not use. Nothing of a body, a signature or the token is ever
//! logged.

use std::fmt;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::Context;
use axum::Router;
use axum::body::{Body, BodyDataStream};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use futures::StreamExt;
use serde::Serialize;
use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinHandle;

use super::dedup::{self, DEFAULT_CAPACITY, Seen};
use super::event::{Parsed, WebhookEvent, parse};
use super::signature;
use crate::serve;

/// The largest body accepted: 1 MiB (a SalesLoft object is a few KiB).
pub const MAX_BODY: usize = 1024 * 1024;
/// How long a sender may take to send the body (a stalled sender holds no slot longer).
pub const BODY_TIMEOUT: Duration = Duration::from_secs(30);
/// How much of a body over [`MAX_BODY`] is read beyond it, and for how long at most,
/// so its sender reads the 413 ([`drain`]); a bigger one is refused unread.
const DRAIN: usize = 4 * MAX_BODY;
const DRAIN_TIME: Duration = Duration::from_secs(5);
/// Accepted events waiting for the consumer before deliveries are answered 503.
pub const QUEUE: usize = 4096;

pub const EVENT_HEADER: &str = "x-salesloft-event";
pub const SIGNATURE_HEADER: &str = "x-salesloft-signature";

/// The subscription's `callback_token`. Never shown: `Debug` prints `***`.
#[derive(Clone)]
pub struct WebhookToken(Arc<str>);

impl WebhookToken {
    /// Refuses an empty (or all-blank) token; surrounding blanks are trimmed.
    pub fn new(token: &str) -> anyhow::Result<WebhookToken> {
        let t = token.trim();
        if t.is_empty() {
            anyhow::bail!("the webhook token is empty; give the subscription's callback_token");
        }
        Ok(WebhookToken(Arc::from(t)))
    }

    fn bytes(&self) -> &[u8] {
        self.0.as_bytes()
    }

    /// The token itself, to register it as a subscription's `callback_token`.
    /// Never print or log it.
    pub fn secret(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for WebhookToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("WebhookToken(***)")
    }
}

/// Counters since the receiver started.
#[derive(Debug, Default)]
pub struct Stats {
    accepted: AtomicU64,
    duplicates: AtomicU64,
    ignored: AtomicU64,
    unauthorized: AtomicU64,
    too_large: AtomicU64,
    invalid: AtomicU64,
    overloaded: AtomicU64,
}

/// A copy of [`Stats`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct StatsSnapshot {
    /// Verified, new, passed on.
    pub accepted: u64,
    /// Verified redeliveries of an event already passed on (answered 200).
    pub duplicates: u64,
    /// Verified deliveries of event types sltui does not use (answered 200).
    pub ignored: u64,
    /// Missing or wrong signature (401).
    pub unauthorized: u64,
    /// Body over 1 MiB (413).
    pub too_large: u64,
    /// Not POST, no event header, a body that is not the named object, or one that
    /// broke off or stalled (400/405/408).
    pub invalid: u64,
    /// The consumer was behind (503).
    pub overloaded: u64,
}

impl StatsSnapshot {
    /// Every delivery attempt that reached the receiver.
    pub fn total(&self) -> u64 {
        self.accepted
            + self.duplicates
            + self.ignored
            + self.unauthorized
            + self.too_large
            + self.invalid
            + self.overloaded
    }
}

impl Stats {
    pub fn snapshot(&self) -> StatsSnapshot {
        let get = |c: &AtomicU64| c.load(Ordering::Relaxed);
        StatsSnapshot {
            accepted: get(&self.accepted),
            duplicates: get(&self.duplicates),
            ignored: get(&self.ignored),
            unauthorized: get(&self.unauthorized),
            too_large: get(&self.too_large),
            invalid: get(&self.invalid),
            overloaded: get(&self.overloaded),
        }
    }
}

fn bump(c: &AtomicU64) {
    c.fetch_add(1, Ordering::Relaxed);
}

struct Shared {
    token: WebhookToken,
    seen: Mutex<Seen>,
    tx: mpsc::Sender<WebhookEvent>,
    stats: Arc<Stats>,
}

/// The receiver as a router, to mount in another server. Accepted events go to `tx`.
pub fn router(token: WebhookToken, tx: mpsc::Sender<WebhookEvent>, stats: Arc<Stats>) -> Router {
    let shared = Arc::new(Shared {
        token,
        seen: Mutex::new(Seen::new(DEFAULT_CAPACITY)),
        tx,
        stats,
    });
    Router::new().fallback(receive).with_state(shared)
}

fn answer(status: StatusCode, text: &'static str) -> Response {
    (status, text).into_response()
}

async fn receive(State(st): State<Arc<Shared>>, req: Request) -> Response {
    let (parts, body) = req.into_parts();
    if parts.method != Method::POST {
        bump(&st.stats.invalid);
        return (
            StatusCode::METHOD_NOT_ALLOWED,
            [(header::ALLOW, "POST")],
            "webhook deliveries are POSTed\n",
        )
            .into_response();
    }
    let Some(sig) = header_text(&parts.headers, SIGNATURE_HEADER) else {
        bump(&st.stats.unauthorized);
        tracing::debug!("webhook refused: no x-salesloft-signature");
        return answer(StatusCode::UNAUTHORIZED, "missing x-salesloft-signature\n");
    };
    let declared = header_text(&parts.headers, header::CONTENT_LENGTH.as_str())
        .and_then(|v| v.trim().parse::<u64>().ok());
    if let Some(n) = declared.filter(|&n| n > MAX_BODY as u64) {
        bump(&st.stats.too_large);
        if n <= (MAX_BODY + DRAIN) as u64 {
            drain(&mut body.into_data_stream(), MAX_BODY + DRAIN).await;
        }
        return answer(StatusCode::PAYLOAD_TOO_LARGE, "body over 1 MiB\n");
    }
    let read = tokio::time::timeout(BODY_TIMEOUT, read_limited(body)).await;
    let body = match read.unwrap_or(Err(StatusCode::REQUEST_TIMEOUT)) {
        Ok(b) => b,
        Err(status) => {
            if status == StatusCode::PAYLOAD_TOO_LARGE {
                bump(&st.stats.too_large);
                return answer(status, "body over 1 MiB\n");
            }
            bump(&st.stats.invalid);
            return answer(status, "the body could not be read\n");
        }
    };
    if !signature::verify(st.token.bytes(), &body, &sig) {
        bump(&st.stats.unauthorized);
        tracing::debug!("webhook refused: x-salesloft-signature does not match");
        return answer(
            StatusCode::UNAUTHORIZED,
            "x-salesloft-signature does not match\n",
        );
    }
    let Some(event) = header_text(&parts.headers, EVENT_HEADER) else {
        bump(&st.stats.invalid);
        return answer(StatusCode::BAD_REQUEST, "missing x-salesloft-event\n");
    };
    let event = match parse(&event, &body) {
        Ok(Parsed::Event(e)) => e,
        Ok(Parsed::Ignored) => {
            bump(&st.stats.ignored);
            return answer(StatusCode::OK, "ignored\n");
        }
        Err(why) => {
            bump(&st.stats.invalid);
            tracing::warn!("webhook refused: {why}");
            return (StatusCode::BAD_REQUEST, format!("{why}\n")).into_response();
        }
    };
    let key = dedup::key(&event);
    let mut seen = st.seen.lock().unwrap_or_else(|e| e.into_inner());
    if seen.contains(&key) {
        drop(seen);
        bump(&st.stats.duplicates);
        return answer(StatusCode::OK, "duplicate\n");
    }
    // Remembered only once passed on: a delivery answered 503 is not a duplicate later.
    // Counted before it is passed on, so the consumer never sees more than the count.
    bump(&st.stats.accepted);
    match st.tx.try_send(event) {
        Ok(()) => {
            seen.insert(key);
            drop(seen);
            answer(StatusCode::OK, "accepted\n")
        }
        Err(_) => {
            drop(seen);
            st.stats.accepted.fetch_sub(1, Ordering::Relaxed);
            bump(&st.stats.overloaded);
            answer(StatusCode::SERVICE_UNAVAILABLE, "busy, retry later\n")
        }
    }
}

fn header_text(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
}

/// The body, or 413 once it grows past [`MAX_BODY`] (400 when it breaks off).
async fn read_limited(body: Body) -> Result<Vec<u8>, StatusCode> {
    let mut stream = body.into_data_stream();
    let mut out = Vec::new();
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|_| StatusCode::BAD_REQUEST)?;
        if out.len() + chunk.len() > MAX_BODY {
            drain(&mut stream, DRAIN).await;
            return Err(StatusCode::PAYLOAD_TOO_LARGE);
        }
        out.extend_from_slice(&chunk);
    }
    Ok(out)
}

/// Reads and drops up to `most` more bytes of a body refused for its size, for at
/// most [`DRAIN_TIME`], before the 413 goes out: a sender still writing the body
/// then reads the answer. Answered unread, the connection is closed on it with
/// data in flight, the sender sees a reset instead of a 413, and a sender that
/// retries deliveries it could not hand over (SalesLoft does) sends it again.
async fn drain(stream: &mut BodyDataStream, most: usize) {
    let mut left = most;
    let _ = tokio::time::timeout(DRAIN_TIME, async {
        while let Some(Ok(chunk)) = stream.next().await {
            if chunk.len() >= left {
                break;
            }
            left -= chunk.len();
        }
    })
    .await;
}

/// A running receiver. Dropping it stops the server.
pub struct Receiver {
    addr: SocketAddr,
    stats: Arc<Stats>,
    shutdown: Option<oneshot::Sender<()>>,
    server: Option<JoinHandle<()>>,
}

impl Receiver {
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://ADDR/`, the callback URL to subscribe (behind a public HTTPS proxy).
    pub fn url(&self) -> String {
        format!("http://{}/", self.addr)
    }

    pub fn stats(&self) -> StatsSnapshot {
        self.stats.snapshot()
    }

    /// Stops accepting, waiting briefly for deliveries in progress.
    pub async fn shutdown(mut self) {
        serve::stop(self.shutdown.take(), self.server.take()).await;
    }
}

impl Drop for Receiver {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

/// Binds `addr` (port 0 picks one) and serves in a spawned task. Accepted events
/// arrive on the returned channel, in the order they were accepted.
pub async fn start(
    addr: SocketAddr,
    token: WebhookToken,
) -> anyhow::Result<(Receiver, mpsc::Receiver<WebhookEvent>)> {
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .with_context(|| format!("cannot listen for webhooks on {addr}"))?;
    let addr = listener.local_addr()?;
    let (tx, rx) = mpsc::channel(QUEUE);
    let stats = Arc::new(Stats::default());
    let app = router(token, tx, stats.clone());
    let (stop_tx, server) = serve::spawn(listener, app, "webhook receiver");
    tracing::info!("webhook receiver listening on http://{addr}/");
    Ok((
        Receiver {
            addr,
            stats,
            shutdown: Some(stop_tx),
            server: Some(server),
        },
        rx,
    ))
}
