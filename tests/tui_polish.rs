//! Findings from trying the dashboard by hand: other reps' personal cadences and
//! on whose behalf in the enroll flow, owner names in the detail, people column widths, the quiet chart.

mod tui_support;

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use serde_json::json;
use sltui::api::models::User;
use sltui::config::keymap::Action;
use sltui::tui::setup::StateSetup;
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

/// The flow's popup, for reading its state.
fn flow(s: &AppState) -> &sltui::tui::enroll::EnrollFlow {
    match &s.popup {
        Some(Popup::Enroll(flow)) => flow,
        _ => panic!("no enroll popup"),
    }
}

/// We are user 8; user 7 owns the personal "Webinar Follow-up"; 9 is a teammate.
fn team_known(s: &mut AppState) {
    ev(
        s,
        WorkerEvent::Me {
            id: 900,
            user: user(8, "Sam Rep"),
            all_public: None,
        },
    );
    ev(
        s,
        WorkerEvent::Users {
            id: 901,
            users: vec![
                user(7, "Pat Owner"),
                user(8, "Sam Rep"),
                user(9, "Lee Third"),
            ],
        },
    );
}

/// From the cadence picker, through the step picker, to the confirm dialog.
fn to_confirm(s: &mut AppState, filter: &str) {
    typ(s, filter);
    act(s, Action::Enter);
    act(s, Action::Enter);
    assert!(flow(s).confirm_focus().is_some(), "at the confirm dialog");
}

fn submitted(fx: &[sltui::tui::msg::Effect]) -> Option<Option<u64>> {
    requests(fx).into_iter().find_map(|r| match r {
        Request::Enroll { user_id, .. } => Some(*user_id),
        _ => None,
    })
}

#[test]
fn another_reps_personal_cadence_goes_on_its_owners_behalf() {
    // Before Me arrives: nobody's personal cadence is held against anyone.
    let mut s = loaded();
    open_picker(&mut s);
    assert_eq!(choice(&s, "Webinar Follow-up"), None);
    update(&mut s, code(crossterm::event::KeyCode::Esc));

    team_known(&mut s);
    open_picker(&mut s);
    assert_eq!(
        choice(&s, "Webinar Follow-up"),
        None,
        "addable, as its owner"
    );
    let text = screen(&s, 120, 40);
    assert!(
        text.contains("Webinar Follow-up  (personal · added as its owner Pat Owner)"),
        "{text}"
    );
    to_confirm(&mut s, "webinar");
    assert_eq!(flow(&s).as_user, Some(7), "the owner is suggested");
    let text = screen(&s, 80, 24);
    assert!(
        text.contains("As: Pat Owner (this personal cadence's owner)"),
        "{text}"
    );
    // Nobody else can be chosen for a personal cadence: said, nothing changes.
    update(&mut s, key('u'));
    assert!(flow(&s).confirm_focus().is_some());
    let said = s.message().map(|m| m.text.clone()).unwrap_or_default();
    assert!(
        said.contains("only on its owner's behalf (user 7)"),
        "{said}"
    );
    // Confirm: the create carries the owner's id.
    act(&mut s, Action::NextView);
    let fx = act(&mut s, Action::Enter);
    assert_eq!(submitted(&fx), Some(Some(7)));
}

#[test]
fn a_team_cadence_goes_for_the_key_user_unless_a_teammate_is_picked() {
    let mut s = loaded();
    team_known(&mut s);
    open_picker(&mut s);
    to_confirm(&mut s, "q3");
    assert_eq!(flow(&s).as_user, None);
    assert!(screen(&s, 120, 40).contains("As: you · u add on a teammate's behalf"));
    update(&mut s, key('u'));
    let users: Vec<String> = flow(&s).users.iter().map(|(_, n)| n.clone()).collect();
    assert_eq!(
        users,
        ["Sam Rep (you)", "Lee Third", "Pat Owner"],
        "you first, then by name"
    );
    let text = screen(&s, 80, 24);
    assert!(
        text.contains("on whose behalf?") && text.contains("Lee Third  user 9"),
        "{text}"
    );
    typ(&mut s, "lee");
    act(&mut s, Action::Enter);
    assert_eq!(flow(&s).as_user, Some(9));
    assert!(screen(&s, 120, 40).contains("As: Lee Third · u change"));
    // Back to the key's own user: the first row.
    update(&mut s, key('u'));
    act(&mut s, Action::Top);
    act(&mut s, Action::Enter);
    assert_eq!(flow(&s).as_user, None);
    update(&mut s, key('u'));
    typ(&mut s, "pat");
    act(&mut s, Action::Enter);
    act(&mut s, Action::NextView);
    let fx = act(&mut s, Action::Enter);
    assert_eq!(
        submitted(&fx),
        Some(Some(7)),
        "a team cadence takes any teammate"
    );
}

