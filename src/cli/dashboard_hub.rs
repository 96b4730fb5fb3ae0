//! `sltui --db postgres://…`: the dashboard on the team hub's database. The
//! hub reader answers everything from PostgreSQL; nothing goes to SalesLoft, no
//! API key is needed, and there is no demo fallback: a database that cannot be
//! read stops the start with one line saying what to do.

use std::time::{Duration, Instant};

use anyhow::Context;

use super::hub_db::DbTarget;
use super::logging;
use crate::api::Budget;
use crate::config::{Theme, no_color_requested};
use crate::metrics::TimeRange;
use crate::store::start::StoreLoad;
use crate::tui::{self, DashboardContext};
use crate::worker::hub_reader::{HubReader, HubReaderOptions, requester};

/// `mouse`: not turned off by `--no-mouse` (the config may still turn it off).
pub async fn run(target: DbTarget, mouse: bool) -> anyhow::Result<i32> {
    for w in &target.warnings {
        eprintln!("sltui: warning: {w}");
    }
    let log_file = logging::init_file_logging(&target.paths.log_dir);
    let shown = target.shown();
    tracing::info!(db = %shown, profile = %target.profile.name, "starting the dashboard on the team database");
    let keymap = target.config.keymap()?;
    let profile = &target.profile;
    let theme = Theme::resolve(profile.theme, no_color_requested());
    let time_range = match profile.time_range_days {
        0 => TimeRange::All,
        n => TimeRange::Days(n),
    };
    // The first frame's data, read before the terminal is taken.
    let started = Instant::now();
    let url = target.url.clone();
    let (reader, first) = tokio::task::spawn_blocking(move || {
        let reader = HubReader::open(&url)?;
        let first = reader.first_frame(time_range, chrono::Utc::now());
        Ok::<_, String>((reader, first))
    })
    .await
    .context("connecting to the team database stopped")?
    .map_err(anyhow::Error::msg)?;
    if let StoreLoad::Failed(why) = &first {
        anyhow::bail!("{why}");
    }
    tracing::info!(
        ms = started.elapsed().as_millis() as u64,
        db = %shown,
        "the first frame's data was read from the team database"
    );
    let worker = reader.spawn(HubReaderOptions {
        read_only: target.read_only,
        requested_by: requester(&target.label()),
        rest: true,
        safety_net: Duration::from_secs(profile.refresh_secs.clamp(1, 5)),
        ..HubReaderOptions::default()
    });
    let ctx = DashboardContext {
        worker,
        // The dashboard spends nothing; the status bar shows the hub's figure.
        budget: Budget::new(600),
        profile_label: if profile.name == crate::config::DEMO_PROFILE {
            "team".to_string()
        } else {
            profile.name.clone()
        },
        demo: false,
        read_only: target.read_only,
        keymap,
        theme,
        time_range,
        refresh_secs: profile.refresh_secs,
        reserve: profile.budget_reserve,
        // Every read is free: nothing to ask about.
        confirm_above: None,
        has_store: false,
        webhooks: false,
        stored: first,
        hub: true,
        key_source: None,
        alerts: target.config.alerts.clone(),
        mouse: target.config.ui.mouse && mouse,
        views: target.config.views.clone(),
        config_path: Some(target.paths.config_file.clone()),
    };
    let result = tui::run(ctx).await;
    if let Err(e) = result {
        if let Some(log) = log_file {
            return Err(e.context(format!("see the log at {}", log.display())));
        }
        return Err(e);
    }
    Ok(0)
}
