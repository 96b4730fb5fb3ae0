//! `sltui report` against the simulator's ground truth.

use chrono::{SecondsFormat, TimeDelta, Utc};
use serde_json::Value;

use super::{COUNTS, Run, start};

fn parse_json(run: &Run) -> Vec<Value> {
    assert_eq!(run.code, 0, "stderr: {}", run.stderr);
    serde_json::from_str::<Value>(&run.stdout)
        .unwrap_or_else(|e| panic!("report json ({e}): {}", run.stdout))
        .as_array()
        .expect("an array")
        .clone()
}

fn count(v: &Value, field: &str) -> u64 {
    v[field]
        .as_u64()
        .unwrap_or_else(|| panic!("{field} in {v}"))
}

/// Every rate is count/denominator, or null when the denominator is zero.
fn assert_rates(row: &Value) {
    for (rate, num, den) in [
        ("open_rate", "opened", "view_tracked"),
        ("click_rate", "clicked", "click_tracked"),
        ("reply_rate", "replied", "delivered"),
        ("bounce_rate", "bounced", "sent"),
    ] {
        let (n, d) = (count(row, num), count(row, den));
        if d == 0 {
            assert!(row[rate].is_null(), "{rate} must be null: {row}");
        } else {
            let got = row[rate]
                .as_f64()
                .unwrap_or_else(|| panic!("{rate}: {row}"));
            assert!((got - n as f64 / d as f64).abs() < 1e-12, "{rate}: {row}");
        }
    }
}

