//! Typed errors from real simulator answers: 401, 404 and 422s with fields.

use sltui::api::models::{Cadence, NewMembership, NewPerson};
use sltui::api::{ApiError, Query};

use super::*;

/// A non-draft, non-archived team cadence (anyone may add people to it).
pub(super) async fn open_team_cadence(c: &ApiClient) -> Cadence {
    let q = Query::new()
        .set("team_cadence", "true")
        .set("archived", "false")
        .set("per_page", 100);
    c.cadences(&q)
        .await
        .expect("cadences")
        .data
        .into_iter()
        .find(|c| !c.draft && c.archived_at.is_none())
        .expect("an addable team cadence")
}

pub(super) async fn new_person(c: &ApiClient, email: &str) -> u64 {
    let p = NewPerson {
        email_address: Some(email.into()),
        first_name: Some("Test".into()),
        ..NewPerson::default()
    };
    c.create_person(&p).await.expect("create person").id
}

#[tokio::test]
async fn wrong_key_is_unauthorized_and_names_the_variable() {
    let s = start(small_cfg()).await;
    let c = s.client_with("not-the-key", 600);
    bounded(30, async {
        let err = c.me().await.expect_err("wrong key");
        let ApiError::Unauthorized { message, .. } = &err else {
            panic!("expected Unauthorized, got {err:?}");
        };
        assert!(message.contains("invalid"), "{message}");
        let text = err.to_string();
        assert!(text.contains("SALESLOFT_API_KEY"), "{text}");
        assert!(!text.contains("not-the-key"), "the key leaked: {text}");
        assert_eq!(err.status(), Some(401));
        // A list fails the same way, and the refused key is not even sent
        // again (the client's auth gate, until a try is due); nothing is retried.
        let err = c.people(&Query::new()).await.expect_err("wrong key");
        assert!(matches!(err, ApiError::Unauthorized { .. }), "{err:?}");
        assert!(err.to_string().contains("not sent"), "{err}");
        let stats = s.stats().await;
        assert_eq!((stats.requests, stats.cost_charged), (1, 0));
        // The right key works against the same server.
        assert!(s.client().me().await.is_ok());
    })
    .await;
    s.handle.shutdown().await;
}

