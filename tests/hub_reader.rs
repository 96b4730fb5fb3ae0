//! The dashboard on the team database (`sltui --db`): the hub reader against a
//! real throwaway PostgreSQL ([`pg_support`]), never a mock. The records come
//! from the simulator, synced by the real engine. Jobs are run by
//! [`support::TestHubDriver`], the test's stand-in for the hub's job runner.

#[path = "hub_reader/cli.rs"]
mod cli;
#[path = "hub_reader/disconnects.rs"]
mod disconnects;
#[path = "hub_reader/jobs.rs"]
mod jobs;
#[path = "hub_reader/live_calls.rs"]
mod live_calls;
#[path = "pg_support/mod.rs"]
mod pg_support;
#[path = "hub_reader/removals.rs"]
mod removals;
#[path = "hub_reader/support.rs"]
mod support;
#[path = "synced_team/mod.rs"]
mod synced_team;

use std::collections::{BTreeMap, BTreeSet};

use chrono::{Duration as Days, Utc};
use serde_json::json;
use sltui::api::models::{Cadence, Person};
use sltui::metrics::{Aggregator, EmailFact, TimeRange};
use sltui::store::RecordStore;
use sltui::store::StoreRecord;
use sltui::store::pg::HubStatus;
use sltui::tui::msg::Msg;
use sltui::tui::state::AppState;
use sltui::tui::update::{init, update};
use sltui::tui::widgets::status_bar::first_line;
use sltui::worker::hub_reader::HubReaderOptions;
use support::{hub_state, open_reader, pump, send, team_db};

fn line_text(state: &AppState, width: u16) -> String {
    first_line(state, width)
        .spans
        .iter()
        .map(|s| s.content.as_ref())
        .collect()
}

fn loaded(s: &AppState) -> bool {
    !s.metrics.agg.is_preset()
        && s.cadences.list.fetch.waiting.is_none()
        && s.tasks.running.is_empty()
        && s.conn.hub.as_ref().is_some_and(|h| h.seen.is_some())
}

/// The dashboard's numbers per cadence and step, as the state holds them.
fn engagement(agg: &Aggregator, cadences: &[u64], steps: &[u64]) -> String {
    let c: BTreeMap<u64, String> = cadences
        .iter()
        .map(|&id| (id, format!("{:?}", agg.by_cadence(id))))
        .collect();
    let s: BTreeMap<u64, String> = steps
        .iter()
        .map(|&id| (id, format!("{:?}", agg.by_step(id))))
        .collect();
    format!("{c:?}\n{s:?}\n{:?}", agg.totals())
}

