//! `update` without a terminal: navigation, filtering, sorting, live state, stale
//! answers, search and the email lookup.

mod tui_support;

use std::time::Duration;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use sltui::config::keymap::Action;
use sltui::metrics::TimeRange;
use sltui::tui::cadence_list::{SortColumn, StateFilter};
use sltui::tui::msg::{Effect, Msg};
use sltui::tui::state::View;
use sltui::tui::update::{init, update};
use sltui::worker::{Priority, Request, WorkerEvent};
use tui_support::*;

#[test]
fn start_asks_for_cadences_people_and_live_polling() {
    let mut s = state();
    let fx = init(&mut s);
    let reqs = requests(&fx);
    assert!(reqs.contains(&&Request::Cadences));
    assert!(reqs.contains(&&Request::IndexPeople));
    assert!(reqs.contains(&&Request::SetLive { enabled: true }));
    assert!(reqs.contains(&&Request::SetPollInterval { secs: 5 }));
    assert_eq!(
        find(&fx, |r| matches!(r, Request::IndexPeople)).unwrap().1,
        Priority::Bulk
    );
    // Fresh ids, all different.
    let mut ids: Vec<u64> = fx
        .iter()
        .filter_map(|e| match e {
            Effect::Send { id, .. } => Some(*id),
            _ => None,
        })
        .collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), fx.len());
}

#[test]
fn cadences_arrive_then_engagement_is_requested_visible_first() {
    let mut s = state();
    let fx = init(&mut s);
    let (id, _) = find(&fx, |r| matches!(r, Request::Cadences)).unwrap();
    let many: Vec<_> = (1..=40)
        .map(|i| cadence(i, &format!("Cadence {i:02}"), "active", true, i))
        .collect();
    let fx = ev(&mut s, WorkerEvent::Cadences { id, cadences: many });
    let Some(Request::Engagement { cadence_ids, range }) = requests(&fx)
        .into_iter()
        .find(|r| matches!(r, Request::Engagement { .. }))
        .cloned()
    else {
        panic!("no engagement request in {fx:?}")
    };
    assert_eq!(range, TimeRange::Days(30));
    assert_eq!(cadence_ids.len(), 40);
    // Sorted by name: the first rows on screen come first.
    assert_eq!(&cadence_ids[..3], &[1, 2, 3]);
    // While engagement loads, the rows know they are pending.
    assert!(s.engagement_pending(1));
}

#[test]
fn an_answer_to_an_old_request_is_ignored() {
    let mut s = state();
    let fx = init(&mut s);
    let (old, _) = find(&fx, |r| matches!(r, Request::Cadences)).unwrap();
    // The user refreshes: a newer request replaces the first.
    let fx = act(&mut s, Action::Refresh);
    let (new, _) = find(&fx, |r| matches!(r, Request::Cadences)).unwrap();
    assert_ne!(old, new);
    ev(
        &mut s,
        WorkerEvent::Cadences {
            id: old,
            cadences: vec![cadence(9, "Stale", "active", true, 1)],
        },
    );
    assert!(
        s.cadences.list.cadences.is_empty(),
        "the old answer must not land"
    );
    ev(
        &mut s,
        WorkerEvent::Cadences {
            id: new,
            cadences: vec![cadence(1, "Fresh", "active", true, 1)],
        },
    );
    assert_eq!(row_names(&s), vec!["Fresh"]);
}

#[test]
fn sort_cycles_columns_and_reverses() {
    let mut s = loaded();
    assert_eq!(
        row_names(&s),
        vec!["New Idea", "Old Drip", "Q3 Outbound", "Webinar Follow-up"]
    );
    act(&mut s, Action::SortReverse);
    assert_eq!(row_names(&s)[0], "Webinar Follow-up");
    act(&mut s, Action::SortNext); // state
    assert_eq!(s.cadences.list.sort.column, SortColumn::State);
    assert_eq!(
        row_names(&s)[0],
        "Q3 Outbound",
        "active < archived < draft, then by name"
    );
    for _ in 0..3 {
        act(&mut s, Action::SortNext);
    }
    assert_eq!(s.cadences.list.sort.column, SortColumn::Sent);
    assert!(
        s.cadences.list.sort.descending,
        "numbers start largest first"
    );
    assert_eq!(row_names(&s)[0], "Q3 Outbound");
    act(&mut s, Action::SortNext); // open rate
    assert_eq!(s.cadences.list.sort.column, SortColumn::Open);
    // Webinar: 2/2 opened; Q3: 2/3 delivered opened; no-sends have no rate and sort last.
    assert_eq!(&row_names(&s)[..2], &["Webinar Follow-up", "Q3 Outbound"]);
    act(&mut s, Action::SortReverse);
    assert_eq!(
        &row_names(&s)[..2],
        &["Q3 Outbound", "Webinar Follow-up"],
        "ascending, unknown still last"
    );
}

