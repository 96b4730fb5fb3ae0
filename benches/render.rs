//! The dashboard's key press to written frame, at 120x40, with a large state
//! loaded through the same worker events the app gets (`Cadences`, `EmailFacts`,
//! `EngagementLoaded`, `PeopleBatch`, ...).
//!
//! Each sample is one `update(state, Msg::Key(..))` followed by one
//! `terminal.draw(views::draw)`, timed together. The terminal is the app's own
//! kind, ratatui's `CrosstermBackend`, writing into a sink that counts the bytes
//! (a fixed 120x40 viewport, as no real terminal is there to ask): the time
//! includes the buffer diff and encoding it as the escape sequences a terminal
//! would get, not the terminal's own work of showing them.
//!
//! `cargo bench --bench render`; env: SLTUI_BENCH_PEOPLE (default 100000),
//! SLTUI_BENCH_EMAILS (default 1000000), SLTUI_BENCH_CADENCES (default 300),
//! SLTUI_BENCH_ROUNDS (times the key sequence is replayed, default 5),
//! SLTUI_BENCH_WALK_QUERY (a people search typed before the people walk, kept
//! while it runs: the index shown is then searched page by page, and laid out by
//! the worker, here inline, when a page brings more than the UI task lays out;
//! default none, the peak RSS figure is the walk's hand-over).
//!
//! The people have distinct names, as the search bench's (`distinct_names`: a
//! third or so accented, one in eight Han or Hangul). Until issue 12's eighth
//! stop they were drawn from 2,450 ASCII names, which held about 20 MB less
//! then: a person whose haystack is not ASCII keeps more in its search record
//! (its characters and their exact bytes) than an ASCII one, whose record holds
//! nothing on the heap; everyone's folded bytes live in the layout's arena.

mod common;

use std::cell::Cell;
use std::rc::Rc;
use std::time::Instant;

use chrono::{DateTime, TimeDelta, TimeZone, Utc};
use common::*;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;
use ratatui::layout::Rect;
use ratatui::{TerminalOptions, Viewport};
use serde_json::json;
use sltui::api::models::{Cadence, Person};
use sltui::config::keymap::{Action, Keymap};
use sltui::metrics::{EmailFact, TimeRange};
use sltui::search::PeopleIndex;
use sltui::tui::msg::{Effect, Msg};
use sltui::tui::state::{AppState, Clock, Session};
use sltui::tui::style::Styles;
use sltui::tui::update::{init, update};
use sltui::tui::views;
use sltui::worker::{Request, RequestId, WorkerEvent, shared_entries};

const T: &str = "2024-05-01T10:00:00.000000-04:00";
/// Records per worker event, as a list page brings them.
const PAGE: usize = 100;

fn wall() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2024, 5, 20, 12, 0, 0).unwrap()
}

fn state() -> AppState {
    let session = Session {
        profile_label: "BENCH".into(),
        demo: true,
        read_only: false,
        refresh_secs: 5,
        reserve: 0.2,
        confirm_above: None,
        has_store: false,
        mouse: true,
    };
    let clock = Clock {
        now: Instant::now(),
        wall: wall(),
    };
    AppState::new(
        session,
        Keymap::default(),
        Styles::plain(),
        TimeRange::Days(30),
        clock,
    )
}

fn cadence(id: u64, name: &str, current_state: &str, team: bool, people: u64) -> Cadence {
    serde_json::from_value(json!({
        "id": id, "created_at": T, "updated_at": T, "archived_at": null,
        "name": name, "team_cadence": team, "shared": true, "draft": current_state == "draft",
        "current_state": current_state, "tags": [],
        "owner": {"_href": "https://api.salesloft.com/v2/users/7", "id": 7},
        "counts": {"cadence_people": people, "people_acted_on_count": 0, "target_daily_people": 0,
                   "opportunities_created": 0, "meetings_booked": 0}
    }))
    .expect("cadence json")
}

