//! The store's two implementations (SQLite for one user, PostgreSQL for a team)
//! behind one interface ([`RecordStore`]) run the same cases; the PostgreSQL-only
//! ones (migrations, change sequence and LISTEN/NOTIFY, jobs, leader election)
//! are in `store_backends/pg_only.rs`. PostgreSQL is a real throwaway cluster
//! ([`pg_support`]), never a mock; the records come from the simulator over real
//! loopback HTTP.

#[path = "store_backends/pg_calls.rs"]
mod pg_calls;
#[path = "store_backends/pg_only.rs"]
mod pg_only;
#[path = "pg_support/mod.rs"]
mod pg_support;
#[path = "synced_team/mod.rs"]
mod synced_team;
#[path = "store_backends/tracking.rs"]
mod tracking;

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, TimeZone, Utc};
use pg_support::{TestDb, test_db};
use serde::Serialize;
use sltui::api::CursorPosition;
use sltui::api::models::{Cadence, Call, EmailTemplate, Membership, Person, Step, User};
use sltui::metrics::{EmailFact, Engagement, GroupTotals};
use sltui::store::{PageMark, PgStore, RecordStore, Store, StoreRecord};
use synced_team::synced_team;

/// Stops a hung test; never a performance threshold.
const HANG_GUARD: Duration = Duration::from_secs(240);

/// A store under test and what keeps it alive (its file or its database).
pub struct Backend {
    pub name: &'static str,
    pub store: Box<dyn RecordStore>,
    _db: Option<TestDb>,
    file: Option<PathBuf>,
}

impl Drop for Backend {
    fn drop(&mut self) {
        if let Some(f) = &self.file {
            for ext in ["", "-wal", "-shm"] {
                let _ = std::fs::remove_file(format!("{}{ext}", f.display()));
            }
        }
    }
}

/// A fresh SQLite store in a temporary file.
pub fn sqlite() -> Backend {
    let nanos = Utc::now().timestamp_nanos_opt().unwrap_or_default();
    let file =
        std::env::temp_dir().join(format!("sltui-backends-{}-{nanos}.db", std::process::id()));
    Backend {
        name: "sqlite",
        store: Box::new(Store::open(&file).expect("sqlite store opens")),
        _db: None,
        file: Some(file),
    }
}

/// A fresh PostgreSQL store in a database of its own.
pub fn postgres() -> Backend {
    let db = test_db();
    Backend {
        name: "postgres",
        store: Box::new(PgStore::connect(&db.url).expect("postgres store connects")),
        _db: Some(db),
        file: None,
    }
}

fn both() -> [Backend; 2] {
    [sqlite(), postgres()]
}

fn json<T: Serialize>(v: &T) -> serde_json::Value {
    serde_json::to_value(v).expect("serializes")
}

fn by_id(mut facts: Vec<EmailFact>) -> Vec<EmailFact> {
    facts.sort_by_key(|f| f.email_id);
    facts
}

fn all_facts(s: &dyn RecordStore) -> Vec<EmailFact> {
    by_id(s.email_facts().expect("facts"))
}

/// Engagement per (cadence, step) of the sent facts at or after `since`,
/// counted one by one (what the per-day sums must equal).
fn recount(facts: &[EmailFact], since: Option<u32>) -> GroupTotals {
    let mut per: HashMap<(Option<u64>, Option<u64>), Engagement> = HashMap::new();
    for f in facts.iter().filter(|f| f.sent) {
        let at = f
            .sent_at
            .unwrap_or(f.updated_at)
            .timestamp()
            .clamp(1, u32::MAX as i64);
        if since.is_some_and(|s| at < i64::from(s)) {
            continue;
        }
        *per.entry((f.cadence_id, f.step_id)).or_default() += f.engagement();
    }
    let mut out: GroupTotals = per.into_iter().filter(|(_, e)| !e.is_empty()).collect();
    out.sort_unstable_by_key(|(g, _)| *g);
    out
}

