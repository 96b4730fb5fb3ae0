//! The messages between the UI task and the worker: the table of contents of all
//! network work. The UI sends [`Request`]s (each with a [`RequestId`]); the worker
//! answers with [`WorkerEvent`]s carrying the same id, so a view can ignore answers
//! to requests it no longer waits for.

use std::sync::Arc;

use crate::api::ApiError;
use crate::api::models::{Cadence, Membership, Person, Step, User};
use crate::budget::ReadCost;
use crate::metrics::{EmailFact, TimeRange};
use crate::search::PersonEntry;

/// People as the search index shows them, shared: a walk from the start sends
/// the entries it puts in its own index (`PeopleIndexed`), so the UI's index of
/// the pages so far and the worker's hold one copy of everyone.
pub type SharedPeople = Vec<Arc<PersonEntry>>;

/// Monotonic id the UI gives every request.
pub type RequestId = u64;

pub use crate::budget::Priority;

/// One request from the UI: what, with its id and priority.
#[derive(Debug, Clone, PartialEq)]
pub struct Envelope {
    pub id: RequestId,
    pub priority: Priority,
    pub request: Request,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Request {
    /// Every cadence (page walk; a team has hundreds at most).
    Cadences,
    /// A cadence's steps and the people on it (memberships, with the people).
    CadenceDetail { cadence_id: u64 },
    /// Emails sent in `range` for these cadences, in this order (the ones on screen
    /// first). Answered with `EmailFacts` batches, `EngagementLoaded` per cadence
    /// and, at the end, `EngagementDone` with what the reads cost.
    Engagement {
        cadence_ids: Vec<u64>,
        range: TimeRange,
    },
    /// What an `Engagement` read of these cadences over `range` would cost: one
    /// point counts the emails to read (`include_paging_counts`), and the answer
    /// is an `EngagementEstimate` (cadences already read for the range cost
    /// nothing and are left out).
    EstimateEngagement {
        cadence_ids: Vec<u64>,
        range: TimeRange,
    },
    /// The engagement over `range` from the local store (no request to
    /// SalesLoft): answered with `StoredEngagement`.
    StoredEngagement { range: TimeRange },
    /// Start (or resume) the background cursor walk over all people for the
    /// local search index. Answered with `PeopleBatch`es, then `PeopleIndexed`.
    IndexPeople,
    /// Lay the people index out again off the UI task (a person removed or
    /// changed, many added): answered with `PeopleLaidOut` (no network; not
    /// queued behind reads).
    LayOutPeople {
        layout: super::parcel::Parcel<super::layout::PeopleLayout>,
    },
    /// Exact lookup of a person by email address (goes to the API).
    PersonByEmail { email: String },
    /// A person with the memberships they have.
    PersonDetail { person_id: u64 },
    /// Enroll people into a cadence, optionally at a step. Exactly once each:
    /// the worker checks existing memberships first and re-reads after an
    /// ambiguous failure before deciding.
    Enroll {
        person_ids: Vec<u64>,
        cadence_id: u64,
        step_id: Option<u64>,
        /// On whose behalf (the create call's `user_id`): a teammate's id, or
        /// `None` for the key's own user. SalesLoft allows it for a team cadence
        /// and for a personal cadence's owner.
        user_id: Option<u64>,
    },
    /// Live polling on/off (the `f` key and the budget reserve both use this).
    SetLive { enabled: bool },
    /// Poll interval for changed emails.
    SetPollInterval { secs: u64 },
    /// The dashboard holds every email updated up to `through` (a local store
    /// synced that far): the live poll starts there (unless it already started
    /// earlier), so changes since the store's sync arrive without re-reading any
    /// range. Emails changed before the poll began arrive as not live.
    LiveFrom {
        through: chrono::DateTime<chrono::Utc>,
    },
    /// Forget cached answers (the `R` key), then re-run the visible reads.
    ClearCache,
    /// The user the key belongs to (`/v2/me.json`): whose personal cadences are theirs.
    Me,
    /// The team's users (`/v2/users`), to name cadence owners.
    Users,
    /// Try a key SalesLoft refused once more, now (the user asked); refused when
    /// the last try was under 10 s ago.
    RetryAuth,
    /// A cadence's step funnel and every step's template comparison over
    /// `range` (its steps, its emails and the team's calls): answered with `Funnel`.
    Funnel { cadence_id: u64, range: TimeRange },
    /// The team's calls made in `range` (the report's call columns): answered
    /// with `Calls`.
    Calls { range: TimeRange },
}

/// Whether SalesLoft answers, as the worker's circuit breaker sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConnectionState {
    /// Answers again (after a `Down`).
    Up,
    /// Repeated network failures or 5xx answers: background work is stopped, the
    /// user's own actions fail at once, and one probe goes out in `retry_in_secs`.
    Down { retry_in_secs: u64, reason: String },
    /// SalesLoft refused the key (401): nothing is sent and polling stops; the
    /// key is tried once more in `retry_in_secs`, or at once when the user asks
    /// ([`Request::RetryAuth`]). `Up` follows when it works again.
    AuthFailed { retry_in_secs: u64, reason: String },
}

