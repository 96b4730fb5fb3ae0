//! The people index is laid out again by the worker, not by `update`: a person
//! deleted, the stored people merged into a filled index, a person a sync
//! changed. Each handler sends `LayOutPeople` and leaves the index shown as it
//! was (still searchable); the worker's laid-out index is then swapped in as it
//! is (its own entries, not copies), and an answer nobody waits for is dropped.
//! The people are handed to the worker and back shared, not copied.

mod tui_support;

use std::sync::Arc;

use sltui::config::keymap::Action;
use sltui::metrics::{Aggregator, TimeRange};
use sltui::search::{PeopleIndex, PersonEntry, TakenLayout};
use sltui::store::PersonRow;
use sltui::store::start::{Changes, Rest};
use sltui::tui::msg::{Effect, Msg};
use sltui::tui::state::{AppState, IndexStatus};
use sltui::tui::update::stored::StoreEvent;
use sltui::tui::update::update;
use sltui::worker::{LayoutBase, PeopleLayout, Request, WorkerEvent};
use tui_support::*;

/// A dashboard whose walk listed Ada, Grace and Alan, searching "a".
fn searched() -> AppState {
    let mut s = loaded();
    act(&mut s, Action::View2);
    act(&mut s, Action::Filter);
    typ(&mut s, "a");
    assert_eq!(s.people.search.index.len(), 3);
    s
}

/// The one `LayOutPeople` among `fx`: its id and what it asks for.
fn layout_asked(fx: &[Effect]) -> (u64, PeopleLayout) {
    let mut asked = fx.iter().filter_map(|e| match e {
        Effect::Send {
            id,
            request: Request::LayOutPeople { layout },
            ..
        } => Some((*id, layout.take().expect("not taken yet"))),
        _ => None,
    });
    let one = asked.next().expect("the index goes to the worker");
    assert!(asked.next().is_none(), "one layout asked");
    one
}

/// What the worker answers: the laid-out index, and where one of its names
/// lives in memory (to tell it from a copy).
fn answer(s: &mut AppState, id: u64, layout: PeopleLayout) -> *const u8 {
    let index = Box::new(sltui::worker::lay_out(layout));
    let name = index.get(0).expect("someone").name.as_ptr();
    let fx = update(s, Msg::Worker(WorkerEvent::PeopleLaidOut { id, index }));
    assert!(fx.iter().all(|e| e.request().is_none()), "{fx:?}");
    name
}

fn names_shown(s: &AppState) -> Vec<String> {
    let search = &s.people.search;
    let hits = search.hits.hits.iter();
    hits.map(|&i| search.index.get(i).unwrap().name.clone())
        .collect()
}

fn row(id: u64, name: &str, title: &str) -> PersonRow {
    PersonRow {
        id,
        name: name.into(),
        email: format!("{id}@example.com"),
        company: "Example".into(),
        title: title.into(),
    }
}

#[test]
fn a_deleted_person_is_laid_out_by_the_worker_and_hidden_until_then() {
    let mut s = searched();
    let fx = update(
        &mut s,
        Msg::Worker(WorkerEvent::PeopleDeleted { ids: vec![501] }),
    );
    let (id, layout) = layout_asked(&fx);
    // Not rebuilt here: Ada is still in the index shown, but not in the results.
    assert_eq!(s.people.search.index.len(), 3);
    assert!(s.people.search.index.by_id(501).is_some());
    assert!(!names_shown(&s).contains(&"Ada Lovelace".to_string()));
    assert!(!names_shown(&s).is_empty(), "the search still answers");
    let worker_name = answer(&mut s, id, layout);
    let index = &s.people.search.index;
    assert_eq!(index.len(), 2);
    assert!(index.by_id(501).is_none());
    assert_eq!(index.get(0).unwrap().name.as_ptr(), worker_name);
    assert!(s.people.search.relayout.is_none());
}

