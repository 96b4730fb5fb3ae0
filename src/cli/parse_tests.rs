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

/// `sltui hub`'s webhook flags, checked against the profile's `[webhooks]`.
mod hub_webhooks {
    use clap::Parser;

    use crate::cli::hub_cmd::hub_webhooks;
    use crate::cli::{Cli, Command};
    use crate::config::WebhooksConfig;
    use crate::hub;

    fn hooks(args: &[&str], cfg: &WebhooksConfig) -> Result<Option<hub::HubWebhooks>, String> {
        let mut argv = vec!["sltui", "hub"];
        argv.extend_from_slice(args);
        let cli = Cli::try_parse_from(argv).map_err(|e| e.to_string())?;
        match cli.command {
            Some(Command::Hub(a)) => hub_webhooks(&a, cfg).map_err(|e| e.to_string()),
            _ => Err("not hub".into()),
        }
    }

    #[test]
    fn webhook_flags_are_checked_and_the_listen_address_defaults_sensibly() {
        let none = WebhooksConfig::default();
        assert!(hooks(&[], &none).unwrap().is_none(), "off unless asked");
        let h = hooks(&["--callback-url", "http://10.1.2.3:9100/hooks"], &none)
            .unwrap()
            .unwrap();
        assert_eq!(h.listen.to_string(), "0.0.0.0:9100");
        assert!(h.token.is_none(), "the database's token");
        let err = hooks(&["--callback-url", "hooks.example.com"], &none).unwrap_err();
        assert!(
            err.contains("--callback-url must be the http:// or https://"),
            "{err}"
        );
        let err = hooks(&["--webhook-listen", "somewhere"], &none).unwrap_err();
        assert!(err.contains("--webhook-listen"), "{err}");
        let cfg = WebhooksConfig {
            listen: Some("127.0.0.1:9000".parse().unwrap()),
            token_cmd: Some("printf profile-token".into()),
            ..WebhooksConfig::default()
        };
        let h = hooks(&["--callback-url", "https://hooks.example.com/s"], &cfg)
            .unwrap()
            .unwrap();
        assert_eq!(
            h.listen.to_string(),
            "127.0.0.1:9000",
            "the profile's listen"
        );
        assert_eq!(
            h.token.map(|t| t.secret().to_string()).as_deref(),
            Some("profile-token")
        );
        let h = hooks(&["--webhook-listen", "127.0.0.1:9001"], &cfg)
            .unwrap()
            .unwrap();
        assert_eq!((h.listen.port(), h.callback_url), (9001, None));
    }
}

/// `sltui sim`'s flags, parsed and checked into the simulator's settings.
mod sim_flags {
    use clap::Parser;

    use crate::cli::sim_cmd::{config, fault_summary};
    use crate::cli::{Cli, Command};
    use crate::sim::SimConfig;
    use crate::sim::faults::FaultKind;
    use crate::sim::pessimism::Pessimism;

    fn parse(args: &[&str]) -> Result<SimConfig, String> {
        let mut argv = vec!["sltui", "sim"];
        argv.extend_from_slice(args);
        let cli = Cli::try_parse_from(argv).map_err(|e| e.to_string())?;
        match cli.command {
            Some(Command::Sim(a)) => config(a).map_err(|e| e.to_string()),
            _ => Err("not sim".into()),
        }
    }

    #[test]
    fn oauth_flags_configure_the_token_endpoint() {
        let cfg = parse(&[
            "--token-expiry-secs",
            "30",
            "--oauth-client-id",
            "app",
            "--oauth-client-secret",
            "s",
        ])
        .unwrap();
        assert_eq!(cfg.oauth.token_expiry_secs, 30);
        assert_eq!(cfg.oauth.client_id, "app");
        assert_eq!(cfg.oauth.client_secret, "s");
        let plain = parse(&[]).unwrap();
        assert_eq!(plain.oauth.token_expiry_secs, 7200);
        assert_eq!(plain.oauth.client_id, "demo-client-id");
        let err = parse(&["--token-expiry-secs", "0"]).unwrap_err();
        assert!(err.contains("token-expiry-secs"), "{err}");
    }

