//! What `sltui webhooks` prints: one line (or one JSON object) per accepted event,
//! emails folded into the engagement aggregator, and the counts when it stops.

use std::collections::BTreeMap;
use std::io::Write;

use serde_json::{Value, json};

use crate::metrics::{Aggregator, Engagement, email_fact, format_rate};
use crate::webhooks::{Payload, StatsSnapshot, WebhookEvent};

pub(super) struct Output {
    pub(super) json: bool,
    pub(super) agg: Aggregator,
    pub(super) by_type: BTreeMap<&'static str, u64>,
}

impl Output {
    /// Folds and prints one event; false when stdout is gone.
    pub(super) fn event(&mut self, ev: &WebhookEvent) -> bool {
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

    pub(super) fn summary(&self, s: &StatsSnapshot) {
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
}
