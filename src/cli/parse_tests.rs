//! The command line: each subcommand's help lists only its own options, and the
//! invocations the README and the tests use still parse to the same settings.

use clap::Parser;

use super::{Cli, Command};

fn parse(args: &[&str]) -> Cli {
    let mut argv = vec!["sltui"];
    argv.extend_from_slice(args);
    Cli::try_parse_from(argv).unwrap_or_else(|e| panic!("{args:?} should parse: {e}"))
}

fn help(args: &[&str]) -> String {
    let mut argv = vec!["sltui"];
    argv.extend_from_slice(args);
    argv.push("--help");
    let err = Cli::try_parse_from(argv).expect_err("--help stops parsing");
    assert_eq!(err.kind(), clap::error::ErrorKind::DisplayHelp);
    err.to_string()
}

#[test]
fn sim_help_lists_only_the_simulator_options() {
    let text = help(&["sim"]);
    for foreign in [
        "--read-only",
        "--demo",
        "--base-url",
        "--profile",
        "--config",
    ] {
        assert!(
            !text.contains(foreign),
            "sim --help mentions {foreign}:\n{text}"
        );
    }
    for own in ["--seed", "--pessimistic", "--html-errors", "--api-key"] {
        assert!(text.contains(own), "sim --help lacks {own}:\n{text}");
    }
    let cost = help(&["cost"]);
    assert!(
        !cost.contains("--api-key") && !cost.contains("--demo"),
        "{cost}"
    );
    let doctor = help(&["doctor"]);
    assert!(
        doctor.contains("--base-url") && !doctor.contains("--read-only"),
        "{doctor}"
    );
    let enroll = help(&["enroll"]);
    assert!(
        enroll.contains("--read-only") && enroll.contains("--profile"),
        "{enroll}"
    );
    // The flags meaningless to a command are refused there.
    for args in [
        &["sim", "--read-only"][..],
        &["sim", "--demo"],
        &["cost", "--records", "5", "--profile", "x"],
        &["sync", "--read-only"],
    ] {
        let mut argv = vec!["sltui"];
        argv.extend_from_slice(args);
        assert!(
            Cli::try_parse_from(argv).is_err(),
            "{args:?} should be refused"
        );
    }
}

#[test]
fn existing_invocations_still_parse_to_the_same_settings() {
    // README and tests: options before the subcommand.
    let cli = parse(&["--read-only", "enroll", "--cadence", "3", "--person", "4"]);
    let Some(Command::Enroll(args)) = &cli.command else {
        panic!("enroll")
    };
    let global = cli.global.with(&args.target);
    assert!(cli.global.read_only && args.cadence == "3" && args.people == ["4"]);
    assert_eq!(global.base_url, cli.global.base_url);

    let cli = parse(&["--config", "/c.toml", "--profile", "team", "report"]);
    let Some(Command::Report(args)) = &cli.command else {
        panic!("report")
    };
    let global = cli.global.with(&args.target);
    assert_eq!(global.profile.as_deref(), Some("team"));
    assert_eq!(
        global.config.as_deref(),
        Some(std::path::Path::new("/c.toml"))
    );

    // ...and after it, where a later flag wins.
    let cli = parse(&[
        "--base-url",
        "http://a",
        "doctor",
        "--base-url",
        "http://b",
        "--api-key",
        "k",
        "--config",
        "/d.toml",
    ]);
    let Some(Command::Doctor(args)) = &cli.command else {
        panic!("doctor")
    };
    let global = cli.global.with(&args.target);
    assert_eq!(global.base_url.as_deref(), Some("http://b"));
    assert_eq!(global.api_key.as_deref(), Some("k"));
    assert_eq!(
        global.config.as_deref(),
        Some(std::path::Path::new("/d.toml"))
    );

    let cli = parse(&["sync", "--demo", "--full", "--only", "people"]);
    let Some(Command::Sync(args)) = &cli.command else {
        panic!("sync")
    };
    assert!(cli.global.with(&args.target).demo && args.full);
    let cli = parse(&[
        "enroll",
        "--read-only",
        "--cadence",
        "1",
        "--email",
        "a@b.c",
        "--dry-run",
    ]);
    let Some(Command::Enroll(args)) = &cli.command else {
        panic!("enroll")
    };
    assert!(args.read_only && args.dry_run);

    let cli = parse(&["auth", "import", "--profile", "team"]);
    let Some(Command::Auth(args)) = &cli.command else {
        panic!("auth")
    };
    assert_eq!(args.file.profile.as_deref(), Some("team"));
    let cli = parse(&["--profile", "team", "auth", "status"]);
    assert_eq!(cli.global.profile.as_deref(), Some("team"));

    for args in [
        &["--demo"][..],
        &["--base-url", "http://x", "--api-key", "k"],
        &[
            "sim",
            "--live",
            "--addr",
            "127.0.0.1:0",
            "--api-key",
            "demo-key",
        ],
        &["sim", "--pessimistic", "--seed", "7"],
        &["doctor", "--bundle", "/tmp/b"],
        &["--profile", "team", "doctor", "--bundle", "/tmp/b"],
        &["cost", "--records", "50000"],
        &["report", "--days", "7", "--format", "json"],
        &[
            "--base-url",
            "http://x",
            "--api-key",
            "k",
            "report",
            "--days",
            "7",
        ],
        &[
            "webhooks",
            "--json",
            "--max-events",
            "2",
            "--config",
            "/w.toml",
        ],
        &["sync", "--base-url", "http://x", "--api-key", "k", "--json"],
        &["auth", "logout"],
        &[
            "report",
            "--by",
            "template",
            "--cadence",
            "1",
            "--step",
            "2",
        ],
        &["alerts", "--profile", "team", "--format", "json"],
        &["cadence", "export", "5", "--output", "/tmp/c.json"],
    ] {
        parse(args);
    }

    // The analytics commands take the target options after them too.
    let cli = parse(&["alerts", "--base-url", "http://b", "--config", "/a.toml"]);
    let Some(Command::Alerts(args)) = &cli.command else {
        panic!("alerts")
    };
    let global = cli.global.with(&args.target);
    assert_eq!(global.base_url.as_deref(), Some("http://b"));
    assert_eq!(
        global.config.as_deref(),
        Some(std::path::Path::new("/a.toml"))
    );
    let cli = parse(&[
        "cadence",
        "import",
        "f.json",
        "--name",
        "X",
        "--read-only",
        "--demo",
    ]);
    let Some(Command::Cadence(args)) = &cli.command else {
        panic!("cadence")
    };
    assert!(args.read_only() && cli.global.with(args.target()).demo);
    let cli = parse(&["--read-only", "cadence", "export", "5", "--profile", "team"]);
    let Some(Command::Cadence(args)) = &cli.command else {
        panic!("cadence")
    };
    assert!(cli.global.read_only && !args.read_only());
    assert_eq!(
        cli.global.with(args.target()).profile.as_deref(),
        Some("team")
    );
    assert!(
        Cli::try_parse_from(["sltui", "cadence", "export", "5", "--read-only"]).is_err(),
        "an export changes nothing: no --read-only of its own"
    );
}

#[test]
fn the_definitions_are_consistent() {
    use clap::CommandFactory;
    Cli::command().debug_assert();
}

#[test]
fn no_mouse_is_a_dashboard_flag() {
    assert!(parse(&["--no-mouse"]).global.no_mouse);
    assert!(!parse(&[]).global.no_mouse);
    assert!(help(&[]).contains("--no-mouse"));
}