/// The key revoked while a request waits to retry (a 429's Retry-After): the
/// first 401 (to another request) stops it; it is reported not sent and the
/// simulator sees one request after the revocation, not two.
#[tokio::test]
async fn a_key_revoked_while_a_request_waits_to_retry_stops_the_retry() {
    let s = start(SimConfig {
        budget: 4,
        minute_secs: 2.0,
        ..small_cfg()
    })
    .await;
    let c = s.client();
    bounded(30, async {
        c.me().await.expect("the key works");
        // Spend the window so the next read waits for the refill.
        for _ in 0..3 {
            let _ = s
                .raw
                .get(format!("{}/v2/me.json", s.root))
                .bearer_auth(KEY)
                .send()
                .await;
        }
        let waiting = tokio::spawn({
            let c = c.clone();
            async move { c.people(&Query::new()).await }
        });
        // The 429 is back and the read sleeps until the refill.
        while s.stats().await.throttled == 0 {
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
        s.post("/_sim/key/revoke").await;
        let err = c.me().await.expect_err("revoked");
        assert!(matches!(err, ApiError::Unauthorized { .. }), "{err:?}");
        let err = waiting.await.unwrap().expect_err("not sent after the 401");
        assert!(err.to_string().contains("not sent"), "{err}");
        let key = s.get("/_sim/key").await;
        assert_eq!(key["requests_after_revocation"], 1, "{key}");
        // Restored, the key is still refused by the client until a try is due.
        s.post("/_sim/key/restore").await;
        assert!(c.me().await.is_err(), "the gate holds");
        assert_eq!(s.get("/_sim/key").await["revoked"], false);
    })
    .await;
    s.handle.shutdown().await;
}

#[tokio::test]
async fn not_found_and_validation_errors_are_typed() {
    let s = start(small_cfg()).await;
    let c = s.client();
    bounded(30, async {
        // Unknown person id: 404, not retried.
        let before = s.stats().await.requests;
        let err = c.person(1).await.expect_err("no person 1");
        let ApiError::NotFound { path, .. } = &err else {
            panic!("expected NotFound, got {err:?}");
        };
        assert_eq!(path, "people/1");
        assert!(err.to_string().contains("people/1"), "{err}");
        assert_eq!(s.stats().await.requests - before, 1, "a 404 is not retried");
        let err = c.membership(1).await.expect_err("no membership 1");
        assert!(matches!(err, ApiError::NotFound { .. }), "{err:?}");

        // Duplicate email on create: 422 on `email_address`.
        let existing = c
            .people(&Query::new().set("per_page", 1))
            .await
            .expect("people")
            .data
            .remove(0);
        let email = existing
            .email_address
            .expect("generated people have emails");
        let before = s.stats().await.requests;
        let dup = NewPerson {
            email_address: Some(email.clone()),
            first_name: Some("Dupe".into()),
            ..NewPerson::default()
        };
        let err = c.create_person(&dup).await.expect_err("duplicate email");
        let ApiError::Validation { fields, .. } = &err else {
            panic!("expected Validation, got {err:?}");
        };
        assert_eq!(
            fields.get("email_address"),
            Some(&vec!["has already been taken".to_string()]),
            "{fields:?}"
        );
        let text = err.to_string();
        assert!(
            text.contains("email_address: has already been taken"),
            "{text}"
        );
        assert_eq!(s.stats().await.requests - before, 1, "a 422 is not retried");

        // Adding a person to a cadence they are already on: 422 on `person_id`.
        let cadence = open_team_cadence(&c).await;
        let person = new_person(&c, "twice@example.com").await;
        let add = NewMembership {
            person_id: person,
            cadence_id: cadence.id,
            ..NewMembership::default()
        };
        c.create_membership(&add).await.expect("first add");
        let err = c.create_membership(&add).await.expect_err("second add");
        let ApiError::Validation { fields, .. } = &err else {
            panic!("expected Validation, got {err:?}");
        };
        let msgs = fields.get("person_id").expect("person_id error");
        assert!(!msgs.is_empty());
        let text = err.to_string();
        for m in msgs {
            assert!(text.contains(&format!("person_id: {m}")), "{text}");
        }
        assert!(text.contains("already on this cadence"), "{text}");
        assert_eq!(err.status(), Some(422));

        // An archived cadence: 422 on `cadence_id`.
        let archived = c
            .cadences(&Query::new().set("archived", "true").set("per_page", 100))
            .await
            .expect("archived cadences")
            .data;
        let archived = archived
            .iter()
            .find(|c| c.archived_at.is_some())
            .expect("the dataset has an archived cadence");
        let err = c
            .create_membership(&NewMembership {
                person_id: person,
                cadence_id: archived.id,
                ..NewMembership::default()
            })
            .await
            .expect_err("archived cadence");
        let ApiError::Validation { fields, .. } = &err else {
            panic!("expected Validation, got {err:?}");
        };
        let msgs = fields.get("cadence_id").expect("cadence_id error");
        assert!(
            err.to_string()
                .contains(&format!("cadence_id: {}", msgs.join(", "))),
            "{err}"
        );
        assert!(!fields.contains_key("person_id"), "{fields:?}");

        // None of the failures changed anything they should not have.
        s.assert_consistent().await;
        let on = c
            .memberships(&Query::new().set("person_id", person))
            .await
            .expect("memberships")
            .data;
        assert_eq!(on.len(), 1, "only the first add took effect: {on:?}");
        assert_eq!(
            on[0].cadence.as_ref().and_then(|r| r.id_u64()),
            Some(cadence.id)
        );
    })
    .await;
    s.handle.shutdown().await;
}
