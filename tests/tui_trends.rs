//! Trends through `update`: the chart key cycles live → daily → weekly, the
//! buckets are `report --by day|week`'s (`metrics::breakdown::by_period`) over
//! the facts the dashboard holds, empty days included, and add up to the range.

mod tui_support;

use std::time::Duration;

use chrono::TimeDelta;
use sltui::config::keymap::Action;
use sltui::metrics::breakdown::{Period, by_period};
use sltui::metrics::{EmailFact, Engagement};
use sltui::tui::msg::Msg;
use sltui::tui::state::AppState;
use sltui::tui::trends::{ChartMode, series};
use sltui::tui::update::update;
use sltui::worker::{PUSHED, WorkerEvent};
use tui_support::*;

/// The loaded state plus emails of cadence 1 sent 9 and 20 days ago.
fn with_history() -> (AppState, Vec<EmailFact>) {
    let mut s = loaded();
    let mut older = Vec::new();
    for (i, days) in [(0u64, 9i64), (1, 9), (2, 20)] {
        let mut f = fact(300 + i, 1, Some(11), [true, false, false, false, i == 0]);
        let at = wall() - TimeDelta::days(days);
        f.sent_at = Some(at);
        f.updated_at = at;
        older.push(f);
    }
    ev(
        &mut s,
        WorkerEvent::EmailFacts {
            id: PUSHED,
            facts: older,
            live: false,
        },
    );
    let all = s.metrics.agg.facts_from(None);
    (s, all)
}

#[test]
fn the_chart_key_cycles_and_the_buckets_are_report_by_days() {
    let (mut s, facts) = with_history();
    act(&mut s, Action::Down);
    act(&mut s, Action::Down);
    act(&mut s, Action::Enter); // Q3 Outbound's detail
    assert_eq!(s.analytics.trends.mode, ChartMode::Live);
    act(&mut s, Action::Chart);
    assert_eq!(s.analytics.trends.mode, ChartMode::Daily);
    let days = series(&s.analytics.trends, Some(1));
    // One bucket per day of the 30-day range, today included, oldest first.
    assert_eq!(days.len(), 31, "{days:?}");
    assert_eq!(days.last().unwrap().0, wall().date_naive());
    let want = by_period(&facts, Period::Day, s.metrics.range, wall());
    for (day, e) in &days {
        assert_eq!(
            *e,
            want.get(&(*day, 1)).copied().unwrap_or_default(),
            "{day}"
        );
    }
    let sum = days.iter().fold(Engagement::default(), |mut t, (_, e)| {
        t += *e;
        t
    });
    assert_eq!(
        sum,
        s.metrics.agg.by_cadence(1),
        "the days add up to the range"
    );
    assert_eq!(sum.sent, 7);
    // The team: every cadence's emails.
    let team: u64 = series(&s.analytics.trends, None)
        .iter()
        .map(|(_, e)| e.sent)
        .sum();
    assert_eq!(team, s.metrics.agg.totals().sent);
    // 120 columns draw every day of the range; 80 the newest 20, and the
    // title and the numbers say which.
    let text = screen_text(&s, 120, 40);
    let from = (wall() - TimeDelta::days(30)).format("%m-%d").to_string();
    assert!(text.contains(&format!(" daily {from}→")), "{text}");
    assert!(text.contains("sent         7"), "{text}");
    let text = screen_text(&s, 80, 24);
    let from = (wall() - TimeDelta::days(19)).format("%m-%d").to_string();
    assert!(text.contains(&format!(" daily {from}→")), "{text}");
    assert!(
        text.contains("sent         6"),
        "the email of 20 days ago is not drawn:\n{text}"
    );
    act(&mut s, Action::Chart);
    assert_eq!(s.analytics.trends.mode, ChartMode::Weekly);
    let weeks = series(&s.analytics.trends, Some(1));
    assert!(weeks.len() >= 5 && weeks.len() <= 6, "{weeks:?}");
    let want = by_period(&facts, Period::Week, s.metrics.range, wall());
    for (monday, e) in &weeks {
        assert_eq!(*e, want.get(&(*monday, 1)).copied().unwrap_or_default());
    }
    act(&mut s, Action::Chart);
    assert_eq!(s.analytics.trends.mode, ChartMode::Live);
}

#[test]
fn new_facts_reach_the_chart_within_5_s_and_a_new_range_at_once() {
    let (mut s, _) = with_history();
    act(&mut s, Action::View3);
    act(&mut s, Action::Chart);
    let sent = |s: &AppState| {
        series(&s.analytics.trends, None)
            .iter()
            .map(|(_, e)| e.sent)
            .sum::<u64>()
    };
    assert_eq!(sent(&s), 9);
    let mut f = fact(400, 2, Some(21), [true, false, false, false, false]);
    f.sent_at = Some(wall() - TimeDelta::hours(1));
    ev(
        &mut s,
        WorkerEvent::EmailFacts {
            id: PUSHED,
            facts: vec![f],
            live: true,
        },
    );
    update(&mut s, Msg::Tick);
    assert_eq!(sent(&s), 9, "throttled");
    advance(&mut s, Duration::from_secs(5));
    update(&mut s, Msg::Tick);
    assert_eq!(sent(&s), 10);
    // 7 days: the emails of 9 and 20 days ago drop out on the next tick.
    act(&mut s, Action::CycleRange); // 30 → 90
    act(&mut s, Action::CycleRange); // → all
    act(&mut s, Action::CycleRange); // → 7
    assert_eq!(s.metrics.range, sltui::metrics::TimeRange::Days(7));
    update(&mut s, Msg::Tick);
    assert_eq!(series(&s.analytics.trends, None).len(), 8);
    assert_eq!(sent(&s), 7);
}

#[test]
fn the_chart_key_elsewhere_says_where_the_charts_are() {
    let mut s = loaded();
    act(&mut s, Action::View2);
    act(&mut s, Action::Chart);
    assert_eq!(s.analytics.trends.mode, ChartMode::Live);
    assert!(s.message().unwrap().text.contains("Activity (3)"));
}
