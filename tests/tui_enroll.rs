//! Enrollment from the keyboard: marks, the cadence picker (active only), the step
//! picker, the confirm dialog with Cancel focused, read-only, and the task line.

mod tui_support;

use crossterm::event::KeyCode;
use sltui::config::keymap::Action;
use sltui::tui::enroll::{ConfirmFocus, Stage};
use sltui::tui::msg::Effect;
use sltui::tui::state::{AppState, Popup};
use sltui::tui::style::Styles;
use sltui::tui::update::update;
use sltui::worker::{EnrollOutcome, Priority, Request, WorkerEvent};
use tui_support::*;

fn flow(s: &AppState) -> &sltui::tui::enroll::EnrollFlow {
    match &s.popup {
        Some(Popup::Enroll(f)) => f,
        other => panic!("no enroll popup: {other:?}"),
    }
}

fn no_enroll(fx: &[Effect]) -> bool {
    !requests(fx)
        .iter()
        .any(|r| matches!(r, Request::Enroll { .. }))
}

/// People view with Ada and Alan marked.
fn marked_two() -> AppState {
    marked_two_from(loaded())
}

/// [`marked_two`], from a given loaded state.
fn marked_two_from(mut s: AppState) -> AppState {
    act(&mut s, Action::View2);
    act(&mut s, Action::Mark); // Ada, cursor moves to Grace
    act(&mut s, Action::Down); // Alan
    act(&mut s, Action::Mark);
    s
}

#[test]
fn space_marks_people_and_esc_clears_marks() {
    let mut s = marked_two();
    assert_eq!(
        s.people.search.marked.iter().copied().collect::<Vec<_>>(),
        vec![501, 503]
    );
    act(&mut s, Action::Back);
    assert!(s.people.search.marked.is_empty());
}

#[test]
fn picker_lists_active_cadences_first_and_refuses_archived_or_draft() {
    let mut s = marked_two();
    act(&mut s, Action::Enroll);
    let f = flow(&s);
    assert_eq!(f.people.len(), 2);
    let names: Vec<_> = f
        .choices
        .iter()
        .map(|c| (c.name.as_str(), c.disabled.is_some()))
        .collect();
    assert_eq!(
        names,
        vec![
            ("Q3 Outbound", false),
            ("Webinar Follow-up", false),
            ("New Idea", true),
            ("Old Drip", true)
        ]
    );
    // Filter to the archived one and try it: refused with the reason, popup stays.
    typ(&mut s, "old");
    let fx = update(&mut s, code(KeyCode::Enter));
    assert!(no_enroll(&fx));
    assert!(matches!(flow(&s).stage, Stage::PickCadence { .. }));
    assert!(
        s.message().unwrap().text.contains("archived"),
        "{:?}",
        s.message()
    );
}

#[test]
fn confirm_defaults_to_cancel_and_cancel_sends_nothing() {
    let mut s = marked_two();
    act(&mut s, Action::Enroll);
    typ(&mut s, "q3");
    let fx = update(&mut s, code(KeyCode::Enter));
    // Steps are unknown: the picker asks for them.
    assert!(requests(&fx).contains(&&Request::CadenceDetail { cadence_id: 1 }));
    assert!(matches!(flow(&s).stage, Stage::PickStep { .. }));
    let fx = update(&mut s, code(KeyCode::Enter)); // the first step
    assert!(no_enroll(&fx));
    assert_eq!(flow(&s).confirm_focus(), Some(ConfirmFocus::Cancel));
    let fx = update(&mut s, code(KeyCode::Enter));
    assert!(no_enroll(&fx), "enter on the default button cancels");
    assert!(s.popup.is_none());
    assert_eq!(s.people.search.marked.len(), 2, "cancel keeps the marks");
}

