//! Helpers shared by the TUI tests: a state without a terminal, API records built
//! from JSON shaped like the real API, and small effect/key helpers.
#![allow(dead_code)]

mod pages;
#[allow(unused_imports)]
pub use pages::*;

use std::time::{Duration, Instant};

use chrono::{DateTime, TimeZone, Utc};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use serde_json::json;

use sltui::api::models::{Cadence, Membership, Person, Step};
use sltui::api::{BudgetSnapshot, SpendSample};
use sltui::config::keymap::Action;
use sltui::metrics::EmailFact;
use sltui::tui::msg::{Effect, Msg};
use sltui::tui::setup::StateSetup;
use sltui::tui::state::{AppState, Clock, Session};
use sltui::tui::style::Styles;
use sltui::tui::update::{init, update};
use sltui::tui::views;
use sltui::worker::{Priority, Request, RequestId, WorkerEvent};

pub const T: &str = "2024-05-01T10:00:00.000000-04:00";

pub fn wall() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2024, 5, 20, 12, 0, 0).unwrap()
}

pub fn session(read_only: bool) -> Session {
    Session {
        profile_label: "DEMO".into(),
        demo: true,
        read_only,
        refresh_secs: 5,
        reserve: 0.2,
        confirm_above: None,
        has_store: false,
        mouse: true,
    }
}

/// A fresh start as the tests' dashboard has it (demo, plain, the last 30
/// days, [`wall`]'s time); change what a test needs with
/// `StateSetup { field: .., ..setup() }.build()`.
pub fn setup() -> StateSetup {
    let clock = Clock {
        now: Instant::now(),
        wall: wall(),
    };
    StateSetup::new(session(false), clock)
}

pub fn state_with(read_only: bool, styles: Styles) -> AppState {
    StateSetup {
        session: session(read_only),
        styles,
        ..setup()
    }
    .build()
}

pub fn state() -> AppState {
    state_with(false, Styles::plain())
}

pub fn cadence(id: u64, name: &str, current_state: &str, team: bool, people: u64) -> Cadence {
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

pub fn person(id: u64, first: &str, last: &str, email: &str, company: &str, title: &str) -> Person {
    serde_json::from_value(json!({
        "id": id, "created_at": T, "updated_at": T,
        "first_name": first, "last_name": last, "display_name": format!("{first} {last}"),
        "email_address": email, "person_company_name": company, "title": title,
        "counts": {"emails_sent": 4, "emails_viewed": 2, "emails_clicked": 1, "emails_replied_to": 1,
                   "emails_bounced": 0, "calls": 3}
    }))
    .expect("person json")
}

pub fn step(id: u64, cadence_id: u64, day: u64, number: u64, kind: &str, name: &str) -> Step {
    serde_json::from_value(json!({
        "id": id, "created_at": T, "updated_at": T, "disabled": false, "type": kind,
        "name": name, "display_name": format!("Day {day}: Step {number} - {kind}"),
        "day": day, "step_number": number, "multitouch_enabled": false,
        "cadence": {"_href": format!("https://api.salesloft.com/v2/cadences/{cadence_id}"), "id": cadence_id}
    }))
    .expect("step json")
}

pub fn membership(id: u64, person_id: u64, cadence_id: u64, state: &str, on: bool) -> Membership {
    serde_json::from_value(json!({
        "id": id, "created_at": T, "updated_at": T, "added_at": T,
        "person_deleted": false, "currently_on_cadence": on, "current_state": state,
        "cadence": {"_href": format!("https://api.salesloft.com/v2/cadences/{cadence_id}"), "id": cadence_id},
        "person": {"_href": format!("https://api.salesloft.com/v2/people/{person_id}"), "id": person_id},
        "counts": {"views": 1, "clicks": 0, "replies": 0, "calls": 0, "sent_emails": 2, "bounces": 0}
    }))
    .expect("membership json")
}

/// One email. Flags: sent, bounced, viewed, clicked, replied.
pub fn fact(email_id: u64, cadence: u64, step: Option<u64>, flags: [bool; 5]) -> EmailFact {
    let at = wall() - chrono::TimeDelta::days(2);
    EmailFact {
        email_id,
        cadence_id: Some(cadence),
        step_id: step,
        sent: flags[0],
        bounced: flags[1],
        viewed: flags[2],
        clicked: flags[3],
        replied: flags[4],
        view_tracked: true,
        click_tracked: true,
        template_id: None,
        person_id: None,
        sent_at: Some(at),
        updated_at: at,
    }
}

pub fn budget(remaining: u32) -> BudgetSnapshot {
    let now = Instant::now();
    BudgetSnapshot {
        limit: 600,
        remaining: Some(remaining),
        estimated: remaining,
        last_cost: Some(1),
        observed_at: Some(now),
        spent_last_minute: 2,
        history: vec![
            SpendSample {
                at: now,
                cost: 1,
                remaining: Some(599),
            },
            SpendSample {
                at: now,
                cost: 1,
                remaining: Some(remaining),
            },
        ],
        per_interval: vec![0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2],
        throttled: 0,
        requests: 2,
        spent: 2,
    }
}

pub fn key(c: char) -> Msg {
    Msg::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE))
}