/// Person `id` named `name` (one of [`distinct_names`]: "First [M.] Last", or
/// Han or Hangul written family name first).
fn person(id: u64, name: &str, rng: &mut Rng) -> Person {
    let (first, last) = match name.split_once(' ') {
        Some((first, _)) => (first, name.rsplit_once(' ').map_or("", |(_, last)| last)),
        None => {
            let family = name.chars().next().map_or(0, char::len_utf8);
            (&name[family..], &name[..family])
        }
    };
    let company = rng.pick(COMPANY);
    let domain = company.to_lowercase().replace(' ', "");
    let local: String = first
        .chars()
        .filter(char::is_ascii_alphabetic)
        .collect::<String>()
        .to_lowercase();
    serde_json::from_value(json!({
        "id": id, "created_at": T, "updated_at": T,
        "first_name": first, "last_name": last, "display_name": name,
        "email_address": format!("{}{id}@{domain}.com", if local.is_empty() { "p" } else { &local }),
        "person_company_name": company, "title": rng.pick(TITLE),
        "counts": {"emails_sent": 4, "emails_viewed": 2, "emails_clicked": 1, "emails_replied_to": 1,
                   "emails_bounced": 0, "calls": 3}
    }))
    .expect("person json")
}

fn find(fx: &[Effect], pred: impl Fn(&Request) -> bool) -> RequestId {
    fx.iter()
        .find_map(|e| match e {
            Effect::Send { id, request, .. } if pred(request) => Some(*id),
            _ => None,
        })
        .expect("request made")
}

/// A worker event through `update`; a layout it asks for is done as the worker
/// does it (`sltui::worker::lay_out`) and handed back, and what it frees is
/// freed before that, as the app's loop does.
fn ev(s: &mut AppState, e: WorkerEvent) -> Vec<Effect> {
    let mut out = Vec::new();
    let mut todo = vec![update(s, Msg::Worker(e))];
    while let Some(fx) = todo.pop() {
        for effect in fx {
            match effect {
                Effect::Send {
                    id,
                    request: Request::LayOutPeople { layout },
                    ..
                } => {
                    if let Some(layout) = layout.take() {
                        let index = Box::new(sltui::worker::lay_out(layout));
                        todo.push(update(
                            s,
                            Msg::Worker(WorkerEvent::PeopleLaidOut { id, index }),
                        ));
                    }
                }
                // As the app's loop does, at once (off the UI task there).
                Effect::Free(value) => drop(value),
                other => out.push(other),
            }
        }
    }
    out
}

/// Loads cadences, `emails` email facts and `people` people the way the worker
/// delivers them.
fn load(s: &mut AppState, cadences: usize, emails: usize, people: usize) {
    let mut rng = Rng::new(0xBE4C);
    let fx = init(s);
    let cad_id = find(&fx, |r| matches!(r, Request::Cadences));
    let idx_id = find(&fx, |r| matches!(r, Request::IndexPeople));
    let states = ["active", "active", "active", "draft", "archived"];
    let words = [
        "Outbound",
        "Webinar",
        "Follow-up",
        "Enterprise",
        "SMB",
        "Renewal",
        "Event",
        "Inbound",
        "Q3",
        "Q4",
        "EMEA",
        "APAC",
        "Trial",
        "Churn",
        "Upsell",
    ];
    let list: Vec<Cadence> = (1..=cadences as u64)
        .map(|id| {
            let name = format!("{} {} {id}", rng.pick(&words), rng.pick(&words));
            cadence(id, &name, rng.pick(&states), id % 3 == 0, rng.below(5000))
        })
        .collect();
    let fx = ev(
        s,
        WorkerEvent::Cadences {
            id: cad_id,
            cadences: list,
        },
    );
    ev(
        s,
        WorkerEvent::Finished {
            id: cad_id,
            error: None,
        },
    );
    let eng_id = find(&fx, |r| matches!(r, Request::Engagement { .. }));
    let now = wall();
    let mut batch = Vec::with_capacity(PAGE);
    for email_id in 1..=emails as u64 {
        let cad = 1 + rng.below(cadences as u64);
        let at = now - TimeDelta::minutes(rng.below(90 * 24 * 60) as i64);
        let sent = !rng.chance(0.03);
        let viewed = sent && rng.chance(0.45);
        batch.push(EmailFact {
            email_id,
            cadence_id: Some(cad),
            step_id: Some(cad * 100 + rng.below(6)),
            sent,
            bounced: sent && rng.chance(0.02),
            viewed,
            clicked: viewed && rng.chance(0.2),
            replied: sent && rng.chance(0.05),
            view_tracked: true,
            click_tracked: true,
            template_id: None,
            person_id: None,
            sent_at: sent.then_some(at),
            updated_at: at,
        });
        if batch.len() == PAGE {
            let facts = std::mem::replace(&mut batch, Vec::with_capacity(PAGE));
            ev(
                s,
                WorkerEvent::EmailFacts {
                    id: eng_id,
                    facts,
                    live: false,
                },
            );
        }
    }
    if !batch.is_empty() {
        ev(
            s,
            WorkerEvent::EmailFacts {
                id: eng_id,
                facts: batch,
                live: false,
            },
        );
    }
    for c in 1..=cadences as u64 {
        ev(
            s,
            WorkerEvent::EngagementLoaded {
                id: eng_id,
                cadence_id: c,
            },
        );
    }
    ev(
        s,
        WorkerEvent::Finished {
            id: eng_id,
            error: None,
        },
    );
    // A search typed before the walk stays while it runs.
    let query = std::env::var("SLTUI_BENCH_WALK_QUERY").unwrap_or_default();
    if !query.is_empty() {
        update(s, Msg::Action(Action::View2));
        update(s, Msg::Action(Action::Filter));
        for c in query.chars() {
            update(s, Msg::Key(key(c)));
        }
        update(s, Msg::Key(KeyEvent::from(KeyCode::Enter)));
    }
    // The worker builds its own index of the walk's pages (a walk from the
    // start always brings it): the state keeps its own when laid out already,
    // else has the worker lay this one out (inline here) and swaps it in.
    // 100,000 distinct names, as the search bench's (freed before the hand-over).
    let names = distinct_names(people, 0xBE4D);
    let mut built = PeopleIndex::default();
    let mut id = 1u64;
    while (id as usize) <= people {
        let end = (id + PAGE as u64).min(people as u64 + 1);
        let page: Vec<Person> = (id..end)
            .map(|i| person(i, &names[i as usize - 1], &mut rng))
            .collect();
        // As the worker does: the page's entries go into its index and to the
        // UI (shared), the page itself is dropped.
        let page = shared_entries(&page);
        for e in &page {
            built.upsert(e.clone());
        }
        id = end;
        ev(
            s,
            WorkerEvent::PeopleBatch {
                id: idx_id,
                people: page,
            },
        );
    }
    drop(names);
    ev(
        s,
        WorkerEvent::PeopleIndexed {
            id: idx_id,
            total: people,
            index: Some(Box::new(built)),
        },
    );
    ev(
        s,
        WorkerEvent::Finished {
            id: idx_id,
            error: None,
        },
    );
    if !query.is_empty() {
        assert!(
            !s.people.search.hits.hits.is_empty(),
            "{query:?} found people"
        );
        update(s, Msg::Action(Action::View1));
    }
}

