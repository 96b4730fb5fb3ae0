//! The worker of a dashboard on the team database (`sltui --db postgres://…`):
//! it speaks the dashboard's protocol ([`Request`] in, [`WorkerEvent`] out) and
//! answers everything from PostgreSQL, where the team's hub keeps SalesLoft's
//! records. It never sends SalesLoft a request.
//!
//! * Reads ([`answers`]): cadences, a cadence's steps and people, engagement
//!   (from the stored email facts: free, estimated at 0 points), people, the
//!   hub's user and the team's users.
//! * Live changes ([`follow`]): the change number is taken before the first
//!   read ([`HubReader::open`]); a thread listens on `sltui_changes` and, on each
//!   announcement (and every few seconds regardless), reads the rows changed
//!   past the last number it applied and sends them as events. A dropped
//!   connection or a lost announcement loses nothing: it reconnects and catches
//!   up from that number.
//! * Enrollment ([`enroll`]): one job per person in the database, run once by
//!   the leading hub; the outcome arrives with the job's change.

mod answers;
mod enroll;
mod first_sync;
mod follow;
mod options;
mod shared;

use std::sync::Arc;
use std::sync::atomic::Ordering;

use chrono::{DateTime, Utc};
use tokio::sync::mpsc;

use super::WorkerHandle;
use super::protocol::Envelope;
use super::protocol::{Request, WorkerEvent};
use crate::metrics::TimeRange;
use crate::store::RecordStore;
use crate::store::pg::PgStore;
use crate::store::start::{Coverage, StoreLoad, Stored};

pub use enroll::{OUTCOME_ALREADY, OUTCOME_ENROLLED, enroll_outcome, job_key, job_outcome};
pub use options::{HubReaderOptions, requester};
use shared::Shared;

/// The `application_name` a dashboard's sessions carry unless the URL sets one
/// (how an administrator finds them in `pg_stat_activity`).
pub const APPLICATION_NAME: &str = "sltui-dashboard";

/// `url` with `application_name` set to `name` unless it sets one already.
pub fn with_application_name(url: &str, name: &str) -> String {
    let url = url.trim();
    if url.contains("application_name=") {
        return url.to_string();
    }
    if url.contains("://") {
        let sep = if url.contains('?') { '&' } else { '?' };
        format!("{url}{sep}application_name={name}")
    } else {
        format!("{url} application_name={name}")
    }
}

/// A connection to the team database for a dashboard, with the change number
/// taken before anything was read from it.
pub struct HubReader {
    store: Arc<PgStore>,
    from: i64,
    /// For a second session (never shown: it may hold a password).
    url: String,
}

impl std::fmt::Debug for HubReader {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the URL: it may hold a password.
        f.debug_struct("HubReader")
            .field("db", &self.store.target())
            .field("from", &self.from)
            .finish()
    }
}

impl HubReader {
    /// Connects to the team database at `db_url` (blocking: call it before the
    /// terminal is taken, or from a blocking task). The error is one line that
    /// says what to do; it never shows the password.
    pub fn open(db_url: &str) -> Result<HubReader, String> {
        let url = with_application_name(db_url, APPLICATION_NAME);
        let store = PgStore::connect_existing(&url).map_err(|e| e.to_string())?;
        let from = store.change_seq().map_err(|e| e.to_string())?;
        Ok(HubReader {
            store: Arc::new(store),
            from,
            url,
        })
    }

    /// The database, as messages name it (without its password).
    pub fn target(&self) -> &str {
        self.store.target()
    }

    /// The store (for the first frame and for tests).
    pub fn store(&self) -> &PgStore {
        &self.store
    }

    /// What the dashboard's first frame shows: cadences, steps, users and the
    /// engagement of `range` from the per-day sums (a few thousand rows whatever
    /// the team's size). The people and facts follow with [`HubReaderOptions::rest`].
    pub fn first_frame(&self, range: TimeRange, now: DateTime<Utc>) -> StoreLoad {
        let since = range
            .since(now)
            .map(|t| t.timestamp().clamp(0, i64::from(u32::MAX)) as u32);
        match self.store.dashboard_summary(since) {
            Ok((data, totals)) => StoreLoad::Loaded(Box::new(Stored {
                data,
                range,
                totals,
                // The database is what the dashboard shows: every person and
                // every email it holds arrive from it, nothing from SalesLoft.
                coverage: Coverage {
                    people: true,
                    emails_through: Some(now),
                },
            })),
            Err(e) => StoreLoad::Failed(e.to_string()),
        }
    }