#[test]
fn a_relayout_hands_the_people_over_without_copying_them() {
    let mut s = searched();
    let before: Vec<Arc<PersonEntry>> = s.people.search.index.entries().to_vec();
    let fx = update(
        &mut s,
        Msg::Worker(WorkerEvent::PeopleDeleted { ids: vec![501] }),
    );
    let (id, layout) = layout_asked(&fx);
    let LayoutBase::Entries(handed) = &layout.base else {
        panic!("the index shown is the base: {:?}", layout.base);
    };
    assert_eq!(handed.len(), before.len());
    assert!(
        std::ptr::eq(handed.as_ptr(), s.people.search.index.entries().as_ptr()),
        "the list itself is handed over, not a copy of its pointers"
    );
    for (sent, shown) in handed.iter().zip(&before) {
        assert!(Arc::ptr_eq(sent, shown), "{} was copied", shown.name);
    }
    answer(&mut s, id, layout);
    let index = &s.people.search.index;
    for kept in before.iter().filter(|e| e.id != 501) {
        let pos = index.position(kept.id).expect("still indexed");
        assert!(Arc::ptr_eq(&index.entries()[pos], kept), "{}", kept.name);
    }
}

#[test]
fn the_replaced_index_is_freed_by_the_loop_not_by_update() {
    let mut s = searched();
    let fx = update(
        &mut s,
        Msg::Worker(WorkerEvent::PeopleDeleted { ids: vec![501] }),
    );
    let (id, layout) = layout_asked(&fx);
    let index = Box::new(sltui::worker::lay_out(layout));
    let fx = update(
        &mut s,
        Msg::Worker(WorkerEvent::PeopleLaidOut { id, index }),
    );
    let freed: Vec<_> = fx
        .iter()
        .filter_map(|e| match e {
            Effect::Free(value) => value.take(),
            _ => None,
        })
        .collect();
    assert_eq!(freed.len(), 1, "{fx:?}");
    let old = freed[0]
        .downcast_ref::<PeopleIndex>()
        .expect("the index shown before");
    assert_eq!(old.len(), 3);
    assert!(old.by_id(501).is_some());
}

/// The store's people read after the first frame: `many` people (ids from
/// 10,000), as the worker's index.
fn stored_loaded(s: &mut AppState, many: u64) -> (Vec<Effect>, Arc<PersonEntry>) {
    let wall = s.clock.wall;
    let mut stored = PeopleIndex::default();
    for id in 0..many {
        stored.upsert(PersonEntry {
            id: 10_000 + id,
            name: format!("Stored Person {id}"),
            ..PersonEntry::default()
        });
    }
    stored.prepare();
    let first_stored = Arc::clone(&stored.entries()[0]);
    let rest = Rest {
        people: Vec::new(),
        agg: Aggregator::new(TimeRange::All, wall),
        index: Some(stored),
    };
    let fx = update(
        s,
        Msg::Worker(WorkerEvent::Store(StoreEvent::Loaded(Ok(Box::new(rest))))),
    );
    (fx, first_stored)
}

#[test]
fn stored_people_joining_a_filled_index_are_laid_out_by_the_worker() {
    let mut s = searched();
    let many = 1_500u64;
    let (fx, first_stored) = stored_loaded(&mut s, many);
    let (id, layout) = layout_asked(&fx);
    assert_eq!(s.people.search.index.len(), 3, "not merged here");
    let worker_name = answer(&mut s, id, layout);
    let index = &s.people.search.index;
    assert_eq!(index.len(), 3 + many as usize);
    assert_eq!(index.get(0).unwrap().name.as_ptr(), worker_name);
    // The walk's people keep their place, the stored ones follow.
    assert_eq!(index.get(0).unwrap().id, 501);
    assert_eq!(index.get(3).unwrap().id, 10_000);
    assert!(
        Arc::ptr_eq(&index.entries()[3], &first_stored),
        "a stored person joins without a copy"
    );
}

