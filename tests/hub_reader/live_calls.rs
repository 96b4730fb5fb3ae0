//! Calls, emails and email templates reach a dashboard on the team database
//! live: the funnel it was shown (people reached per step, the templates'
//! names) is counted again and pushed when one of its cadence's calls or emails
//! or one of the templates it names changes (a call it counted moved to another
//! cadence too), without a restart or a refresh.

use std::collections::BTreeSet;
use std::time::Instant;

use chrono::{Duration as Days, Utc};
use serde_json::json;
use sltui::api::CursorPosition;
use sltui::api::models::{Call, Email, EmailTemplate};
use sltui::metrics::TimeRange;
use sltui::metrics::funnel::StepFunnel;
use sltui::store::funnel::{Freshness, read_funnel};
use sltui::store::{RecordStore, StoreRecord};
use sltui::worker::hub_reader::HubReaderOptions;
use sltui::worker::{Envelope, PUSHED, Priority, Request, WorkerEvent, WorkerHandle};

use super::support::{HANG_GUARD, open_reader, team_db};

fn template(id: u64, title: &str, secs: i64) -> EmailTemplate {
    let at = Utc::now() - Days::days(1) + Days::seconds(secs);
    serde_json::from_value(json!({"id": id, "title": title, "updated_at": at})).expect("a template")
}

fn call(id: u64, cadence: u64, step: u64, person: u64) -> Call {
    let at = Utc::now();
    serde_json::from_value(json!({
        "id": id, "created_at": at, "updated_at": at, "cadence": {"id": cadence},
        "step": {"id": step}, "called_person": {"id": person}
    }))
    .expect("a call")
}

type Shown = (
    u64,
    Vec<StepFunnel>,
    std::collections::BTreeMap<u64, String>,
);

/// The next `Funnel` event answering `id`, as (cadence, rows, titles).
async fn next_funnel(worker: &mut WorkerHandle, id: u64, what: &str) -> Shown {
    let end = Instant::now() + HANG_GUARD;
    loop {
        let left = end.saturating_duration_since(Instant::now());
        match tokio::time::timeout(left, worker.events.recv()).await {
            Ok(Some(WorkerEvent::Funnel {
                id: got,
                cadence_id,
                funnel,
                titles,
                ..
            })) if got == id => return (cadence_id, funnel, titles),
            Ok(Some(WorkerEvent::Finished {
                id: got,
                error: Some(e),
            })) if got == id => panic!("{what}: {e}"),
            Ok(Some(_)) => {}
            Ok(None) => panic!("the worker stopped while waiting for {what}"),
            Err(_) => panic!("timed out waiting for {what}"),
        }
    }
}

