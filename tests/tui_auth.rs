//! A wrong or revoked key: the dashboard (its `update` and the real worker,
//! against the simulator over loopback) shows the auth-failed state naming where
//! the key came from, never the key, never `● LIVE`; it stops sending and tries
//! the key again only when asked (`r`, at most once per 10 s) or after a long
//! backoff. Requests are counted at the simulator.

mod tui_support;

use std::time::{Duration, Instant};

use sltui::api::{ApiClient, ApiConfig};
use sltui::config::keymap::Action;
use sltui::sim::{self, SimConfig};
use sltui::tui::msg::Msg;
use sltui::tui::setup::StateSetup;
use sltui::tui::state::{AppState, Session};
use sltui::tui::update::{init, update};
use sltui::worker::store_sync::{StoreEvent, StoreSync};
use sltui::worker::{
    self, ConnectionState, EnrollOutcome, Envelope, Priority, Request, WorkerEvent, WorkerOptions,
};
use tui_support::*;

const RIGHT: &str = "the-right-key";
const WRONG: &str = "sk-live-WRONG-4f1e9b-NEVER-SHOWN";

async fn sim_stats(root: &str) -> serde_json::Value {
    reqwest::get(format!("{root}/_sim/stats"))
        .await
        .expect("sim reachable")
        .json()
        .await
        .expect("stats")
}

/// The first status line (live state) and the whole screen, checked on every
/// change: never LIVE, never the key.
fn check_screen(state: &AppState) -> String {
    let text = screen_text(state, 120, 40);
    let status = text.lines().nth(38).unwrap_or_default().to_string();
    assert!(!status.contains("LIVE"), "LIVE while refused: {status}");
    assert!(!text.contains(WRONG), "the key is on screen");
    text
}