/// Everything the dashboard shows after its load equals what the database
/// holds; then changes written to the database reach it live.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_dashboard_on_the_hub_equals_the_database() {
    let (db, pg) = team_db(400).await;
    let now = Utc::now();
    pg.put_hub_status(&HubStatus {
        hub_name: "test-hub-1".into(),
        leader_since: Some(now - Days::minutes(5)),
        last_sync_at: Some(now - Days::seconds(12)),
        budget_remaining: Some(420),
        budget_limit: Some(600),
        updated_at: None,
    })
    .expect("hub status");
    let (reader, first) = open_reader(&db.url).await;
    let mut state = hub_state();
    update(&mut state, Msg::Stored(Box::new(first)));
    assert!(
        !state.cadences.list.cadences.is_empty(),
        "the first frame has the cadences"
    );
    let mut worker = reader.spawn(HubReaderOptions {
        rest: true,
        ..HubReaderOptions::default()
    });
    let fx = init(&mut state);
    send(&worker, fx);
    pump(&mut state, &mut worker, "the load", loaded).await;

    // Cadences, steps, users, people and engagement equal the database's.
    let json = |v: &[Cadence]| serde_json::to_value(v).unwrap();
    let mut want = pg.cadences().unwrap();
    let mut shown = state.cadences.list.cadences.clone();
    want.sort_by_key(|c| c.id);
    shown.sort_by_key(|c| c.id);
    assert_eq!(json(&shown), json(&want), "cadences");
    let cadence_ids: Vec<u64> = want.iter().map(|c| c.id).collect();
    for &c in &cadence_ids {
        let want: BTreeSet<u64> = pg.cadence_steps(c).unwrap().iter().map(|s| s.id).collect();
        let shown: BTreeSet<u64> = state
            .cadences
            .steps
            .get(&c)
            .map(|v| v.iter().map(|s| s.id).collect())
            .unwrap_or_default();
        assert_eq!(shown, want, "steps of cadence {c}");
    }
    let users: BTreeSet<u64> = pg.users().unwrap().iter().map(|u| u.id).collect();
    assert_eq!(
        state.team.users.keys().copied().collect::<BTreeSet<_>>(),
        users,
        "users"
    );
    let people = pg.person_rows().unwrap();
    assert_eq!(
        state.people.search.index.len(),
        people.len(),
        "people indexed"
    );
    for p in &people {
        let e = state
            .people
            .search
            .index
            .by_id(p.id)
            .expect("every person indexed");
        assert_eq!((&e.name, &e.email), (&p.name, &p.email), "person {}", p.id);
    }
    let facts = pg.email_facts().unwrap();
    let mut agg = Aggregator::new(TimeRange::All, Utc::now());
    for f in &facts {
        agg.upsert(f.clone());
    }
    let step_ids: Vec<u64> = pg.steps().unwrap().iter().map(|s| s.id).collect();
    assert!(agg.totals().sent > 0, "the team sent emails");
    assert_eq!(
        engagement(&state.metrics.agg, &cadence_ids, &step_ids),
        engagement(&agg, &cadence_ids, &step_ids),
        "engagement per cadence and step"
    );

    // The hub in place of the gauge, at 120 and 80 columns.
    let wide = line_text(&state, 120);
    assert!(
        wide.contains("hub test-hub-1 · synced 12s ago · team 420/600"),
        "{wide}"
    );
    let narrow = line_text(&state, 80);
    assert!(
        narrow.contains("test-hub-1 · synced 12s · 420/600") && narrow.chars().count() <= 80,
        "{narrow}"
    );

    // Live: a renamed cadence, a new person and a new email arrive.
    let cadence = want[0].clone();
    let mut v = serde_json::to_value(&cadence).unwrap();
    v["name"] = json!("Renamed by the hub");
    v["updated_at"] = json!((Utc::now() + Days::seconds(5)).to_rfc3339());
    let renamed: Cadence = serde_json::from_value(v).unwrap();
    let mut p = serde_json::to_value(pg.people().unwrap()[0].clone()).unwrap();
    p["id"] = json!(987_654_321u64);
    p["email_address"] = json!("new.person@example.com");
    p["display_name"] = json!("New Person");
    let person: Person = serde_json::from_value(p).unwrap();
    let fact = EmailFact {
        email_id: 123_456_789,
        cadence_id: Some(cadence.id),
        step_id: None,
        sent: true,
        bounced: false,
        viewed: true,
        clicked: false,
        replied: false,
        sent_at: Some(Utc::now()),
        view_tracked: true,
        click_tracked: true,
        template_id: None,
        person_id: None,
        updated_at: Utc::now(),
    };
    let before = state.metrics.agg.by_cadence(cadence.id);
    let mut w = sltui::store::PgStore::connect(&db.url).unwrap();
    let s: &mut dyn RecordStore = &mut w;
    s.upsert_prepared(&Cadence::prepare(&[renamed]), 1).unwrap();
    s.upsert_prepared(&Person::prepare(&[person]), 1).unwrap();
    s.upsert_email_facts(&[fact], 1).unwrap();
    let id = cadence.id;
    pump(&mut state, &mut worker, "the live changes", |s| {
        s.cadences
            .list
            .by_id(id)
            .is_some_and(|c| c.name == "Renamed by the hub")
            && s.people.search.index.by_id(987_654_321).is_some()
            && s.metrics.agg.by_cadence(id).sent == before.sent + 1
    })
    .await;
    assert_eq!(
        state.metrics.agg.by_cadence(id).opened,
        before.opened + 1,
        "the new email counts as opened"
    );
}
