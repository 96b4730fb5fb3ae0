//! Screens rendered with ratatui's `TestBackend` at 80x24 and 120x40: the texts a
//! user relies on must be there (badge, budget, headers, "—", markers, states).

mod tui_support;

use crossterm::event::KeyCode;
use ratatui::buffer::Buffer;
use ratatui::style::Modifier;
use sltui::config::keymap::Action;
use sltui::tui::msg::Msg;
use sltui::tui::setup::StateSetup;
use sltui::tui::state::AppState;
use sltui::tui::style::Styles;
use sltui::tui::update::update;
use sltui::worker::{Request, WorkerEvent};
use tui_support::*;

fn screen(state: &AppState, w: u16, h: u16) -> String {
    let text = buffer_lines(&render_buffer(state, w, h)).join("\n");
    if std::env::var_os("SLTUI_SHOW_SCREENS").is_some() {
        println!("{text}\n");
    }
    text
}

#[test]
fn cadences_at_80x24_show_badge_budget_headers_and_dashes() {
    let s = loaded();
    let text = screen(&s, 80, 24);
    for needle in [
        "DEMO",
        "598/600",
        "Name",
        "State",
        "People",
        "Sent",
        "Open",
        "Click",
        "Reply",
        "Cadences (4)",
        "Q3 Outbound",
        "● LIVE",
        "updated 0s ago",
    ] {
        assert!(text.contains(needle), "missing {needle:?} in\n{text}");
    }
    // "Old Drip" sent nothing: its rates have no denominator.
    let old = text.lines().find(|l| l.contains("Old Drip")).unwrap();
    assert!(old.contains('—'), "{old}");
    assert!(!text.contains("NaN"));
    // Q3: 3 delivered, 2 opened.
    let q3 = text.lines().find(|l| l.contains("Q3 Outbound")).unwrap();
    assert!(
        q3.contains("66.7%") && q3.contains("25.0%"),
        "open 66.7%, bounce 25.0%: {q3}"
    );
    // The selected row carries the marker.
    assert!(
        text.lines()
            .any(|l| l.contains('▶') && l.contains("New Idea")),
        "{text}"
    );
    assert_eq!(text.lines().count(), 24);
}

#[test]
fn cadences_at_120x40_keep_every_column() {
    let s = loaded();
    let text = screen(&s, 120, 40);
    for needle in [
        "Team", "Bounce", "personal", "team", "archived", "draft", "120",
    ] {
        assert!(text.contains(needle), "missing {needle:?}\n{text}");
    }
}

#[test]
fn narrow_terminal_drops_columns_but_keeps_name_and_open_rate() {
    let s = loaded();
    let text = screen(&s, 50, 16);
    assert!(
        text.contains("Q3 Outbound") && text.contains("Open"),
        "{text}"
    );
    assert!(
        !text.contains("Bounce"),
        "low-priority columns go first\n{text}"
    );
    // Tiny terminals must not panic.
    for (w, h) in [(20, 5), (1, 1), (80, 3)] {
        render_buffer(&s, w, h);
    }
}

#[test]
fn loading_rows_show_an_ellipsis_and_the_status_says_what_loads() {
    let mut s = state();
    let fx = sltui::tui::update::init(&mut s);
    let text = screen(&s, 80, 24);
    assert!(text.contains("Loading cadences…"), "{text}");
    let (id, _) = find(&fx, |r| matches!(r, Request::Cadences)).unwrap();
    ev(
        &mut s,
        WorkerEvent::Cadences {
            id,
            cadences: vec![cadence(1, "Q3 Outbound", "active", true, 3)],
        },
    );
    let text = screen(&s, 80, 24);
    let row = text.lines().find(|l| l.contains("Q3 Outbound")).unwrap();
    assert!(row.contains('…'), "{row}");
    assert!(text.contains("loading engagement 0/1 cadences"), "{text}");
}

