//! `report --by step|template|day|week` and the outcome/call fields, checked
//! against a computation of our own from the raw records the test reads from
//! the simulator's API (not through sltui's client or metrics).

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Value, json};

use super::{Run, Sim, start};

pub(super) fn rows(run: &Run) -> Vec<Value> {
    assert_eq!(run.code, 0, "stderr: {}", run.stderr);
    assert!(
        run.stderr
            .lines()
            .last()
            .is_some_and(|l| l.starts_with("sltui: spent ") && l.contains(" request")),
        "the spend line ends stderr: {}",
        run.stderr
    );
    serde_json::from_str::<Value>(&run.stdout)
        .unwrap_or_else(|e| panic!("json ({e}): {}", run.stdout))
        .as_array()
        .expect("an array")
        .clone()
}

/// Every record of a list, page by page.
pub(super) async fn all(sim: &Sim, path: &str) -> Vec<Value> {
    let mut out = Vec::new();
    for page in 1.. {
        let sep = if path.contains('?') { '&' } else { '?' };
        let v = sim
            .api(&format!("{path}{sep}per_page=100&page={page}"))
            .await;
        let data = v["data"].as_array().expect("data").clone();
        let n = data.len();
        out.extend(data);
        if n < 100 {
            break;
        }
    }
    out
}

/// Counts over raw email records, by the README's definitions.
#[derive(Debug, Default, Clone, Copy, PartialEq)]
pub(super) struct Counts {
    pub(super) sent: u64,
    delivered: u64,
    opened: u64,
    clicked: u64,
    replied: u64,
    bounced: u64,
    view_tracked: u64,
    click_tracked: u64,
}

impl Counts {
    fn add(&mut self, e: &Value) {
        let status = e["status"].as_str().unwrap_or("");
        if !["sent", "sent_from_gmail", "sent_from_external"].contains(&status) {
            return;
        }
        self.sent += 1;
        if e["bounced"] == json!(true) {
            self.bounced += 1;
            return;
        }
        self.delivered += 1;
        let n = |k: &str| e["counts"][k].as_u64().unwrap_or(0) > 0;
        let vt = e["view_tracking"] == json!(true);
        let ct = e["click_tracking"] == json!(true);
        self.view_tracked += u64::from(vt);
        self.click_tracked += u64::from(ct);
        self.opened += u64::from(vt && n("views"));
        self.clicked += u64::from(ct && n("clicks"));
        self.replied += u64::from(n("replies"));
    }

    fn check(&self, row: &Value, what: &str) {
        for (k, v) in [
            ("sent", self.sent),
            ("delivered", self.delivered),
            ("opened", self.opened),
            ("clicked", self.clicked),
            ("replied", self.replied),
            ("bounced", self.bounced),
            ("view_tracked", self.view_tracked),
            ("click_tracked", self.click_tracked),
        ] {
            assert_eq!(row[k], json!(v), "{k} of {what}: {row}");
        }
        let rate = |n: u64, d: u64| (d > 0).then(|| n as f64 / d as f64);
        for (k, want) in [
            ("open_rate", rate(self.opened, self.view_tracked)),
            ("click_rate", rate(self.clicked, self.click_tracked)),
            ("reply_rate", rate(self.replied, self.delivered)),
            ("bounce_rate", rate(self.bounced, self.sent)),
        ] {
            match want {
                None => assert!(row[k].is_null(), "{k} of {what}: {row}"),
                Some(w) => assert!(
                    (row[k].as_f64().unwrap() - w).abs() < 1e-12,
                    "{k} of {what}"
                ),
            }
        }
    }
}

fn id(v: &Value, k: &str) -> Option<u64> {
    v[k]["id"].as_u64()
}