#[test]
fn confirming_sends_one_user_priority_enroll_and_tracks_outcomes() {
    let mut s = marked_two();
    act(&mut s, Action::Enroll);
    typ(&mut s, "q3");
    update(&mut s, code(KeyCode::Enter));
    // Steps arrive while picking: choose the second step.
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
    act(&mut s, Action::Down);
    act(&mut s, Action::Down);
    act_key(&mut s, KeyCode::Enter);
    assert_eq!(flow(&s).confirm_focus(), Some(ConfirmFocus::Cancel));
    act_key(&mut s, KeyCode::Right);
    assert_eq!(flow(&s).confirm_focus(), Some(ConfirmFocus::Confirm));
    let fx = act_key(&mut s, KeyCode::Enter);
    let (id, prio) = find(&fx, |r| matches!(r, Request::Enroll { .. })).expect("enroll sent");
    assert_eq!(prio, Priority::User);
    assert_eq!(
        requests(&fx),
        vec![&Request::Enroll {
            person_ids: vec![501, 503],
            cadence_id: 1,
            step_id: Some(12),
            user_id: None
        }]
    );
    assert!(s.popup.is_none() && s.people.search.marked.is_empty());

    ev(
        &mut s,
        WorkerEvent::Started {
            id,
            label: "enrolling 2 people".into(),
        },
    );
    ev(
        &mut s,
        WorkerEvent::EnrollProgress {
            id,
            person_id: 501,
            outcome: EnrollOutcome::Enrolled { membership_id: 77 },
        },
    );
    assert!(s.tasks.list.last().unwrap().summary().contains("1/2"));
    ev(
        &mut s,
        WorkerEvent::EnrollProgress {
            id,
            person_id: 503,
            outcome: EnrollOutcome::AlreadyOnCadence { membership_id: 5 },
        },
    );
    let fx = ev(&mut s, WorkerEvent::Finished { id, error: None });
    let lines = s.tasks.list.last().unwrap().lines();
    assert_eq!(lines[0], (true, "✓ Ada Lovelace enrolled".to_string()));
    assert_eq!(
        lines[1],
        (false, "✗ Alan Turing: already on this cadence".to_string())
    );
    // Counts changed: the cadence list is read again.
    assert!(requests(&fx).contains(&&Request::Cadences));
}

#[test]
fn enrollment_refreshes_the_open_cadence_and_person() {
    let mut s = loaded();
    act(&mut s, Action::Down);
    act(&mut s, Action::Down); // Q3 Outbound
    act(&mut s, Action::Enter);
    act(&mut s, Action::Enroll);
    assert!(flow(&s).from_cadence);
    typ(&mut s, "grace");
    act_key(&mut s, KeyCode::Tab); // mark Grace
    act_key(&mut s, KeyCode::Enter);
    ev(
        &mut s,
        WorkerEvent::CadenceSteps {
            id: 0,
            cadence_id: 1,
            steps: vec![],
        },
    );
    act_key(&mut s, KeyCode::Enter); // first step
    act_key(&mut s, KeyCode::Tab); // to Enroll
    let fx = act_key(&mut s, KeyCode::Enter);
    let (id, _) = find(&fx, |r| matches!(r, Request::Enroll { .. })).expect("enroll");
    assert_eq!(
        requests(&fx),
        vec![&Request::Enroll {
            person_ids: vec![502],
            cadence_id: 1,
            step_id: None,
            user_id: None
        }]
    );
    ev(
        &mut s,
        WorkerEvent::EnrollProgress {
            id,
            person_id: 502,
            outcome: EnrollOutcome::Enrolled { membership_id: 9 },
        },
    );
    let fx = ev(&mut s, WorkerEvent::Finished { id, error: None });
    assert!(
        requests(&fx).contains(&&Request::CadenceDetail { cadence_id: 1 }),
        "{fx:?}"
    );
}

#[test]
fn read_only_blocks_enrollment_with_a_message() {
    let mut s = loaded_from(state_with(true, Styles::plain()));
    act(&mut s, Action::View2);
    let fx = act(&mut s, Action::Enroll);
    assert!(s.popup.is_none());
    assert!(no_enroll(&fx));
    assert!(s.message().unwrap().text.contains("read-only"));
    act(&mut s, Action::View1);
    act(&mut s, Action::Enroll);
    assert!(s.popup.is_none(), "no picker from a cadence either");
    // Marking people is for enrolling: read-only, space marks nobody.
    act(&mut s, Action::View2);
    act(&mut s, Action::Mark);
    assert!(s.people.search.marked.is_empty(), "read-only marks nobody");
    assert!(
        s.message()
            .unwrap()
            .text
            .contains("marking people is for enrolling")
    );
}

