//! Times the work the UI task does when the worker's people and stored facts
//! arrive, through the real `update` (the handlers a frame waits for):
//! `cargo bench --bench ui_task -- [people] [emails]`
//! (100,000 distinct people and 1,000,000 emails by default). Where the index is
//! laid out again, it prints the UI task's part, the worker's (off the UI task)
//! and, side by side, what laying it out on the UI task (as before) costs.
//! Prints figures; asserts nothing about time.

use std::time::{Duration, Instant};

use chrono::{TimeZone, Utc};
use serde_json::json;

use crossterm::event::{KeyCode, KeyEvent};
use sltui::api::models::Person;
use sltui::config::keymap::{Action, Keymap};
use sltui::metrics::{Aggregator, EmailFact, TimeRange};
use sltui::search::{PeopleIndex, PersonEntry};
use sltui::store::DashboardData;
use sltui::store::PersonRow;
use sltui::store::start::{Changes, Coverage, Rest, StoreLoad, Stored};
use sltui::tui::msg::Effect;
use sltui::tui::msg::Msg;
use sltui::tui::state::{AppState, Clock, SEARCH_LIMIT, Session};
use sltui::tui::style::Styles;
use sltui::tui::update::{init, update};
use sltui::worker::WorkerEvent;
use sltui::worker::store_sync::StoreEvent;
use sltui::worker::{Request, lay_out};

const SYLLABLES: [&str; 16] = [
    "ka", "lo", "mi", "ne", "su", "ta", "ri", "vo", "be", "da", "fu", "go", "hé", "jö", "zu", "ña",
];

/// A distinct name per `i` (accents in the mix).
fn name(i: usize) -> (String, String) {
    let mut first = String::new();
    let mut last = String::new();
    let mut n = i;
    for k in 0..5 {
        let s = SYLLABLES[n % 16];
        n /= 16;
        if k < 2 {
            first.push_str(s)
        } else {
            last.push_str(s)
        }
    }
    (first, last)
}

fn person(i: usize) -> Person {
    let (first, last) = name(i);
    serde_json::from_value(json!({
        "id": i + 1, "created_at": "2024-05-01T10:00:00Z", "updated_at": "2024-05-01T10:00:00Z",
        "first_name": first, "last_name": last, "display_name": format!("{first} {last}"),
        "email_address": format!("{first}.{last}{i}@example.com"),
        "person_company_name": format!("Company {}", i % 997), "title": "Buyer",
    }))
    .expect("person json")
}

fn row(p: &Person) -> PersonRow {
    PersonRow {
        id: p.id,
        name: p.label(),
        email: p.email_address.clone().unwrap_or_default(),
        company: p.person_company_name.clone().unwrap_or_default(),
        title: p.title.clone().unwrap_or_default(),
    }
}

fn fact(i: usize) -> EmailFact {
    let at = Utc.with_ymd_and_hms(2024, 5, 20, 12, 0, 0).unwrap();
    let sent_at = at - chrono::Duration::hours((i % (24 * 120)) as i64);
    EmailFact {
        email_id: i as u64 + 1,
        cadence_id: Some((i % 40) as u64 + 1),
        step_id: Some((i % 200) as u64 + 1),
        sent: true,
        bounced: i.is_multiple_of(50),
        viewed: i.is_multiple_of(3),
        clicked: i.is_multiple_of(11),
        replied: i.is_multiple_of(17),
        view_tracked: true,
        click_tracked: true,
        template_id: None,
        person_id: Some((i % 100_000) as u64 + 1),
        sent_at: Some(sent_at),
        updated_at: sent_at,
    }
}

fn state() -> AppState {
    let session = Session {
        profile_label: "DEMO".into(),
        demo: true,
        read_only: false,
        refresh_secs: 5,
        reserve: 0.2,
        confirm_above: None,
        has_store: true,
        mouse: false,
    };
    let clock = Clock {
        now: Instant::now(),
        wall: Utc.with_ymd_and_hms(2024, 5, 20, 12, 0, 0).unwrap(),
    };
    AppState::new(
        session,
        Keymap::default(),
        Styles::plain(),
        TimeRange::Days(30),
        clock,
    )
}

/// The store's first frame, as the dashboard's start reads it: the range's
/// totals (none here) stand until the stored facts arrive.
fn first_frame(state: &mut AppState) {
    let stored = Stored {
        data: DashboardData::default(),
        range: TimeRange::Days(30),
        totals: Default::default(),
        coverage: Coverage::default(),
    };
    let load = StoreLoad::Loaded(Box::new(stored));
    let _ = update(state, Msg::Stored(Box::new(load)));
}

/// The dashboard's start, as the loop runs it: the id of the people walk it asks for.
fn start_walk(state: &mut AppState) -> u64 {
    init(state)
        .iter()
        .find_map(|fx| match fx {
            Effect::Send {
                id,
                request: Request::IndexPeople,
                ..
            } => Some(*id),
            _ => None,
        })
        .expect("the start asks for the people index")
}

