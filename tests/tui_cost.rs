//! The cost question in the dashboard: an engagement load is estimated first,
//! loads at once when cheap, and otherwise asks Load / Use stored data / Cancel
//! with Cancel focused. Pure `update` tests: no terminal, no network.

mod tui_support;

use crossterm::event::KeyCode;
use sltui::budget::ReadCost;
use sltui::config::keymap::Action;
use sltui::metrics::{Engagement, TimeRange};
use sltui::tui::cost::CostChoice;
use sltui::tui::msg::Effect;
use sltui::tui::setup::StateSetup;
use sltui::tui::state::{AppState, Popup, Session};
use sltui::tui::update::{init, update};
use sltui::worker::{Request, RequestId, WorkerEvent};
use tui_support::*;

/// A dashboard that asks above 60 points, its cadences listed; returns the
/// estimate request's id and the cadences it covers.
fn asking(has_store: bool) -> (AppState, RequestId, Vec<u64>) {
    let session = Session {
        confirm_above: Some(60),
        has_store,
        ..session(false)
    };
    let mut s = StateSetup { session, ..setup() }.build();
    let fx = init(&mut s);
    let (cad, _) = find(&fx, |r| matches!(r, Request::Cadences)).expect("cadences");
    let fx = ev(
        &mut s,
        WorkerEvent::Cadences {
            id: cad,
            cadences: vec![
                cadence(1, "Q3 Outbound", "active", true, 120),
                cadence(2, "Webinar Follow-up", "active", false, 35),
            ],
        },
    );
    assert!(
        find(&fx, |r| matches!(r, Request::Engagement { .. })).is_none(),
        "nothing is read before the estimate: {fx:?}"
    );
    let (id, _) = find(&fx, |r| matches!(r, Request::EstimateEngagement { .. }))
        .expect("the load is estimated first");
    (s, id, vec![1, 2])
}

fn estimate(s: &mut AppState, id: RequestId, ids: Vec<u64>, points: u64) -> Vec<Effect> {
    let range = s.metrics.range;
    ev(
        s,
        WorkerEvent::EngagementEstimate {
            id,
            range,
            cadence_ids: ids,
            emails: Some(points * 100),
            cost: Some(ReadCost {
                requests: points,
                points,
            }),
        },
    )
}

fn engagement(fx: &[Effect]) -> Option<(Vec<u64>, TimeRange)> {
    requests(fx).into_iter().find_map(|r| match r {
        Request::Engagement { cadence_ids, range } => Some((cadence_ids.clone(), *range)),
        _ => None,
    })
}

fn question(s: &AppState) -> Option<&sltui::tui::cost::CostQuestion> {
    match &s.popup {
        Some(Popup::Cost(q)) => Some(q),
        _ => None,
    }
}

#[test]
fn a_cheap_load_goes_without_asking() {
    let (mut s, id, ids) = asking(false);
    let fx = estimate(&mut s, id, ids.clone(), 60);
    assert!(s.popup.is_none());
    assert_eq!(engagement(&fx), Some((ids, TimeRange::Days(30))));
}

#[test]
fn a_big_load_asks_with_cancel_focused_and_cancel_reads_nothing() {
    let (mut s, id, ids) = asking(false);
    let fx = estimate(&mut s, id, ids, 156);
    assert!(engagement(&fx).is_none());
    let q = question(&s).expect("asks");
    assert_eq!(q.focus, CostChoice::Cancel);
    let text = screen_text(&s, 120, 40);
    for want in [
        "This load is big",
        "about 156 points in 156 requests, 26% of the team's 600-point",
        "▶ [ Cancel ]",
        "[ Load ]",
        "(no local store)",
    ] {
        assert!(text.contains(want), "missing {want:?} in\n{text}");
    }
    // Fits at 80x24 with its buttons.
    let small = screen_text(&s, 80, 24);
    assert!(
        small.contains("[ Load ]") && small.contains("[ Cancel ]"),
        "{small}"
    );

    let fx = update(&mut s, code(KeyCode::Enter));
    assert!(s.popup.is_none());
    assert!(requests(&fx).is_empty(), "{fx:?}");
    let said = s.message().map(|m| m.text.clone()).unwrap_or_default();
    assert!(said.contains("156 points spared"), "{said}");
    let text = screen_text(&s, 120, 40);
    assert!(text.contains("not loaded: r asks again"), "{text}");
    assert!(
        !text.contains("0.0%"),
        "no number stands for a range that was not read"
    );
    // A later cadence list does not ask again by itself...
    let fx = act(&mut s, Action::Refresh);
    let (cad, _) = find(&fx, |r| matches!(r, Request::Cadences)).expect("reload");
    let fx = ev(
        &mut s,
        WorkerEvent::Cadences {
            id: cad,
            cadences: vec![cadence(1, "Q3 Outbound", "active", true, 120)],
        },
    );
    // ...but r did: it asks again.
    assert!(find(&fx, |r| matches!(r, Request::EstimateEngagement { .. })).is_some());
}

