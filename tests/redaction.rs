//! Secrets never leave the process (issue 4): the real binary runs `doctor
//! --bundle`, `report` and `enroll` (for real, dry run and again) with a
//! distinctive key and `SLTUI_LOG=trace`, with the key from the environment, a
//! profile's `api_key_env` and `api_key_cmd`, and a wrong key (401); then every
//! file under its home (log, audit log, bundles, config) and everything it printed
//! is searched for the keys. The client's own errors are checked against a server
//! that echoes the bearer token back in every kind of answer.
//!
//! (`tests/e2e_doctor.rs` checks the bundle of a plain `doctor` run; this file
//! covers the other commands, trace logging and the audit log.)

mod e2e_support;

use std::sync::Arc;
use std::sync::atomic::{AtomicU16, Ordering};

use e2e_support::{Api, Output, SimChild, TempHome, files_under, run};
use sltui::api::{ApiClient, ApiConfig, ApiError, Query};

const KEY: &str = "SLTUI-REDACT-7f3a9c2e51d84b6f";
const WRONG: &str = "SLTUI-WRONG-0d6e2b9a4c7f13e8";

/// A cadence people can be added to, and a person on none of its memberships.
fn enrollable(api: &Api, rt: &tokio::runtime::Runtime) -> (u64, u64) {
    let cadences = api.get(rt, "cadences?per_page=100");
    let cadence = e2e_support::data(&cadences)
        .iter()
        .find(|c| c["archived_at"].is_null() && c["draft"] == false && c["team_cadence"] == true)
        .and_then(|c| c["id"].as_u64())
        .expect("an active team cadence");
    let people = api.get(rt, "people?per_page=50");
    let person = e2e_support::data(&people)
        .iter()
        .filter_map(|p| p["id"].as_u64())
        .find(|id| {
            let q = format!("cadence_memberships?person_id={id}&cadence_id={cadence}");
            e2e_support::data(&api.get(rt, &q)).is_empty()
        })
        .expect("a person off the cadence");
    (cadence, person)
}

fn assert_clean(what: &str, text: &str) {
    for secret in [KEY, WRONG] {
        assert!(!text.contains(secret), "{what} contains a key:\n{text}");
    }
}

#[test]
fn no_command_prints_logs_audits_or_bundles_the_key() {
    let home = TempHome::new("redact");
    let sim = SimChild::start(&home, KEY);
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    let (cadence, person) = enrollable(&Api::new(&sim.base_url, KEY), &rt);
    let (cadence, person) = (cadence.to_string(), person.to_string());

    let config = home.path().join("team.toml");
    std::fs::write(
        &config,
        format!(
            "[profiles.team]\nbase_url = \"{url}\"\napi_key_env = \"TEAM_SALESLOFT_KEY\"\n\n\
             [profiles.cmd]\nbase_url = \"{url}\"\napi_key_cmd = \"printf %s \\\"$TEAM_SALESLOFT_KEY\\\"\"\n",
            url = sim.base_url
        ),
    )
    .expect("write the config");
    let config = config.display().to_string();
    let bundle = |n: &str| home.path().join(n).display().to_string();
    let (b_env, b_profile, b_wrong) = (bundle("b-env"), bundle("b-profile"), bundle("b-wrong"));

    let sltui = |env_key: Option<(&str, &str)>, args: &[&str]| -> Output {
        let mut cmd = home.sltui();
        cmd.env("SLTUI_LOG", "trace").arg("--config").arg(&config);
        if let Some((var, key)) = env_key {
            cmd.env(var, key);
        }
        run(cmd.args(args))
    };
    let by_env = Some(("SALESLOFT_API_KEY", KEY));
    let by_profile = Some(("TEAM_SALESLOFT_KEY", KEY));
    let url = sim.base_url.as_str();
    let mut outputs = vec![
        (
            "doctor, key from the environment",
            true,
            sltui(by_env, &["--base-url", url, "doctor", "--bundle", &b_env]),
        ),
        (
            "doctor, profile api_key_env",
            true,
            sltui(
                by_profile,
                &["--profile", "team", "doctor", "--bundle", &b_profile],
            ),
        ),
        (
            "report, profile api_key_cmd",
            true,
            sltui(
                by_profile,
                &["--profile", "cmd", "report", "--format", "json"],
            ),
        ),
        (
            "report, key flag",
            true,
            sltui(
                None,
                &["--base-url", url, "--api-key", KEY, "report", "--days", "7"],
            ),
        ),
        (
            "enroll --dry-run",
            true,
            sltui(
                by_profile,
                &[
                    "--profile",
                    "team",
                    "enroll",
                    "--cadence",
                    &cadence,
                    "--person",
                    &person,
                    "--dry-run",
                ],
            ),
        ),
    ];
    for what in ["enroll", "enroll again"] {
        outputs.push((
            what,
            true,
            sltui(
                by_profile,
                &[
                    "--profile",
                    "team",
                    "enroll",
                    "--cadence",
                    &cadence,
                    "--person",
                    &person,
                ],
            ),
        ));
    }
    let wrong = Some(("SALESLOFT_API_KEY", WRONG));
    outputs.push((
        "doctor, wrong key",
        false,
        sltui(wrong, &["--base-url", url, "doctor", "--bundle", &b_wrong]),
    ));
    outputs.push((
        "report, wrong key",
        false,
        sltui(wrong, &["--base-url", url, "report"]),
    ));
    outputs.push((
        "enroll, wrong key",
        false,
        sltui(
            wrong,
            &[
                "--base-url",
                url,
                "enroll",
                "--cadence",
                &cadence,
                "--person",
                &person,
            ],
        ),
    ));

    for (what, ok, out) in &outputs {
        assert_eq!(out.ok(), *ok, "{what}\n{}", out.describe());
        assert_clean(what, &out.all());
        if !ok {
            assert!(
                out.all().contains("401"),
                "{what}: the 401 is named\n{}",
                out.describe()
            );
        }
    }
    let enrolled = &outputs.iter().find(|(w, ..)| *w == "enroll").unwrap().2;
    assert!(
        enrolled
            .stdout
            .starts_with(&format!("enrolled person {person}")),
        "{}",
        enrolled.describe()
    );

    // Every file sltui wrote: the trace log, the audit log, three bundles.
    let files = files_under(home.path());
    let named = |suffix: &str| files.iter().find(|f| f.ends_with(suffix)).cloned();
    let log = named("sltui.log").unwrap_or_else(|| panic!("no log file in {files:?}"));
    let log_text = std::fs::read_to_string(&log).expect("read the log");
    assert!(
        log_text.contains("TRACE") || log_text.contains("DEBUG"),
        "SLTUI_LOG=trace should log in detail:\n{log_text}"
    );
    // Where each run's key came from, in the words of doctor and the
    // auth-failed state (never the key: assert_clean below).
    for source in [
        "api_key_cmd of profile cmd",
        "env TEAM_SALESLOFT_KEY (api_key_env of profile team)",
        "env SALESLOFT_API_KEY",
        "--api-key",
    ] {
        assert!(
            log_text.contains(&format!("key_source=\"{source}\"")),
            "the log names the key's source {source:?}:\n{log_text}"
        );
    }
    let audit = named("audit.log").unwrap_or_else(|| panic!("no audit log in {files:?}"));
    let audit_text = std::fs::read_to_string(&audit).expect("read the audit log");
    assert!(audit_text.contains(&cadence), "{audit_text}");
    for dir in [&b_env, &b_profile, &b_wrong] {
        assert!(
            files.iter().filter(|f| f.starts_with(dir)).count() >= 2,
            "bundle {dir} in {files:?}"
        );
    }
    for f in &files {
        let bytes = std::fs::read(f).expect("read a written file");
        assert_clean(&f.display().to_string(), &String::from_utf8_lossy(&bytes));
    }
}

