//! The pages (views) and what each keeps besides the shared state: the open
//! cadence, the people search, the open person.

use std::collections::BTreeSet;
use std::time::Instant;

use rustc_hash::FxHashSet;

use crate::api::models::{Membership, Person};
use crate::worker::PeopleChange;
use crate::worker::protocol::RequestId;

use super::fetch::Fetch;
use super::text_input::TextInput;
use super::widgets::table::Cursor;
use crate::search::{PeopleIndex, SearchHits};

/// The screens, in four tabs: 1 Cadences (and a cadence's detail), 2 People (and a
/// person), 3 live Activity (all cadences, and the enrollment task log), 4 Alerts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum View {
    Cadences,
    CadenceDetail,
    People,
    Person,
    Activity,
    Alerts,
}

/// How many tabs there are.
pub const TABS: usize = 4;

impl View {
    /// The tab a view belongs to (1-based, as the number keys).
    pub fn tab(self) -> usize {
        match self {
            View::Cadences | View::CadenceDetail => 1,
            View::People | View::Person => 2,
            View::Activity => 3,
            View::Alerts => 4,
        }
    }

    /// The root view of a tab.
    pub fn of_tab(tab: usize) -> View {
        match tab {
            2 => View::People,
            3 => View::Activity,
            4 => View::Alerts,
            _ => View::Cadences,
        }
    }
}

/// Most people a search shows.
pub const SEARCH_LIMIT: usize = 200;

/// At most this many people are laid out on the UI task (a search lays out
/// the people added since the last layout); more, or everyone again, are laid
/// out by the worker (`Request::LayOutPeople`) and the results wait for it.
pub const LAY_OUT_HERE: usize = 1_000;

#[derive(Debug)]
pub struct CadenceDetail {
    pub cadence_id: u64,
    pub members: Vec<(Membership, Option<Person>)>,
    pub fetch: Fetch,
    /// One selection over the steps, then the people (j/k walk through both;
    /// the switch-pane key jumps between the two tables).
    pub cursor: Cursor,
    /// Scroll offsets of the two tables.
    pub steps_scroll: Cursor,
    pub members_scroll: Cursor,
    /// The step funnel and template comparisons (`report --by step|template`).
    pub funnel: super::funnel::FunnelPane,
}

impl CadenceDetail {
    pub fn new(cadence_id: u64) -> CadenceDetail {
        CadenceDetail {
            cadence_id,
            members: Vec::new(),
            fetch: Fetch::default(),
            cursor: Cursor::default(),
            steps_scroll: Cursor::default(),
            members_scroll: Cursor::default(),
            funnel: Default::default(),
        }
    }
}

/// Progress of the background walk that fills the people index.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum IndexStatus {
    #[default]
    NotStarted,
    Running,
    Done {
        total: usize,
    },
    Failed(String),
}

/// An exact lookup by email address (latest wins).
#[derive(Debug, Clone, Default)]
pub struct EmailLookup {
    /// The address typed, and when to send the lookup (after a short pause in typing).
    pub pending: Option<(String, Instant)>,
    pub waiting: Option<(RequestId, String)>,
    /// The last answer: the address and the person found (if any).
    pub answer: Option<(String, Option<u64>)>,
}

#[derive(Debug, Default)]
pub struct PeopleSearch {
    pub index: PeopleIndex,
    pub query: TextInput,
    pub focused: bool,
    pub hits: SearchHits,
    pub cursor: Cursor,
    /// People marked with space for a bulk action.
    pub marked: BTreeSet<u64>,
    pub status: IndexStatus,
    pub index_request: Option<RequestId>,
    /// The index holds exactly what the walk `index_request` listed so far (it
    /// was empty when the walk began and nothing else wrote to it): the
    /// worker's index of that walk can be swapped in as it is.
    pub only_walk: bool,
    pub lookup: EmailLookup,
    /// The index being laid out again by the worker, if it is.
    pub relayout: Option<Relayout>,
    /// The id column is shown (the ids key), so ids can be typed into the CLI.
    pub show_ids: bool,
}

/// The people index being laid out again by the worker (`LayOutPeople`): the
/// search stays on the index shown until the laid-out one arrives.
#[derive(Debug, Default)]
pub struct Relayout {
    /// The request the laid-out index answers.
    pub id: RequestId,
    /// The changes sent with it (again on top of a walk's index that arrives
    /// meanwhile).
    pub sent: Vec<PeopleChange>,
    /// Changes since, applied on top of the laid-out index when it arrives.
    pub since: Vec<PeopleChange>,
    /// Everyone the changes name (their entries wait for the laid-out index).
    pub touched: FxHashSet<u64>,
    /// People removed but still in the index shown: left out of the results.
    pub gone: FxHashSet<u64>,
    /// A `FillAll` waits (its people are not in `touched`): a removal of
    /// someone not shown waits too, as they may be among them.
    pub filling: bool,
}

#[derive(Debug)]
pub struct PersonPage {
    pub person_id: u64,
    pub person: Option<Person>,
    pub memberships: Vec<Membership>,
    pub fetch: Fetch,
    pub cursor: Cursor,
    /// Where esc goes back to.
    pub back: View,
}