fn key(c: char) -> KeyEvent {
    let m = if c.is_ascii_uppercase() {
        KeyModifiers::SHIFT
    } else {
        KeyModifiers::NONE
    };
    KeyEvent::new(KeyCode::Char(c), m)
}

fn code(c: KeyCode) -> KeyEvent {
    let m = if c == KeyCode::BackTab {
        KeyModifiers::SHIFT
    } else {
        KeyModifiers::NONE
    };
    KeyEvent::new(c, m)
}

/// One replay of what a user does: (group, key).
fn sequence() -> Vec<(&'static str, KeyEvent)> {
    let mut k: Vec<(&'static str, KeyEvent)> = Vec::new();
    let mut push = |g: &'static str, e: KeyEvent, times: usize| {
        for _ in 0..times {
            k.push((g, e));
        }
    };
    // Cadences (view 1).
    push("view", key('1'), 1);
    push("move j/k", key('j'), 20);
    push("move j/k", key('k'), 10);
    push("move j/k", key('G'), 1);
    push("move j/k", key('g'), 1);
    push("sort s/S", key('s'), 3);
    push("sort s/S", key('S'), 2);
    push("filter c", key('c'), 4);
    push("filter typing", key('/'), 1);
    for c in "out".chars() {
        push("filter typing", key(c), 1);
    }
    push("filter typing", code(KeyCode::Backspace), 3);
    push("filter typing", code(KeyCode::Esc), 1);
    push("range t", key('t'), 4);
    // People (view 2): search as you type, move.
    push("view", key('2'), 1);
    push("search typing", key('/'), 1);
    for c in "maria g".chars() {
        push("search typing", key(c), 1);
    }
    push("search typing", code(KeyCode::Esc), 1);
    push("move j/k", key('j'), 10);
    push("move j/k", key('k'), 5);
    // Activity and back, by number and tab.
    push("view", key('3'), 1);
    push("view", key('1'), 1);
    push("view", code(KeyCode::Tab), 2);
    push("view", code(KeyCode::BackTab), 2);
    k
}

