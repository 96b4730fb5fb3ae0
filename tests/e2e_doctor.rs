//! End-to-end: the real `sltui` binary's scripting commands. `sltui sim` runs as a
//! child on a free loopback port; `doctor`, `cost` and the error paths of the
//! command line and the config file are checked by exit status and output. Every
//! child gets a fresh HOME and XDG directories.

mod e2e_support;

use std::net::TcpListener;

use e2e_support::{Api, SimChild, TempHome, files_under, run};
use serde_json::Value;

/// The `[ok  ]`/`[FAIL]` line of a doctor check.
fn check_line<'a>(out: &'a str, name: &str) -> Option<&'a str> {
    out.lines()
        .find(|l| l.contains("] ") && l.split("] ").nth(1).is_some_and(|r| r.starts_with(name)))
}

fn assert_check(out: &str, name: &str, ok: bool) {
    let line = check_line(out, name).unwrap_or_else(|| panic!("no {name:?} check in:\n{out}"));
    let mark = if ok { "[ok  ]" } else { "[FAIL]" };
    assert!(
        line.contains(mark),
        "{name} should be {mark}: {line}\n{out}"
    );
}

/// The number after `label` in `text`, e.g. `x-ratelimit-remaining-minute 599`.
fn number_after(text: &str, label: &str) -> Option<u64> {
    let rest = &text[text.find(label)? + label.len()..];
    let digits: String = rest
        .trim_start()
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    digits.parse().ok()
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime")
}

#[test]
fn doctor_warns_that_a_non_admin_key_may_see_partial_totals() {
    let home = TempHome::new("doc-nonadmin");
    let sim = SimChild::start_with(&home, "demo-key", &["--non-admin"]);
    let out = run(home.sltui().args([
        "doctor",
        "--base-url",
        &sim.base_url,
        "--api-key",
        "demo-key",
    ]));
    let text = out.all();
    assert!(out.ok(), "a warning is not a failure\n{}", out.describe());
    let line = check_line(&out.stdout, "visibility").unwrap_or_else(|| panic!("{text}"));
    assert!(line.contains("[WARN]"), "{line}");
    assert!(
        line.contains("not a team admin") && line.contains("group_public"),
        "{line}"
    );
    assert!(line.contains("may be partial"), "{line}");
    assert!(
        out.stdout.contains("read the warning: visibility"),
        "{text}"
    );
    // An admin's key (the default simulator) gets no such line.
    let admin_home = TempHome::new("doc-admin");
    let admin = SimChild::start(&admin_home, "demo-key");
    let out = run(admin_home.sltui().args([
        "doctor",
        "--base-url",
        &admin.base_url,
        "--api-key",
        "demo-key",
    ]));
    assert!(
        check_line(&out.stdout, "visibility").is_none(),
        "{}",
        out.all()
    );
    assert!(out.stdout.contains("All checks passed.\n"), "{}", out.all());
}

/// A rep's key on a team whose group privacy is off (`/v2/team`
/// `group_privacy_setting: all_public`) sees everything: no warning.
#[test]
fn doctor_does_not_warn_a_rep_on_a_team_without_group_privacy() {
    let home = TempHome::new("doc-allpublic");
    let sim = SimChild::start_with(&home, "demo-key", &["--non-admin", "--all-public"]);
    let out = run(home.sltui().args([
        "doctor",
        "--base-url",
        &sim.base_url,
        "--api-key",
        "demo-key",
    ]));
    let text = out.all();
    assert!(out.ok(), "{}", out.describe());
    let line = check_line(&out.stdout, "visibility").unwrap_or_else(|| panic!("{text}"));
    assert!(line.contains("[ok  ]"), "{line}");
    assert!(line.contains("all_public"), "{line}");
    assert!(!line.contains("may be partial"), "{line}");
    assert!(out.stdout.contains("All checks passed.\n"), "{text}");
}

