//! The dashboard's funnel and template table show what `report --by step` and
//! `--by template` print: the worker's `Funnel` answer (what the detail draws)
//! for the busiest cadence, against the binary's JSON for the same cadence.

use std::time::Duration;

use serde_json::{Value, json};
use sltui::api::{ApiClient, ApiConfig};
use sltui::metrics::TimeRange;
use sltui::worker::{self, Envelope, Priority, Request, WorkerEvent, WorkerOptions};

use std::collections::BTreeMap;

use super::breakdowns::{all, busiest, rows};
use super::{KEY, Sim, start};

/// The worker's answer to `Funnel` for the cadence over all time.
async fn funnel(sim: &Sim, cadence_id: u64) -> WorkerEvent {
    let client =
        ApiClient::new(ApiConfig::new(&sim.handle.base_url(), Some(KEY.into()))).expect("client");
    let mut handle = worker::spawn(client, WorkerOptions::default());
    let request = Request::Funnel {
        cadence_id,
        range: TimeRange::All,
    };
    handle
        .requests
        .send(Envelope {
            id: 7,
            priority: Priority::Visible,
            request,
        })
        .expect("worker running");
    let mut answer = None;
    loop {
        let e = tokio::time::timeout(Duration::from_secs(180), handle.events.recv())
            .await
            .expect("the worker went quiet")
            .expect("the worker stopped");
        match e {
            WorkerEvent::Funnel { id: 7, .. } => answer = Some(e),
            WorkerEvent::Finished { id: 7, error } => {
                assert_eq!(error, None, "the funnel read failed");
                return answer.expect("a Funnel event before Finished");
            }
            _ => {}
        }
    }
}

fn close(a: &Value, b: Option<f64>, what: &str) {
    match b {
        None => assert!(a.is_null(), "{what}: {a} vs null"),
        Some(b) => assert!(
            (a.as_f64().unwrap_or(f64::NAN) - b).abs() < 1e-12,
            "{what}: {a} vs {b}"
        ),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_detail_shows_what_report_by_step_and_template_print() {
    let sim = start().await;
    // The busiest cadence by emails, and the one whose steps made the most calls
    // (people reached by calls count too).
    let (busy, _) = busiest(&sim).await;
    let mut by_calls: BTreeMap<u64, usize> = BTreeMap::new();
    for call in all(&sim, "activities/calls").await {
        if let (Some(c), Some(_)) = (call["cadence"]["id"].as_u64(), call["step"]["id"].as_u64()) {
            *by_calls.entry(c).or_default() += 1;
        }
    }
    let (&calling, _) = by_calls
        .iter()
        .max_by_key(|(_, n)| **n)
        .expect("the simulator makes calls on cadence steps");
    for cid in [busy, calling] {
        same_numbers(&sim, cid).await;
    }
}

async fn same_numbers(sim: &Sim, cid: u64) {
    let cid_s = cid.to_string();
    let report = rows(
        &sim.sltui(&[
            "report",
            "--by",
            "step",
            "--cadence",
            &cid_s,
            "--format",
            "json",
        ])
        .await,
    );
    let WorkerEvent::Funnel {
        cadence_id,
        steps,
        funnel,
        templates,
        titles,
        ..
    } = funnel(sim, cid).await
    else {
        unreachable!()
    };
    assert_eq!(cadence_id, cid);
    // The same rows in the same order, disabled steps included.
    assert_eq!(funnel.len(), report.len(), "{report:?}");
    assert!(
        steps.iter().any(|s| s.disabled) || report.iter().all(|r| r["disabled"] == json!(false))
    );
    let mut reached_somewhere = false;
    for (row, want) in funnel.iter().zip(&report) {
        assert_eq!(json!(row.step_id), want["step_id"]);
        assert_eq!(json!(row.people_reached), want["people_reached"]);
        reached_somewhere |= row.people_reached > 0;
        let e = row.engagement;
        for (k, v) in [
            ("sent", e.sent),
            ("delivered", e.delivered),
            ("opened", e.opened),
            ("clicked", e.clicked),
            ("replied", e.replied),
            ("bounced", e.bounced),
        ] {
            assert_eq!(json!(v), want[k], "{k} of step {:?}", row.step_id);
        }
    }
    assert!(reached_somewhere, "the busiest cadence reached somebody");
    // Every step with templates: the same table as `--by template`.
    assert!(!templates.is_empty(), "the simulator's steps use templates");
    let mut compared = 0;
    let mut pairs = 0;
    for (step, stats) in &templates {
        let run = sim
            .sltui(&[
                "report",
                "--by",
                "template",
                "--cadence",
                &cid_s,
                "--step",
                &step.to_string(),
                "--format",
                "json",
            ])
            .await;
        let want = rows(&run);
        assert_eq!(stats.len(), want.len(), "templates of step {step}");
        pairs += usize::from(stats.len() >= 2);
        for (t, w) in stats.iter().zip(&want) {
            let what = format!("template {:?} of step {step}", t.template_id);
            assert_eq!(json!(t.template_id), w["template_id"], "{what}");
            let name = t.template_id.and_then(|id| titles.get(&id));
            assert_eq!(json!(name), w["template_name"], "{what}");
            assert_eq!(json!(t.engagement.sent), w["sent"], "{what}");
            assert_eq!(json!(t.engagement.delivered), w["delivered"], "{what}");
            assert_eq!(json!(t.engagement.replied), w["replied"], "{what}");
            assert_eq!(json!(t.leader), w["leader"], "{what}");
            assert_eq!(json!(t.verdict.as_str()), w["verdict"], "{what}");
            close(&w["reply_rate"], t.reply_rate, &what);
            close(&w["p_value"], t.p_value, &what);
            close(&w["p_better"], t.p_better, &what);
            close(&w["reply_rate_ci"][0], t.reply_rate_ci.map(|c| c.0), &what);
            close(&w["reply_rate_ci"][1], t.reply_rate_ci.map(|c| c.1), &what);
            compared += 1;
        }
    }
    assert!(
        compared >= 2 && pairs > 0,
        "at least one step compares two templates"
    );
}
