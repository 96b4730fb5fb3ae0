//! The real binary on bad config files, unknown profiles and bad flags.

use std::path::PathBuf;

use sltui::config::MAX_CONFIG_BYTES;

use super::e2e_support::{TempHome, run};
use super::file;

/// Runs `sltui ARGS` with `home`; returns the only line of stderr after checking
/// the exit status is 1, stdout is empty and nothing panicked.
fn one_error_line(home: &TempHome, args: &[&str]) -> String {
    let out = run(home.sltui().args(args));
    assert_eq!(out.status.code(), Some(1), "{args:?}\n{}", out.describe());
    assert!(out.stdout.is_empty(), "{args:?}\n{}", out.describe());
    assert!(!out.stderr.contains("panicked"), "{}", out.describe());
    let lines: Vec<&str> = out
        .stderr
        .lines()
        .filter(|l| !l.trim().is_empty())
        .collect();
    assert_eq!(lines.len(), 1, "{args:?}: one line\n{}", out.describe());
    assert!(lines[0].starts_with("sltui: "), "{}", out.describe());
    assert!(
        lines[0].len() < 700,
        "{} bytes: {}",
        lines[0].len(),
        lines[0]
    );
    lines[0].to_string()
}

#[test]
fn the_binary_reports_each_config_problem_in_one_line() {
    let home = TempHome::new("cfg-cli");
    let dir = home.path();
    let mb = "z".repeat(900 << 10);
    let cases: Vec<(PathBuf, &[&str])> = vec![
        (
            dir.join("config"),
            &["cannot read the config file", "directory"][..],
        ),
        (
            file(dir, "bin.toml", b"\x7fELF\x02\x01\x01\x00\x00\xff\xfe"),
            &["line 1, column 10", "not UTF-8 text (byte 0xff)"],
        ),
        (
            file(
                dir,
                "huge-value.toml",
                format!("[ui]\ntheme = \"{mb}\"\n").as_bytes(),
            ),
            &["line 2", "theme"],
        ),
        (
            file(
                dir,
                "too-big.toml",
                &vec![b'#'; MAX_CONFIG_BYTES as usize + 1],
            ),
            &["larger than"],
        ),
        (
            file(dir, "keys.toml", b"[keys]\nquit = \"ctrl-alt-\"\n"),
            &["quit", "ctrl-alt-"],
        ),
        (
            file(dir, "types.toml", b"[profiles.w]\nread_only = \"yes\"\n"),
            &["line 2", "true or false"],
        ),
    ];
    for (path, needles) in cases {
        let shown = path.display().to_string();
        for args in [vec!["--config", &shown, "doctor"], vec!["--config", &shown]] {
            let line = one_error_line(&home, &args);
            assert!(line.contains(&shown), "{args:?}: {line}");
            for n in needles {
                assert!(line.contains(n), "{args:?}: `{n}` missing: {line}");
            }
            assert!(!line.contains(&"z".repeat(41)), "{line}");
        }
    }
    let good = file(
        dir,
        "good.toml",
        b"[profiles.work]\napi_key_env = \"WORK_KEY\"\n",
    );
    let good = good.display().to_string();
    for args in [
        vec!["--config", &good, "--profile", "wrok"],
        vec!["--config", &good, "--profile", "wrok", "report"],
    ] {
        let line = one_error_line(&home, &args);
        assert!(
            line.contains("unknown profile `wrok`; known profiles: demo, work"),
            "{line}"
        );
    }
}

#[test]
fn bad_flags_exit_2_with_the_problem_first() {
    let home = TempHome::new("cfg-flags");
    for (args, culprit) in [
        (&["--profile"][..], "--profile"),
        (&["--config"][..], "--config"),
        (&["report", "--format", "xml"][..], "xml"),
        (&["report", "--days", "0"][..], "0"),
        (&["enroll", "--person", "1"][..], "--cadence"),
        // (`--cadence x` is a cadence name now: the step id must still be a number.)
        (
            &["enroll", "--cadence", "1", "--person", "1", "--step", "x"][..],
            "x",
        ),
        (&["frobnicate"][..], "frobnicate"),
    ] {
        let out = run(home.sltui().args(args));
        assert_eq!(out.status.code(), Some(2), "{args:?}\n{}", out.describe());
        // clap's own form: `error: ...` first, the culprit before the usage.
        let first = out.stderr.lines().next().unwrap_or_default();
        let problem = out.stderr.split("Usage:").next().unwrap_or_default();
        assert!(
            first.starts_with("error:") && problem.contains(culprit),
            "{args:?}: {first:?}\n{}",
            out.describe()
        );
        assert!(!out.stderr.contains("panicked"), "{}", out.describe());
    }
}
