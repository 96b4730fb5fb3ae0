//! Mutations: people, cadence memberships, calls, and live mode alongside them.

use super::*;

#[tokio::test]
async fn create_person_as_json_form_and_query() {
    let s = small().await;
    let j = s
        .post_json(
            "people",
            &json!({"email_address": "json@example.com", "last_name": "J"}),
        )
        .await;
    let form = [("email_address", "form@example.com"), ("last_name", "F")];
    let f = s
        .send(Method::POST, "people", Some(KEY), Body::Form(&form))
        .await;
    let q = s
        .send(
            Method::POST,
            "people.json?email_address=query%40example.com&last_name=Q",
            Some(KEY),
            Body::None,
        )
        .await;
    for (r, email) in [
        (&j, "json@example.com"),
        (&f, "form@example.com"),
        (&q, "query@example.com"),
    ] {
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.body["data"]["email_address"], json!(email));
        let id = r.body["data"]["id"].as_u64().expect("id");
        let got = s.get(&format!("people/{id}")).await;
        assert_eq!(got.body["data"]["email_address"], json!(email));
    }
    let listed = s.get("people?email_addresses[]=FORM@example.com").await;
    assert_eq!(listed.data().len(), 1);

    // PUT updates, stamps updated_at, keeps the email index.
    let id = j.body["data"]["id"].as_u64().expect("id");
    let put = s
        .send(
            Method::PUT,
            &format!("people/{id}"),
            Some(KEY),
            Body::Json(&json!({"title": "CTO", "email_address": "renamed@example.com"})),
        )
        .await;
    assert_eq!(put.status, StatusCode::OK, "{}", put.body);
    assert_eq!(put.body["data"]["title"], json!("CTO"));
    assert!(micros(&put.body["data"]["updated_at"]) > micros(&j.body["data"]["updated_at"]));
    let again = s
        .post_json("people", &json!({"email_address": "json@example.com"}))
        .await;
    assert_eq!(again.status, StatusCode::OK, "old email is free again");
    s.consistent().await;
    s.handle.shutdown().await;
}

#[tokio::test]
async fn person_validation_errors() {
    let s = small().await;
    s.new_person("dup@example.com").await;
    let dup = s
        .post_json("people", &json!({"email_address": "DUP@Example.com"}))
        .await;
    assert_eq!(dup.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        dup.body,
        json!({"errors": {"email_address": ["has already been taken"]}})
    );
    let blank = s
        .post_json("people", &json!({"first_name": "Nobody"}))
        .await;
    assert_eq!(blank.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        blank.body,
        json!({"errors": {"email_address": ["can't be blank"]}})
    );
    let phone = s
        .post_json(
            "people",
            &json!({"phone": "+15550100", "last_name": "Dialer"}),
        )
        .await;
    assert_eq!(phone.status, StatusCode::OK, "{}", phone.body);

    let bad = s
        .send(
            Method::POST,
            "people",
            Some(KEY),
            Body::Raw("application/json", "{\"email_address\": "),
        )
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert!(bad.body["error"].is_string());
    s.handle.shutdown().await;
}

#[tokio::test]
async fn membership_lifecycle_reuses_the_record_and_keeps_counts() {
    let s = small().await;
    let cadence = s.open_team_cadence().await;
    let person = s.new_person("enroll@example.com").await;
    let people_on = |v: &Value| v["data"]["counts"]["cadence_people"].as_u64();
    let before = people_on(&s.get(&format!("cadences/{cadence}")).await.body);

    let add = s
        .post_json(
            "cadence_memberships",
            &json!({"person_id": person, "cadence_id": cadence}),
        )
        .await;
    assert_eq!(add.status, StatusCode::OK, "{}", add.body);
    let m = &add.body["data"];
    let mid = m["id"].as_u64().expect("membership id");
    assert_eq!(m["currently_on_cadence"], json!(true));
    let created_at = m["created_at"].clone();
    let after_add = people_on(&s.get(&format!("cadences/{cadence}")).await.body);
    assert_eq!(after_add, before.map(|n| n + 1));
    let p = s.get(&format!("people/{person}")).await;
    assert_eq!(p.body["data"]["cadences"][0]["id"], json!(cadence));
    s.consistent().await;

    let twice = s
        .post_json(
            "cadence_memberships",
            &json!({"person_id": person, "cadence_id": cadence}),
        )
        .await;
    assert_eq!(twice.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        twice.body,
        json!({"errors": {"person_id": ["is already on this cadence"]}})
    );

    let del = s
        .send(
            Method::DELETE,
            &format!("cadence_memberships/{mid}.json"),
            Some(KEY),
            Body::None,
        )
        .await;
    assert_eq!(del.status, StatusCode::NO_CONTENT);
    assert_eq!(del.body, Value::Null);
    assert!(del.header("x-ratelimit-remaining-minute").is_some());
    let del2 = s
        .send(
            Method::DELETE,
            &format!("cadence_memberships/{mid}"),
            Some(KEY),
            Body::None,
        )
        .await;
    assert_eq!(del2.status, StatusCode::NO_CONTENT);
    let got = s.get(&format!("cadence_memberships/{mid}")).await;
    assert_eq!(got.body["data"]["currently_on_cadence"], json!(false));
    assert_eq!(got.body["data"]["current_state"], json!("removed"));
    let after_del = people_on(&s.get(&format!("cadences/{cadence}")).await.body);
    assert_eq!(after_del, before);
    s.consistent().await;

    // Re-adding (form-encoded this time) reuses the one record.
    let form_person = person.to_string();
    let form_cadence = cadence.to_string();
    let form = [
        ("person_id", form_person.as_str()),
        ("cadence_id", form_cadence.as_str()),
    ];
    let readd = s
        .send(
            Method::POST,
            "cadence_memberships",
            Some(KEY),
            Body::Form(&form),
        )
        .await;
    assert_eq!(readd.status, StatusCode::OK, "{}", readd.body);
    assert_eq!(readd.body["data"]["id"], json!(mid));
    assert_eq!(readd.body["data"]["currently_on_cadence"], json!(true));
    assert_eq!(readd.body["data"]["created_at"], created_at);
    assert!(micros(&readd.body["data"]["added_at"]) > micros(&created_at));
    let on = s
        .get(&format!(
            "cadence_memberships?person_id={person}&currently_on_cadence=true"
        ))
        .await;
    assert_eq!(on.data().len(), 1);
    s.consistent().await;
    s.handle.shutdown().await;
}

