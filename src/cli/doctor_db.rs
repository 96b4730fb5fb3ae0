//! `sltui doctor --db URL`: checks a team database the way `doctor` checks
//! SalesLoft: it answers, its schema suits this build, a hub leads and has
//! synced lately, the job queue moves, and what it holds. Reads only; sends
//! SalesLoft nothing. Exit 0 when nothing failed (warnings allowed), else 1.

use std::fmt::Write as _;
use std::time::Instant;

use chrono::{DateTime, TimeDelta, Utc};

use super::hub_db::DbTarget;
use crate::store::PgStore;
use crate::store::pg::{DbHealth, PG_SCHEMA_VERSION};

/// A hub's status older than this is stale (it writes every 5 s while leading).
const STALE_AFTER: TimeDelta = TimeDelta::seconds(60);
/// A queued job older than this while a hub leads is stuck.
const STUCK_AFTER: TimeDelta = TimeDelta::minutes(2);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mark {
    Ok,
    Warn,
    Fail,
}

/// One line of the report.
#[derive(Debug, Clone, PartialEq)]
struct Line {
    mark: Mark,
    name: &'static str,
    detail: String,
}

fn line(mark: Mark, name: &'static str, detail: impl Into<String>) -> Line {
    Line {
        mark,
        name,
        detail: detail.into(),
    }
}

pub async fn run(target: DbTarget) -> anyhow::Result<i32> {
    let shown = target.shown();
    let url = target.url.clone();
    let started = Instant::now();
    let read = tokio::task::spawn_blocking(move || {
        let store = PgStore::connect_existing(&url)?;
        store.health()
    })
    .await?;
    let ms = started.elapsed().as_secs_f64() * 1000.0;
    let lines = match read {
        Ok(h) => judge(&h, ms),
        Err(e) => vec![line(Mark::Fail, "connection", e.to_string())],
    };
    print!("{}", render(&shown, &lines));
    // Nothing goes to SalesLoft: say so, as every command on the database does.
    super::spent::say(&crate::api::Budget::new(600));
    Ok(if lines.iter().any(|l| l.mark == Mark::Fail) {
        1
    } else {
        0
    })
}

fn age(now: DateTime<Utc>, at: DateTime<Utc>) -> String {
    let s = (now - at).num_seconds().max(0);
    match s {
        0..60 => format!("{s}s"),
        60..3600 => format!("{}m", s / 60),
        3600..86_400 => format!("{}h", s / 3600),
        _ => format!("{}d", s / 86_400),
    }
}

/// The report's lines from what the database said.
fn judge(h: &DbHealth, ms: f64) -> Vec<Line> {
    let mut out = vec![line(
        Mark::Ok,
        "connection",
        format!("answered in {ms:.0} ms"),
    )];
    out.push(match h.schema_version {
        v if v == PG_SCHEMA_VERSION => line(Mark::Ok, "schema", format!("version {v}")),
        v if v > PG_SCHEMA_VERSION => line(
            Mark::Fail,
            "schema",
            format!(
                "version {v} is newer than this sltui knows ({PG_SCHEMA_VERSION}): update sltui"
            ),
        ),
        v => line(
            Mark::Warn,
            "schema",
            format!("version {v}; this sltui brings it to {PG_SCHEMA_VERSION} when a hub starts"),
        ),
    });
    let hub = h.hub.as_ref();
    let name = hub.map_or("?", |s| s.hub_name.as_str());
    out.push(if h.led {
        line(Mark::Ok, "leader", format!("hub {name} leads"))
    } else {
        line(
            Mark::Fail,
            "leader",
            "no hub leads now: nothing syncs and enrollments wait; start `sltui hub --db …`",
        )
    });
    out.push(match hub.and_then(|s| s.last_sync_at) {
        Some(at) if h.now - at > STALE_AFTER * 10 => line(
            Mark::Warn,
            "last sync",
            format!(
                "{} ago (the hub syncs every poll; is it stuck?)",
                age(h.now, at)
            ),
        ),
        Some(at) => line(Mark::Ok, "last sync", format!("{} ago", age(h.now, at))),
        None => line(
            Mark::Warn,
            "last sync",
            "never: no hub has finished a sync here",
        ),
    });
    out.push(match hub.and_then(|s| s.updated_at) {
        Some(at) if h.now - at > STALE_AFTER => line(
            Mark::Warn,
            "hub status",
            format!("no word from the hub for {}", age(h.now, at)),
        ),
        Some(at) => {
            let budget = match hub.and_then(|s| s.budget_remaining.zip(s.budget_limit)) {
                Some((left, limit)) => format!(", team budget {left}/{limit}"),
                None => String::new(),
            };
            line(
                Mark::Ok,
                "hub status",
                format!("written {} ago{budget}", age(h.now, at)),
            )
        }
        None => line(Mark::Warn, "hub status", "no hub has run on this database"),
    });
    let stuck = h.oldest_queued.filter(|at| h.now - *at > STUCK_AFTER);
    out.push(match (h.jobs_queued, stuck) {
        (0, _) => line(
            Mark::Ok,
            "jobs",
            format!("none queued, {} running", h.jobs_running),
        ),
        (n, Some(at)) => line(
            Mark::Warn,
            "jobs",
            format!(
                "{n} queued, the oldest for {}{}",
                age(h.now, at),
                if h.led { "" } else { " (no hub leads)" }
            ),
        ),
        (n, None) => line(
            Mark::Ok,
            "jobs",
            format!("{n} queued, {} running", h.jobs_running),
        ),
    });
    let held: Vec<String> = h
        .rows
        .iter()
        .map(|(t, n)| format!("{n} {}", t.replace('_', " ")))
        .collect();
    let empty = h.rows.iter().all(|(_, n)| *n == 0);
    out.push(line(
        if empty { Mark::Warn } else { Mark::Ok },
        "records",
        format!("{}; change {}", held.join(", "), h.change_seq),
    ));
    out
}