/// Why an enrollment of one person did or did not happen, in plain words.
#[derive(Debug, Clone, PartialEq)]
pub enum EnrollOutcome {
    Enrolled { membership_id: u64 },
    AlreadyOnCadence { membership_id: u64 },
    Failed { reason: String },
}

#[derive(Debug)]
pub enum WorkerEvent {
    /// A request started (drives the spinner and the task line).
    Started {
        id: RequestId,
        label: String,
    },
    /// A request finished; `error` says why it failed, in words for the user.
    Finished {
        id: RequestId,
        error: Option<String>,
    },
    Cadences {
        id: RequestId,
        cadences: Vec<Cadence>,
    },
    CadenceSteps {
        id: RequestId,
        cadence_id: u64,
        steps: Vec<Step>,
    },
    CadenceMembers {
        id: RequestId,
        cadence_id: u64,
        members: Vec<(Membership, Option<Person>)>,
    },
    /// New or changed email facts (initial load or live poll); fold by email id.
    EmailFacts {
        id: RequestId,
        facts: Vec<EmailFact>,
        live: bool,
    },
    /// All emails in range for this cadence have been read.
    EngagementLoaded {
        id: RequestId,
        cadence_id: u64,
    },
    /// Every cadence of an `Engagement` request is loaded: what reading them cost
    /// the team, as SalesLoft charged this request's calls (none when all came
    /// from the local store or were loaded before).
    EngagementDone {
        id: RequestId,
        requests: u64,
        points: u64,
    },
    /// What reading the engagement of `cadence_ids` over `range` would cost:
    /// `emails` to read (`None` when the server did not count them) and the
    /// requests and points (`None` likewise).
    EngagementEstimate {
        id: RequestId,
        range: TimeRange,
        cadence_ids: Vec<u64>,
        emails: Option<u64>,
        cost: Option<ReadCost>,
    },
    /// The engagement over `range` as the local store holds it, per cadence and
    /// step, and when the store was last synced.
    StoredEngagement {
        id: RequestId,
        range: TimeRange,
        totals: crate::metrics::GroupTotals,
        synced_at: Option<chrono::DateTime<chrono::Utc>>,
    },
    /// A read was not started because the budget could not afford it; says what it needs.
    Deferred {
        id: RequestId,
        reason: String,
    },
    PeopleBatch {
        id: RequestId,
        people: SharedPeople,
    },
    /// People deleted in SalesLoft (a `person_deleted` webhook): out of the index.
    PeopleDeleted {
        ids: Vec<u64>,
    },
    /// The end of the people index walk. `index`: everyone the walk listed
    /// (absent when the walk listed only changes); a walk's, and a hub reader's
    /// of its stored people, is not laid out for search (the UI has it laid out
    /// by `LayOutPeople` unless its own index of the pages already is).
    PeopleIndexed {
        id: RequestId,
        total: usize,
        index: Option<Box<crate::search::PeopleIndex>>,
    },
    /// The index a `LayOutPeople` asked for, laid out for search.
    PeopleLaidOut {
        id: RequestId,
        index: Box<crate::search::PeopleIndex>,
    },
    PersonFound {
        id: RequestId,
        person: Option<Person>,
    },
    PersonDetail {
        id: RequestId,
        person: Person,
        memberships: Vec<Membership>,
    },
    EnrollProgress {
        id: RequestId,
        person_id: u64,
        outcome: EnrollOutcome,
    },
    /// The user the key belongs to.
    Me {
        id: RequestId,
        user: User,
        /// For a key that is not a team admin: whether the team's group privacy
        /// is `all_public` (`/v2/team`), so it still sees every record. `None`
        /// for an admin, or when the team could not be read.
        all_public: Option<bool>,
    },
    /// The team's users.
    Users {
        id: RequestId,
        users: Vec<User>,
    },
    /// A cadence's funnel over `range`, counted as `report --by step` counts it,
    /// and the template comparison of each step its emails name (`report --by
    /// template`), with the templates' titles.
    Funnel {
        id: RequestId,
        cadence_id: u64,
        range: TimeRange,
        /// The cadence's steps in cadence order, disabled ones included.
        steps: Vec<Step>,
        funnel: Vec<crate::metrics::funnel::StepFunnel>,
        templates: std::collections::BTreeMap<u64, Vec<crate::metrics::breakdown::TemplateStats>>,
        titles: std::collections::BTreeMap<u64, String>,
    },
    /// The team's calls made in `range`.
    Calls {
        id: RequestId,
        range: TimeRange,
        calls: Vec<crate::api::models::Call>,
    },
    /// Live polling paused or resumed, and why ("budget under the 20% reserve").
    LiveState {
        enabled: bool,
        paused_reason: Option<String>,
    },
    /// SalesLoft became unreachable (again, with a new retry time) or answers again.
    Connection {
        state: ConnectionState,
    },
    /// Last successful contact with the API (for "updated N s ago").
    Heartbeat {
        at: std::time::Instant,
    },
    /// An error not tied to one request (e.g. the live poll failed).
    Error {
        message: String,
    },
    /// A report of the local store's background sync.
    Store(super::store_sync::StoreEvent),
    /// A request waits on something outside the dashboard, said in the task line
    /// ("waiting for the hub: no leader has picked it up for 30 s"); `None`
    /// when it no longer waits.
    TaskNote {
        id: RequestId,
        note: Option<String>,
    },
    /// The team hub as the dashboard's team database last showed it (a
    /// dashboard on `--db`); `None`: no hub has run on this database.
    HubStatus {
        hub: Option<HubSeen>,
    },
    /// The team database stopped answering (`Some`: why, in words; the reader
    /// retries and catches up) or answers again (`None`).
    HubDatabase {
        problem: Option<String>,
    },
}

