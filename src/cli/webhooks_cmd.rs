//! `sltui webhooks`: the signed-webhook receiver, headless. One line per accepted
//! event (or a JSON object per line with `--json`), emails folded into the same
//! engagement aggregator the dashboard uses (keyed by email id, so a redelivered or
//! re-polled email never counts twice), and the counts when it stops.
//!
//! Also the simulator's `--webhook-*` flags.

use std::collections::BTreeMap;
use std::io::Write;
use std::time::Duration;

use anyhow::anyhow;
use chrono::Utc;
use serde_json::{Value, json};

use super::{GlobalOpts, WebhooksArgs};
use crate::config::{self, Paths};
use crate::metrics::{Aggregator, Engagement, TimeRange, format_rate};
use crate::sim::SimConfig;
use crate::sim::webhooks::{RETRIES, WebhookStatsSnapshot, WebhookTarget};
use crate::webhooks::{self, Payload, StatsSnapshot, TokenSource, WebhookEvent};
use crate::worker::email_fact;

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

pub async fn run(global: &GlobalOpts, args: WebhooksArgs) -> anyhow::Result<i32> {
    let paths = Paths::discover_with(global.config.as_deref())?;
    if global.config.is_some() && !paths.config_file.is_file() {
        anyhow::bail!(
            "config file {} does not exist; create it, or drop --config to use the default location",
            paths.config_file.display()
        );
    }
    let cfg = config::load(&paths.config_file)?.webhooks;
    let listen = args.listen.or(cfg.listen).ok_or_else(|| {
        anyhow!(
            "say where to listen: --listen 127.0.0.1:9000, or `listen` under [webhooks] in {}",
            paths.config_file.display()
        )
    })?;
    let source = match TokenSource::pick(args.token_env.as_deref(), args.token_cmd.as_deref())? {
        Some(s) => s,
        None => TokenSource::pick(cfg.token_env.as_deref(), cfg.token_cmd.as_deref())?
            .ok_or_else(|| {
                anyhow!(
                    "no webhook token: pass --token-env NAME or --token-cmd CMD, or set token_env / \
                     token_cmd under [webhooks] in {}",
                    paths.config_file.display()
                )
            })?,
    };
    let token = source.resolve()?;
    let (receiver, mut events) = webhooks::start(listen, token).await?;
    eprintln!(
        "sltui: listening for SalesLoft webhooks on {} (token from {}); Ctrl-C stops",
        receiver.url(),
        source.describe()
    );
    let mut out = Output {
        json: args.json,
        agg: Aggregator::new(TimeRange::All, Utc::now()),
        by_type: BTreeMap::new(),
    };
    let mut accepted = 0u64;
    let stop = stop_signal();
    tokio::pin!(stop);
    loop {
        if args.max_events.is_some_and(|max| accepted >= max) {
            break;
        }
        tokio::select! {
            ev = events.recv() => {
                let Some(ev) = ev else { break };
                accepted += 1;
                if !out.event(&ev) {
                    break; // stdout closed
                }
            }
            _ = &mut stop => break,
        }
    }
    let stats = receiver.stats();
    receiver.shutdown().await;
    out.summary(&stats);
    Ok(0)
}

/// Ctrl-C, or SIGTERM (a service manager stopping it): either way the counts are printed.
async fn stop_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        if let Ok(mut term) = signal(SignalKind::terminate()) {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = term.recv() => {}
            }
            return;
        }
    }
    let _ = tokio::signal::ctrl_c().await;
}

struct Output {
    json: bool,
    agg: Aggregator,
    by_type: BTreeMap<&'static str, u64>,
}

