//! Everything the dashboard shows, owned by the one UI task. `update` changes it,
//! `draw` reads it; nothing else touches it (no locks, no sharing with the worker).

use std::collections::HashSet;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};

use crate::config::keymap::Keymap;
use crate::metrics::{ActivitySeries, Aggregator, TimeRange};
use crate::worker::protocol::RequestId;

use super::enroll::EnrollFlow;
use super::fetch::Fetch;
pub use super::pages::{
    CadenceDetail, EmailLookup, IndexStatus, PeopleSearch, PersonPage, SEARCH_LIMIT, TABS, View,
};
pub use super::parts::{
    ActivityTab, Analytics, CadencesTab, Connection, Level, Live, Message, PeopleTab, Screen,
    Tasks, Team, Unreachable,
};
use super::style::Styles;

/// Wall clock and monotonic time, set by the loop before each message so `update`
/// stays a plain function (tests set it by hand).
#[derive(Debug, Clone, Copy)]
pub struct Clock {
    pub now: Instant,
    pub wall: DateTime<Utc>,
}

impl Clock {
    pub fn system() -> Clock {
        Clock {
            now: Instant::now(),
            wall: Utc::now(),
        }
    }
}

/// Session facts that do not change while the dashboard runs.
#[derive(Debug, Clone)]
pub struct Session {
    pub profile_label: String,
    pub demo: bool,
    pub read_only: bool,
    pub refresh_secs: u64,
    /// Fraction of the budget kept for the user's own actions.
    pub reserve: f64,
    /// An engagement load estimated above this many points asks first (Load /
    /// Use stored data / Cancel); `None` never asks (scripts, tests, benches).
    pub confirm_above: Option<u32>,
    /// The profile has a local store ("Use stored data" is offered).
    pub has_store: bool,
    /// The dashboard captures the mouse (clicks and the wheel).
    pub mouse: bool,
}

/// Engagement aggregates for every cadence and the live activity series.
#[derive(Debug)]
pub struct Metrics {
    pub agg: Aggregator,
    pub series: ActivitySeries,
    pub range: TimeRange,
    /// Cadences whose emails in `range` have all been read.
    pub loaded: HashSet<u64>,
    /// The engagement read in progress (for the current range).
    pub fetch: Fetch,
    /// Cadences asked for in the current engagement read.
    pub asked: Vec<u64>,
    /// The budget did not allow the read; says what it needs.
    pub deferred: Option<String>,
    /// When live facts last arrived.
    pub live_at: Option<Instant>,
    /// Every email is held here (a fully synced local store, kept current by the
    /// live poll from where the store stands): any range is counted locally and
    /// nothing is read again from SalesLoft.
    pub local: bool,
    /// The cost estimate in flight ([`Request::EstimateEngagement`]).
    pub estimating: Option<RequestId>,
    /// The user's answer to the cost question for a range (kept while it stays).
    pub choice: Option<super::cost::RangeChoice>,
    /// The stored-engagement read in flight ("Use stored data").
    pub stored_wait: Option<RequestId>,
    /// Numbers on screen are the local store's for this range, synced then.
    pub stored_at: Option<(TimeRange, Option<DateTime<Utc>>)>,
    /// The aggregator with the facts read so far, put aside while the store's
    /// totals are shown ("Use stored data"); live facts still reach it.
    pub parked: Option<Aggregator>,
    /// The range shown before the last range change, and what was read of it
    /// (where the cost question's Cancel goes back to).
    pub previous: Option<(TimeRange, HashSet<u64>)>,
    /// A cost question waiting for another dialog to close.
    pub question: Option<Box<super::cost::CostQuestion>>,
}

#[derive(Debug)]
pub enum Popup {
    Help {
        scroll: usize,
    },
    Enroll(Box<EnrollFlow>),
    /// A load estimated over the threshold asks first.
    Cost(Box<super::cost::CostQuestion>),
    /// The command palette (`:`).
    Palette(Box<super::palette::Palette>),
    /// The name a cadences view is saved under.
    SaveView(Box<super::saved_held::SavePrompt>),
}

/// Everything on screen, by view and concern ([`super::parts`]).
pub struct AppState {
    pub session: Session,
    pub keymap: Keymap,
    pub styles: Styles,
    pub clock: Clock,
    pub view: View,
    pub popup: Option<Popup>,
    /// The view shown last in each tab, so switching tabs comes back to it.
    pub tab_views: [View; TABS],
    pub cadences: CadencesTab,
    pub people: PeopleTab,
    pub activity: ActivityTab,
    pub team: Team,
    pub metrics: Metrics,
    pub analytics: Analytics,
    pub conn: Connection,
    pub tasks: Tasks,
    /// The `[[views]]` of the config, and where a new one is saved.
    pub saved: super::saved_held::SavedViews,
    pub screen: Screen,
    pub next_id: RequestId,
    pub quit: bool,
}

/// How long transient messages stay.
pub const MESSAGE_TTL: Duration = Duration::from_secs(6);
pub const ERROR_TTL: Duration = Duration::from_secs(12);

impl AppState {
    pub fn new(
        session: Session,
        keymap: Keymap,
        styles: Styles,
        range: TimeRange,
        clock: Clock,
    ) -> AppState {
        AppState {
            session,
            keymap,
            styles,
            clock,
            view: View::Cadences,
            popup: None,
            tab_views: [View::Cadences, View::People, View::Activity, View::Alerts],
            cadences: CadencesTab::default(),
            people: PeopleTab::default(),
            activity: ActivityTab::default(),
            team: Team::default(),
            metrics: Metrics {
                agg: Aggregator::new(range, clock.wall),
                series: ActivitySeries::default(),
                range,
                loaded: HashSet::new(),
                fetch: Fetch::default(),
                asked: Vec::new(),
                deferred: None,
                live_at: None,
                local: false,
                estimating: None,
                choice: None,
                stored_wait: None,
                stored_at: None,
                parked: None,
                previous: None,
                question: None,
            },
            analytics: Analytics::default(),
            conn: Connection::default(),
            tasks: Tasks::default(),
            saved: Default::default(),
            screen: Screen::default(),
            next_id: 1,
            quit: false,
        }
    }

