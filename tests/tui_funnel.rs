//! The detail's funnel and template table through `update`: what is asked of
//! the worker and when, which answers are taken, and the switch-pane key.

mod tui_support;

use sltui::config::keymap::Action;
use sltui::metrics::breakdown::compare_templates;
use sltui::metrics::funnel::StepFunnel;
use sltui::metrics::{Engagement, TimeRange};
use sltui::tui::setup::StateSetup;
use sltui::tui::state::{AppState, View};
use sltui::worker::{PUSHED, Request, RequestId, WorkerEvent};
use tui_support::*;

/// The detail of cadence 1 ("Q3 Outbound") with three steps and two people, and
/// the funnel request it sent.
fn detail() -> (AppState, RequestId) {
    let mut s = loaded();
    act(&mut s, Action::Down);
    act(&mut s, Action::Down);
    let fx = act(&mut s, Action::Enter);
    let (id, _) = find(&fx, |r| matches!(r, Request::CadenceDetail { .. })).unwrap();
    let (funnel, _) = find(
        &fx,
        |r| matches!(r, Request::Funnel { cadence_id: 1, range } if *range == s.metrics.range),
    )
    .expect("opening the detail asks for its funnel");
    let mut off = step(14, 1, 7, 4, "email", "Breakup");
    off.disabled = true;
    ev(
        &mut s,
        WorkerEvent::CadenceSteps {
            id,
            cadence_id: 1,
            steps: vec![
                step(11, 1, 1, 1, "email", "Intro email"),
                off,
                step(12, 1, 3, 2, "email", "Bump"),
            ],
        },
    );
    ev(
        &mut s,
        WorkerEvent::CadenceMembers {
            id,
            cadence_id: 1,
            members: vec![
                (membership(1, 501, 1, "active", true), None),
                (membership(2, 502, 1, "active", true), None),
            ],
        },
    );
    ev(&mut s, WorkerEvent::Finished { id, error: None });
    (s, funnel)
}

fn answer(cadence_id: u64, id: RequestId, range: TimeRange) -> WorkerEvent {
    let e = |delivered, replied| Engagement {
        sent: delivered,
        delivered,
        replied,
        ..Engagement::default()
    };
    WorkerEvent::Funnel {
        id,
        cadence_id,
        range,
        steps: vec![
            step(11, 1, 1, 1, "email", "Intro email"),
            step(12, 1, 3, 2, "email", "Bump"),
        ],
        funnel: vec![StepFunnel {
            step_id: Some(11),
            engagement: e(10, 2),
            people_reached: 10,
        }],
        templates: [(
            11,
            compare_templates(&[(Some(1), e(6, 2)), (Some(2), e(4, 0))]),
        )]
        .into_iter()
        .collect(),
        titles: Default::default(),
    }
}

#[test]
fn disabled_steps_are_rows_of_the_detail_in_cadence_order() {
    let (s, _) = detail();
    // Three steps (the disabled one included), then two people.
    assert_eq!(s.detail_step_count(), 3);
    let text = screen_text(&s, 120, 40);
    let intro = text.find("Intro email").unwrap();
    let bump = text.find("Bump").unwrap();
    let off = text
        .find("[off] Breakup")
        .expect("the disabled step is marked");
    assert!(intro < bump && bump < off, "day order:\n{text}");
}

#[test]
fn the_answer_is_taken_once_and_only_for_the_open_cadence_and_range() {
    let (mut s, id) = detail();
    let range = s.metrics.range;
    // Another request's answer, another cadence's: ignored.
    ev(&mut s, answer(1, id + 100, range));
    ev(&mut s, answer(2, id, range));
    assert!(s.cadences.detail.as_ref().unwrap().funnel.data.is_none());
    ev(&mut s, answer(1, id, range));
    let data = s
        .cadences
        .detail
        .as_ref()
        .unwrap()
        .funnel
        .data
        .clone()
        .unwrap();
    assert_eq!(data.row(11).unwrap().people_reached, 10);
    assert_eq!(data.templates[&11].len(), 2);
    ev(&mut s, WorkerEvent::Finished { id, error: None });
    // The template table of the step under the cursor is drawn.
    let text = screen_text(&s, 80, 24);
    assert!(text.contains("Templates · step 11"), "{text}");
    assert!(text.contains("template 1"), "{text}");
    // Opening the same cadence again over the same range asks nothing more.
    act(&mut s, Action::Back);
    let fx = act(&mut s, Action::Enter);
    assert!(
        find(&fx, |r| matches!(r, Request::Funnel { .. })).is_none(),
        "{:?}",
        requests(&fx)
    );
    // Refresh asks again.
    let fx = act(&mut s, Action::Refresh);
    assert!(find(&fx, |r| matches!(r, Request::Funnel { cadence_id: 1, .. })).is_some());
}

