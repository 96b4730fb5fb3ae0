//! What each page keeps besides the shared state: the open cadence, the people
//! search, the open person.

use std::collections::BTreeSet;
use std::time::Instant;

use crate::api::models::{Membership, Person};
use crate::worker::protocol::RequestId;

use super::fetch::Fetch;
use super::state::View;
use super::text_input::TextInput;
use super::widgets::table::Cursor;
use crate::search::{PeopleIndex, SearchHits};

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
    pub lookup: EmailLookup,
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