#[test]
fn doctor_against_sltui_sim_passes_and_says_who_you_are() {
    let home = TempHome::new("doc-ok");
    let sim = SimChild::start(&home, "demo-key");
    let rt = runtime();
    let me = Api::new(&sim.base_url, &sim.api_key).get(&rt, "me.json");
    let name = me["data"]["name"].as_str().expect("me.name").to_string();
    let email = me["data"]["email"].as_str().expect("me.email").to_string();

    // The README's form: no /v2 on the base URL (sltui adds it).
    let root = sim.base_url.trim_end_matches("/v2");
    let out = run(home
        .sltui()
        .args(["doctor", "--base-url", root, "--api-key", "demo-key"]));
    let text = out.all();
    assert!(out.ok(), "doctor should pass\n{}", out.describe());
    assert!(
        out.stdout
            .contains(&format!("sltui doctor: {}", sim.base_url)),
        "{text}"
    );
    for check in [
        "reachable",
        "authentication",
        "budget headers",
        "people",
        "cadences",
        "emails",
    ] {
        assert_check(&out.stdout, check, true);
    }
    assert!(
        out.stdout.contains(&format!("you are {name} <{email}>")),
        "doctor should say who the key belongs to ({name} <{email}>)\n{text}"
    );
    let remaining = number_after(&out.stdout, "x-ratelimit-remaining-minute")
        .unwrap_or_else(|| panic!("no remaining budget value\n{text}"));
    assert!(
        remaining > 0 && remaining <= 600,
        "remaining {remaining}\n{text}"
    );
    let cost = number_after(&out.stdout, "x-ratelimit-endpoint-cost")
        .unwrap_or_else(|| panic!("no endpoint cost value\n{text}"));
    assert_eq!(cost, 1, "GET /me costs one point\n{text}");
    assert!(out.stdout.contains("All checks passed."), "{text}");
}

#[test]
fn doctor_with_a_wrong_key_fails_and_names_the_401() {
    let home = TempHome::new("doc-401");
    let sim = SimChild::start(&home, "demo-key");
    let out = run(home
        .sltui()
        .args(["doctor", "--base-url", &sim.base_url, "--api-key", "wrong"]));
    let text = out.all();
    assert!(!out.ok(), "a wrong key must fail\n{}", out.describe());
    assert_eq!(out.status.code(), Some(1), "{}", out.describe());
    assert_check(&out.stdout, "reachable", true);
    assert_check(&out.stdout, "authentication", false);
    let auth = check_line(&out.stdout, "authentication").unwrap_or_default();
    assert!(auth.contains("401"), "the failure names the 401: {auth}");
    assert!(
        auth.contains("SALESLOFT_API_KEY"),
        "and says what to do: {auth}"
    );
    assert!(
        auth.contains("(the key from --api-key)"),
        "and where the key came from, as the dashboard words it: {auth}"
    );
    assert!(!auth.contains("wrong"), "never the key: {auth}");
    assert!(out.stdout.contains("Failed: authentication."), "{text}");
    // The endpoints are not probed without a working key.
    assert!(check_line(&out.stdout, "people").is_none(), "{text}");
    // The key from the environment is named so.
    let out = run(home.sltui().env("SALESLOFT_API_KEY", "demo-key").args([
        "doctor",
        "--base-url",
        &sim.base_url,
    ]));
    assert!(out.ok(), "{}", out.describe());
    let auth = check_line(&out.stdout, "authentication").unwrap_or_default();
    assert!(
        auth.contains("(the key from env SALESLOFT_API_KEY)"),
        "{auth}"
    );
}