#[test]
fn detail_shows_facts_rates_chart_steps_and_people() {
    let mut s = q3_detail();
    for (w, h) in [(80, 24), (120, 40)] {
        if w == 80 {
            // Narrow: the pane under the steps follows the focus, and says so.
            let text = screen(&s, w, h);
            assert!(text.contains("w: people"), "{text}");
            assert!(text.contains("Templates · step 11"), "{text}");
            act(&mut s, Action::SwitchPane);
        }
        let text = screen(&s, w, h);
        for needle in [
            "Q3 Outbound",
            "active",
            "3 steps",
            "1 on cadence",
            "open",
            "reply",
            "bounce",
            "66.7%",
            "live",
            "no activity in the last 10 min",
            "owner 7",
            "Steps (3)",
            "Intro email",
            "People (1 on · 2 ever added)",
            "Ada Lovelace",
            "○ removed no action",
        ] {
            assert!(text.contains(needle), "{w}x{h}: missing {needle:?}\n{text}");
        }
    }
    // The phone step has no email rates; the email step has its own (at 80
    // columns the steps take the whole width, the open rate included).
    let text = screen(&s, 80, 24);
    let intro = text.lines().find(|l| l.contains("Intro email")).unwrap();
    assert!(
        intro.contains("100.0%"),
        "step 11: 2 delivered, 2 opened: {intro}"
    );
}

#[test]
fn people_view_shows_progress_matches_and_marks() {
    let mut s = loaded();
    act(&mut s, Action::View2);
    act(&mut s, Action::Filter);
    typ(&mut s, "lovel");
    update(&mut s, code(KeyCode::Enter));
    act(&mut s, Action::Mark);
    let text = screen(&s, 80, 24);
    for needle in [
        "3 people indexed",
        "search: lovel",
        "1 match",
        "Ada Lovelace",
        "1 marked",
        "●",
    ] {
        assert!(text.contains(needle), "missing {needle:?}\n{text}");
    }
    assert!(!text.contains("Grace Hopper"), "{text}");
}

#[test]
fn help_lists_the_live_keymap() {
    let mut s = loaded();
    act(&mut s, Action::Help);
    let text = screen(&s, 120, 40);
    for needle in [
        "move down",
        "j, ↓",
        "freeze or resume live data",
        "[toggle_ids]",
    ] {
        assert!(text.contains(needle), "missing {needle:?}\n{text}");
    }
    // The rest is one scroll away.
    act(&mut s, Action::Bottom);
    let text = screen(&s, 80, 24);
    for needle in [
        "the wheel moves the list under the pointer",
        "3 Activity",
        "4 Alerts",
    ] {
        assert!(
            text.contains(needle),
            "missing {needle:?} after scrolling\n{text}"
        );
    }
}

#[test]
fn confirm_dialog_focuses_cancel_visibly_without_colour() {
    let mut s = loaded();
    act(&mut s, Action::View2);
    act(&mut s, Action::Enroll);
    typ(&mut s, "q3");
    update(&mut s, code(KeyCode::Enter));
    update(&mut s, code(KeyCode::Enter));
    let buf = render_buffer(&s, 80, 24);
    let text = buffer_lines(&buf).join("\n");
    assert!(text.contains("▶ [ Cancel ]"), "{text}");
    assert!(text.contains("  [ Enroll ]"), "{text}");
    assert!(
        text.contains("Enroll 1 person into \"Q3 Outbound\""),
        "{text}"
    );
    // The focused button is reversed (NO_COLOR theme).
    let (x, y) = find_text(&buf, "[ Cancel ]").unwrap();
    assert!(buf[(x, y)].modifier.contains(Modifier::REVERSED));
}

#[test]
fn selection_is_reversed_and_marked_under_no_color() {
    let s = loaded();
    let buf = render_buffer(&s, 80, 24);
    let (x, y) = find_text(&buf, "New Idea").unwrap();
    assert!(buf[(x, y)].modifier.contains(Modifier::REVERSED));
    assert!(
        buf[(x, y)].fg == ratatui::style::Color::Reset,
        "no colour under the mono theme"
    );
    let (x2, _) = find_text(&buf, "Old Drip").unwrap();
    assert!(!buf[(x2, y + 1)].modifier.contains(Modifier::REVERSED));
}

