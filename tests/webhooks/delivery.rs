//! Deliveries end to end: the simulator's signed changes reach the receiver,
//! the worker folds them into the aggregate and the cached cadence detail
//! exactly once, and the headless `sltui webhooks` command prints them.

use super::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_email_update_changes_the_aggregate_exactly_once() {
    let sim = start_sim(None, false, 300).await;
    let (rx, events) = receiver().await;
    let mut handle = webhook_worker(&sim, events);
    let email = unopened_email(&sim).await;
    let cadence = email["cadence"]["id"].as_u64().unwrap();

    // Polled first: the cadence's emails, folded the way the dashboard folds them.
    let mut agg = Aggregator::new(TimeRange::All, chrono::Utc::now());
    handle
        .requests
        .send(Envelope {
            id: 1,
            priority: Priority::Visible,
            request: Request::Engagement {
                cadence_ids: vec![cadence],
                range: TimeRange::All,
            },
        })
        .unwrap();
    loop {
        match next_event(&mut handle).await {
            WorkerEvent::EmailFacts { facts, .. } => facts.into_iter().for_each(|f| {
                agg.upsert(f);
            }),
            WorkerEvent::Finished { id: 1, error } => {
                assert_eq!(error, None);
                break;
            }
            _ => {}
        }
    }
    let before = agg.by_cadence(cadence);
    assert!(before.delivered > 0);

    // Live updates on (the dashboard's Cadences view); the live poll runs too.
    let email_id = email["id"].as_u64().unwrap();
    handle
        .requests
        .send(Envelope {
            id: 2,
            priority: Priority::User,
            request: Request::SetLive { enabled: true },
        })
        .unwrap();
    while !matches!(
        next_event(&mut handle).await,
        WorkerEvent::LiveState { enabled: true, .. }
    ) {}
    // The open arrives by webhook, twice (a redelivery), then the stale state again.
    let newer = serde_json::to_vec(&opened(&email)).unwrap();
    let older = serde_json::to_vec(&email).unwrap();
    for body in [&newer, &newer, &older] {
        assert_eq!(
            post_signed(&rx.url(), "email_updated", body).await,
            StatusCode::OK
        );
    }
    // Folded in the order pushed: the open, then the stale state.
    let mut changes = 0;
    let mut opened_seen = false;
    let deadline = tokio::time::Instant::now() + GUARD;
    loop {
        let ev = tokio::time::timeout_at(deadline, handle.events.recv())
            .await
            .expect("the pushed facts arrive")
            .unwrap();
        let WorkerEvent::EmailFacts { facts, live, .. } = ev else {
            continue;
        };
        assert!(live, "pushed and polled-live facts are live facts");
        let mut stale_after_open = false;
        for f in facts {
            // The live poll may also bring other emails the generated team
            // updated in the last minutes: they are folded, not counted.
            let ours = f.email_id == email_id;
            if ours {
                stale_after_open |= opened_seen && !f.viewed;
                opened_seen |= f.viewed;
            }
            changes += usize::from(agg.upsert(f) && ours);
        }
        if stale_after_open {
            break;
        }
    }
    let after = agg.by_cadence(cadence);
    assert_eq!(
        changes, 1,
        "the open changed the aggregate once; the stale state did not"
    );
    assert_eq!(after.opened, before.opened + 1);
    assert_eq!(
        after.replied, before.replied,
        "the frozen-time reply was not folded"
    );
    assert_eq!(
        (after.sent, after.delivered),
        (before.sent, before.delivered),
        "no email counted twice"
    );
    assert_eq!((rx.stats().accepted, rx.stats().duplicates), (2, 1));
    drop(handle.requests);
}

