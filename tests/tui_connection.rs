//! The dashboard while SalesLoft is unreachable: the status bar says so with a
//! countdown to the next try, the data on screen stays and is marked stale, and
//! it all clears when SalesLoft answers again (pure `update` plus a render).

mod tui_support;

use std::time::Duration;

use sltui::tui::state::AppState;
use sltui::tui::widgets::status_bar;
use sltui::worker::{ConnectionState, WorkerEvent};
use tui_support::*;

fn screen(state: &AppState) -> String {
    screen_at(state, 120)
}

fn screen_at(state: &AppState, width: u16) -> String {
    screen_text(state, width, 30)
}

fn down(secs: u64) -> WorkerEvent {
    WorkerEvent::Connection {
        state: ConnectionState::Down {
            retry_in_secs: secs,
            reason: "timed out".into(),
        },
    }
}

#[test]
fn unreachable_keeps_the_data_marks_it_stale_and_counts_down() {
    let mut s = loaded();
    let names = row_names(&s);
    assert!(!names.is_empty());
    assert!(!screen(&s).contains("unreachable"));

    ev(&mut s, down(4));
    let text = screen(&s);
    assert!(
        text.contains("SalesLoft unreachable, retrying in 4 s"),
        "{text}"
    );
    assert!(text.contains("(stale)"), "{text}");
    assert!(
        text.contains("SalesLoft unreachable (timed out)"),
        "said in words: {text}"
    );
    assert_eq!(row_names(&s), names, "the last data stays on screen");
    let narrow = screen_at(&s, 80);
    if std::env::var_os("SLTUI_SHOW_SCREENS").is_some() {
        println!("{narrow}");
    }
    assert!(
        narrow.contains("⚠ unreachable, retrying in 4 s │ stale 0s"),
        "{narrow}"
    );
    for name in &names {
        assert!(text.contains(name.as_str()), "{name} still shown");
    }

    advance(&mut s, Duration::from_millis(1500));
    assert_eq!(
        status_bar::unreachable_text(&s).as_deref(),
        Some("SalesLoft unreachable, retrying in 3 s")
    );
    advance(&mut s, Duration::from_secs(3));
    assert_eq!(
        status_bar::unreachable_text(&s).as_deref(),
        Some("SalesLoft unreachable, retrying now")
    );
    // The probe failed: a later try.
    ev(&mut s, down(8));
    assert_eq!(
        status_bar::unreachable_text(&s).as_deref(),
        Some("SalesLoft unreachable, retrying in 8 s")
    );

    ev(
        &mut s,
        WorkerEvent::Connection {
            state: ConnectionState::Up,
        },
    );
    assert_eq!(status_bar::unreachable_text(&s), None);
    let text = screen(&s);
    assert!(!text.contains("retrying in"), "{text}");
    assert!(text.contains("SalesLoft answers again"), "{text}");
}