#[test]
fn failures_are_shown_in_words() {
    let mut s = marked_two();
    act(&mut s, Action::Enroll);
    typ(&mut s, "webinar");
    act_key(&mut s, KeyCode::Enter);
    ev(
        &mut s,
        WorkerEvent::CadenceSteps {
            id: 0,
            cadence_id: 2,
            steps: vec![],
        },
    );
    act_key(&mut s, KeyCode::Enter);
    act_key(&mut s, KeyCode::Left);
    let fx = act_key(&mut s, KeyCode::Enter);
    let (id, _) = find(&fx, |r| matches!(r, Request::Enroll { .. })).expect("enroll");
    let reason = "the API key lacks the cadence_membership:write scope".to_string();
    ev(
        &mut s,
        WorkerEvent::EnrollProgress {
            id,
            person_id: 501,
            outcome: EnrollOutcome::Failed {
                reason: reason.clone(),
            },
        },
    );
    ev(
        &mut s,
        WorkerEvent::Finished {
            id,
            error: Some("stopped after a failure".into()),
        },
    );
    let t = s.tasks.list.last().unwrap();
    assert_eq!(t.lines()[0], (false, format!("✗ Ada Lovelace: {reason}")));
    assert!(t.summary().contains("1 not attempted"), "{}", t.summary());
    assert!(
        s.message()
            .unwrap()
            .text
            .contains("stopped after a failure")
    );
}

fn act_key(s: &mut AppState, c: KeyCode) -> Vec<Effect> {
    update(s, code(c))
}

#[test]
fn a_deleted_person_leaves_the_index_marks_and_results() {
    let mut s = marked_two();
    let names = |s: &sltui::tui::state::AppState| -> Vec<String> {
        s.people
            .search
            .hits
            .hits
            .iter()
            .map(|&i| {
                s.people
                    .search
                    .index
                    .get(i)
                    .expect("a hit is a person")
                    .name
                    .clone()
            })
            .collect()
    };
    assert_eq!(names(&s).len(), 3);
    assert!(s.people.search.marked.contains(&501));
    // Ada (the first entry) is deleted in SalesLoft: every later position moves.
    ev(&mut s, WorkerEvent::PeopleDeleted { ids: vec![501] });
    assert_eq!(s.people.search.index.len(), 2);
    assert!(s.people.search.index.by_id(501).is_none());
    assert!(!s.people.search.marked.contains(&501), "her mark is gone");
    assert!(s.people.search.marked.contains(&503), "Alan stays marked");
    let shown = names(&s);
    assert_eq!(shown.len(), 2, "{shown:?}");
    assert!(shown.iter().all(|n| n != "Ada Lovelace"), "{shown:?}");
    // Marking acts on the person shown, not on a stale position.
    let selected = s.people.search.hits.hits[s.people.search.cursor.selected];
    let id = s.people.search.index.get(selected).expect("selected").id;
    act(&mut s, Action::Mark);
    assert_eq!(s.people.search.marked.contains(&id), id != 503);
    // An unknown id changes nothing.
    ev(&mut s, WorkerEvent::PeopleDeleted { ids: vec![9_999] });
    assert_eq!(s.people.search.index.len(), 2);
}

#[test]
fn the_step_picker_and_confirm_footers_name_the_remapped_keys() {
    use sltui::config::{KeySpec, Keymap};
    let remap = [
        ("move_down", "ctrl-j"),
        ("move_up", "ctrl-k"),
        ("enter", "ctrl-o"),
        ("back", "ctrl-g"),
        ("next_view", "ctrl-t"),
    ];
    let keymap = Keymap::from_config(
        &remap
            .iter()
            .map(|(a, k)| (a.to_string(), KeySpec::One(k.to_string())))
            .collect(),
    )
    .expect("a valid keymap");
    let mut s = marked_two_from(loaded_from(
        sltui::tui::setup::StateSetup { keymap, ..setup() }.build(),
    ));
    let name = |a| s.keymap.hint(a).expect("bound");
    let (down, up, enter, back, next) = (
        name(Action::Down),
        name(Action::Up),
        name(Action::Enter),
        name(Action::Back),
        name(Action::NextView),
    );
    act(&mut s, Action::Enroll);
    typ(&mut s, "q3");
    update(&mut s, code(KeyCode::Enter)); // the filter's enter: fixed
    assert!(matches!(flow(&s).stage, Stage::PickStep { .. }));
    for (w, h) in [(80, 24), (120, 40)] {
        let text = screen_text(&s, w, h);
        let want = format!("{enter} choose · {back} back · {down}/{up} move");
        assert!(text.contains(&want), "{want:?} at {w}x{h}:\n{text}");
        assert!(!text.contains("j/k move"), "{text}");
    }
    act(&mut s, Action::Enter); // the first step
    assert_eq!(flow(&s).confirm_focus(), Some(ConfirmFocus::Cancel));
    for (w, h) in [(80, 24), (120, 40)] {
        let text = screen_text(&s, w, h);
        let want = format!("←/→ or {next} switch · {enter} choose · {back} cancel");
        assert!(text.contains(&want), "{want:?} at {w}x{h}:\n{text}");
    }
}