#[test]
fn selection_follows_the_cadence_when_the_order_changes() {
    let mut s = loaded();
    act(&mut s, Action::Bottom);
    assert_eq!(
        s.cadences.list.selected().unwrap().name,
        "Webinar Follow-up"
    );
    act(&mut s, Action::SortReverse);
    assert_eq!(s.cadences.list.cursor.selected, 0);
    assert_eq!(
        s.cadences.list.selected().unwrap().name,
        "Webinar Follow-up"
    );
}

#[test]
fn filter_by_name_while_action_keys_do_nothing() {
    let mut s = loaded();
    act(&mut s, Action::Filter);
    assert!(s.typing());
    // "q" would quit, "s" would sort: while typing they are text.
    let fx = typ(&mut s, "q3");
    assert!(!s.quit && !fx.contains(&Effect::Quit));
    assert_eq!(s.cadences.list.sort.column, SortColumn::Name);
    assert_eq!(row_names(&s), vec!["Q3 Outbound"]);
    update(&mut s, code(KeyCode::Enter));
    assert!(!s.typing(), "enter leaves the input");
    assert_eq!(row_names(&s), vec!["Q3 Outbound"], "and keeps the filter");
    act(&mut s, Action::Filter);
    update(&mut s, code(KeyCode::Esc));
    assert!(!s.typing());
    assert_eq!(row_names(&s).len(), 4, "esc clears the filter");
    // Nothing matches: rows are empty, the list is not.
    act(&mut s, Action::Filter);
    typ(&mut s, "zzz");
    assert!(s.cadences.list.rows.is_empty());
    assert_eq!(s.cadences.list.cadences.len(), 4);
}

#[test]
fn ctrl_c_quits_even_while_typing_but_esc_on_top_level_does_not() {
    let mut s = loaded();
    act(&mut s, Action::Back);
    assert!(!s.quit);
    act(&mut s, Action::Filter);
    let fx = update(
        &mut s,
        Msg::Key(KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL)),
    );
    assert!(s.quit && fx.contains(&Effect::Quit));
    let mut s = loaded();
    let fx = update(&mut s, key('q'));
    assert!(fx.contains(&Effect::Quit));
}

#[test]
fn state_filter_cycles_active_draft_archived_all() {
    let mut s = loaded();
    let mut seen = vec![];
    for _ in 0..4 {
        act(&mut s, Action::CycleState);
        seen.push((s.cadences.list.state_filter, row_names(&s)));
    }
    assert_eq!(
        seen[0],
        (
            StateFilter::Active,
            vec!["Q3 Outbound".into(), "Webinar Follow-up".into()]
        )
    );
    assert_eq!(seen[1], (StateFilter::Draft, vec!["New Idea".into()]));
    assert_eq!(seen[2], (StateFilter::Archived, vec!["Old Drip".into()]));
    assert_eq!(seen[3].1.len(), 4);
}

#[test]
fn freeze_sends_set_live_false_and_unfreeze_true() {
    let mut s = loaded();
    let fx = act(&mut s, Action::Freeze);
    assert_eq!(requests(&fx), vec![&Request::SetLive { enabled: false }]);
    assert!(s.conn.live.frozen);
    // Switching views while frozen does not restart polling.
    let fx = act(&mut s, Action::View3);
    assert!(requests(&fx).is_empty(), "{fx:?}");
    let fx = act(&mut s, Action::Freeze);
    assert_eq!(requests(&fx), vec![&Request::SetLive { enabled: true }]);
}

#[test]
fn live_polling_stops_on_the_people_view_and_resumes_on_cadences() {
    let mut s = loaded();
    let fx = act(&mut s, Action::View2);
    assert_eq!(requests(&fx), vec![&Request::SetLive { enabled: false }]);
    let fx = act(&mut s, Action::NextView);
    assert_eq!(s.view, View::Activity);
    assert_eq!(requests(&fx), vec![&Request::SetLive { enabled: true }]);
    ev(
        &mut s,
        WorkerEvent::LiveState {
            enabled: false,
            paused_reason: Some("budget under the 20% reserve".into()),
        },
    );
    assert!(
        s.message()
            .unwrap()
            .text
            .contains("budget under the 20% reserve")
    );
}