fn at(day: i64, secs: i64) -> DateTime<Utc> {
    Utc.timestamp_opt(1_700_000_000 / 86_400 * 86_400 + day * 86_400 + secs, 0)
        .single()
        .expect("valid time")
}

/// A fact with the flags byte `flags` (`metrics::flags`: 32 and 64 are view and
/// click tracking off); every third has no template.
fn fact(id: u64, cadence: Option<u64>, step: Option<u64>, flags: u8, day: i64) -> EmailFact {
    EmailFact {
        email_id: id,
        cadence_id: cadence,
        step_id: step,
        sent: flags & 1 != 0,
        bounced: flags & 2 != 0,
        viewed: flags & 4 != 0,
        clicked: flags & 8 != 0,
        replied: flags & 16 != 0,
        view_tracked: flags & 32 == 0,
        click_tracked: flags & 64 == 0,
        template_id: (!id.is_multiple_of(3)).then_some(500 + id % 2),
        person_id: None,
        sent_at: (flags & 1 != 0).then(|| at(day, (id as i64 * 977) % 86_400)),
        updated_at: at(day, 3_600 + id as i64 % 1000),
    }
}

/// Every record kind the simulator serves, synced once into a memory store by
/// the real sync engine, then written into each backend through the interface
/// and read back: each backend returns what went in, and both return the same.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_record_kind_round_trips_through_both_backends() {
    let source = synced_team("backends-test-key", 300, HANG_GUARD).await;
    let src = source.lock().unwrap();
    let (people, cadences, steps) = (
        src.people().unwrap(),
        src.cadences().unwrap(),
        src.steps().unwrap(),
    );
    let (users, memberships) = (src.users().unwrap(), src.memberships().unwrap());
    let (calls, templates) = (src.calls().unwrap(), src.email_templates().unwrap());
    let facts = by_id(src.email_facts().unwrap());
    assert!(
        !calls.is_empty() && !templates.is_empty(),
        "the sync read calls and templates: {} calls, {} templates",
        calls.len(),
        templates.len()
    );
    assert!(
        facts.iter().any(|f| f.person_id.is_some()),
        "the facts carry their recipients"
    );
    assert!(
        people.len() == 300 && !cadences.is_empty() && !steps.is_empty() && !users.is_empty(),
        "the simulator served every kind"
    );
    assert!(!memberships.is_empty() && !facts.is_empty());
    let since = [
        None,
        Some(1),
        Some((Utc::now().timestamp() - 5 * 86_400) as u32),
    ];

    let mut seen: Vec<(serde_json::Value, Vec<EmailFact>)> = Vec::new();
    for mut b in both() {
        let s = b.store.as_mut();
        s.upsert_prepared(&Person::prepare(&people), 1).unwrap();
        s.upsert_prepared(&Cadence::prepare(&cadences), 1).unwrap();
        s.upsert_prepared(&Step::prepare(&steps), 1).unwrap();
        s.upsert_prepared(&User::prepare(&users), 1).unwrap();
        s.upsert_prepared(&Membership::prepare(&memberships), 1)
            .unwrap();
        s.upsert_email_facts(&facts, 1).unwrap();
        s.upsert_prepared(&Call::prepare(&calls), 1).unwrap();
        s.upsert_prepared(&EmailTemplate::prepare(&templates), 1)
            .unwrap();
        let n = b.name;
        assert_eq!(json(&s.calls().unwrap()), json(&calls), "{n}: calls");
        assert_eq!(
            json(&s.email_templates().unwrap()),
            json(&templates),
            "{n}: email templates"
        );
        for c in &cadences {
            let on = |r: &Option<sltui::api::models::Ref>| {
                r.as_ref().and_then(|r| r.id_u64()) == Some(c.id)
            };
            let want: Vec<&Call> = calls.iter().filter(|k| on(&k.cadence)).collect();
            assert_eq!(
                json(&s.cadence_calls(c.id).unwrap()),
                json(&want),
                "{n}: calls of cadence {}",
                c.id
            );
            let want: Vec<EmailFact> = facts
                .iter()
                .filter(|f| f.cadence_id == Some(c.id))
                .cloned()
                .collect();
            assert_eq!(
                s.cadence_email_facts(c.id).unwrap(),
                want,
                "{n}: facts of cadence {}",
                c.id
            );
        }
        assert_eq!(json(&s.people().unwrap()), json(&people), "{n}: people");
        assert_eq!(
            json(&s.cadences().unwrap()),
            json(&cadences),
            "{n}: cadences"
        );
        assert_eq!(json(&s.steps().unwrap()), json(&steps), "{n}: steps");
        assert_eq!(json(&s.users().unwrap()), json(&users), "{n}: users");
        assert_eq!(
            json(&s.memberships().unwrap()),
            json(&memberships),
            "{n}: memberships"
        );
        assert_eq!(all_facts(s), facts, "{n}: email facts");
        assert_eq!(
            s.person_rows().unwrap(),
            src.person_rows().unwrap(),
            "{n}: person rows"
        );
        let c = cadences[0].id;
        assert_eq!(
            json(&s.cadence_memberships(c).unwrap()),
            json(&src.cadence_memberships(c).unwrap()),
            "{n}: one cadence's memberships"
        );
        for table in sltui::store::TABLES {
            assert_eq!(
                s.count(table).unwrap(),
                src.count(table).unwrap(),
                "{n}: {table}"
            );
            assert!(s.has_rows(table).unwrap(), "{n}: {table}");
            assert_eq!(
                s.max_updated_us(table).unwrap(),
                src.max_updated_us(table).unwrap(),
                "{n}: {table}"
            );
        }
        for since in since {
            assert_eq!(
                s.range_totals(since).unwrap(),
                recount(&facts, since),
                "{n}: {since:?}"
            );
        }
        let (data, totals) = s.dashboard_summary(None).unwrap();
        assert_eq!(json(&data.cadences), json(&cadences), "{n}");
        assert_eq!(totals, recount(&facts, None), "{n}");
        seen.push((json(&s.people().unwrap()), all_facts(s)));
    }
    assert_eq!(seen[0], seen[1], "both backends hold the same");
}

