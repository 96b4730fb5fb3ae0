//! The real `sltui` binary with an OAuth profile: `auth import` from standard
//! input, `doctor`, `report` and `auth status`/`logout` against the in-process
//! simulator, with no secret in any output or any file but the token file.

use std::io::Write;
use std::process::{Command, Stdio};
use std::time::Instant;

use super::e2e_support::{Output, TempHome, files_under, run};
use super::*;

/// Runs `cmd` with `input` on standard input.
fn run_with_input(cmd: &mut Command, input: &str) -> Output {
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start sltui");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(input.as_bytes())
        .expect("write stdin");
    let started = Instant::now();
    while child.try_wait().expect("wait").is_none() {
        if started.elapsed() > Duration::from_secs(60) {
            let _ = child.kill();
            panic!("{cmd:?} did not finish");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let out = child.wait_with_output().expect("output");
    Output {
        status: out.status,
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

#[test]
fn cli_imports_a_refresh_token_and_uses_the_oauth_profile() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let s = rt.block_on(start(7200));
    let home = TempHome::new("oauth");
    let config = home.path().join("config/sltui/config.toml");
    std::fs::create_dir_all(config.parent().unwrap()).unwrap();
    std::fs::write(
        &config,
        format!(
            "default_profile = \"team\"\n[profiles.team]\nbase_url = \"{root}\"\n\
             [profiles.team.oauth]\nclient_id = \"{CLIENT_ID}\"\n\
             client_secret_env = \"SLTUI_TEST_OAUTH_SECRET\"\n\
             token_url = \"{root}/oauth/token\"\n",
            root = s.root
        ),
    )
    .unwrap();
    let sltui = || {
        let mut cmd = home.sltui();
        cmd.env("SLTUI_TEST_OAUTH_SECRET", SECRET);
        cmd
    };
    let token_file = home.path().join("data/sltui/oauth/team.json");

    let out = run(sltui().args(["auth", "status"]));
    assert_eq!(out.status.code(), Some(1), "{}", out.describe());
    assert!(
        out.stdout.contains("sltui auth import --profile team"),
        "{}",
        out.describe()
    );

    let rt0 = rt.block_on(s.authorize());
    let out = run_with_input(sltui().args(["auth", "import"]), &format!("{rt0}\n"));
    assert!(out.ok(), "{}", out.describe());
    assert!(
        out.stdout.contains("SalesLoft accepted it"),
        "{}",
        out.describe()
    );
    let rt1 = stored(&token_file)
        .refresh_token
        .expect("rotated token saved");
    assert_ne!(rt1, rt0);
    #[cfg(unix)]
    assert_eq!(mode(&token_file), 0o600);

    let out = run(sltui().arg("doctor"));
    assert!(out.ok(), "doctor passes with OAuth\n{}", out.describe());
    assert!(out.stdout.contains("oauth token"), "{}", out.stdout);

    // The bundle describes the OAuth setup (never a token or the secret; the
    // scan of every file below covers it).
    let bundle = home.path().join("bundle");
    let out = run(sltui().arg("doctor").arg("--bundle").arg(&bundle));
    assert!(out.ok(), "{}", out.describe());
    let report: serde_json::Value =
        serde_json::from_slice(&std::fs::read(bundle.join("report.json")).unwrap()).unwrap();
    let auth = &report["auth"];
    assert_eq!(auth["kind"], "oauth", "{report:#}");
    assert_eq!(auth["grant"], "refresh_token", "{auth:#}");
    assert_eq!(auth["profile"], "team", "{auth:#}");
    assert_ne!(report["api_key"], "not set", "{report:#}");
    assert_eq!(
        auth["token_file"]["path"].as_str(),
        Some(token_file.to_str().unwrap()),
        "{auth:#}"
    );
    assert_eq!(auth["token_file"]["exists"], true, "{auth:#}");
    #[cfg(unix)]
    assert_eq!(auth["token_file"]["mode"], "0600", "{auth:#}");
    assert_eq!(auth["refresh_token"], "stored", "{auth:#}");
    let left = auth["access_token_expires_in_s"].as_i64().expect("expiry");
    assert!(left > 7000 && left <= 7200, "{auth:#}");
    assert!(
        auth["access_token_expires_at"]
            .as_str()
            .is_some_and(|t| t.ends_with('Z')),
        "{auth:#}"
    );

    let out = run(sltui().args(["auth", "status"]));
    assert!(out.ok(), "{}", out.describe());
    assert!(
        out.stdout.contains("refresh token  stored"),
        "{}",
        out.stdout
    );
    assert!(out.stdout.contains("valid for"), "{}", out.stdout);

    // A token file other users can read is reported; the command still works.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&token_file, std::fs::Permissions::from_mode(0o644)).unwrap();
        let out = run(sltui().args(["report", "--format", "csv"]));
        assert!(out.ok(), "{}", out.describe());
        assert!(
            out.stderr.contains("OAuth token file") && out.stderr.contains("chmod 600"),
            "{}",
            out.describe()
        );
    }
    let rt_now = stored(&token_file).refresh_token.unwrap();
    for path in files_under(home.path()) {
        if path == token_file {
            continue;
        }
        let text = String::from_utf8_lossy(&std::fs::read(&path).unwrap()).into_owned();
        for secret in [SECRET, rt0.as_str(), rt1.as_str(), rt_now.as_str()] {
            assert!(!text.contains(secret), "a secret in {}", path.display());
        }
    }
    assert_eq!(rt.block_on(s.unauthorized()), 0);

    let out = run(sltui().args(["auth", "logout"]));
    assert!(out.ok() && !token_file.exists(), "{}", out.describe());
    rt.block_on(s.handle.shutdown());
}