pub fn code(c: KeyCode) -> Msg {
    Msg::Key(KeyEvent::new(c, KeyModifiers::NONE))
}

pub fn act(state: &mut AppState, a: Action) -> Vec<Effect> {
    update(state, Msg::Action(a))
}

/// A worker event through `update`; the people index it asks the worker to lay
/// out is laid out by the worker's own code and handed back, as the worker does.
pub fn ev(state: &mut AppState, e: WorkerEvent) -> Vec<Effect> {
    let fx = update(state, Msg::Worker(e));
    lay_out(state, fx)
}

/// Carries out the `LayOutPeople` requests among `fx` as the worker does
/// (`sltui::worker::lay_out`, then `PeopleLaidOut`); returns the other effects
/// and those the answers led to.
pub fn lay_out(state: &mut AppState, fx: Vec<Effect>) -> Vec<Effect> {
    let mut out = Vec::new();
    for effect in fx {
        match effect {
            Effect::Send {
                id,
                request: Request::LayOutPeople { layout },
                ..
            } => {
                let layout = layout.take().expect("a layout is taken once");
                let index = Box::new(sltui::worker::lay_out(layout));
                let more = update(state, Msg::Worker(WorkerEvent::PeopleLaidOut { id, index }));
                out.extend(lay_out(state, more));
            }
            other => out.push(other),
        }
    }
    out
}

pub fn typ(state: &mut AppState, text: &str) -> Vec<Effect> {
    text.chars().flat_map(|c| update(state, key(c))).collect()
}

pub fn requests(fx: &[Effect]) -> Vec<&Request> {
    fx.iter().filter_map(Effect::request).collect()
}

/// The id and priority of the first request matching `pred`.
pub fn find(fx: &[Effect], pred: impl Fn(&Request) -> bool) -> Option<(RequestId, Priority)> {
    fx.iter().find_map(|e| match e {
        Effect::Send {
            id,
            priority,
            request,
        } if pred(request) => Some((*id, *priority)),
        _ => None,
    })
}

pub fn advance(state: &mut AppState, by: Duration) {
    state.clock.now += by;
}

/// A state that has loaded three cadences (engagement complete), steps and people.
/// Cadence 1 "Q3 Outbound" (active, team): 4 sent, 1 bounced, 2 opened, 1 replied.
/// Cadence 2 "Webinar Follow-up" (active, personal): 2 sent, both opened and clicked.
/// Cadence 3 "Old Drip" (archived): nothing sent.
/// Cadence 4 "New Idea" (draft): nothing sent.
pub fn loaded() -> AppState {
    loaded_from(state())
}