#[test]
fn a_stored_person_deleted_while_the_worker_lays_them_out_stays_out() {
    let mut s = searched();
    let (fx, _) = stored_loaded(&mut s, 1_500);
    let (first, layout) = layout_asked(&fx);
    // Not shown yet, but among the people on their way: the removal waits.
    let fx = update(
        &mut s,
        Msg::Worker(WorkerEvent::PeopleDeleted {
            ids: vec![10_005, 999_999],
        }),
    );
    assert!(fx.iter().all(|e| e.request().is_none()), "{fx:?}");
    let index = Box::new(sltui::worker::lay_out(layout));
    assert!(index.by_id(10_005).is_some(), "laid out before the removal");
    let fx = update(
        &mut s,
        Msg::Worker(WorkerEvent::PeopleLaidOut { id: first, index }),
    );
    let (second, layout) = layout_asked(&fx);
    answer(&mut s, second, layout);
    let index = &s.people.search.index;
    assert!(index.by_id(10_005).is_none());
    assert_eq!(index.len(), 3 + 1_500 - 1);
}

#[test]
fn a_person_a_sync_changed_is_laid_out_by_the_worker() {
    let mut s = searched();
    let changes = Changes {
        people: vec![
            row(503, "Alan Turing", "Codebreaker"),
            row(900, "New Person", ""),
        ],
        facts: Vec::new(),
    };
    let fx = update(
        &mut s,
        Msg::Worker(WorkerEvent::Store(StoreEvent::Changed(Box::new(changes)))),
    );
    let (id, layout) = layout_asked(&fx);
    // A new person joins here (cheap); the changed one waits for the worker.
    let index = &s.people.search.index;
    assert_eq!(index.len(), 4);
    assert_eq!(index.by_id(503).unwrap().title, "Cryptanalyst");
    let worker_name = answer(&mut s, id, layout);
    let index = &s.people.search.index;
    assert_eq!(index.get(0).unwrap().name.as_ptr(), worker_name);
    assert_eq!(index.by_id(503).unwrap().title, "Codebreaker");
    assert_eq!(
        index.len(),
        4,
        "the new person is on the laid-out index too"
    );
}

#[test]
fn changes_while_the_worker_lays_out_go_on_top_and_a_stale_answer_is_dropped() {
    let mut s = searched();
    let fx = update(
        &mut s,
        Msg::Worker(WorkerEvent::PeopleDeleted { ids: vec![501] }),
    );
    let (first, layout) = layout_asked(&fx);
    // Grace is deleted too before the answer: no second request yet.
    let fx = update(
        &mut s,
        Msg::Worker(WorkerEvent::PeopleDeleted { ids: vec![502] }),
    );
    assert!(fx.iter().all(|e| e.request().is_none()), "{fx:?}");
    assert_eq!(names_shown(&s), vec!["Alan Turing".to_string()]);
    // The first answer lacks Grace's removal: it is swapped in and her removal
    // goes to the worker again.
    let index = Box::new(sltui::worker::lay_out(layout));
    let fx = update(
        &mut s,
        Msg::Worker(WorkerEvent::PeopleLaidOut { id: first, index }),
    );
    let (second, layout) = layout_asked(&fx);
    assert_eq!(s.people.search.index.len(), 2);
    assert_eq!(names_shown(&s), vec!["Alan Turing".to_string()]);
    // An answer to the first request again (late, duplicated) is dropped.
    let stale = Box::new(PeopleIndex::default());
    ev(
        &mut s,
        WorkerEvent::PeopleLaidOut {
            id: first,
            index: stale,
        },
    );
    assert_eq!(s.people.search.index.len(), 2);
    answer(&mut s, second, layout);
    assert_eq!(s.people.search.index.len(), 1);
    assert_eq!(names_shown(&s), vec!["Alan Turing".to_string()]);
}

