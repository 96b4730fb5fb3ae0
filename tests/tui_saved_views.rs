//! Saved views: the palette lists the config's `[[views]]` as "view: NAME" and
//! applies one (to the cadences table, the people search or a cadence's
//! detail); the save key writes the view on screen as it is into config.toml
//! (the file's other content and comments kept) and the palette lists it from
//! then on; a skipped entry is listed with its reason.

mod tui_support;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use sltui::config::keymap::Action;
use sltui::config::views::{SavedView, SkippedView, ViewTable};
use sltui::metrics::TimeRange;
use sltui::tui::cadence_list::{SortColumn, StateFilter};
use sltui::tui::msg::{Effect, Msg};
use sltui::tui::palette::Entry;
use sltui::tui::setup::StateSetup;
use sltui::tui::state::{AppState, Popup, View};
use sltui::tui::trends::ChartMode;
use sltui::tui::update::update;
use tui_support::*;

fn view(name: &str) -> SavedView {
    SavedView {
        name: name.into(),
        filter: "outbound".into(),
        state: "active".into(),
        sort: Some(("sent".into(), None)),
        range_days: Some(7),
        columns: Some(vec![
            "id".into(),
            "name".into(),
            "sent".into(),
            "reply".into(),
        ]),
        ..SavedView::default()
    }
}

fn palette_rows(s: &AppState) -> Vec<Entry> {
    match &s.popup {
        Some(Popup::Palette(p)) => p.rows.clone(),
        other => panic!("the palette is not open: {other:?}"),
    }
}

#[test]
fn the_palette_lists_saved_views_and_applies_one() {
    let views = vec![view("Outbound by sent"), view("Other")];
    let mut s = loaded_from(StateSetup { views, ..setup() }.build());
    act(&mut s, Action::View2);
    update(&mut s, key(':'));
    typ(&mut s, "view: outbound");
    assert_eq!(palette_rows(&s), [Entry::View(0)]);
    let text = screen_text(&s, 80, 24);
    assert!(text.contains("view: Outbound by sent"), "{text}");
    assert!(
        text.contains("\"outbound\" · active · sent ▼ · 7d · 4 colum"),
        "{text}"
    );
    let fx = update(&mut s, code(KeyCode::Enter));
    assert!(s.popup.is_none());
    assert_eq!(s.view, View::Cadences);
    let list = &s.cadences.list;
    assert_eq!(list.filter.value(), "outbound");
    assert_eq!(list.state_filter, StateFilter::Active);
    assert_eq!(
        (list.sort.column, list.sort.descending),
        (SortColumn::Sent, true)
    );
    assert!(list.show_ids);
    assert_eq!(s.metrics.range, TimeRange::Days(7));
    // The new range is read, as the range key would.
    assert!(!requests(&fx).is_empty(), "{fx:?}");
    // Only active cadences named "outbound": Q3 Outbound.
    assert_eq!(row_names(&s), ["Q3 Outbound"]);
    // The columns left out are not drawn; the id is, first.
    let text = screen_text(&s, 120, 40);
    let header = text.lines().find(|l| l.contains("Name")).unwrap();
    for gone in ["State", "Team", "People", "Open", "Click", "Bounce"] {
        assert!(!header.contains(gone), "{gone} left out: {header}");
    }
    assert!(
        header.contains("Sent") && header.contains("Reply"),
        "{header}"
    );
    assert!(
        header.find("ID").unwrap() < header.find("Name").unwrap(),
        "{header}"
    );
    assert_eq!(s.message().unwrap().text, "view \"Outbound by sent\"");
}

