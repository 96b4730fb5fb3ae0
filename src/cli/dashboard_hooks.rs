//! The dashboard's webhook receiver and the worker that folds its events; and the
//! embedded simulator's per-run key (used by the dashboard and `sltui sync`).

use anyhow::anyhow;

use crate::sim::webhooks::WebhookTarget;
use crate::webhooks::{self, TokenSource, WebhookEvent};

/// The dashboard's receiver (`[webhooks] listen`), started before the TUI takes the
/// terminal (a token command may prompt).
pub(super) struct DashboardHooks {
    pub receiver: webhooks::Receiver,
    /// For the worker; taken when it starts.
    pub events: Option<tokio::sync::mpsc::Receiver<WebhookEvent>>,
    /// In demo mode the embedded simulator delivers to the receiver, signed with a
    /// per-run token (SalesLoft cannot reach a demo).
    pub sim_target: Option<WebhookTarget>,
}

/// Starts the receiver when `[webhooks] listen` is set.
pub(super) async fn dashboard_hooks(
    target: &super::target::Target,
) -> anyhow::Result<Option<DashboardHooks>> {
    let cfg = &target.config.webhooks;
    let Some(listen) = cfg.listen else {
        return Ok(None);
    };
    let (addr, token, demo_secret) = if target.demo {
        let secret = demo_key();
        let token = webhooks::WebhookToken::new(&secret)?;
        (
            std::net::SocketAddr::from(([127, 0, 0, 1], 0)),
            token,
            Some(secret),
        )
    } else {
        let source = TokenSource::pick(cfg.token_env.as_deref(), cfg.token_cmd.as_deref())?
            .ok_or_else(|| anyhow!("[webhooks] listen needs token_env or token_cmd"))?;
        (listen, source.resolve()?, None)
    };
    let (receiver, events) = webhooks::start(addr, token).await?;
    tracing::info!(addr = %receiver.addr(), demo = target.demo, "webhook receiver on");
    let sim_target = demo_secret.map(|secret| WebhookTarget::new(&receiver.url(), &secret));
    Ok(Some(DashboardHooks {
        receiver,
        events: Some(events),
        sim_target,
    }))
}

/// The worker, folding webhook events too when there are any.
pub(super) fn spawn_worker(
    events: Option<tokio::sync::mpsc::Receiver<WebhookEvent>>,
    client: crate::api::ApiClient,
    opts: crate::worker::WorkerOptions,
) -> crate::worker::WorkerHandle {
    match events {
        Some(events) => crate::worker::spawn_with_webhooks(client, opts, events),
        None => crate::worker::spawn(client, opts),
    }
}

/// A per-run key for the embedded simulator, so nothing else on the machine can use it.
pub(super) fn demo_key() -> String {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u128(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0),
    );
    format!("demo-{:016x}", h.finish())
}