#[test]
fn live_facts_move_numbers_and_the_chart_without_double_counting() {
    let mut s = loaded();
    let before = s.metrics.agg.by_cadence(2);
    let mut f = fact(300, 2, Some(21), [true, false, true, false, true]);
    f.updated_at = wall();
    ev(
        &mut s,
        WorkerEvent::EmailFacts {
            id: 0,
            facts: vec![f.clone()],
            live: true,
        },
    );
    ev(
        &mut s,
        WorkerEvent::EmailFacts {
            id: 0,
            facts: vec![f],
            live: true,
        },
    );
    let after = s.metrics.agg.by_cadence(2);
    assert_eq!(
        after.sent,
        before.sent + 1,
        "the same email twice counts once"
    );
    assert_eq!(after.replied, before.replied + 1);
    let opens: u64 = s
        .metrics
        .series
        .series(2, sltui::metrics::ActivityKind::Open, wall())
        .iter()
        .sum();
    assert_eq!(opens, 1);
    assert!(s.metrics.live_at.is_some());
}

#[test]
fn time_range_cycles_and_reloads_engagement() {
    let mut s = loaded();
    let fx = act(&mut s, Action::CycleRange);
    assert_eq!(s.metrics.range, TimeRange::Days(90));
    match requests(&fx).as_slice() {
        [Request::Engagement { cadence_ids, range }] => {
            assert_eq!(*range, TimeRange::Days(90));
            assert_eq!(cadence_ids.len(), 4);
        }
        other => panic!("expected one engagement request, got {other:?}"),
    }
    assert!(s.engagement_pending(1));
}

#[test]
fn views_switch_with_numbers_tab_and_back() {
    let mut s = loaded();
    act(&mut s, Action::Enter);
    assert_eq!(s.view, View::CadenceDetail);
    act(&mut s, Action::NextView);
    assert_eq!(s.view, View::People);
    act(&mut s, Action::PrevView);
    assert_eq!(
        s.view,
        View::CadenceDetail,
        "a tab comes back to the view it showed"
    );
    act(&mut s, Action::View1);
    assert_eq!(
        s.view,
        View::Cadences,
        "the number of the current tab goes to its root"
    );
    act(&mut s, Action::View3);
    assert_eq!(s.view, View::Activity);
    act(&mut s, Action::Help);
    assert!(s.popup.is_some());
    act(&mut s, Action::Back);
    assert!(s.popup.is_none());
}

#[test]
fn opening_a_cadence_requests_its_detail_and_takes_steps_and_members() {
    let mut s = loaded();
    act(&mut s, Action::Down);
    act(&mut s, Action::Down); // Q3 Outbound
    let fx = act(&mut s, Action::Enter);
    let (id, prio) =
        find(&fx, |r| *r == Request::CadenceDetail { cadence_id: 1 }).expect("detail requested");
    assert_eq!(prio, Priority::Visible);
    ev(
        &mut s,
        WorkerEvent::CadenceSteps {
            id,
            cadence_id: 1,
            steps: vec![
                step(11, 1, 1, 1, "email", "Intro"),
                step(12, 1, 3, 2, "phone", "Call"),
            ],
        },
    );
    ev(
        &mut s,
        WorkerEvent::CadenceMembers {
            id,
            cadence_id: 1,
            members: vec![(membership(1, 501, 1, "active", true), None)],
        },
    );
    ev(
        &mut s,
        WorkerEvent::CadenceMembers {
            id: id + 100,
            cadence_id: 1,
            members: vec![],
        },
    );
    assert_eq!(
        s.cadences.detail.as_ref().unwrap().members.len(),
        1,
        "a stray answer did not wipe the list"
    );
    // j past the two steps lands on the person; enter opens them.
    act(&mut s, Action::Down);
    act(&mut s, Action::Down);
    let fx = act(&mut s, Action::Enter);
    assert!(requests(&fx).contains(&&Request::PersonDetail { person_id: 501 }));
    assert_eq!(s.view, View::Person);
    act(&mut s, Action::Back);
    assert_eq!(
        s.view,
        View::CadenceDetail,
        "esc goes back where the person was opened from"
    );
}

#[test]
fn errors_become_messages_and_failed_views_say_so() {
    let mut s = state();
    let fx = init(&mut s);
    let (id, _) = find(&fx, |r| matches!(r, Request::Cadences)).unwrap();
    ev(
        &mut s,
        WorkerEvent::Finished {
            id,
            error: Some("the API key was refused (401): check SALESLOFT_API_KEY".into()),
        },
    );
    assert!(
        matches!(s.cadences.list.fetch.state(), sltui::tui::fetch::LoadState::Failed(e) if e.contains("401"))
    );
    assert!(s.message().unwrap().text.contains("401"));
    // Messages expire.
    advance(&mut s, Duration::from_secs(60));
    update(&mut s, Msg::Tick);
    assert!(s.message().is_none());
}