#[test]
fn own_personal_cadence_is_ours_and_the_cadence_key_adds_to_others_as_their_owner() {
    let mut s = loaded();
    ev(
        &mut s,
        WorkerEvent::Me {
            id: 900,
            user: user(7, "Owner Rep"),
            all_public: None,
        },
    );
    open_picker(&mut s);
    assert_eq!(
        choice(&s, "Webinar Follow-up"),
        None,
        "our own personal cadence"
    );

    assert_eq!(
        flow(&s).as_user,
        None,
        "nobody else's behalf for our own cadence"
    );

    // From the cadence list, `e` on someone else's personal cadence picks people
    // to add on its owner's behalf.
    let mut s = loaded();
    ev(
        &mut s,
        WorkerEvent::Me {
            id: 900,
            user: user(8, "Sam Rep"),
            all_public: None,
        },
    );
    act(&mut s, Action::View1);
    let before = s.popup.is_some();
    // The list is sorted; walk to "Webinar Follow-up".
    for _ in 0..4 {
        if s.cadences.list.selected().is_some_and(|c| c.id == 2) {
            break;
        }
        act(&mut s, Action::Down);
    }
    assert_eq!(s.cadences.list.selected().map(|c| c.id), Some(2));
    act(&mut s, Action::Enroll);
    assert!(!before, "no popup before the key");
    let flow = flow(&s);
    assert_eq!(
        (flow.as_user, flow.owner),
        (Some(7), Some(7)),
        "as its owner"
    );
}

#[test]
fn detail_names_the_owner_and_falls_back_to_the_id() {
    let mut s = loaded();
    act(&mut s, Action::View1);
    for _ in 0..4 {
        if s.cadences.list.selected().is_some_and(|c| c.id == 1) {
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
            people: sltui::worker::shared_entries(&[person(
                777,
                "Bartholomew",
                "Featherstonehaugh",
                "bartholomew.featherstone@globex-industries.com",
                "Globex Industries International",
                "Senior Director of Revenue Operations",
            )]),
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

/// On the team database during the hub's first sync, the detail says the people
/// are not synced yet rather than "0 on cadence"; once a sync finished, the count.
#[test]
fn the_detail_says_not_synced_yet_before_the_hubs_first_sync() {
    use sltui::worker::protocol::HubSeen;
    let hub = |synced_ago| WorkerEvent::HubStatus {
        hub: Some(HubSeen {
            name: "sltui-hub-1".into(),
            synced_ago,
            updated_ago: Some(std::time::Duration::from_secs(1)),
            budget_remaining: None,
            budget_limit: None,
            read_at: std::time::Instant::now(),
        }),
    };
    for (w, h) in [(120, 40), (80, 24)] {
        let mut s = q3_detail_from(
            StateSetup {
                hub: true,
                ..setup()
            }
            .build(),
        );
        ev(&mut s, hub(None));
        let text = screen(&s, w, h);
        assert!(text.contains("people not synced yet"), "{w}x{h}:\n{text}");
        assert!(!text.contains("on cadence"), "{w}x{h}:\n{text}");
        ev(&mut s, hub(Some(std::time::Duration::from_secs(5))));
        let text = screen(&s, w, h);
        assert!(!text.contains("not synced yet"), "{w}x{h}:\n{text}");
        assert!(
            text.contains("on cadence") || text.contains(" people"),
            "{w}x{h}:\n{text}"
        );
    }
}

/// The status bar's hint line (the screen's last row).
fn hint_line(s: &AppState, w: u16, h: u16) -> String {
    screen_text(s, w, h)
        .lines()
        .last()
        .unwrap_or_default()
        .to_string()
}

#[test]
fn hints_offer_only_keys_that_do_something() {
    // Alerts without rules: nothing to open.
    let mut s = loaded();
    act(&mut s, Action::View4);
    assert!(s.analytics.alerts.rules.is_empty());
    let line = hint_line(&s, 120, 40);
    assert!(!line.contains("enter cadence"), "{line}");
    assert!(line.contains("r evaluate"), "{line}");
    // With rules: enter opens the rule's cadence.
    let mut s = alerting();
    act(&mut s, Action::View4);
    let line = hint_line(&s, 120, 40);
    assert!(line.contains("enter cadence"), "{line}");

    // A cadence nobody is on: no pane to switch to, no person to open.
    let mut s = loaded();
    act(&mut s, Action::Down);
    act(&mut s, Action::Down); // Q3 Outbound
    let fx = act(&mut s, Action::Enter);
    let (id, _) = find(&fx, |r| matches!(r, Request::CadenceDetail { .. })).unwrap();
    ev(
        &mut s,
        WorkerEvent::CadenceMembers {
            id,
            cadence_id: 1,
            members: Vec::new(),
        },
    );
    ev(&mut s, WorkerEvent::Finished { id, error: None });
    let pane = s.keymap.hint(Action::SwitchPane).unwrap();
    let line = hint_line(&s, 120, 40);
    assert!(line.contains("esc back"), "{line}");
    assert!(!line.contains(&format!("{pane} panes")), "{line}");
    assert!(!line.contains("enter person"), "{line}");
    // With people on it, both do something.
    let s = q3_detail();
    let line = hint_line(&s, 120, 40);
    assert!(line.contains(&format!("{pane} panes")), "{line}");
    assert!(line.contains("enter person"), "{line}");
}
