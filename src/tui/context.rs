//! What the dashboard is started with: the worker's handle and what the command
//! line and the configuration decided ([`DashboardContext`]).

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