/// Writing the same rows again changes nothing; an older version never replaces
/// a newer one (pages may arrive in any order or twice); a batch holding one id
/// twice keeps the newest.
#[test]
fn upserts_are_idempotent_and_never_go_back_in_time() {
    for mut b in both() {
        let n = b.name;
        let s = b.store.as_mut();
        let old = fact(1, Some(7), Some(70), 1, 0);
        let mut new = fact(1, Some(7), Some(70), 1 | 4 | 16, 0);
        new.updated_at = old.updated_at + chrono::Duration::seconds(60);
        s.upsert_email_facts(&[new.clone()], 1).unwrap();
        s.upsert_email_facts(&[new.clone()], 1).unwrap();
        s.upsert_email_facts(std::slice::from_ref(&old), 2).unwrap();
        assert_eq!(all_facts(s), vec![new.clone()], "{n}: the newer fact stays");
        assert_eq!(
            s.range_totals(None).unwrap(),
            recount(&[new.clone()], None),
            "{n}"
        );

        let mut p: Person = serde_json::from_value(serde_json::json!({
            "id": 42, "first_name": "Ada", "last_name": "Lovelace",
            "email_address": "ada@example.com", "updated_at": "2024-01-02T03:04:05Z",
            "created_at": "2024-01-01T00:00:00Z"
        }))
        .expect("a person");
        let older = p.clone();
        p.first_name = Some("Augusta".into());
        p.updated_at += chrono::Duration::seconds(1);
        for _ in 0..2 {
            s.upsert_prepared(&Person::prepare(&[p.clone()]), 1)
                .unwrap();
        }
        s.upsert_prepared(&Person::prepare(std::slice::from_ref(&older)), 1)
            .unwrap();
        // One batch with the id twice, the older last.
        s.upsert_prepared(&Person::prepare(&[p.clone(), older.clone()]), 1)
            .unwrap();
        assert_eq!(s.count("people").unwrap(), 1, "{n}");
        let rows = s.person_rows().unwrap();
        assert_eq!(
            rows[0].name, "Augusta Lovelace",
            "{n}: the newer person stays"
        );
        assert_eq!(json(&s.people().unwrap()), json(&vec![p.clone()]), "{n}");
    }
}

