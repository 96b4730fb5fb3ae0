//! The mouse through `update`: a frame is drawn first (it says where the tabs
//! and rows are), then clicks and wheel notches go in as the terminal sends them.

mod tui_support;

use crossterm::event::{KeyModifiers, MouseButton, MouseEvent, MouseEventKind};
use sltui::config::keymap::Action;
use sltui::tui::msg::Msg;
use sltui::tui::state::{AppState, Popup, View};
use sltui::tui::update::update;
use tui_support::*;

fn mouse(s: &mut AppState, kind: MouseEventKind, column: u16, row: u16) {
    update(
        s,
        Msg::Mouse(MouseEvent {
            kind,
            column,
            row,
            modifiers: KeyModifiers::NONE,
        }),
    );
}

fn click(s: &mut AppState, column: u16, row: u16) {
    mouse(s, MouseEventKind::Down(MouseButton::Left), column, row);
}

/// Where `needle` is on an 80x24 frame of the state (drawing it, as the loop does).
fn spot(s: &AppState, needle: &str) -> (u16, u16) {
    spot_in(s, 80, 24, needle)
}

fn spot_in(s: &AppState, width: u16, height: u16, needle: &str) -> (u16, u16) {
    let lines = buffer_lines(&render_buffer(s, width, height));
    for (y, line) in lines.iter().enumerate() {
        if let Some(byte) = line.find(needle) {
            return (line[..byte].chars().count() as u16, y as u16);
        }
    }
    panic!("{needle:?} not on screen:\n{}", lines.join("\n"))
}

#[test]
fn a_click_selects_a_row_and_a_second_click_opens_it() {
    let mut s = loaded();
    let (x, y) = spot(&s, "Q3 Outbound");
    click(&mut s, x, y);
    assert_eq!(s.cadences.list.selected().unwrap().name, "Q3 Outbound");
    assert_eq!(s.view, View::Cadences, "the first click only selects");
    render_buffer(&s, 80, 24);
    click(&mut s, x, y);
    assert_eq!(s.view, View::CadenceDetail);
    assert_eq!(s.cadences.detail.as_ref().unwrap().cadence_id, 1);
}

#[test]
fn a_click_on_a_tab_switches_to_it() {
    let mut s = loaded();
    let (x, y) = spot(&s, "People");
    click(&mut s, x + 2, y);
    assert_eq!(s.view, View::People);
    let (x, y) = spot(&s, "Alerts");
    click(&mut s, x, y);
    assert_eq!(s.view, View::Alerts);
}

#[test]
fn the_detail_selects_steps_and_people_by_click() {
    let mut s = q3_detail();
    let (x, y) = spot(&s, "Bump");
    click(&mut s, x, y);
    assert_eq!(s.cadences.detail.as_ref().unwrap().cursor.selected, 1);
    // At 80 columns the people show when the focus is on them.
    act(&mut s, Action::SwitchPane);
    let (x, y) = spot(&s, "Grace Hopper");
    click(&mut s, x, y);
    // Three steps, then the people: Grace is the second person.
    assert_eq!(s.cadences.detail.as_ref().unwrap().cursor.selected, 4);
}

#[test]
fn people_and_a_persons_cadences_take_clicks() {
    let mut s = people_search();
    let (x, y) = spot(&s, "Grace Hopper");
    click(&mut s, x, y);
    let sel = s.people.search.hits.hits[s.people.search.cursor.selected];
    assert_eq!(s.people.search.index.get(sel).unwrap().name, "Grace Hopper");
    let mut s = person_page();
    let (x, y) = spot(&s, "Q3 Outbound");
    render_buffer(&s, 80, 24);
    click(&mut s, x, y);
    // The only row was selected already: the click opens its cadence.
    assert_eq!(s.view, View::CadenceDetail);
}

fn detail_cursor(s: &AppState) -> usize {
    s.cadences.detail.as_ref().unwrap().cursor.selected
}