fn timed(state: &mut AppState, event: WorkerEvent) -> Duration {
    timed_fx(state, event).0
}

/// The handler's time, and its effects (dropped off the clock, as the loop
/// hands them on: a layout asked for carries the people, a value to free the
/// replaced index or facts).
fn timed_fx(state: &mut AppState, event: WorkerEvent) -> (Duration, Vec<Effect>) {
    let start = Instant::now();
    let fx = update(state, Msg::Worker(event));
    (start.elapsed(), fx)
}

/// Carries out the `LayOutPeople` among `fx` as the worker does: the worker's
/// time (off the UI task), then the UI's for swapping the answer in.
fn worker_layout(state: &mut AppState, fx: Vec<Effect>) -> Option<(Duration, Duration)> {
    for effect in fx {
        if let Effect::Send {
            id,
            request: Request::LayOutPeople { layout },
            ..
        } = effect
        {
            let layout = layout.take()?;
            let start = Instant::now();
            let index = Box::new(lay_out(layout));
            let worker = start.elapsed();
            let swap = timed(state, WorkerEvent::PeopleLaidOut { id, index });
            return Some((worker, swap));
        }
    }
    None
}

/// What a handler cost on the UI task and what moved to the worker.
fn report(what: &str, ui: Duration, layout: Option<(Duration, Duration)>, before: Duration) {
    match layout {
        Some((worker, swap)) => println!(
            "{what}: {} on the UI task, then {} to swap the worker's index in \
             (the worker laid it out in {}; laid out on the UI task before: {})",
            ms(ui),
            ms(swap),
            ms(worker),
            ms(before)
        ),
        None => println!(
            "{what}: {} on the UI task, nothing laid out (laid out on the UI task before: {})",
            ms(ui),
            ms(before)
        ),
    }
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

fn full_agg(emails: usize) -> Aggregator {
    let wall = Utc.with_ymd_and_hms(2024, 5, 20, 12, 0, 0).unwrap();
    let mut agg = Aggregator::new(TimeRange::All, wall);
    agg.reserve(emails);
    for i in 0..emails {
        agg.upsert(fact(i));
    }
    agg
}

fn prepared(people: &[Person]) -> PeopleIndex {
    let mut index = PeopleIndex::default();
    for p in people {
        let r = row(p);
        index.upsert(PersonEntry {
            id: r.id,
            name: r.name,
            email: r.email,
            company: r.company,
            title: r.title,
        });
    }
    index.prepare();
    index
}

fn main() {
    // `cargo bench` passes `--bench`: only numbers are sizes.
    let mut args = std::env::args().skip(1).filter(|a| !a.starts_with("--"));
    let n: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(100_000);
    let emails: usize = args
        .next()
        .and_then(|a| a.parse().ok())
        .unwrap_or(1_000_000);
    println!("{n} distinct people, {emails} emails; times are the UI task's, per event");
    let people: Vec<Person> = (0..n).map(person).collect();

    // The live walk: pages of 100, then the end of the walk, twice: the UI
    // laying the index out itself (as before), and taking the worker's.
    let walk = |s: &mut AppState| {
        // The dashboard's start asks for the walk.
        let id = start_walk(s);
        let mut batches = Duration::ZERO;
        for page in people.chunks(100) {
            let batch = WorkerEvent::PeopleBatch {
                id,
                people: sltui::worker::shared_entries(page),
            };
            batches += timed(s, batch);
        }
        (id, batches)
    };
    let mut s = state();
    let (id, batches) = walk(&mut s);
    let pages = n.div_ceil(100).max(1);
    println!(
        "PeopleBatch x{pages} (all pages): {}, {:.2} ms a page of 100",
        ms(batches),
        batches.as_secs_f64() * 1000.0 / pages as f64
    );
    let indexed = WorkerEvent::PeopleIndexed {
        id,
        total: n,
        index: None,
    };
    // Without the worker's index (a walk that listed only changes; a walk from
    // the start always brings one): nothing is laid out on the event, and the
    // first search asks the worker to lay out the people the pages added (it
    // laid them out on the UI task until issue 12's sixth stop).
    let event = timed(&mut s, indexed);
    let _ = update(&mut s, Msg::Action(Action::View2));
    let _ = update(&mut s, Msg::Action(Action::Filter));
    let start = Instant::now();
    let fx = update(&mut s, Msg::Key(KeyEvent::from(KeyCode::Char('k'))));
    let key = start.elapsed();
    let before = {
        let mut index = PeopleIndex::default();
        for e in s.people.search.index.entries() {
            index.upsert(e.clone());
        }
        let start = Instant::now();
        index.search("k", SEARCH_LIMIT);
        start.elapsed()
    };
    let layout = worker_layout(&mut s, fx);
    println!(
        "PeopleIndexed without the worker's index: {} on the UI task",
        ms(event)
    );
    report(
        &format!("then the first search (lays out the {n} people the pages added)"),
        key,
        layout,
        before,
    );
    assert!(
        !s.people.search.hits.hits.is_empty(),
        "the laid-out index answered the search"
    );
    let mut s = state();
    let (id, _) = walk(&mut s);
    let start = Instant::now();
    let built = prepared(&people);
    let worker = start.elapsed();
    let indexed = WorkerEvent::PeopleIndexed {
        id,
        total: n,
        index: Some(Box::new(built)),
    };
    println!(
        "PeopleIndexed, the worker's index swapped in: {} (the worker built it in {})",
        ms(timed(&mut s, indexed)),
        ms(worker)
    );

    // A person deleted upstream (webhook). Before: removed and laid out again here.
    let before = {
        let mut index = prepared(&people);
        let start = Instant::now();
        index.remove(42);
        index.prepare();
        start.elapsed()
    };
    let (ui, fx) = timed_fx(&mut s, WorkerEvent::PeopleDeleted { ids: vec![42] });
    let layout = worker_layout(&mut s, fx);
    report("PeopleDeleted (1 person)", ui, layout, before);

    // Stored people and facts after the first frame (the worker built the index).
    let mut s = state();
    let wall = s.clock.wall;
    first_frame(&mut s);
    let rest = Rest {
        people: Vec::new(),
        agg: full_agg(emails),
        index: Some(prepared(&people)),
    };
    let loaded = WorkerEvent::Store(StoreEvent::Loaded(Ok(Box::new(rest))));
    println!(
        "Store Loaded (absorb {emails} facts, swap the index): {}",
        ms(timed(&mut s, loaded))
    );

    // The stored people after the walk filled the index with the first half
    // (its index laid out by the worker, as at the end of a walk): the other
    // half joins. Before: added and laid out here.
    let half = n / 2;
    let before = {
        let mut index = prepared(&people[..half]);
        let stored = prepared(&people);
        let start = Instant::now();
        for pos in 0..stored.len() {
            if let Some(e) = stored.get(pos)
                && index.by_id(e.id).is_none()
            {
                index.upsert(e.clone());
            }
        }
        index.prepare();
        start.elapsed()
    };
    let mut s2 = state();
    let id = start_walk(&mut s2);
    for page in people[..half].chunks(100) {
        let batch = WorkerEvent::PeopleBatch {
            id,
            people: sltui::worker::shared_entries(page),
        };
        timed(&mut s2, batch);
    }
    let indexed = WorkerEvent::PeopleIndexed {
        id,
        total: half,
        index: Some(Box::new(prepared(&people[..half]))),
    };
    timed(&mut s2, indexed);
    first_frame(&mut s2);
    let rest = Rest {
        people: Vec::new(),
        agg: Aggregator::new(TimeRange::All, wall),
        index: Some(prepared(&people)),
    };
    let loaded = WorkerEvent::Store(StoreEvent::Loaded(Ok(Box::new(rest))));
    let (ui, fx) = timed_fx(&mut s2, loaded);
    let layout = worker_layout(&mut s2, fx);
    report(
        &format!(
            "Store Loaded after a walk of {half} (merge {} stored people)",
            n - half
        ),
        ui,
        layout,
        before,
    );
    drop(s2);

    // A sync's changes: 100 people changed.
    let changes = Changes {
        people: people[..100]
            .iter()
            .map(|p| PersonRow {
                title: "Chief Buyer".into(),
                ..row(p)
            })
            .collect(),
        facts: (0..100).map(fact).collect(),
    };
    let before = {
        let mut index = prepared(&people);
        let start = Instant::now();
        for r in &changes.people {
            index.upsert(PersonEntry {
                id: r.id,
                name: r.name.clone(),
                email: r.email.clone(),
                company: r.company.clone(),
                title: r.title.clone(),
            });
        }
        index.prepare();
        start.elapsed()
    };
    let changed = WorkerEvent::Store(StoreEvent::Changed(Box::new(changes)));
    let (ui, fx) = timed_fx(&mut s, changed);
    let layout = worker_layout(&mut s, fx);
    report(
        "Store Changed (100 people changed, 100 facts)",
        ui,
        layout,
        before,
    );

    // Everything again (team database fell behind): replaces index and facts.
    let rest = Rest {
        people: Vec::new(),
        agg: full_agg(emails),
        index: Some(prepared(&people)),
    };
    let reloaded = WorkerEvent::Store(StoreEvent::Reloaded(Box::new(rest)));
    println!(
        "Store Reloaded (replace {emails} facts and the index): {}",
        ms(timed(&mut s, reloaded))
    );
}