#[tokio::test]
async fn membership_validation_errors() {
    let s = sim_with(SimConfig {
        people: 60,
        cadences: 20,
        users: 5,
        ..SimConfig::default()
    })
    .await;
    let person = s.new_person("rules@example.com").await;
    let cadences = s.get("cadences?per_page=100").await;
    let find = |pred: &dyn Fn(&Value) -> bool| {
        cadences
            .data()
            .iter()
            .find(|c| pred(c))
            .and_then(|c| c["id"].as_u64())
    };
    let archived = find(&|c| !c["archived_at"].is_null()).expect("an archived cadence");
    let draft = find(&|c| c["draft"] == json!(true)).expect("a draft cadence");

    let r = s.enroll(person, archived).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body["errors"]["cadence_id"].is_array(), "{}", r.body);
    let r = s.enroll(person, draft).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body["errors"]["cadence_id"].is_array(), "{}", r.body);

    // A personal cadence of another rep: only on that rep's behalf.
    let me = s.get("me").await.body["data"]["id"].clone();
    let personal = cadences
        .data()
        .iter()
        .find(|c| {
            c["team_cadence"] == json!(false)
                && c["draft"] == json!(false)
                && c["archived_at"].is_null()
                && c["owner"]["id"] != me
        })
        .expect("a personal cadence owned by someone else");
    let pid = personal["id"].as_u64().expect("id");
    let r = s.enroll(person, pid).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body["errors"]["cadence_id"].is_array(), "{}", r.body);
    let owner = &personal["owner"]["id"];
    let r = s
        .post_json(
            "cadence_memberships",
            &json!({"person_id": person, "cadence_id": pid, "user_id": owner}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["data"]["user"]["id"], *owner);

    // A start step must belong to the cadence.
    let other_step = s
        .get(&format!("steps?cadence_id={draft}"))
        .await
        .data()
        .first()
        .and_then(|st| st["id"].as_u64())
        .expect("a step of the draft cadence");
    let open = s.open_team_cadence().await;
    let r = s
        .post_json(
            "cadence_memberships",
            &json!({"person_id": person, "cadence_id": open, "step_id": other_step}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body["errors"]["step_id"].is_array(), "{}", r.body);

    let r = s
        .post_json("cadence_memberships", &json!({"cadence_id": draft}))
        .await;
    assert_eq!(r.body, json!({"errors": {"person_id": ["can't be blank"]}}));
    let r = s
        .post_json(
            "cadence_memberships",
            &json!({"person_id": person, "cadence_id": 1}),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    s.handle.shutdown().await;
}

#[tokio::test]
async fn logging_a_call_updates_person_counts() {
    let s = small().await;
    let dispositions = s.get("call_dispositions?per_page=100").await;
    let disposition = dispositions.data()[0]["name"]
        .as_str()
        .expect("name")
        .to_string();
    let person = s.new_person("caller@example.com").await;
    let r = s
        .post_json(
            "activities/calls",
            &json!({"person_id": person, "disposition": disposition, "duration": 42}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let call = r.body["data"]["id"].as_u64().expect("call id");
    let p = s.get(&format!("people/{person}")).await;
    assert_eq!(p.body["data"]["counts"]["calls"], json!(1));
    let listed = s
        .get(&format!("activities/calls?person_id[]={person}"))
        .await;
    assert_eq!(listed.data().len(), 1);
    assert_eq!(listed.data()[0]["id"], json!(call));

    let bad = s
        .post_json(
            "activities/calls",
            &json!({"person_id": person, "disposition": "Abducted by aliens"}),
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body["errors"]["disposition"].is_array());
    let none = s
        .post_json("activities/calls", &json!({"notes": "hi"}))
        .await;
    assert_eq!(
        none.body,
        json!({"errors": {"person_id": ["can't be blank"]}})
    );
    s.consistent().await;
    s.handle.shutdown().await;
}

#[tokio::test]
async fn live_ticker_moves_the_world_and_mutations_stay_consistent() {
    let s = sim_with(SimConfig {
        people: 200,
        cadences: 8,
        users: 4,
        live: true,
        live_tick_ms: 50,
        ..SimConfig::default()
    })
    .await;
    let newest = |r: &Reply| r.data().first().map(|e| micros(&e["updated_at"]));
    let first = newest(&s.get("activities/emails?per_page=1").await);
    let cadence = s.open_team_cadence().await;
    let person = s.new_person("live@example.com").await;
    let add = s.enroll(person, cadence).await;
    assert_eq!(add.status, StatusCode::OK, "{}", add.body);
    let mut moved = false;
    for _ in 0..300 {
        tokio::time::sleep(Duration::from_millis(50)).await;
        if newest(&s.get("activities/emails?per_page=1").await) > first {
            moved = true;
            break;
        }
    }
    assert!(moved, "live mode never touched an email");
    s.consistent().await;
    s.handle.shutdown().await;
}
