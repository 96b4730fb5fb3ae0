//! The simulator's own data model. Written from `salesloft-api.md`, never from
//! `api::models`: if both sides shared one struct, a wrong field name would pass
//! every test. Timestamps are microseconds since the Unix epoch (UTC); they are
//! rendered with the team's UTC offset by `sim::json`.

use std::collections::{BTreeSet, HashMap};
use std::ops::Bound;
use std::sync::atomic::{AtomicU64, Ordering};

use super::pairs::PairIndex;

/// Microseconds since the Unix epoch, UTC.
pub type Micros = i64;

/// Something stored in a [`Table`]: it has an id and an `updated_at`.
pub trait Record {
    fn id(&self) -> u64;
    fn updated_at(&self) -> Micros;
}

/// Source of table identities for [`Table::stamp`].
static NEXT_TABLE_UID: AtomicU64 = AtomicU64::new(1);

fn next_table_uid() -> u64 {
    NEXT_TABLE_UID.fetch_add(1, Ordering::Relaxed)
}

/// Rows with contiguous ids (`first_id`, `first_id + 1`, ...) and an index on
/// `(updated_at, id)` so cursor walks over a million rows stay cheap.
#[derive(Debug)]
pub struct Table<T: Record> {
    rows: Vec<T>,
    first_id: u64,
    by_updated: BTreeSet<(Micros, u64)>,
    /// Unique per table instance (a clone gets a new one).
    uid: u64,
    /// Bumped by every `insert` and `update`.
    version: u64,
}

impl<T: Record + Clone> Clone for Table<T> {
    fn clone(&self) -> Self {
        Self {
            rows: self.rows.clone(),
            first_id: self.first_id,
            by_updated: self.by_updated.clone(),
            uid: next_table_uid(),
            version: 0,
        }
    }
}

impl<T: Record> Table<T> {
    pub fn new(first_id: u64) -> Self {
        Self::with_capacity(first_id, 0)
    }

    pub fn with_capacity(first_id: u64, cap: usize) -> Self {
        Self {
            rows: Vec::with_capacity(cap),
            first_id,
            by_updated: BTreeSet::new(),
            uid: next_table_uid(),
            version: 0,
        }
    }

    /// Builds a table from rows already in id order (bulk load for the generator).
    /// Panics if the ids are not `first_id`, `first_id + 1`, ... (a generator bug).
    pub fn from_rows(first_id: u64, rows: Vec<T>) -> Self {
        for (i, row) in rows.iter().enumerate() {
            assert_eq!(
                row.id(),
                first_id + i as u64,
                "rows must be loaded with contiguous ids"
            );
        }
        let by_updated = rows.iter().map(|r| (r.updated_at(), r.id())).collect();
        Self {
            rows,
            first_id,
            by_updated,
            uid: next_table_uid(),
            version: 0,
        }
    }

    /// Identifies this table's current contents: `(instance, version)` changes
    /// after every `insert`/`update`, and a clone never shares it. Lets derived
    /// caches (e.g. `sim::truth::cadence_people`) know when to rebuild.
    pub fn stamp(&self) -> (u64, u64) {
        (self.uid, self.version)
    }

    /// The id the next inserted row must carry.
    pub fn next_id(&self) -> u64 {
        self.first_id + self.rows.len() as u64
    }

    /// Appends a row. Panics if its id is not `next_id()` (a generator bug).
    pub fn insert(&mut self, row: T) -> u64 {
        let id = row.id();
        assert_eq!(
            id,
            self.next_id(),
            "rows must be inserted with contiguous ids"
        );
        self.by_updated.insert((row.updated_at(), id));
        self.rows.push(row);
        self.version += 1;
        id
    }

    pub fn get(&self, id: u64) -> Option<&T> {
        let idx = id.checked_sub(self.first_id)?;
        self.rows.get(usize::try_from(idx).ok()?)
    }

    /// Changes a row in place and keeps the `updated_at` index right.
    pub fn update<R>(&mut self, id: u64, f: impl FnOnce(&mut T) -> R) -> Option<R> {
        let idx = usize::try_from(id.checked_sub(self.first_id)?).ok()?;
        let row = self.rows.get_mut(idx)?;
        self.version += 1;
        let before = row.updated_at();
        let out = f(row);
        let after = row.updated_at();
        if before != after {
            self.by_updated.remove(&(before, id));
            self.by_updated.insert((after, id));
        }
        Some(out)
    }

