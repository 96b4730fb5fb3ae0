//! `sltui enroll --db`, `sltui report --db` and `sltui --db` run as the real
//! binary against the team database, with a private HOME and no SalesLoft key.

use std::path::PathBuf;
use std::process::{Command, Output};

use serde_json::Value;
use sltui::api::CursorPosition;
use sltui::api::models::{Call, EmailTemplate};
use sltui::metrics::{Aggregator, TimeRange};
use sltui::store::RecordStore;

use super::jobs::{CADENCE, PERSON, small_team};
use super::pg_support::test_db;
use super::support::{TestHubDriver, driver_membership, team_db};

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

/// Runs `sltui <args>` with an empty config in a private home.
async fn sltui(args: &[&str]) -> Run {
    sltui_with(args, "").await
}

/// Runs `sltui <args>` with `config` as its config file in a private home.
async fn sltui_with(args: &[&str], config_text: &str) -> Run {
    let home: PathBuf = std::env::temp_dir().join(format!(
        "sltui-hub-cli-{}-{}",
        std::process::id(),
        chrono::Utc::now().timestamp_nanos_opt().unwrap_or_default()
    ));
    std::fs::create_dir_all(&home).expect("home");
    let config = home.join("config.toml");
    std::fs::write(&config, config_text).expect("config");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&config, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_sltui"));
    cmd.args(args)
        .arg("--config")
        .arg(&config)
        .env("HOME", &home)
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("XDG_DATA_HOME", home.join("data"))
        .env("XDG_STATE_HOME", home.join("state"))
        .env("XDG_CACHE_HOME", home.join("cache"))
        .env_remove("SALESLOFT_API_KEY")
        .env_remove("SALESLOFT_BASE_URL")
        .env_remove("SLTUI_LOG");
    let out: Output = tokio::task::spawn_blocking(move || cmd.output())
        .await
        .expect("join")
        .expect("the binary runs");
    let _ = std::fs::remove_dir_all(&home);
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn enroll_db_waits_for_the_hub_and_exits_as_enroll_does() {
    let (db, _store) = small_team().await;
    let _driver = TestHubDriver::start(&db.url);
    let (cadence, person) = (CADENCE.to_string(), PERSON.to_string());
    let run = sltui(&[
        "enroll",
        "--db",
        &db.url,
        "--cadence",
        &cadence,
        "--person",
        &person,
    ])
    .await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    let job_id = 1;
    assert_eq!(
        run.stdout.trim(),
        format!(
            "enrolled person {PERSON} (membership {})",
            driver_membership(job_id)
        )
    );
    assert!(
        run.stderr.contains("spent 0 points in 0 requests"),
        "{}",
        run.stderr
    );
    let ro = sltui(&[
        "enroll",
        "--db",
        &db.url,
        "--read-only",
        "--cadence",
        &cadence,
        "--person",
        &person,
    ])
    .await;
    assert_eq!(ro.code, 1, "a refused enrollment fails: {}", ro.stdout);
    assert!(ro.stdout.contains("read-only mode"), "{}", ro.stdout);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn report_db_reads_the_database() {
    let (db, pg) = team_db(200).await;
    let run = sltui(&["report", "--db", &db.url, "--format", "json"]).await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    // This database holds no finished sync of the calls yet: said, not fatal.
    assert!(
        run.stderr.contains("the call columns are empty: ")
            && run
                .stderr
                .contains("not finished its first sync of calls ("),
        "{}",
        run.stderr
    );
    let rows: Value = serde_json::from_str(&run.stdout).expect("json");
    let mut agg = Aggregator::new(TimeRange::All, chrono::Utc::now());
    for f in pg.email_facts().unwrap() {
        agg.upsert(f);
    }
    let rows = rows.as_array().expect("rows");
    assert_eq!(rows.len(), pg.cadences().unwrap().len());
    for r in rows {
        let id = r["cadence_id"].as_u64().expect("id");
        let e = agg.by_cadence(id);
        assert_eq!(r["sent"].as_u64(), Some(e.sent), "cadence {id}");
        assert_eq!(r["replied"].as_u64(), Some(e.replied), "cadence {id}");
    }
    assert!(
        run.stderr.contains("spent 0 points in 0 requests"),
        "{}",
        run.stderr
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_database_without_a_hub_is_one_clear_line_and_stays_untouched() {
    let db = test_db();
    // Trust authentication takes any password: it must never be shown.
    let url = db.url.replacen("postgres@", "postgres:s3cret-pw@", 1);
    for args in [
        vec!["--db", url.as_str()],
        vec!["report", "--db", url.as_str()],
    ] {
        let run = sltui(&args).await;
        assert_eq!(run.code, 1, "{args:?}");
        let line = run.stderr.trim();
        assert_eq!(line.lines().count(), 1, "{line}");
        assert!(
            line.contains("run `sltui hub --db …` on it first"),
            "{line}"
        );
        assert!(!line.contains("s3cret-pw"), "{line}");
    }
    let bad = sltui(&["report", "--db", "postgres://u:s3cret-pw@127.0.0.1:1/x"]).await;
    assert_eq!(bad.code, 1);
    assert!(bad.stderr.contains("cannot connect"), "{}", bad.stderr);
    assert!(!bad.stderr.contains("s3cret-pw"), "{}", bad.stderr);
    let url = db.url.clone();
    let untouched = std::thread::spawn(move || {
        let mut c = postgres::Client::connect(&url, postgres::NoTls).unwrap();
        c.query_one("SELECT to_regnamespace('sltui') IS NULL", &[])
            .unwrap()
            .get::<_, bool>(0)
    })
    .join()
    .unwrap();
    assert!(untouched, "the dashboard created no schema");
}

/// `sltui alerts --db` evaluates the rules from the team database: exit 1 with
/// the firing rule and the rate the database's facts give, 0 and `[]` when none
/// fires, and nothing spent.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn alerts_from_the_team_database() {
    let (db, pg) = team_db(300).await;
    // What the rule counts: sent emails of any cadence in the last 30 days.
    let since = chrono::Utc::now() - chrono::TimeDelta::days(30);
    let mut e = sltui::metrics::Engagement::default();
    for f in pg.email_facts().expect("facts") {
        if f.cadence_id.is_some() && f.sent && f.range_time() >= since {
            e += f.engagement();
        }
    }
    assert!(e.sent > 0, "the team sent emails");
    let rate = e.replied as f64 / e.delivered as f64;
    let rules = |above: f64| {
        format!(
            "[[alerts]]\nname = \"replies\"\nmetric = \"reply_rate\"\nabove = {above}\n\
             days = 30\nmin_sent = 1\n"
        )
    };
    let run = sltui_with(
        &["alerts", "--db", &db.url, "--format", "json"],
        &rules(0.0),
    )
    .await;
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    let firing: Value = serde_json::from_str(&run.stdout).expect("json");
    assert_eq!(firing[0]["name"], "replies");
    assert_eq!(firing[0]["sent"].as_u64(), Some(e.sent));
    let shown = firing[0]["rate"].as_f64().expect("rate");
    assert!((shown - rate).abs() < 1e-9, "{shown} vs {rate}");
    assert!(
        run.stderr.contains("spent 0 points in 0 requests"),
        "{}",
        run.stderr
    );
    let quiet = sltui_with(
        &["alerts", "--db", &db.url, "--format", "json"],
        &rules(0.99),
    )
    .await;
    assert_eq!(quiet.code, 0, "{}{}", quiet.stdout, quiet.stderr);
    assert_eq!(quiet.stdout.trim(), "[]");
}

/// `sltui doctor --db` reads the team database's state: without a leading hub it
/// fails naming the leader; with one (and its status) every check passes; the
/// record counts are the database's; nothing is spent.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn doctor_checks_the_team_database() {
    let (db, pg) = team_db(100).await;
    // The tables added after the first six: calls and email templates.
    let pg = tokio::task::spawn_blocking(move || {
        let mut pg = pg;
        let store: &mut dyn RecordStore = &mut pg;
        let calls: Vec<Call> = (1..=3)
            .map(|id| {
                serde_json::from_value(serde_json::json!({
                    "id": id, "created_at": "2026-01-01T00:00:00Z",
                    "updated_at": "2026-01-01T00:00:00Z", "disposition": "Connected"
                }))
                .expect("a call")
            })
            .collect();
        let template: EmailTemplate = serde_json::from_value(serde_json::json!({
            "id": 9, "created_at": "2026-01-01T00:00:00Z",
            "updated_at": "2026-01-01T00:00:00Z", "title": "Intro"
        }))
        .expect("a template");
        store.upsert(&calls, 1).expect("calls stored");
        store.upsert(&[template], 1).expect("template stored");
        pg
    })
    .await
    .expect("join");
    let run = sltui(&["doctor", "--db", &db.url]).await;
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stdout.contains("[FAIL] leader      no hub leads now"),
        "{}",
        run.stdout
    );
    let people = pg.count("people").expect("count");
    assert!(
        run.stdout
            .contains(&format!("[ok  ] records     {people} people, ")),
        "{}",
        run.stdout
    );
    let records = run
        .stdout
        .lines()
        .find(|l| l.contains("records"))
        .expect("a records line");
    for table in sltui::store::TABLES {
        let n = pg.count(table).expect("count");
        let named = format!("{n} {}", table.replace('_', " "));
        assert!(
            records.contains(&named),
            "every table the hub fills is listed ({named}): {records}"
        );
    }
    assert!(
        records.contains(" 3 calls, ") && records.contains(" 1 email templates"),
        "{records}"
    );
    assert!(
        run.stderr.contains("spent 0 points in 0 requests"),
        "{}",
        run.stderr
    );

    // A hub leads and has written its status and a sync.
    let url = db.url.clone();
    let lead = tokio::task::spawn_blocking(move || {
        let s = sltui::store::PgStore::connect(&url).expect("connects");
        let lead = s.try_lead("doctor-hub").expect("asks").expect("leads");
        s.note_sync("doctor-hub", chrono::Utc::now())
            .expect("sync noted");
        s.note_budget("doctor-hub", 512, 600).expect("budget noted");
        (s, lead)
    })
    .await
    .expect("join");
    let run = sltui(&["doctor", "--db", &db.url]).await;
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stdout.contains("hub doctor-hub leads"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("team budget 512/600"), "{}", run.stdout);
    assert!(
        run.stdout.ends_with("All checks passed.\n"),
        "{}",
        run.stdout
    );
    drop(lead);

    // A database no hub set up: one line that says what to do.
    let empty = test_db();
    let run = sltui(&["doctor", "--db", &empty.url]).await;
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stdout.contains("run `sltui hub --db …` on it first"),
        "{}",
        run.stdout
    );
}