#[test]
fn the_wheel_moves_the_pane_under_the_pointer_not_the_focused_one() {
    // 120 columns: the steps (3) and the people (2) side by side, one cursor.
    let mut s = q3_detail();
    assert_eq!(detail_cursor(&s), 0, "the focus starts on the steps");
    let (px, py) = spot_in(&s, 120, 40, "Ada Lovelace");
    mouse(&mut s, MouseEventKind::ScrollDown, px, py);
    // The people pane takes the cursor at its top row, then moves three
    // rows (two people: stops on the last).
    assert_eq!(detail_cursor(&s), 3 + 1);
    render_buffer(&s, 120, 40);
    mouse(&mut s, MouseEventKind::ScrollUp, px, py);
    assert_eq!(detail_cursor(&s), 3, "back to the first person");
    // Over the steps: the steps take the cursor back, from their top row.
    let (sx, sy) = spot_in(&s, 120, 40, "Intro email");
    mouse(&mut s, MouseEventKind::ScrollDown, sx, sy);
    assert_eq!(
        detail_cursor(&s),
        2,
        "three steps down from the first, stops on the last"
    );
    // Over the pane's border and empty lines too, not only its rows.
    let (bx, by) = spot_in(&s, 120, 40, "People (");
    mouse(&mut s, MouseEventKind::ScrollDown, bx, by);
    assert_eq!(detail_cursor(&s), 3 + 1);
    // Over the facts box (no list) the wheel does nothing.
    let (fx_, fy) = spot_in(&s, 120, 40, "sent ");
    mouse(&mut s, MouseEventKind::ScrollUp, fx_, fy);
    assert_eq!(detail_cursor(&s), 3 + 1);
}

#[test]
fn a_click_in_a_pane_outside_its_rows_focuses_it() {
    let mut s = q3_detail();
    let (bx, by) = spot_in(&s, 120, 40, "People (");
    click(&mut s, bx, by);
    assert_eq!(detail_cursor(&s), 3, "the people pane's top row");
    assert_eq!(
        s.view,
        View::CadenceDetail,
        "a click on a pane opens nothing"
    );
    let (sx, sy) = spot_in(&s, 120, 40, "Steps (");
    click(&mut s, sx, sy);
    assert_eq!(detail_cursor(&s), 0);
    // A pane that has the cursor keeps its selection.
    act(&mut s, Action::Down);
    render_buffer(&s, 120, 40);
    click(&mut s, sx, sy);
    assert_eq!(detail_cursor(&s), 1);
}

#[test]
fn the_wheel_outside_every_list_moves_nothing() {
    let mut s = loaded();
    render_buffer(&s, 80, 24);
    // The status bar and the tab bar.
    mouse(&mut s, MouseEventKind::ScrollDown, 10, 23);
    mouse(&mut s, MouseEventKind::ScrollDown, 10, 0);
    assert_eq!(s.cadences.list.cursor.selected, 0);
}

#[test]
fn the_wheel_moves_the_list_under_the_pointer_and_scrolls_help() {
    let mut s = loaded();
    render_buffer(&s, 80, 24);
    assert_eq!(s.cadences.list.cursor.selected, 0);
    mouse(&mut s, MouseEventKind::ScrollDown, 10, 10);
    assert_eq!(s.cadences.list.cursor.selected, 3, "three rows a notch");
    mouse(&mut s, MouseEventKind::ScrollDown, 10, 10);
    assert_eq!(
        s.cadences.list.cursor.selected, 3,
        "4 rows: stops at the last"
    );
    mouse(&mut s, MouseEventKind::ScrollUp, 10, 10);
    assert_eq!(s.cadences.list.cursor.selected, 0);
    // Over a dialog the wheel scrolls it, and clicks reach nothing under it.
    act(&mut s, Action::Help);
    render_buffer(&s, 80, 24);
    mouse(&mut s, MouseEventKind::ScrollDown, 10, 10);
    assert!(
        matches!(s.popup, Some(Popup::Help { scroll: 3 })),
        "{:?}",
        s.popup
    );
    click(&mut s, 10, 0);
    assert_eq!(s.view, View::Cadences);
    assert!(s.popup.is_some());
}

#[test]
fn a_click_where_the_last_frame_showed_another_view_does_nothing() {
    let mut s = loaded();
    let (x, y) = spot(&s, "Q3 Outbound");
    // The view changes before the next frame is drawn.
    act(&mut s, Action::View3);
    click(&mut s, x, y);
    assert_eq!(s.view, View::Activity);
    assert_eq!(s.activity.cursor.selected, 0);
    // Nothing under the pointer: nothing happens.
    let before = s.cadences.list.cursor.selected;
    render_buffer(&s, 80, 24);
    click(&mut s, 79, 23);
    assert_eq!(s.cadences.list.cursor.selected, before);
    assert_eq!(s.view, View::Activity);
}
