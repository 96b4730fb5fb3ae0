//! `report --by step|template` and the call columns from a store: the profile's
//! SQLite store filled by `sltui sync`, and the team's PostgreSQL database
//! (`--db`) filled by the sync engine. Each must equal our own count of the raw
//! simulator records and what the same report reads from SalesLoft, and a
//! store that covers them must not read steps, emails or calls from SalesLoft.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use serde_json::Value;
use sltui::api::{ApiClient, ApiConfig};
use sltui::store::{PgStore, RecordStore};
use sltui::sync::{Engine, SyncOptions};

use super::breakdowns::{
    all, busiest, check_calls, check_steps, check_templates, check_trends, rows,
    step_with_templates,
};
use super::pg_support::test_db;
use super::{KEY, Sim, start};

/// The reads a funnel or the call columns make when they go to SalesLoft.
const ANALYTICS_READS: [&str; 4] = [
    "GET steps",
    "GET activities/emails",
    "GET activities/calls",
    "GET email_templates",
];

/// Requests per endpoint the simulator answered so far.
async fn requests(sim: &Sim) -> BTreeMap<String, u64> {
    let stats = sim.sim("stats").await;
    serde_json::from_value(stats["by_endpoint"].clone()).expect("by_endpoint")
}

/// How many of the `reads` `after` has over `before`.
fn reads_of(reads: &[&str], before: &BTreeMap<String, u64>, after: &BTreeMap<String, u64>) -> u64 {
    reads
        .iter()
        .map(|k| {
            let n = |m: &BTreeMap<String, u64>| m.get(*k).copied().unwrap_or(0);
            n(after) - n(before)
        })
        .sum()
}

/// The three reports of cadence `cid` (`--by step`, `--by template --step sid`,
/// and every cadence's row), with `extra` flags, and the reads they made of
/// SalesLoft: the analytics reads of the first two, the calls read by the third
/// (whose engagement is read as the dashboard's is).
async fn reports(sim: &Sim, cid: u64, sid: u64, extra: &[&str]) -> ([Vec<Value>; 3], u64, u64) {
    let before = requests(sim).await;
    let (c, s) = (cid.to_string(), sid.to_string());
    let mut step_args = vec![
        "report",
        "--by",
        "step",
        "--cadence",
        &c,
        "--format",
        "json",
    ];
    step_args.extend_from_slice(extra);
    let mut template_args = vec![
        "report",
        "--by",
        "template",
        "--cadence",
        &c,
        "--step",
        &s,
        "--format",
        "json",
    ];
    template_args.extend_from_slice(extra);
    let mut cadence_args = vec!["report", "--format", "json"];
    cadence_args.extend_from_slice(extra);
    let steps = rows(&sim.sltui(&step_args).await);
    let templates = rows(&sim.sltui(&template_args).await);
    let between = requests(sim).await;
    let cadences = rows(&sim.sltui(&cadence_args).await);
    let after = requests(sim).await;
    (
        [steps, templates, cadences],
        reads_of(&ANALYTICS_READS, &before, &between),
        reads_of(&["GET activities/calls"], &between, &after),
    )
}

