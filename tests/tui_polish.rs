//! Findings from trying the dashboard by hand: other reps' personal cadences in the
//! enroll picker, owner names in the detail, people column widths, the quiet chart.

mod tui_support;

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use serde_json::json;
use sltui::api::models::User;
use sltui::config::keymap::Action;
use sltui::tui::state::{AppState, Popup};
use sltui::tui::update::{init, update};
use sltui::tui::views;
use sltui::worker::{Request, WorkerEvent};
use tui_support::*;

fn screen(state: &AppState, w: u16, h: u16) -> String {
    let mut terminal = Terminal::new(TestBackend::new(w, h)).unwrap();
    terminal.draw(|f| views::draw(f, state)).unwrap();
    let buf = terminal.backend().buffer().clone();
    let text = (0..h)
        .map(|y| (0..w).map(|x| buf[(x, y)].symbol()).collect::<String>())
        .collect::<Vec<_>>()
        .join("\n");
    if std::env::var_os("SLTUI_SHOW_SCREENS").is_some() {
        println!("{text}\n");
    }
    text
}

fn user(id: u64, name: &str) -> User {
    serde_json::from_value(json!({"id": id, "name": name, "active": true})).expect("user json")
}

/// `loaded()` has cadence 2 "Webinar Follow-up": personal, owned by user 7.
fn open_picker(s: &mut AppState) {
    act(s, Action::View2);
    act(s, Action::Enroll);
    assert!(matches!(s.popup, Some(Popup::Enroll(_))));
}

fn choice(s: &AppState, name: &str) -> Option<String> {
    let Some(Popup::Enroll(flow)) = &s.popup else {
        panic!("no enroll popup");
    };
    let c = flow.choices.iter().find(|c| c.name == name).unwrap();
    c.disabled.clone()
}

#[test]
fn startup_asks_who_we_are_and_for_the_users() {
    let mut s = state();
    let fx = init(&mut s);
    let reqs = requests(&fx);
    assert!(reqs.contains(&&Request::Me), "{reqs:?}");
    assert!(reqs.contains(&&Request::Users), "{reqs:?}");
}

#[test]
fn another_reps_personal_cadence_is_disabled_once_me_is_known() {
    // Before Me arrives: tolerant, the personal cadence stays addable.
    let mut s = loaded();
    open_picker(&mut s);
    assert_eq!(choice(&s, "Webinar Follow-up"), None);
    update(&mut s, code(crossterm::event::KeyCode::Esc));

    // We are user 8: user 7's personal cadence is not ours.
    ev(
        &mut s,
        WorkerEvent::Me {
            id: 900,
            user: user(8, "Sam Rep"),
        },
    );
    open_picker(&mut s);
    assert_eq!(
        choice(&s, "Webinar Follow-up").as_deref(),
        Some("another rep's personal cadence")
    );
    assert_eq!(
        choice(&s, "Q3 Outbound"),
        None,
        "team cadences stay addable"
    );
    let text = screen(&s, 120, 40);
    assert!(
        text.contains("Webinar Follow-up  (cannot add: another rep's personal cadence)"),
        "{text}"
    );
    // Choosing it (disabled ones sort last) is refused in words, nothing is sent.
    act(&mut s, Action::Bottom);
    let fx = act(&mut s, Action::Enter);
    assert!(
        requests(&fx)
            .iter()
            .all(|r| !matches!(r, Request::Enroll { .. }))
    );
    let said = s.message().map(|m| m.text.clone()).unwrap_or_default();
    assert!(said.contains("another rep's personal cadence"), "{said}");
}

#[test]
fn own_personal_cadence_stays_addable_and_the_cadence_key_refuses_others() {
    let mut s = loaded();
    ev(
        &mut s,
        WorkerEvent::Me {
            id: 900,
            user: user(7, "Owner Rep"),
        },
    );
    open_picker(&mut s);
    assert_eq!(
        choice(&s, "Webinar Follow-up"),
        None,
        "our own personal cadence"
    );

    // From the cadence list, `e` on someone else's personal cadence says why.
    let mut s = loaded();
    ev(
        &mut s,
        WorkerEvent::Me {
            id: 900,
            user: user(8, "Sam Rep"),
        },
    );
    act(&mut s, Action::View1);
    let before = s.popup.is_some();
    // The list is sorted; walk to "Webinar Follow-up".
    for _ in 0..4 {
        if s.cadences.selected().is_some_and(|c| c.id == 2) {
            break;
        }
        act(&mut s, Action::Down);
    }
    assert_eq!(s.cadences.selected().map(|c| c.id), Some(2));
    act(&mut s, Action::Enroll);
    assert!(
        !before && s.popup.is_none(),
        "no picker for another rep's cadence"
    );
    let said = s.message().map(|m| m.text.clone()).unwrap_or_default();
    assert!(said.contains("another rep's personal cadence"), "{said}");
}

#[test]
fn detail_names_the_owner_and_falls_back_to_the_id() {
    let mut s = loaded();
    act(&mut s, Action::View1);
    for _ in 0..4 {
        if s.cadences.selected().is_some_and(|c| c.id == 1) {
            break;
        }
        act(&mut s, Action::Down);
    }
    act(&mut s, Action::Enter);
    let text = screen(&s, 120, 40);
    assert!(
        text.contains("owner 7"),
        "unknown users show the id\n{text}"
    );
    ev(
        &mut s,
        WorkerEvent::Users {
            id: 901,
            users: vec![user(7, "Riley Owner"), user(8, "Sam Rep")],
        },
    );
    let text = screen(&s, 120, 40);
    assert!(text.contains("owner Riley Owner"), "{text}");
    assert!(!text.contains("owner 7"), "{text}");
}

#[test]
fn people_table_gives_email_room_at_80_and_120_columns() {
    let mut s = loaded();
    ev(
        &mut s,
        WorkerEvent::PeopleBatch {
            id: 1,
            people: vec![person(
                777,
                "Bartholomew",
                "Featherstonehaugh",
                "bartholomew.featherstone@globex-industries.com",
                "Globex Industries International",
                "Senior Director of Revenue Operations",
            )],
        },
    );
    act(&mut s, Action::View2);
    let narrow = screen(&s, 80, 24);
    let line = narrow.lines().find(|l| l.contains("Bartholomew")).unwrap();
    assert!(line.contains("bartholomew.featherst"), "{line}");
    assert!(line.contains("Globex Indus"), "{line}");
    let head = narrow.lines().find(|l| l.contains("Email")).unwrap();
    assert!(head.contains("Company"), "{head}");

    let wide = screen(&s, 120, 40);
    let head = wide.lines().find(|l| l.contains("Email")).unwrap();
    let name_at = head.find("Name").unwrap();
    let email_at = head.find("Email").unwrap();
    assert!(
        (22..=28).contains(&(email_at - name_at)),
        "name ~24 wide: {head}"
    );
    assert!(head.contains("Company") && head.contains("Title"), "{head}");
    let line = wide.lines().find(|l| l.contains("Bartholomew")).unwrap();
    assert!(
        line.contains("bartholomew.featherstone@globex-in"),
        "{line}"
    );
    assert!(line.contains("Senior Director"), "{line}");
}

#[test]
fn a_quiet_chart_says_so_in_one_dim_line() {
    let mut s = loaded();
    act(&mut s, Action::View3);
    for (w, h) in [(80, 24), (120, 40)] {
        let text = screen(&s, w, h);
        assert!(text.contains("no activity in the last 10 min"), "{text}");
        assert!(!text.contains("no activity yet"), "{text}");
    }
}
