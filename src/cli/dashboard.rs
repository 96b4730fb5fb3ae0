//! `sltui` with no subcommand: the terminal dashboard, against the embedded
//! simulator (demo) or a real SalesLoft team.

use super::dashboard_hooks;
use super::opts::GlobalOpts;
use super::{logging, target};
use crate::api::{ApiClient, ApiConfig};
use crate::config::{Theme, no_color_requested};
use crate::metrics::TimeRange;
use crate::sim::SimHandle;
use crate::store::start::{self as stored, StoreLoad};
use crate::tui::{self, DashboardContext};
use crate::worker::WorkerOptions;
use crate::worker::store_sync::StoreSync;

pub async fn run(global: &GlobalOpts) -> anyhow::Result<i32> {
    // On the team database (`--db` or the profile's db_url): no SalesLoft at all.
    if let Some(db) = super::hub_db::resolve(global, global.db.as_deref())? {
        return super::dashboard_hub::run(db, !global.no_mouse).await;
    }
    let target = target::resolve(global, true)?;
    for w in &target.warnings {
        eprintln!("sltui: warning: {w}");
    }
    let log_file = logging::init_file_logging(&target.paths.log_dir);
    target.log_start("dashboard");

    let keymap = target.config.keymap()?;
    let theme = Theme::resolve(target.profile.theme, no_color_requested());
    let profile = &target.profile;

    let mut hooks = dashboard_hooks::dashboard_hooks(&target).await?;
    let (sim, base_url, api_key) = if target.demo {
        let webhook = hooks.as_ref().and_then(|h| h.sim_target.clone());
        let demo = super::demo::Demo::start_with(true, webhook).await?;
        let url = demo.base_url();
        (Some(demo.sim), url, Some(demo.key))
    } else {
        if !target.has_credentials() {
            anyhow::bail!(
                "no API key for {}: set SALESLOFT_API_KEY, pass --api-key, or set api_key_env / api_key_cmd (or an [profiles.NAME.oauth] table) in profile {:?} of {} (or run `sltui --demo`)",
                target.base_url,
                profile.name,
                target.paths.config_file.display()
            );
        }
        (None, target.base_url.clone(), target.api_key.clone())
    };

    let mut api = ApiConfig::new(&base_url, api_key);
    if !target.demo {
        api.oauth = target.oauth.clone();
    }
    let client = ApiClient::new(api)?;
    // The local store: its data draws the first frame; a background sync keeps it
    // fresh. Not in the demo (its simulator is a new team every run).
    let time_range = match profile.time_range_days {
        0 => TimeRange::All,
        n => TimeRange::Days(n),
    };
    let (stored, store_sync) = if target.demo {
        (StoreLoad::Absent, None)
    } else {
        // Named by the target: a server given by --base-url/--api-key to the
        // built-in demo profile gets its own store, never demo.sqlite.
        let path = target.paths.profile_store_file(&target.label());
        let server = client.base_url().to_string();
        let stored = {
            let (path, server) = (path.clone(), server.clone());
            tokio::task::spawn_blocking(move || {
                stored::load(&path, &server, time_range, chrono::Utc::now())
            })
            .await
            .unwrap_or_else(|e| StoreLoad::Failed(format!("reading the local store failed: {e}")))
        };
        // A store that cannot be used is left alone, never written. The people
        // and email facts of a loaded one are read after the first frame.
        let store_sync = (!matches!(stored, StoreLoad::Failed(_))).then_some(StoreSync {
            path,
            server,
            share: profile.background_share,
            rest: matches!(stored, StoreLoad::Loaded(_)),
        });
        (stored, store_sync)
    };
    // "Use stored data" reads a store that loaded (a failed one is left alone).
    let has_store = matches!(stored, StoreLoad::Loaded(_));
    let store_path = has_store.then(|| target.paths.profile_store_file(&target.label()));
    let worker = dashboard_hooks::spawn_worker(
        hooks.as_mut().and_then(|h| h.events.take()),
        client.clone(),
        WorkerOptions {
            poll_secs: if target.demo {
                profile.refresh_secs.min(3)
            } else {
                profile.refresh_secs
            },
            reserve: profile.budget_reserve,
            bulk_share: profile.background_share,
            read_only: target.read_only,
            // The demo's simulator is not a real team: nothing to audit.
            audit_log: (!target.demo).then(|| target.paths.audit_log()),
            profile: target.label(),
            store_path,
            store_sync,
            ..WorkerOptions::default()
        },
    );
    let mut worker = worker;
    // The worker's background sync of the store, stopped (checkpoints saved) on quit.
    let background = worker.store_sync.take();
    let ctx = DashboardContext {
        worker,
        budget: client.budget().clone(),
        profile_label: if target.demo {
            "DEMO".to_string()
        } else {
            // The built-in "demo" profile pointed at a server by --base-url/--api-key
            // is named after the server, never "demo".
            target.label()
        },
        demo: target.demo,
        read_only: target.read_only,
        keymap,
        theme,
        time_range,
        refresh_secs: profile.refresh_secs,
        reserve: profile.budget_reserve,
        confirm_above: Some(profile.confirm_above_points),
        has_store,
        webhooks: hooks.is_some(),
        stored,
        hub: false,
        key_source: target.key_source.clone(),
        alerts: target.config.alerts.clone(),
        mouse: target.config.ui.mouse && !global.no_mouse,
        views: target.config.views.clone(),
        config_path: Some(target.paths.config_file.clone()),
    };
    let result = tui::run(ctx).await;
    if let Some(b) = background {
        b.stop(std::time::Duration::from_secs(3)).await;
    }
    stop(sim).await;
    if let Some(h) = hooks {
        h.receiver.shutdown().await;
    }
    if let Err(e) = result {
        if let Some(log) = log_file {
            return Err(e.context(format!("see the log at {}", log.display())));
        }
        return Err(e);
    }
    Ok(0)
}

async fn stop(sim: Option<SimHandle>) {
    if let Some(sim) = sim {
        sim.shutdown().await;
    }
}
