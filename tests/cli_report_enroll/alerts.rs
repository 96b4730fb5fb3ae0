//! `sltui alerts` with `[[alerts]]` rules in the config file.

use serde_json::{Value, json};

use super::{Sim, start};

fn write_config(sim: &Sim, text: &str) {
    std::fs::write(sim.home.config(), text).expect("config");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn alerts_fire_exit_one_and_agree_with_the_truth() {
    let sim = start().await;
    let truth = sim.sim("truth/engagement").await;
    // The busiest cadence and its reply rate over all its emails.
    let (cid, want) = truth
        .as_object()
        .unwrap()
        .iter()
        .max_by_key(|(_, v)| v["sent"].as_u64().unwrap())
        .map(|(k, v)| (k.parse::<u64>().unwrap(), v.clone()))
        .unwrap();
    let rate = want["replied"].as_f64().unwrap() / want["delivered"].as_f64().unwrap();
    write_config(
        &sim,
        &format!(
            "[[alerts]]\nname = \"replies high\"\nmetric = \"reply_rate\"\nabove = 0.0\n\
             days = 3650\ncadence = {cid}\n\n[[alerts]]\nname = \"never\"\nmetric = \"bounce_rate\"\n\
             below = 0.0\ndays = 3650\n\n[[alerts]]\nname = \"too quiet\"\nmetric = \"open_rate\"\n\
             above = 0.0\ndays = 3650\nmin_sent = 100000000\n"
        ),
    );
    let run = sim.sltui(&["alerts", "--format", "json"]).await;
    assert_eq!(run.code, 1, "an alert fires: {}", run.stderr);
    assert!(run.stderr.contains("spent "), "{}", run.stderr);
    let list: Vec<Value> = serde_json::from_str(&run.stdout).expect("a JSON list");
    assert_eq!(list.len(), 1, "{list:?}");
    let f = &list[0];
    assert_eq!(f["name"], json!("replies high"));
    assert_eq!(f["cadence_id"], json!(cid));
    assert_eq!(f["sent"], want["sent"]);
    assert!((f["value"].as_f64().unwrap() - rate).abs() < 1e-12, "{f}");

    let text = sim.sltui(&["alerts"]).await;
    assert_eq!(text.code, 1);
    assert!(
        text.stdout
            .starts_with("ALERT replies high: reply rate is "),
        "{}",
        text.stdout
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_firing_alert_exits_zero_and_bad_rules_exit_two() {
    let sim = start().await;
    write_config(
        &sim,
        "[[alerts]]\nname = \"never\"\nmetric = \"reply\"\nbelow = 0.0\ndays = 30\n",
    );
    let run = sim.sltui(&["alerts", "--format", "json"]).await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.stdout.trim(), "[]");

    write_config(
        &sim,
        "[[alerts]]\nname = \"bad\"\nmetric = \"reply_rate\"\nabove = 0.1\nbelow = 0.2\ndays = 7\n",
    );
    let run = sim.sltui(&["alerts", "--format", "json"]).await;
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("line 1") && run.stderr.contains("not both"),
        "{}",
        run.stderr
    );

    write_config(
        &sim,
        "[[alerts]]\nname = \"gone\"\nmetric = \"reply_rate\"\nabove = 0.1\ndays = 7\ncadence = 1\n",
    );
    let run = sim.sltui(&["alerts"]).await;
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("no cadence with id 1"),
        "{}",
        run.stderr
    );
}
