//! `update` for People: search as you type over the index, the exact email lookup
//! (latest wins), and the person page ignoring stale answers.

mod tui_support;

use std::sync::Arc;
use std::time::Duration;

use crossterm::event::KeyCode;
use sltui::config::keymap::Action;
use sltui::search::{PeopleIndex, PersonEntry};
use sltui::tui::msg::Msg;
use sltui::tui::state::IndexStatus;
use sltui::tui::update::update;
use sltui::worker::{Request, WorkerEvent};
use tui_support::*;

#[test]
fn stale_person_detail_is_ignored_after_opening_another_person() {
    let mut s = loaded();
    act(&mut s, Action::View2);
    let fx = act(&mut s, Action::Enter);
    let (first, _) = find(&fx, |r| matches!(r, Request::PersonDetail { .. })).unwrap();
    act(&mut s, Action::Back);
    act(&mut s, Action::Down);
    let fx = act(&mut s, Action::Enter);
    let (second, _) = find(&fx, |r| matches!(r, Request::PersonDetail { .. })).unwrap();
    let wanted = s.people.person.as_ref().unwrap().person_id;
    ev(
        &mut s,
        WorkerEvent::PersonDetail {
            id: first,
            person: person(501, "Ada", "Lovelace", "a@x.io", "", ""),
            memberships: vec![],
        },
    );
    assert!(
        s.people.person.as_ref().unwrap().person.is_none(),
        "answer for the first person ignored"
    );
    let p = person(
        wanted,
        "Grace",
        "Hopper",
        "grace@navy.mil",
        "US Navy",
        "Rear Admiral",
    );
    ev(
        &mut s,
        WorkerEvent::PersonDetail {
            id: second,
            person: p,
            memberships: vec![membership(9, wanted, 1, "active", true)],
        },
    );
    assert_eq!(s.people.person.as_ref().unwrap().memberships.len(), 1);
}

#[test]
fn people_search_as_you_type_and_index_progress() {
    let mut s = loaded();
    act(&mut s, Action::View2);
    assert_eq!(s.people.search.status, IndexStatus::Done { total: 3 });
    act(&mut s, Action::Filter);
    typ(&mut s, "bletch");
    let names: Vec<_> = s
        .people
        .search
        .hits
        .hits
        .iter()
        .map(|&i| s.people.search.index.get(i).unwrap().name.clone())
        .collect();
    assert_eq!(names, vec!["Alan Turing"]);
    // More people arrive while the query stays: they are searched too.
    ev(
        &mut s,
        WorkerEvent::PeopleBatch {
            id: 0,
            people: sltui::worker::shared_entries(&[person(
                504,
                "Bletchley",
                "Fan",
                "fan@x.io",
                "",
                "",
            )]),
        },
    );
    assert_eq!(s.people.search.hits.total, 2);
}

#[test]
fn an_email_address_is_looked_up_after_a_pause_and_the_latest_wins() {
    let mut s = loaded();
    act(&mut s, Action::View2);
    act(&mut s, Action::Filter);
    let fx = typ(&mut s, "kj@nasa.gov");
    assert!(requests(&fx).is_empty(), "no lookup while typing");
    advance(&mut s, Duration::from_millis(500));
    let fx = update(&mut s, Msg::Tick);
    let (first, _) = find(&fx, |r| {
        *r == Request::PersonByEmail {
            email: "kj@nasa.gov".into(),
        }
    })
    .expect("lookup");
    // The user corrects the address and presses enter: sent at once.
    update(&mut s, code(KeyCode::Backspace));
    typ(&mut s, "v");
    let fx = update(&mut s, code(KeyCode::Enter));
    let (second, _) =
        find(&fx, |r| matches!(r, Request::PersonByEmail { .. })).expect("second lookup");
    ev(
        &mut s,
        WorkerEvent::PersonFound {
            id: first,
            person: Some(person(9, "Old", "Answer", "kj@nasa.gov", "", "")),
        },
    );
    assert!(
        s.people.search.index.by_id(9).is_none(),
        "an answer to the older lookup is ignored"
    );
    let kj = person(
        10,
        "Katherine",
        "Johnson",
        "kj@nasa.gov",
        "NASA",
        "Mathematician",
    );
    ev(
        &mut s,
        WorkerEvent::PersonFound {
            id: second,
            person: Some(kj),
        },
    );
    let top = s
        .people
        .search
        .hits
        .hits
        .first()
        .and_then(|&i| s.people.search.index.get(i))
        .map(|e| e.id);
    assert_eq!(top, Some(10), "the exact match is first");
}

