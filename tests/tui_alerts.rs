//! Alerts in the dashboard through `update`: the config's rules evaluated over
//! the facts the dashboard received (as `sltui alerts` evaluates them), firing
//! ones in the status bar and the tab, every rule in the Alerts view (4), and
//! rules the facts cannot answer said to be not evaluated.

mod tui_support;

use std::time::Duration;

use sltui::config::keymap::Action;

use sltui::metrics::alerts::Check;
use sltui::tui::alerts::RuleState;
use sltui::tui::msg::Msg;
use sltui::tui::setup::StateSetup;
use sltui::tui::state::View;
use sltui::tui::update::update;
use sltui::worker::WorkerEvent;
use tui_support::*;

#[test]
fn rules_are_evaluated_over_the_facts_held_and_firing_ones_show_everywhere() {
    let mut s = alerting();
    let states = &s.analytics.alerts.states;
    match &states[0] {
        RuleState::Evaluated(Check::Fires(f)) => {
            assert!((f.rate - 1.0 / 3.0).abs() < 1e-12, "{f:?}");
            assert_eq!(f.sent, 4);
            assert_eq!(f.cadence_name.as_deref(), Some("Q3 Outbound"));
        }
        other => panic!("{other:?}"),
    }
    match &states[1] {
        RuleState::Evaluated(Check::Quiet { sent, value }) => {
            assert_eq!(*sent, 6);
            assert!((value.unwrap() - 1.0 / 6.0).abs() < 1e-12);
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(states[2], RuleState::Evaluated(Check::TooFew { sent: 6 }));
    match &states[3] {
        RuleState::NotEvaluated(why) => assert!(why.contains("67 days"), "{why}"),
        other => panic!("{other:?}"),
    }
    assert_eq!(s.analytics.alerts.firing(), 1);
    for (w, h) in [(120, 40), (80, 24)] {
        let text = screen_text(&s, w, h);
        assert!(text.contains("▲ 1 alert"), "{w}x{h} status bar:\n{text}");
        assert!(text.contains("Alerts ▲1"), "{w}x{h} tab:\n{text}");
    }
    act(&mut s, Action::View4);
    assert_eq!(s.view, View::Alerts);
    let text = screen_text(&s, 120, 40);
    assert!(text.contains("▲ FIRING"), "{text}");
    assert!(text.contains("33.3% over 4 sent"), "{text}");
    assert!(text.contains("too few to judge"), "{text}");
    // Until all time is read the fourth rule waits; then it is judged (its
    // 60-day baseline before the week holds no email: too few).
    let mut fx = Vec::new();
    for _ in 0..3 {
        fx = act(&mut s, Action::CycleRange);
        if s.metrics.range == sltui::metrics::TimeRange::All {
            break;
        }
    }
    assert_eq!(s.metrics.range, sltui::metrics::TimeRange::All);
    advance(&mut s, Duration::from_secs(10));
    update(&mut s, Msg::Tick);
    assert!(matches!(
        s.analytics.alerts.states[3],
        RuleState::NotEvaluated(_)
    ));
    let (id, _) = find(&fx, |r| {
        matches!(r, sltui::worker::Request::Engagement { .. })
    })
    .expect("all time is read");
    for cadence_id in [1, 2, 3, 4] {
        ev(&mut s, WorkerEvent::EngagementLoaded { id, cadence_id });
    }
    ev(&mut s, WorkerEvent::Finished { id, error: None });
    advance(&mut s, Duration::from_secs(10));
    update(&mut s, Msg::Tick);
    assert_eq!(
        s.analytics.alerts.states[3],
        RuleState::Evaluated(Check::TooFew { sent: 0 })
    );
}

#[test]
fn a_new_reply_is_judged_on_the_next_tick_but_not_more_often_than_every_5_s() {
    let mut s = alerting();
    assert_eq!(s.analytics.alerts.firing(), 1);
    // Two more replies on cadence 1's delivered emails: 3/3, no longer below 50%.
    let mut replied = fact(101, 1, Some(11), [true, false, true, false, true]);
    replied.updated_at += chrono::TimeDelta::minutes(1);
    let mut replied2 = fact(102, 1, Some(12), [true, false, false, false, true]);
    replied2.updated_at += chrono::TimeDelta::minutes(1);
    ev(
        &mut s,
        WorkerEvent::EmailFacts {
            id: sltui::worker::PUSHED,
            facts: vec![replied, replied2],
            live: true,
        },
    );
    update(&mut s, Msg::Tick);
    assert_eq!(
        s.analytics.alerts.firing(),
        1,
        "not yet: evaluated less than 5 s ago"
    );
    advance(&mut s, Duration::from_secs(5));
    update(&mut s, Msg::Tick);
    assert_eq!(s.analytics.alerts.firing(), 0);
    assert!(!screen_text(&s, 120, 40).contains("▲ 1 alert"));
    // An older version of an email does not undo the newer one.
    ev(
        &mut s,
        WorkerEvent::EmailFacts {
            id: sltui::worker::PUSHED,
            facts: vec![fact(101, 1, Some(11), [true, false, true, false, false])],
            live: true,
        },
    );
    advance(&mut s, Duration::from_secs(5));
    update(&mut s, Msg::Tick);
    assert_eq!(s.analytics.alerts.firing(), 0);
}

#[test]
fn without_rules_the_view_says_how_to_add_them() {
    let mut s = loaded();
    act(&mut s, Action::View4);
    let text = screen_text(&s, 80, 24);
    assert!(
        text.contains("No [[alerts]] rules in the config file."),
        "{text}"
    );
    assert!(!text.contains("▲"), "{text}");
}

/// The dashboard's firing alerts (the Alerts view) are exactly what `sltui
/// alerts --format json` prints, on the same simulator and the same rules: the
/// real worker feeds `update` over loopback HTTP, the real binary reads the same
/// config file.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_dashboard_fires_exactly_what_sltui_alerts_prints() {
    use serde_json::{Value, json};
    use sltui::api::{ApiClient, ApiConfig};
    use sltui::metrics::TimeRange;
    use sltui::sim::{self, SimConfig};
    use sltui::tui::update::init;

    const KEY: &str = "tui-alerts-key";
    let sim = sim::start(SimConfig {
        addr: ([127, 0, 0, 1], 0).into(),
        api_key: KEY.into(),
        people: 400,
        cadences: 10,
        live: false,
        ..SimConfig::default()
    })
    .await
    .expect("simulator starts");
    // Rules over every email (so both clocks see the same windows): some fire
    // per cadence, one team-wide, one never, one has too few emails.
    let truth: Value = reqwest::get(format!("http://{}/_sim/truth/engagement", sim.addr()))
        .await
        .expect("truth")
        .json()
        .await
        .expect("json");
    let mut busy: Vec<(u64, u64)> = truth
        .as_object()
        .expect("per cadence")
        .iter()
        .map(|(k, v)| (k.parse().unwrap(), v["sent"].as_u64().unwrap_or(0)))
        .collect();
    busy.sort_by_key(|(id, sent)| (std::cmp::Reverse(*sent), *id));
    let (a, b) = (busy[0].0, busy[1].0);
    let config = format!(
        "[[alerts]]\nname = \"replies\"\nmetric = \"reply_rate\"\nabove = 0.0\ndays = 3650\n\
         cadence = {a}\n\n\
         [[alerts]]\nname = \"opens under all\"\nmetric = \"open_rate\"\nbelow = 1.0\n\
         days = 3650\ncadence = {b}\n\n\
         [[alerts]]\nname = \"team bounces\"\nmetric = \"bounce_rate\"\nabove = 0.0\ndays = 3650\n\n\
         [[alerts]]\nname = \"never\"\nmetric = \"click_rate\"\nbelow = 0.0\ndays = 3650\n\n\
         [[alerts]]\nname = \"too few\"\nmetric = \"reply_rate\"\nabove = 0.0\ndays = 3650\n\
         min_sent = 100000000\n"
    );
    let home = tempfile::tempdir().expect("home");
    let config_path = home.path().join("config.toml");
    std::fs::write(&config_path, &config).expect("config");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&config_path, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
    let rules = sltui::config::parse(&config_path, &config)
        .expect("the rules parse")
        .alerts;
    assert_eq!(rules.len(), 5);

    // The binary.
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_sltui"));
    let base = sim.base_url();
    cmd.args(["--base-url", base.as_str(), "--api-key", KEY])
        .args(["alerts", "--format", "json", "--config"])
        .arg(&config_path)
        .env("HOME", home.path())
        .env("XDG_CONFIG_HOME", home.path().join("config"))
        .env("XDG_DATA_HOME", home.path().join("data"))
        .env("XDG_STATE_HOME", home.path().join("state"))
        .env("XDG_CACHE_HOME", home.path().join("cache"))
        .env_remove("SALESLOFT_API_KEY")
        .env_remove("SALESLOFT_BASE_URL")
        .env_remove("SLTUI_LOG");
    let out = tokio::task::spawn_blocking(move || cmd.output())
        .await
        .expect("join")
        .expect("the binary runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "alerts fire: {stderr}");
    let printed: Vec<Value> = serde_json::from_slice(&out.stdout).expect("a JSON list");

    // The dashboard, with the real worker on the same simulator.
    let mut s = StateSetup {
        session: sltui::tui::state::Session {
            demo: false,
            ..session(false)
        },
        range: TimeRange::All,
        alerts: rules,
        ..setup()
    }
    .build();
    let mut cfg = ApiConfig::new(&base, Some(KEY.into()));
    cfg.budget_limit = 600;
    let mut worker = sltui::worker::spawn(
        ApiClient::new(cfg).expect("client"),
        sltui::worker::WorkerOptions::default(),
    );
    let fx = init(&mut s);
    send(&worker, fx);
    let loaded = |s: &sltui::tui::state::AppState| {
        !s.cadences.list.cadences.is_empty()
            && s.cadences
                .list
                .cadences
                .iter()
                .all(|c| s.metrics.loaded.contains(&c.id))
    };
    let pump = async {
        while !loaded(&s) {
            let ev = worker.events.recv().await.expect("worker alive");
            let fx = update(&mut s, Msg::Worker(ev));
            send(&worker, fx);
        }
    };
    tokio::time::timeout(Duration::from_secs(120), pump)
        .await
        .expect("every cadence's emails arrive");
    s.clock.wall = chrono::Utc::now();
    // Asked on the Alerts view, as the user asks (the refresh key there).
    act(&mut s, Action::View4);
    act(&mut s, Action::Refresh);
    assert!(
        s.analytics
            .alerts
            .states
            .iter()
            .all(|st| matches!(st, RuleState::Evaluated(_))),
        "every rule is judged: {:?}",
        s.analytics.alerts.states
    );
    let shown: Vec<Value> = s
        .analytics
        .alerts
        .states
        .iter()
        .filter_map(|st| match st {
            RuleState::Evaluated(Check::Fires(f)) => Some(json!({
                "name": f.rule.name,
                "metric": f.rule.metric.as_str(),
                "value": f.value,
                "rate": f.rate,
                "baseline_rate": f.baseline_rate,
                "sent": f.sent,
                "cadence_id": f.cadence_id,
                "cadence_name": f.cadence_name,
            })),
            _ => None,
        })
        .collect();
    // Exactly, but for the last bit of a float: serde_json reads decimals back
    // to within one unit in the last place.
    assert_eq!(shown.len(), printed.len(), "{shown:?}\n{printed:?}");
    for (mine, theirs) in shown.iter().zip(&printed) {
        for (k, v) in mine.as_object().expect("an object") {
            match (v.as_f64(), theirs[k].as_f64()) {
                (Some(a), Some(b)) if v.is_f64() => {
                    assert!((a - b).abs() < 1e-12, "{k}: {mine} vs {theirs}")
                }
                _ => assert_eq!(*v, theirs[k], "{k}: {mine} vs {theirs}"),
            }
        }
    }
    let names: Vec<&str> = printed.iter().filter_map(|p| p["name"].as_str()).collect();
    assert!(
        names.contains(&"replies") && names.contains(&"opens under all"),
        "{names:?}"
    );
    assert!(!names.contains(&"never") && !names.contains(&"too few"));
    // The Alerts view lists each firing one.
    act(&mut s, Action::View4);
    let text = screen_text(&s, 120, 40);
    for n in &names {
        assert!(text.contains(n), "{n} in the Alerts view:\n{text}");
    }
    assert_eq!(s.analytics.alerts.firing(), names.len());
    drop(worker);
    sim.shutdown().await;
}