/// A server that answers with the status the test sets and a body that repeats
/// the request's `Authorization` header, as a careless proxy or API might.
async fn echo_server(status: Arc<AtomicU16>) -> String {
    use axum::http::{HeaderMap, StatusCode};
    let app = axum::Router::new().fallback(move |headers: HeaderMap| {
        let status = status.load(Ordering::SeqCst);
        async move {
            let auth = headers
                .get("authorization")
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_string();
            let body = match status {
                200 => format!("{{\"data\": {{\"id\": \"{auth}\"}}}}"),
                422 => format!("{{\"errors\": {{\"{auth}\": [\"bad token {auth}\"]}}}}"),
                502 => format!("<html><h1>Bad Gateway</h1><p>{auth}</p></html>"),
                _ => format!("{{\"error\": \"invalid token {auth}\"}}"),
            };
            (StatusCode::from_u16(status).unwrap(), body)
        }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    format!("http://{addr}/v2")
}

#[tokio::test]
async fn client_errors_never_repeat_an_echoed_key() {
    let status = Arc::new(AtomicU16::new(200));
    let base = echo_server(status.clone()).await;
    let mut cfg = ApiConfig::new(&base, Some(KEY.into()));
    cfg.max_retries = 0;
    let client = ApiClient::new(cfg).expect("a client");
    // (A 429 carries no text, and the client waits for the budget window.)
    for code in [200, 401, 403, 404, 409, 422, 502] {
        status.store(code, Ordering::SeqCst);
        let err = client
            .person(7)
            .await
            .expect_err("every answer is an error");
        let text = err.to_string();
        assert_clean(&format!("{code}: {err:?}"), &format!("{text} {err:?}"));
        if code == 401 {
            assert!(matches!(err, ApiError::Unauthorized { .. }), "{err:?}");
            assert!(text.contains("[redacted]"), "{text}");
        }
        let list = client.people(&Query::new()).await.expect_err("an error");
        assert_clean(&format!("{code} list"), &format!("{list} {list:?}"));
        let probe = client.probe("me.json").await;
        let shown = format!(
            "{:?} {:?}",
            probe.error,
            probe.error.as_ref().map(|e| e.to_string())
        );
        assert_clean(&format!("{code} probe"), &shown);
    }
}
