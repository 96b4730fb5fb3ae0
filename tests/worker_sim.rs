//! The worker against the embedded simulator over real loopback HTTP: no mock of
//! our own client. Time limits here only stop a hung test; nothing asserts on speed.

mod worker_support;

use std::collections::{BTreeMap, BTreeSet};

use sltui::metrics::{Aggregator, TimeRange};
use sltui::sim::SimConfig;
use sltui::worker::{Priority, Request, RequestId, WorkerEvent, WorkerOptions};
use worker_support::{
    HANG_GUARD, Ui, assert_counts_equal_truth, client, endpoint_count, start_sim, start_sim_with,
    stat, truth,
};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cadences_and_engagement_match_the_simulator() {
    let sim = start_sim(600, 300).await;
    let mut ui = Ui::new(client(&sim, 600), WorkerOptions::default());
    let truth = truth(&sim).await;

    let (events, error) = ui.run(Priority::Visible, Request::Cadences).await;
    assert_eq!(error, None);
    let ids: BTreeSet<u64> = events
        .iter()
        .find_map(|e| match e {
            WorkerEvent::Cadences { cadences, .. } => Some(cadences.iter().map(|c| c.id).collect()),
            _ => None,
        })
        .expect("a Cadences event");
    assert_eq!(ids, truth.keys().copied().collect(), "every cadence, once");

    let cadence_ids: Vec<u64> = ids.iter().copied().collect();
    let request = Request::Engagement {
        cadence_ids: cadence_ids.clone(),
        range: TimeRange::All,
    };
    let emails_before = endpoint_count(&sim, "GET activities/emails").await;
    let charged_before = stat(&sim, "cost_charged").await;
    let (events, error) = ui.run(Priority::Visible, request.clone()).await;
    assert_eq!(error, None);
    // The load says what it spent: every email read it made, as charged.
    let emails_read = endpoint_count(&sim, "GET activities/emails").await - emails_before;
    assert!(emails_read > 0);
    assert_eq!(
        spent(&events),
        Some((
            emails_read,
            stat(&sim, "cost_charged").await - charged_before
        )),
        "the load's requests and points"
    );
    let mut agg = Aggregator::new(TimeRange::All, chrono::Utc::now());
    let mut loaded = BTreeSet::new();
    for e in events {
        match e {
            WorkerEvent::EmailFacts {
                facts, live: false, ..
            } => {
                for f in facts {
                    agg.upsert(f);
                }
            }
            WorkerEvent::EngagementLoaded { cadence_id, .. } => {
                loaded.insert(cadence_id);
            }
            _ => {}
        }
    }
    assert_eq!(loaded, ids, "every cadence reported loaded");
    assert_counts_equal_truth(&agg, &truth);
    assert!(agg.totals().sent > 0, "the dataset has sent emails");

    // The same range again: nothing is re-read, every cadence is reported loaded.
    let reads = endpoint_count(&sim, "GET activities/emails").await;
    let (events, error) = ui.run(Priority::Visible, request).await;
    assert_eq!(error, None);
    let again = events
        .iter()
        .filter(|e| matches!(e, WorkerEvent::EngagementLoaded { .. }))
        .count();
    assert_eq!(again, cadence_ids.len());
    assert_eq!(endpoint_count(&sim, "GET activities/emails").await, reads);
    assert_eq!(
        spent(&events),
        Some((0, 0)),
        "nothing spent the second time"
    );

    // Cadences again: from the cache; after ClearCache: from the API.
    let before = endpoint_count(&sim, "GET cadences").await;
    let (events, _) = ui.run(Priority::Visible, Request::Cadences).await;
    assert!(
        events
            .iter()
            .any(|e| matches!(e, WorkerEvent::Cadences { .. }))
    );
    assert_eq!(endpoint_count(&sim, "GET cadences").await, before, "cached");
    assert_eq!(ui.run(Priority::User, Request::ClearCache).await.1, None);
    ui.run(Priority::Visible, Request::Cadences).await;
    assert_eq!(endpoint_count(&sim, "GET cadences").await, before + 1);
    sim.shutdown().await;
}