/// The sync checkpoints: a full sync's windows and pages, their records saved
/// with them, the sweep of rows the sync did not see, the incremental cursor.
#[test]
fn checkpoints_round_trip_and_a_finished_full_sync_sweeps() {
    for mut b in both() {
        let n = b.name;
        let s = b.store.as_mut();
        let fresh = s.resource_state("emails").unwrap();
        assert_eq!((fresh.generation, fresh.full_running()), (0, false), "{n}");
        // Generation 1 sees facts 1..=3.
        let first = s
            .begin_full("emails", Some(at(0, 0).fixed_offset()), Some(3))
            .unwrap();
        assert_eq!(first.generation, 1, "{n}");
        let f3: Vec<EmailFact> = (1..=3).map(|i| fact(i, Some(1), Some(1), 1, 0)).collect();
        s.upsert_email_facts(&f3, 1).unwrap();
        s.finish_full("emails", "email_facts", &CursorPosition::start())
            .unwrap();
        // Generation 2 sees 1 and 2 only, through pages.
        let state = s
            .begin_full("emails", Some(at(1, 0).fixed_offset()), Some(2))
            .unwrap();
        assert_eq!(state.generation, 2, "{n}");
        assert!(s.resource_state("emails").unwrap().full_running(), "{n}");
        assert_eq!(s.resource_state("emails").unwrap().expected, Some(2), "{n}");
        let wins = s.windows("emails").unwrap();
        assert_eq!(wins.len(), 1, "{n}: window 0 at the start");
        assert_eq!(wins[0].start, CursorPosition::start(), "{n}");
        let start = CursorPosition {
            after: Some(at(0, 10).fixed_offset()),
            seen_at_boundary: vec![5, 6],
        };
        s.add_window("emails", 1, &start).unwrap();
        s.add_window("emails", 1, &CursorPosition::start()).unwrap();
        let mark = |page: u32, ids: Vec<u64>| PageMark {
            idx: 1,
            page,
            count: if page == 1 { u64::MAX } else { 2 },
            len: ids.len() as u32,
            first_at: Some(at(0, 1).fixed_offset()),
            last_at: Some(at(0, 2).fixed_offset()),
            last_ids: ids,
        };
        let (m1, m2) = (mark(1, vec![1]), mark(2, vec![2]));
        let p1 = sltui::api::models::Email::prepare(&[]);
        let facts12 = EmailFact::prepare_facts(&f3[..2]);
        s.save_pages_prepared(&[("emails", &m1, &facts12, 2), ("emails", &m2, &p1, 2)])
            .unwrap();
        s.finish_window("emails", 1).unwrap();
        let wins = s.windows("emails").unwrap();
        assert_eq!(wins[1].start, start, "{n}: a window's start round trips");
        assert_eq!((wins[0].done, wins[1].done), (false, true), "{n}");
        assert_eq!(
            s.pages("emails").unwrap(),
            vec![m1.clone(), m2.clone()],
            "{n}"
        );
        let cursor = CursorPosition {
            after: Some(at(1, 0).fixed_offset()),
            seen_at_boundary: vec![2],
        };
        let removed = s.finish_full("emails", "email_facts", &cursor).unwrap();
        assert_eq!(removed, 1, "{n}: the fact generation 2 did not see is gone");
        assert_eq!(s.count("email_facts").unwrap(), 2, "{n}");
        assert_eq!(
            s.range_totals(None).unwrap(),
            recount(&f3[..2], None),
            "{n}"
        );
        let done = s.resource_state("emails").unwrap();
        assert!(!done.full_running() && done.full_done_at.is_some(), "{n}");
        assert_eq!(done.cursor, Some(cursor.clone()), "{n}");
        assert!(s.windows("emails").unwrap().is_empty() && s.pages("emails").unwrap().is_empty());
        // The incremental cursor moves with its records.
        let later = CursorPosition {
            after: Some(at(2, 0).fixed_offset()),
            seen_at_boundary: vec![],
        };
        let f9 = EmailFact::prepare_facts(&[fact(9, None, None, 1 | 2, 2)]);
        s.save_cursor_prepared("emails", &f9, &later).unwrap();
        assert_eq!(
            s.resource_state("emails").unwrap().cursor,
            Some(later),
            "{n}"
        );
        assert_eq!(s.count("email_facts").unwrap(), 3, "{n}");
        s.mark_synced("people").unwrap();
        assert!(s.last_synced_at().unwrap().is_some(), "{n}");
        s.set_meta("server", "http://example").unwrap();
        assert_eq!(
            s.meta("server").unwrap().as_deref(),
            Some("http://example"),
            "{n}"
        );
        assert_eq!(s.meta("other").unwrap(), None, "{n}");
    }
}

