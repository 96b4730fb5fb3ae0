//! What to tell a reader of the team database whose hub has not finished its
//! first sync of the records a read needs: which ones, how far each got, and
//! whether a hub is at work on them (else what to start).

use chrono::{DateTime, TimeDelta, Utc};

use crate::store::pg::HubStatus;
use crate::store::{PgStore, StoreResult};

/// A hub's status row older than this: no hub is at work (it writes every 5 s
/// while it leads).
const SILENT_AFTER: TimeDelta = TimeDelta::seconds(60);

/// How far the first sync of one resource got.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pending {
    /// The resource in words ("email templates").
    pub what: String,
    /// Rows stored so far.
    pub stored: u64,
    /// The records the running sync expects (from the server's count), if known.
    pub expected: Option<u64>,
    /// A sync of it has started.
    pub started: bool,
}

/// The resources of `resources` (sync checkpoint names) whose first full sync
/// has not finished, with how far each got; empty when every one has.
pub fn pending(store: &PgStore, resources: &[&str]) -> StoreResult<Vec<Pending>> {
    let mut out = Vec::new();
    for r in resources {
        let state = store.resource_state(r)?;
        if state.full_done_at.is_some() {
            continue;
        }
        let table = crate::store::table_of(r).unwrap_or(r);
        out.push(Pending {
            what: r.replace('_', " "),
            stored: store.count(table)?,
            expected: state.expected,
            started: state.high_water.is_some(),
        });
    }
    Ok(out)
}

/// "emails (2,400 of 16,621 so far) and calls (not started)".
fn progress(pending: &[Pending]) -> String {
    let each: Vec<String> = pending
        .iter()
        .map(|p| {
            let far = match (p.started, p.expected) {
                (false, _) if p.stored == 0 => "not started".to_string(),
                (_, Some(of)) if of >= p.stored => {
                    format!("{} of {} so far", thousands(p.stored), thousands(of))
                }
                _ => format!("{} so far", thousands(p.stored)),
            };
            format!("{} ({far})", p.what)
        })
        .collect();
    match each.as_slice() {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Whether a hub is at work, and what to do: wait, or start one.
fn hub_words(hub: Option<&HubStatus>, now: DateTime<Utc>) -> String {
    match hub.and_then(|h| h.updated_at.map(|at| (h, at))) {
        Some((h, at)) if now - at <= SILENT_AFTER => format!(
            "hub {} is syncing them: try again in a few minutes",
            h.hub_name
        ),
        Some((h, at)) => format!(
            "no word from hub {} for {} min: is it running? (`sltui doctor --db …` checks)",
            h.hub_name,
            (now - at).num_minutes().max(1)
        ),
        None => "no hub has run on this database: start `sltui hub --db …`".to_string(),
    }
}

/// Why a read of `resources` cannot be answered yet, in one line; `None` when
/// the hub's first sync of each has finished.
pub fn not_synced_yet(store: &PgStore, resources: &[&str]) -> StoreResult<Option<String>> {
    let pending = pending(store, resources)?;
    if pending.is_empty() {
        return Ok(None);
    }
    let (hub, now) = store.hub_status_at()?;
    Ok(Some(format!(
        "the hub has not finished its first sync of {}; {}",
        progress(&pending),
        hub_words(hub.as_ref(), now)
    )))
}

/// The note for counts read while the hub's first sync of the emails runs:
/// they are partial, and why.
pub fn partial_counts(store: &PgStore) -> StoreResult<Option<String>> {
    Ok(not_synced_yet(store, &["emails"])?.map(|why| format!("these counts are partial: {why}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(what: &str, stored: u64, expected: Option<u64>, started: bool) -> Pending {
        Pending {
            what: what.into(),
            stored,
            expected,
            started,
        }
    }

    #[test]
    fn progress_names_each_resource_and_how_far_it_got() {
        assert_eq!(
            progress(&[
                p("emails", 2_400, Some(16_621), true),
                p("calls", 0, None, false),
                p("email templates", 12, None, true),
            ]),
            "emails (2,400 of 16,621 so far), calls (not started) and email templates (12 so far)"
        );
        assert_eq!(
            progress(&[p("steps", 0, Some(10), true)]),
            "steps (0 of 10 so far)"
        );
        assert_eq!(thousands(1_234_567), "1,234,567");
        assert_eq!(thousands(999), "999");
    }

    #[test]
    fn the_hub_is_named_when_it_works_and_its_absence_says_what_to_do() {
        let now = Utc::now();
        let hub = |ago: i64| HubStatus {
            hub_name: "hub-1".into(),
            leader_since: None,
            last_sync_at: None,
            budget_remaining: None,
            budget_limit: None,
            updated_at: Some(now - TimeDelta::seconds(ago)),
        };
        assert!(hub_words(Some(&hub(3)), now).starts_with("hub hub-1 is syncing them"));
        assert!(hub_words(Some(&hub(600)), now).contains("no word from hub hub-1 for 10 min"));
        assert!(hub_words(None, now).contains("start `sltui hub --db …`"));
    }
}