#[test]
fn help_scroll_stops_at_the_end_so_up_moves_at_once() {
    use sltui::tui::state::Popup;
    let mut s = loaded();
    update(&mut s, Msg::Resize(80, 24));
    act(&mut s, Action::Help);
    let scroll = |s: &sltui::tui::state::AppState| match &s.popup {
        Some(Popup::Help { scroll }) => *scroll,
        _ => panic!("help is closed"),
    };
    act(&mut s, Action::Bottom);
    let end = scroll(&s);
    assert!(end > 0, "the help is longer than 24 rows");
    for _ in 0..5 {
        act(&mut s, Action::Down);
    }
    assert_eq!(scroll(&s), end, "no scrolling past the end");
    act(&mut s, Action::Up);
    assert_eq!(scroll(&s), end - 1, "k after G moves up one line");
    act(&mut s, Action::PageDown);
    assert_eq!(scroll(&s), end);
}

/// #14: when a new cadence list replaces the one on screen (the live list after
/// the stored one, a refresh), the cursor stays on the same cadence wherever it
/// now sorts, and a shorter list is no problem.
#[test]
fn a_new_cadence_list_keeps_the_cursor_on_the_same_cadence() {
    let mut s = loaded();
    act(&mut s, Action::Bottom);
    let chosen = s
        .cadences
        .list
        .selected()
        .map(|c| c.id)
        .expect("a selection");
    let before = row_names(&s);
    let fx = act(&mut s, Action::Refresh);
    let (cad, _) = find(&fx, |r| matches!(r, Request::Cadences)).expect("reload");
    // The chosen cadence first in the answer, two others gone, one new that sorts first.
    let kept = s.cadences.list.by_id(chosen).cloned().expect("chosen");
    let list = vec![kept, cadence(9, "AAA New", "active", true, 1)];
    ev(
        &mut s,
        WorkerEvent::Cadences {
            id: cad,
            cadences: list,
        },
    );
    assert_eq!(
        s.cadences.list.selected().map(|c| c.id),
        Some(chosen),
        "was {before:?}, now {:?}",
        row_names(&s)
    );
    assert_eq!(s.cadences.list.rows.len(), 2);
}

/// `:` opens the command palette over any view: every action by name, filtered
/// by name, description or key as you type; enter runs the chosen one exactly as
/// its key does; esc closes; a filter that matches nothing says so.
#[test]
fn the_palette_runs_any_action_by_name() {
    let mut s = loaded();
    update(&mut s, key(':'));
    let rows = |s: &sltui::tui::state::AppState| match &s.popup {
        Some(sltui::tui::state::Popup::Palette(p)) => p
            .rows
            .iter()
            .map(|e| match e {
                sltui::tui::palette::Entry::Action(a) => *a,
                other => panic!("no saved views here: {other:?}"),
            })
            .collect::<Vec<_>>(),
        _ => panic!("no palette"),
    };
    assert!(s.typing(), "the palette's filter takes the keys");
    assert_eq!(
        rows(&s).len(),
        Action::ALL.len() - 1,
        "every action but itself"
    );
    typ(&mut s, "csv");
    assert_eq!(rows(&s), [Action::Export, Action::ExportTemplates]);
    let fx = update(&mut s, code(KeyCode::Enter));
    assert!(s.popup.is_none());
    assert!(
        matches!(fx.as_slice(), [Effect::Save { .. }]),
        "enter ran the export: {fx:?}"
    );
    // By a word of the description, from another view.
    act(&mut s, Action::View2);
    update(&mut s, key(':'));
    typ(&mut s, "view 1");
    assert_eq!(rows(&s), [Action::View1]);
    update(&mut s, code(KeyCode::Enter));
    assert_eq!(s.view, View::Cadences);
    // Nothing matches: said, nothing runs.
    update(&mut s, key(':'));
    typ(&mut s, "zzzz");
    assert!(rows(&s).is_empty());
    let fx = update(&mut s, code(KeyCode::Enter));
    assert!(fx.is_empty() && s.popup.is_none());
    assert!(s.message().unwrap().text.contains("no action matches"));
    // Esc closes without running anything; q is typed, not quit.
    update(&mut s, key(':'));
    typ(&mut s, "q");
    assert!(!s.quit && s.popup.is_some());
    update(&mut s, code(KeyCode::Esc));
    assert!(s.popup.is_none() && !s.quit);
}
