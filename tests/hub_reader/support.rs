//! What the hub reader's tests share: a team database filled from the
//! simulator (synced by the real engine, copied through the store interface),
//! a dashboard state driven by the reader, and the stand-in for the hub's job
//! runner until `sltui hub` lands.
#![allow(dead_code)]

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use sltui::api::models::{Cadence, Membership, Person, Step, User};
use sltui::metrics::TimeRange;
use sltui::store::pg::PgStore;
use sltui::store::start::StoreLoad;
use sltui::store::{RecordStore, StoreRecord};
use sltui::tui::msg::{Effect, Msg};
use sltui::tui::state::{AppState, Clock, Session};
use sltui::tui::update::update;
use sltui::worker::hub_reader::job_outcome;
use sltui::worker::{EnrollOutcome, Envelope, WorkerEvent, WorkerHandle};

use super::pg_support::{TestDb, test_db};
use super::synced_team::synced_team;

/// Stops a hung test; never a performance threshold.
pub const HANG_GUARD: Duration = Duration::from_secs(120);

/// A team database holding a simulated team of `people`, as a hub's sync
/// leaves it (records, facts, a finished sync).
pub async fn team_db(people: usize) -> (TestDb, PgStore) {
    let source = synced_team("hub-reader-test-key", people, HANG_GUARD).await;
    let db = test_db();
    let url = db.url.clone();
    let (p, c, s, u, m, f) = {
        let src = source.lock().unwrap();
        (
            src.people().unwrap(),
            src.cadences().unwrap(),
            src.steps().unwrap(),
            src.users().unwrap(),
            src.memberships().unwrap(),
            src.email_facts().unwrap(),
        )
    };
    tokio::task::spawn_blocking(move || {
        let mut pg = PgStore::connect(&url).expect("postgres store connects");
        let s_: &mut dyn RecordStore = &mut pg;
        s_.upsert_prepared(&Person::prepare(&p), 1).unwrap();
        s_.upsert_prepared(&Cadence::prepare(&c), 1).unwrap();
        s_.upsert_prepared(&Step::prepare(&s), 1).unwrap();
        s_.upsert_prepared(&User::prepare(&u), 1).unwrap();
        s_.upsert_prepared(&Membership::prepare(&m), 1).unwrap();
        s_.upsert_email_facts(&f, 1).unwrap();
        for r in ["people", "cadences", "emails"] {
            s_.mark_synced(r).unwrap();
        }
        (db, pg)
    })
    .await
    .expect("the copy runs")
}

/// A hub reader on the database at `url` and its first frame (all time), as
/// `sltui --db` reads them before it takes the terminal.
pub async fn open_reader(url: &str) -> (sltui::worker::hub_reader::HubReader, StoreLoad) {
    let url = url.to_string();
    tokio::task::spawn_blocking(move || {
        let reader = sltui::worker::hub_reader::HubReader::open(&url).expect("the reader connects");
        let first = reader.first_frame(TimeRange::All, chrono::Utc::now());
        (reader, first)
    })
    .await
    .expect("join")
}

/// A dashboard state as `sltui --db` makes it (no terminal), counting all time.
pub fn hub_state() -> AppState {
    let session = Session {
        profile_label: "team".into(),
        demo: false,
        read_only: false,
        refresh_secs: 5,
        reserve: 0.2,
        confirm_above: None,
        has_store: false,
        mouse: true,
    };
    sltui::tui::setup::StateSetup {
        range: TimeRange::All,
        hub: true,
        ..sltui::tui::setup::StateSetup::new(session, Clock::system())
    }
    .build()
}

/// Sends `update`'s requests to the worker.
pub fn send(worker: &WorkerHandle, fx: Vec<Effect>) {
    for e in fx {
        if let Effect::Send {
            id,
            priority,
            request,
        } = e
        {
            worker
                .requests
                .send(Envelope {
                    id,
                    priority,
                    request,
                })
                .expect("the worker runs");
        }
    }
}

/// Feeds the worker's events to `update` (and its requests back) until `done`
/// holds with nothing arriving for a moment; panics after [`HANG_GUARD`].
pub async fn pump(
    state: &mut AppState,
    worker: &mut WorkerHandle,
    what: &str,
    done: impl Fn(&AppState) -> bool,
) {
    let end = Instant::now() + HANG_GUARD;
    loop {
        let quiet = Duration::from_millis(if done(state) { 300 } else { 2_000 });
        match tokio::time::timeout(quiet, worker.events.recv()).await {
            Ok(Some(ev)) => {
                state.clock = Clock::system();
                let fx = update(state, Msg::Worker(ev));
                send(worker, fx);
            }
            Ok(None) => panic!("the worker stopped while waiting for {what}"),
            Err(_) if done(state) => return,
            Err(_) => {}
        }
        assert!(Instant::now() < end, "timed out waiting for {what}");
    }
}

/// THE TEST STAND-IN FOR THE HUB'S JOB RUNNER (until `sltui hub` lands and the
/// tests switch to it): claims queued jobs through PgStore's API and finishes
/// each as "enrolled" into a made-up membership, counting its runs. It sends
/// nothing to SalesLoft.
pub struct TestHubDriver {
    stop: Arc<AtomicBool>,
    pub runs: Arc<AtomicUsize>,
    thread: Option<std::thread::JoinHandle<()>>,
}

/// The membership the stand-in "creates" for job `id`.
pub fn driver_membership(job_id: i64) -> u64 {
    900_000 + job_id as u64
}

impl TestHubDriver {
    pub fn start(url: &str) -> TestHubDriver {
        let store = PgStore::connect(url).expect("the driver connects");
        let stop = Arc::new(AtomicBool::new(false));
        let runs = Arc::new(AtomicUsize::new(0));
        let (s, r) = (stop.clone(), runs.clone());
        let thread = std::thread::spawn(move || {
            while !s.load(Ordering::Relaxed) {
                match store.claim_next_job("test-hub-driver") {
                    Ok(Some(job)) => {
                        r.fetch_add(1, Ordering::SeqCst);
                        let outcome = job_outcome(&EnrollOutcome::Enrolled {
                            membership_id: driver_membership(job.id),
                        });
                        store
                            .finish_job(&job.key, "test-hub-driver", &outcome)
                            .expect("the driver finishes its job");
                    }
                    Ok(None) => std::thread::sleep(Duration::from_millis(50)),
                    Err(e) => panic!("the driver's claim failed: {e}"),
                }
            }
        });
        TestHubDriver {
            stop,
            runs,
            thread: Some(thread),
        }
    }
}

impl Drop for TestHubDriver {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// Waits for the next event the predicate picks (others are handed to `other`).
pub async fn next_event(
    worker: &mut WorkerHandle,
    what: &str,
    mut pick: impl FnMut(&WorkerEvent) -> bool,
) -> WorkerEvent {
    let end = tokio::time::Instant::now() + HANG_GUARD;
    loop {
        let ev = tokio::time::timeout_at(end, worker.events.recv())
            .await
            .unwrap_or_else(|_| panic!("timed out waiting for {what}"))
            .unwrap_or_else(|| panic!("the worker stopped while waiting for {what}"));
        if pick(&ev) {
            return ev;
        }
    }
}
