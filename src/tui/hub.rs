//! A dashboard on the team database (`sltui --db`): the team hub as the status
//! bar shows it in place of the budget gauge (the dashboard spends nothing; the
//! hub's figure is the team's), folded from the hub reader's events.

use std::time::{Duration, Instant};

use crate::worker::protocol::HubSeen;

/// A hub whose status row is older than this is marked stale (it writes the
/// row at every sync and budget reading, several times a minute).
pub const STALE_AFTER: Duration = Duration::from_secs(60);

/// The hub as this dashboard last saw it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct HubView {
    /// `None` until the first read; `Some(None)`: no hub has run on this database.
    pub seen: Option<Option<HubSeen>>,
    /// The team database does not answer (why, in words).
    pub problem: Option<String>,
}

/// How a piece of the hub's text looks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tone {
    Plain,
    Dim,
    Warn,
    Bad,
}

impl HubView {
    /// No hub has finished a sync on this database yet (none ran, or the first
    /// sync is still going): counts read from it are not the team's yet.
    pub fn never_synced(&self) -> bool {
        match &self.seen {
            Some(Some(h)) => h.synced_ago.is_none(),
            Some(None) => true,
            None => false,
        }
    }

    /// How long ago the hub last wrote its status, when that is over [`STALE_AFTER`].
    pub fn stale_for(&self, now: Instant) -> Option<Duration> {
        let h = self.seen.as_ref()?.as_ref()?;
        let age = h.updated_ago? + now.saturating_duration_since(h.read_at);
        (age > STALE_AFTER).then_some(age)
    }

    /// The status bar's pieces, for a line `width` columns wide: e.g.
    /// `hub sltui-hub-1 · synced 12s ago · team 420/600`.
    pub fn parts(&self, now: Instant, width: u16) -> Vec<(String, Tone)> {
        let wide = width >= 110;
        if self.problem.is_some() {
            let text = if wide {
                "⚠ team database unreachable, retrying"
            } else {
                "⚠ database unreachable"
            };
            return vec![(text.into(), Tone::Bad)];
        }
        let hub = match &self.seen {
            None => return vec![("hub: reading…".into(), Tone::Dim)],
            Some(None) => {
                let text = if wide {
                    "no hub has run on this database"
                } else {
                    "no hub on this database"
                };
                return vec![(text.into(), Tone::Warn)];
            }
            Some(Some(h)) => h,
        };
        let since = now.saturating_duration_since(hub.read_at);
        let name: String = if wide {
            hub.name.clone()
        } else {
            super::text::ellipsize(&hub.name, 14)
        };
        let mut parts = vec![(if wide { format!("hub {name}") } else { name }, Tone::Plain)];
        let synced = match hub.synced_ago {
            Some(a) if wide => format!(" · synced {} ago", ago(a + since)),
            Some(a) => format!(" · synced {}", ago(a + since)),
            None => " · not synced yet".to_string(),
        };
        parts.push((synced, Tone::Dim));
        match (hub.budget_remaining, hub.budget_limit) {
            (Some(r), Some(l)) if wide => parts.push((format!(" · team {r}/{l}"), Tone::Plain)),
            (Some(r), Some(l)) => parts.push((format!(" · {r}/{l}"), Tone::Plain)),
            _ if wide => parts.push((" · team budget not read yet".into(), Tone::Dim)),
            _ => {}
        }
        if let Some(age) = self.stale_for(now) {
            let text = if wide {
                format!(" · STALE: no word from the hub for {}", ago(age))
            } else {
                format!(" STALE {}", ago(age))
            };
            parts.push((text, Tone::Warn));
        }
        parts
    }
}

/// "3s", "4m", "2h": how long ago, as the status bar and the hub line say it.
pub fn ago(d: Duration) -> String {
    let s = d.as_secs();
    match s {
        0..=59 => format!("{s}s"),
        60..=3599 => format!("{}m", s / 60),
        _ => format!("{}h", s / 3600),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hub(updated_ago: u64, synced_ago: Option<u64>, budget: Option<(u32, u32)>) -> HubView {
        HubView {
            seen: Some(Some(HubSeen {
                name: "sltui-hub-1".into(),
                synced_ago: synced_ago.map(Duration::from_secs),
                updated_ago: Some(Duration::from_secs(updated_ago)),
                budget_remaining: budget.map(|b| b.0),
                budget_limit: budget.map(|b| b.1),
                read_at: Instant::now(),
            })),
            problem: None,
        }
    }

    fn text(v: &HubView, width: u16) -> String {
        v.parts(Instant::now(), width)
            .into_iter()
            .map(|(t, _)| t)
            .collect()
    }

    #[test]
    fn the_hub_reads_as_name_sync_age_and_team_budget() {
        let v = hub(3, Some(12), Some((420, 600)));
        assert_eq!(
            text(&v, 120),
            "hub sltui-hub-1 · synced 12s ago · team 420/600"
        );
        assert_eq!(text(&v, 80), "sltui-hub-1 · synced 12s · 420/600");
        let fresh = hub(3, None, None);
        assert_eq!(
            text(&fresh, 120),
            "hub sltui-hub-1 · not synced yet · team budget not read yet"
        );
        assert_eq!(text(&fresh, 80), "sltui-hub-1 · not synced yet");
    }

    #[test]
    fn a_silent_hub_is_marked_stale_and_ages_on_this_clock() {
        let v = hub(30, Some(30), Some((1, 600)));
        assert_eq!(v.stale_for(Instant::now()), None);
        let later = Instant::now() + Duration::from_secs(45);
        assert_eq!(
            v.stale_for(later).map(|d| d.as_secs()),
            Some(75),
            "30 s old when read, 45 s since"
        );
        let wide: String = v.parts(later, 120).into_iter().map(|(t, _)| t).collect();
        assert!(
            wide.ends_with(" · STALE: no word from the hub for 1m"),
            "{wide}"
        );
        let (last, tone) = v.parts(later, 80).pop().unwrap();
        assert_eq!((last.as_str(), tone), (" STALE 1m", Tone::Warn));
    }

    #[test]
    fn no_hub_no_database_and_not_yet_read_say_so() {
        let none = HubView {
            seen: Some(None),
            problem: None,
        };
        assert_eq!(text(&none, 120), "no hub has run on this database");
        assert_eq!(text(&none, 80), "no hub on this database");
        let down = HubView {
            problem: Some("cannot connect".into()),
            ..hub(1, Some(1), None)
        };
        assert_eq!(text(&down, 120), "⚠ team database unreachable, retrying");
        assert_eq!(text(&HubView::default(), 80), "hub: reading…");
        let long = HubView {
            seen: Some(Some(HubSeen {
                name: "a-very-long-hub-name-on-host-x".into(),
                ..match hub(1, Some(1), Some((5, 600))).seen {
                    Some(Some(h)) => h,
                    _ => unreachable!(),
                }
            })),
            problem: None,
        };
        assert!(
            text(&long, 80).starts_with("a-very-long-h… ·"),
            "{}",
            text(&long, 80)
        );
    }
}
