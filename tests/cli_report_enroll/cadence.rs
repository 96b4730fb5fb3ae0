//! `sltui cadence export` and `sltui cadence import` against the simulator.

use serde_json::{Value, json};

use super::start;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn export_to_a_file_then_import_makes_the_same_steps() {
    let sim = start().await;
    let cadence = sim.cadences().await.into_iter().next().expect("a cadence");
    let id = cadence["id"].as_u64().unwrap();

    let out = sim.sltui(&["cadence", "export", &id.to_string()]).await;
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stderr
            .lines()
            .last()
            .unwrap()
            .starts_with("sltui: spent "),
        "{}",
        out.stderr
    );
    let file: Value = serde_json::from_str(&out.stdout).expect("json");
    assert_eq!(file["settings"]["name"], cadence["name"]);
    assert_eq!(
        file["sharing_settings"]["team_cadence"],
        cadence["team_cadence"]
    );
    let raw = sim.api(&format!("cadence_exports/{id}")).await;
    assert_eq!(file["cadence_content"], raw["data"]["cadence_content"]);

    let path = sim.home.0.path().join("cadence.json");
    let out = sim
        .sltui(&[
            "cadence",
            "export",
            &id.to_string(),
            "--output",
            path.to_str().unwrap(),
        ])
        .await;
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stdout.is_empty());
    let on_disk: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    assert_eq!(on_disk, file);

    let before = sim.cadences().await.len();
    let out = sim
        .sltui(&[
            "cadence",
            "import",
            path.to_str().unwrap(),
            "--name",
            "Copy of it",
        ])
        .await;
    assert_eq!(out.code, 0, "{}", out.stderr);
    let new_id: u64 = out
        .stdout
        .trim()
        .strip_prefix("imported cadence ")
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("{}", out.stdout));
    assert_eq!(
        sim.cadences().await.len(),
        before + 1,
        "exactly one cadence made"
    );
    let made = sim.api(&format!("cadences/{new_id}")).await;
    assert_eq!(made["data"]["name"], json!("Copy of it"));
    let old_steps = sim
        .api(&format!("steps?cadence_id={id}&per_page=100"))
        .await;
    let new_steps = sim
        .api(&format!("steps?cadence_id={new_id}&per_page=100"))
        .await;
    let shape = |v: &Value| -> Vec<(Value, Value, Value, Value, Value)> {
        let mut s: Vec<_> = v["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| {
                (
                    s["day"].clone(),
                    s["step_number"].clone(),
                    s["type"].clone(),
                    s["name"].clone(),
                    s["disabled"].clone(),
                )
            })
            .collect();
        s.sort_by_key(|t| (t.0.as_u64(), t.1.as_u64()));
        s
    };
    assert_eq!(shape(&new_steps), shape(&old_steps), "the same steps");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_exports_and_imports_say_why() {
    let sim = start().await;
    let out = sim.sltui(&["cadence", "export", "1"]).await;
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("no cadence with id 1"),
        "{}",
        out.stderr
    );
    let junk = sim.home.0.path().join("junk.json");
    std::fs::write(&junk, "{\"settings\": {}}").unwrap();
    let out = sim
        .sltui(&["cadence", "import", junk.to_str().unwrap(), "--name", "X"])
        .await;
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("step_groups"), "{}", out.stderr);
    let ok = sim.home.0.path().join("ok.json");
    std::fs::write(&ok, "{\"cadence_content\": {\"step_groups\": []}}").unwrap();
    let before = sim.cadences().await.len();
    let out = sim
        .sltui(&[
            "--read-only",
            "cadence",
            "import",
            ok.to_str().unwrap(),
            "--name",
            "X",
        ])
        .await;
    assert_eq!(out.code, 1);
    assert!(out.stderr.contains("not imported"), "{}", out.stderr);
    assert_eq!(sim.cadences().await.len(), before, "nothing was made");
}
