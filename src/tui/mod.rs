//! The terminal dashboard: terminal lifecycle, the event loop, state and `update`,
//! views, widgets and popups. See ARCHITECTURE.md: one task owns the state, the
//! worker does all network work, the screen redraws on change.

pub mod alerts;
pub mod app;
pub mod auth;
pub mod auth_text;
pub mod cadence_list;
pub mod choices;
pub mod cost;
pub mod enroll;
pub mod export;
pub mod fetch;
pub mod funnel;
pub mod hits;
pub mod hub;
pub mod msg;
pub mod pages;
pub mod palette;
pub mod parts;
pub mod popups;
pub mod saved_held;
pub mod saved_views;
pub mod setup;
pub mod state;
pub mod store_status;
pub mod stored;
pub mod style;
pub mod task;
pub mod terminal;
pub mod text;
pub mod text_input;
pub mod trends;
pub mod update;
pub mod views;
pub mod widgets;
pub mod yank;

use crate::api::Budget;
use crate::config::Theme;
use crate::config::keymap::Keymap;
use crate::metrics::TimeRange;
use crate::worker::WorkerHandle;

/// What the dashboard needs from the command line and the configuration.
pub struct DashboardContext {
    pub worker: WorkerHandle,
    pub budget: Budget,
    /// "DEMO" or the profile name.
    pub profile_label: String,
    pub demo: bool,
    pub read_only: bool,
    pub keymap: Keymap,
    pub theme: Theme,
    pub time_range: TimeRange,
    pub refresh_secs: u64,
    /// Fraction of the budget kept for the user's own actions (0.2 = 20 %).
    pub reserve: f64,
    /// Loads estimated above this many points ask first (`None`: never).
    pub confirm_above: Option<u32>,
    /// A local store exists for "Use stored data".
    pub has_store: bool,
    /// The webhook receiver runs alongside the dashboard (`[webhooks] listen`).
    pub webhooks: bool,
    /// What the local store held at start (drawn before any network answer).
    pub stored: crate::store::start::StoreLoad,
    /// The worker is the hub reader (`--db`): the status bar shows the team hub
    /// in place of the budget gauge.
    pub hub: bool,
    /// Where the key came from ("--api-key", "env SALESLOFT_API_KEY", "profile
    /// sales (api_key_cmd)", "OAuth of profile sales"), named when it is refused.
    pub key_source: Option<String>,
    /// The config's `[[alerts]]` rules.
    pub alerts: Vec<crate::config::AlertRule>,
    /// Capture the mouse (clicks, wheel): `[ui] mouse`, off with `--no-mouse`.
    pub mouse: bool,
    /// The config's `[[views]]` (the bad entries said in `views.errors`).
    pub views: crate::config::views::SavedViews,
    /// The config file a saved view is written into.
    pub config_path: Option<std::path::PathBuf>,
}

/// Runs the dashboard until the user quits. The terminal is always restored: on
/// return, on error, on panic (the hook is installed before the terminal is touched)
/// and on SIGINT/SIGTERM/SIGHUP.
pub async fn run(ctx: DashboardContext) -> anyhow::Result<()> {
    terminal::install_panic_hook();
    let mut tui = terminal::Tui::enter(ctx.mouse)?;
    let result = app::run(&mut tui, ctx).await;
    drop(tui);
    result
}