impl Output {
    /// Folds and prints one event; false when stdout is gone.
    fn event(&mut self, ev: &WebhookEvent) -> bool {
        *self.by_type.entry(ev.kind.name()).or_default() += 1;
        let line = match &ev.payload {
            Payload::Email(email) => {
                let fact = email_fact(email);
                let (cadence, step) = (fact.cadence_id, fact.step_id);
                let flags = email_flags(
                    fact.sent,
                    fact.bounced,
                    fact.viewed,
                    fact.clicked,
                    fact.replied,
                );
                let changed = self.agg.apply(fact).changed;
                let totals = cadence.map(|c| self.agg.by_cadence(c));
                if self.json {
                    json!({
                        "event": ev.kind.name(),
                        "object": "email",
                        "id": ev.object_id(),
                        "updated_at": ev.updated_at().to_rfc3339(),
                        "cadence_id": cadence,
                        "step_id": step,
                        "state": flags,
                        "changed": changed,
                        "cadence": totals.map(|e| engagement_json(&e)),
                    })
                    .to_string()
                } else {
                    let mut line = format!("{} email {}", ev.kind.name(), ev.object_id());
                    match cadence {
                        Some(c) => line.push_str(&format!(" cadence {c}")),
                        None => line.push_str(" (one-off)"),
                    }
                    line.push_str(&format!(" · {}", flags.join(", ")));
                    if !changed {
                        line.push_str(" · no change");
                    }
                    if let (Some(c), Some(e)) = (cadence, totals) {
                        line.push_str(&format!(" · cadence {c}: {}", engagement_text(&e)));
                    }
                    line
                }
            }
            Payload::Membership(m) => {
                let on = if m.currently_on_cadence {
                    "on cadence"
                } else {
                    "off cadence"
                };
                if self.json {
                    json!({
                        "event": ev.kind.name(),
                        "object": "membership",
                        "id": m.id,
                        "updated_at": ev.updated_at().to_rfc3339(),
                        "person_id": m.person_id(),
                        "cadence_id": m.cadence_id(),
                        "state": m.current_state,
                        "currently_on_cadence": m.currently_on_cadence,
                    })
                    .to_string()
                } else {
                    format!(
                        "{} membership {} person {} cadence {} · {} ({on})",
                        ev.kind.name(),
                        m.id,
                        id_text(m.person_id()),
                        id_text(m.cadence_id()),
                        if m.current_state.is_empty() {
                            "?"
                        } else {
                            &m.current_state
                        },
                    )
                }
            }
            Payload::Person(p) => {
                if self.json {
                    json!({
                        "event": ev.kind.name(),
                        "object": "person",
                        "id": p.id,
                        "updated_at": ev.updated_at().to_rfc3339(),
                    })
                    .to_string()
                } else {
                    format!(
                        "{} person {} · updated {}",
                        ev.kind.name(),
                        p.id,
                        ev.updated_at().to_rfc3339()
                    )
                }
            }
        };
        let mut stdout = std::io::stdout().lock();
        writeln!(stdout, "{line}")
            .and_then(|()| stdout.flush())
            .is_ok()
    }

    fn summary(&self, s: &StatsSnapshot) {
        let totals = self.agg.totals();
        if self.json {
            let summary = json!({
                "summary": {
                    "receiver": s,
                    "events": self.by_type,
                    "emails": self.agg.len(),
                    "totals": engagement_json(&totals),
                }
            });
            let mut stdout = std::io::stdout().lock();
            let _ = writeln!(stdout, "{summary}").and_then(|()| stdout.flush());
            return;
        }
        let rejected = s.unauthorized + s.too_large + s.invalid;
        eprintln!(
            "sltui: {} accepted, {} duplicates, {} ignored, {rejected} rejected (401: {}, 413: {}, 400/405/408: {}), {} answered busy",
            s.accepted,
            s.duplicates,
            s.ignored,
            s.unauthorized,
            s.too_large,
            s.invalid,
            s.overloaded
        );
        if !self.by_type.is_empty() {
            let parts: Vec<String> = self
                .by_type
                .iter()
                .map(|(k, n)| format!("{k} {n}"))
                .collect();
            eprintln!("sltui: events: {}", parts.join(", "));
        }
        if !self.agg.is_empty() {
            eprintln!(
                "sltui: {} emails, all cadences: {}",
                self.agg.len(),
                engagement_text(&totals)
            );
        }
    }
}

