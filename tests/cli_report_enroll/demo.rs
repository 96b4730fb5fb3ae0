//! The demo and the targets' names (#14 newcomer item 1): every command takes
//! `--demo` and, like the dashboard, runs against the embedded simulator when no
//! credentials are configured (never the real API without a key); a server
//! given by `--base-url`/`--api-key` gets a store and audit entries named after
//! it, never "demo".

use std::path::{Path, PathBuf};

use super::start;

fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return out;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(files_under(&p));
        } else {
            out.push(p);
        }
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn commands_without_credentials_run_the_demo_like_the_dashboard() {
    let sim = start().await;
    // No key, no URL, the built-in profile: the embedded simulator.
    let run = sim.sltui_raw(&["doctor"]).await;
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stdout.starts_with("sltui doctor: http://127.0.0.1:"),
        "{}",
        run.stdout
    );
    assert!(!run.stdout.contains("salesloft.com"), "{}", run.stdout);
    assert!(
        run.stderr
            .contains("demo: doctor runs against the embedded simulator")
    );

    // --demo wins over credentials, before or after the subcommand (report
    // of the last day: the whole demo team takes long in a debug build).
    let before = sim.sim("stats").await["requests"].as_u64().unwrap();
    for args in [
        &["report", "--demo", "--days", "1"][..],
        &["--demo", "doctor"][..],
    ] {
        let run = sim.sltui(args).await;
        assert_eq!(run.code, 0, "{args:?}: {}{}", run.stdout, run.stderr);
        assert!(run.stderr.contains("demo:"), "{args:?}: {}", run.stderr);
        if args[0] == "report" {
            assert!(
                run.stdout.contains("Engagement and outcomes"),
                "{}",
                run.stdout
            );
        }
    }
    let after = sim.sim("stats").await["requests"].as_u64().unwrap();
    assert_eq!(
        before, after,
        "--demo sent nothing to the configured server"
    );
}

/// `sync --demo` runs the same demo team as every other command (cli/demo.rs:
/// the default dataset), into the store named demo, and says so.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sync_demo_runs_the_one_demo_team() {
    let sim = start().await;
    let before = sim.sim("stats").await["requests"].as_u64().unwrap();
    let run = sim
        .sltui(&["sync", "--demo", "--only", "users", "--json"])
        .await;
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stderr
            .contains("demo: sync runs against the embedded simulator"),
        "{}",
        run.stderr
    );
    let report: serde_json::Value = serde_json::from_str(&run.stdout).expect("json");
    let store = report["store"].as_str().unwrap_or_default();
    assert!(store.ends_with("demo.sqlite"), "{report}");
    let users = report["resources"]
        .as_array()
        .and_then(|r| r.iter().find(|r| r["resource"] == "users"))
        .expect("users in the report");
    assert_eq!(
        users["records"].as_u64(),
        Some(sltui::sim::SimConfig::default().users as u64),
        "the default demo team: {report}"
    );
    let after = sim.sim("stats").await["requests"].as_u64().unwrap();
    assert_eq!(before, after, "nothing went to the configured server");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_given_by_flags_names_its_store_and_audit_entries() {
    let sim = start().await;
    let cadence = sim.active_cadence().await;
    let (person, _) = sim.fresh_people(cadence, 1).await[0].clone();
    let (c, p) = (cadence.to_string(), person.to_string());
    let run = sim
        .sltui(&["enroll", "--cadence", &c, "--person", &p])
        .await;
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let run = sim.sltui(&["sync", "--only", "users"]).await;
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);

    let server = sim.handle.addr().to_string(); // 127.0.0.1:PORT
    let files = files_under(sim.home.0.path());
    let names: Vec<String> = files
        .iter()
        .filter_map(|f| f.file_name()?.to_str().map(str::to_string))
        .collect();
    let store = format!("{}.sqlite", server.replace(['.', ':'], "_"));
    assert!(names.contains(&store), "{store} in {names:?}");
    assert!(!names.iter().any(|n| n == "demo.sqlite"), "{names:?}");
    let audit = files
        .iter()
        .find(|f| f.ends_with("audit.log"))
        .expect("an audit log");
    let text = std::fs::read_to_string(audit).unwrap();
    let entry: serde_json::Value =
        serde_json::from_str(text.lines().next().expect("an entry")).unwrap();
    assert_eq!(entry["profile"], server.as_str(), "{text}");
}
