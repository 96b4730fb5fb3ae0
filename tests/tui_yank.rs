//! Ids the user can type into the CLI: `y` copies the selected row's id, then
//! (pressed again on the same row) its name, then its email, as an OSC 52
//! effect, and says what it copied; `i` shows the cadences' id column.

mod tui_support;

use std::time::Duration;

use sltui::config::keymap::Action;
use sltui::tui::msg::Effect;
use sltui::tui::state::AppState;
use tui_support::*;

fn copied(s: &mut AppState) -> String {
    let fx = act(s, Action::Yank);
    match fx.as_slice() {
        [Effect::Copy(text)] => text.clone(),
        other => panic!("{other:?}"),
    }
}

#[test]
fn cadences_copy_the_id_then_the_name() {
    let mut s = loaded();
    let c = s.cadences.list.selected().unwrap().clone();
    assert_eq!(copied(&mut s), c.id.to_string());
    assert!(
        s.message()
            .unwrap()
            .text
            .contains("again: the cadence name")
    );
    assert_eq!(copied(&mut s), c.name);
    assert_eq!(copied(&mut s), c.id.to_string(), "wraps around");
    // Another row starts from its id.
    act(&mut s, Action::Down);
    let d = s.cadences.list.selected().unwrap().clone();
    assert_ne!(c.id, d.id);
    assert_eq!(copied(&mut s), d.id.to_string());
    // Later, the same row starts over too.
    advance(&mut s, Duration::from_secs(5));
    assert_eq!(copied(&mut s), d.id.to_string());
}

#[test]
fn people_copy_id_name_and_email() {
    let mut s = loaded();
    act(&mut s, Action::View2);
    act(&mut s, Action::Filter);
    typ(&mut s, "ada");
    update_enter(&mut s);
    assert_eq!(copied(&mut s), "501");
    assert_eq!(copied(&mut s), "Ada Lovelace");
    assert_eq!(copied(&mut s), "ada@analytical.io");
    assert!(
        s.message()
            .unwrap()
            .text
            .contains("copied the email: ada@analytical.io")
    );
}

fn update_enter(s: &mut AppState) {
    sltui::tui::update::update(s, code(crossterm::event::KeyCode::Enter));
}

#[test]
fn the_clipboard_sequence_is_osc_52() {
    assert_eq!(
        sltui::tui::yank::osc52("25591"),
        "\u{1b}]52;c;MjU1OTE=\u{7}"
    );
}

#[test]
fn the_id_column_comes_and_goes_first_in_the_row() {
    let mut s = loaded();
    let row = |s: &AppState, w| {
        screen_text(s, w, 24)
            .lines()
            .find(|l| l.contains("Q3 Outbound"))
            .unwrap()
            .to_string()
    };
    assert!(!row(&s, 120).contains(" 1 "), "{}", row(&s, 120));
    act(&mut s, Action::ToggleIds);
    assert!(s.cadences.list.show_ids);
    for w in [120, 80] {
        let r = row(&s, w);
        let id = r.find(" 1 ").unwrap_or_else(|| panic!("{w}: {r}"));
        assert!(
            id < r.find("Q3 Outbound").unwrap(),
            "{w}: the id first: {r}"
        );
    }
    act(&mut s, Action::ToggleIds);
    assert!(!s.cadences.list.show_ids);
    // The people table has its own id column, toggled by the same key.
    act(&mut s, Action::View2);
    act(&mut s, Action::ToggleIds);
    assert!(s.people.search.show_ids && !s.cadences.list.show_ids);
    assert!(s.message().unwrap().text.contains("--person ID"));
    // Elsewhere it says where the columns are.
    act(&mut s, Action::View3);
    act(&mut s, Action::ToggleIds);
    assert!(
        s.message()
            .unwrap()
            .text
            .contains("the id column is in cadences (1) and people (2)")
    );
}

