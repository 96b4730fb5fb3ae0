//! Signed SalesLoft webhooks, received: the push counterpart of the live poll.
//!
//! SalesLoft POSTs the bare changed object to the subscription's `callback_url` with
//! `x-salesloft-event` (the event type) and `x-salesloft-signature` (hex HMAC-SHA1 of
//! the raw body keyed by the `callback_token`), and retries a delivery that was not
//! answered 2xx three more times, 15 s apart (salesloft-api.md §7).
//!
//! [`receiver`] checks each delivery (signature in constant time, 1 MiB limit) and
//! passes new ones on as [`WebhookEvent`]s, parsed with the client's own models;
//! [`dedup`] drops redeliveries with bounded memory. The worker folds them exactly
//! like polled data (`worker::spawn_with_webhooks`), and `sltui webhooks` prints them.

pub mod dedup;
pub mod event;
pub mod receiver;
pub mod signature;
pub mod token;

pub use event::{EventKind, Parsed, Payload, WebhookEvent};
pub use receiver::{
    EVENT_HEADER, MAX_BODY, Receiver, SIGNATURE_HEADER, Stats, StatsSnapshot, WebhookToken, start,
};
pub use token::TokenSource;
