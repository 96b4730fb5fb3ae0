//! One definition per count, shown where it is used (#14 newcomer item 4): the
//! steps of a cadence (a disabled step is counted apart and listed marked, not
//! hidden in one place and counted in another), the people on it (its memberships, in the list, the
//! detail's facts and the people table alike; "listed" said as "ever added"),
//! "Most active" ordered by the columns it shows, and names ordered the same way
//! (case-insensitive) in every table.

mod tui_support;

use sltui::config::keymap::Action;
use sltui::tui::msg::Msg;
use sltui::tui::state::AppState;
use sltui::tui::update::{init, update};
use sltui::worker::{Request, WorkerEvent};
use tui_support::*;

/// Opens "Q3 Outbound" (cadence 1, whose record says 120 people) and answers
/// its steps (three, the third disabled) and its members (3 on it of 4).
fn detail_with_a_disabled_step() -> AppState {
    let mut s = loaded();
    act(&mut s, Action::Down);
    act(&mut s, Action::Down);
    let fx = act(&mut s, Action::Enter);
    let (id, _) = find(&fx, |r| matches!(r, Request::CadenceDetail { .. })).unwrap();
    let mut off = step(13, 1, 5, 3, "email", "Old bump");
    off.disabled = true;
    let steps = vec![
        step(11, 1, 1, 1, "email", "Intro email"),
        step(12, 1, 3, 2, "phone", "Call"),
        off,
    ];
    ev(
        &mut s,
        WorkerEvent::CadenceSteps {
            id,
            cadence_id: 1,
            steps,
        },
    );
    let members = vec![
        (membership(1, 501, 1, "active", true), None),
        (membership(2, 502, 1, "active", true), None),
        (membership(3, 503, 1, "staged", true), None),
        (membership(4, 504, 1, "removed_no_action", false), None),
    ];
    ev(
        &mut s,
        WorkerEvent::CadenceMembers {
            id,
            cadence_id: 1,
            members,
        },
    );
    s
}

#[test]
fn steps_count_the_enabled_ones_and_say_the_disabled_apart() {
    let s = detail_with_a_disabled_step();
    let text = screen_text(&s, 120, 40);
    assert!(text.contains("2 steps (+1 disabled)"), "{text}");
    // The funnel lists the disabled step too, marked, and counts it apart.
    assert!(text.contains("Steps (2 + 1 disabled)"), "{text}");
    assert!(text.contains("[off] Old bump"), "{text}");
    assert!(!text.contains("3 steps"), "{text}");
}

#[test]
fn people_on_a_cadence_are_one_count_everywhere() {
    let mut s = detail_with_a_disabled_step();
    let text = screen_text(&s, 120, 40);
    assert!(text.contains("3 on cadence"), "{text}");
    assert!(text.contains("People (3 on · 4 ever added)"), "{text}");
    assert!(
        !text.contains("120"),
        "the record's older count is gone: {text}"
    );
    // Back in the list: the same number in the People column, also after the
    // list is read again with the record's count.
    act(&mut s, Action::Back);
    let row = |s: &AppState| {
        screen_text(s, 120, 40)
            .lines()
            .find(|l| l.contains("Q3 Outbound"))
            .unwrap()
            .to_string()
    };
    assert!(row(&s).contains(" 3 "), "{}", row(&s));
    let fx = act(&mut s, Action::Refresh);
    let (id, _) = find(&fx, |r| matches!(r, Request::Cadences)).unwrap();
    ev(
        &mut s,
        WorkerEvent::Cadences {
            id,
            cadences: vec![cadence(1, "Q3 Outbound", "active", true, 120)],
        },
    );
    assert!(!row(&s).contains("120"), "{}", row(&s));
}

/// Three cadences ("Beta", "acme", "Zulu", nothing live), on Activity.
fn three_on_activity() -> AppState {
    let mut s = state();
    let fx = init(&mut s);
    let (id, _) = find(&fx, |r| matches!(r, Request::Cadences)).unwrap();
    ev(
        &mut s,
        WorkerEvent::Cadences {
            id,
            cadences: vec![
                cadence(1, "Beta", "active", true, 1),
                cadence(2, "acme", "active", true, 1),
                cadence(3, "Zulu", "active", true, 1),
            ],
        },
    );
    ev(&mut s, WorkerEvent::Finished { id, error: None });
    act(&mut s, Action::View3);
    s
}

#[test]
fn most_active_is_ordered_by_its_columns_and_names_by_one_rule() {
    let s = three_on_activity();
    let ranked: Vec<u64> = s.ranked_cadences().iter().map(|(id, _)| *id).collect();
    // Nothing live: by name, case-insensitive, as the Cadences table sorts.
    assert_eq!(ranked, vec![2, 1, 3], "acme, Beta, Zulu");
    let text = screen_text(&s, 120, 40);
    assert!(text.contains("by replies, clicks, opens"), "{text}");
    let list: Vec<String> = row_names(&s);
    assert_eq!(list, vec!["acme", "Beta", "Zulu"]);
}

