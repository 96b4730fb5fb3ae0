//! Tracking-aware sums and template ids (SQLite migration 3, PostgreSQL
//! migration 4): an email sent without view (click) tracking leaves the open
//! (click) rate's denominator on both stores alike; a PostgreSQL database of
//! version 3 upgrades and counts its old facts as tracked.

use chrono::TimeDelta;
use sltui::metrics::{EmailFact, Engagement};
use sltui::store::pg::PG_SCHEMA_VERSION;
use sltui::store::{PgStore, RecordStore};

use super::pg_support::test_db;
use super::{all_facts, both, by_id, fact, recount};

fn total(s: &dyn RecordStore) -> Engagement {
    let mut e = Engagement::default();
    for (_, g) in s.range_totals(None).unwrap() {
        e += g;
    }
    e
}

fn newer(mut f: EmailFact) -> EmailFact {
    f.updated_at += TimeDelta::seconds(60);
    f
}

#[test]
fn untracked_emails_leave_the_open_and_click_denominators_on_both_stores() {
    let mut seen = Vec::new();
    for mut b in both() {
        let n = b.name;
        let s = b.store.as_mut();
        let (c, st) = (Some(7), Some(70));
        let mut facts = vec![
            fact(1, c, st, 1 | 4, 0),            // opened, tracked
            fact(2, c, st, 1 | 4 | 32, 0),       // a view without view tracking: not counted
            fact(3, c, st, 1 | 32 | 64, 0),      // nothing tracked
            fact(4, c, st, 1 | 8, 0),            // clicked, tracked
            fact(5, c, st, 1 | 8 | 64, 0),       // a click without click tracking
            fact(6, c, st, 1 | 2 | 32, 0),       // bounced: in no denominator
            fact(7, c, st, 1 | 16 | 32 | 64, 0), // a reply counts without tracking
        ];
        s.upsert_email_facts(&facts, 1).unwrap();
        assert_eq!(s.range_totals(None).unwrap(), recount(&facts, None), "{n}");
        let e = total(s);
        assert_eq!(
            (e.sent, e.delivered, e.bounced, e.replied),
            (7, 6, 1, 1),
            "{n}"
        );
        assert_eq!((e.view_tracked, e.opened), (3, 1), "{n}");
        assert_eq!((e.click_tracked, e.clicked), (3, 1), "{n}");
        let r = e.rates();
        assert_eq!((r.open, r.click), (Some(1.0 / 3.0), Some(1.0 / 3.0)), "{n}");
        assert_eq!(
            r.reply,
            Some(1.0 / 6.0),
            "{n}: replies over every delivered"
        );
        let templates: Vec<Option<u64>> = all_facts(s).iter().map(|f| f.template_id).collect();
        assert_eq!(
            templates,
            [
                Some(501),
                Some(500),
                None,
                Some(500),
                Some(501),
                None,
                Some(501)
            ],
            "{n}: template ids round-trip"
        );
        assert_eq!(all_facts(s), by_id(facts.clone()), "{n}");

        // A newer version of email 1: view tracking off, another template.
        let mut one = newer(fact(1, c, st, 1 | 4 | 32, 0));
        one.template_id = Some(777);
        s.upsert_email_facts(std::slice::from_ref(&one), 1).unwrap();
        facts[0] = one;
        let e = total(s);
        assert_eq!((e.view_tracked, e.opened), (2, 0), "{n}");
        assert_eq!(all_facts(s)[0].template_id, Some(777), "{n}");

        // One write swapping flags between two facts of one (day, cadence, step):
        // each flag bit's sum cancels, the opened and delivered sums do not.
        let pair = [
            fact(20, Some(8), Some(80), 1 | 2 | 4, 1),
            fact(21, Some(8), Some(80), 1, 1),
        ];
        s.upsert_email_facts(&pair, 1).unwrap();
        let swapped = [
            newer(fact(20, Some(8), Some(80), 1 | 4, 1)),
            newer(fact(21, Some(8), Some(80), 1 | 2, 1)),
        ];
        s.upsert_email_facts(&swapped, 1).unwrap();
        facts.extend(swapped);
        let totals = s.range_totals(None).unwrap();
        assert_eq!(totals, recount(&facts, None), "{n}: after the swap");
        seen.push((totals, all_facts(s)));
    }
    assert_eq!(seen[0], seen[1], "both stores count and hold the same");
}

/// Migrations 4 to 7 taken back out by hand (dropping the calls and templates
/// takes out migration 7 with them), facts stored as a version-3 build wrote
/// them (flags 1 to 31, no template column) with the per-day sums left stale:
/// connecting upgrades the database, the facts read as tracked, and the sums
/// are rebuilt; the emails' finished sync is started over (migration 6: the
/// facts have no recipients yet).
#[test]
fn a_version_three_database_upgrades_and_counts_its_old_facts_as_tracked() {
    assert_eq!(
        PG_SCHEMA_VERSION, 7,
        "this test takes migrations 4 to 7 back out: take the later ones out too"
    );
    let db = test_db();
    drop(PgStore::connect(&db.url).expect("store connects"));
    let mut c = postgres::Client::connect(&db.url, postgres::NoTls).expect("admin connection");
    c.batch_execute(
        "DELETE FROM sltui.schema_migrations WHERE version >= 4;
         DROP TABLE sltui.calls, sltui.email_templates;
         ALTER TABLE sltui.email_facts DROP COLUMN person_id;
         INSERT INTO sltui.sync_state (resource, generation, cursor, full_done_at, synced_at)
         VALUES ('emails', 1, '{}', now(), now());
         DROP INDEX sltui.removals_at;
         ALTER TABLE sltui.removals DROP COLUMN at;
         ALTER TABLE sltui.email_facts DROP COLUMN template_id;
         ALTER TABLE sltui.fact_days DROP COLUMN view_tracked, DROP COLUMN click_tracked;
         DROP FUNCTION sltui.fact_days_add(sltui.fact_delta[]);
         DROP TYPE sltui.fact_delta;
         ALTER TABLE sltui.email_facts DISABLE TRIGGER USER;
         INSERT INTO sltui.email_facts (id, updated_us, seen, cadence_id, step_id, flags, sent_at)
         VALUES (1, 1714000000000000, 1, 7, 70, 1 | 4, 1714000000000000),
                (2, 1714000001000000, 1, 7, 70, 1 | 16, 1714000001000000),
                (3, 1714000002000000, 1, 7, 70, 1 | 2, 1714000002000000);
         ALTER TABLE sltui.email_facts ENABLE TRIGGER USER;",
    )
    .expect("a version-3 database");
    let s = PgStore::connect(&db.url).expect("upgrades");
    assert_eq!(s.schema_version().unwrap(), PG_SCHEMA_VERSION);
    let emails = s.resource_state("emails").unwrap();
    assert!(
        emails.cursor.is_none() && emails.full_done_at.is_none(),
        "the emails are read again in full, with their recipients: {emails:?}"
    );
    let facts = s.email_facts().unwrap();
    assert_eq!(facts.len(), 3);
    assert!(
        facts
            .iter()
            .all(|f| f.view_tracked && f.click_tracked && f.template_id.is_none()),
        "{facts:?}"
    );
    assert_eq!(s.range_totals(None).unwrap(), recount(&facts, None));
    let e = total(&s);
    assert_eq!(
        (e.sent, e.delivered, e.opened, e.replied),
        (3, 2, 1, 1),
        "the sums were rebuilt"
    );
    assert_eq!((e.view_tracked, e.click_tracked), (2, 2));
}
