//! The simulator's `--webhook-*` flags: where `sltui sim` POSTs its changes, and the
//! lines it prints about them.

use std::time::Duration;

use crate::sim::SimConfig;
use crate::sim::webhooks::{RETRIES, WebhookStatsSnapshot, WebhookTarget};

/// The simulator's webhook target from `--webhook-url`, `--webhook-token` and
/// `--webhook-retry-secs`.
pub(super) fn webhook_target(
    url: &Option<String>,
    token: &Option<String>,
    retry_secs: f64,
) -> anyhow::Result<Option<WebhookTarget>> {
    let (Some(url), Some(token)) = (url, token) else {
        return Ok(None);
    };
    if !(url.starts_with("http://") || url.starts_with("https://")) {
        anyhow::bail!(
            "--webhook-url must start with http:// or https://, like http://127.0.0.1:9000/"
        );
    }
    if token.trim().is_empty() {
        anyhow::bail!("--webhook-token is empty; give the token the receiver verifies with");
    }
    let mut target = WebhookTarget::new(url, token.trim());
    target.retry_delay = Duration::from_secs_f64(retry_secs);
    Ok(Some(target))
}

/// The `sltui sim` start-up line about webhooks.
pub(super) fn sim_summary(cfg: &SimConfig) -> Option<String> {
    let t = cfg.webhook.as_ref()?;
    Some(format!(
        "Webhooks: every change is POSTed to {} (signed; a failed delivery is retried {RETRIES} times, {} s apart).",
        t.url,
        t.retry_delay.as_secs_f64()
    ))
}

/// The `sltui sim` closing line about webhooks.
pub(super) fn sim_stats_line(s: &WebhookStatsSnapshot) -> String {
    format!(
        "Webhooks: {} changes, {} delivered, {} failed after retries, {} still trying ({} attempts, {} retries).",
        s.events,
        s.delivered,
        s.failed,
        s.pending(),
        s.attempts,
        s.retried
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sim_flags_are_checked() {
        let url = Some("ftp://x".to_string());
        let token = Some("t".to_string());
        assert!(webhook_target(&url, &token, 1.0).is_err());
        let url = Some("http://127.0.0.1:9/".to_string());
        assert!(webhook_target(&url, &Some(" ".into()), 1.0).is_err());
        let t = webhook_target(&url, &token, 0.25).unwrap().unwrap();
        assert_eq!(t.retry_delay, Duration::from_millis(250));
        assert!(webhook_target(&None, &None, 15.0).unwrap().is_none());
    }
}