/// `x` on the cadences table: one CSV row per cadence shown, in the order shown,
/// with the numbers the table shows (the aggregator's) and names quoted when
/// they need it; the loop writes it where sltui was started and says where.
#[test]
fn x_exports_the_cadences_table_as_shown() {
    let mut s = loaded();
    let fx = act(&mut s, Action::Export);
    let [
        Effect::Save {
            file_name,
            contents,
            what,
        },
    ] = fx.as_slice()
    else {
        panic!("{fx:?}")
    };
    assert!(
        file_name.starts_with("sltui-cadences-") && file_name.ends_with(".csv"),
        "{file_name}"
    );
    assert_eq!(what, "4 cadences");
    let lines: Vec<&str> = contents.lines().collect();
    assert_eq!(lines.len(), 6, "header, 4 cadences, total: {contents}");
    assert!(lines[5].starts_with("total,"), "{contents}");
    assert!(lines[0].starts_with("cadence_id,name,state,team_or_personal,people,range,sent,"));
    // The rows are the table's, in its order.
    let shown: Vec<String> = s
        .cadences
        .list
        .rows
        .iter()
        .map(|&i| s.cadences.list.cadences[i].id.to_string())
        .collect();
    let exported: Vec<String> = lines[1..5]
        .iter()
        .map(|l| l.split(',').next().unwrap().to_string())
        .collect();
    assert_eq!(exported, shown);
    // Q3 Outbound (cadence 1): 4 sent, 1 bounced, 2 opened, 1 replied.
    let q3: Vec<&str> = lines
        .iter()
        .find(|l| l.starts_with("1,"))
        .unwrap()
        .split(',')
        .collect();
    assert_eq!(&q3[1..5], ["Q3 Outbound", "active", "team", "120"]);
    let e = s.metrics.agg.by_cadence(1);
    assert_eq!(q3[6], e.sent.to_string());
    assert_eq!(q3[11], e.bounced.to_string());
    assert_eq!((q3[6], q3[11], q3[18]), ("4", "1", "true"));
    // Filtered: only what is shown goes.
    act(&mut s, Action::Filter);
    typ(&mut s, "webinar");
    let fx = act(&mut s, Action::Export);
    let [Effect::Save { contents, what, .. }] = fx.as_slice() else {
        panic!("{fx:?}")
    };
    assert_eq!(what, "1 cadence");
    assert_eq!(contents.lines().count(), 3, "{contents}");
    // Filtered to nothing: said, nothing written.
    act(&mut s, Action::Filter);
    typ(&mut s, "zzz");
    assert!(act(&mut s, Action::Export).is_empty());
    assert!(
        s.message()
            .unwrap()
            .text
            .contains("no cadences on screen to export")
    );
}

/// An id is typed into the CLI: the id columns are as wide as the longest id
/// shown, never cut, at 80 columns too.
#[test]
fn long_ids_are_never_cut() {
    let mut s = loaded();
    // The team database pushed a new list (answers no request).
    ev(
        &mut s,
        sltui::worker::WorkerEvent::Cadences {
            id: sltui::worker::PUSHED,
            cadences: vec![
                cadence(1234567890, "Long Id Outbound", "active", true, 3),
                cadence(7, "Short", "active", true, 3),
            ],
        },
    );
    act(&mut s, Action::SortNext);
    act(&mut s, Action::SortReverse);
    act(&mut s, Action::ToggleIds);
    for w in [80, 120] {
        let text = screen_text(&s, w, 24);
        let row = text.lines().find(|l| l.contains("Long Id")).unwrap();
        assert!(row.contains("1234567890 "), "{w}: {row}");
    }
}

#[test]
fn long_messages_lose_their_middle_not_their_end_at_80_columns() {
    use sltui::tui::msg::Msg;
    use sltui::tui::update::update;
    let mut s = loaded();
    let long =
        "Healthcare Vertical Outbound - Hospital Systems and Clinics (North America, Q3 pilot)";
    let id = s.cadences.list.selected().unwrap().id;
    // The cadence renamed upstream, as a pushed cadence list brings it.
    let mut cadences = s.cadences.list.cadences.clone();
    for c in &mut cadences {
        if c.id == id {
            c.name = long.to_string();
        }
    }
    update(
        &mut s,
        Msg::Worker(sltui::worker::WorkerEvent::Cadences {
            id: sltui::worker::PUSHED,
            cadences,
        }),
    );
    assert_eq!(s.cadences.list.selected().unwrap().name, long);
    copied(&mut s);
    assert_eq!(copied(&mut s), long, "the whole name is copied");
    let text = screen_text(&s, 80, 24);
    let line = text.lines().last().unwrap();
    assert!(
        line.starts_with("copied the cadence name: Healthcare"),
        "{line}"
    );
    assert!(line.contains('…'), "{line}");
    assert!(
        line.trim_end().ends_with("· again: the cadence id"),
        "{line}"
    );

    // An export into a deep directory: the file name stays.
    let dir = tempfile::tempdir().unwrap();
    let deep = dir
        .path()
        .join("home-of-a-rep-with-a-long-name/projects/pipeline-review-2026");
    std::fs::create_dir_all(&deep).unwrap();
    let file = "sltui-cadences-20261207-052500.csv";
    let (level, said) = sltui::tui::export::save(&deep, file, "x\n", "4 cadences");
    assert!(said.chars().count() > 80, "{said}");
    update(&mut s, Msg::Note(level, said));
    let text = screen_text(&s, 80, 24);
    let line = text.lines().last().unwrap();
    assert!(line.starts_with("exported 4 cadences to "), "{line}");
    assert!(line.trim_end().ends_with(file), "{line}");
    // Wide enough: whole.
    let wide = screen_text(&s, 250, 40);
    assert!(
        wide.contains(&deep.join(file).display().to_string()),
        "{wide}"
    );
}