/// Receives until `kind` for object `id` arrives (other events are skipped).
async fn expect(
    events: &mut mpsc::Receiver<WebhookEvent>,
    kind: EventKind,
    id: u64,
) -> WebhookEvent {
    let deadline = tokio::time::Instant::now() + GUARD;
    loop {
        let ev = tokio::time::timeout_at(deadline, events.recv())
            .await
            .unwrap_or_else(|_| panic!("no {} for {id}", kind.name()))
            .expect("receiver open");
        if ev.kind == kind && ev.object_id() == id {
            return ev;
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_simulator_delivers_signed_changes_to_the_receiver() {
    let (rx, mut events) = receiver().await;
    let sim = start_sim(Some(target(&rx.url(), 100)), false, 200).await;
    let person = create_person(&sim, 4).await;
    let person_id = person["data"]["id"].as_u64().unwrap();
    expect(&mut events, EventKind::PersonCreated, person_id).await;

    let cadence_id = active_team_cadence(&sim).await;
    let membership_id = add_membership(&sim, person_id, cadence_id).await;
    let ev = expect(&mut events, EventKind::MembershipCreated, membership_id).await;
    let Payload::Membership(m) = ev.payload else {
        panic!("not a membership");
    };
    assert_eq!(
        (m.person_id(), m.cadence_id()),
        (Some(person_id), Some(cadence_id))
    );
    assert!(m.currently_on_cadence);

    let path = format!("people/{person_id}.json");
    api(
        &sim,
        reqwest::Method::PUT,
        &path,
        Some(json!({"title": "CFO"})),
    )
    .await;
    // (The enrollment touched the person too: that update may come first.)
    loop {
        let ev = expect(&mut events, EventKind::PersonUpdated, person_id).await;
        let Payload::Person(p) = ev.payload else {
            panic!("not a person");
        };
        if p.title.as_deref() == Some("CFO") {
            break;
        }
    }

    let path = format!("cadence_memberships/{membership_id}.json");
    api(&sim, reqwest::Method::DELETE, &path, None).await;
    let ev = expect(&mut events, EventKind::MembershipUpdated, membership_id).await;
    let Payload::Membership(m) = ev.payload else {
        panic!("not a membership");
    };
    assert!(!m.currently_on_cadence, "removed");

    until("every change is delivered", || {
        sim.webhook_stats().is_some_and(|s| s.pending() == 0)
    })
    .await;
    let s = sim.webhook_stats().unwrap();
    assert_eq!((s.failed, s.retried), (0, 0), "{s:?}");
    let r = rx.stats();
    assert_eq!(
        (r.accepted, r.unauthorized, r.duplicates),
        (s.delivered, 0, 0),
        "{r:?} {s:?}"
    );

    // Live activity: emails sent and opened arrive as email_updated, each one the
    // simulator's current email or an earlier state of it.
    drop(sim);
    let (rx, mut events) = receiver().await;
    let sim = start_sim(Some(target(&rx.url(), 100)), true, 3000).await;
    let mut emails = Vec::new();
    let deadline = tokio::time::Instant::now() + GUARD;
    while emails.len() < 3 {
        let ev = tokio::time::timeout_at(deadline, events.recv())
            .await
            .expect("live emails arrive")
            .unwrap();
        if let Payload::Email(e) = ev.payload {
            emails.push(e);
        }
    }
    for e in &emails {
        let now = &get(&sim, &format!("activities/emails/{}.json", e.id)).await["data"];
        let now_at = DateTime::parse_from_rfc3339(now["updated_at"].as_str().unwrap()).unwrap();
        assert!(now_at >= e.updated_at, "email {} from the future", e.id);
        assert_eq!(now["cadence"]["id"].as_u64(), e.cadence_id());
    }
    let r = rx.stats();
    assert_eq!((r.unauthorized, r.invalid), (0, 0), "{r:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_headless_command_prints_each_event_once_and_never_the_token() {
    use tokio::io::{AsyncBufReadExt, BufReader};
    let sim = start_sim(None, false, 200).await;
    let email = unopened_email(&sim).await;
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    // The token source comes from the config file's [webhooks] section.
    let config = dir.join("config.toml");
    std::fs::write(
        &config,
        "[webhooks]\ntoken_env = \"SLTUI_TEST_HOOK_TOKEN\"\n",
    )
    .unwrap();
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_sltui"))
        .args(["webhooks", "--listen", "127.0.0.1:0"])
        .args(["--json", "--max-events", "2", "--config"])
        .arg(&config)
        .env("SLTUI_TEST_HOOK_TOKEN", TOKEN)
        .env("XDG_CONFIG_HOME", dir)
        .env("XDG_STATE_HOME", dir)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("sltui runs");
    let mut stderr = BufReader::new(child.stderr.take().unwrap()).lines();
    let first = tokio::time::timeout(GUARD, stderr.next_line())
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    let url = first
        .split_whitespace()
        .find(|w| w.starts_with("http://"))
        .unwrap_or_else(|| panic!("no URL in {first:?}"))
        .to_string();
    let newer = serde_json::to_vec(&opened(&email)).unwrap();
    let older = serde_json::to_vec(&email).unwrap();
    // A redelivery in between is answered but not printed.
    for body in [&older, &older, &newer] {
        let status = post_signed(&url, "email_updated", body).await;
        assert_eq!(status, StatusCode::OK);
    }
    let out = tokio::time::timeout(GUARD, child.wait_with_output())
        .await
        .unwrap()
        .unwrap();
    assert!(out.status.success());
    let stdout = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<Value> = stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 3, "{stdout}");
    let id = email["id"].as_u64().unwrap();
    assert_eq!(lines[0]["id"], id);
    assert_eq!(lines[1]["state"], json!(["sent", "opened"]));
    assert_eq!(lines[1]["cadence"]["opened"], 1);
    let summary = &lines[2]["summary"];
    assert_eq!(summary["receiver"]["accepted"], 2);
    assert_eq!(summary["receiver"]["duplicates"], 1);
    assert_eq!(summary["totals"]["sent"], 1, "one email, counted once");
    let all = format!("{first}\n{stdout}");
    assert!(!all.contains(TOKEN), "the token is never printed");
}

/// Runs one request through the worker; the members of the cadence detail it got.
async fn cadence_members(handle: &mut worker::WorkerHandle, id: u64, cadence_id: u64) -> Vec<u64> {
    let request = Request::CadenceDetail { cadence_id };
    let envelope = Envelope {
        id,
        priority: Priority::Visible,
        request,
    };
    handle.requests.send(envelope).unwrap();
    let mut members = Vec::new();
    loop {
        match next_event(handle).await {
            WorkerEvent::CadenceMembers {
                id: got,
                members: m,
                ..
            } if got == id => {
                members = m.iter().map(|(m, _)| m.id).collect();
            }
            WorkerEvent::Finished { id: got, error } if got == id => {
                assert_eq!(error, None);
                return members;
            }
            _ => {}
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_membership_webhook_refreshes_the_cached_cadence_detail() {
    let (rx, events) = receiver().await;
    let sim = start_sim(Some(target(&rx.url(), 100)), false, 200).await;
    let mut handle = webhook_worker(&sim, events);
    let cadence_id = active_team_cadence(&sim).await;
    let before = cadence_members(&mut handle, 1, cadence_id).await;
    // Someone else enrolls a person (another integration, or the SalesLoft web app).
    let person = create_person(&sim, 5).await;
    let person_id = person["data"]["id"].as_u64().unwrap();
    let membership_id = add_membership(&sim, person_id, cadence_id).await;
    assert!(!before.contains(&membership_id));
    // The detail is cached for 30 s; the webhook makes the next look read it again.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    let mut id = 2;
    loop {
        if cadence_members(&mut handle, id, cadence_id)
            .await
            .contains(&membership_id)
        {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "the cached detail was never refreshed"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
        id += 1;
    }
    assert!(rx.stats().accepted >= 2);
    drop(handle.requests);
}