#[test]
fn the_save_key_writes_the_view_into_the_config_keeping_the_rest() {
    let (_dir, path) = config_dir();
    let original = "# my team's settings\n[ui]\nrefresh_secs = 7 # slow\n\n[[alerts]]\nname = \"r\"\nmetric = \"reply_rate\"\nbelow = 0.02\ndays = 7\n";
    std::fs::write(&path, original).unwrap();
    let mut s = loaded_from(saving_into(&path));
    act(&mut s, Action::CycleState); // active
    act(&mut s, Action::SortNext); // state
    act(&mut s, Action::SortNext); // team
    act(&mut s, Action::SortReverse);
    act(&mut s, Action::ToggleIds);
    act(&mut s, Action::SaveView);
    assert!(s.typing(), "the name prompt takes the keys");
    let text = screen_text(&s, 80, 24);
    assert!(text.contains("Save this cadences view"), "{text}");
    typ(&mut s, "Active teams");
    let fx = update(&mut s, code(KeyCode::Enter));
    assert!(s.popup.is_none());
    let [Effect::SaveView { path: p, view }] = fx.as_slice() else {
        panic!("{fx:?}")
    };
    assert_eq!(p, &path);
    assert_eq!(view.name, "Active teams");
    assert_eq!(view.state, "active");
    assert_eq!(view.sort, Some(("team".into(), Some(true))));
    assert_eq!(view.range_days, Some(30));
    assert_eq!(view.columns.as_ref().unwrap()[0], "id");
    // The loop writes it, as app.rs does, and tells update.
    let error = sltui::config::views::save(p, view).err();
    assert_eq!(error, None);
    update(
        &mut s,
        Msg::ViewSaved {
            view: view.clone(),
            error,
        },
    );
    assert!(
        s.message()
            .unwrap()
            .text
            .contains("view \"Active teams\" saved")
    );
    let written = std::fs::read_to_string(&path).unwrap();
    assert!(
        written.starts_with(original),
        "nothing else changed:\n{written}"
    );
    let config = sltui::config::load(&path).unwrap();
    assert_eq!(config.views.views.as_slice(), std::slice::from_ref(view));
    assert_eq!(config.alerts.len(), 1);
    // The palette lists it now, and applies it after the table changed.
    act(&mut s, Action::CycleState);
    act(&mut s, Action::ToggleIds);
    update(&mut s, key(':'));
    typ(&mut s, "active teams");
    assert_eq!(palette_rows(&s), [Entry::View(0)]);
    update(&mut s, code(KeyCode::Enter));
    assert_eq!(s.cadences.list.state_filter, StateFilter::Active);
    assert!(s.cadences.list.show_ids);
    // Saving again offers the name, and replaces the entry.
    act(&mut s, Action::SaveView);
    let Some(Popup::SaveView(p)) = &s.popup else {
        panic!("{:?}", s.popup)
    };
    assert_eq!(p.input.value(), "Active teams");
    update(&mut s, code(KeyCode::Esc));
    assert!(s.popup.is_none());
}

#[test]
fn a_write_that_fails_or_no_config_file_is_said_not_saved() {
    let mut s = loaded();
    act(&mut s, Action::SaveView);
    typ(&mut s, "x");
    let fx = update(&mut s, code(KeyCode::Enter));
    assert!(fx.is_empty());
    assert!(
        s.message().unwrap().text.contains("view not saved"),
        "{:?}",
        s.message()
    );
    update(
        &mut s,
        Msg::ViewSaved {
            view: view("y"),
            error: Some("cannot write /ro/config.toml (read-only file system)".into()),
        },
    );
    let m = s.message().unwrap();
    assert!(
        m.text.starts_with("view \"y\" not saved: cannot write"),
        "{}",
        m.text
    );
    assert!(s.saved.views.is_empty());
    // An empty name is not saved; elsewhere than the cadences it says where.
    act(&mut s, Action::SaveView);
    assert!(update(&mut s, code(KeyCode::Enter)).is_empty());
    assert!(s.message().unwrap().text.contains("type a name"));
    update(&mut s, code(KeyCode::Esc));
    act(&mut s, Action::View3);
    act(&mut s, Action::SaveView);
    assert!(s.popup.is_none());
    assert!(
        s.message()
            .unwrap()
            .text
            .contains("saved views are of cadences (1)")
    );
}

