//! Pages built through `update` for the screen, export and mouse tests: the
//! detail with its funnel answered, a people search, a person's page.

use crossterm::event::KeyCode;
use sltui::config::keymap::Action;
use sltui::tui::state::AppState;
use sltui::tui::update::update;
use sltui::worker::{Request, WorkerEvent};

use super::*;

/// The detail with a disabled step and the funnel answered: people reached per
/// step with the drop-off, and the A/B table of the step under the cursor.
pub fn detail_funnel() -> AppState {
    use sltui::metrics::Engagement;
    use sltui::metrics::breakdown::compare_templates;
    use sltui::metrics::funnel::StepFunnel;
    let mut s = q3_detail();
    // Opening the detail asked for its funnel.
    let id = s
        .cadences
        .detail
        .as_ref()
        .unwrap()
        .funnel
        .fetch
        .waiting
        .unwrap();
    let mut off = step(14, 1, 7, 4, "email", "Breakup");
    off.disabled = true;
    let steps = vec![
        step(11, 1, 1, 1, "email", "Intro email"),
        step(12, 1, 3, 2, "email", "Bump"),
        step(13, 1, 5, 3, "phone", "Call"),
        off,
    ];
    let reached = |step_id, people_reached| StepFunnel {
        step_id: Some(step_id),
        engagement: Engagement::default(),
        people_reached,
    };
    let e = |sent, delivered, replied| Engagement {
        sent,
        delivered,
        replied,
        ..Engagement::default()
    };
    let range = s.metrics.range;
    let templates = compare_templates(&[
        (Some(901), e(420, 410, 41)),
        (Some(902), e(400, 392, 14)),
        (None, e(12, 12, 0)),
    ]);
    ev(
        &mut s,
        WorkerEvent::Funnel {
            id,
            cadence_id: 1,
            range,
            steps,
            funnel: vec![
                reached(11, 832),
                reached(12, 701),
                reached(13, 455),
                reached(14, 38),
            ],
            templates: [(11, templates)].into_iter().collect(),
            titles: [
                (901, "Intro: short".to_string()),
                (902, "Intro: case study".to_string()),
            ]
            .into_iter()
            .collect(),
        },
    );
    ev(&mut s, WorkerEvent::Finished { id, error: None });
    s
}

/// People: searched for "a", the first hit marked.
pub fn people_search() -> AppState {
    let mut s = loaded();
    act(&mut s, Action::View2);
    act(&mut s, Action::Filter);
    typ(&mut s, "a");
    update(&mut s, code(KeyCode::Enter));
    act(&mut s, Action::Mark);
    s
}

/// A person's page: Grace Hopper, on one cadence.
pub fn person_page() -> AppState {
    let mut s = loaded();
    act(&mut s, Action::View2);
    act(&mut s, Action::Down);
    let fx = act(&mut s, Action::Enter);
    let (id, _) = find(&fx, |r| matches!(r, Request::PersonDetail { .. })).unwrap();
    ev(
        &mut s,
        WorkerEvent::PersonDetail {
            id,
            person: person(
                502,
                "Grace",
                "Hopper",
                "grace@navy.mil",
                "US Navy",
                "Rear Admiral",
            ),
            memberships: vec![membership(9, 502, 1, "active", true)],
        },
    );
    ev(&mut s, WorkerEvent::Finished { id, error: None });
    s
}