    pub fn len(&self) -> usize {
        self.rows.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// All rows in id order.
    pub fn iter(&self) -> impl DoubleEndedIterator<Item = &T> + ExactSizeIterator {
        self.rows.iter()
    }

    /// Ids of the rows whose `updated_at` lies in the range, ascending by
    /// `(updated_at, id)`, read from the index only (no row is touched). A range
    /// that holds no instant (`updated_at[gt]=T&updated_at[lt]=T`, or bounds the
    /// wrong way round) selects nothing, as SalesLoft answers an empty list.
    pub fn range_ids(
        &self,
        lo: Bound<Micros>,
        hi: Bound<Micros>,
    ) -> impl DoubleEndedIterator<Item = u64> {
        let (lo, hi) = index_bounds(lo, hi);
        let range = if holds_nothing(&lo, &hi) {
            // BTreeMap::range panics on these; an empty range of its own instead.
            (Bound::Included((0, 0)), Bound::Excluded((0, 0)))
        } else {
            (lo, hi)
        };
        self.by_updated.range(range).map(|(_, id)| *id)
    }

    /// Rows whose `updated_at` lies in the range, ascending by `(updated_at, id)`.
    pub fn range_updated(
        &self,
        lo: Bound<Micros>,
        hi: Bound<Micros>,
    ) -> impl DoubleEndedIterator<Item = &T> {
        self.range_ids(lo, hi).filter_map(move |id| self.get(id))
    }
}

/// A bound on the `(updated_at, id)` index.
type IndexBound = Bound<(Micros, u64)>;

/// Bounds on `updated_at` as bounds on the `(updated_at, id)` index.
fn index_bounds(lo: Bound<Micros>, hi: Bound<Micros>) -> (IndexBound, IndexBound) {
    let lo = match lo {
        Bound::Included(t) => Bound::Included((t, 0)),
        Bound::Excluded(t) => Bound::Excluded((t, u64::MAX)),
        Bound::Unbounded => Bound::Unbounded,
    };
    let hi = match hi {
        Bound::Included(t) => Bound::Included((t, u64::MAX)),
        Bound::Excluded(t) => Bound::Excluded((t, 0)),
        Bound::Unbounded => Bound::Unbounded,
    };
    (lo, hi)
}

/// True when the bounds are ones `BTreeMap::range` refuses: start after end, or
/// both excluded at the same key (every other empty range it walks as empty).
fn holds_nothing(lo: &IndexBound, hi: &IndexBound) -> bool {
    let key = |b: &IndexBound| match b {
        Bound::Included(k) | Bound::Excluded(k) => Some(*k),
        Bound::Unbounded => None,
    };
    match (key(lo), key(hi)) {
        (Some(a), Some(b)) => {
            a > b || (a == b && matches!((lo, hi), (Bound::Excluded(_), Bound::Excluded(_))))
        }
        _ => false,
    }
}

#[derive(Debug, Clone)]
pub struct User {
    pub id: u64,
    pub guid: String,
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    pub job_role: Option<String>,
    pub team_admin: bool,
    pub active: bool,
    pub time_zone: String,
    pub created_at: Micros,
    pub updated_at: Micros,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PersonCounts {
    pub emails_sent: u32,
    pub emails_viewed: u32,
    pub emails_clicked: u32,
    pub emails_replied_to: u32,
    pub emails_bounced: u32,
    pub calls: u32,
}

#[derive(Debug, Clone)]
pub struct Person {
    pub id: u64,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub email_address: Option<String>,
    pub phone: Option<String>,
    pub mobile_phone: Option<String>,
    pub title: Option<String>,
    pub company_name: Option<String>,
    pub company_website: Option<String>,
    pub company_industry: Option<String>,
    pub city: Option<String>,
    pub state: Option<String>,
    pub country: Option<String>,
    pub linkedin_url: Option<String>,
    /// One of director, executive, individual_contributor, manager, vice_president, unknown.
    pub job_seniority: Option<String>,
    pub owner_id: Option<u64>,
    pub do_not_contact: bool,
    pub bouncing: bool,
    pub tags: Vec<String>,
    pub counts: PersonCounts,
    pub last_contacted_at: Option<Micros>,
    /// call / email / other
    pub last_contacted_type: Option<String>,
    pub last_contacted_by: Option<u64>,
    pub last_replied_at: Option<Micros>,
    pub created_at: Micros,
    pub updated_at: Micros,
}

#[derive(Debug, Clone)]
pub struct Cadence {
    pub id: u64,
    pub name: String,
    pub owner_id: u64,
    pub creator_id: u64,
    pub team_cadence: bool,
    pub shared: bool,
    pub draft: bool,
    pub archived_at: Option<Micros>,
    /// outbound, inbound, event, other
    pub cadence_function: String,
    pub tags: Vec<String>,
    pub remove_bounces_enabled: bool,
    pub remove_replies_enabled: bool,
    pub opt_out_link_included: bool,
    pub target_daily_people: u32,
    pub opportunities_created: u32,
    pub meetings_booked: u32,
    /// Step ids in step order.
    pub step_ids: Vec<u64>,
    pub created_at: Micros,
    pub updated_at: Micros,
}

impl Cadence {
    /// `draft`, `active` or `archived`, derived the way the real API does.
    pub fn current_state(&self) -> &'static str {
        if self.archived_at.is_some() {
            "archived"
        } else if self.draft {
            "draft"
        } else {
            "active"
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum StepType {
    Email,
    Phone,
    Other,
    Integration,
}

impl StepType {
    pub fn as_str(self) -> &'static str {
        match self {
            StepType::Email => "email",
            StepType::Phone => "phone",
            StepType::Other => "other",
            StepType::Integration => "integration",
        }
    }
}

#[derive(Debug, Clone)]
pub struct Step {
    pub id: u64,
    pub cadence_id: u64,
    pub day: u32,
    /// 1-based position within its day.
    pub step_number: u32,
    pub kind: StepType,
    pub name: String,
    pub disabled: bool,
    pub multitouch_enabled: bool,
    /// Email steps: the templates the step rotates through (an A/B test when
    /// more than one); empty for other steps.
    pub template_ids: Vec<u64>,
    pub created_at: Micros,
    pub updated_at: Micros,
}

/// An email template (`/v2/email_templates`).
#[derive(Debug, Clone)]
pub struct EmailTemplate {
    pub id: u64,
    pub title: String,
    pub subject: String,
    pub body: String,
    /// Only used on a cadence step (hidden from the web app's template list).
    pub cadence_template: bool,
    pub open_tracking_enabled: bool,
    pub click_tracking_enabled: bool,
    pub shared: bool,
    pub created_at: Micros,
    pub updated_at: Micros,
}

impl Step {
    /// e.g. "Day 1: Step 1 - Email"
    pub fn display_name(&self) -> String {
        let kind = match self.kind {
            StepType::Email => "Email",
            StepType::Phone => "Phone",
            StepType::Other => "Other",
            StepType::Integration => "Integration",
        };
        format!("Day {}: Step {} - {}", self.day, self.step_number, kind)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MembershipState {
    Processing,
    Staged,
    Active,
    Scheduled,
    Completed,
    Removed,
    RemovedNoAction,
    Reassigned,
}

impl MembershipState {
    pub const ALL: [MembershipState; 8] = [
        MembershipState::Processing,
        MembershipState::Staged,
        MembershipState::Active,
        MembershipState::Scheduled,
        MembershipState::Completed,
        MembershipState::Removed,
        MembershipState::RemovedNoAction,
        MembershipState::Reassigned,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            MembershipState::Processing => "processing",
            MembershipState::Staged => "staged",
            MembershipState::Active => "active",
            MembershipState::Scheduled => "scheduled",
            MembershipState::Completed => "completed",
            MembershipState::Removed => "removed",
            MembershipState::RemovedNoAction => "removed_no_action",
            MembershipState::Reassigned => "reassigned",
        }
    }

    /// Whether a membership in this state counts as "currently on cadence".
    pub fn on_cadence(self) -> bool {
        matches!(
            self,
            MembershipState::Processing
                | MembershipState::Staged
                | MembershipState::Active
                | MembershipState::Scheduled
        )
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct MembershipCounts {
    pub views: u32,
    pub clicks: u32,
    pub replies: u32,
    pub calls: u32,
    pub sent_emails: u32,
    pub bounces: u32,
}

#[derive(Debug, Clone)]
pub struct Membership {
    pub id: u64,
    pub person_id: u64,
    pub cadence_id: u64,
    pub user_id: u64,
    pub state: MembershipState,
    /// The step the person is on (null once finished or removed).
    pub step_id: Option<u64>,
    pub latest_action_id: Option<u64>,
    pub counts: MembershipCounts,
    /// Last time added; `created_at` is the first time.
    pub added_at: Micros,
    pub created_at: Micros,
    pub updated_at: Micros,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EmailStatus {
    Sent,
    SentFromGmail,
    SentFromExternal,
    Pending,
    PendingReplyCheck,
    Scheduled,
    Sending,
    Delivering,
    Failed,
    Cancelled,
    PendingThroughGmail,
    PendingThroughExternal,
}

impl EmailStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            EmailStatus::Sent => "sent",
            EmailStatus::SentFromGmail => "sent_from_gmail",
            EmailStatus::SentFromExternal => "sent_from_external",
            EmailStatus::Pending => "pending",
            EmailStatus::PendingReplyCheck => "pending_reply_check",
            EmailStatus::Scheduled => "scheduled",
            EmailStatus::Sending => "sending",
            EmailStatus::Delivering => "delivering",
            EmailStatus::Failed => "failed",
            EmailStatus::Cancelled => "cancelled",
            EmailStatus::PendingThroughGmail => "pending_through_gmail",
            EmailStatus::PendingThroughExternal => "pending_through_external",
        }
    }

    /// `sent`, `sent_from_gmail` and `sent_from_external` count as sent.
    pub fn is_sent(self) -> bool {
        matches!(
            self,
            EmailStatus::Sent | EmailStatus::SentFromGmail | EmailStatus::SentFromExternal
        )
    }
}

#[derive(Debug, Clone)]
pub struct Email {
    pub id: u64,
    pub person_id: u64,
    pub user_id: u64,
    /// None for one-off emails.
    pub cadence_id: Option<u64>,
    pub step_id: Option<u64>,
    pub mailing_id: u64,
    pub action_id: Option<u64>,
    /// The email template the email was written from (None for one-offs).
    pub template_id: Option<u64>,
    pub status: EmailStatus,
    pub bounced: bool,
    pub view_tracking: bool,
    pub click_tracking: bool,
    /// Percentage 0..=100, rendered as a string like "100.0".
    pub personalization: f32,
    pub send_after: Option<Micros>,
    pub sent_at: Option<Micros>,
    pub views: u32,
    pub clicks: u32,
    pub replies: u32,
    pub unique_devices: u32,
    pub unique_locations: u32,
    pub created_at: Micros,
    pub updated_at: Micros,
}

#[derive(Debug, Clone)]
pub struct Call {
    pub id: u64,
    pub person_id: u64,
    pub user_id: u64,
    pub cadence_id: Option<u64>,
    pub step_id: Option<u64>,
    pub to: String,
    pub duration: Option<u32>,
    pub disposition: Option<String>,
    pub sentiment: Option<String>,
    pub notes: Option<String>,
    pub created_at: Micros,
    pub updated_at: Micros,
}

macro_rules! record {
    ($($t:ty),*) => {$(
        impl Record for $t {
            fn id(&self) -> u64 { self.id }
            fn updated_at(&self) -> Micros { self.updated_at }
        }
    )*};
}
record!(
    User,
    Person,
    Cadence,
    Step,
    EmailTemplate,
    Membership,
    Email,
    Call
);

/// Everything the simulator knows about one team.
#[derive(Debug, Clone)]
pub struct Dataset {
    pub team_id: u64,
    pub team_name: String,
    /// The team's UTC offset in minutes (e.g. -240); every timestamp is rendered with it.
    pub utc_offset_minutes: i32,
    /// The simulator's clock ("now") in micros; advanced by `--live`.
    pub now: Micros,
    pub users: Table<User>,
    pub people: Table<Person>,
    pub cadences: Table<Cadence>,
    pub steps: Table<Step>,
    pub email_templates: Table<EmailTemplate>,
    pub memberships: Table<Membership>,
    pub emails: Table<Email>,
    pub calls: Table<Call>,
    /// Lower-cased email address -> person id (uniqueness on the team).
    pub person_by_email: HashMap<String, u64>,
    /// (person_id, cadence_id) -> membership id (one record per pair, ever),
    /// also by person.
    pub membership_by_pair: PairIndex,
    pub call_dispositions: Vec<String>,
    pub call_sentiments: Vec<String>,
    /// `--non-admin`: the key's user and what it may see (see `sim::privacy`).
    pub privacy: Option<super::groups::Privacy>,
}

impl Dataset {
    /// A person's memberships as (cadence id, membership id), by cadence id: one
    /// slice of [`Dataset::membership_by_pair`], not a look-up per cadence.
    pub fn memberships_of(&self, person_id: u64) -> impl Iterator<Item = (u64, u64)> + '_ {
        self.membership_by_pair.of_person(person_id).iter().copied()
    }
}
