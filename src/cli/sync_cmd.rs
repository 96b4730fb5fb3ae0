//! `sltui sync`: reads the team's records into the profile's local store with the
//! sync engine ([`crate::sync`]), headless, and reports per resource and in total
//! what it read, how many requests and points it took, and how long.
//!
//! Progress goes to stderr when it is a terminal. Ctrl-C stops cleanly: requests in
//! flight are saved with their checkpoints and the next run continues from there; a
//! second Ctrl-C quits at once (the store stays consistent either way).

use std::io::IsTerminal;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::Context;
use clap::Args;

use super::opts::GlobalOpts;
use super::{logging, target};
use crate::api::ApiClient;
use crate::store::Store;
use crate::sync::{CancelToken, Engine, Progress, Resource, SyncOptions, SyncReport};
use crate::worker::Priority;

/// Exit code after Ctrl-C (128 + SIGINT), as shells expect.
const INTERRUPTED: i32 = 130;

#[derive(Debug, Clone, Args)]
pub struct SyncArgs {
    #[command(flatten)]
    pub target: super::opts::TargetOpts,
    /// Read everything again (a new full sync) instead of only what changed.
    #[arg(long)]
    pub full: bool,
    /// Print the report as JSON on stdout.
    #[arg(long)]
    pub json: bool,
    /// Only this resource (repeatable): users, cadences, steps, people,
    /// cadence_memberships, emails.
    #[arg(long = "only", value_name = "RESOURCE", value_parser = parse_resource)]
    pub only: Vec<Resource>,
    /// Requests in flight at once.
    #[arg(long, default_value_t = 8, value_parser = clap::value_parser!(u16).range(1..=32))]
    pub connections: u16,
    /// The store file (default: `stores/<profile>.sqlite` in the data directory).
    #[arg(long, value_name = "PATH")]
    pub store: Option<PathBuf>,
}

fn parse_resource(s: &str) -> Result<Resource, String> {
    Resource::parse(s).ok_or_else(|| {
        let names: Vec<&str> = Resource::ALL.iter().map(|r| r.name()).collect();
        format!("unknown resource {s:?}; use one of {}", names.join(", "))
    })
}

pub async fn run(global: &GlobalOpts, args: SyncArgs) -> anyhow::Result<i32> {
    let target = target::resolve(global, true)?;
    for w in &target.warnings {
        eprintln!("sltui: warning: {w}");
    }
    let _ = logging::init_file_logging(&target.paths.log_dir);
    target.log_start("sync");

    let (sim, base_url, server, client, profile) = if target.demo {
        super::demo::say("sync");
        let demo = super::demo::Demo::start(false).await?;
        let url = demo.base_url();
        (
            Some(demo.sim),
            url,
            "demo".to_string(),
            demo.client,
            "demo".to_string(),
        )
    } else {
        if !target.has_credentials() {
            anyhow::bail!(
                "no API key for {}: set SALESLOFT_API_KEY, pass --api-key, or set api_key_env / \
                 api_key_cmd in profile {:?} of {} (or run `sltui sync --demo`)",
                target.base_url,
                target.profile.name,
                target.paths.config_file.display()
            );
        }
        let client = ApiClient::new(target.api_config(&target.base_url))
            .with_context(|| format!("cannot use {}", target.base_url))?;
        let url = client.base_url().to_string();
        // Named by the target (a --base-url server on the demo profile is not "demo").
        (None, url.clone(), url, client, target.label())
    };
    let path = args
        .store
        .clone()
        .unwrap_or_else(|| target.paths.profile_store_file(&profile));
    let code = sync_into(
        &args,
        &path,
        &server,
        &base_url,
        client,
        target.profile.budget_reserve,
    )
    .await;
    if let Some(sim) = sim {
        sim.shutdown().await;
    }
    code
}

async fn sync_into(
    args: &SyncArgs,
    path: &std::path::Path,
    server: &str,
    base_url: &str,
    client: ApiClient,
    reserve: f64,
) -> anyhow::Result<i32> {
    let store = match Store::open(path) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("sltui: {e}");
            return Ok(1);
        }
    };
    match store.meta("server")? {
        Some(other) if other != server && !args.full => {
            eprintln!(
                "sltui: the store {} holds data from {other}, not {base_url}; run `sltui sync --full` \
                 to replace it, or pass --store PATH to keep both",
                path.display()
            );
            return Ok(2);
        }
        _ => store.set_meta("server", server)?,
    }
    let store = Arc::new(Mutex::new(store));
    let opts = SyncOptions {
        resources: if args.only.is_empty() {
            Resource::ALL.to_vec()
        } else {
            args.only.clone()
        },
        full: args.full,
        concurrency: usize::from(args.connections),
        priority: Priority::Visible,
        reserve,
        ..SyncOptions::default()
    };
    let cancel = CancelToken::new();
    let watcher = {
        let cancel = cancel.clone();
        tokio::spawn(async move {
            if tokio::signal::ctrl_c().await.is_ok() {
                eprintln!("\nsltui: stopping; saving what was read (Ctrl-C again quits at once)");
                cancel.cancel();
                if tokio::signal::ctrl_c().await.is_ok() {
                    std::process::exit(INTERRUPTED);
                }
            }
        })
    };
    let budget = client.budget().clone();
    let mut engine = Engine::new(client, store.clone(), opts).with_cancel(cancel);
    let interactive = std::io::stderr().is_terminal() && !args.json;
    if interactive {
        engine = engine.on_progress(progress_printer());
    }
    let report = engine.run().await;
    watcher.abort();
    if interactive {
        eprint!("\r\x1b[2K");
    }
    let as_of = store
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .last_synced_at()?;
    if args.json {
        let mut v = serde_json::to_value(&report)?;
        v["store"] = serde_json::json!(path.display().to_string());
        v["data_as_of"] = serde_json::json!(as_of.map(|t| t.to_rfc3339()));
        v["spent"] = serde_json::to_value(super::spent::Spent::of(&budget))?;
        println!("{}", serde_json::to_string_pretty(&v)?);
    } else {
        print!("{}", table(&report));
        println!(
            "store {}{}",
            path.display(),
            as_of.map_or(String::new(), |t| format!(
                " · data as of {}",
                t.format("%Y-%m-%d %H:%M:%S UTC")
            ))
        );
    }
    for line in notes_and_errors(&report) {
        eprintln!("{line}");
    }
    super::spent::say(&budget);
    Ok(if report.interrupted {
        INTERRUPTED
    } else if report.ok() {
        0
    } else {
        1
    })
}

