//! Records through our client: the wire quirks parse, and mutations round trip.

use sltui::api::Query;
use sltui::api::models::{NewMembership, NewPerson, PersonUpdate, RefId};

use super::errors::open_team_cadence;
use super::*;

#[tokio::test]
async fn quirky_records_parse() {
    // More users than one default page (25).
    let s = start(SimConfig {
        users: 30,
        ..small_cfg()
    })
    .await;
    let c = s.client();
    bounded(30, async {
        // `/v2/users` without `page`: no `paging` key, every user at once.
        let raw = s.raw_get("users").await;
        assert!(
            raw["metadata"].get("paging").is_none(),
            "{}",
            raw["metadata"]
        );
        let users = c.users().await.expect("users");
        assert_eq!(users.len(), 30);
        let raw_ids: Vec<u64> = raw["data"]
            .as_array()
            .expect("data")
            .iter()
            .map(|u| u["id"].as_u64().expect("id"))
            .collect();
        let ids: Vec<u64> = users.iter().map(|u| u.id).collect();
        assert_eq!(ids, raw_ids);
        unique("users", ids);
        // Role ids are strings ("Admin"/"User"), not numbers.
        for u in &users {
            let role = u.role.as_ref().expect("role");
            assert!(
                matches!(&role.id, RefId::Str(s) if !s.is_empty()),
                "{role:?}"
            );
            assert_eq!(role.href, None);
        }
        let me = c.me().await.expect("me");
        let my_role = users
            .iter()
            .find(|u| u.id == me.id)
            .and_then(|u| u.role.clone())
            .expect("me among users");
        assert_eq!(my_role.id, RefId::Str("Admin".into()));
        assert!(me.team_admin);

        // Email `mailing`: `{id}` without `_href`.
        let raw = s.raw_get("activities/emails?per_page=25").await;
        let email = raw["data"]
            .as_array()
            .expect("data")
            .iter()
            .find(|e| e["mailing"].is_object() && e["cadence"].is_object())
            .expect("an email with a mailing and a cadence")
            .clone();
        assert!(
            email["mailing"].get("_href").is_none(),
            "{}",
            email["mailing"]
        );
        let id = email["id"].as_u64().expect("id");
        let got = c.email(id).await.expect("email");
        assert_eq!(got.id, id);
        let mailing = got.mailing.expect("mailing ref");
        assert_eq!(mailing.id_u64(), email["mailing"]["id"].as_u64());
        assert_eq!(mailing.href, None);
        // ...while a real reference keeps its `_href`.
        let cadence = got.cadence.expect("cadence ref");
        assert_eq!(cadence.id_u64(), email["cadence"]["id"].as_u64());
        assert_eq!(cadence.href.as_deref(), email["cadence"]["_href"].as_str());
        assert!(cadence.href.is_some());

        // Membership `latest_action`: `{id}` without `_href`.
        let raw = s.raw_all("cadence_memberships", "").await;
        let m = raw
            .iter()
            .find(|m| m["latest_action"].is_object())
            .expect("a membership with a latest action");
        assert!(
            m["latest_action"].get("_href").is_none(),
            "{}",
            m["latest_action"]
        );
        let id = m["id"].as_u64().expect("id");
        let got = c.membership(id).await.expect("membership");
        let action = got.latest_action.expect("latest_action ref");
        assert_eq!(action.id_u64(), m["latest_action"]["id"].as_u64());
        assert_eq!(action.href, None);
        assert_eq!(
            got.person.and_then(|r| r.id_u64()),
            m["person"]["id"].as_u64()
        );
    })
    .await;
    s.handle.shutdown().await;
}

