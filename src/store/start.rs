//! What a dashboard start reads from the local store, before and after its first
//! frame, and what a background sync changed: pure reads of the store, used by the
//! worker (off the UI task) and by the start-up before the terminal is taken.
//!
//! A missing or empty store changes nothing; a damaged one, one written by a newer
//! sltui, or one holding another server's data is reported once and left alone.

use std::path::Path;

use chrono::{DateTime, Utc};

use crate::metrics::{Aggregator, GroupTotals, TimeRange};

use super::{DashboardData, PersonRow, Store};

/// The sync state names of the resources whose coverage a start needs.
const PEOPLE: &str = "people";
const EMAILS: &str = "emails";

/// What the start-up read of the store found.
#[derive(Debug)]
pub enum StoreLoad {
    /// No store file, or one without data: start as without a store.
    Absent,
    /// Data to draw the first frame from.
    Loaded(Box<Stored>),
    /// The store cannot be used; the message says why and what to do.
    Failed(String),
}

/// What a start reads from the store for its first frame: the dashboard's data
/// without people and email facts (`data.people` and `data.email_facts` are
/// empty), and the engagement of the state's range from the store's per-day sums.
/// The people and the facts follow in a [`Rest`] ([`load_rest`]).
#[derive(Debug)]
pub struct Stored {
    pub data: DashboardData,
    /// The range `totals` are for.
    pub range: TimeRange,
    pub totals: GroupTotals,
    pub coverage: Coverage,
}

/// How much of the team a store holds, from its sync checkpoints.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Coverage {
    /// A full sync of the people finished: the store lists everyone (as of its
    /// sync), so the dashboard need not walk them again.
    pub people: bool,
    /// A full sync of the emails finished, and the store holds every email
    /// updated up to this instant: counts for any range come from it, and
    /// the live poll catches up from there.
    pub emails_through: Option<DateTime<Utc>>,
}

impl Coverage {
    pub fn read(store: &Store) -> Result<Coverage, super::StoreError> {
        let people = store.resource_state(PEOPLE)?;
        let emails = store.resource_state(EMAILS)?;
        Ok(Coverage {
            people: people.full_done_at.is_some(),
            emails_through: emails
                .full_done_at
                .and(emails.cursor)
                .and_then(|c| c.after)
                .map(|t| t.with_timezone(&Utc)),
        })
    }
}

/// What a start reads after its first frame: the people (the few fields the
/// people index needs) and every email fact, in an aggregator over
/// [`TimeRange::All`] ([`on_event`] narrows it to the state's range).
#[derive(Debug)]
pub struct Rest {
    pub people: Vec<PersonRow>,
    pub agg: Aggregator,
    /// The people as a search index, built and laid out off the UI task (then
    /// `people` is empty): a dashboard with an empty index takes it whole.
    pub index: Option<crate::search::PeopleIndex>,
}

/// The meta key naming the server a store's data came from (as `sltui sync` writes it).
pub const SERVER_KEY: &str = "server";

/// Reads the store at `path` for the dashboard's first frame, engagement over
/// `range` at `now`: a few thousand rows whatever the size of the team. Never
/// creates the file. `server` is the server the dashboard talks to: a store
/// holding another server's data is not shown.
pub fn load(path: &Path, server: &str, range: TimeRange, now: DateTime<Utc>) -> StoreLoad {
    if !path.exists() {
        return StoreLoad::Absent;
    }
    let store = match Store::open(path) {
        Ok(s) => s,
        Err(e) => return StoreLoad::Failed(e.to_string()),
    };
    match store.meta(SERVER_KEY) {
        Ok(Some(other)) if other != server => {
            return StoreLoad::Failed(format!(
                "the local store {} holds data from {other}, not {server}; it is not shown \
                 (run `sltui sync --full` to replace it)",
                path.display()
            ));
        }
        Ok(_) => {}
        Err(e) => return StoreLoad::Failed(e.to_string()),
    }
    let since = range
        .since(now)
        .map(|t| t.timestamp().clamp(0, i64::from(u32::MAX)) as u32);
    let people = match store.has_rows("people") {
        Ok(n) => n,
        Err(e) => return StoreLoad::Failed(e.to_string()),
    };
    let coverage = match Coverage::read(&store) {
        Ok(c) => c,
        Err(e) => return StoreLoad::Failed(e.to_string()),
    };
    match store.dashboard_summary(since) {
        Ok((d, _)) if d.cadences.is_empty() && !people => StoreLoad::Absent,
        Ok((data, totals)) => StoreLoad::Loaded(Box::new(Stored {
            data,
            range,
            totals,
            coverage,
        })),
        Err(e) => StoreLoad::Failed(e.to_string()),
    }
}

/// What a background sync changed in the store ([`StoreEvent::Changed`]).
#[derive(Debug, Clone, Default)]
pub struct Changes {
    pub people: Vec<PersonRow>,
    pub facts: Vec<crate::metrics::EmailFact>,
}

/// The newest `updated_at` (microseconds) of the people and of the email facts
/// in the store: what a later [`load_changes`] reads after.
pub fn watermarks(store: &Store) -> (i64, i64) {
    (
        store.max_updated_us("people").unwrap_or(0),
        store.max_updated_us("email_facts").unwrap_or(0),
    )
}

/// The people and facts updated after `marks` ([`watermarks`] before a sync).
pub fn load_changes(store: &Store, marks: (i64, i64)) -> Result<Changes, String> {
    let people = store
        .person_rows_after(marks.0)
        .map_err(|e| e.to_string())?;
    let mut facts = Vec::new();
    store
        .for_each_email_fact_after(marks.1, |f| facts.push(f))
        .map_err(|e| e.to_string())?;
    Ok(Changes { people, facts })
}

/// Reads the people and the email facts of the store at `path` (what [`load`]
/// leaves for after the first frame). The error says what went wrong, in words.
pub fn load_rest(path: &Path) -> Result<Rest, String> {
    let store = Store::open(path).map_err(|e| e.to_string())?;
    let people = store.person_rows().map_err(|e| e.to_string())?;
    let mut agg = Aggregator::new(TimeRange::All, Utc::now());
    if let Ok(n) = store.count("email_facts") {
        agg.reserve(n as usize);
    }
    store
        .for_each_email_fact(|f| {
            agg.upsert(f);
        })
        .map_err(|e| e.to_string())?;
    Ok(Rest {
        people,
        agg,
        index: None,
    })
}