/// The report's rows by cadence id (ids must be unique).
fn by_id(rows: &[Value]) -> std::collections::BTreeMap<String, Value> {
    let map: std::collections::BTreeMap<String, Value> = rows
        .iter()
        .map(|r| (count(r, "cadence_id").to_string(), r.clone()))
        .collect();
    assert_eq!(map.len(), rows.len(), "duplicate cadence ids");
    map
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn report_json_equals_the_simulators_truth() {
    let sim = start().await;
    let rows = parse_json(&sim.sltui(&["report", "--format", "json"]).await);
    let truth = sim.sim("truth/engagement").await;
    let truth = truth.as_object().expect("truth object");
    let rows = by_id(&rows);
    assert_eq!(
        rows.keys().collect::<Vec<_>>(),
        truth.keys().collect::<Vec<_>>(),
        "one row per cadence"
    );
    assert_eq!(rows.len(), 12);
    let mut zero_delivered = 0;
    for (id, want) in truth {
        let row = &rows[id];
        for field in COUNTS {
            assert_eq!(row[field], want[field], "{field} of cadence {id}");
        }
        assert!(row["name"].as_str().is_some_and(|n| !n.is_empty()), "{row}");
        assert_rates(row);
        zero_delivered += usize::from(count(row, "delivered") == 0);
    }
    // The data has engagement to compare (a report of zeros would prove nothing).
    assert!(rows.len() > zero_delivered);

    // One cadence, asked by id.
    let id = truth.keys().next().unwrap().clone();
    let one = parse_json(
        &sim.sltui(&["report", "--cadence", &id, "--format", "json"])
            .await,
    );
    assert_eq!(one.len(), 1);
    assert_eq!(one[0], rows[&id]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn report_days_counts_only_recent_emails() {
    let sim = start().await;
    let since = |t: chrono::DateTime<Utc>| {
        (t - TimeDelta::days(30)).to_rfc3339_opts(SecondsFormat::Micros, true)
    };
    let before = Utc::now();
    let run = sim
        .sltui(&["report", "--days", "30", "--format", "json"])
        .await;
    let after = Utc::now();
    let rows = by_id(&parse_json(&run));
    // The report's window starts between these two instants: its counts lie
    // between the truth for the later start and for the earlier one.
    let wide = sim
        .sim(&format!("truth/engagement?since={}", since(before)))
        .await;
    let narrow = sim
        .sim(&format!("truth/engagement?since={}", since(after)))
        .await;
    let all = sim.sim("truth/engagement").await;
    let (mut recent, mut ever) = (0, 0);
    for (id, row) in &rows {
        for field in COUNTS {
            let got = count(row, field);
            let (lo, hi) = (count(&narrow[id], field), count(&wide[id], field));
            assert!(
                lo <= got && got <= hi,
                "{field} of {id}: {lo} <= {got} <= {hi}"
            );
            if lo == hi {
                assert_eq!(got, lo, "{field} of {id}");
            }
            assert!(got <= count(&all[id], field));
        }
        assert_rates(row);
        recent += count(row, "sent");
        ever += count(&all[id], "sent");
    }
    assert_eq!(rows.len(), all.as_object().unwrap().len());
    assert!(recent > 0, "some emails in the last 30 days");
    assert!(recent < ever, "the window leaves older emails out");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn report_csv_and_table_have_a_row_per_cadence() {
    let sim = start().await;
    let truth = sim.sim("truth/engagement").await;
    let truth = truth.as_object().unwrap();

    let run = sim.sltui(&["report", "--format", "csv"]).await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(
        lines[0],
        "cadence_id,name,sent,delivered,opened,clicked,replied,bounced,view_tracked,\
         click_tracked,meetings_booked,opportunities_created,people_acted_on,calls,\
         calls_by_disposition,calls_by_sentiment,open_rate,click_rate,reply_rate,bounce_rate"
    );
    assert_eq!(lines.len(), 1 + truth.len(), "{}", run.stdout);
    for line in &lines[1..] {
        // The leading cells hold no commas (the call objects come later, quoted).
        let cells: Vec<&str> = line.split(',').collect();
        assert!(cells.len() >= 20, "{line}");
        let want = &truth[cells[0]];
        assert_eq!(
            cells[2].parse::<u64>().unwrap(),
            count(want, "sent"),
            "{line}"
        );
        if count(want, "sent") == 0 {
            assert!(line.ends_with(",,,,"), "undefined rates are empty: {line}");
        }
        assert!(!line.contains("NaN"), "{line}");
    }

    let run = sim.sltui(&["report"]).await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(!run.stdout.contains("NaN"), "{}", run.stdout);
    for (id, want) in truth {
        let line = run
            .stdout
            .lines()
            .find(|l| l.split_whitespace().next() == Some(id.as_str()))
            .unwrap_or_else(|| panic!("a table line for cadence {id}:\n{}", run.stdout));
        if count(want, "sent") == 0 {
            assert!(line.ends_with('—'), "undefined rates show a dash: {line}");
        } else {
            assert!(line.ends_with('%'), "{line}");
        }
    }
}

/// `spent N points in M requests` from a command's stderr.
fn spent(stderr: &str) -> (u64, u64) {
    let line = stderr
        .lines()
        .find(|l| l.contains("spent "))
        .unwrap_or_else(|| panic!("no spend line in: {stderr}"));
    let words: Vec<&str> = line.split_whitespace().collect();
    let at = words.iter().position(|w| *w == "spent").expect("spent");
    let points = words[at + 1].parse().expect("points");
    let requests = words[at + 4].parse().expect("requests");
    assert!(line.contains(" in "), "{line}");
    (points, requests)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_command_says_what_it_spent_and_it_is_what_the_server_charged() {
    let sim = start().await;
    let reset = format!("http://{}/_sim/stats/reset", sim.handle.addr());
    let cadence = sim.active_cadence().await.to_string();
    let person = sim.fresh_people(cadence.parse().unwrap(), 1).await[0]
        .0
        .to_string();
    let runs: [&[&str]; 4] = [
        &["report", "--format", "json"],
        &["enroll", "--cadence", &cadence, "--person", &person],
        &["doctor"],
        &["sync", "--json", "--only", "people"],
    ];
    for args in runs {
        sim.http.post(&reset).send().await.expect("reset stats");
        let run = sim.sltui(args).await;
        assert_eq!(run.code, 0, "{args:?}: {}", run.stderr);
        let stats = sim.sim("stats").await;
        let charged = stats["cost_charged"].as_u64().unwrap();
        let requests = stats["requests"].as_u64().unwrap();
        assert!(charged > 0, "{args:?} talked to SalesLoft");
        assert_eq!(
            spent(&run.stderr),
            (charged, requests),
            "{args:?} says what the server charged: {}",
            run.stderr
        );
        if args[0] == "sync" {
            let out: Value = serde_json::from_str(&run.stdout).expect("sync --json");
            assert_eq!(out["spent"]["points"], charged, "{out}");
            assert_eq!(out["spent"]["requests"], requests, "{out}");
        }
    }
}
