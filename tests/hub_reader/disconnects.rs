//! 100 forced disconnects of the reader's connections (`pg_terminate_backend`
//! of every session carrying its `application_name`) while a writer keeps
//! upserting email facts: after each catch-up the reader's facts equal the
//! database's, with no update lost.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use chrono::{DateTime, TimeZone, Utc};
use sltui::metrics::{EmailFact, TimeRange};
use sltui::store::{PgStore, RecordStore};
use sltui::worker::hub_reader::{HubReaderOptions, spawn_hub_reader, with_application_name};
use sltui::worker::{Envelope, Priority, Request, WorkerEvent, WorkerHandle};

use super::pg_support::test_db;

const EMAILS: u64 = 5_000;
const ROUNDS: usize = 100;

fn base() -> DateTime<Utc> {
    Utc.timestamp_opt(1_750_000_000, 0).single().unwrap()
}

/// Version `v` of email `id`: each version moves `updated_at` a second on and
/// changes its flags.
fn version(id: u64, v: u64) -> EmailFact {
    EmailFact {
        email_id: id,
        cadence_id: Some(1 + id % 3),
        step_id: Some(10 + id % 3),
        sent: true,
        bounced: v % 7 == 3,
        viewed: v % 2 == 1,
        clicked: v % 3 == 1,
        replied: v % 5 == 4,
        sent_at: Some(base()),
        view_tracked: true,
        click_tracked: true,
        template_id: None,
        person_id: None,
        updated_at: base() + chrono::Duration::seconds(v as i64),
    }
}

/// Keeps the newest version of each email, as the dashboard's aggregator does.
fn fold(seen: &mut HashMap<u64, EmailFact>, facts: Vec<EmailFact>) {
    for f in facts {
        match seen.get(&f.email_id) {
            Some(old) if old.updated_at > f.updated_at => {}
            _ => {
                seen.insert(f.email_id, f);
            }
        }
    }
}

fn sorted(mut v: Vec<EmailFact>) -> Vec<EmailFact> {
    v.sort_by_key(|f| f.email_id);
    v
}

/// Ends every session named `app`; how many it ended.
fn terminate(admin: &mut postgres::Client, app: &str) -> i64 {
    admin
        .query_one(
            "SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) FROM pg_stat_activity
             WHERE application_name = $1 AND pid <> pg_backend_pid()",
            &[&app],
        )
        .map(|r| r.get(0))
        .unwrap_or(0)
}

fn sessions(admin: &mut postgres::Client, app: &str) -> i64 {
    admin
        .query_one(
            "SELECT count(*) FROM pg_stat_activity WHERE application_name = $1",
            &[&app],
        )
        .map(|r| r.get(0))
        .unwrap_or(0)
}

/// The writer: upserts a few emails' next versions every few milliseconds
/// until stopped; holds still while `hold` is set (and says so in `held`).
fn writer(url: String, stop: Arc<AtomicBool>, hold: Arc<AtomicBool>, held: Arc<AtomicBool>) {
    let store = PgStore::connect(&url).expect("the writer connects");
    let mut versions: HashMap<u64, u64> = (0..EMAILS).map(|id| (id, 0)).collect();
    let mut seed = 0x2545_f491_4f6c_dd1du64;
    while !stop.load(Ordering::Relaxed) {
        if hold.load(Ordering::Acquire) {
            held.store(true, Ordering::Release);
            std::thread::sleep(Duration::from_millis(2));
            continue;
        }
        held.store(false, Ordering::Release);
        let mut batch = Vec::new();
        for _ in 0..8 {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            let id = seed % EMAILS;
            let v = versions.get_mut(&id).expect("known email");
            *v += 1;
            batch.push(version(id, *v));
        }
        // A write cut by a restart is simply tried again with the next batch.
        let _ = store.upsert_email_facts(&batch, 1);
        std::thread::sleep(Duration::from_millis(3));
    }
}