#[test]
fn a_pushed_funnel_replaces_the_one_shown_for_the_same_cadence_and_range() {
    // The team database's worker counts the funnel again when one of the
    // cadence's calls or templates changes, and sends it unasked (PUSHED).
    let (mut s, id) = detail();
    let range = s.metrics.range;
    ev(&mut s, answer(1, id, range));
    ev(&mut s, WorkerEvent::Finished { id, error: None });
    let reached = |s: &AppState| {
        let d = s.cadences.detail.as_ref().unwrap();
        d.funnel
            .data
            .as_ref()
            .unwrap()
            .row(11)
            .unwrap()
            .people_reached
    };
    assert_eq!(reached(&s), 10);
    let pushed = |cadence_id, range, people_reached| {
        let mut e = answer(cadence_id, PUSHED, range);
        if let WorkerEvent::Funnel { funnel, .. } = &mut e {
            funnel[0].people_reached = people_reached;
        }
        e
    };
    // Another cadence's push, or one over another range: not this detail's.
    ev(&mut s, pushed(2, range, 30));
    let other = if range == TimeRange::All {
        TimeRange::Days(7)
    } else {
        TimeRange::All
    };
    ev(&mut s, pushed(1, other, 40));
    assert_eq!(reached(&s), 10);
    // This cadence over the range shown: taken, and drawn.
    ev(&mut s, pushed(1, range, 11));
    assert_eq!(reached(&s), 11);
    assert!(
        !s.cadences
            .detail
            .as_ref()
            .unwrap()
            .funnel
            .fetch
            .is_loading()
    );
}

#[test]
fn a_new_range_asks_for_its_funnel_and_hides_the_old_one() {
    let (mut s, id) = detail();
    let old = s.metrics.range;
    ev(&mut s, answer(1, id, old));
    ev(&mut s, WorkerEvent::Finished { id, error: None });
    let fx = act(&mut s, Action::CycleRange);
    let new = s.metrics.range;
    assert_ne!(new, old);
    assert!(
        find(
            &fx,
            |r| matches!(r, Request::Funnel { cadence_id: 1, range } if *range == new)
        )
        .is_some(),
        "{:?}",
        requests(&fx)
    );
    // Until it arrives the old range's people are not shown as the new one's.
    let text = screen_text(&s, 120, 40);
    assert!(!text.contains("██████████ 10"), "{text}");
    assert!(text.contains("Loading the funnel"), "{text}");
}

#[test]
fn a_failed_funnel_says_so_in_the_templates_pane() {
    let (mut s, id) = detail();
    ev(
        &mut s,
        WorkerEvent::Finished {
            id,
            error: Some("funnel of cadence 1: server error 503".into()),
        },
    );
    let text = screen_text(&s, 120, 40);
    assert!(
        text.contains("Could not load the templates: funnel of cadence 1"),
        "{text}"
    );
    assert!(text.contains("funnel failed"), "{text}");
}

#[test]
fn the_switch_key_jumps_between_steps_and_people() {
    let (mut s, _) = detail();
    assert_eq!(s.view, View::CadenceDetail);
    assert_eq!(s.cadences.detail.as_ref().unwrap().cursor.selected, 0);
    let text = screen_text(&s, 120, 40);
    assert!(
        text.contains("w: focus"),
        "the unfocused pane names the key:\n{text}"
    );
    assert!(text.contains("w panes"), "the hints name it too:\n{text}");
    act(&mut s, Action::SwitchPane);
    assert_eq!(
        s.cadences.detail.as_ref().unwrap().cursor.selected,
        3,
        "first person"
    );
    act(&mut s, Action::Down);
    act(&mut s, Action::SwitchPane);
    assert_eq!(
        s.cadences.detail.as_ref().unwrap().cursor.selected,
        0,
        "first step"
    );
    // Narrow: the pane under the steps follows the focus.
    let narrow = screen_text(&s, 80, 24);
    assert!(narrow.contains("Templates"), "{narrow}");
    act(&mut s, Action::SwitchPane);
    let narrow = screen_text(&s, 80, 24);
    assert!(narrow.contains("People (2 on"), "{narrow}");
}

#[test]
fn on_the_team_database_the_funnel_is_asked_for_and_drawn() {
    let mut s = loaded_from(
        StateSetup {
            hub: true,
            ..setup()
        }
        .build(),
    );
    act(&mut s, Action::Down);
    act(&mut s, Action::Down);
    let fx = act(&mut s, Action::Enter);
    // The hub reader answers it from the database (its sync covers it).
    let (funnel, _) = find(&fx, |r| matches!(r, Request::Funnel { cadence_id: 1, .. }))
        .expect("the detail asks the team database for its funnel");
    let (id, _) = find(&fx, |r| matches!(r, Request::CadenceDetail { .. })).unwrap();
    ev(
        &mut s,
        WorkerEvent::CadenceSteps {
            id,
            cadence_id: 1,
            steps: vec![step(11, 1, 1, 1, "email", "Intro email")],
        },
    );
    let range = s.metrics.range;
    ev(&mut s, answer(1, funnel, range));
    ev(
        &mut s,
        WorkerEvent::Finished {
            id: funnel,
            error: None,
        },
    );
    let text = screen_text(&s, 120, 40);
    assert!(!text.contains("needs SalesLoft"), "{text}");
    assert!(!text.contains("funnel failed"), "{text}");
    assert!(text.contains("Templates"), "{text}");
}