/// What stderr says after the table: each note once, and each distinct error
/// once, naming every resource it stopped (a wrong key stops them all alike).
pub fn notes_and_errors(report: &SyncReport) -> Vec<String> {
    let mut out: Vec<String> = report
        .resources
        .iter()
        .filter_map(|r| {
            r.note
                .as_ref()
                .map(|n| format!("sltui: {}: {n}", r.resource))
        })
        .collect();
    let mut errors: Vec<(&str, Vec<&str>)> = Vec::new();
    for r in &report.resources {
        let Some(e) = r.error.as_deref() else {
            continue;
        };
        match errors.iter_mut().find(|(text, _)| *text == e) {
            Some((_, names)) => names.push(&r.resource),
            None => errors.push((e, vec![&r.resource])),
        }
    }
    for (e, names) in errors {
        let which = if names.len() == report.resources.len() && names.len() > 1 {
            "every resource".to_string()
        } else {
            names.join(", ")
        };
        out.push(format!("sltui: sync of {which}: {e}"));
    }
    out
}

/// One line on stderr, redrawn at most ten times a second.
fn progress_printer() -> crate::sync::ProgressFn {
    struct Line {
        started: Instant,
        last: Option<Instant>,
        per: Vec<(Resource, u64, Option<u64>)>,
    }
    let line = Mutex::new(Line {
        started: Instant::now(),
        last: None,
        per: Vec::new(),
    });
    Arc::new(move |p: &Progress| {
        let mut l = line.lock().unwrap_or_else(|e| e.into_inner());
        match l.per.iter_mut().find(|(r, _, _)| *r == p.resource) {
            Some(entry) => *entry = (p.resource, p.records, p.expected),
            None => l.per.push((p.resource, p.records, p.expected)),
        }
        let now = Instant::now();
        if l.last
            .is_some_and(|t| now.duration_since(t) < Duration::from_millis(100))
        {
            return;
        }
        l.last = Some(now);
        let parts: Vec<String> = l
            .per
            .iter()
            .map(|(r, n, of)| match of {
                Some(of) if *of > 0 => format!("{r} {n}/{of}"),
                _ => format!("{r} {n}"),
            })
            .collect();
        let waiting = p
            .waiting
            .as_ref()
            .map_or(String::new(), |w| format!(" · waiting: {w}"));
        let text = format!(
            "sync: {} · {} points · {:.1} s{waiting}",
            parts.join(" · "),
            p.points,
            l.started.elapsed().as_secs_f64()
        );
        let width = 160;
        let text: String = text.chars().take(width).collect();
        eprint!("\r\x1b[2K{text}");
    })
}

/// The report as aligned columns.
pub fn table(r: &SyncReport) -> String {
    use std::fmt::Write as _;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{:<20} {:<11} {:>9} {:>8} {:>7} {:>8}  status",
        "resource", "mode", "records", "requests", "points", "seconds"
    );
    for x in &r.resources {
        let status = match &x.error {
            None if x.removed > 0 => format!("ok, {} removed upstream", x.removed),
            None => "ok".to_string(),
            Some(_) if r.interrupted => "interrupted".to_string(),
            Some(_) => "failed".to_string(),
        };
        let _ = writeln!(
            out,
            "{:<20} {:<11} {:>9} {:>8} {:>7} {:>8.2}  {status}",
            x.resource, x.mode, x.records, x.requests, x.points, x.seconds
        );
    }
    let _ = writeln!(
        out,
        "{:<20} {:<11} {:>9} {:>8} {:>7} {:>8.2}  {}",
        "total",
        "",
        r.records,
        r.requests,
        r.points,
        r.seconds,
        if r.interrupted {
            "interrupted; run again to continue".to_string()
        } else if r.throttled > 0 {
            format!("{} throttled (429) and retried", r.throttled)
        } else {
            String::new()
        }
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sync::ResourceReport;

    fn failed(name: &str, error: &str) -> ResourceReport {
        ResourceReport {
            resource: name.into(),
            error: Some(error.into()),
            ..ResourceReport::default()
        }
    }

    #[test]
    fn one_error_is_said_once_and_notes_once_each() {
        let refused = "network error (could not connect): Connection refused";
        let mut report = SyncReport {
            resources: vec![failed("users", refused), failed("people", refused)],
            ..SyncReport::default()
        };
        assert_eq!(
            notes_and_errors(&report),
            vec![format!("sltui: sync of every resource: {refused}")]
        );
        report.resources.push(ResourceReport {
            resource: "steps".into(),
            note: Some("read in full".into()),
            ..ResourceReport::default()
        });
        report.resources.push(failed("emails", "401 Unauthorized"));
        assert_eq!(
            notes_and_errors(&report),
            vec![
                "sltui: steps: read in full".to_string(),
                format!("sltui: sync of users, people: {refused}"),
                "sltui: sync of emails: 401 Unauthorized".to_string(),
            ]
        );
    }
}