#[test]
fn doctor_bundle_never_contains_the_key() {
    const KEY: &str = "sekrit-key-123";
    let home = TempHome::new("doc-bundle");
    let sim = SimChild::start(&home, KEY);

    // The key from the environment (the usual way), and from the flag.
    let env_dir = home.path().join("bundle-env");
    let out = run(home
        .sltui()
        .env("SALESLOFT_API_KEY", KEY)
        .env("SALESLOFT_BASE_URL", &sim.base_url)
        .arg("doctor")
        .arg("--bundle")
        .arg(&env_dir));
    assert!(out.ok(), "{}", out.describe());
    assert!(
        out.stdout.contains("Diagnostic bundle written to"),
        "{}",
        out.describe()
    );
    let flag_dir = home.path().join("bundle-flag");
    let out_flag = run(home
        .sltui()
        .args(["doctor", "--base-url", &sim.base_url, "--api-key", KEY])
        .arg("--bundle")
        .arg(&flag_dir));
    assert!(out_flag.ok(), "{}", out_flag.describe());
    // A failing run writes its bundle too, without the (wrong) key.
    let wrong = "sekrit-wrong-456";
    let fail_dir = home.path().join("bundle-fail");
    let out_fail = run(home
        .sltui()
        .args(["doctor", "--base-url", &sim.base_url, "--api-key", wrong])
        .arg("--bundle")
        .arg(&fail_dir));
    assert!(!out_fail.ok(), "{}", out_fail.describe());

    for (dir, out, key) in [
        (&env_dir, &out, KEY),
        (&flag_dir, &out_flag, KEY),
        (&fail_dir, &out_fail, wrong),
    ] {
        assert!(
            !out.all().contains(key),
            "doctor printed the key\n{}",
            out.describe()
        );
        let files = files_under(dir);
        assert!(
            files.len() >= 2,
            "the bundle {} holds {files:?}",
            dir.display()
        );
        for f in &files {
            let bytes = std::fs::read(f).expect("read a bundle file");
            let text = String::from_utf8_lossy(&bytes);
            assert!(
                !text.contains(key),
                "{} contains the API key:\n{text}",
                f.display()
            );
        }
        let report = std::fs::read_to_string(dir.join("report.json")).expect("report.json");
        let report: Value = serde_json::from_str(&report).expect("report.json is JSON");
        assert_eq!(report["base_url"], Value::String(sim.base_url.clone()));
        assert_eq!(report["auth"]["kind"], "api_key", "{report}");
        assert_eq!(report["api_key"], "set (redacted)", "{report}");
        assert!(
            report["checks"].as_array().is_some_and(|c| !c.is_empty()),
            "{report}"
        );
    }
}

#[test]
fn doctor_against_a_closed_port_fails_on_reachability() {
    let home = TempHome::new("doc-closed");
    // A port that was free a moment ago and that nobody listens on now.
    let port = {
        let l = TcpListener::bind("127.0.0.1:0").expect("bind a free port");
        l.local_addr().expect("its address").port()
    };
    let url = format!("http://127.0.0.1:{port}");
    let out = run(home
        .sltui()
        .args(["doctor", "--base-url", &url, "--api-key", "demo-key"]));
    assert!(!out.ok(), "{}", out.describe());
    assert_eq!(out.status.code(), Some(1), "{}", out.describe());
    assert_check(&out.stdout, "reachable", false);
    let line = check_line(&out.stdout, "reachable").unwrap_or_default();
    assert!(
        line.contains("could not connect") || line.contains("refused"),
        "the failure says the server could not be reached: {line}"
    );
    // The cause in one line: the innermost error, not reqwest's chain of
    // wrappers with the URL repeated (#14).
    for wrapper in [
        "error sending request",
        "client error",
        "tcp connect error",
        "me.json",
    ] {
        assert!(
            !line.contains(wrapper),
            "the whole chain ({wrapper}): {line}"
        );
    }
    assert!(
        out.stdout.contains("Failed: reachable."),
        "{}",
        out.describe()
    );
}

#[test]
fn cost_compares_page_walk_and_cursor_walk() {
    let home = TempHome::new("cost");
    let out = run(home.sltui().args(["cost", "--records", "50000"]));
    assert!(out.ok(), "{}", out.describe());
    let words: Vec<&str> = out.stdout.split_whitespace().collect();
    for n in ["3550", "500"] {
        assert!(words.contains(&n), "missing {n}\n{}", out.stdout);
    }
    let page = out
        .stdout
        .lines()
        .find(|l| l.trim_start().starts_with("page walk"))
        .unwrap_or_else(|| panic!("no page walk line\n{}", out.stdout));
    let cursor = out
        .stdout
        .lines()
        .find(|l| l.trim_start().starts_with("cursor walk"))
        .unwrap_or_else(|| panic!("no cursor walk line\n{}", out.stdout));
    assert!(page.split_whitespace().any(|w| w == "3550"), "{page}");
    assert!(cursor.split_whitespace().any(|w| w == "500"), "{cursor}");
}

/// The first non-empty line of stderr, which must name the problem.
fn first_error_line(out: &e2e_support::Output) -> String {
    out.stderr
        .lines()
        .find(|l| !l.trim().is_empty())
        .unwrap_or_default()
        .to_string()
}