fn ask(worker: &WorkerHandle, id: u64, request: Request) {
    worker
        .requests
        .send(Envelope {
            id,
            priority: Priority::Visible,
            request,
        })
        .expect("the worker runs");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hundred_dropped_connections_lose_no_update() {
    let db = test_db();
    let app = format!("hubtest_{}", db.name);
    let url = db.url.clone();
    let checker = tokio::task::spawn_blocking(move || {
        let s = PgStore::connect(&url).expect("the checker connects");
        let first: Vec<EmailFact> = (0..EMAILS).map(|id| version(id, 0)).collect();
        s.upsert_email_facts(&first, 1).expect("first versions");
        s
    })
    .await
    .expect("join");
    let checker = Arc::new(checker);
    let mut worker = spawn_hub_reader(
        &with_application_name(&db.url, &app),
        HubReaderOptions {
            safety_net: Duration::from_secs(1),
            ..HubReaderOptions::default()
        },
    )
    .await
    .expect("the reader connects");
    ask(&worker, 1, Request::SetLive { enabled: true });
    ask(
        &worker,
        2,
        Request::Engagement {
            cadence_ids: vec![1, 2, 3],
            range: TimeRange::All,
        },
    );
    let (stop, hold, held) = (
        Arc::new(AtomicBool::new(false)),
        Arc::new(AtomicBool::new(false)),
        Arc::new(AtomicBool::new(false)),
    );
    let w = {
        let (url, stop, hold, held) = (db.url.clone(), stop.clone(), hold.clone(), held.clone());
        std::thread::spawn(move || writer(url, stop, hold, held))
    };
    let admin_url = db.url.clone();
    // The blocking client runs a runtime of its own: it lives on a plain thread.
    let (kill_tx, kill_rx) = std::sync::mpsc::channel::<String>();
    let (killed_tx, mut killed_rx) = tokio::sync::mpsc::unbounded_channel::<i64>();
    let admin_thread = std::thread::spawn(move || {
        let mut admin =
            postgres::Client::connect(&admin_url, postgres::NoTls).expect("admin connects");
        while let Ok(app) = kill_rx.recv() {
            let end = Instant::now() + Duration::from_secs(30);
            while sessions(&mut admin, &app) == 0 && Instant::now() < end {
                std::thread::sleep(Duration::from_millis(10));
            }
            let _ = killed_tx.send(terminate(&mut admin, &app));
        }
    });

    let mut seen: HashMap<u64, EmailFact> = HashMap::new();
    let mut problems = 0usize;
    // The first load completes before the first drop.
    loop {
        let ev = tokio::time::timeout(Duration::from_secs(60), worker.events.recv())
            .await
            .expect("the first load ends")
            .expect("the reader runs");
        match ev {
            WorkerEvent::EmailFacts { facts, .. } => fold(&mut seen, facts),
            WorkerEvent::Finished { id: 2, error } => {
                assert_eq!(error, None, "the first load");
                break;
            }
            _ => {}
        }
    }
    assert_eq!(seen.len() as u64, EMAILS, "every email loaded");
    let mut killed_total = 0i64;
    for round in 0..ROUNDS {
        // The reader is connected (listening) before its sessions are ended.
        kill_tx.send(app.clone()).expect("the admin thread runs");
        let killed = killed_rx.recv().await.expect("the admin thread answers");
        assert!(
            killed >= 1,
            "round {round}: no session of the reader to end"
        );
        killed_total += killed;
        tokio::time::sleep(Duration::from_millis((round as u64 * 7) % 40)).await;
        hold.store(true, Ordering::Release);
        while !held.load(Ordering::Acquire) {
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
        let c = checker.clone();
        let want = tokio::task::spawn_blocking(move || sorted(c.email_facts().expect("facts")))
            .await
            .expect("join");
        let end = Instant::now() + Duration::from_secs(30);
        loop {
            if sorted(seen.values().cloned().collect()) == want {
                break;
            }
            let left = end.saturating_duration_since(Instant::now());
            assert!(
                !left.is_zero(),
                "round {round}: the reader's facts never caught up with the database's \
                 ({} differ)",
                want.iter()
                    .filter(|f| seen.get(&f.email_id) != Some(f))
                    .count()
            );
            match tokio::time::timeout(left, worker.events.recv()).await {
                Ok(Some(WorkerEvent::EmailFacts { facts, .. })) => fold(&mut seen, facts),
                Ok(Some(WorkerEvent::HubDatabase { problem: Some(_) })) => problems += 1,
                Ok(Some(_)) | Err(_) => {}
                Ok(None) => panic!("the reader stopped"),
            }
        }
        hold.store(false, Ordering::Release);
    }
    stop.store(true, Ordering::Relaxed);
    w.join().expect("the writer ends");
    drop(kill_tx);
    admin_thread.join().expect("the admin thread ends");
    assert!(
        killed_total >= ROUNDS as i64,
        "{killed_total} sessions ended"
    );
    assert!(
        problems >= 1,
        "the reader noticed its connections being dropped"
    );
    let c = checker.clone();
    let n = tokio::task::spawn_blocking(move || c.count("email_facts").unwrap())
        .await
        .unwrap();
    assert_eq!(n, EMAILS, "every email is in the database once");
}