/// A temporary directory and the config.toml views are saved into there.
fn config_dir() -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("config.toml");
    (dir, path)
}

/// A fresh state whose save key writes into `path`.
fn saving_into(path: &std::path::Path) -> AppState {
    StateSetup {
        config_path: Some(path.to_path_buf()),
        ..setup()
    }
    .build()
}

/// The save key's prompt named `name`, entered: the view it asks the loop to
/// write, written into `path` as app.rs does, and told to `update`.
fn save_as(s: &mut AppState, name: &str) -> SavedView {
    act(s, Action::SaveView);
    typ(s, name);
    let fx = update(s, code(KeyCode::Enter));
    let [Effect::SaveView { path, view }] = fx.as_slice() else {
        panic!("{fx:?}")
    };
    let error = sltui::config::views::save(path, view).err();
    assert_eq!(error, None);
    update(
        s,
        Msg::ViewSaved {
            view: view.clone(),
            error,
        },
    );
    view.clone()
}

#[test]
fn the_save_key_in_people_saves_the_search_and_the_palette_restores_it() {
    let (_dir, path) = config_dir();
    let mut s = loaded_from(saving_into(&path));
    act(&mut s, Action::View2);
    act(&mut s, Action::Filter);
    typ(&mut s, "grace");
    update(&mut s, code(KeyCode::Enter));
    act(&mut s, Action::ToggleIds);
    act(&mut s, Action::SaveView);
    let text = screen_text(&s, 80, 24);
    assert!(text.contains("Save this people search as a view"), "{text}");
    assert!(text.contains("people \"grace\" · ids"), "{text}");
    update(&mut s, code(KeyCode::Esc));
    let view = save_as(&mut s, "Grace");
    assert_eq!(
        (view.table, view.query.as_str(), view.ids),
        (ViewTable::People, "grace", true)
    );
    let config = sltui::config::load(&path).unwrap();
    assert_eq!(config.views.views, [view]);
    // Elsewhere, with another search: the palette brings the saved one back.
    act(&mut s, Action::Filter);
    update(
        &mut s,
        Msg::Key(KeyEvent::new(KeyCode::Char('u'), KeyModifiers::CONTROL)),
    );
    typ(&mut s, "ada");
    update(&mut s, code(KeyCode::Enter));
    act(&mut s, Action::ToggleIds);
    assert_eq!(s.people.search.query.value(), "ada");
    assert!(!s.people.search.show_ids);
    act(&mut s, Action::View1);
    update(&mut s, key(':'));
    typ(&mut s, "view people");
    // The view first, then the actions that match ("view 2 … people").
    assert_eq!(palette_rows(&s)[0], Entry::View(0));
    assert!(screen_text(&s, 80, 24).contains("people \"grace\" · ids"));
    update(&mut s, code(KeyCode::Enter));
    assert_eq!(s.view, View::People);
    let p = &s.people.search;
    assert_eq!(p.query.value(), "grace");
    assert!(p.show_ids && !p.focused);
    let first = p.index.get(p.hits.hits[0]).unwrap();
    assert_eq!(first.name, "Grace Hopper", "the search ran again");
}