/// The team hub's status row as a dashboard read it. Ages are measured on the
/// database's clock when read, and grow from `read_at` on this machine's.
#[derive(Debug, Clone, PartialEq)]
pub struct HubSeen {
    pub name: String,
    /// Age of the hub's last finished sync (`None`: none yet).
    pub synced_ago: Option<std::time::Duration>,
    /// Age of the hub's last write of its status row.
    pub updated_ago: Option<std::time::Duration>,
    /// The team's budget as the hub last read it from SalesLoft's headers.
    pub budget_remaining: Option<u32>,
    pub budget_limit: Option<u32>,
    pub read_at: std::time::Instant,
}

/// Turns an API error into the words a user sees.
pub fn describe(err: &ApiError) -> String {
    err.to_string()
}

impl WorkerEvent {
    /// The `Funnel` answer to request `id`.
    pub fn funnel(id: RequestId, f: crate::metrics::funnel::CadenceFunnel) -> WorkerEvent {
        WorkerEvent::Funnel {
            id,
            cadence_id: f.cadence_id,
            range: f.range,
            steps: f.steps,
            funnel: f.rows,
            templates: f.templates,
            titles: f.titles,
        }
    }

    /// The request this event answers, if it answers one.
    pub fn request_id(&self) -> Option<RequestId> {
        use WorkerEvent::*;
        match self {
            Started { id, .. }
            | Finished { id, .. }
            | Cadences { id, .. }
            | CadenceSteps { id, .. }
            | CadenceMembers { id, .. }
            | EmailFacts { id, .. }
            | EngagementLoaded { id, .. }
            | EngagementDone { id, .. }
            | EngagementEstimate { id, .. }
            | StoredEngagement { id, .. }
            | Deferred { id, .. }
            | PeopleBatch { id, .. }
            | PeopleIndexed { id, .. }
            | PeopleLaidOut { id, .. }
            | PersonFound { id, .. }
            | PersonDetail { id, .. }
            | EnrollProgress { id, .. }
            | Me { id, .. }
            | Users { id, .. }
            | Funnel { id, .. }
            | Calls { id, .. }
            | TaskNote { id, .. } => Some(*id),
            LiveState { .. }
            | Connection { .. }
            | Heartbeat { .. }
            | Error { .. }
            | Store(_)
            | HubStatus { .. }
            | HubDatabase { .. }
            | PeopleDeleted { .. } => None,
        }
    }
}