/// The start's walk, two pages' worth of people (the entries the worker puts in
/// its own index too), and the walk's id.
fn walked() -> (sltui::tui::state::AppState, u64, Vec<Arc<PersonEntry>>) {
    let mut s = state();
    let fx = sltui::tui::update::init(&mut s);
    let (walk, _) = find(&fx, |r| *r == Request::IndexPeople).expect("the start walks people");
    let pages = sltui::worker::shared_entries(&[
        person(501, "Ada", "Lovelace", "ada@x.io", "Analytical", "Engineer"),
        person(
            502,
            "Grace",
            "Hopper",
            "grace@navy.mil",
            "US Navy",
            "Admiral",
        ),
    ]);
    ev(
        &mut s,
        WorkerEvent::PeopleBatch {
            id: walk,
            people: pages.clone(),
        },
    );
    (s, walk, pages)
}

/// The end of the walk `walk` of `pages`, with the worker's index of them.
fn hand_over(s: &mut sltui::tui::state::AppState, walk: u64, pages: &[Arc<PersonEntry>]) {
    let index = Some(prepared(pages));
    ev(
        s,
        WorkerEvent::PeopleIndexed {
            id: walk,
            total: pages.len(),
            index,
        },
    );
}

/// The worker's index of the walk's pages: the same entries, laid out.
fn prepared(people: &[Arc<PersonEntry>]) -> Box<PeopleIndex> {
    let mut index = PeopleIndex::default();
    for e in people {
        index.upsert(e.clone());
    }
    index.prepare();
    Box::new(index)
}

#[test]
fn the_walks_pages_are_shared_with_the_workers_index_not_copied() {
    let (mut s, walk, pages) = walked();
    // The pages so far: the worker's entries themselves, searchable.
    let index = &s.people.search.index;
    assert_eq!(index.len(), 2);
    for (kept, page) in index.entries().iter().zip(&pages) {
        assert!(Arc::ptr_eq(kept, page), "{} copied", page.name);
    }
    act(&mut s, Action::View2);
    act(&mut s, Action::Filter);
    typ(&mut s, "lovelace");
    assert_eq!(s.people.search.hits.total, 1);
    // After the swap, the worker's index holds the same entries again.
    hand_over(&mut s, walk, &pages);
    let index = &s.people.search.index;
    assert!(
        index
            .entries()
            .iter()
            .zip(&pages)
            .all(|(a, b)| Arc::ptr_eq(a, b))
    );
    assert_eq!(s.people.search.hits.total, 1);
}

#[test]
fn the_workers_prepared_index_is_swapped_in_not_rebuilt_here() {
    let (mut s, walk, pages) = walked();
    let built = prepared(&pages);
    let worker_bytes = built.get(1).unwrap().name.as_ptr();
    ev(
        &mut s,
        WorkerEvent::PeopleIndexed {
            id: walk,
            total: 2,
            index: Some(built),
        },
    );
    // The worker's own entries, not copies: the handler laid nothing out.
    let index = &s.people.search.index;
    assert_eq!(index.get(1).unwrap().name.as_ptr(), worker_bytes);
    assert_eq!(index.len(), 2);
    assert_eq!(s.people.search.status, IndexStatus::Done { total: 2 });
    act(&mut s, Action::View2);
    act(&mut s, Action::Filter);
    typ(&mut s, "hopper");
    let hits = s.people.search.hits.hits.iter();
    let names: Vec<_> = hits
        .map(|&i| s.people.search.index.get(i).unwrap().name.clone())
        .collect();
    assert_eq!(names, vec!["Grace Hopper"]);
}

#[test]
fn people_only_the_dashboard_knows_stay_when_the_workers_index_arrives() {
    let (mut s, walk, pages) = walked();
    // A person's detail read during the walk (not on its pages), and a newer
    // title for Ada than her page had.
    for p in [
        person(777, "Katherine", "Johnson", "kj@nasa.gov", "NASA", ""),
        person(501, "Ada", "Lovelace", "ada@x.io", "Analytical", "Countess"),
    ] {
        ev(
            &mut s,
            WorkerEvent::PersonDetail {
                id: 0,
                person: p,
                memberships: vec![],
            },
        );
    }
    hand_over(&mut s, walk, &pages);
    let index = &s.people.search.index;
    assert_eq!(index.len(), 3);
    assert!(index.by_id(777).is_some(), "the looked-up person stays");
    assert_eq!(
        index.by_id(501).unwrap().title,
        "Countess",
        "the newest entry wins"
    );
    assert_eq!(s.people.search.status, IndexStatus::Done { total: 3 });
}

/// People the local store's sync brought, told to `update` as the worker does.
fn stored_people(s: &mut sltui::tui::state::AppState, people: Vec<sltui::store::PersonRow>) {
    let changes = sltui::store::start::Changes {
        people,
        facts: Vec::new(),
    };
    ev(
        s,
        WorkerEvent::Store(sltui::tui::update::stored::StoreEvent::Changed(Box::new(
            changes,
        ))),
    );
}

/// The header line of the people table and the row showing `name`.
fn people_lines(s: &sltui::tui::state::AppState, width: u16, name: &str) -> (String, String) {
    let text = screen_text(s, width, 24);
    let header = text
        .lines()
        .find(|l| l.contains("Email"))
        .unwrap()
        .to_string();
    let row = text.lines().find(|l| l.contains(name)).unwrap().to_string();
    (header, row)
}