#[test]
fn load_reads_and_later_lists_of_the_same_range_do_not_ask() {
    let (mut s, id, ids) = asking(false);
    estimate(&mut s, id, ids.clone(), 156);
    update(&mut s, code(KeyCode::Right));
    assert_eq!(question(&s).unwrap().focus, CostChoice::Load);
    let fx = update(&mut s, code(KeyCode::Enter));
    assert_eq!(engagement(&fx), Some((ids, TimeRange::Days(30))));
    let said = s.message().map(|m| m.text.clone()).unwrap_or_default();
    assert!(said.contains("about 156 points"), "{said}");
    // When it is done, it says what it spent (as charged, not the estimate)...
    let (eng, _) = find(&fx, |r| matches!(r, Request::Engagement { .. })).unwrap();
    ev(
        &mut s,
        WorkerEvent::EngagementDone {
            id: eng,
            requests: 152,
            points: 153,
        },
    );
    let said = s.message().map(|m| m.text.clone()).unwrap_or_default();
    assert_eq!(
        said,
        "engagement over last 30 days loaded: 153 points spent in 152 requests"
    );
    // ...but not for a request the view no longer waits for.
    ev(
        &mut s,
        WorkerEvent::EngagementDone {
            id: eng + 1,
            requests: 9,
            points: 9,
        },
    );
    let said = s.message().map(|m| m.text.clone()).unwrap_or_default();
    assert!(!said.contains("9 points"), "{said}");
}

#[test]
fn cancel_after_a_range_change_goes_back_to_the_range_read_before() {
    let (mut s, id, ids) = asking(false);
    let fx = estimate(&mut s, id, ids.clone(), 10);
    let (eng, _) = find(&fx, |r| matches!(r, Request::Engagement { .. })).unwrap();
    for c in &ids {
        ev(
            &mut s,
            WorkerEvent::EngagementLoaded {
                id: eng,
                cadence_id: *c,
            },
        );
    }
    ev(
        &mut s,
        WorkerEvent::Finished {
            id: eng,
            error: None,
        },
    );
    let fx = act(&mut s, Action::CycleRange);
    assert_eq!(s.metrics.range, TimeRange::Days(90));
    let (est, _) = find(&fx, |r| matches!(r, Request::EstimateEngagement { .. })).unwrap();
    estimate(&mut s, est, ids.clone(), 344);
    assert!(question(&s).is_some());
    update(&mut s, code(KeyCode::Esc));
    assert_eq!(s.metrics.range, TimeRange::Days(30), "back where it was");
    assert!(ids.iter().all(|c| s.metrics.loaded.contains(c)));
    let said = s.message().map(|m| m.text.clone()).unwrap_or_default();
    assert!(said.contains("back to last 30 days"), "{said}");
}

#[test]
fn use_stored_data_reads_the_store_and_spends_nothing() {
    let (mut s, id, ids) = asking(true);
    estimate(&mut s, id, ids, 400);
    let q = question(&s).unwrap();
    assert_eq!(
        q.choices(),
        [CostChoice::Cancel, CostChoice::Stored, CostChoice::Load]
    );
    update(&mut s, code(KeyCode::Tab));
    let fx = update(&mut s, code(KeyCode::Enter));
    let stored = requests(&fx)
        .into_iter()
        .find(|r| matches!(r, Request::StoredEngagement { .. }))
        .cloned();
    assert_eq!(
        stored,
        Some(Request::StoredEngagement {
            range: TimeRange::Days(30)
        })
    );
    assert!(engagement(&fx).is_none(), "nothing from SalesLoft");
    let (sid, _) = find(&fx, |r| matches!(r, Request::StoredEngagement { .. })).unwrap();
    let e = Engagement {
        sent: 40,
        delivered: 38,
        opened: 19,
        clicked: 2,
        replied: 3,
        bounced: 2,
        view_tracked: 38,
        click_tracked: 38,
    };
    ev(
        &mut s,
        WorkerEvent::StoredEngagement {
            id: sid,
            range: TimeRange::Days(30),
            totals: vec![((Some(1), None), e)],
            synced_at: Some(wall()),
        },
    );
    let text = screen_text(&s, 120, 40);
    assert!(
        text.contains("50.0%"),
        "the store's open rate (19/38): {text}"
    );
    assert!(text.contains("· stored "), "{text}");
}

#[test]
fn after_cancel_no_total_counts_the_live_minutes_as_the_range() {
    let (mut s, id, ids) = asking(false);
    estimate(&mut s, id, ids, 156);
    update(&mut s, code(KeyCode::Enter)); // Cancel
    assert_eq!(s.cost_choice(), Some(CostChoice::Cancel));
    // A few live minutes arrive: one email sent and opened on Q3 Outbound.
    ev(
        &mut s,
        WorkerEvent::EmailFacts {
            id: sltui::worker::PUSHED,
            facts: vec![fact(100, 1, Some(11), [true, false, true, false, false])],
            live: true,
        },
    );
    act(&mut s, Action::View3);
    for (w, h) in [(80, 24), (120, 40)] {
        let text = screen_text(&s, w, h);
        assert!(text.contains("sent ? · delivered ?"), "{w}x{h}:\n{text}");
        assert!(
            text.contains("not loaded: r asks again"),
            "{w}x{h}:\n{text}"
        );
        assert!(
            !text.contains("sent 1") && !text.contains("100.0%"),
            "the live minute is not the range's: {w}x{h}\n{text}"
        );
    }
    // The detail of the cadence under the cursor says so too.
    act(&mut s, Action::View1);
    act(&mut s, Action::Enter);
    let name = s.detail_cadence().expect("a detail").name.clone();
    for (w, h) in [(80, 24), (120, 40)] {
        let text = screen_text(&s, w, h);
        assert!(text.contains(&name), "{text}");
        assert!(text.contains("sent ? · delivered ?"), "{w}x{h}:\n{text}");
        assert!(
            text.contains("not loaded: r asks again"),
            "{w}x{h}:\n{text}"
        );
        assert!(!text.contains("100.0%"), "{w}x{h}:\n{text}");
    }
}