/// A walk's pages of `k`.. `k + pages` into the index: 100 people each, all
/// matching "a".
fn pages(s: &mut AppState, walk: u64, from: u64, to: u64) -> Vec<Effect> {
    let mut fx = Vec::new();
    for k in from..to {
        let people: Vec<_> = (0..100)
            .map(|i| {
                let id = 10_000 + k * 100 + i;
                person(id, "Ada", &format!("Byron{id}"), "", "", "")
            })
            .collect();
        let batch = WorkerEvent::PeopleBatch {
            id: walk,
            people: sltui::worker::shared_entries(&people),
        };
        fx.extend(update(s, Msg::Worker(batch)));
    }
    fx
}

/// A dashboard at its start, searching "byron1" before the people walk (the
/// walk's id) brings anyone.
fn searching_before_the_walk() -> (AppState, u64) {
    let mut s = state();
    let fx = sltui::tui::update::init(&mut s);
    let (walk, _) = find(&fx, |r| matches!(r, Request::IndexPeople)).expect("the walk");
    act(&mut s, Action::View2);
    act(&mut s, Action::Filter);
    typ(&mut s, "byron1");
    (s, walk)
}

#[test]
fn a_search_over_more_people_than_the_ui_lays_out_waits_for_the_worker() {
    let (mut s, walk) = searching_before_the_walk();
    // Up to LAY_OUT_HERE people (1,000) the search lays them out itself.
    let fx = pages(&mut s, walk, 0, 10);
    assert!(find(&fx, |r| matches!(r, Request::LayOutPeople { .. })).is_none());
    assert_eq!(s.people.search.index.layout_work(), 0);
    let shown = s.people.search.hits.clone();
    assert!(!shown.hits.is_empty());
    // One page more and the whole layout goes to the worker: the results wait.
    let fx = pages(&mut s, walk, 10, 11);
    let (id, layout) = layout_asked(&fx);
    assert!(matches!(layout.base, LayoutBase::Entries(_)));
    assert_eq!(s.people.search.index.len(), 1_100);
    assert!(
        s.people.search.index.layout_work() > 1_000,
        "not laid out here"
    );
    assert_eq!(s.people.search.hits, shown, "the earlier results stay");
    let screen = screen_text(&s, 120, 40);
    assert!(screen.contains("laying out for the search"), "{screen}");
    // A page meanwhile joins the index shown, and no second layout is asked.
    let fx = pages(&mut s, walk, 11, 12);
    assert!(find(&fx, |r| matches!(r, Request::LayOutPeople { .. })).is_none());
    // The answer is swapped in; the pages since are few enough to add here.
    let index = Box::new(sltui::worker::lay_out(layout));
    let fx = update(
        &mut s,
        Msg::Worker(WorkerEvent::PeopleLaidOut { id, index }),
    );
    assert!(find(&fx, |r| matches!(r, Request::LayOutPeople { .. })).is_none());
    assert_eq!(s.people.search.index.len(), 1_200);
    assert_eq!(s.people.search.index.layout_work(), 0);
    answers_as_a_fresh_index(&s, "byron1");
    assert!(!screen_text(&s, 120, 40).contains("laying out for the search"));
}

/// The results shown for `query` are a fresh index's of the same people.
fn answers_as_a_fresh_index(s: &AppState, query: &str) {
    let mut fresh = PeopleIndex::default();
    for e in s.people.search.index.entries() {
        fresh.upsert(e.clone());
    }
    let want = fresh.search(query, sltui::tui::state::SEARCH_LIMIT);
    assert!(!want.hits.is_empty(), "{query:?} finds people");
    assert_eq!(s.people.search.hits.total, want.total);
    assert_eq!(s.people.search.hits.hits, want.hits);
}

/// The end of the walk `walk`: the worker's index of the people shown (the
/// same entries, in the same order), not laid out, as a walk sends it.
fn walk_ends(s: &mut AppState, walk: u64) -> Vec<Effect> {
    let mut built = PeopleIndex::default();
    for e in s.people.search.index.entries() {
        built.upsert(e.clone());
    }
    let total = built.len();
    let index = Some(Box::new(built));
    update(
        s,
        Msg::Worker(WorkerEvent::PeopleIndexed {
            id: walk,
            total,
            index,
        }),
    )
}