/// The per-day sums follow every kind of change (new facts, changed flags, a
/// fact moved to another day or cadence, a fact no longer sent, rows swept) and
/// always equal a recount, for ranges starting mid-day too.
#[test]
fn per_day_sums_equal_a_recount_after_every_change() {
    for mut b in both() {
        let n = b.name;
        let s = b.store.as_mut();
        // Tracking off too (32: views, 64: clicks), on opened and clicked emails.
        let flags = [1u8, 3, 5, 9, 17, 29, 0, 31, 1, 7, 37, 73, 109, 127, 45, 97];
        let mut facts: Vec<EmailFact> = (1..=400u64)
            .map(|i| {
                let c = (i % 4 != 0).then_some(i % 5 + 1);
                let st = c.map(|c| c * 10 + i % 3);
                fact(i, c, st, flags[i as usize % flags.len()], (i % 9) as i64)
            })
            .collect();
        // Generation 0: a full sync's sweep (below) removes what it did not see again.
        s.upsert_email_facts(&facts, 0).unwrap();
        let check = |s: &dyn RecordStore, facts: &[EmailFact], what: &str| {
            for since in [
                None,
                Some(at(3, 0)),
                Some(at(4, 4_000)),
                Some(at(8, 86_000)),
            ] {
                let since = since.map(|t| t.timestamp() as u32);
                assert_eq!(
                    s.range_totals(since).unwrap(),
                    recount(facts, since),
                    "{n}: {what}, since {since:?}"
                );
            }
        };
        check(s, &facts, "first write");
        // Changes: flags, day, cadence, unsent; each newer.
        for (k, f) in facts.iter_mut().enumerate().filter(|(k, _)| k % 7 == 0) {
            let mut g = fact(
                f.email_id,
                f.cadence_id,
                f.step_id,
                flags[(k + 3) % flags.len()],
                (k % 5) as i64,
            );
            if k % 14 == 0 {
                g.cadence_id = Some(99);
            }
            g.updated_at = f.updated_at + chrono::Duration::days(1);
            *f = g;
        }
        let changed: Vec<EmailFact> = facts.iter().step_by(7).cloned().collect();
        s.upsert_email_facts(&changed, 0).unwrap();
        check(s, &facts, "after changes");
        // A full sync that sees only the first 300: the rest are swept.
        let g = s.begin_full("emails", None, None).unwrap().generation;
        s.upsert_email_facts(&facts[..300], g).unwrap();
        let removed = s.finish_full("emails", "email_facts", &CursorPosition::start());
        assert_eq!(removed.unwrap(), 100, "{n}");
        facts.truncate(300);
        check(s, &facts, "after a sweep");
        assert_eq!(all_facts(s), by_id(facts.clone()), "{n}");
    }
}

