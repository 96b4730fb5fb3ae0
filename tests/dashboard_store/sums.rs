//! The stored engagement sums equal the simulator's counts, a synced store is not
//! read again, and the live poll catches up from it.

use super::*;

/// Engagement per cadence as the simulator counts it (`since`: RFC 3339, or all time).
async fn truth(sim: &SimHandle, since: Option<&str>) -> Vec<(u64, [u64; 6])> {
    let root = sim.base_url().trim_end_matches("/v2").to_string();
    let mut url = reqwest::Url::parse(&format!("{root}/_sim/truth/engagement")).expect("url");
    if let Some(s) = since {
        url.query_pairs_mut().append_pair("since", s);
    }
    let t: std::collections::HashMap<String, serde_json::Value> = reqwest::get(url)
        .await
        .expect("truth")
        .json()
        .await
        .expect("truth json");
    let mut out: Vec<(u64, [u64; 6])> = t
        .iter()
        .map(|(c, v)| {
            let n = |k: &str| v[k].as_u64().expect(k);
            (
                c.parse().expect("cadence id"),
                [
                    n("sent"),
                    n("delivered"),
                    n("opened"),
                    n("clicked"),
                    n("replied"),
                    n("bounced"),
                ],
            )
        })
        .filter(|(_, v)| v[0] > 0)
        .collect();
    out.sort_unstable();
    out
}

fn shown(s: &AppState) -> Vec<(u64, [u64; 6])> {
    let mut out: Vec<(u64, [u64; 6])> = s
        .metrics
        .agg
        .cadence_ids()
        .into_iter()
        .map(|c| {
            let e = s.metrics.agg.by_cadence(c);
            (
                c,
                [
                    e.sent,
                    e.delivered,
                    e.opened,
                    e.clicked,
                    e.replied,
                    e.bounced,
                ],
            )
        })
        .filter(|(_, v)| v[0] > 0)
        .collect();
    out.sort_unstable();
    out
}

fn asks(fx: &[Effect], pred: impl Fn(&sltui::worker::Request) -> bool) -> bool {
    fx.iter().any(|e| e.request().is_some_and(&pred))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_synced_store_is_not_read_again_and_the_live_poll_catches_up_from_it() {
    use sltui::metrics::TimeRange;
    use sltui::worker::{Request, WorkerEvent};
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let path = dir.join("work.sqlite");
    let sim = start_sim().await;
    let server = sync_store(&sim, &path).await;

    // Make it a store synced a while ago: it holds the emails updated up to the
    // median instant, and its emails cursor stands there.
    let through_us: i64 = {
        let conn = rusqlite::Connection::open(&path).expect("sqlite");
        let n: i64 = conn
            .query_row("SELECT count(*) FROM email_facts", [], |r| r.get(0))
            .expect("count");
        let t: i64 = conn
            .query_row(
                "SELECT updated_us FROM email_facts ORDER BY updated_us LIMIT 1 OFFSET ?1",
                [n / 2],
                |r| r.get(0),
            )
            .expect("median");
        let gone = conn
            .execute("DELETE FROM email_facts WHERE updated_us > ?1", [t])
            .expect("delete");
        assert!(gone > 10, "newer emails removed: {gone}");
        let through = chrono::DateTime::from_timestamp_micros(t)
            .expect("time")
            .fixed_offset();
        let cursor = serde_json::to_string(&sltui::api::CursorPosition::since(through))
            .expect("cursor json");
        conn.execute(
            "UPDATE sync_state SET cursor = ?1 WHERE resource = 'emails'",
            [cursor],
        )
        .expect("rewind");
        t
    };

    let mut s = live_state_on(TimeRange::All);
    let wall = s.clock.wall;
    stored::apply_load(
        &mut s,
        start::load(&path, &server, TimeRange::All, chrono::Utc::now()),
    );
    assert!(s.conn.store.coverage.people, "the people were fully synced");
    assert_eq!(
        s.conn
            .store
            .coverage
            .emails_through
            .map(|t| t.timestamp_micros()),
        Some(through_us)
    );
    let before = truth(&sim, None).await;
    assert_ne!(shown(&s), before, "the store misses the newer emails");

    // Nothing the store holds is read again: no people walk, no engagement read;
    // the live poll starts where the store stands.
    let fx = init(&mut s);
    assert!(!asks(&fx, |r| matches!(r, Request::IndexPeople)), "{fx:?}");
    assert!(
        !asks(&fx, |r| matches!(r, Request::Engagement { .. })),
        "{fx:?}"
    );
    assert!(
        asks(&fx, |r| matches!(r, Request::LiveFrom { .. })),
        "{fx:?}"
    );
    let rest = start::load_rest(&path).expect("rest");
    let fx2 = stored::on_event(&mut s, StoreEvent::Loaded(Ok(Box::new(rest))));
    assert!(fx2.is_empty(), "{fx2:?}");
    assert!(s.people.search.index.len() >= 300);

    // The catch-up brings exactly what changed since: the counts equal the truth.
    let mut worker = sltui::worker::spawn(client(&sim.base_url()), WorkerOptions::default());
    send(&worker, fx);
    let (mut history, mut live) = (0, 0);
    let deadline = tokio::time::Instant::now() + HANG_GUARD;
    while shown(&s) != before {
        let ev = tokio::time::timeout_at(deadline, worker.events.recv())
            .await
            .unwrap_or_else(|_| panic!("caught up: {:?} vs {before:?}", shown(&s)))
            .expect("worker alive");
        if let WorkerEvent::EmailFacts { live: l, facts, .. } = &ev {
            *(if *l { &mut live } else { &mut history }) += facts.len();
        }
        let fx = update(&mut s, sltui::tui::msg::Msg::Worker(ev));
        assert!(!asks(&fx, |r| matches!(
            r,
            Request::Engagement { .. } | Request::IndexPeople
        )));
        send(&worker, fx);
    }
    assert!(history > 0, "the catch-up came as history");
    assert_eq!(live, 0, "nothing changed live in a still world");
    assert_eq!(
        s.metrics
            .series
            .total_series(sltui::metrics::ActivityKind::Open, wall)
            .iter()
            .sum::<u64>(),
        0,
        "history is not live activity"
    );

    // Another range is counted here, with no request.
    let fx = act(&mut s, Action::CycleRange);
    assert!(
        !asks(&fx, |r| matches!(r, Request::Engagement { .. })),
        "{fx:?}"
    );
    let since = (s.clock.wall - chrono::TimeDelta::days(7)).to_rfc3339();
    assert_eq!(s.metrics.range, TimeRange::Days(7));
    assert_eq!(shown(&s), truth(&sim, Some(&since)).await);
    drop(worker);
    sim.shutdown().await;
}