fn id_text(id: Option<u64>) -> String {
    id.map_or_else(|| "?".to_string(), |i| i.to_string())
}

fn email_flags(
    sent: bool,
    bounced: bool,
    viewed: bool,
    clicked: bool,
    replied: bool,
) -> Vec<&'static str> {
    let mut flags = vec![match (sent, bounced) {
        (false, _) => "not sent",
        (true, true) => "bounced",
        (true, false) => "sent",
    }];
    for (on, word) in [
        (viewed, "opened"),
        (clicked, "clicked"),
        (replied, "replied"),
    ] {
        if on {
            flags.push(word);
        }
    }
    flags
}

fn engagement_text(e: &Engagement) -> String {
    let r = e.rates();
    format!(
        "sent {}, delivered {}, open {}, click {}, reply {}, bounce {}",
        e.sent,
        e.delivered,
        format_rate(r.open),
        format_rate(r.click),
        format_rate(r.reply),
        format_rate(r.bounce)
    )
}

fn engagement_json(e: &Engagement) -> Value {
    let r = e.rates();
    json!({
        "sent": e.sent,
        "delivered": e.delivered,
        "opened": e.opened,
        "clicked": e.clicked,
        "replied": e.replied,
        "bounced": e.bounced,
        "open_rate": r.open,
        "click_rate": r.click,
        "reply_rate": r.reply,
        "bounce_rate": r.bounce,
    })
}

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
        let secret = super::dashboard::demo_key();
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_read_like_the_rates_definitions() {
        assert_eq!(email_flags(false, false, false, false, false), ["not sent"]);
        assert_eq!(email_flags(true, true, false, false, false), ["bounced"]);
        assert_eq!(
            email_flags(true, false, true, false, true),
            ["sent", "opened", "replied"]
        );
    }

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

    #[test]
    fn the_command_lines_parse_and_are_checked() {
        use clap::Parser;

        use crate::cli::{Cli, Command};
        let argv = [
            "sltui",
            "webhooks",
            "--listen",
            "127.0.0.1:9000",
            "--token-env",
            "T",
        ];
        let Some(Command::Webhooks(a)) = Cli::try_parse_from(argv.iter().chain(&["--json"]))
            .unwrap()
            .command
        else {
            panic!("not webhooks");
        };
        assert_eq!(a.listen, Some(([127, 0, 0, 1], 9000).into()));
        assert!(a.json && a.token_env.as_deref() == Some("T") && a.max_events.is_none());
        let both = ["sltui", "webhooks", "--token-env", "A", "--token-cmd", "b"];
        assert!(Cli::try_parse_from(both).is_err());

        let alone = ["sltui", "sim", "--webhook-url", "http://127.0.0.1:9/"];
        assert!(Cli::try_parse_from(alone).is_err(), "a URL needs a token");
        let argv = [
            "sltui",
            "sim",
            "--webhook-url",
            "http://127.0.0.1:9/",
            "--webhook-token",
            "t0k",
            "--webhook-retry-secs",
            "0.5",
        ];
        let Some(Command::Sim(a)) = Cli::try_parse_from(argv).unwrap().command else {
            panic!("not sim");
        };
        let cfg = super::super::sim_cmd::config(a).unwrap();
        let target = cfg.webhook.clone().unwrap();
        assert_eq!(target.retry_delay, Duration::from_millis(500));
        assert!(
            sim_summary(&cfg)
                .unwrap()
                .contains("retried 3 times, 0.5 s apart")
        );
        assert!(
            !format!("{cfg:?}").contains("t0k"),
            "the token stays out of Debug"
        );
    }
}