    #[test]
    fn pessimistic_switches_everything_and_each_flag_alone() {
        assert_eq!(
            parse(&["--pessimistic"]).unwrap().pessimism,
            Pessimism::all()
        );
        let one = parse(&["--html-errors", "--sliding-window"])
            .unwrap()
            .pessimism;
        assert!(one.html_errors && one.sliding_window && !one.loose_json);
        assert_eq!(parse(&[]).unwrap().pessimism, Pessimism::default());
    }

    #[test]
    fn fault_flags_parse_and_are_checked() {
        let cfg = parse(&[
            "--fault-rate",
            "0.2",
            "--faults",
            "5xx,timeout,reset,malformed",
            "--latency-jitter-ms",
            "30",
            "--outage-after",
            "10",
            "--outage-secs",
            "5",
            "--other-load",
            "0.5",
        ])
        .unwrap();
        assert_eq!(cfg.fault_rate, 0.2);
        assert_eq!(
            cfg.faults,
            vec![
                FaultKind::ServerError,
                FaultKind::Timeout,
                FaultKind::Reset,
                FaultKind::Malformed
            ]
        );
        assert_eq!((cfg.outage_after_secs, cfg.outage_secs), (Some(10.0), 5.0));
        assert_eq!(cfg.other_load, 0.5);
        assert!(fault_summary(&cfg).unwrap().contains("20% of requests"));
        let plain = parse(&[]).unwrap();
        assert_eq!((plain.fault_rate, plain.faults.len()), (0.0, 0));
        assert_eq!(fault_summary(&plain), None);

        let err = parse(&["--fault-rate", "1.5", "--faults", "5xx"]).unwrap_err();
        assert!(err.contains("from 0 to 1"), "{err}");
        let err = parse(&["--fault-rate", "0.1", "--faults", "5xx,boom"]).unwrap_err();
        assert!(err.contains("unknown fault \"boom\""), "{err}");
        let err = parse(&["--fault-rate", "0.1"]).unwrap_err();
        assert!(err.contains("needs --faults"), "{err}");
        let err = parse(&["--faults", "reset"]).unwrap_err();
        assert!(err.contains("needs --fault-rate"), "{err}");
        let err = parse(&["--outage-after", "3"]).unwrap_err();
        assert!(err.contains("--outage-secs"), "{err}");
        let err = parse(&["--other-load", "x"]).unwrap_err();
        assert!(err.contains("not a number"), "{err}");
    }
}

/// `sltui webhooks` and the simulator's webhook flags.
mod webhook_flags {
    use std::time::Duration;

    use crate::cli::sim_webhooks::sim_summary;

    #[test]
    fn the_command_lines_parse_and_are_checked() {
        use clap::Parser;

        use crate::cli::{Cli, Command};
        let argv = [
            "sltui",
            "webhooks",
            "--listen",
            "127.0.0.1:9000",
            "--token-env",
            "T",
        ];
        let Some(Command::Webhooks(a)) = Cli::try_parse_from(argv.iter().chain(&["--json"]))
            .unwrap()
            .command
        else {
            panic!("not webhooks");
        };
        assert_eq!(a.listen, Some(([127, 0, 0, 1], 9000).into()));
        assert!(a.json && a.token_env.as_deref() == Some("T") && a.max_events.is_none());
        let both = ["sltui", "webhooks", "--token-env", "A", "--token-cmd", "b"];
        assert!(Cli::try_parse_from(both).is_err());

        let alone = ["sltui", "sim", "--webhook-url", "http://127.0.0.1:9/"];
        assert!(Cli::try_parse_from(alone).is_err(), "a URL needs a token");
        let argv = [
            "sltui",
            "sim",
            "--webhook-url",
            "http://127.0.0.1:9/",
            "--webhook-token",
            "t0k",
            "--webhook-retry-secs",
            "0.5",
        ];
        let Some(Command::Sim(a)) = Cli::try_parse_from(argv).unwrap().command else {
            panic!("not sim");
        };
        let cfg = crate::cli::sim_cmd::config(a).unwrap();
        let target = cfg.webhook.clone().unwrap();
        assert_eq!(target.retry_delay, Duration::from_millis(500));
        assert!(
            sim_summary(&cfg)
                .unwrap()
                .contains("retried 3 times, 0.5 s apart")
        );
        assert!(
            !format!("{cfg:?}").contains("t0k"),
            "the token stays out of Debug"
        );
    }
}
