//! `sim --non-admin`: the key's user is a rep (`team_admin: false`) on a team with
//! group privacy on; people of other groups, and their memberships, emails and
//! calls, are hidden (lists and by id). Checked over loopback HTTP with a raw
//! client (ground truth) and with ours (its walks see exactly what the simulator
//! says this key can read); the dashboard marks its totals.

mod tui_support;

use std::collections::HashSet;

use serde_json::Value;
use sltui::api::models::{Email, Membership, Person, User};
use sltui::api::{ApiClient, ApiConfig, Query};
use sltui::config::keymap::Action;
use sltui::sim::{self, SimConfig, SimHandle};
use sltui::worker::WorkerEvent;
use tui_support::*;

const KEY: &str = "non-admin-key";

async fn start(non_admin: bool) -> SimHandle {
    start_team(non_admin, false).await
}

/// `all_public`: the team's group privacy is off (`--all-public`).
async fn start_team(non_admin: bool, all_public: bool) -> SimHandle {
    sim::start(SimConfig {
        addr: ([127, 0, 0, 1], 0).into(),
        api_key: KEY.into(),
        people: 400,
        cadences: 8,
        non_admin,
        all_public,
        ..SimConfig::default()
    })
    .await
    .expect("simulator starts")
}

async fn raw(sim: &SimHandle, path: &str) -> (u16, Value) {
    let res = reqwest::Client::new()
        .get(format!("http://{}{path}", sim.addr()))
        .bearer_auth(KEY)
        .send()
        .await
        .expect("sim reachable");
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(Value::Null))
}

