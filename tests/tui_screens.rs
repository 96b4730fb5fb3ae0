//! Whole-screen snapshots: every view and dialog, drawn with ratatui's `TestBackend`
//! at 120x40 and 80x24, compared with the reviewed screens in `tests/snapshots/`
//! (`insta`). States are built only through `update` (keys, actions and worker
//! events), as the app builds them.
//!
//! A changed screen fails the test and leaves a `.snap.new` beside the old one:
//! review it line by line (is anything cut off at 80x24?), then accept it with
//! `cargo insta review`, or `INSTA_UPDATE=always cargo test --test tui_screens`
//! and a look at the diff. A new screen is one more `screens(...)` line below.

mod tui_support;

use crossterm::event::KeyCode;
use sltui::config::keymap::Action;
use sltui::tui::msg::Msg;
use sltui::tui::setup::StateSetup;
use sltui::tui::state::{AppState, View};
use sltui::tui::style::Styles;
use sltui::tui::update::{init, update};
use sltui::worker::{ConnectionState, EnrollOutcome, Request, WorkerEvent};
use tui_support::*;

/// The sizes every screen is checked at: a roomy terminal and the classic minimum.
const SIZES: [(u16, u16); 2] = [(120, 40), (80, 24)];

/// Snapshots the screen `build` makes at every size in [`SIZES`], as
/// `tests/snapshots/tui_screens__{name}@{w}x{h}.snap`. `build` runs once per size
/// (the terminal size reaches the state through `update`, as a resize does).
fn screens(name: &str, build: impl Fn() -> AppState) {
    for (w, h) in SIZES {
        let mut state = build();
        update(&mut state, Msg::Resize(w, h));
        let text = screen_text(&state, w, h);
        // Trailing blanks carry nothing and make diffs noisy.
        let text: Vec<&str> = text.lines().map(str::trim_end).collect();
        insta::with_settings!({
            omit_expression => true,
            description => format!("{name} at {w}x{h}"),
            filters => vec![
                // Ages follow the test's clock; pinned so a slow run cannot change them.
                (r"updated \d+s ago", "updated [age] ago"),
                (r"stale \d+s", "stale [age]"),
            ],
        }, {
            insta::assert_snapshot!(format!("{name}@{w}x{h}"), text.join("\n"));
        });
    }
}

/// Alerts (4) with four rules: one firing, one quiet, one with too few emails,
/// one needing more days than the range holds.
fn alerts() -> AppState {
    let mut s = alerting();
    act(&mut s, Action::View4);
    s
}

/// People view with Ada and Alan marked, the cadence picker open, "q" typed.
fn enroll_pick_cadence() -> AppState {
    let mut s = loaded();
    act(&mut s, Action::View2);
    act(&mut s, Action::Mark); // Ada, the cursor moves to Grace
    act(&mut s, Action::Down); // Alan
    act(&mut s, Action::Mark);
    act(&mut s, Action::Enroll);
    typ(&mut s, "q");
    s
}

/// "Q3 Outbound" picked; its steps arrived.
fn enroll_pick_step() -> AppState {
    let mut s = enroll_pick_cadence();
    typ(&mut s, "3");
    update(&mut s, code(KeyCode::Enter));
    ev(
        &mut s,
        WorkerEvent::CadenceSteps {
            id: 0,
            cadence_id: 1,
            steps: vec![
                step(11, 1, 1, 1, "email", "Intro"),
                step(12, 1, 3, 2, "email", "Bump"),
            ],
        },
    );
    s
}

/// The second step chosen: the confirm dialog, Cancel focused.
fn enroll_confirm() -> AppState {
    let mut s = enroll_pick_step();
    act(&mut s, Action::Down);
    act(&mut s, Action::Down);
    update(&mut s, code(KeyCode::Enter));
    s
}

/// Confirmed and answered: one enrolled, one already on the cadence.
fn enroll_done() -> AppState {
    let mut s = enroll_confirm();
    update(&mut s, code(KeyCode::Right));
    let fx = update(&mut s, code(KeyCode::Enter));
    let (id, _) = find(&fx, |r| matches!(r, Request::Enroll { .. })).expect("enroll sent");
    let label = "enrolling 2 people".to_string();
    ev(&mut s, WorkerEvent::Started { id, label });
    for (person_id, outcome) in [
        (501, EnrollOutcome::Enrolled { membership_id: 77 }),
        (503, EnrollOutcome::AlreadyOnCadence { membership_id: 5 }),
    ] {
        ev(
            &mut s,
            WorkerEvent::EnrollProgress {
                id,
                person_id,
                outcome,
            },
        );
    }
    ev(&mut s, WorkerEvent::Finished { id, error: None });
    s
}

/// `--read-only`: the same data, and `e` on People answers with a message.
fn read_only() -> AppState {
    let mut s = loaded_from(state_with(true, Styles::plain()));
    act(&mut s, Action::View2);
    assert_eq!(s.view, View::People);
    act(&mut s, Action::Enroll);
    s
}