#[tokio::test]
async fn mutations_round_trip() {
    let s = start(small_cfg()).await;
    let c = s.client();
    bounded(30, async {
        // Create a person, read it back.
        let new = NewPerson {
            email_address: Some("Round.Trip+sim@example.com".into()),
            first_name: Some("Round".into()),
            last_name: Some("Trip".into()),
            title: Some("VP Testing".into()),
            phone: Some("+1 555 0100".into()),
            city: Some("Boston".into()),
            person_company_name: Some("Acme Ü & Co".into()),
            job_seniority: Some("vice_president".into()),
            tags: Some(vec!["alpha".into(), "beta".into()]),
            ..NewPerson::default()
        };
        let created = c.create_person(&new).await.expect("create person");
        let fetched = c.person(created.id).await.expect("person");
        assert_eq!(fetched, created);
        assert_eq!(fetched.email_address, new.email_address);
        assert_eq!(fetched.first_name, new.first_name);
        assert_eq!(fetched.last_name, new.last_name);
        assert_eq!(fetched.title, new.title);
        assert_eq!(fetched.phone, new.phone);
        assert_eq!(fetched.city, new.city);
        assert_eq!(fetched.person_company_name, new.person_company_name);
        assert_eq!(fetched.job_seniority, new.job_seniority);
        assert_eq!(Some(fetched.tags.clone()), new.tags);
        assert!(fetched.cadences.is_empty());
        // Found by its email (a `+` and capitals in the query value).
        let q = Query::new().push("email_addresses[]", "round.trip+sim@example.com");
        let found = c.people(&q).await.expect("people by email").data;
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].id, created.id);
        s.assert_consistent().await;

        // A partial update changes only what it sets.
        let upd = PersonUpdate {
            title: Some("CTO".into()),
            ..PersonUpdate::default()
        };
        let updated = c.update_person(created.id, &upd).await.expect("update");
        assert_eq!(updated.title.as_deref(), Some("CTO"));
        assert_eq!(updated.city, new.city);
        assert!(updated.updated_at > created.updated_at);
        assert_eq!(c.person(created.id).await.expect("person"), updated);

        // Add to a cadence: exactly one membership, on the cadence.
        let cadence = open_team_cadence(&c).await;
        let add = NewMembership {
            person_id: created.id,
            cadence_id: cadence.id,
            ..NewMembership::default()
        };
        let m = c.create_membership(&add).await.expect("add");
        assert!(m.currently_on_cadence);
        assert_eq!(m.person.as_ref().and_then(|r| r.id_u64()), Some(created.id));
        assert_eq!(
            m.cadence.as_ref().and_then(|r| r.id_u64()),
            Some(cadence.id)
        );
        let by_person = Query::new().set("person_id", created.id);
        let list = c.memberships(&by_person).await.expect("memberships").data;
        assert_eq!(list.len(), 1, "{list:?}");
        assert_eq!(list[0].id, m.id);
        assert!(list[0].currently_on_cadence);
        let on: Vec<Option<u64>> = c
            .person(created.id)
            .await
            .expect("person")
            .cadences
            .iter()
            .map(|r| r.id_u64())
            .collect();
        assert_eq!(on, vec![Some(cadence.id)]);
        s.assert_consistent().await;

        // Remove: the membership stays, off the cadence.
        c.delete_membership(m.id).await.expect("remove");
        let gone = c.membership(m.id).await.expect("membership");
        assert!(!gone.currently_on_cadence, "{gone:?}");
        assert!(
            c.person(created.id)
                .await
                .expect("person")
                .cadences
                .is_empty()
        );
        // Removing again is still a success.
        c.delete_membership(m.id).await.expect("remove again");
        s.assert_consistent().await;

        // Re-adding reuses the one membership record of the pair.
        let again = c.create_membership(&add).await.expect("re-add");
        assert_eq!(again.id, m.id);
        assert!(again.currently_on_cadence);
        let list = c.memberships(&by_person).await.expect("memberships").data;
        assert_eq!(list.len(), 1, "{list:?}");
        assert!(list[0].currently_on_cadence);
        assert!(list[0].updated_at > gone.updated_at);
        s.assert_consistent().await;
    })
    .await;
    s.handle.shutdown().await;
}
