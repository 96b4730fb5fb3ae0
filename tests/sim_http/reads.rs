//! Reads: the list envelope, paging, sorting, filters, routes and their errors.

use super::*;

#[tokio::test]
async fn list_envelope_has_paging_and_default_sort_echo() {
    let s = small().await;
    let r = s.get("people?per_page=5").await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(keys(&r.body), ["data", "metadata"]);
    let meta = &r.body["metadata"];
    assert_eq!(keys(meta), ["filtering", "paging", "sorting"]);
    assert_eq!(meta["filtering"], json!({}));
    assert_eq!(
        meta["paging"],
        json!({"per_page": 5, "current_page": 1, "next_page": 2, "prev_page": null})
    );
    assert_eq!(
        meta["sorting"],
        json!({"sort_by": "updated_at", "sort_direction": "DESC NULLS LAST"})
    );
    assert_eq!(r.data().len(), 5);
    let times: Vec<i64> = r.data().iter().map(|p| micros(&p["updated_at"])).collect();
    assert!(times.windows(2).all(|w| w[0] >= w[1]), "{times:?}");
    assert_eq!(r.cost(), 1);

    let r = s.get("people?per_page=5&sort_direction=ASC").await;
    assert_eq!(
        r.body["metadata"]["sorting"]["sort_direction"],
        json!("ASC NULLS FIRST")
    );
    // Out-of-range per_page is clamped, not rejected.
    let r = s.get("people?per_page=1000").await;
    assert_eq!(r.body["metadata"]["paging"]["per_page"], json!(100));
    s.handle.shutdown().await;
}

#[tokio::test]
async fn users_without_page_are_unpaginated() {
    let s = small().await;
    let r = s.get("users").await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(keys(&r.body["metadata"]), ["filtering", "sorting"]);
    assert_eq!(
        r.body["metadata"]["sorting"],
        json!({"sort_by": "id", "sort_direction": "DESC NULLS LAST"})
    );
    assert_eq!(r.data().len(), 4);
    let ids: Vec<u64> = r.data().iter().filter_map(|u| u["id"].as_u64()).collect();
    assert!(ids.windows(2).all(|w| w[0] > w[1]), "{ids:?}");

    let r = s.get("users?page=1&per_page=3").await;
    assert_eq!(r.data().len(), 3);
    assert_eq!(r.body["metadata"]["paging"]["next_page"], json!(2));
    let me = s.get("me").await;
    assert_eq!(me.status, StatusCode::OK);
    assert!(me.body["data"]["guid"].is_string());
    s.handle.shutdown().await;
}

#[tokio::test]
async fn paging_counts_only_on_request_and_past_the_end_is_empty() {
    let s = small().await;
    let r = s.get("people?per_page=10").await;
    assert!(r.body["metadata"]["paging"].get("total_count").is_none());
    for flag in ["true", "1"] {
        let r = s
            .get(&format!("people?per_page=10&include_paging_counts={flag}"))
            .await;
        assert_eq!(r.body["metadata"]["paging"]["total_count"], json!(60));
        assert_eq!(r.body["metadata"]["paging"]["total_pages"], json!(6));
    }
    let last = s.get("people?per_page=10&page=6").await;
    assert_eq!(last.data().len(), 10);
    assert_eq!(last.body["metadata"]["paging"]["next_page"], Value::Null);
    assert_eq!(last.body["metadata"]["paging"]["prev_page"], json!(5));
    let past = s.get("people?per_page=10&page=9").await;
    assert_eq!(past.status, StatusCode::OK);
    assert_eq!(past.data().len(), 0);
    assert_eq!(past.body["metadata"]["paging"]["next_page"], Value::Null);
    s.handle.shutdown().await;
}

#[tokio::test]
async fn json_suffix_routes_match_plain_routes() {
    let s = small().await;
    let a = s.get("people.json?per_page=3").await;
    let b = s.get("people?per_page=3").await;
    assert_eq!(a.status, StatusCode::OK);
    assert_eq!(a.body, b.body);
    let id = a.data()[0]["id"].as_u64().expect("id");
    let one = s.get(&format!("people/{id}.json")).await;
    assert_eq!(one.status, StatusCode::OK);
    assert_eq!(one.body["data"]["id"], json!(id));
    let emails = s.get("activities/emails.json?per_page=2").await;
    assert_eq!(emails.status, StatusCode::OK);
    let me = s.get("me.json").await;
    assert_eq!(me.status, StatusCode::OK);
    s.handle.shutdown().await;
}

