//! What a dashboard's state starts from, in one value: the loop builds it from
//! the dashboard's context, tests and benches build it by hand
//! (`StateSetup { key_source: Some(..), ..StateSetup::new(session, clock) }`),
//! and [`StateSetup::build`] makes the state. After that only `update` changes
//! the state (tests send it messages as the loop does).

use std::path::PathBuf;

use crate::config::AlertRule;
use crate::config::keymap::Keymap;
use crate::config::views::{SavedView, SkippedView};
use crate::metrics::TimeRange;

use super::hub::HubView;
use super::state::{AppState, Clock, Level, Session};
use super::style::Styles;

#[derive(Debug, Clone)]
pub struct StateSetup {
    pub session: Session,
    pub keymap: Keymap,
    pub styles: Styles,
    /// The engagement range the dashboard starts on.
    pub range: TimeRange,
    pub clock: Clock,
    /// The webhook receiver runs alongside the dashboard.
    pub webhooks: bool,
    /// Where the API key came from, in words ("env SALESLOFT_API_KEY").
    pub key_source: Option<String>,
    /// The config's `[[alerts]]` rules.
    pub alerts: Vec<AlertRule>,
    /// The config's `[[views]]`, and where new ones are saved.
    pub views: Vec<SavedView>,
    /// The config's bad `[[views]]` entries (the palette lists them, with why).
    pub skipped_views: Vec<SkippedView>,
    pub config_path: Option<PathBuf>,
    /// Said at the start (one warning naming the bad `[[views]]` entries).
    pub warnings: Vec<String>,
    /// The worker is the hub reader (`--db`): the status bar shows the team hub.
    pub hub: bool,
}

impl StateSetup {
    /// A plain start: the default keymap, no colours, the last 30 days, nothing
    /// else configured.
    pub fn new(session: Session, clock: Clock) -> StateSetup {
        StateSetup {
            session,
            keymap: Keymap::default(),
            styles: Styles::plain(),
            range: TimeRange::Days(30),
            clock,
            webhooks: false,
            key_source: None,
            alerts: Vec::new(),
            views: Vec::new(),
            skipped_views: Vec::new(),
            config_path: None,
            warnings: Vec::new(),
            hub: false,
        }
    }

    /// The state, before the first message.
    pub fn build(self) -> AppState {
        let mut state = AppState::new(
            self.session,
            self.keymap,
            self.styles,
            self.range,
            self.clock,
        );
        state.conn.live.webhooks = self.webhooks;
        state.conn.key_source = self.key_source;
        state.analytics.alerts = super::alerts::Alerts::new(self.alerts);
        state.saved.views = self.views;
        state.saved.skipped = self.skipped_views;
        state.saved.config_path = self.config_path;
        for w in self.warnings {
            state.say(Level::Warn, w);
        }
        if self.hub {
            state.conn.hub = Some(HubView::default());
        }
        state
    }
}