fn client(sim: &SimHandle) -> ApiClient {
    ApiClient::new(ApiConfig::new(&sim.base_url(), Some(KEY.into()))).expect("client")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rep_sees_only_its_groups_people_and_what_hangs_off_them() {
    let sim = start(true).await;
    let (_, me) = raw(&sim, "/v2/me.json").await;
    assert_eq!(me["data"]["team_admin"], false, "{me}");
    assert_eq!(me["data"]["group"]["id"], 1, "{me}");
    let (_, team) = raw(&sim, "/v2/team.json").await;
    assert_eq!(team["data"]["group_privacy_setting"], "group_public");
    let (_, truth) = raw(&sim, "/_sim/truth/counts").await;

    let api = client(&sim);
    let people: Vec<Person> = api
        .page_walk::<Person>("people", Query::new())
        .collect_all()
        .await
        .expect("people");
    let seen: HashSet<u64> = people.iter().map(|p| p.id).collect();
    assert_eq!(seen.len() as u64, truth["people"].as_u64().unwrap());
    assert!(
        seen.len() < 400 && !seen.is_empty(),
        "some hidden, some seen: {}",
        seen.len()
    );
    // Ids are dense: one between the seen ones that is not listed is hidden.
    let (lo, hi) = (*seen.iter().min().unwrap(), *seen.iter().max().unwrap());
    let hidden = (lo..hi)
        .find(|id| !seen.contains(id))
        .expect("a hidden person");
    let (status, _) = raw(&sim, &format!("/v2/people/{hidden}.json")).await;
    assert_eq!(status, 404, "another group's person is not found by id");
    let (status, _) = raw(&sim, &format!("/v2/people/{lo}.json")).await;
    assert_eq!(status, 200);

    let members: Vec<Membership> = api
        .page_walk::<Membership>("cadence_memberships", Query::new())
        .collect_all()
        .await
        .expect("memberships");
    assert_eq!(
        members.len() as u64,
        truth["cadence_memberships"].as_u64().unwrap()
    );
    assert!(
        members
            .iter()
            .filter_map(Membership::person_id)
            .all(|p| seen.contains(&p)),
        "no membership of a hidden person"
    );
    let emails: Vec<Email> = api
        .page_walk::<Email>("activities/emails", Query::new())
        .collect_all()
        .await
        .expect("emails");
    assert_eq!(emails.len() as u64, truth["emails"].as_u64().unwrap());

    // Users: the rep's group by default, everyone with visible_only=false.
    let users: Vec<User> = api
        .page_walk::<User>("users", Query::new())
        .collect_all()
        .await
        .expect("users");
    let all: Vec<User> = api
        .page_walk::<User>("users", Query::new().push("visible_only", "false"))
        .collect_all()
        .await
        .expect("all users");
    assert_eq!(users.len() as u64, truth["users"].as_u64().unwrap());
    assert!(users.len() < all.len(), "{} of {}", users.len(), all.len());
    sim.shutdown().await;

    // The same seed as an admin: everything.
    let admin = start(false).await;
    let (_, me) = raw(&admin, "/v2/me.json").await;
    assert_eq!(me["data"]["team_admin"], true);
    let (_, truth) = raw(&admin, "/_sim/truth/counts").await;
    assert_eq!(truth["people"], 400);
    admin.shutdown().await;
}

#[test]
fn the_dashboard_marks_totals_partial_for_a_rep_key() {
    let rep: User = serde_json::from_value(serde_json::json!({
        "id": 7, "name": "Rep", "team_admin": false
    }))
    .unwrap();
    let mut s = loaded();
    assert!(!screen_text(&s, 120, 40).contains("not admin"));
    ev(
        &mut s,
        WorkerEvent::Me {
            id: 900,
            user: rep.clone(),
            all_public: Some(false),
        },
    );
    let text = screen_text(&s, 120, 40);
    assert!(text.contains("partial? (not admin)"), "{text}");
    let narrow = screen_text(&s, 80, 24);
    assert!(narrow.contains("partial? (not admin)"), "{narrow}");
    act(&mut s, Action::View3);
    let activity = screen_text(&s, 120, 40);
    assert!(
        activity.contains("All cadences · last 30 days · partial? (not admin)"),
        "{activity}"
    );
    let narrow = screen_text(&s, 80, 24);
    assert!(
        narrow.contains("All cadences · partial? (not admin)"),
        "{narrow}"
    );
    let mut admin = loaded();
    let boss: User = serde_json::from_value(serde_json::json!({
        "id": 1, "name": "Admin", "team_admin": true
    }))
    .unwrap();
    ev(
        &mut admin,
        WorkerEvent::Me {
            id: 901,
            user: boss,
            all_public: None,
        },
    );
    assert!(!screen_text(&admin, 120, 40).contains("not admin"));
    // A rep on a team without group privacy sees everything: not partial;
    // when the team could not be read, it may be.
    for (all_public, partial) in [(Some(true), false), (None, true)] {
        let mut s = loaded();
        ev(
            &mut s,
            WorkerEvent::Me {
                id: 902,
                user: rep.clone(),
                all_public,
            },
        );
        let text = screen_text(&s, 120, 40);
        assert_eq!(text.contains("partial?"), partial, "{all_public:?}: {text}");
    }
}

/// The worker's answer to `Me` for a rep's key reads `/v2/team`: on a team
/// whose group privacy is `all_public` the totals are not marked partial, on a
/// `group_public` team they are; an admin's key does not read the team.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_dashboard_reads_the_teams_privacy_before_marking_totals_partial() {
    for (non_admin, all_public, expected, partial) in [
        (true, false, Some(false), true),
        (true, true, Some(true), false),
        (false, false, None, false),
    ] {
        let sim = start_team(non_admin, all_public).await;
        let mut handle =
            sltui::worker::spawn(client(&sim), sltui::worker::WorkerOptions::default());
        handle
            .requests
            .send(sltui::worker::Envelope {
                id: 77,
                priority: sltui::worker::Priority::Visible,
                request: sltui::worker::Request::Me,
            })
            .unwrap();
        let event = loop {
            let e = tokio::time::timeout(std::time::Duration::from_secs(20), handle.events.recv())
                .await
                .expect("an answer in time")
                .expect("the worker runs");
            if matches!(e, WorkerEvent::Me { .. }) {
                break e;
            }
        };
        let WorkerEvent::Me {
            all_public: got, ..
        } = &event
        else {
            unreachable!()
        };
        assert_eq!(
            *got, expected,
            "non_admin {non_admin}, all_public {all_public}"
        );
        let mut s = loaded();
        ev(&mut s, event);
        let text = screen_text(&s, 120, 40);
        assert_eq!(text.contains("partial? (not admin)"), partial, "{text}");
        let (_, stats) = raw(&sim, "/_sim/stats").await;
        assert_eq!(
            stats["by_endpoint"]["GET team"].as_u64().unwrap_or(0),
            u64::from(non_admin),
            "{stats}"
        );
        drop(handle);
        sim.shutdown().await;
    }
    // The simulator's all_public team hides nothing from the rep.
    let sim = start_team(true, true).await;
    let (_, team) = raw(&sim, "/v2/team.json").await;
    assert_eq!(team["data"]["group_privacy_setting"], "all_public");
    let (_, truth) = raw(&sim, "/_sim/truth/counts").await;
    assert_eq!(truth["people"], 400);
    sim.shutdown().await;
}