fn reached(rows: &[StepFunnel], step: u64) -> usize {
    rows.iter()
        .find(|r| r.step_id == Some(step))
        .map_or(0, |r| r.people_reached)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_call_or_template_written_after_the_first_read_reaches_the_funnel() {
    let (db, pg) = team_db(200).await;
    // A sent email with a step, a recipient and a template: its cadence's
    // funnel is the one shown.
    let facts = pg.email_facts().expect("facts");
    let f = facts
        .iter()
        .find(|f| f.sent && f.step_id.is_some() && f.person_id.is_some() && f.template_id.is_some())
        .expect("a sent email with a step, a recipient and a template")
        .clone();
    let (cadence, step, tpl) = (
        f.cadence_id.unwrap(),
        f.step_id.unwrap(),
        f.template_id.unwrap(),
    );
    let named: BTreeSet<u64> = facts
        .iter()
        .filter(|g| g.cadence_id == Some(cadence))
        .filter_map(|g| g.template_id)
        .collect();
    let templates: Vec<EmailTemplate> = named
        .iter()
        .map(|&id| template(id, &format!("Template {id}"), 0))
        .collect();
    hub_writes(&db.url, move |s| {
        s.upsert_prepared(&EmailTemplate::prepare(&templates), 1)
            .unwrap();
        // The hub's first sync of what the funnel reads has finished (no
        // table named: nothing swept).
        for r in ["steps", "emails", "calls", "email_templates"] {
            s.begin_full(r, None, None).unwrap();
            s.finish_full(r, "-", &CursorPosition::start()).unwrap();
        }
    })
    .await;

    let (reader, _first) = open_reader(&db.url).await;
    let mut worker = reader.spawn(HubReaderOptions::default());
    worker
        .requests
        .send(Envelope {
            id: 1,
            priority: Priority::Visible,
            request: Request::Funnel {
                cadence_id: cadence,
                range: TimeRange::All,
            },
        })
        .expect("the worker runs");
    let (_, rows, titles) = next_funnel(&mut worker, 1, "the funnel").await;
    let before = reached(&rows, step);
    assert!(before > 0, "the step reached its recipients");
    assert_eq!(titles.get(&tpl), Some(&format!("Template {tpl}")));

    // The hub writes a call to someone the step had not reached, and a
    // template renamed; the database's change number before them:
    let seq = pg.change_seq().expect("seq");
    let new_call = call(777_001, cadence, step, 987_654_321);
    let renamed = template(tpl, "Renamed by the hub", 60);
    let (c, t) = (new_call.clone(), renamed.clone());
    hub_writes(&db.url, move |s| {
        s.upsert_prepared(&Call::prepare(&[c]), 1).unwrap();
        s.upsert_prepared(&EmailTemplate::prepare(&[t]), 1).unwrap();
    })
    .await;
    let set = pg.changes_after(seq).expect("changes");
    assert_eq!(set.calls, vec![new_call], "changes_after returns the call");
    assert_eq!(set.templates, vec![renamed], "and the template");

    // Pushed to the dashboard without a request.
    let (rows, titles) = loop {
        let (c, rows, titles) = next_funnel(&mut worker, PUSHED, "the pushed funnel").await;
        assert_eq!(c, cadence, "the funnel shown");
        if reached(&rows, step) == before + 1
            && titles.get(&tpl).map(String::as_str) == Some("Renamed by the hub")
        {
            break (rows, titles);
        }
    };
    // What a fresh count from the database says.
    let want = read_funnel(&pg, Freshness::Any, cadence, TimeRange::All, Utc::now())
        .expect("reads")
        .expect("covered");
    assert_eq!(format!("{rows:?}"), format!("{:?}", want.rows));
    assert_eq!(titles, want.titles);

    // With live updates on (as the dashboard starts), the hub stores an email
    // the step sent to someone else: its cadence's funnel is counted again and
    // pushed too.
    worker
        .requests
        .send(Envelope {
            id: 2,
            priority: Priority::Visible,
            request: Request::SetLive { enabled: true },
        })
        .expect("the worker runs");
    let at = Utc::now();
    let sent: Email = serde_json::from_value(json!({
        "id": 888_001, "created_at": at, "updated_at": at, "status": "sent", "sent_at": at,
        "view_tracking": true, "click_tracking": true,
        "cadence": {"id": cadence}, "step": {"id": step}, "recipient": {"id": 987_654_322u64},
        "email_template": {"id": tpl}
    }))
    .expect("an email");
    hub_writes(&db.url, move |s| {
        s.upsert_prepared(&Email::prepare(&[sent]), 1).unwrap();
    })
    .await;
    pushed_until(
        &mut worker,
        cadence,
        step,
        before + 2,
        "the funnel after an email",
    )
    .await;

    // The hub's next version of the call names another cadence: the funnel
    // shown counted it, so it is counted again without it, though nothing
    // the database changed names the shown cadence any more.
    let moved = call(777_001, cadence + 1_000_000, step, 987_654_321);
    hub_writes(&db.url, move |s| {
        s.upsert_prepared(&Call::prepare(&[moved]), 1).unwrap();
    })
    .await;
    pushed_until(
        &mut worker,
        cadence,
        step,
        before + 1,
        "the funnel after a call moved",
    )
    .await;
}

/// Writes to the team database as the hub does, on a connection of its own.
async fn hub_writes(url: &str, write: impl FnOnce(&mut dyn RecordStore) + Send + 'static) {
    let url = url.to_owned();
    tokio::task::spawn_blocking(move || {
        let mut w = sltui::store::PgStore::connect(&url).expect("connects");
        write(&mut w);
    })
    .await
    .expect("join");
}

/// Waits for pushed funnels of `cadence` until `step` has reached `want` people.
async fn pushed_until(worker: &mut WorkerHandle, cadence: u64, step: u64, want: usize, what: &str) {
    loop {
        let (c, rows, _) = next_funnel(worker, PUSHED, what).await;
        assert_eq!(c, cadence, "the funnel shown");
        if reached(&rows, step) == want {
            break;
        }
    }
}