/// The cadences table's totals row counts the cadences shown together (rates
/// over the sums, as `report` does), follows the filter, and says `?` when a
/// shown cadence's numbers were not read rather than summing what is there.
#[test]
fn the_totals_row_sums_what_is_shown() {
    let mut s = loaded();
    let total = |s: &AppState| {
        screen_text(s, 80, 24)
            .lines()
            .find(|l| l.contains("Total ("))
            .unwrap_or_default()
            .to_string()
    };
    // Q3 Outbound 2/3 opened, Webinar Follow-up 2/2: 4 of 5 view-tracked.
    let row = total(&s);
    assert!(row.contains("Total (4 shown)"), "{row}");
    assert!(
        row.contains("155      6  80.0%  40.0%  20.0%  16.7%"),
        "{row}"
    );
    act(&mut s, Action::Filter);
    typ(&mut s, "q3");
    let row = total(&s);
    assert!(row.contains("Total (1 shown)"), "{row}");
    assert!(
        row.contains("120      4  66.7%   0.0%  33.3%  25.0%"),
        "{row}"
    );
    // A cadence whose range was not read: the sums are not shown as numbers.
    act(&mut s, Action::Back);
    s.metrics.loaded.remove(&2);
    let row = total(&s);
    assert!(row.contains("  ?  ") && !row.contains("80.0%"), "{row}");
}

/// The cadence filter takes `is:team`, `is:personal` and `owner:NAME` (a word of
/// the owner's name, or the id) beside the words of the name, all together.
#[test]
fn the_filter_narrows_by_team_or_personal_and_by_owner() {
    let mut s = loaded();
    ev(
        &mut s,
        WorkerEvent::Users {
            id: 901,
            users: vec![
                serde_json::from_value(serde_json::json!({"id": 7, "name": "Pat Owner"})).unwrap(),
            ],
        },
    );
    let shown = |s: &AppState| -> Vec<String> {
        s.cadences
            .list
            .rows
            .iter()
            .map(|&i| s.cadences.list.cadences[i].name.clone())
            .collect()
    };
    act(&mut s, Action::Filter);
    typ(&mut s, "is:personal");
    assert_eq!(shown(&s), ["New Idea", "Webinar Follow-up"]);
    act(&mut s, Action::Back);
    act(&mut s, Action::Filter);
    typ(&mut s, "is:team q3");
    assert_eq!(shown(&s), ["Q3 Outbound"]);
    act(&mut s, Action::Back);
    act(&mut s, Action::Filter);
    typ(&mut s, "owner:pat");
    assert_eq!(shown(&s).len(), 4, "every fixture cadence is user 7's");
    act(&mut s, Action::Back);
    act(&mut s, Action::Filter);
    typ(&mut s, "owner:kim");
    assert!(shown(&s).is_empty());
    act(&mut s, Action::Back);
    act(&mut s, Action::Filter);
    typ(&mut s, "owner:7 is:");
    assert_eq!(shown(&s).len(), 4, "a word being typed hides nothing");
}

#[test]
fn the_activity_selection_stays_on_its_cadence_when_the_ranking_moves() {
    let mut s = three_on_activity();
    act(&mut s, Action::Down);
    let ids = |s: &AppState| -> Vec<u64> { s.ranked_cadences().iter().map(|r| r.0).collect() };
    assert_eq!(ids(&s)[s.activity.cursor.selected], 1, "Beta selected");
    // Zulu gets a live reply and moves to the top: Beta is now third.
    let mut f = fact(900, 3, None, [true, false, true, false, true]);
    f.sent_at = Some(s.clock.wall);
    f.updated_at = s.clock.wall;
    ev(
        &mut s,
        WorkerEvent::EmailFacts {
            id: sltui::worker::PUSHED,
            facts: vec![f],
            live: true,
        },
    );
    assert_eq!(ids(&s), [3, 2, 1], "the ranking moved");
    assert_eq!(s.activity.cursor.selected, 2, "the cursor followed Beta");
    act(&mut s, Action::Enter);
    assert_eq!(s.cadences.detail.as_ref().unwrap().cadence_id, 1);
}

#[test]
fn a_message_on_activity_ranks_the_cadences_once() {
    let mut s = loaded();
    let rankings = |s: &AppState| s.activity.rankings.get();
    // Off Activity: no ranking at all.
    let n = rankings(&s);
    update(&mut s, Msg::Tick);
    assert_eq!(rankings(&s), n, "Cadences does not rank");
    act(&mut s, Action::View3);
    act(&mut s, Action::Down);
    let selected = s.ranked_cadences()[s.activity.cursor.selected].0;
    for msg in [
        Msg::Tick,
        Msg::Worker(WorkerEvent::EmailFacts {
            id: sltui::worker::PUSHED,
            facts: vec![fact(900, 2, None, [true, false, true, false, true])],
            live: true,
        }),
    ] {
        let n = rankings(&s);
        update(&mut s, msg);
        assert_eq!(rankings(&s) - n, 1, "one ranking a message");
    }
    let ranked = s.ranked_cadences();
    assert_eq!(ranked[s.activity.cursor.selected].0, selected, "still held");
    // Leaving Activity: nothing held, nothing ranked.
    act(&mut s, Action::View1);
    let n = rankings(&s);
    update(&mut s, Msg::Tick);
    assert_eq!(rankings(&s), n);
}