/// Where the frames are written: nowhere, counting the bytes (in a cell the bench
/// keeps, as the backend does not hand its writer back).
struct CountingSink {
    bytes: Rc<Cell<u64>>,
}

impl std::io::Write for CountingSink {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.bytes.set(self.bytes.get() + buf.len() as u64);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn main() {
    let people = env_usize("SLTUI_BENCH_PEOPLE", 100_000);
    let emails = env_usize("SLTUI_BENCH_EMAILS", 1_000_000);
    let cadences = env_usize("SLTUI_BENCH_CADENCES", 300).max(1);
    let rounds = env_usize("SLTUI_BENCH_ROUNDS", 5).max(1);
    let (w, h) = (120u16, 40u16);

    let t = Instant::now();
    let mut s = state();
    update(&mut s, Msg::Resize(w, h));
    load(&mut s, cadences, emails, people);
    let setup = t.elapsed();
    let written = Rc::new(Cell::new(0u64));
    let sink = CountingSink {
        bytes: written.clone(),
    };
    let mut terminal = Terminal::with_options(
        CrosstermBackend::new(sink),
        TerminalOptions {
            viewport: Viewport::Fixed(Rect::new(0, 0, w, h)),
        },
    )
    .expect("terminal");
    terminal.draw(|f| views::draw(f, &s)).expect("draw");
    let first_frame_bytes = written.get();

    let seq = sequence();
    let mut groups: Vec<(&'static str, Vec<f64>)> = Vec::new();
    let mut all = Vec::new();
    let mut no_range = Vec::new();
    for _ in 0..rounds {
        for (g, k) in &seq {
            let t = Instant::now();
            let fx = update(&mut s, Msg::Key(*k));
            terminal.draw(|f| views::draw(f, &s)).expect("draw");
            let d = ms(t.elapsed());
            std::hint::black_box(fx);
            all.push(d);
            if *g != "range t" {
                no_range.push(d);
            }
            match groups.iter_mut().find(|(n, _)| n == g) {
                Some((_, v)) => v.push(d),
                None => groups.push((g, vec![d])),
            }
        }
    }
    let frames = all.len().max(1) as u64;
    let key_bytes = written.get() - first_frame_bytes;
    groups.push(("all but range t", no_range));
    groups.push(("all keys", all));

    let rows: Vec<(String, Summary)> = groups
        .iter()
        .map(|(g, v)| (g.to_string(), summarize(v)))
        .collect();
    for (g, sm) in &rows {
        println!(
            "{{\"bench\":\"render\",\"backend\":\"CrosstermBackend into a sink, {w}x{h}\",\"people\":{people},\"emails\":{emails},\"cadences\":{cadences},\"rounds\":{rounds},\"keys\":\"{g}\",\"n\":{},\"p50_ms\":{:.4},\"p99_ms\":{:.4},\"max_ms\":{:.4},\"mean_ms\":{:.4},\"setup_s\":{:.2}}}",
            sm.n,
            sm.p50,
            sm.p99,
            sm.max,
            sm.mean,
            setup.as_secs_f64()
        );
    }
    println!();
    println!(
        "update + draw + write per key press, CrosstermBackend into a sink, {w}x{h}: {people} people, {emails} emails, {cadences} cadences, {rounds} rounds (state loaded in {:.1} s)",
        setup.as_secs_f64()
    );
    let table_rows: Vec<Vec<String>> = rows
        .iter()
        .map(|(g, sm)| {
            vec![
                g.clone(),
                sm.n.to_string(),
                f3(sm.p50),
                f3(sm.p99),
                f3(sm.max),
            ]
        })
        .collect();
    table(&["keys", "n", "p50 ms", "p99 ms", "max ms"], &table_rows);
    if let Some(mb) = peak_rss_mb() {
        println!();
        println!("{{\"bench\":\"render\",\"peak_rss_mb\":{mb:.1}}}");
        println!("peak RSS: {mb:.1} MB");
        if let Ok(q) = std::env::var("SLTUI_BENCH_WALK_QUERY")
            && !q.is_empty()
        {
            println!("(with the people search {q:?} typed before the walk and kept while it ran)");
        }
    }
    println!();
    println!(
        "{{\"bench\":\"render\",\"first_frame_bytes\":{first_frame_bytes},\"bytes_per_key_frame\":{}}}",
        key_bytes / frames
    );
    println!(
        "written to the terminal: {first_frame_bytes} bytes for the first frame, {} bytes a key press on average",
        key_bytes / frames
    );
}
