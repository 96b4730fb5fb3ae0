//! The cost budget, auth, and the `/_sim` endpoints.

use super::*;

#[tokio::test]
async fn deep_pages_cost_more() {
    let s = small().await;
    let mut remaining = s.get("people?per_page=1").await.remaining();
    for (page, cost) in [(100, 1), (101, 3), (150, 3), (151, 8), (251, 10), (501, 30)] {
        let r = s.get(&format!("people?per_page=1&page={page}")).await;
        assert_eq!(r.status, StatusCode::OK);
        assert_eq!(r.cost(), cost, "page {page}");
        assert_eq!(r.remaining(), remaining - cost, "page {page}");
        remaining = r.remaining();
    }
    // Single-object reads cost 1 whatever their query says.
    let r = s.get("me?page=600").await;
    assert_eq!(r.cost(), 1);
    s.handle.shutdown().await;
}

#[tokio::test]
async fn budget_exhaustion_is_a_429_until_the_window_rolls_over() {
    let s = sim_with(SimConfig {
        people: 20,
        cadences: 5,
        users: 3,
        budget: 20,
        minute_secs: 2.0,
        ..SimConfig::default()
    })
    .await;
    let mut throttled = None;
    for _ in 0..500 {
        let r = s.get("people?per_page=1").await;
        if r.status == StatusCode::TOO_MANY_REQUESTS {
            throttled = Some(r);
            break;
        }
        assert_eq!(r.status, StatusCode::OK);
    }
    let r = throttled.expect("a 429 once the budget is spent");
    assert!(r.remaining() < r.cost());
    let retry: u64 = r
        .header("retry-after")
        .and_then(|v| v.parse().ok())
        .expect("Retry-After in whole seconds");
    assert!((1..=2).contains(&retry), "retry-after {retry}");
    let msg = r.body["error"].as_str().expect("error string");
    assert!(msg.starts_with("Rate limit exceeded"), "{msg}");

    // A 429 charges nothing.
    let before = s.sim_get("/_sim/stats").await;
    let again = s.get("people?per_page=1").await;
    let after = s.sim_get("/_sim/stats").await;
    if again.status == StatusCode::TOO_MANY_REQUESTS {
        assert_eq!(before["cost_charged"], after["cost_charged"]);
    }
    assert!(after["throttled"].as_u64().expect("throttled") >= 1);

    tokio::time::sleep(Duration::from_secs(retry)).await;
    let r = s.get("people?per_page=1").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.remaining() >= 18, "fresh window: {}", r.remaining());
    s.handle.shutdown().await;
}

#[tokio::test]
async fn missing_and_wrong_tokens_are_401_and_uncharged() {
    let s = small().await;
    let none = s.send(Method::GET, "people", None, Body::None).await;
    assert_eq!(none.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        none.body,
        json!({"error": "No Bearer Token attached to request, please see documentation at developers.salesloft.com"})
    );
    let wrong = s
        .send(Method::GET, "people", Some("nope"), Body::None)
        .await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        wrong.body,
        json!({"error": "Not authorized: the access token is invalid or expired"})
    );
    assert_eq!(wrong.remaining(), 600);
    assert_eq!(wrong.cost(), 1);
    let stats = s.sim_get("/_sim/stats").await;
    assert_eq!(stats["cost_charged"], json!(0));
    assert_eq!(stats["requests"], json!(2));
    s.handle.shutdown().await;
}

#[tokio::test]
async fn sim_endpoints_count_and_reset() {
    let s = small().await;
    s.get("people").await;
    s.get("cadences").await;
    s.get("nope").await;
    let st = s.sim_get("/_sim/stats").await;
    assert_eq!(st["requests"], json!(3));
    assert_eq!(st["cost_charged"], json!(3));
    assert_eq!(st["throttled"], json!(0));
    assert_eq!(st["by_endpoint"]["GET people"], json!(1));
    let res = s
        .http
        .post(format!("{}/_sim/stats/reset", s.root))
        .send()
        .await
        .expect("reset");
    assert_eq!(res.status(), StatusCode::OK);
    let st = s.sim_get("/_sim/stats").await;
    assert_eq!(st["requests"], json!(0));

    let truth = s.sim_get("/_sim/truth/engagement").await;
    let cadences = s.get("cadences?per_page=100").await;
    assert_eq!(
        truth.as_object().map(|o| o.len()),
        Some(cadences.data().len())
    );
    let future = s
        .sim_get("/_sim/truth/engagement?since=2999-01-01T00:00:00Z")
        .await;
    let sent: Vec<&Value> = future
        .as_object()
        .expect("object")
        .values()
        .map(|c| &c["sent"])
        .collect();
    assert!(sent.iter().all(|v| **v == json!(0)), "{future}");
    let res = s
        .http
        .get(format!("{}/_sim/truth/engagement?since=soon", s.root))
        .send()
        .await
        .expect("request");
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    s.handle.shutdown().await;
}