    /// Starts the worker on the current tokio runtime; it runs until `requests`
    /// (and every clone of it) is dropped.
    pub fn spawn(self, opts: HubReaderOptions) -> WorkerHandle {
        let (req_tx, req_rx) = mpsc::unbounded_channel();
        let (ev_tx, ev_rx) = mpsc::unbounded_channel();
        let shared = Arc::new(Shared::new(self.store, self.url, ev_tx, opts));
        let follower = shared.clone();
        let from = self.from;
        std::thread::Builder::new()
            .name("sltui-hub-follow".into())
            .spawn(move || follow::run(&follower, from))
            .expect("a thread can be started");
        tokio::spawn(serve(shared, req_rx));
        WorkerHandle {
            requests: req_tx,
            events: ev_rx,
            store_sync: None,
        }
    }
}

/// Connects to the team database at `db_url` and starts the hub reader on it.
pub async fn spawn_hub_reader(
    db_url: &str,
    opts: HubReaderOptions,
) -> Result<WorkerHandle, String> {
    let url = db_url.to_string();
    let reader = tokio::task::spawn_blocking(move || HubReader::open(&url))
        .await
        .map_err(|e| format!("connecting to the team database stopped: {e}"))??;
    Ok(reader.spawn(opts))
}

/// Takes requests until the dashboard drops its sender, each answered in a task
/// of its own.
async fn serve(shared: Arc<Shared>, mut requests: mpsc::UnboundedReceiver<Envelope>) {
    while let Some(Envelope { id, request, .. }) = requests.recv().await {
        shared.emit(WorkerEvent::Started {
            id,
            label: super::job::label(&request),
        });
        match request {
            Request::Enroll {
                person_ids,
                cadence_id,
                step_id,
                user_id,
            } => {
                let shared = shared.clone();
                tokio::spawn(async move {
                    let what = crate::worker::Enrollment {
                        cadence_id,
                        step_id,
                        user_id,
                    };
                    let error = enroll::run(&shared, id, &person_ids, what).await;
                    shared.emit(WorkerEvent::Finished { id, error });
                });
            }
            request => {
                let shared = shared.clone();
                tokio::spawn(async move {
                    let error = answers::answer(&shared, id, request).await.err();
                    shared.emit(WorkerEvent::Finished { id, error });
                });
            }
        }
    }
    shared.stop.store(true, Ordering::Relaxed);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn application_name_is_added_once() {
        assert_eq!(
            with_application_name("postgres://u:p@h/db", "x"),
            "postgres://u:p@h/db?application_name=x"
        );
        assert_eq!(
            with_application_name("postgres://u@h/db?sslmode=require", "x"),
            "postgres://u@h/db?sslmode=require&application_name=x"
        );
        assert_eq!(
            with_application_name("postgres://h/db?application_name=mine", "x"),
            "postgres://h/db?application_name=mine"
        );
        assert_eq!(
            with_application_name("host=h dbname=db", "x"),
            "host=h dbname=db application_name=x"
        );
    }

    #[test]
    fn a_failed_open_never_shows_the_password() {
        let url = "postgres://u:s3cret@127.0.0.1:1/db";
        let e = HubReader::open(url).unwrap_err();
        assert!(!e.contains("s3cret") && e.contains("u:***@"), "{e}");
    }

    #[test]
    fn the_requester_is_never_empty() {
        use super::options::requester_from;
        let r = requester("profile work");
        assert!(!r.trim().is_empty());
        assert!(r.chars().all(|c| !c.is_control()));
        let host = Some("box".to_string());
        assert_eq!(
            requester_from(Some("ann".into()), host.clone(), "profile work"),
            "ann@box"
        );
        // Without $USER: the target, as given (no "profile demo").
        assert_eq!(
            requester_from(None, host, "db.example:5432/sltui"),
            "db.example:5432/sltui"
        );
    }
}