/// Before the hub's first sync of what a report reads ends, `report --db` says
/// which records are missing, how far each got and whether a hub is at work
/// (else what to start): `--by step` exits 1 in one line, `--by day` prints
/// its counts with a line saying they are partial. Once the sync is done,
/// neither is said.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reports_before_the_hubs_first_sync_say_how_far_it_got() {
    let (db, pg) = team_db(100).await;
    let cadence = pg.cadences().unwrap()[0].id.to_string();
    let by_step = [
        "report",
        "--db",
        &db.url,
        "--by",
        "step",
        "--cadence",
        &cadence,
    ];
    let by_day = ["report", "--db", &db.url, "--by", "day", "--format", "json"];
    let first_line = |run: &Run| run.stderr.lines().next().unwrap_or_default().to_string();

    // No hub has run: nothing is synced in full.
    let run = sltui(&by_step).await;
    assert_eq!(run.code, 1, "{}", run.stderr);
    let line = first_line(&run);
    assert!(
        line.starts_with(
            "sltui: could not read the steps and emails: the hub has not finished its first \
             sync of steps ("
        ) && line.contains("email templates (")
            && line.ends_with("no hub has run on this database: start `sltui hub --db …`"),
        "{line}"
    );
    assert!(!line.contains("application_name"), "{line}");
    let run = sltui(&by_day).await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    let facts = pg.count("email_facts").unwrap();
    assert!(facts > 0 && facts < 1000, "{facts}");
    assert!(
        run.stderr.contains(&format!(
            "these counts are partial: the hub has not finished its first sync of emails \
             ({facts} so far); no hub has run"
        )),
        "{}",
        run.stderr
    );

    // A hub leads and has finished all but the calls.
    let (pg, lead) = tokio::task::spawn_blocking(move || {
        let mut pg = pg;
        let lead = pg.try_lead("first-hub").expect("asks").expect("leads");
        pg.note_sync("first-hub", chrono::Utc::now())
            .expect("status");
        let store: &mut dyn RecordStore = &mut pg;
        for r in ["steps", "emails", "email_templates"] {
            store.begin_full(r, None, None).unwrap();
            store.finish_full(r, r, &CursorPosition::start()).unwrap();
        }
        (pg, lead)
    })
    .await
    .expect("join");
    let run = sltui(&by_step).await;
    assert_eq!(run.code, 1, "{}", run.stderr);
    let line = first_line(&run);
    assert!(
        line.ends_with(
            "the hub has not finished its first sync of calls (not started); hub first-hub is \
             syncing them: try again in a few minutes"
        ),
        "{line}"
    );
    let run = sltui(&by_day).await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(!run.stderr.contains("partial"), "{}", run.stderr);

    // Every first sync done: the breakdown is printed.
    let pg = tokio::task::spawn_blocking(move || {
        let mut pg = pg;
        let store: &mut dyn RecordStore = &mut pg;
        store.begin_full("calls", None, None).unwrap();
        store
            .finish_full("calls", "calls", &CursorPosition::start())
            .unwrap();
        pg
    })
    .await
    .expect("join");
    let run = sltui(&by_step).await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(!run.stderr.contains("first sync"), "{}", run.stderr);
    drop((pg, lead));
}