#[tokio::test]
async fn unknown_routes_and_ids_are_404() {
    let s = small().await;
    for path in [
        "nope",
        "people/999999999999",
        "cadences/1.json",
        "people/abc",
    ] {
        let r = s.get(path).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{path}");
        assert_eq!(r.body, json!({"error": "Not Found"}), "{path}");
        assert_eq!(r.cost(), 1);
    }
    let r = s
        .send(
            Method::DELETE,
            "cadence_memberships/1",
            Some(KEY),
            Body::None,
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    s.handle.shutdown().await;
}

#[tokio::test]
async fn invalid_parameters_are_422_field_errors() {
    let s = small().await;
    let r = s.get("people?sort_by=shoe_size").await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        r.body,
        json!({"errors": {"sort_by": ["is not included in the list"]}})
    );
    assert!(r.header("x-ratelimit-remaining-minute").is_some());
    let r = s.get("people?updated_at[gt]=last-tuesday").await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body["errors"]["updated_at"].is_array());
    let r = s.get("people?ids[]=seven").await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body["errors"]["ids"].is_array());
    // Unknown filter names are ignored.
    let r = s.get("people?shoe_size=9").await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.body["metadata"]["filtering"], json!({}));
    s.handle.shutdown().await;
}

#[tokio::test]
async fn updated_at_filter_and_ties_broken_by_id() {
    let s = small().await;
    let all = s
        .get("people?per_page=100&sort_by=updated_at&sort_direction=ASC")
        .await;
    let rows: Vec<(i64, u64)> = all
        .data()
        .iter()
        .map(|p| (micros(&p["updated_at"]), p["id"].as_u64().expect("id")))
        .collect();
    assert_eq!(rows.len(), 60);
    assert!(
        rows.windows(2).all(|w| w[0] < w[1]),
        "ASC by (updated_at, id)"
    );

    // Page by page with per_page=7 gives the same sequence (stable paging).
    let mut paged = Vec::new();
    for page in 1..=9 {
        let r = s
            .get(&format!("people?per_page=7&page={page}&sort_direction=ASC"))
            .await;
        paged.extend(r.data().iter().filter_map(|p| p["id"].as_u64()));
    }
    let ids: Vec<u64> = rows.iter().map(|r| r.1).collect();
    assert_eq!(paged, ids);

    // updated_at[gt] with an offset timestamp: strictly later rows only, echo in UTC Z.
    let (cut, _) = rows[30];
    let cut_str = DateTime::from_timestamp_micros(cut)
        .expect("ts")
        .with_timezone(&chrono::FixedOffset::west_opt(4 * 3600).expect("offset"))
        .format("%Y-%m-%dT%H:%M:%S%.6f%:z")
        .to_string();
    let q =
        serde_urlencoded::to_string([("updated_at[gt]", cut_str.as_str()), ("per_page", "100")])
            .expect("query");
    let r = s.get(&format!("people?{q}")).await;
    assert_eq!(r.status, StatusCode::OK);
    let expected = rows.iter().filter(|(t, _)| *t > cut).count();
    assert_eq!(r.data().len(), expected);
    assert!(r.data().iter().all(|p| micros(&p["updated_at"]) > cut));
    let echo = r.body["metadata"]["filtering"]["updated_at"]["gt"]
        .as_str()
        .expect("echo");
    assert!(echo.ends_with('Z') && echo.len() == 27, "{echo}");
    assert_eq!(micros(&json!(echo)), cut);
    s.handle.shutdown().await;
}