/// As the sync engine holds its store: `Arc<Mutex<dyn RecordStore>>`, written
/// from several threads with the typed helpers, whichever the implementation.
#[test]
fn either_store_is_shared_as_the_sync_engine_shares_one() {
    let db = test_db();
    let sqlite: Arc<Mutex<Store>> = Arc::new(Mutex::new(Store::open_in_memory().unwrap()));
    let pg: Arc<Mutex<PgStore>> = Arc::new(Mutex::new(PgStore::connect(&db.url).unwrap()));
    // The engine's `Arc<Mutex<Store>>` becomes an `Arc<Mutex<dyn RecordStore>>` as it is.
    let stores: [(&str, Arc<Mutex<dyn RecordStore>>); 2] = [("sqlite", sqlite), ("postgres", pg)];
    for (n, shared) in stores {
        let writers: Vec<_> = (0..2u64)
            .map(|w| {
                let shared = shared.clone();
                std::thread::spawn(move || {
                    for batch in 0..5u64 {
                        let facts: Vec<_> = (0..20)
                            .map(|i| fact(w * 1000 + batch * 100 + i + 1, Some(w + 1), None, 1, 0))
                            .collect();
                        let emails: Vec<_> = facts.iter().map(email_of).collect();
                        let mut s = shared.lock().unwrap();
                        s.save_records(&emails, 1).expect("written");
                        let mark = PageMark {
                            idx: w as u32,
                            page: batch as u32 + 1,
                            count: 100,
                            len: 20,
                            first_at: None,
                            last_at: None,
                            last_ids: vec![],
                        };
                        s.save_page("emails", &mark, &emails, 1).expect("page");
                    }
                })
            })
            .collect();
        for w in writers {
            w.join().expect("no panic");
        }
        let s = shared.lock().unwrap();
        assert_eq!(s.count("email_facts").unwrap(), 200, "{n}");
        assert_eq!(s.pages("emails").unwrap().len(), 10, "{n}");
        assert_eq!(s.range_totals(None).unwrap().len(), 2, "{n}");
        assert!(!s.location().is_empty());
    }
}

/// Small helper the tests above use: facts as prepared rows.
trait PrepareFacts {
    fn prepare_facts(facts: &[EmailFact]) -> sltui::store::Prepared;
}

impl PrepareFacts for EmailFact {
    fn prepare_facts(facts: &[EmailFact]) -> sltui::store::Prepared {
        let mut out = Vec::new();
        for f in facts {
            out.push(email_of(f));
        }
        sltui::api::models::Email::prepare(&out)
    }
}

/// An API email whose fact is `f` (as `metrics::email_fact` reads it).
fn email_of(f: &EmailFact) -> sltui::api::models::Email {
    let v = serde_json::json!({
        "id": f.email_id,
        "status": if f.sent { "sent" } else { "scheduled" },
        "bounced": f.bounced,
        "sent_at": f.sent_at,
        "updated_at": f.updated_at,
        "created_at": f.updated_at,
        "counts": {
            "views": f.viewed as u32, "clicks": f.clicked as u32, "replies": f.replied as u32
        },
        "view_tracking": f.view_tracked,
        "click_tracking": f.click_tracked,
        "cadence": f.cadence_id.map(|id| serde_json::json!({"id": id})),
        "step": f.step_id.map(|id| serde_json::json!({"id": id})),
        "email_template": f.template_id.map(|id| serde_json::json!({"id": id})),
    });
    serde_json::from_value(v).expect("an email")
}