fn render(shown: &str, lines: &[Line]) -> String {
    let mut out = format!("sltui doctor: {shown}\n");
    for l in lines {
        let mark = match l.mark {
            Mark::Ok => "ok  ",
            Mark::Warn => "WARN",
            Mark::Fail => "FAIL",
        };
        let _ = writeln!(out, "  [{mark}] {:<11} {}", l.name, l.detail);
    }
    let failed: Vec<&str> = lines
        .iter()
        .filter(|l| l.mark == Mark::Fail)
        .map(|l| l.name)
        .collect();
    if failed.is_empty() {
        out.push_str("All checks passed.\n");
    } else {
        let _ = writeln!(out, "Failed: {}.", failed.join(", "));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::pg::HubStatus;

    fn health(led: bool, sync_ago: Option<i64>, queued: i64, oldest_ago: i64) -> DbHealth {
        let now = Utc::now();
        DbHealth {
            schema_version: PG_SCHEMA_VERSION,
            led,
            hub: sync_ago.map(|s| HubStatus {
                hub_name: "hub-1".into(),
                leader_since: Some(now - TimeDelta::hours(1)),
                last_sync_at: Some(now - TimeDelta::seconds(s)),
                budget_remaining: Some(420),
                budget_limit: Some(600),
                updated_at: Some(now - TimeDelta::seconds(3)),
            }),
            now,
            jobs_queued: queued,
            jobs_running: 0,
            oldest_queued: (queued > 0).then(|| now - TimeDelta::seconds(oldest_ago)),
            rows: vec![("people", 10), ("email_facts", 99)],
            change_seq: 77,
        }
    }

    fn marks(lines: &[Line]) -> Vec<(&'static str, Mark)> {
        lines.iter().map(|l| (l.name, l.mark)).collect()
    }

    #[test]
    fn a_led_synced_database_passes() {
        let lines = judge(&health(true, Some(12), 0, 0), 4.0);
        assert!(lines.iter().all(|l| l.mark == Mark::Ok), "{lines:?}");
        let text = render("postgres://me:***@db/sltui", &lines);
        assert!(
            text.contains("[ok  ] leader      hub hub-1 leads"),
            "{text}"
        );
        assert!(text.contains("last sync   12s ago"), "{text}");
        assert!(text.contains("team budget 420/600"), "{text}");
        assert!(
            text.contains("10 people, 99 email facts; change 77"),
            "{text}"
        );
        assert!(text.ends_with("All checks passed.\n"));
    }

    #[test]
    fn no_leader_fails_and_stuck_jobs_and_old_syncs_warn() {
        let lines = judge(&health(false, Some(3_600), 2, 600), 4.0);
        let m = marks(&lines);
        assert!(m.contains(&("leader", Mark::Fail)), "{m:?}");
        assert!(m.contains(&("last sync", Mark::Warn)), "{m:?}");
        assert!(m.contains(&("jobs", Mark::Warn)), "{m:?}");
        let text = render("db", &lines);
        assert!(
            text.contains("2 queued, the oldest for 10m (no hub leads)"),
            "{text}"
        );
        assert!(text.ends_with("Failed: leader.\n"), "{text}");
        let mut newer = health(true, Some(1), 0, 0);
        newer.schema_version = PG_SCHEMA_VERSION + 1;
        assert!(
            judge(&newer, 1.0)
                .iter()
                .any(|l| l.name == "schema" && l.mark == Mark::Fail)
        );
    }
}