#[test]
fn the_index_shown_frees_its_stale_layout_while_the_worker_lays_out_the_next() {
    let (mut s, walk) = searching_before_the_walk();
    pages(&mut s, walk, 0, 10);
    let fx = pages(&mut s, walk, 10, 11);
    let (id, layout) = layout_asked(&fx);
    // Its searches wait for the worker's layout: what they built is let go
    // (off the UI task), not held beside the layout being built.
    let taken = fx.iter().filter_map(|e| match e {
        Effect::Free(value) => value.take(),
        _ => None,
    });
    let taken: Vec<_> = taken.filter(|v| v.is::<TakenLayout>()).collect();
    assert_eq!(taken.len(), 1, "the stale layout freed");
    assert_eq!(s.people.search.index.layout_work(), 1_100);
    assert!(!s.people.search.hits.hits.is_empty(), "the results stay");
    answer(&mut s, id, layout);
    assert_eq!(s.people.search.index.layout_work(), 0);
    answers_as_a_fresh_index(&s, "byron1");
}

#[test]
fn a_search_during_the_walk_keeps_its_laid_out_index_at_the_hand_over() {
    let (mut s, walk) = searching_before_the_walk();
    let fx = pages(&mut s, walk, 0, 11);
    let (id, layout) = layout_asked(&fx);
    answer(&mut s, id, layout);
    // A page after the worker's layout is laid out here.
    pages(&mut s, walk, 11, 12);
    assert_eq!(s.people.search.index.layout_work(), 0);
    let shown = s.people.search.index.share();
    let fx = walk_ends(&mut s, walk);
    // The worker's index holds the same people: dropped (off the UI task), not
    // laid out a second time beside the one shown.
    assert!(fx.iter().all(|e| e.request().is_none()), "{fx:?}");
    assert!(fx.iter().any(|e| matches!(e, Effect::Free(_))));
    assert!(Arc::ptr_eq(&s.people.search.index.share(), &shown));
    assert_eq!(s.people.search.status, IndexStatus::Done { total: 1_200 });
    answers_as_a_fresh_index(&s, "byron1");
}

#[test]
fn a_walk_nobody_searched_has_the_worker_lay_its_index_out_at_the_hand_over() {
    let mut s = state();
    let fx = sltui::tui::update::init(&mut s);
    let (walk, _) = find(&fx, |r| matches!(r, Request::IndexPeople)).expect("the walk");
    pages(&mut s, walk, 0, 12);
    assert_eq!(s.people.search.index.layout_work(), 1_200, "never searched");
    let fx = walk_ends(&mut s, walk);
    let (id, layout) = layout_asked(&fx);
    let LayoutBase::Index(built) = &layout.base else {
        panic!("the worker's own index goes back to it");
    };
    let built_entries = built.share();
    answer(&mut s, id, layout);
    let index = &s.people.search.index;
    assert!(Arc::ptr_eq(&index.share(), &built_entries), "swapped in");
    assert_eq!(index.layout_work(), 0, "laid out before the first search");
    assert_eq!(s.people.search.status, IndexStatus::Done { total: 1_200 });
    act(&mut s, Action::View2);
    act(&mut s, Action::Filter);
    typ(&mut s, "byron1");
    answers_as_a_fresh_index(&s, "byron1");
}

#[test]
fn a_failed_layout_is_done_here_once_so_the_search_answers() {
    let (mut s, walk) = searching_before_the_walk();
    let fx = pages(&mut s, walk, 0, 12);
    let (id, _) = layout_asked(&fx);
    let fx = update(
        &mut s,
        Msg::Worker(WorkerEvent::Finished {
            id,
            error: Some("laying out the people index stopped: panicked".into()),
        }),
    );
    assert!(find(&fx, |r| matches!(r, Request::LayOutPeople { .. })).is_none());
    assert_eq!(s.people.search.index.layout_work(), 0);
    assert_eq!(s.people.search.hits.total, 1_200, "every Byron1… matches");
}