/// The requests and points an `Engagement` request's `EngagementDone` reports.
fn spent(events: &[WorkerEvent]) -> Option<(u64, u64)> {
    events.iter().find_map(|e| match e {
        WorkerEvent::EngagementDone {
            requests, points, ..
        } => Some((*requests, *points)),
        _ => None,
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn people_index_and_latest_lookup() {
    let sim = start_sim(600, 250).await;
    let api = client(&sim, 600);
    let mut ui = Ui::new(api.clone(), WorkerOptions::default());
    let (events, error) = ui.run(Priority::Background, Request::IndexPeople).await;
    assert_eq!(error, None);
    let mut ids = BTreeSet::new();
    let mut total = None;
    let mut index = None;
    let mut emails = Vec::new();
    let mut pages = Vec::new();
    for e in events {
        match e {
            WorkerEvent::PeopleBatch { people, .. } => {
                let with_email = people.iter().filter(|e| !e.email.is_empty());
                emails.extend(with_email.map(|e| e.email.clone()));
                ids.extend(people.iter().map(|e| e.id));
                pages.extend(people);
            }
            WorkerEvent::PeopleIndexed {
                total: t, index: i, ..
            } => {
                total = Some(t);
                index = i;
            }
            _ => {}
        }
    }
    assert_eq!(ids.len(), 250, "every person once");
    assert_eq!(total, Some(250));
    // The first walk lists everyone: it sends them as a search index too, in
    // the order of the pages (not laid out: the UI has the worker do that when
    // its own index of the pages is not laid out already).
    let mut index = index.expect("the first walk's index");
    assert_eq!(index.len(), 250);
    assert!(ids.iter().all(|id| index.by_id(*id).is_some()));
    // The pages the UI got are the index's entries themselves (one copy of
    // everyone between the two until the UI swaps the index in).
    assert_eq!(pages.len(), 250);
    for (page, kept) in pages.iter().zip(index.entries()) {
        assert!(std::sync::Arc::ptr_eq(page, kept), "{} copied", page.id);
    }
    let first = emails.first().expect("people with email addresses").clone();
    let hits = index.search(&first, 5);
    assert!(
        hits.hits
            .iter()
            .any(|&i| index.get(i).is_some_and(|e| e.email == first)),
        "the index finds {first}"
    );

    // Lookups typed one after another: each request ends, the newest one answers.
    let sent: Vec<(RequestId, String)> = emails
        .iter()
        .take(3)
        .map(|e| {
            let email = e.to_uppercase();
            let request = Request::PersonByEmail {
                email: email.clone(),
            };
            (ui.send(Priority::Visible, request), e.clone())
        })
        .collect();
    let mut finished = BTreeSet::new();
    let mut found = BTreeMap::new();
    while finished.len() < sent.len() {
        match ui.event().await {
            WorkerEvent::Finished { id, error } => {
                assert_eq!(error, None);
                finished.insert(id);
            }
            WorkerEvent::PersonFound { id, person } => {
                found.insert(id, person.and_then(|p| p.email_address));
            }
            _ => {}
        }
    }
    let (last_id, last_email) = sent.last().cloned().expect("three lookups");
    assert_eq!(found.get(&last_id), Some(&Some(last_email)));
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tiny_budget_pauses_background_work_instead_of_hitting_429() {
    // 30 points a minute; the people index and the engagement of every cadence
    // need many more pages than that.
    let sim = start_sim(30, 3000).await;
    let truth = truth(&sim).await;
    let mut ui = Ui::new(client(&sim, 30), WorkerOptions::default());
    ui.send(Priority::User, Request::SetLive { enabled: true });
    ui.send(Priority::Background, Request::IndexPeople);
    let cadence_ids: Vec<u64> = truth.keys().copied().collect();
    ui.send(
        Priority::Visible,
        Request::Engagement {
            cadence_ids,
            range: TimeRange::All,
        },
    );

    let (mut paused, mut deferred) = (None, None);
    while paused.is_none() || deferred.is_none() {
        match ui.event().await {
            WorkerEvent::LiveState {
                paused_reason: Some(r),
                ..
            } => paused = Some(r),
            WorkerEvent::Deferred { reason, .. } => deferred = Some(reason),
            _ => {}
        }
    }
    let paused = paused.unwrap_or_default();
    assert!(paused.contains("under the 20% reserve"), "{paused}");
    assert!(paused.contains("/30"), "{paused}");
    let deferred = deferred.unwrap_or_default();
    assert!(deferred.contains("retrying in"), "{deferred}");
    assert_eq!(
        stat(&sim, "throttled").await,
        0,
        "the governor never ran into a 429"
    );
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn live_polling_brings_changed_emails() {
    let sim = start_sim_with(SimConfig {
        people: 300,
        cadences: 12,
        live: true,
        ..SimConfig::default()
    })
    .await;
    let mut ui = Ui::polling_every_second(&sim);
    ui.send(Priority::User, Request::SetLive { enabled: true });
    let watch = async {
        let (mut heartbeat, mut live_facts) = (false, 0usize);
        while !heartbeat || live_facts == 0 {
            match ui.event().await {
                WorkerEvent::Heartbeat { .. } => heartbeat = true,
                WorkerEvent::EmailFacts {
                    facts, live: true, ..
                } => live_facts += facts.len(),
                WorkerEvent::EmailFacts { live: false, .. } => {
                    panic!("only live facts were asked for")
                }
                WorkerEvent::Error { message } => panic!("{message}"),
                _ => {}
            }
        }
    };
    // Heartbeats keep coming, so the per-event guard alone would never fire.
    tokio::time::timeout(HANG_GUARD, watch)
        .await
        .expect("live facts arrive while the simulator is live");
    sim.shutdown().await;
}

/// The cost question's estimate: one counting request, then a load that spends
/// no more than estimated (and not much less); cadences read already cost nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_estimate_bounds_what_the_load_spends() {
    let sim = start_sim(600, 2_000).await;
    let api = client(&sim, 600);
    let budget = api.budget().clone();
    let mut ui = Ui::new(api, WorkerOptions::default());
    let (events, _) = ui.run(Priority::Visible, Request::Cadences).await;
    let ids: Vec<u64> = events
        .iter()
        .find_map(|e| match e {
            WorkerEvent::Cadences { cadences, .. } => Some(cadences.iter().map(|c| c.id).collect()),
            _ => None,
        })
        .expect("cadences");
    let estimate = |events: &[WorkerEvent]| {
        events
            .iter()
            .find_map(|e| match e {
                WorkerEvent::EngagementEstimate {
                    cadence_ids,
                    emails,
                    cost,
                    ..
                } => Some((cadence_ids.clone(), *emails, *cost)),
                _ => None,
            })
            .expect("an estimate")
    };
    let truth = truth(&sim).await;
    let sent_in_truth: u64 = truth.values().map(|t| t["sent"].as_u64().unwrap()).sum();

    let spent_before = budget.snapshot().spent;
    let ask = Request::EstimateEngagement {
        cadence_ids: ids.clone(),
        range: TimeRange::All,
    };
    let (events, error) = ui.run(Priority::Visible, ask.clone()).await;
    assert_eq!(error, None);
    let (uncovered, emails, cost) = estimate(&events);
    assert_eq!(uncovered, ids, "nothing was read yet");
    let emails = emails.expect("the simulator counts");
    assert!(
        emails >= sent_in_truth,
        "{emails} emails, {sent_in_truth} sent"
    );
    let cost = cost.expect("a cost");
    assert_eq!(
        budget.snapshot().spent - spent_before,
        1,
        "one point counts them"
    );

    let before = budget.snapshot().spent;
    let load = Request::Engagement {
        cadence_ids: ids.clone(),
        range: TimeRange::All,
    };
    assert_eq!(ui.run(Priority::Visible, load).await.1, None);
    let spent = budget.snapshot().spent - before;
    assert!(
        spent <= cost.points,
        "the load spent {spent}, more than the {} estimated",
        cost.points
    );
    assert!(
        spent + ids.len() as u64 >= cost.points,
        "the estimate ({}) is at most a page per cadence above what was spent ({spent})",
        cost.points
    );

    // Read already: the estimate is free and says so.
    let before = budget.snapshot().spent;
    let (events, _) = ui.run(Priority::Visible, ask).await;
    let (uncovered, _, cost) = estimate(&events);
    assert!(uncovered.is_empty());
    assert_eq!(cost.map(|c| c.points), Some(0));
    assert_eq!(budget.snapshot().spent, before, "no request");
    sim.shutdown().await;
}

/// The SalesLoft reads a funnel makes: the cadence's steps, its emails and the
/// team's calls.
async fn funnel_reads(sim: &sltui::sim::SimHandle) -> u64 {
    let mut n = 0;
    for name in ["GET steps", "GET activities/emails", "GET activities/calls"] {
        n += endpoint_count(sim, name).await;
    }
    n
}

/// Asks for one funnel and checks the answer is that cadence's.
async fn funnel(ui: &mut Ui, cadence_id: u64, range: TimeRange) {
    let (events, error) = ui
        .run(Priority::Visible, Request::Funnel { cadence_id, range })
        .await;
    assert_eq!(error, None);
    assert!(
        events.iter().any(|e| matches!(
            e,
            WorkerEvent::Funnel { cadence_id: c, range: r, .. } if *c == cadence_id && *r == range
        )),
        "a funnel of cadence {cadence_id} arrives"
    );
}

/// A funnel is read from SalesLoft once per (cadence, range) and answered from
/// the worker's memory after that, until the live data shows a change of one of
/// the cadence's emails; other cadences' funnels stay remembered.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_funnel_is_read_once_until_the_live_data_changes_the_cadence() {
    let sim = start_sim_with(SimConfig {
        people: 300,
        cadences: 8,
        live: true,
        live_tick_ms: 200,
        ..SimConfig::default()
    })
    .await;
    let mut ui = Ui::polling_every_second(&sim);
    let (events, _) = ui.run(Priority::Visible, Request::Cadences).await;
    let ids: Vec<u64> = events
        .iter()
        .find_map(|e| match e {
            WorkerEvent::Cadences { cadences, .. } => Some(cadences.iter().map(|c| c.id).collect()),
            _ => None,
        })
        .expect("cadences");
    // Live updates are off: nothing can change what the worker remembers.
    for &c in &ids {
        let before = funnel_reads(&sim).await;
        funnel(&mut ui, c, TimeRange::All).await;
        assert!(
            funnel_reads(&sim).await > before,
            "the first ask of {c} reads SalesLoft"
        );
        let before = funnel_reads(&sim).await;
        funnel(&mut ui, c, TimeRange::All).await;
        assert_eq!(
            funnel_reads(&sim).await,
            before,
            "the second ask of {c} reads nothing"
        );
    }
    let before = funnel_reads(&sim).await;
    funnel(&mut ui, ids[0], TimeRange::Days(7)).await;
    assert!(funnel_reads(&sim).await > before, "another range is read");
    // Live updates on until changed emails arrive, then off again.
    ui.send(Priority::User, Request::SetLive { enabled: true });
    let mut changed: BTreeSet<u64> = BTreeSet::new();
    let watch = async {
        while changed.is_empty() {
            if let WorkerEvent::EmailFacts { facts, .. } = ui.event().await {
                changed.extend(facts.iter().filter_map(|f| f.cadence_id));
            }
        }
    };
    tokio::time::timeout(HANG_GUARD, watch)
        .await
        .expect("the live simulator changes emails");
    ui.send(Priority::User, Request::SetLive { enabled: false });
    // A poll already running may still bring changes: take them in too.
    let settle = async {
        loop {
            if let WorkerEvent::EmailFacts { facts, .. } = ui.event().await {
                changed.extend(facts.iter().filter_map(|f| f.cadence_id));
            }
        }
    };
    let _ = tokio::time::timeout(std::time::Duration::from_secs(3), settle).await;
    let hit = *changed.iter().next().unwrap();
    let before = funnel_reads(&sim).await;
    funnel(&mut ui, hit, TimeRange::All).await;
    assert!(
        funnel_reads(&sim).await > before,
        "a cadence whose emails changed is read again"
    );
    let calm = *ids
        .iter()
        .find(|c| !changed.contains(c))
        .expect("a cadence whose emails did not change");
    let before = funnel_reads(&sim).await;
    funnel(&mut ui, calm, TimeRange::All).await;
    assert_eq!(
        funnel_reads(&sim).await,
        before,
        "cadence {calm} did not change: still remembered"
    );
    sim.shutdown().await;
}

/// A local store whose sync covers the emails answers the engagement load:
/// the estimate says it costs nothing, the load reads no email from SalesLoft,
/// and its facts count as the simulator's truth.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_covering_local_store_answers_the_engagement_load_for_free() {
    use sltui::store::{RecordStore, Store};
    use sltui::sync::{Engine, Resource, SyncOptions};
    use std::sync::{Arc, Mutex};

    let sim = start_sim(100_000, 300).await;
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("store.sqlite");
    let store: Arc<Mutex<dyn RecordStore>> =
        Arc::new(Mutex::new(Store::open(&path).expect("store")));
    let opts = SyncOptions {
        resources: vec![Resource::Emails],
        ..SyncOptions::default()
    };
    let report = Engine::new(client(&sim, 100_000), store, opts).run().await;
    assert!(report.ok(), "{report:?}");
    let truth = truth(&sim).await;
    let ids: Vec<u64> = truth.keys().copied().collect();
    let mut ui = Ui::new(
        client(&sim, 100_000),
        WorkerOptions {
            store_path: Some(path),
            ..WorkerOptions::default()
        },
    );
    let emails_before = endpoint_count(&sim, "GET activities/emails").await;
    let (events, error) = ui
        .run(
            Priority::Visible,
            Request::EstimateEngagement {
                cadence_ids: ids.clone(),
                range: TimeRange::All,
            },
        )
        .await;
    assert_eq!(error, None);
    let cost = events.iter().find_map(|e| match e {
        WorkerEvent::EngagementEstimate { cost, .. } => Some(*cost),
        _ => None,
    });
    let cost = cost.expect("an estimate").expect("a cost");
    assert_eq!(
        (cost.requests, cost.points),
        (0, 0),
        "the store answers free"
    );
    let (events, error) = ui
        .run(
            Priority::Visible,
            Request::Engagement {
                cadence_ids: ids.clone(),
                range: TimeRange::All,
            },
        )
        .await;
    assert_eq!(error, None);
    let mut agg = Aggregator::new(TimeRange::All, chrono::Utc::now());
    let mut loaded = BTreeSet::new();
    for e in events {
        match e {
            WorkerEvent::EmailFacts { facts, .. } => facts.into_iter().for_each(|f| {
                agg.upsert(f);
            }),
            WorkerEvent::EngagementLoaded { cadence_id, .. } => {
                loaded.insert(cadence_id);
            }
            _ => {}
        }
    }
    assert_eq!(
        loaded,
        ids.iter().copied().collect(),
        "every cadence loaded"
    );
    assert_counts_equal_truth(&agg, &truth);
    assert_eq!(
        endpoint_count(&sim, "GET activities/emails").await,
        emails_before,
        "no email was read from SalesLoft"
    );
}