/// [`loaded`], starting from a given fresh state (read-only, another theme).
pub fn loaded_from(s: AppState) -> AppState {
    let mut s = loaded_unmetered(s);
    update(&mut s, Msg::Budget(budget(598)));
    let at = s.clock.now;
    ev(&mut s, WorkerEvent::Heartbeat { at });
    s
}

/// [`loaded_from`] before any budget reading or heartbeat arrived.
pub fn loaded_unmetered(mut s: AppState) -> AppState {
    let fx = init(&mut s);
    let (cad_id, _) = find(&fx, |r| matches!(r, Request::Cadences)).expect("cadences requested");
    let (idx_id, _) = find(&fx, |r| matches!(r, Request::IndexPeople)).expect("index requested");
    let fx = ev(
        &mut s,
        WorkerEvent::Cadences {
            id: cad_id,
            cadences: vec![
                cadence(1, "Q3 Outbound", "active", true, 120),
                cadence(2, "Webinar Follow-up", "active", false, 35),
                cadence(3, "Old Drip", "archived", true, 0),
                cadence(4, "New Idea", "draft", false, 0),
            ],
        },
    );
    ev(
        &mut s,
        WorkerEvent::Finished {
            id: cad_id,
            error: None,
        },
    );
    let (eng_id, _) =
        find(&fx, |r| matches!(r, Request::Engagement { .. })).expect("engagement requested");
    let facts = vec![
        fact(100, 1, Some(11), [true, false, true, false, true]),
        fact(101, 1, Some(11), [true, false, true, false, false]),
        fact(102, 1, Some(12), [true, false, false, false, false]),
        fact(103, 1, Some(12), [true, true, false, false, false]),
        fact(200, 2, Some(21), [true, false, true, true, false]),
        fact(201, 2, Some(21), [true, false, true, true, false]),
    ];
    ev(
        &mut s,
        WorkerEvent::EmailFacts {
            id: eng_id,
            facts,
            live: false,
        },
    );
    for c in [1, 2, 3, 4] {
        ev(
            &mut s,
            WorkerEvent::EngagementLoaded {
                id: eng_id,
                cadence_id: c,
            },
        );
    }
    ev(
        &mut s,
        WorkerEvent::Finished {
            id: eng_id,
            error: None,
        },
    );
    ev(
        &mut s,
        WorkerEvent::PeopleBatch {
            id: idx_id,
            people: sltui::worker::shared_entries(&[
                person(
                    501,
                    "Ada",
                    "Lovelace",
                    "ada@analytical.io",
                    "Analytical Engines",
                    "CTO",
                ),
                person(
                    502,
                    "Grace",
                    "Hopper",
                    "grace@navy.mil",
                    "US Navy",
                    "Rear Admiral",
                ),
                person(
                    503,
                    "Alan",
                    "Turing",
                    "alan@bletchley.uk",
                    "Bletchley Park",
                    "Cryptanalyst",
                ),
            ]),
        },
    );
    ev(
        &mut s,
        WorkerEvent::PeopleIndexed {
            id: idx_id,
            total: 3,
            index: None,
        },
    );
    ev(
        &mut s,
        WorkerEvent::Finished {
            id: idx_id,
            error: None,
        },
    );
    s
}

/// Names of the cadence rows in table order.
pub fn row_names(s: &AppState) -> Vec<String> {
    s.cadences
        .list
        .rows
        .iter()
        .map(|&i| s.cadences.list.cadences[i].name.clone())
        .collect()
}

/// The buffer the dashboard draws for `state` on a `width` x `height` test terminal.
pub fn render_buffer(state: &AppState, width: u16, height: u16) -> Buffer {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).expect("terminal");
    terminal.draw(|f| views::draw(f, state)).expect("draw");
    terminal.backend().buffer().clone()
}

/// The rows of a drawn buffer as text, a line a row.
pub fn buffer_lines(buf: &Buffer) -> Vec<String> {
    (0..buf.area.height)
        .map(|y| {
            (0..buf.area.width)
                .map(|x| buf[(x, y)].symbol().to_string())
                .collect::<String>()
        })
        .collect()
}