/// The cadence with the most sent emails.
pub(super) async fn busiest(sim: &Sim) -> (u64, Vec<Value>) {
    let mut best = (0, Vec::new());
    for c in sim.cadences().await {
        let cid = c["id"].as_u64().unwrap();
        let emails = all(sim, &format!("activities/emails?cadence_id[]={cid}")).await;
        if emails.len() > best.1.len() {
            best = (cid, emails);
        }
    }
    best
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cadence_rows_carry_outcomes_and_calls() {
    let sim = start().await;
    let report = rows(&sim.sltui(&["report", "--format", "json"]).await);
    let calls = all(&sim, "activities/calls").await;
    let cadences = sim.cadences().await;
    check_calls(&report, &calls, &cadences);
}

/// Checks the cadence rows' outcome and call fields against the raw cadences
/// and calls; the data must hold calls.
pub(super) fn check_calls(report: &[Value], calls: &[Value], cadences: &[Value]) {
    let mut some_calls = 0;
    for row in report {
        let cid = row["cadence_id"].as_u64().unwrap();
        let c = cadences.iter().find(|c| c["id"] == json!(cid)).unwrap();
        assert_eq!(row["meetings_booked"], c["counts"]["meetings_booked"]);
        assert_eq!(
            row["opportunities_created"],
            c["counts"]["opportunities_created"]
        );
        assert_eq!(row["people_acted_on"], c["counts"]["people_acted_on_count"]);
        let mine: Vec<&Value> = calls
            .iter()
            .filter(|k| id(k, "cadence") == Some(cid))
            .collect();
        assert_eq!(row["calls"], json!(mine.len()), "calls of {cid}");
        let mut by_d: BTreeMap<String, u64> = BTreeMap::new();
        let mut by_s: BTreeMap<String, u64> = BTreeMap::new();
        for k in &mine {
            let key = |v: &Value| v.as_str().unwrap_or("(none)").to_string();
            *by_d.entry(key(&k["disposition"])).or_default() += 1;
            *by_s.entry(key(&k["sentiment"])).or_default() += 1;
        }
        assert_eq!(row["calls_by_disposition"], json!(by_d));
        assert_eq!(row["calls_by_sentiment"], json!(by_s));
        some_calls += mine.len();
    }
    assert!(some_calls > 0, "the data has calls to count");
}

/// Checks `report --by step` rows against our own count of the cadence's raw
/// emails and the team's raw calls; returns the rows' sum.
pub(super) fn check_steps(
    steps: &[Value],
    emails: &[Value],
    calls: &[Value],
    api_steps: &[Value],
) -> Counts {
    let mut total = Counts::default();
    for row in steps {
        let sid = row["step_id"].as_u64().unwrap();
        let api = api_steps.iter().find(|s| s["id"] == json!(sid)).unwrap();
        assert_eq!(row["disabled"], api["disabled"]);
        assert_eq!(row["type"], api["type"]);
        let mut c = Counts::default();
        let mut people = BTreeSet::new();
        for e in emails.iter().filter(|e| id(e, "step") == Some(sid)) {
            c.add(e);
            let sent = ["sent", "sent_from_gmail", "sent_from_external"]
                .contains(&e["status"].as_str().unwrap_or(""));
            if sent {
                people.insert(id(e, "recipient").unwrap());
            }
        }
        for k in calls.iter().filter(|k| id(k, "step") == Some(sid)) {
            people.insert(id(k, "called_person").unwrap());
        }
        c.check(row, &format!("step {sid}"));
        assert_eq!(
            row["people_reached"],
            json!(people.len()),
            "people of step {sid}"
        );
        let n = |k: &str| row[k].as_u64().unwrap();
        total.sent += n("sent");
        total.delivered += n("delivered");
        total.opened += n("opened");
        total.clicked += n("clicked");
        total.replied += n("replied");
        total.bounced += n("bounced");
    }
    total
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn steps_add_up_to_their_cadence() {
    let sim = start().await;
    let (cid, emails) = busiest(&sim).await;
    let cid_s = cid.to_string();
    let steps = rows(
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
    let cadence_row = rows(
        &sim.sltui(&["report", "--cadence", &cid_s, "--format", "json"])
            .await,
    );
    let api_steps = all(&sim, &format!("steps?cadence_id={cid}")).await;
    assert_eq!(
        steps.len(),
        api_steps.len(),
        "one row per step, disabled ones too"
    );
    // In cadence order: day, then step number.
    let order: Vec<(u64, u64)> = steps
        .iter()
        .map(|r| {
            (
                r["day"].as_u64().unwrap(),
                r["step_number"].as_u64().unwrap(),
            )
        })
        .collect();
    let mut sorted = order.clone();
    sorted.sort();
    assert_eq!(order, sorted);
    let calls = all(&sim, "activities/calls").await;
    let total = check_steps(&steps, &emails, &calls, &api_steps);
    for (k, v) in [
        ("sent", total.sent),
        ("delivered", total.delivered),
        ("opened", total.opened),
        ("clicked", total.clicked),
        ("replied", total.replied),
        ("bounced", total.bounced),
    ] {
        assert_eq!(
            cadence_row[0][k],
            json!(v),
            "steps add up to the cadence's {k}"
        );
    }
    assert!(total.sent > 0);
}

/// Checks `report --by template` rows of step `sid` against our own count of
/// the raw emails and the templates' titles from the API.
pub(super) async fn check_templates(sim: &Sim, report: &[Value], emails: &[Value], sid: u64) {
    let mut want: BTreeMap<u64, Counts> = BTreeMap::new();
    for e in emails.iter().filter(|e| id(e, "step") == Some(sid)) {
        if let Some(t) = id(e, "email_template") {
            want.entry(t).or_default().add(e);
        }
    }
    let want: BTreeMap<u64, Counts> = want.into_iter().filter(|(_, c)| c.sent > 0).collect();
    assert_eq!(report.len(), want.len(), "{report:?}");
    let leader_rate = want
        .values()
        .filter(|c| c.delivered > 0)
        .map(|c| c.replied as f64 / c.delivered as f64)
        .fold(0.0, f64::max);
    let mut leaders = 0;
    for row in report {
        let t = row["template_id"].as_u64().unwrap();
        let c = want[&t];
        assert_eq!(row["sent"], json!(c.sent));
        assert_eq!(row["delivered"], json!(c.delivered));
        assert_eq!(row["replied"], json!(c.replied));
        let title = sim.api(&format!("email_templates/{t}")).await["data"]["title"].clone();
        assert_eq!(row["template_name"], title);
        if c.delivered == 0 {
            assert!(
                row["reply_rate"].is_null() && row["reply_rate_ci"].is_null(),
                "{row}"
            );
            continue;
        }
        let rate = c.replied as f64 / c.delivered as f64;
        assert!((row["reply_rate"].as_f64().unwrap() - rate).abs() < 1e-12);
        let ci = row["reply_rate_ci"].as_array().expect("an interval");
        let (lo, hi) = (ci[0].as_f64().unwrap(), ci[1].as_f64().unwrap());
        assert!(lo <= rate && rate <= hi && lo >= 0.0 && hi <= 1.0, "{row}");
        if row["leader"] == json!(true) {
            leaders += 1;
            assert!(
                (rate - leader_rate).abs() < 1e-12,
                "the leader has the best rate"
            );
            assert!(row["p_value"].is_null() && row["p_better"].is_null());
        } else {
            let p = row["p_value"].as_f64().unwrap();
            let b = row["p_better"].as_f64().unwrap();
            assert!(
                (0.0..=1.0).contains(&p) && (0.0..=1.0).contains(&b),
                "{row}"
            );
            assert!(b <= 0.5 + 1e-9, "nothing beats the leader's rate: {row}");
        }
        let verdict = row["verdict"].as_str().unwrap();
        assert!(
            [
                "not enough data",
                "leader is better",
                "winner",
                "only template"
            ]
            .contains(&verdict),
            "{verdict}"
        );
    }
    assert_eq!(leaders, 1);
}

/// The step of cadence's `emails` with the most templates, then the most emails.
pub(super) fn step_with_templates(emails: &[Value]) -> u64 {
    let mut per_step: BTreeMap<u64, (BTreeSet<u64>, usize)> = BTreeMap::new();
    for e in emails {
        if let (Some(s), Some(t)) = (id(e, "step"), id(e, "email_template")) {
            let p = per_step.entry(s).or_default();
            p.0.insert(t);
            p.1 += 1;
        }
    }
    let (&sid, _) = per_step
        .iter()
        .max_by_key(|(_, (t, n))| (t.len(), *n))
        .expect("a step with templates");
    sid
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn templates_of_a_step_against_its_leader() {
    let sim = start().await;
    let (cid, emails) = busiest(&sim).await;
    let sid = step_with_templates(&emails);
    let run = sim
        .sltui(&[
            "report",
            "--by",
            "template",
            "--cadence",
            &cid.to_string(),
            "--step",
            &sid.to_string(),
            "--format",
            "json",
        ])
        .await;
    let report = rows(&run);
    check_templates(&sim, &report, &emails, sid).await;
    // An unknown step is a usage error.
    let run = sim
        .sltui(&[
            "report",
            "--by",
            "template",
            "--cadence",
            &cid.to_string(),
            "--step",
            "1",
        ])
        .await;
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains("not a step of cadence"),
        "{}",
        run.stderr
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn days_and_weeks_add_up_to_the_cadence_rows() {
    let sim = start().await;
    let (cid, emails) = busiest(&sim).await;
    let cid_s = cid.to_string();
    let cadence = rows(
        &sim.sltui(&["report", "--cadence", &cid_s, "--format", "json"])
            .await,
    );
    let days = rows(
        &sim.sltui(&[
            "report",
            "--by",
            "day",
            "--cadence",
            &cid_s,
            "--format",
            "json",
        ])
        .await,
    );
    let weeks = rows(
        &sim.sltui(&[
            "report",
            "--by",
            "week",
            "--cadence",
            &cid_s,
            "--format",
            "json",
        ])
        .await,
    );
    check_trends(cid, &cadence, &days, &weeks, &emails);
}

/// The rows of `--by day` and `--by week` of cadence `cid` (all time) against
/// our own count of its raw `emails` per UTC day, and both against the
/// cadence's own row; the cadence row against the count of all its emails.
pub(super) fn check_trends(
    cid: u64,
    cadence: &[Value],
    days: &[Value],
    weeks: &[Value],
    emails: &[Value],
) {
    let mut whole = Counts::default();
    emails.iter().for_each(|e| whole.add(e));
    assert!(whole.sent > 0, "the cadence sent emails");
    whole.check(&cadence[0], "the cadence row");
    let mut want: BTreeMap<String, Counts> = BTreeMap::new();
    for e in emails {
        let Some(at) = e["sent_at"].as_str() else {
            continue;
        };
        let day = chrono::DateTime::parse_from_rfc3339(at)
            .unwrap()
            .with_timezone(&chrono::Utc)
            .format("%Y-%m-%d")
            .to_string();
        want.entry(day).or_default().add(e);
    }
    want.retain(|_, c| c.sent > 0);
    assert_eq!(days.len(), want.len());
    for row in days {
        assert_eq!(row["cadence_id"], json!(cid));
        let d = row["date"].as_str().unwrap();
        want[d].check(row, d);
    }
    for buckets in [days, weeks] {
        for k in [
            "sent",
            "delivered",
            "opened",
            "clicked",
            "replied",
            "bounced",
        ] {
            let sum: u64 = buckets.iter().map(|r| r[k].as_u64().unwrap()).sum();
            assert_eq!(cadence[0][k], json!(sum), "{k} adds up");
        }
    }
    assert!(weeks.len() < days.len());
}
