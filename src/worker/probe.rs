//! The circuit breaker ([`super::breaker`], pure) wired to the worker: the
//! client's health read and changes announced to the UI, and the one probe.

use std::time::Instant;

use super::breaker::{Change, event};
use super::ctx::{Ctx, lock};
use super::job::JobEnd;

/// Reads the client's health and announces a change; true when the circuit
/// closed (queued work may go now).
pub fn check(ctx: &Ctx) -> bool {
    let health = ctx.client.health().snapshot();
    let change = lock(&ctx.breaker).observe(&health, Instant::now());
    let up = change == Some(Change::Up);
    if let Some(change) = change {
        ctx.emit(event(change));
    }
    up
}

/// The one probe: any answer below 500 means SalesLoft is back.
pub async fn probe(ctx: &Ctx) -> JobEnd {
    let result = ctx.client.probe("me").await;
    match result.status {
        Some(status) if status < 500 => JobEnd::Done(Ok(())),
        _ => JobEnd::Done(Err(result
            .error
            .map_or_else(|| "no answer".to_string(), |e| e.to_string()))),
    }
}

/// The probe is back; announces the outcome. True when the circuit closed.
pub fn probe_ended(ctx: &Ctx) -> bool {
    let health = ctx.client.health().snapshot();
    let change = lock(&ctx.breaker).probe_ended(&health, Instant::now());
    let up = change == Some(Change::Up);
    if let Some(change) = change {
        ctx.emit(event(change));
    }
    up
}
