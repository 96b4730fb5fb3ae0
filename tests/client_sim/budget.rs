//! The rate-limit budget as our client sees it: deep-page costs, the headers
//! feeding `Budget`, and recovery from 429s.

use sltui::api::Query;
use sltui::api::models::Person;

use super::*;

#[tokio::test]
async fn deep_pages_are_charged_3_8_10_30() {
    // per_page=1 over 600 people: page 501 still has a record.
    let s = start(SimConfig {
        people: 600,
        cadences: 10,
        users: 4,
        ..SimConfig::default()
    })
    .await;
    let c = s.client();
    bounded(30, async {
        let mut charged = s.stats().await.cost_charged;
        for (page, cost) in [(100, 1), (101, 3), (151, 8), (251, 10), (501, 30)] {
            let env = c
                .people(&Query::new().set("per_page", 1).set("page", page))
                .await
                .unwrap_or_else(|e| panic!("page {page}: {e}"));
            assert_eq!(env.data.len(), 1, "page {page} has a record");
            let paging = env.metadata.paging.expect("paging");
            assert_eq!(paging.current_page, page, "page {page}");
            let snap = c.budget().snapshot();
            assert_eq!(snap.last_cost, Some(cost), "page {page}: header cost");
            let now = s.stats().await.cost_charged;
            assert_eq!(now - charged, u64::from(cost), "page {page}: charged");
            charged = now;
            assert_eq!(
                snap.remaining,
                Some(600 - charged as u32),
                "page {page}: remaining"
            );
            assert_eq!(snap.history.last().map(|h| h.cost), Some(cost));
        }
        // A page walk that starts deep pays the deep price for every page.
        let mut walk =
            c.page_walk::<Person>("people", Query::new().set("per_page", 2).set("page", 299));
        let first = walk.next_page().await.expect("page 299").expect("records");
        assert_eq!(first.len(), 2);
        assert_eq!(c.budget().snapshot().last_cost, Some(10));
        let second = walk.next_page().await.expect("page 300").expect("records");
        assert_eq!(second.len(), 2);
        assert_eq!(s.stats().await.cost_charged - charged, 20);
        // The snapshot's own tally of the last minute agrees with the server.
        let snap = c.budget().snapshot();
        assert_eq!(u64::from(snap.spent_last_minute), charged + 20);
    })
    .await;
    s.handle.shutdown().await;
}

#[tokio::test]
async fn budget_headers_feed_the_budget() {
    let s = start(small_cfg()).await;
    let c = s.client();
    bounded(30, async {
        let snap = c.budget().snapshot();
        assert_eq!(
            (
                snap.requests,
                snap.remaining,
                snap.last_cost,
                snap.history.len()
            ),
            (0, None, None, 0)
        );
        assert_eq!(snap.limit, 600);

        let me = c.me().await.expect("me");
        let people = c
            .people(&Query::new().set("per_page", 5))
            .await
            .expect("people");
        let missing = c.person(1).await;
        assert!(missing.is_err(), "person 1 does not exist");
        let steps = c.steps(&Query::new()).await.expect("steps");
        assert!(!steps.data.is_empty());

        // Four responses, each a history sample, each charged 1 (404 too).
        let stats = s.stats().await;
        assert_eq!(stats.requests, 4);
        assert_eq!(stats.cost_charged, 4);
        let snap = c.budget().snapshot();
        assert_eq!(snap.requests, stats.requests);
        assert_eq!(snap.history.len(), 4);
        assert_eq!(snap.last_cost, Some(1));
        assert_eq!(snap.remaining, Some(600 - stats.cost_charged as u32));
        let remaining: Vec<Option<u32>> = snap.history.iter().map(|h| h.remaining).collect();
        assert_eq!(remaining, vec![Some(599), Some(598), Some(597), Some(596)]);
        assert!(snap.history.iter().all(|h| h.cost == 1));
        assert_eq!(snap.spent_last_minute, 4);
        assert_eq!(snap.throttled, 0);
        assert_eq!(c.budget().estimated_remaining(), 596);
        assert_eq!(c.budget().wait_hint(), None);

        // Clones share one budget; a second client has its own.
        let clone = c.clone();
        clone.person(people.data[0].id).await.expect("person");
        assert_eq!(c.budget().snapshot().requests, 5);
        assert_eq!(c.budget().snapshot().remaining, Some(595));
        let other = s.client();
        other.cadences(&Query::new()).await.expect("cadences");
        let theirs = other.budget().snapshot();
        assert_eq!((theirs.requests, theirs.remaining), (1, Some(594)));
        assert_eq!(c.budget().snapshot().requests, 5);
        assert!(me.id > 0);
    })
    .await;
    s.handle.shutdown().await;
}

#[tokio::test]
async fn exhausted_budget_is_waited_out_and_every_request_succeeds() {
    let budget = 10;
    let s = start(SimConfig {
        people: 300,
        cadences: 10,
        users: 4,
        budget,
        minute_secs: 2.0,
        ..SimConfig::default()
    })
    .await;
    let c = s.client_with(KEY, budget);
    bounded(90, async {
        // 25 requests of cost 1 cannot fit in two windows of 10, so at least
        // one is throttled however the windows fall.
        let n = 25u64;
        for i in 0..n {
            let env = c
                .people(&Query::new().set("per_page", 1).set("page", i + 1))
                .await
                .unwrap_or_else(|e| panic!("request {i}: {e}"));
            assert_eq!(env.data.len(), 1);
        }
        let stats = s.stats().await;
        let snap = c.budget().snapshot();
        assert!(stats.throttled >= 1, "{stats:?}");
        assert_eq!(snap.throttled, stats.throttled);
        assert_eq!(stats.cost_charged, n, "a 429 charges nothing");
        assert_eq!(stats.requests, n + stats.throttled);
        assert_eq!(snap.requests, stats.requests);
        assert!(snap.remaining.is_some_and(|r| r < budget));
        // Our tally of spend is what the server charged: 429s count 0.
        assert_eq!(u64::from(snap.spent_last_minute), stats.cost_charged);
        let refused = snap.history.iter().filter(|h| h.cost == 0).count() as u64;
        assert_eq!(refused, stats.throttled);
        assert_eq!(snap.last_cost, Some(1));

        // Concurrent requests through clones of one client recover too.
        let tasks: Vec<_> = (0..15u64)
            .map(|i| {
                let c = c.clone();
                tokio::spawn(async move {
                    c.people(&Query::new().set("per_page", 1).set("page", i + 1))
                        .await
                        .map(|env| env.data.len())
                })
            })
            .collect();
        for t in tasks {
            let got = t.await.expect("task").expect("request succeeds");
            assert_eq!(got, 1);
        }
        let after = s.stats().await;
        assert_eq!(after.cost_charged, n + 15);
        assert_eq!(c.budget().snapshot().throttled, after.throttled);
        assert_eq!(after.requests, n + 15 + after.throttled);
        let snap = c.budget().snapshot();
        assert_eq!(u64::from(snap.spent_last_minute), after.cost_charged);
    })
    .await;
    s.handle.shutdown().await;
}