    /// The newest message still showing.
    pub fn message(&self) -> Option<&Message> {
        self.screen
            .messages
            .iter()
            .rev()
            .find(|m| m.until > self.clock.now)
    }

    /// "partial? (not admin)" where totals are shown, when the key's user is not a
    /// team admin and the team's group privacy may hide other groups' records
    /// from it (not `all_public`, or not known).
    pub fn partial_note(&self) -> Option<&'static str> {
        (self.team.admin == Some(false) && self.team.all_public != Some(true))
            .then_some("partial? (not admin)")
    }

    /// The label of the newest running task, for the spinner.
    pub fn running_label(&self) -> Option<&str> {
        self.tasks.running.last().map(|(_, l)| l.as_str())
    }

    /// True while a text input has focus (action keys then edit the text).
    pub fn typing(&self) -> bool {
        match &self.popup {
            Some(Popup::Enroll(flow)) => flow.typing(),
            Some(Popup::Palette(_) | Popup::SaveView(_)) => true,
            Some(Popup::Help { .. } | Popup::Cost(_)) => false,
            None => match self.view {
                View::Cadences => self.cadences.list.filter_focused,
                View::People => self.people.search.focused,
                _ => false,
            },
        }
    }

    /// Rows of the detail's steps table (every step, disabled ones included, as drawn).
    pub fn detail_step_count(&self) -> usize {
        self.cadences
            .detail
            .as_ref()
            .and_then(|d| self.cadences.steps.get(&d.cadence_id))
            .map_or(0, |v| super::funnel::detail_steps(v).len())
    }

    /// The step under the detail's cursor, if the cursor is on a step.
    pub fn selected_step(&self) -> Option<&crate::api::models::Step> {
        let d = self.cadences.detail.as_ref()?;
        let steps = super::funnel::detail_steps(self.cadences.steps.get(&d.cadence_id)?);
        steps.get(d.cursor.selected).copied()
    }

    /// The user's answer to the cost question for the current range, if any.
    pub fn cost_choice(&self) -> Option<super::cost::CostChoice> {
        self.metrics
            .choice
            .filter(|c| c.range == self.metrics.range)
            .map(|c| c.choice)
    }

    /// The cadence shown in the detail, from the list.
    pub fn detail_cadence(&self) -> Option<&crate::api::models::Cadence> {
        self.cadences
            .detail
            .as_ref()
            .and_then(|d| self.cadences.list.by_id(d.cadence_id))
    }

    /// Whether live polling should run: not frozen, and a view that shows
    /// engagement (the alerts are judged on it too).
    pub fn wants_live(&self) -> bool {
        !self.conn.live.frozen
            && matches!(
                self.view,
                View::Cadences | View::CadenceDetail | View::Activity | View::Alerts
            )
    }

    /// Cadences by live activity in the chart's window (opens, clicks, replies),
    /// busiest first; quiet cadences follow by name.
    pub fn ranked_cadences(&self) -> Vec<(u64, [u64; 3])> {
        use crate::metrics::ActivityKind;
        let n = &self.activity.rankings;
        n.set(n.get() + 1);
        let wall = self.clock.wall;
        let mut v: Vec<(u64, [u64; 3], &str)> = self
            .cadences
            .list
            .cadences
            .iter()
            .map(|c| {
                let sum = |k| {
                    self.metrics
                        .series
                        .series(c.id, k, wall)
                        .iter()
                        .sum::<u64>()
                };
                (
                    c.id,
                    [
                        sum(ActivityKind::Open),
                        sum(ActivityKind::Click),
                        sum(ActivityKind::Reply),
                    ],
                    c.name.as_str(),
                )
            })
            .collect();
        // By the columns shown, no hidden score: replies, then clicks, then
        // opens (most first), then the name as every table orders names.
        v.sort_by(|a, b| {
            let key = |x: &[u64; 3]| (x[2], x[1], x[0]);
            key(&b.1)
                .cmp(&key(&a.1))
                .then_with(|| super::cadence_list::name_order(a.2, b.2))
        });
        v.into_iter().map(|(id, counts, _)| (id, counts)).collect()
    }

    /// A user's name by id, else the id.
    pub fn user_name(&self, id: u64) -> String {
        self.team
            .users
            .get(&id)
            .cloned()
            .unwrap_or_else(|| id.to_string())
    }

    /// Whether engagement for this cadence is still being read.
    /// Stored numbers stay shown while the live read refreshes them.
    /// So is a range the stored totals were not read for, until the stored facts
    /// arrive (a second or so after a big start).
    /// The cadence's numbers describe the range: read for it, the store's
    /// totals, or every email held here; never only the few live changes of a
    /// cadence whose range was not read (the table shows `?` then).
    pub fn engagement_known(&self, cadence_id: u64) -> bool {
        let m = &self.metrics;
        m.loaded.contains(&cadence_id) || m.agg.is_preset() || m.local
    }

    pub fn engagement_pending(&self, cadence_id: u64) -> bool {
        if !self.metrics.agg.counts_known() {
            return true;
        }
        !self.metrics.loaded.contains(&cadence_id)
            && (!self.conn.store.seeded || self.metrics.agg.by_cadence(cadence_id).is_empty())
            && self.metrics.fetch.is_loading()
            && self.metrics.asked.contains(&cadence_id)
    }
}
