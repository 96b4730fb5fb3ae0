//! Loading, validation and profile resolution.

use std::path::Path;

use super::*;

fn parse_str(text: &str) -> Result<Config, ConfigError> {
    parse(Path::new("/home/u/.config/sltui/config.toml"), text)
}

fn err(text: &str) -> (ConfigError, String) {
    let e = parse_str(text).expect_err("config should be rejected");
    let s = e.to_string();
    (e, s)
}

/// The shipped file with every `#setting` example line uncommented.
fn asset_uncommented() -> String {
    DEFAULT_CONFIG
        .lines()
        .map(|l| match l.strip_prefix('#') {
            Some(rest) if !rest.is_empty() && !rest.starts_with([' ', '#']) => rest,
            _ => l,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn missing_file_gives_defaults_and_the_demo_profile() {
    let tmp = tempfile::tempdir().unwrap();
    let config = load(&tmp.path().join("nope.toml")).unwrap();
    assert_eq!(config, Config::default());
    let p = config.profile(None).unwrap();
    assert_eq!(p.name, "demo");
    assert!(p.uses_simulator());
    assert_eq!(
        (p.refresh_secs, p.budget_reserve, p.time_range_days),
        (5, 0.2, 30)
    );
    assert!(!p.read_only);
    assert_eq!(config.keymap().unwrap(), Keymap::default());
}

#[test]
fn shipped_config_parses_to_the_defaults() {
    assert_eq!(parse_str(DEFAULT_CONFIG).unwrap(), Config::default());
    for action in Action::ALL {
        assert!(
            DEFAULT_CONFIG.contains(&format!("\n#{} = ", action.name())),
            "{action:?} missing"
        );
    }
}

#[test]
fn shipped_examples_are_valid_and_match_the_defaults() {
    let config = parse_str(&asset_uncommented()).unwrap();
    assert_eq!(config.keys.len(), Action::ALL.len());
    assert_eq!(
        config.keymap().unwrap(),
        Keymap::default(),
        "the listed keys are the defaults"
    );
    assert_eq!(
        config.profile_names(),
        vec!["agency", "demo", "oauth", "team", "work"]
    );
    let team = config.profile(Some("team")).unwrap();
    assert_eq!(team.db_url_env.as_deref(), Some("SLTUI_DATABASE_URL"));
    let oauth = config.profile(Some("oauth")).unwrap().oauth.unwrap();
    assert_eq!(
        oauth.client_secret_env.as_deref(),
        Some("SALESLOFT_CLIENT_SECRET")
    );
    assert_eq!(oauth.grant, OAuthGrant::RefreshToken);
    assert_eq!(oauth.token_url(), oauth::SALESLOFT_TOKEN_URL);
    let work = config.profile(Some("work")).unwrap();
    assert_eq!(work.base_url.as_deref(), Some(SALESLOFT_BASE_URL));
    assert_eq!(work.api_key_env.as_deref(), Some("SALESLOFT_API_KEY"));
    assert_eq!((work.refresh_secs, work.budget_reserve), (10, 0.2));
    let agency = config.profile(Some("agency")).unwrap();
    assert_eq!(
        agency.api_key_cmd.as_deref(),
        Some("pass show salesloft/agency")
    );
    assert!(agency.read_only && agency.base_url.is_some());
    let demo = config.profile(Some("demo")).unwrap();
    assert!(demo.uses_simulator());
    assert_eq!(demo.refresh_secs, 2);
}

#[test]
fn syntax_error_reports_path_line_and_column() {
    let (e, text) = err("default_profile = \"demo\"\n\n[ui]\nrefresh_secs = = 5\n");
    assert!(matches!(e, ConfigError::Syntax { line: 4, .. }), "{e:?}");
    assert!(
        text.starts_with(
            "error in the config file /home/u/.config/sltui/config.toml, line 4, column"
        ),
        "{text}"
    );
    let (e, _) = err("[ui]\ntime_range_days = 30\nrefresh_secs = \"five\"\n");
    assert!(
        matches!(
            e,
            ConfigError::Syntax {
                line: 3,
                column: 16,
                ..
            }
        ),
        "{e:?}"
    );
}

#[test]
fn typos_and_bad_values_are_reported_at_their_line() {
    let (e, text) = err("[ui]\nrefesh_secs = 5\n");
    assert!(matches!(e, ConfigError::Syntax { line: 2, .. }), "{e:?}");
    assert!(text.contains("refesh_secs"), "{text}");
    let (e, text) = err("[profiles.w]\napi_key_env = \"K\"\nbudget_reserve = 1.5\n");
    assert!(matches!(e, ConfigError::Syntax { line: 3, .. }), "{e:?}");
    assert!(text.contains("between 0 and 1"), "{text}");
    let (e, text) = err("[ui]\ntheme = \"solarized\"\n");
    assert!(matches!(e, ConfigError::Syntax { line: 2, .. }), "{e:?}");
    assert!(text.contains("mono"), "{text}");
    let (e, _) = err("[ui]\nrefresh_secs = 0\n");
    assert!(matches!(e, ConfigError::Syntax { line: 2, .. }), "{e:?}");
    let (e, text) = err("[profiles.w]\napi_key_env = \"K\"\nbackground_share = 0\n");
    assert!(matches!(e, ConfigError::Syntax { line: 3, .. }), "{e:?}");
    assert!(text.contains("background_share"), "{text}");
    let (e, _) = err("[profiles.w]\napi_key_env = \"K\"\nconfirm_above_points = -5\n");
    assert!(matches!(e, ConfigError::Syntax { line: 3, .. }), "{e:?}");
}

#[test]
fn budget_safety_keys_have_defaults_and_can_be_set() {
    let path = std::path::Path::new("config.toml");
    let c = parse(path, "[profiles.w]\napi_key_env = \"K\"\n").unwrap();
    let p = c.profile(Some("w")).unwrap();
    assert_eq!((p.background_share, p.confirm_above_points), (0.2, 60));
    let c = parse(
        path,
        "[profiles.w]\napi_key_env = \"K\"\nbackground_share = 0.05\nconfirm_above_points = 300\n",
    )
    .unwrap();
    let p = c.profile(Some("w")).unwrap();
    assert_eq!((p.background_share, p.confirm_above_points), (0.05, 300));
}

#[test]
fn plain_api_key_is_rejected_without_echoing_it() {
    for text in [
        "[profiles.work]\nbase_url = \"https://api.salesloft.com\"\napi_key = \"sk-live-123\"\n",
        "default_profile = \"work\"\n\n\napi_key = \"sk-live-123\"\n",
    ] {
        let (e, msg) = err(text);
        assert!(
            matches!(e, ConfigError::Syntax { line: 3 | 4, .. }),
            "{e:?}"
        );
        assert!(
            msg.contains("api_key_env") && msg.contains("api_key_cmd"),
            "{msg}"
        );
        assert!(!msg.contains("sk-live"), "the key leaked: {msg}");
    }
}

#[test]
fn inconsistent_profiles_are_rejected() {
    let (e, msg) = err("[profiles.t]\napi_key_env = \"A\"\napi_key_cmd = \"pass x\"\n");
    assert!(matches!(e, ConfigError::Invalid { .. }), "{e:?}");
    assert!(
        msg.contains("config.toml: [profiles.t]") && msg.contains("not both"),
        "{msg}"
    );
    let (_, msg) = err("[profiles.t]\napi_key_env = \"sk-live-123/abc\"\n");
    assert!(
        msg.contains("NAME of an environment variable") && !msg.contains("sk-live"),
        "{msg}"
    );
    let (_, msg) = err("[profiles.t]\nbase_url = \"api.salesloft.com\"\n");
    assert!(msg.contains("https://"), "{msg}");
    let (_, msg) = err("[profiles.t]\nsimulator = true\nbase_url = \"http://x\"\n");
    assert!(msg.contains("not both"), "{msg}");
}

#[test]
fn team_database_settings_are_checked() {
    let (_, msg) = err("[profiles.t]\ndb_url = \"postgres://h/db\"\ndb_url_env = \"X\"\n");
    assert!(msg.contains("not both"), "{msg}");
    let (_, msg) = err("[profiles.t]\ndb_url_env = \"postgres://u:s3cret@h/db\"\n");
    assert!(
        msg.contains("NAME of an environment variable") && !msg.contains("s3cret"),
        "{msg}"
    );
    let (_, msg) = err("[profiles.t]\ndb_url = \"mysql://u:s3cret@h/db\"\n");
    assert!(
        msg.contains("postgres://") && !msg.contains("s3cret"),
        "{msg}"
    );
    let c = parse_str("[profiles.t]\ndb_url_env = \"SLTUI_DATABASE_URL\"\n").unwrap();
    let p = c.profile(Some("t")).unwrap();
    assert_eq!(p.db_url_env.as_deref(), Some("SLTUI_DATABASE_URL"));
}

#[test]
fn unknown_profile_lists_known_ones() {
    let config = parse_str("[profiles.work]\napi_key_env = \"K\"\n[profiles.acme]\n").unwrap();
    let e = config.profile(Some("wrok")).unwrap_err();
    assert_eq!(
        e.to_string(),
        "unknown profile `wrok`; known profiles: acme, demo, work"
    );
    let config = parse_str("default_profile = \"gone\"\n").unwrap();
    assert!(
        config
            .profile(None)
            .unwrap_err()
            .to_string()
            .contains("`gone`")
    );
}

#[test]
fn profile_inherits_ui_settings() {
    let config = parse_str(
        "default_profile = \"work\"\n[ui]\nrefresh_secs = 9\ntheme = \"mono\"\ntime_range_days = 0\n\
         [profiles.work]\nbase_url = \"http://127.0.0.1:8080/\"\nread_only = true\n\
         [profiles.fast]\nrefresh_secs = 2\ntheme = \"default\"\n",
    )
    .unwrap();
    let work = config.profile(None).unwrap();
    assert_eq!(work.base_url.as_deref(), Some("http://127.0.0.1:8080"));
    assert_eq!(
        (work.refresh_secs, work.theme, work.time_range_days),
        (9, ThemeName::Mono, 0)
    );
    assert!(work.read_only);
    let fast = config.profile(Some("fast")).unwrap();
    assert_eq!((fast.refresh_secs, fast.theme), (2, ThemeName::Default));
}

#[test]
fn keys_in_the_file_override_and_bad_ones_name_their_line() {
    let config = parse_str("[keys]\nquit = \"x\"\nmove_down = [\"n\", \"down\"]\n").unwrap();
    let km = config.keymap().unwrap();
    assert_eq!(km.keys_for(Action::Quit), vec!["x"]);
    assert_eq!(km.keys_for(Action::Down), vec!["n", "↓"]);

    let (e, msg) = err("[keys]\nquit = \"x\"\nmove_down = [\"n\", \"dwn\"]\n");
    assert!(matches!(e, ConfigError::Syntax { line: 3, .. }), "{e:?}");
    assert!(msg.contains("`dwn`"), "{msg}");
    let (e, msg) = err("[keys]\nquit = \"x\"\njump_down = \"n\"\n");
    assert!(matches!(e, ConfigError::Syntax { line: 3, .. }), "{e:?}");
    assert!(
        msg.contains("`jump_down`") && msg.contains("move_down"),
        "{msg}"
    );
    let (e, msg) = err("[keys]\nquit = \"x\"\nhelp = \"x\"\n");
    assert!(matches!(e, ConfigError::Invalid { .. }), "{e:?}");
    assert!(msg.contains("config.toml") && msg.contains("`x`"), "{msg}");
}

#[test]
fn load_reads_a_real_file_and_names_it_in_errors() {
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("config.toml");
    std::fs::write(&path, "[ui]\ntime_range_days = 7\n").unwrap();
    assert_eq!(load(&path).unwrap().ui.time_range_days, 7);
    std::fs::write(&path, "[ui\n").unwrap();
    let msg = load(&path).unwrap_err().to_string();
    assert!(
        msg.contains(&path.display().to_string()) && msg.contains("line 1"),
        "{msg}"
    );
}

#[test]
fn the_mouse_is_captured_unless_the_config_says_not() {
    assert!(Config::default().ui.mouse);
    let config = parse_str("[ui]\nmouse = false\n").unwrap();
    assert!(!config.ui.mouse);
    let (e, _) = err("[ui]\nmouse = \"no\"\n");
    assert!(e.to_string().contains("mouse"), "{e}");
}

fn webhooks(text: &str) -> Result<WebhooksConfig, String> {
    parse_str(text)
        .map(|c| c.webhooks)
        .map_err(|e| e.to_string())
}

#[test]
fn the_webhooks_section_parses_and_is_checked() {
    assert_eq!(webhooks("").unwrap(), WebhooksConfig::default());
    let c =
        webhooks("[webhooks]\nlisten = \"127.0.0.1:9000\"\ntoken_env = \"HOOK_TOKEN\"\n").unwrap();
    assert_eq!(c.listen, Some(([127, 0, 0, 1], 9000).into()));
    assert_eq!(c.token_env.as_deref(), Some("HOOK_TOKEN"));

    let err = webhooks("[webhooks]\nlisten = \"127.0.0.1:9000\"\n").unwrap_err();
    assert!(err.contains("needs token_env or token_cmd"), "{err}");
    let err = webhooks("[webhooks]\ntoken_env = \"A\"\ntoken_cmd = \"b\"\n").unwrap_err();
    assert!(err.contains("not both"), "{err}");
    let err = webhooks("[webhooks]\ntoken_env = \"s3cr3t value!\"\n").unwrap_err();
    assert!(err.contains("NAME of an environment variable"), "{err}");
    assert!(!err.contains("s3cr3t"), "the value is not echoed: {err}");
    let err = webhooks("[webhooks]\nlisten = \"nowhere\"\n").unwrap_err();
    assert!(err.contains("like \"127.0.0.1:9000\""), "{err}");
    let err = webhooks("[webhooks]\ntoken = \"abc\"\n").unwrap_err();
    assert!(err.contains("token"), "{err}");
}