#[test]
fn colour_theme_colours_the_budget_by_threshold() {
    let mut s = state_with(false, Styles::colored());
    update(&mut s, sltui::tui::msg::Msg::Budget(budget(60)));
    let buf = render_buffer(&s, 80, 24);
    let (x, y) = find_text(&buf, "60/600").unwrap();
    assert_eq!(
        Some(buf[(x, y)].fg),
        Styles::colored().bad.fg,
        "under the reserve: red"
    );
}

#[test]
fn activity_view_and_enrollment_log() {
    let mut s = loaded();
    act(&mut s, Action::View3);
    let text = screen(&s, 80, 24);
    for needle in [
        "All cadences",
        "live",
        "Most active cadences",
        "No enrollments yet",
    ] {
        assert!(text.contains(needle), "missing {needle:?}\n{text}");
    }
}

#[test]
fn frozen_and_paused_states_are_visible() {
    // No budget reading yet: the pause says its own reason.
    let mut s = loaded_unmetered(state());
    act(&mut s, Action::Freeze);
    assert!(screen(&s, 80, 24).contains("FROZEN"));
    act(&mut s, Action::Freeze);
    ev(
        &mut s,
        WorkerEvent::LiveState {
            enabled: false,
            paused_reason: Some("budget low".into()),
        },
    );
    assert!(screen(&s, 80, 24).contains("PAUSED: budget low"));
    // With a budget on screen, the pause names the gauge's own figure.
    update(&mut s, Msg::Budget(budget(85)));
    let text = screen(&s, 120, 40);
    assert!(
        text.contains("85/600!") && text.contains("PAUSED: 85/600 under the 20% reserve"),
        "{text}"
    );
}

fn find_text(buf: &Buffer, needle: &str) -> Option<(u16, u16)> {
    let rows = buffer_lines(buf);
    for (y, row) in rows.iter().enumerate() {
        if let Some(byte) = row.find(needle) {
            let x = row[..byte].chars().count();
            return Some((x as u16, y as u16));
        }
    }
    None
}

#[test]
fn webhook_receiver_shows_next_to_live_without_pushing_out_the_budget() {
    let s = loaded();
    // The status line: the one with the budget gauge.
    let first = |s: &AppState| {
        let text = screen(s, 80, 24);
        let line = text.lines().find(|l| l.contains("budget "));
        line.unwrap_or_else(|| panic!("no budget gauge in\n{text}"))
            .to_string()
    };
    assert!(!first(&s).contains("hooks"), "no receiver, no mark");

    let hooked = || StateSetup {
        webhooks: true,
        ..setup()
    };
    let mut s = loaded_from(hooked().build());
    // NO_COLOR (the mono theme): plain text right after LIVE.
    let line = first(&s);
    for needle in [
        "DEMO",
        "budget",
        "598/600",
        "● LIVE +hooks",
        "updated 0s ago",
    ] {
        assert!(line.contains(needle), "missing {needle:?} in {line:?}");
    }

    let colored = loaded_from(
        StateSetup {
            styles: Styles::colored(),
            ..hooked()
        }
        .build(),
    );
    let buf = render_buffer(&colored, 80, 24);
    let (x, y) = find_text(&buf, "hooks").expect("hooks on the status line");
    assert_eq!(buf[(x - 3, y)].symbol(), "⚡", "the mark before it");
    assert_eq!(Some(buf[(x, y)].fg), Styles::colored().good.fg);
    let line = buffer_lines(&buf)[usize::from(y)].clone();
    assert!(
        line.contains("598/600") && line.contains("updated 0s ago"),
        "{line:?}"
    );
    assert!(
        line.find("LIVE").unwrap() < line.find("hooks").unwrap(),
        "{line:?}"
    );

    // A full line (SalesLoft unreachable) drops the mark first.
    ev(
        &mut s,
        WorkerEvent::Connection {
            state: sltui::worker::ConnectionState::Down {
                retry_in_secs: 4,
                reason: "timed out".into(),
            },
        },
    );
    let line = first(&s);
    assert!(!line.contains("hooks"), "{line:?}");
    for needle in [
        "DEMO",
        "598/600",
        "unreachable, retrying in 4 s",
        "stale 0s",
    ] {
        assert!(line.contains(needle), "missing {needle:?} in {line:?}");
    }
}
