//! Rows removed from the team database leave the dashboards: an email fact
//! deleted upstream leaves the counts, and a dashboard that fell behind pruned
//! removal notes reads everything again rather than trusting what it can see.

use std::time::Duration;

use chrono::Utc;
use sltui::metrics::TimeRange;
use sltui::store::RecordStore;
use sltui::tui::msg::Msg;
use sltui::tui::state::AppState;
use sltui::tui::update::{init, update};
use sltui::worker::hub_reader::HubReaderOptions;

use super::support::{hub_state, open_reader, pump, send, team_db};

/// Runs `sql` on the database at `url` (off the runtime: the client blocks).
async fn exec(url: &str, sql: &'static str) -> u64 {
    let url = url.to_string();
    tokio::task::spawn_blocking(move || {
        let mut c = postgres::Client::connect(&url, postgres::NoTls).expect("connects");
        c.execute(sql, &[]).expect("runs")
    })
    .await
    .expect("join")
}

fn facts_loaded(s: &AppState) -> bool {
    !s.metrics.agg.is_preset() && s.tasks.running.is_empty() && !s.people.search.index.is_empty()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_fact_removed_upstream_leaves_the_counts() {
    let (db, pg) = team_db(200).await;
    let (reader, first) = open_reader(&db.url).await;
    let mut state = hub_state();
    update(&mut state, Msg::Stored(Box::new(first)));
    let mut worker = reader.spawn(HubReaderOptions {
        rest: true,
        ..HubReaderOptions::default()
    });
    send(&worker, init(&mut state));
    pump(&mut state, &mut worker, "the load", facts_loaded).await;
    let before = state.metrics.agg.totals().sent;
    let in_db = pg.email_facts().expect("facts").len() as u64;
    assert!(before > 10, "the team sent emails");

    // A full sync's sweep removes ten emails SalesLoft no longer has.
    let gone = exec(
        &db.url,
        "DELETE FROM sltui.email_facts WHERE id IN
           (SELECT id FROM sltui.email_facts WHERE (flags & 1) = 1 ORDER BY id LIMIT 10)",
    )
    .await;
    assert_eq!(gone, 10);
    pump(&mut state, &mut worker, "the removal", |s| {
        s.metrics.agg.totals().sent == before - 10
    })
    .await;
    let mut want = sltui::metrics::Aggregator::new(TimeRange::All, Utc::now());
    for f in pg.email_facts().expect("facts") {
        want.upsert(f);
    }
    assert_eq!(in_db - 10, pg.email_facts().unwrap().len() as u64);
    assert_eq!(
        format!("{:?}", state.metrics.agg.totals()),
        format!("{:?}", want.totals()),
        "the counts equal the database's"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dashboard_behind_pruned_removals_reads_everything_again() {
    let (db, pg) = team_db(200).await;
    // The reader opens at today's change number, then a person is removed and
    // the note of it pruned before the reader follows: it cannot see that
    // removal any more.
    let (reader, first) = open_reader(&db.url).await;
    let seq = pg.change_seq().expect("seq");
    let removed = exec(
        &db.url,
        "DELETE FROM sltui.people WHERE id = (SELECT min(id) FROM sltui.people)",
    )
    .await;
    assert_eq!(removed, 1);
    assert!(!pg.changes_after(seq).expect("changes").stale);
    exec(
        &db.url,
        "UPDATE sltui.removals SET at = now() - interval '8 days'",
    )
    .await;
    let pruned = pg
        .prune_removals(Duration::from_secs(7 * 24 * 3600))
        .expect("prunes");
    assert_eq!(pruned, 1);
    let set = pg.changes_after(seq).expect("changes");
    assert!(set.stale && set.removed.is_empty(), "{set:?}");
    assert!(!pg.changes_after(pg.change_seq().unwrap()).unwrap().stale);

    // Without the rest at start, the people can only come from the re-read.
    let mut state = hub_state();
    update(&mut state, Msg::Stored(Box::new(first)));
    let mut worker = reader.spawn(HubReaderOptions {
        rest: false,
        ..HubReaderOptions::default()
    });
    send(&worker, init(&mut state));
    pump(&mut state, &mut worker, "the re-read", facts_loaded).await;
    let people = pg.person_rows().expect("people");
    assert_eq!(state.people.search.index.len(), people.len());
    for p in &people {
        assert!(
            state.people.search.index.by_id(p.id).is_some(),
            "person {}",
            p.id
        );
    }
}
