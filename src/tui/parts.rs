//! The dashboard state's parts, one per view or concern: the cadences tab, the
//! people tab, the Activity tab, the team, the connection to SalesLoft (budget,
//! live polling, reachability, the key, the store, the hub), the enrollment
//! tasks, the analytics (facts, alerts, trends) and the screen's own
//! bookkeeping. `AppState` holds one of each; `update` alone writes them.

use std::collections::HashMap;
use std::time::Instant;

use crate::api::BudgetSnapshot;
use crate::api::models::Step;
use crate::worker::protocol::RequestId;

use super::cadence_list::CadenceList;
use super::pages::{CadenceDetail, PeopleSearch, PersonPage};
use super::task::EnrollTask;
use super::widgets::table::Cursor;

/// Tab 1: the cadences table and the open cadence.
#[derive(Debug, Default)]
pub struct CadencesTab {
    pub list: CadenceList,
    pub detail: Option<CadenceDetail>,
    /// Steps of every cadence seen, by cadence id (steps are needed by the detail
    /// and by the enrollment's step picker).
    pub steps: HashMap<u64, Vec<Step>>,
}

/// Tab 2: the people search and the open person.
#[derive(Debug, Default)]
pub struct PeopleTab {
    pub search: PeopleSearch,
    pub person: Option<PersonPage>,
}

/// Tab 3: the live ranking of cadences.
#[derive(Debug, Default)]
pub struct ActivityTab {
    /// Selection in the cadence ranking.
    pub cursor: Cursor,
    /// The row and cadence under the cursor after the last message, while on
    /// Activity: the next message keeps the cursor on that cadence when the
    /// ranking moves, without ranking again first (`update::ranking`).
    pub held: Option<(usize, u64)>,
    /// How many times the ranking was computed (each costs a pass over every
    /// cadence's live series; the tests hold a message to one).
    pub rankings: std::cell::Cell<u64>,
}

/// Who uses the dashboard, and the team's users.
#[derive(Debug, Default)]
pub struct Team {
    /// The user the key belongs to, once `/me` answered (until then personal
    /// cadences of others are not told apart).
    pub me: Option<u64>,
    /// Whether the key's user is a team admin, once `/me` answered. A rep's key
    /// may not see other groups' records (group privacy): totals are marked
    /// partial (`AppState::partial_note`).
    pub admin: Option<bool>,
    /// For a key that is not a team admin, whether the team's group privacy is
    /// `all_public` (`/v2/team`): then it sees everything and totals are whole.
    pub all_public: Option<bool>,
    /// Names of the team's users by id (cadence owners), once loaded.
    pub users: HashMap<u64, String>,
}

/// The connection to SalesLoft (or the team hub) and what it says.
#[derive(Debug, Default)]
pub struct Connection {
    pub budget: Option<BudgetSnapshot>,
    pub live: Live,
    /// Last contact with the API (Heartbeat).
    pub heartbeat: Option<Instant>,
    /// Set while SalesLoft is unreachable: the data on screen is the last received.
    pub unreachable: Option<Unreachable>,
    /// Set while SalesLoft refuses the key: nothing is sent, live updates stop.
    pub auth: Option<super::auth::AuthFailed>,
    /// Where the key came from, in words (never the key).
    pub key_source: Option<String>,
    /// The local store: stored data on screen (stale until live answers), and the
    /// background sync that refreshes it.
    pub store: super::store_status::StoreStatus,
    /// On the team database (`--db`): the team hub, shown in place of the
    /// budget gauge. `None` for a dashboard on SalesLoft.
    pub hub: Option<super::hub::HubView>,
}

/// Requests in flight and enrollments.
#[derive(Debug, Default)]
pub struct Tasks {
    /// Requests the worker reported as started and not yet finished, oldest first.
    pub running: Vec<(RequestId, String)>,
    /// Enrollments, newest last (the task line shows the newest; Activity lists them).
    pub list: Vec<EnrollTask>,
    /// The newest task's panel was dismissed (esc).
    pub dismissed: bool,
}

/// What is computed over the email facts besides the rates.
#[derive(Debug, Default)]
pub struct Analytics {
    /// Every email fact received, for the alert rules and the trends.
    pub facts: super::alerts::FactLog,
    /// The `[[alerts]]` rules and what they say.
    pub alerts: super::alerts::Alerts,
    /// The chart mode and the trend buckets.
    pub trends: super::trends::Trends,
}

/// The screen's own bookkeeping.
#[derive(Debug)]
pub struct Screen {
    /// Something visible changed on a tick (spinner, clock, expired message).
    pub redraw: bool,
    pub messages: Vec<Message>,
    /// The last `y` (a second one on the same row copies its next field).
    pub yank: Option<super::yank::LastYank>,
    /// Where the last frame drew the tabs and rows, for mouse clicks.
    pub hits: super::hits::HitMap,
    pub spinner: usize,
    pub ticks: u64,
    pub size: (u16, u16),
}

impl Default for Screen {
    fn default() -> Screen {
        Screen {
            redraw: true,
            messages: Vec::new(),
            yank: None,
            hits: Default::default(),
            spinner: 0,
            ticks: 0,
            size: (80, 24),
        }
    }
}

/// Live polling as the user and the worker see it.
#[derive(Debug, Clone, Default)]
pub struct Live {
    /// The user froze live updates (`f`).
    pub frozen: bool,
    /// What the worker last said.
    pub enabled: bool,
    pub paused_reason: Option<String>,
    /// The last `SetLive` sent, to avoid repeating it.
    pub requested: Option<bool>,
    /// The dashboard's webhook receiver is running: SalesLoft pushes changes
    /// besides the polls (shown as "⚡ hooks" next to LIVE).
    pub webhooks: bool,
}

/// SalesLoft does not answer (the worker's circuit breaker is open).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unreachable {
    /// "timed out", "server error 503"...
    pub reason: String,
    /// When the worker's next probe goes out.
    pub retry_at: Instant,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    Info,
    Warn,
    Error,
}

#[derive(Debug, Clone)]
pub struct Message {
    pub text: String,
    pub level: Level,
    pub until: Instant,
}