#[test]
fn bad_flags_fail_with_one_clear_line() {
    let home = TempHome::new("flags");
    for (args, culprit) in [
        (&["cost", "--records", "abc"][..], "abc"),
        (&["--nope"][..], "--nope"),
        (
            &["cost", "--records", "10", "--per-page", "0"][..],
            "--per-page",
        ),
    ] {
        let out = run(home.sltui().args(args));
        assert!(!out.ok(), "{args:?} should fail\n{}", out.describe());
        assert!(out.stdout.is_empty(), "{args:?}\n{}", out.describe());
        let line = first_error_line(&out);
        assert!(
            line.starts_with("error:") && line.contains(culprit),
            "{args:?}: the first line should say what is wrong with {culprit}: {line:?}\n{}",
            out.describe()
        );
        assert!(!out.stderr.contains("panicked"), "{}", out.describe());
    }
}

#[test]
fn a_missing_config_file_is_named() {
    let home = TempHome::new("cfg-missing");
    let elsewhere = home.path().join("nope").join("sltui.toml");
    let elsewhere = elsewhere.display().to_string();
    for args in [
        vec!["--config", "/nonexistent.toml", "doctor"],
        vec!["--config", "/nonexistent.toml"],
        vec!["doctor", "--config", elsewhere.as_str()],
    ] {
        let file = args[args.iter().position(|a| *a == "--config").unwrap() + 1];
        let out = run(home.sltui().args(&args));
        assert!(!out.ok(), "{args:?}\n{}", out.describe());
        let line = first_error_line(&out);
        assert!(
            line.contains(file) && line.contains("does not exist"),
            "{args:?}: {line:?}\n{}",
            out.describe()
        );
        assert_eq!(
            out.stderr.trim().lines().count(),
            1,
            "one line\n{}",
            out.describe()
        );
    }
}

#[test]
fn a_config_syntax_error_names_the_file_and_line() {
    let home = TempHome::new("cfg-syntax");
    let bad = "default_profile = \"demo\"\n\n[ui\nrefresh_secs = 5\n";
    // Given with --config...
    let path = home.path().join("bad.toml");
    std::fs::write(&path, bad).unwrap();
    let out = run(home.sltui().arg("--config").arg(&path).arg("doctor"));
    assert!(!out.ok(), "{}", out.describe());
    let line = first_error_line(&out);
    assert!(
        line.contains(&path.display().to_string()) && line.contains("line 3"),
        "{line:?}\n{}",
        out.describe()
    );
    // ...and in the default place, under XDG_CONFIG_HOME (never the user's own).
    let default = home.path().join("config").join("sltui").join("config.toml");
    std::fs::create_dir_all(default.parent().unwrap()).unwrap();
    std::fs::write(&default, bad).unwrap();
    let out = run(home.sltui().arg("doctor"));
    assert!(!out.ok(), "{}", out.describe());
    let line = first_error_line(&out);
    assert!(
        line.contains(&default.display().to_string()) && line.contains("line 3"),
        "{line:?}\n{}",
        out.describe()
    );
    assert!(!out.stderr.contains("panicked"), "{}", out.describe());
}

#[test]
fn an_unknown_profile_lists_the_known_ones() {
    let home = TempHome::new("profile");
    // Fresh home: only the built-in demo profile.
    let out = run(home.sltui().args(["--profile", "nosuch", "doctor"]));
    assert!(!out.ok(), "{}", out.describe());
    let line = first_error_line(&out);
    assert!(
        line.contains("nosuch") && line.contains("known profiles: demo"),
        "{line:?}\n{}",
        out.describe()
    );
    // With profiles of its own, every one is listed.
    let path = home.path().join("profiles.toml");
    std::fs::write(
        &path,
        "[profiles.staging]\nbase_url = \"http://127.0.0.1:9\"\napi_key_env = \"STAGING_KEY\"\n\n\
         [profiles.work]\napi_key_env = \"WORK_KEY\"\n",
    )
    .unwrap();
    let out = run(home
        .sltui()
        .arg("--config")
        .arg(&path)
        .args(["--profile", "nosuch"]));
    assert!(!out.ok(), "{}", out.describe());
    let line = first_error_line(&out);
    for name in ["nosuch", "demo", "staging", "work"] {
        assert!(line.contains(name), "{name} missing: {line:?}");
    }
}