#[test]
fn the_save_key_in_a_detail_saves_its_cadence_range_and_chart() {
    let (_dir, path) = config_dir();
    let mut s = q3_detail_from(saving_into(&path));
    act(&mut s, Action::CycleRange); // 90 days
    act(&mut s, Action::Chart); // daily
    act(&mut s, Action::Chart); // weekly
    act(&mut s, Action::SaveView);
    let text = screen_text(&s, 80, 24);
    assert!(
        text.contains("Save this cadence's detail as a view"),
        "{text}"
    );
    assert!(
        text.contains("cadence 1 Q3 Outbound · 90d · weekly chart"),
        "{text}"
    );
    update(&mut s, code(KeyCode::Esc));
    let view = save_as(&mut s, "Q3 weekly");
    assert_eq!(
        (
            view.table,
            view.cadence,
            view.range_days,
            view.chart.as_deref()
        ),
        (ViewTable::Detail, Some(1), Some(90), Some("weekly"))
    );
    let config = sltui::config::load(&path).unwrap();
    assert_eq!(config.views.views, [view]);
    // In People the detail view's name is not offered: saving under it would
    // replace the detail view with a people view.
    act(&mut s, Action::View2);
    act(&mut s, Action::SaveView);
    let Some(Popup::SaveView(p)) = &s.popup else {
        panic!("{:?}", s.popup)
    };
    assert_eq!(p.input.value(), "");
    update(&mut s, code(KeyCode::Esc));
    act(&mut s, Action::View1);
    // Back in the list, another range and the live chart: the view opens the
    // detail again as it was saved.
    act(&mut s, Action::Chart); // live again
    assert_eq!(s.analytics.trends.mode, ChartMode::Live);
    act(&mut s, Action::Back);
    act(&mut s, Action::CycleRange); // all time
    update(&mut s, key(':'));
    typ(&mut s, "q3 weekly");
    let fx = update(&mut s, code(KeyCode::Enter));
    assert_eq!(s.view, View::CadenceDetail);
    assert_eq!(s.cadences.detail.as_ref().unwrap().cadence_id, 1);
    assert_eq!(s.metrics.range, TimeRange::Days(90));
    assert_eq!(s.analytics.trends.mode, ChartMode::Weekly);
    assert!(!requests(&fx).is_empty(), "the detail is read: {fx:?}");
}

#[test]
fn a_detail_view_of_a_cadence_not_in_the_list_is_said_not_opened() {
    let gone = SavedView {
        name: "Gone weekly".into(),
        table: ViewTable::Detail,
        cadence: Some(999),
        range_days: Some(90),
        chart: Some("weekly".into()),
        ..SavedView::default()
    };
    let mut s = loaded_from(
        StateSetup {
            views: vec![gone],
            ..setup()
        }
        .build(),
    );
    update(&mut s, key(':'));
    typ(&mut s, "gone weekly");
    update(&mut s, code(KeyCode::Enter));
    assert_eq!(s.view, View::Cadences);
    assert!(
        s.message()
            .unwrap()
            .text
            .contains("cadence 999 is not in the cadences list"),
        "{:?}",
        s.message()
    );
}

#[test]
fn the_palette_lists_skipped_entries_with_their_reason() {
    let skipped_views = vec![
        SkippedView {
            entry: 2,
            name: Some("typo".into()),
            reason: "sort \"replies\" is not one of name, state".into(),
        },
        SkippedView {
            entry: 3,
            name: None,
            reason: "missing field `name`".into(),
        },
    ];
    let mut s = loaded_from(
        StateSetup {
            views: vec![view("good")],
            skipped_views,
            ..setup()
        }
        .build(),
    );
    update(&mut s, key(':'));
    typ(&mut s, "view");
    assert_eq!(
        palette_rows(&s)[..3],
        [Entry::View(0), Entry::Skipped(0), Entry::Skipped(1)]
    );
    let text = screen_text(&s, 120, 40);
    assert!(
        text.contains("view: typo")
            && text.contains("skipped, entry 2 (\"typo\"): sort \"replies\""),
        "{text}"
    );
    assert!(text.contains("view: (no name)"), "{text}");
    update(&mut s, code(KeyCode::Down));
    update(&mut s, code(KeyCode::Enter));
    assert!(s.popup.is_none());
    assert_eq!(
        s.message().unwrap().text,
        "config [[views]] entry 2 (\"typo\"): sort \"replies\" is not one of name, state; fix or remove it"
    );
    assert_eq!(s.view, View::Cadences, "nothing was applied");
}