#[test]
fn the_id_column_is_exactly_as_wide_as_the_longest_id() {
    let mut s = loaded();
    stored_people(
        &mut s,
        vec![sltui::store::PersonRow {
            id: 103_358_225,
            name: "Joan Simmons".into(),
            email: "joan@tidalcore.io".into(),
            company: "Tidalcore".into(),
            title: "Founder".into(),
        }],
    );
    act(&mut s, Action::View2);
    act(&mut s, Action::Filter);
    typ(&mut s, "a");
    update(&mut s, code(KeyCode::Enter));
    act(&mut s, Action::ToggleIds);
    for width in [80, 120] {
        let (header, row) = people_lines(&s, width, "Joan Simmons");
        let col = |line: &str, needle: &str| line[..line.find(needle).unwrap()].chars().count();
        // The border, the marker's cell (2), one space: the id; then the
        // 9 digits and one space: the name. Nothing wider.
        assert_eq!(col(&header, "ID"), 4, "{header}");
        assert_eq!(col(&row, "103358225"), 4, "{row}");
        assert_eq!(col(&header, "Name"), 4 + 9 + 1, "{header}");
        assert_eq!(col(&row, "Joan Simmons"), 4 + 9 + 1, "{row}");
        // A shorter id starts where the longest does.
        let (_, ada) = people_lines(&s, width, "Ada Lovelace");
        assert_eq!(col(&ada, "501"), 4, "{ada}");
    }
    // Selected and marked: the marker and the mark share the first cell.
    act(&mut s, Action::Mark);
    act(&mut s, Action::Up);
    let text = screen_text(&s, 80, 24);
    let first = text.lines().find(|l| l.starts_with("│▶")).unwrap();
    assert!(first.starts_with("│▶● "), "{text}");
}

#[test]
fn the_count_says_when_the_table_lists_only_the_best_matches() {
    let mut s = loaded();
    let zeds = (0..250u64)
        .map(|i| sltui::store::PersonRow {
            id: 10_000 + i,
            name: format!("Zed Person{i}"),
            email: format!("zed{i}@example.com"),
            company: "Zedcorp".into(),
            title: "Analyst".into(),
        })
        .collect();
    stored_people(&mut s, zeds);
    act(&mut s, Action::View2);
    act(&mut s, Action::Filter);
    typ(&mut s, "zed");
    update(&mut s, code(KeyCode::Enter));
    assert_eq!(s.people.search.hits.hits.len(), 200);
    let text = screen_text(&s, 80, 24);
    assert!(text.contains("best 200 of 250 matches"), "{text}");
    // Fewer than the table holds: the plain count.
    act(&mut s, Action::Filter);
    typ(&mut s, " person7");
    update(&mut s, code(KeyCode::Enter));
    let n = s.people.search.hits.total;
    assert!(n < 200 && n > 0, "{n}");
    assert!(
        screen_text(&s, 80, 24).contains(&format!("{n} matches")),
        "{n}"
    );
}

#[test]
fn a_wide_name_is_cut_to_its_column_with_the_ellipsis() {
    let mut s = loaded();
    // 22 Han characters: 44 columns.
    let name = format!("欧阳{}", "娜".repeat(20));
    stored_people(
        &mut s,
        vec![sltui::store::PersonRow {
            id: 900,
            name: name.clone(),
            email: "nana@example.cn".into(),
            company: "北京有限公司".repeat(4),
            title: "经理".into(),
        }],
    );
    act(&mut s, Action::View2);
    act(&mut s, Action::Filter);
    typ(&mut s, "nana");
    update(&mut s, code(KeyCode::Enter));
    let buf = render_buffer(&s, 80, 24);
    // Where `word` starts on row `y`, in columns (a wide character's second
    // column is a cell of its own).
    let starts = |y: u16, word: &str| {
        let first = word.chars().next().unwrap().to_string();
        (0..buf.area.width).find(|&x| {
            buf[(x, y)].symbol() == first
                && word.chars().enumerate().all(|(i, c)| {
                    x + (i as u16) < buf.area.width
                        && buf[(x + i as u16, y)].symbol() == c.to_string()
                })
        })
    };
    let header = (0..24).find(|&y| starts(y, "Email").is_some()).unwrap();
    let row = (0..24).find(|&y| starts(y, "nana@").is_some()).unwrap();
    let email_at = starts(header, "Email").unwrap();
    assert_eq!(starts(row, "nana@"), Some(email_at));
    let name_at = (0..email_at)
        .find(|&x| buf[(x, row)].symbol() == "欧")
        .expect("the name is shown");
    let cells: Vec<&str> = (name_at..email_at)
        .map(|x| buf[(x, row)].symbol())
        .collect();
    assert!(
        cells.contains(&"…"),
        "the cut name ends with … in its own column: {cells:?}"
    );
    let text = buffer_lines(&buf)[row as usize].clone();
    assert!(
        text.matches('…').count() >= 2,
        "the company is cut too: {text}"
    );
}