/// Our own counts of the raw records, checked against each report.
async fn check_all(sim: &Sim, cid: u64, sid: u64, emails: &[Value], got: &[Vec<Value>; 3]) {
    let calls = all(sim, "activities/calls").await;
    let api_steps = all(sim, &format!("steps?cadence_id={cid}")).await;
    assert_eq!(got[0].len(), api_steps.len(), "one row per step");
    let total = check_steps(&got[0], emails, &calls, &api_steps);
    assert!(total.sent > 0, "the cadence sent emails");
    check_templates(sim, &got[1], emails, sid).await;
    check_calls(&got[2], &calls, &sim.cadences().await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_synced_local_store_answers_the_funnel_templates_and_calls() {
    let sim = start().await;
    let (cid, emails) = busiest(&sim).await;
    let sid = step_with_templates(&emails);
    // No store yet: SalesLoft answers.
    let (from_api, api_reads, api_calls) = reports(&sim, cid, sid, &[]).await;
    assert!(
        api_reads > 0 && api_calls > 0,
        "without a store the reports read SalesLoft"
    );
    check_all(&sim, cid, sid, &emails, &from_api).await;
    let sync = sim.sltui(&["sync"]).await;
    assert_eq!(sync.code, 0, "{}", sync.stderr);
    let (from_store, store_reads, store_calls) = reports(&sim, cid, sid, &[]).await;
    assert_eq!(
        (store_reads, store_calls),
        (0, 0),
        "a store whose sync covers them reads no steps, emails, calls or templates"
    );
    check_all(&sim, cid, sid, &emails, &from_store).await;
    assert_eq!(
        from_store, from_api,
        "the store and SalesLoft give the same rows"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_team_database_answers_the_funnel_templates_and_calls() {
    let sim = start().await;
    let (cid, emails) = busiest(&sim).await;
    let sid = step_with_templates(&emails);
    let (from_api, _, _) = reports(&sim, cid, sid, &[]).await;
    let db = test_db();
    let url = db.url.clone();
    let pg = tokio::task::spawn_blocking(move || PgStore::connect(&url).expect("connects"))
        .await
        .expect("join");
    let store: Arc<Mutex<dyn RecordStore>> = Arc::new(Mutex::new(pg));
    let client =
        ApiClient::new(ApiConfig::new(&sim.handle.base_url(), Some(KEY.into()))).expect("client");
    let report = Engine::new(client, store, SyncOptions::default())
        .run()
        .await;
    assert!(report.ok(), "the sync into PostgreSQL works: {report:?}");
    for name in ["calls", "email_templates"] {
        let r = report.resources.iter().find(|r| r.resource == name);
        assert!(
            r.is_some_and(|r| r.records > 0 && r.points > 0),
            "{name} are synced and their points counted: {report:?}"
        );
    }
    let (from_db, db_reads, db_calls) = reports(&sim, cid, sid, &["--db", &db.url]).await;
    assert_eq!((db_reads, db_calls), (0, 0), "--db sends SalesLoft nothing");
    check_all(&sim, cid, sid, &emails, &from_db).await;
    assert_eq!(
        from_db, from_api,
        "the database and SalesLoft give the same rows"
    );
}

/// `report --by cadence|day|week` of cadence `cid` (JSON, then the cadence rows
/// of every cadence as a table), their stdouts, and how many emails they read
/// from SalesLoft.
async fn engagement_reports(sim: &Sim, cid: u64) -> (Vec<String>, u64) {
    let before = requests(sim).await;
    let c = cid.to_string();
    let mut out = Vec::new();
    for by in ["cadence", "day", "week"] {
        let run = sim
            .sltui(&["report", "--by", by, "--cadence", &c, "--format", "json"])
            .await;
        rows(&run);
        out.push(run.stdout);
    }
    let table = sim.sltui(&["report", "--format", "table"]).await;
    assert_eq!(table.code, 0, "{}", table.stderr);
    out.push(table.stdout);
    let after = requests(sim).await;
    (out, reads_of(&["GET activities/emails"], &before, &after))
}

fn parsed(stdout: &str) -> Vec<Value> {
    serde_json::from_str::<Value>(stdout)
        .expect("json")
        .as_array()
        .expect("an array")
        .clone()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_synced_local_store_answers_cadence_day_and_week() {
    let sim = start().await;
    let (cid, emails) = busiest(&sim).await;
    let (from_api, api_emails) = engagement_reports(&sim, cid).await;
    assert!(
        api_emails > 0,
        "without a store the emails are read from SalesLoft"
    );
    check_trends(
        cid,
        &parsed(&from_api[0]),
        &parsed(&from_api[1]),
        &parsed(&from_api[2]),
        &emails,
    );
    let sync = sim.sltui(&["sync"]).await;
    assert_eq!(sync.code, 0, "{}", sync.stderr);
    let (from_store, store_emails) = engagement_reports(&sim, cid).await;
    assert_eq!(
        store_emails, 0,
        "a store whose sync covers the emails reads none from SalesLoft"
    );
    check_trends(
        cid,
        &parsed(&from_store[0]),
        &parsed(&from_store[1]),
        &parsed(&from_store[2]),
        &emails,
    );
    for (i, what) in ["--by cadence", "--by day", "--by week", "the table"]
        .iter()
        .enumerate()
    {
        assert_eq!(
            from_store[i], from_api[i],
            "{what}: the store prints what SalesLoft's records print, byte for byte"
        );
    }
}