/// The dashboard as it starts with a key from `--api-key`: live polling every
/// second, the store's background sync (into `dir`) beside the worker, and the
/// first requests sent.
fn start_dashboard(client: &ApiClient, dir: &std::path::Path) -> (AppState, worker::WorkerHandle) {
    let handle = worker::spawn(
        client.clone(),
        WorkerOptions {
            poll_secs: 1,
            store_sync: Some(StoreSync {
                path: dir.join("store.sqlite"),
                server: client.base_url().to_string(),
                share: 0.2,
                rest: false,
            }),
            ..WorkerOptions::default()
        },
    );
    let mut state = StateSetup {
        session: Session {
            demo: false,
            ..session(false)
        },
        key_source: Some("--api-key".into()),
        ..setup()
    }
    .build();
    let fx = init(&mut state);
    send(&handle, fx);
    (state, handle)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_key_costs_at_most_three_requests_in_20_s_and_shows_where_it_came_from() {
    let sim = sim::start(SimConfig {
        addr: ([127, 0, 0, 1], 0).into(),
        api_key: RIGHT.into(),
        people: 100,
        cadences: 5,
        ..SimConfig::default()
    })
    .await
    .expect("simulator starts");
    let root = format!("http://{}", sim.addr());
    let dir = tempfile::tempdir().expect("temp dir");
    let client = ApiClient::new(ApiConfig::new(&sim.base_url(), Some(WRONG.into()))).unwrap();
    let (mut state, mut handle) = start_dashboard(&client, dir.path());

    let start = Instant::now();
    let mut next_press = start;
    let mut refusals = 0;
    let mut text = String::new();
    // The user presses r twice a second for 20 s.
    while start.elapsed() < Duration::from_secs(20) {
        if Instant::now() >= next_press {
            let fx = act(&mut state, Action::Refresh);
            send(&handle, fx);
            next_press += Duration::from_millis(500);
        }
        if let Ok(Some(event)) =
            tokio::time::timeout(Duration::from_millis(100), handle.events.recv()).await
        {
            if let WorkerEvent::Connection {
                state: ConnectionState::AuthFailed { .. },
            } = &event
            {
                refusals += 1;
            }
            let fx = update(&mut state, Msg::Worker(event));
            send(&handle, fx);
        }
        state.clock.now = Instant::now();
        text = check_screen(&state);
    }
    let stats = sim_stats(&root).await;
    eprintln!("simulator after 20 s: {stats}");
    let requests = stats["requests"].as_u64().unwrap();
    assert!(
        (2..=3).contains(&requests),
        "one refused request, then r at most every 10 s: {stats}"
    );
    assert_eq!(
        stats["unauthorized"].as_u64(),
        Some(requests),
        "nothing else was sent: {stats}"
    );
    assert!(
        refusals >= 2,
        "the first refusal and the refused retry were announced"
    );
    assert!(state.conn.auth.is_some());
    assert!(text.contains("AUTH FAILED"), "{text}");
    assert!(
        text.contains("SalesLoft refused the key from --api-key"),
        "{text}"
    );
    assert!(
        text.contains("press r to try again"),
        "the key to retry: {text}"
    );
    drop(handle);
    sim.shutdown().await;
}

/// Drives the dashboard (its `update` and the worker) for `secs`, pressing `r`
/// every `press` (if any); returns how many auth-failed states were announced
/// and whether the screen named the key's source. From the first one on, the
/// screen is checked on every turn.
async fn drive(
    state: &mut AppState,
    handle: &mut worker::WorkerHandle,
    secs: u64,
    press: Option<Duration>,
    mut on_event: impl FnMut(&WorkerEvent),
) -> (usize, bool) {
    let start = Instant::now();
    let mut next_press = start;
    let mut refusals = 0;
    let mut named = false;
    while start.elapsed() < Duration::from_secs(secs) {
        if let Some(every) = press
            && Instant::now() >= next_press
        {
            let fx = act(state, Action::Refresh);
            send(handle, fx);
            next_press += every;
        }
        if let Ok(Some(event)) =
            tokio::time::timeout(Duration::from_millis(100), handle.events.recv()).await
        {
            if let WorkerEvent::Connection {
                state: ConnectionState::AuthFailed { .. },
            } = &event
            {
                refusals += 1;
            }
            on_event(&event);
            let fx = update(state, Msg::Worker(event));
            send(handle, fx);
        }
        state.clock.now = Instant::now();
        if refusals > 0 {
            named |= check_screen(state).contains("SalesLoft refused the key from --api-key");
        }
    }
    (refusals, named)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_key_revoked_mid_session_stops_everything_and_the_queued_enrollment_is_not_done() {
    const KEY: &str = "sk-live-REVOKED-LATER-9c2d";
    let sim = sim::start(SimConfig {
        addr: ([127, 0, 0, 1], 0).into(),
        api_key: KEY.into(),
        people: 100,
        cadences: 5,
        live: true,
        live_tick_ms: 200,
        ..SimConfig::default()
    })
    .await
    .expect("simulator starts");
    let root = format!("http://{}", sim.addr());
    let http = reqwest::Client::new();
    let dir = tempfile::tempdir().expect("temp dir");
    let client = ApiClient::new(ApiConfig::new(&sim.base_url(), Some(KEY.into()))).unwrap();
    let (mut state, mut handle) = start_dashboard(&client, dir.path());
    // The dashboard runs with the key working: loaded, synced, polling.
    let mut synced = false;
    for _ in 0..3 {
        drive(&mut state, &mut handle, 3, None, |e| {
            if let WorkerEvent::Store(StoreEvent::Finished { ok: true, .. }) = e {
                synced = true;
            }
        })
        .await;
        if synced && !state.cadences.list.cadences.is_empty() {
            break;
        }
    }
    assert!(
        synced && state.conn.auth.is_none(),
        "the key works at first"
    );
    assert!(check_screen_live(&state), "LIVE while the key works");
    let person: serde_json::Value = http
        .get(format!("{}/people.json?per_page=1", sim.base_url()))
        .bearer_auth(KEY)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let person_id = person["data"][0]["id"].as_u64().expect("a person");
    let cadence_id = state.cadences.list.cadences[0].id;

    // An admin revokes the key; the user enrolls someone right after.
    let revoked: serde_json::Value = http
        .post(format!("{root}/_sim/key/revoke"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(revoked["revoked"], true, "{revoked}");
    handle
        .requests
        .send(Envelope {
            id: 9_999_001,
            priority: Priority::User,
            request: Request::Enroll {
                person_ids: vec![person_id],
                cadence_id,
                step_id: None,
                user_id: None,
            },
        })
        .unwrap();
    let mut enrolled = Vec::new();
    let (refusals, named) = drive(
        &mut state,
        &mut handle,
        20,
        Some(Duration::from_millis(500)),
        |e| {
            if let WorkerEvent::EnrollProgress { outcome, .. } = e {
                enrolled.push(outcome.clone());
            }
        },
    )
    .await;
    let stats = sim_stats(&root).await;
    eprintln!("simulator 20 s after the revocation: {stats}");
    let after = stats["requests_after_revocation"].as_u64().unwrap();
    assert!(
        (1..=3).contains(&after),
        "after the first 401, nothing but r at most every 10 s: {after} requests: {stats}"
    );
    assert!(refusals >= 1, "the refusal was announced");
    let text = check_screen(&state);
    assert!(text.contains("AUTH FAILED"), "{text}");
    assert!(named, "the screen said where the key came from");
    // The enrollment queued behind the revocation: reported, not done, not sent.
    assert_eq!(
        enrolled.len(),
        1,
        "one outcome for one person: {enrolled:?}"
    );
    assert!(
        matches!(&enrolled[0], EnrollOutcome::Failed { reason } if reason.contains("not")),
        "{enrolled:?}"
    );
    assert_eq!(
        stats["by_endpoint"]["POST cadence_memberships"].as_u64(),
        None,
        "the create call was never sent: {stats}"
    );
    drop(handle);
    sim.shutdown().await;
}

/// Whether the status line says LIVE (the key works and polling runs).
fn check_screen_live(state: &AppState) -> bool {
    let text = screen_text(state, 120, 40);
    text.lines().nth(38).unwrap_or_default().contains("LIVE")
}

#[test]
fn the_key_working_again_clears_the_state_and_reads_everything_again() {
    let key_source = Some("env SALESLOFT_API_KEY".into());
    let mut s = loaded_from(
        StateSetup {
            key_source,
            ..setup()
        }
        .build(),
    );
    ev(
        &mut s,
        WorkerEvent::Connection {
            state: ConnectionState::AuthFailed {
                retry_in_secs: 120,
                reason: "Invalid token".into(),
            },
        },
    );
    let status = screen_text(&s, 120, 40);
    assert!(
        status.contains("AUTH FAILED · r retry · auto in 120 s"),
        "{status}"
    );
    assert!(!status.contains("LIVE"), "{status}");
    // r while refused tries the key, and nothing else.
    let fx = act(&mut s, Action::Refresh);
    assert_eq!(requests(&fx), vec![&Request::RetryAuth]);
    let fx = ev(
        &mut s,
        WorkerEvent::Connection {
            state: ConnectionState::Up,
        },
    );
    assert!(s.conn.auth.is_none());
    let asked = requests(&fx);
    for wanted in [Request::Me, Request::Users, Request::Cadences] {
        assert!(asked.contains(&&wanted), "{wanted:?} in {asked:?}");
    }
    assert!(screen_text(&s, 120, 40).contains("LIVE"));
}