#[tokio::test]
async fn bracket_and_scalar_filters_agree() {
    let s = small().await;
    let cadence = s.open_team_cadence().await;
    let a = s
        .get(&format!(
            "cadence_memberships?cadence_id={cadence}&per_page=100"
        ))
        .await;
    let b = s
        .get(&format!(
            "cadence_memberships?cadence_id[]={cadence}&per_page=100"
        ))
        .await;
    assert_eq!(a.status, StatusCode::OK);
    assert_eq!(a.data(), b.data());
    assert!(
        a.data()
            .iter()
            .all(|m| m["cadence"]["id"] == json!(cadence))
    );
    let two = s.get("people?per_page=2").await;
    let ids: Vec<u64> = two.data().iter().filter_map(|p| p["id"].as_u64()).collect();
    let r = s
        .get(&format!("people?ids[]={}&ids[]={}", ids[0], ids[1]))
        .await;
    assert_eq!(r.data().len(), 2);
    assert_eq!(
        r.body["metadata"]["filtering"]["ids"]
            .as_array()
            .map(Vec::len),
        Some(2)
    );
    s.handle.shutdown().await;
}

#[tokio::test]
async fn an_updated_at_range_that_holds_no_instant_is_an_empty_list() {
    // The sync engine can ask for a window that shrank to nothing (`gt` and `lt`
    // the same instant) or came out the wrong way round while records changed;
    // SalesLoft answers an empty list, and so must the simulator (it answered
    // 500: its index refused such a range).
    let s = small().await;
    let all = s.get("people?per_page=100&sort_direction=ASC").await;
    let times: Vec<i64> = all
        .data()
        .iter()
        .map(|p| micros(&p["updated_at"]))
        .collect();
    let ts = |m: i64| {
        DateTime::from_timestamp_micros(m)
            .expect("ts")
            .format("%Y-%m-%dT%H:%M:%S%.6fZ")
            .to_string()
    };
    let (early, late) = (ts(times[10]), ts(times[40]));
    let empty_ranges = async || s.sim_get("/_sim/stats").await["empty_ranges"].as_u64();
    let before = empty_ranges()
        .await
        .expect("the simulator counts empty ranges");
    for (resource, query) in [
        (
            "people",
            vec![("updated_at[gt]", &late), ("updated_at[lt]", &late)],
        ),
        (
            "people",
            vec![("updated_at[gte]", &late), ("updated_at[lt]", &early)],
        ),
        (
            "people",
            vec![("updated_at[gt]", &late), ("updated_at[lte]", &early)],
        ),
        (
            "cadence_memberships",
            vec![("updated_at[gt]", &late), ("updated_at[lt]", &late)],
        ),
        (
            "activities/emails",
            vec![("updated_at[gte]", &late), ("updated_at[lt]", &early)],
        ),
    ] {
        for direction in ["ASC", "DESC"] {
            let mut q: Vec<(&str, &str)> = query.iter().map(|(k, v)| (*k, v.as_str())).collect();
            q.extend([
                ("sort_direction", direction),
                ("include_paging_counts", "true"),
            ]);
            let q = serde_urlencoded::to_string(&q).expect("query");
            let r = s.get(&format!("{resource}?{q}")).await;
            assert_eq!(r.status, StatusCode::OK, "{resource}?{q}: {}", r.body);
            assert!(r.data().is_empty(), "{resource}?{q}");
        }
    }
    // Also `gt=T&lt=T+1µs`: no instant between (BTreeMap walks it as empty).
    let q = serde_urlencoded::to_string([
        ("updated_at[gt]", &late),
        ("updated_at[lt]", &ts(times[40] + 1)),
    ])
    .expect("query");
    let r = s.get(&format!("people?{q}")).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.data().is_empty(), "people?{q}");
    // `/_sim/stats` counted each of these requests (a sync must ask none).
    assert_eq!(empty_ranges().await, Some(before + 11));
    // A range of one instant that holds rows still lists them.
    let q = serde_urlencoded::to_string([("updated_at[gte]", &late), ("updated_at[lte]", &late)])
        .expect("query");
    let r = s.get(&format!("people?{q}")).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(!r.data().is_empty(), "people?{q}");
    assert_eq!(empty_ranges().await, Some(before + 11), "[T, T] holds T");
    assert!(
        r.data()
            .iter()
            .all(|p| micros(&p["updated_at"]) == times[40])
    );
    s.handle.shutdown().await;
}