/// What the dashboard draws for `state` on a `width` x `height` test terminal, a
/// line a row.
pub fn screen_text(state: &AppState, width: u16, height: u16) -> String {
    buffer_lines(&render_buffer(state, width, height)).join("\n")
}

/// The cadence detail of "Q3 Outbound" with its steps and people loaded.
pub fn q3_detail() -> AppState {
    q3_detail_from(state())
}

/// [`q3_detail`], starting from a given fresh state.
pub fn q3_detail_from(s: AppState) -> AppState {
    let mut s = loaded_from(s);
    act(&mut s, Action::Down);
    act(&mut s, Action::Down); // Q3 Outbound
    let fx = act(&mut s, Action::Enter);
    let (id, _) = find(&fx, |r| matches!(r, Request::CadenceDetail { .. })).unwrap();
    let steps = vec![
        step(11, 1, 1, 1, "email", "Intro email"),
        step(12, 1, 3, 2, "email", "Bump"),
        step(13, 1, 5, 3, "phone", "Call"),
    ];
    ev(
        &mut s,
        WorkerEvent::CadenceSteps {
            id,
            cadence_id: 1,
            steps,
        },
    );
    let ada = person(
        501,
        "Ada",
        "Lovelace",
        "ada@analytical.io",
        "Analytical Engines",
        "CTO",
    );
    let members = vec![
        (membership(1, 501, 1, "active", true), Some(ada)),
        (membership(2, 502, 1, "removed_no_action", false), None),
    ];
    ev(
        &mut s,
        WorkerEvent::CadenceMembers {
            id,
            cadence_id: 1,
            members,
        },
    );
    ev(&mut s, WorkerEvent::Finished { id, error: None });
    s
}

pub fn rule(
    name: &str,
    metric: sltui::config::AlertMetric,
    threshold: sltui::config::Threshold,
    min_sent: u64,
) -> sltui::config::AlertRule {
    sltui::config::AlertRule {
        name: name.into(),
        metric,
        threshold,
        days: 7,
        min_sent,
        drop_vs_days: None,
        cadence: None,
    }
}

/// Four rules over the loaded state (facts sent two days ago, a 30-day range):
/// cadence 1's reply rate is 1/3 (fires below 50%), the bounce rate is 1/6
/// (quiet above 50%), 100 sent are needed for the third, and the fourth needs
/// 67 days of emails.
pub fn alerting() -> AppState {
    let alerts = vec![
        sltui::config::AlertRule {
            cadence: Some(1),
            ..rule(
                "Q3 replies low",
                sltui::config::AlertMetric::ReplyRate,
                sltui::config::Threshold::Below(0.5),
                2,
            )
        },
        rule(
            "bounces",
            sltui::config::AlertMetric::BounceRate,
            sltui::config::Threshold::Above(0.5),
            1,
        ),
        rule(
            "opens low",
            sltui::config::AlertMetric::OpenRate,
            sltui::config::Threshold::Below(0.1),
            100,
        ),
        sltui::config::AlertRule {
            drop_vs_days: Some(60),
            ..rule(
                "opens falling",
                sltui::config::AlertMetric::OpenRate,
                sltui::config::Threshold::Above(0.05),
                1,
            )
        },
    ];
    let mut s = loaded_from(StateSetup { alerts, ..setup() }.build());
    update(&mut s, sltui::tui::msg::Msg::Tick);
    s
}

/// Sends `update`'s requests to the worker, as the dashboard's loop does.
pub fn send(worker: &sltui::worker::WorkerHandle, fx: Vec<Effect>) {
    for e in fx {
        if let Effect::Send {
            id,
            priority,
            request,
        } = e
        {
            worker
                .requests
                .send(sltui::worker::Envelope {
                    id,
                    priority,
                    request,
                })
                .expect("the worker runs");
        }
    }
}
