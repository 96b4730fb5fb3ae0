//! Alerts in the dashboard through `update`: the config's rules evaluated over
//! the facts the dashboard received (as `sltui alerts` evaluates them), firing
//! ones in the status bar and the tab, every rule in the Alerts view (4), and
//! rules the facts cannot answer said to be not evaluated.

mod tui_support;

use std::time::Duration;

use sltui::config::keymap::Action;

use sltui::metrics::alerts::Check;
use sltui::tui::alerts::RuleState;
use sltui::tui::msg::Msg;
use sltui::tui::state::View;
use sltui::tui::update::update;
use sltui::worker::WorkerEvent;
use tui_support::*;

#[test]
fn rules_are_evaluated_over_the_facts_held_and_firing_ones_show_everywhere() {
    let mut s = alerting();
    let states = &s.analytics.alerts.states;
    match &states[0] {
        RuleState::Evaluated(Check::Fires(f)) => {
            assert!((f.rate - 1.0 / 3.0).abs() < 1e-12, "{f:?}");
            assert_eq!(f.sent, 4);
            assert_eq!(f.cadence_name.as_deref(), Some("Q3 Outbound"));
        }
        other => panic!("{other:?}"),
    }
    match &states[1] {
        RuleState::Evaluated(Check::Quiet { sent, value }) => {
            assert_eq!(*sent, 6);
            assert!((value.unwrap() - 1.0 / 6.0).abs() < 1e-12);
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(states[2], RuleState::Evaluated(Check::TooFew { sent: 6 }));
    match &states[3] {
        RuleState::NotEvaluated(why) => assert!(why.contains("67 days"), "{why}"),
        other => panic!("{other:?}"),
    }
    assert_eq!(s.analytics.alerts.firing(), 1);
    for (w, h) in [(120, 40), (80, 24)] {
        let text = screen_text(&s, w, h);
        assert!(text.contains("▲ 1 alert"), "{w}x{h} status bar:\n{text}");
        assert!(text.contains("Alerts ▲1"), "{w}x{h} tab:\n{text}");
    }
    act(&mut s, Action::View4);
    assert_eq!(s.view, View::Alerts);
    let text = screen_text(&s, 120, 40);
    assert!(text.contains("▲ FIRING"), "{text}");
    assert!(text.contains("33.3% over 4 sent"), "{text}");
    assert!(text.contains("too few to judge"), "{text}");
    // Until all time is read the fourth rule waits; then it is judged (its
    // 60-day baseline before the week holds no email: too few).
    let mut fx = Vec::new();
    for _ in 0..3 {
        fx = act(&mut s, Action::CycleRange);
        if s.metrics.range == sltui::metrics::TimeRange::All {
            break;
        }
    }
    assert_eq!(s.metrics.range, sltui::metrics::TimeRange::All);
    advance(&mut s, Duration::from_secs(10));
    update(&mut s, Msg::Tick);
    assert!(matches!(
        s.analytics.alerts.states[3],
        RuleState::NotEvaluated(_)
    ));
    let (id, _) = find(&fx, |r| {
        matches!(r, sltui::worker::Request::Engagement { .. })
    })
    .expect("all time is read");
    for cadence_id in [1, 2, 3, 4] {
        ev(&mut s, WorkerEvent::EngagementLoaded { id, cadence_id });
    }
    ev(&mut s, WorkerEvent::Finished { id, error: None });
    advance(&mut s, Duration::from_secs(10));
    update(&mut s, Msg::Tick);
    assert_eq!(
        s.analytics.alerts.states[3],
        RuleState::Evaluated(Check::TooFew { sent: 0 })
    );
}

#[test]
fn a_new_reply_is_judged_on_the_next_tick_but_not_more_often_than_every_5_s() {
    let mut s = alerting();
    assert_eq!(s.analytics.alerts.firing(), 1);
    // Two more replies on cadence 1's delivered emails: 3/3, no longer below 50%.
    let mut replied = fact(101, 1, Some(11), [true, false, true, false, true]);
    replied.updated_at += chrono::TimeDelta::minutes(1);
    let mut replied2 = fact(102, 1, Some(12), [true, false, false, false, true]);
    replied2.updated_at += chrono::TimeDelta::minutes(1);
    ev(
        &mut s,
        WorkerEvent::EmailFacts {
            id: sltui::worker::PUSHED,
            facts: vec![replied, replied2],
            live: true,
        },
    );
    update(&mut s, Msg::Tick);
    assert_eq!(
        s.analytics.alerts.firing(),
        1,
        "not yet: evaluated less than 5 s ago"
    );
    advance(&mut s, Duration::from_secs(5));
    update(&mut s, Msg::Tick);
    assert_eq!(s.analytics.alerts.firing(), 0);
    assert!(!screen_text(&s, 120, 40).contains("▲ 1 alert"));
    // An older version of an email does not undo the newer one.
    ev(
        &mut s,
        WorkerEvent::EmailFacts {
            id: sltui::worker::PUSHED,
            facts: vec![fact(101, 1, Some(11), [true, false, true, false, false])],
            live: true,
        },
    );
    advance(&mut s, Duration::from_secs(5));
    update(&mut s, Msg::Tick);
    assert_eq!(s.analytics.alerts.firing(), 0);
}

#[test]
fn without_rules_the_view_says_how_to_add_them() {
    let mut s = loaded();
    act(&mut s, Action::View4);
    let text = screen_text(&s, 80, 24);
    assert!(
        text.contains("No [[alerts]] rules in the config file."),
        "{text}"
    );
    assert!(!text.contains("▲"), "{text}");
}
