//! `[profiles.NAME.oauth]` in the config file: parsing, the checks, and secrets
//! that are refused in plain text.

use sltui::config::{self as cfg, OAuthGrant};

use super::*;

fn parse(text: &str) -> Result<cfg::Config, String> {
    cfg::parse(Path::new("/home/u/.config/sltui/config.toml"), text).map_err(|e| e.to_string())
}

#[test]
fn oauth_profile_parses_with_defaults() {
    let c = parse(
        "[profiles.team]\nbase_url = \"https://api.salesloft.com\"\n\
         [profiles.team.oauth]\nclient_id = \"abc\"\nclient_secret_env = \"SL_SECRET\"\n",
    )
    .unwrap();
    let p = c.profile(Some("team")).unwrap();
    let o = p.oauth.expect("oauth");
    assert_eq!(o.grant, OAuthGrant::RefreshToken);
    assert_eq!(o.token_url(), "https://accounts.salesloft.com/oauth/token");
    assert_eq!(o.secret_source(), "env SL_SECRET");
    assert!(p.api_key_env.is_none());

    let c = parse(
        "[profiles.admin]\n[profiles.admin.oauth]\nclient_id = \"x\"\n\
         client_secret_cmd = \"printf 'sec%s' ret\"\ngrant = \"client_credentials\"\n\
         scope = \"people:read\"\ntoken_url = \"http://127.0.0.1:9/oauth/token\"\n",
    )
    .unwrap();
    let o = c.profile(Some("admin")).unwrap().oauth.unwrap();
    assert_eq!(o.grant, OAuthGrant::ClientCredentials);
    assert_eq!(o.client_secret("admin").unwrap(), "secret");
    assert_eq!(o.token_url(), "http://127.0.0.1:9/oauth/token");
}

#[test]
fn oauth_settings_are_checked_and_secrets_refused() {
    let base = "[profiles.t]\n[profiles.t.oauth]\nclient_id = \"abc\"\n";
    let cases = [
        (
            format!("{base}client_secret = \"hunter2-plain\"\nclient_secret_env = \"X\"\n"),
            "client_secret_env",
        ),
        (
            format!("{base}refresh_token = \"rt-plain-77\"\nclient_secret_env = \"X\"\n"),
            "sltui auth import",
        ),
        (base.to_string(), "exactly one of client_secret_env"),
        (
            format!("{base}client_secret_env = \"X\"\nclient_secret_cmd = \"y\"\n"),
            "exactly one of",
        ),
        (
            format!("{base}client_secret_env = \"not a name\"\n"),
            "NAME of an environment variable",
        ),
        (
            format!("{base}client_secret_env = \"X\"\ntoken_url = \"ftp://x\"\n"),
            "https://",
        ),
        (
            format!("{base}client_secret_env = \"X\"\nscope = \"people:read\"\n"),
            "client_credentials",
        ),
        (
            format!("{base}client_secret_env = \"X\"\ngrant = \"password\"\n"),
            "client_credentials",
        ),
        (
            "[profiles.t]\napi_key_env = \"K\"\n[profiles.t.oauth]\nclient_id = \"a\"\nclient_secret_env = \"X\"\n".to_string(),
            "either an API key",
        ),
    ];
    for (text, want) in cases {
        let err = parse(&text).expect_err(&text);
        assert!(err.contains(want), "{want:?} not in: {err}");
        assert!(
            !err.contains("hunter2-plain") && !err.contains("rt-plain-77"),
            "{err}"
        );
    }
}

#[test]
fn missing_or_failing_secret_sources_say_what_to_do() {
    let c = parse(
        "[profiles.t]\n[profiles.t.oauth]\nclient_id = \"a\"\n\
         client_secret_env = \"SLTUI_TEST_SURELY_UNSET_SECRET_9\"\n\
         [profiles.u]\n[profiles.u.oauth]\nclient_id = \"a\"\n\
         client_secret_cmd = \"printf 'leaked-%s' value; exit 4\"\n",
    )
    .unwrap();
    let err = c
        .profile(Some("t"))
        .unwrap()
        .oauth
        .unwrap()
        .client_secret("t");
    let text = err.unwrap_err().to_string();
    assert!(
        text.contains("SLTUI_TEST_SURELY_UNSET_SECRET_9") && text.contains("`t`"),
        "{text}"
    );
    let err = c
        .profile(Some("u"))
        .unwrap()
        .oauth
        .unwrap()
        .client_secret("u");
    let text = err.unwrap_err().to_string();
    assert!(text.contains("exit status 4"), "{text}");
    assert!(!text.contains("leaked-value"), "{text}");
}

#[cfg(unix)]
#[test]
fn world_readable_token_files_get_a_warning() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("t.json");
    store_refresh_token(&file, "rt");
    assert_eq!(
        cfg::warn_if_world_readable_as(&file, "OAuth token file"),
        None
    );
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).unwrap();
    let w = cfg::warn_if_world_readable_as(&file, "OAuth token file").unwrap();
    assert!(
        w.contains("OAuth token file") && w.contains("chmod 600"),
        "{w}"
    );
}