/// The first start: nothing has answered yet.
fn loading() -> AppState {
    let mut s = state();
    init(&mut s);
    s
}

/// The account has no cadences.
fn empty() -> AppState {
    let mut s = state();
    let fx = init(&mut s);
    let (id, _) = find(&fx, |r| matches!(r, Request::Cadences)).unwrap();
    ev(
        &mut s,
        WorkerEvent::Cadences {
            id,
            cadences: vec![],
        },
    );
    ev(&mut s, WorkerEvent::Finished { id, error: None });
    s
}

/// The cadence list failed: the API key was refused.
fn error() -> AppState {
    let mut s = state();
    let fx = init(&mut s);
    let (id, _) = find(&fx, |r| matches!(r, Request::Cadences)).unwrap();
    let error = Some("the API key was refused (401): check SALESLOFT_API_KEY".into());
    ev(&mut s, WorkerEvent::Finished { id, error });
    s
}

/// A wrong key from the environment: SalesLoft refused it at the first request;
/// nothing is sent until `r` or the backoff, and nothing says LIVE.
fn auth_failed() -> AppState {
    let session = sltui::tui::state::Session {
        demo: false,
        profile_label: "sales".into(),
        ..session(false)
    };
    let mut s = StateSetup {
        session,
        key_source: Some("env SALESLOFT_API_KEY".into()),
        ..setup()
    }
    .build();
    let fx = init(&mut s);
    let (id, _) = find(&fx, |r| matches!(r, Request::Cadences)).unwrap();
    let reason = "Not authorized: the access token is invalid or expired";
    let error = Some(format!(
        "401 Unauthorized: {reason}. Check SALESLOFT_API_KEY or refresh the token."
    ));
    ev(&mut s, WorkerEvent::Finished { id, error });
    ev(
        &mut s,
        WorkerEvent::Connection {
            state: ConnectionState::AuthFailed {
                retry_in_secs: 60,
                reason: reason.into(),
            },
        },
    );
    s
}

/// SalesLoft unreachable after the data loaded: kept on screen, marked stale.
fn offline() -> AppState {
    let mut s = loaded();
    ev(
        &mut s,
        WorkerEvent::Connection {
            state: ConnectionState::Down {
                retry_in_secs: 4,
                reason: "timed out".into(),
            },
        },
    );
    s
}

/// Live data frozen by the user, and background polling paused by the budget.
fn frozen_and_paused() -> AppState {
    let mut s = loaded();
    act(&mut s, Action::Freeze);
    ev(
        &mut s,
        WorkerEvent::LiveState {
            enabled: false,
            paused_reason: Some("budget low".into()),
        },
    );
    s
}

#[test]
fn views() {
    screens("cadences", loaded);
    screens("cadences_ids", || {
        let mut s = loaded();
        act(&mut s, Action::ToggleIds);
        s
    });
    screens("cadence_detail", q3_detail);
    screens("cadence_detail_funnel", detail_funnel);
    screens("cadence_detail_people", || {
        let mut s = detail_funnel();
        act(&mut s, Action::SwitchPane);
        s
    });
    screens("people_search", people_search);
    screens("people_search_ids", || {
        let mut s = people_search();
        act(&mut s, Action::ToggleIds);
        s
    });
    screens("person", person_page);
    screens("alerts", alerts);
    screens("cadence_detail_daily", || {
        let mut s = q3_detail();
        act(&mut s, Action::Chart);
        s
    });
    screens("activity_weekly", || {
        let mut s = loaded();
        act(&mut s, Action::View3);
        act(&mut s, Action::Chart);
        act(&mut s, Action::Chart);
        s
    });
    screens("activity", || {
        let mut s = loaded();
        act(&mut s, Action::View3);
        s
    });
}

#[test]
fn dialogs() {
    screens("save_view", || {
        let config_path = Some("/home/u/.config/sltui/config.toml".into());
        let mut s = loaded_from(
            StateSetup {
                config_path,
                ..setup()
            }
            .build(),
        );
        act(&mut s, Action::CycleState);
        act(&mut s, Action::SaveView);
        typ(&mut s, "Active");
        s
    });
    screens("help", || {
        let mut s = loaded();
        act(&mut s, Action::Help);
        s
    });
    screens("enroll_pick_cadence", enroll_pick_cadence);
    screens("enroll_pick_step", enroll_pick_step);
    screens("enroll_confirm", enroll_confirm);
    screens("enroll_done", enroll_done);
    screens("palette", || {
        let mut s = loaded();
        update(&mut s, key(':'));
        typ(&mut s, "view");
        s
    });
}

#[test]
fn states() {
    screens("loading", loading);
    screens("empty", empty);
    screens("error", error);
    screens("auth_failed", auth_failed);
    screens("offline", offline);
    screens("read_only", read_only);
    screens("frozen_and_paused", frozen_and_paused);
}
