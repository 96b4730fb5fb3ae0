//! `sltui doctor`: checks reachability, authentication, the budget headers and the
//! endpoints the dashboard reads, with status and latency for each; `--bundle`
//! writes a diagnostic folder with every secret redacted.

use std::fmt::Write as _;
use std::path::Path;
use std::time::Duration;

use serde_json::{Value, json};

use super::args::DoctorArgs;
use super::opts::GlobalOpts;
use crate::api::{ApiClient, ApiConfig, ProbeResult};

/// One line of the report.
#[derive(Debug, Clone)]
struct Check {
    name: &'static str,
    ok: bool,
    /// Passed, with something the user should know (shown as WARN).
    warn: bool,
    status: Option<u16>,
    latency: Option<Duration>,
    detail: String,
}

impl Check {
    fn from_probe(
        name: &'static str,
        p: &ProbeResult,
        ok_detail: impl FnOnce(&ProbeResult) -> String,
    ) -> Self {
        let ok = p.error.is_none() && p.status.is_some_and(|s| (200..300).contains(&s));
        let detail = match &p.error {
            Some(e) => e.to_string(),
            None if ok => ok_detail(p),
            None => format!("unexpected status {}", p.status.unwrap_or_default()),
        };
        Check {
            name,
            warn: false,
            ok,
            status: p.status,
            latency: Some(p.latency),
            detail,
        }
    }

    fn json(&self) -> Value {
        json!({
            "check": self.name,
            "ok": self.ok,
            "warn": self.warn,
            "status": self.status,
            "latency_ms": self.latency.map(|d| d.as_secs_f64() * 1000.0),
            "detail": self.detail,
        })
    }
}

pub async fn run(global: &GlobalOpts, args: DoctorArgs) -> anyhow::Result<i32> {
    // Only an explicit --db: a profile's db_url leaves doctor checking SalesLoft.
    if let Some(db) = global
        .db
        .as_deref()
        .map(|url| super::hub_db::resolve(global, Some(url)))
        .transpose()?
        .flatten()
    {
        if args.bundle.is_some() {
            anyhow::bail!("--bundle checks SalesLoft; drop it with --db");
        }
        return super::doctor_db::run(db).await;
    }
    let target = super::target::resolve(global, true)?;
    // Like the dashboard: without credentials on the demo profile (or with
    // --demo), the embedded simulator, never the real API without a key.
    let demo = if target.demo {
        super::demo::say("doctor");
        Some(super::demo::Demo::start(false).await?)
    } else {
        None
    };
    let base = demo
        .as_ref()
        .map_or_else(|| target.base_url.clone(), |d| d.base_url());
    let key = demo
        .as_ref()
        .map_or_else(|| target.api_key.clone(), |d| Some(d.key.clone()));
    let mut spent = None;
    let (checks, base_url) = match ApiConfig::normalize_base_url(&base) {
        Ok(url) => (
            run_checks(
                &url,
                key.clone(),
                target.oauth.clone(),
                target.key_source.as_deref(),
                &mut spent,
            )
            .await,
            url,
        ),
        Err(e) => (
            vec![Check {
                name: "configuration",
                warn: false,
                ok: false,
                status: None,
                latency: None,
                detail: e.to_string(),
            }],
            base.clone(),
        ),
    };
    let text = render(&base_url, &checks);
    print!("{}", redact(&text, key.as_deref()));
    if let Some(budget) = &spent {
        super::spent::say(budget);
    }
    if let Some(dir) = &args.bundle {
        let auth = auth_summary(key.as_deref(), target.oauth.as_ref());
        let mut secrets: Vec<String> = key.iter().cloned().collect();
        if let Some(o) = &target.oauth {
            secrets.push(o.client_secret.clone());
            if let Ok(Some(t)) = crate::api::auth::read_tokens(&o.token_file) {
                secrets.extend(t.refresh_token.into_iter().chain(t.access_token));
            }
        }
        write_bundle(dir, &base_url, &checks, auth, &secrets)?;
        println!(
            "Diagnostic bundle written to {} (secrets redacted).",
            dir.display()
        );
    }
    if let Some(d) = demo {
        d.stop().await;
    }
    Ok(if checks.iter().all(|c| c.ok) { 0 } else { 1 })
}

async fn run_checks(
    base_url: &str,
    key: Option<String>,
    oauth: Option<crate::api::OAuthSettings>,
    key_source: Option<&str>,
    spent: &mut Option<crate::api::Budget>,
) -> Vec<Check> {
    let mut checks = Vec::new();
    let has_key = key.is_some() || oauth.is_some();
    let mut cfg = ApiConfig::new(base_url, key);
    cfg.oauth = oauth;
    cfg.max_retries = 0;
    cfg.timeout = Duration::from_secs(10);
    let client = match ApiClient::new(cfg) {
        Ok(c) => c,
        Err(e) => {
            checks.push(Check {
                name: "configuration",
                warn: false,
                ok: false,
                status: None,
                latency: None,
                detail: e.to_string(),
            });
            return checks;
        }
    };
    *spent = Some(client.budget().clone());

    if let Some(p) = client.token_provider() {
        let started = std::time::Instant::now();
        let got = p.bearer().await;
        let s = p.settings();
        let left = p.status().await.ok().and_then(|st| st.expires_in);
        checks.push(Check {
            name: "oauth token",
            warn: false,
            ok: got.is_ok(),
            status: None,
            latency: Some(started.elapsed()),
            detail: match got {
                Ok(_) => format!(
                    "access token from {} (grant {}), valid for {} s more",
                    s.token_url,
                    s.grant.as_str(),
                    left.unwrap_or(0)
                ),
                Err(e) => e.to_string(),
            },
        });
        if checks.last().is_some_and(|c| !c.ok) {
            return checks;
        }
    }
    let me = client.probe("me.json").await;
    let reachable = me.status.is_some();
    let not_salesloft = not_salesloft(&me);
    checks.push(Check {
        name: "reachable",
        warn: false,
        ok: reachable && not_salesloft.is_none(),
        status: me.status,
        latency: Some(me.latency),
        detail: match (&not_salesloft, reachable) {
            (Some(why), _) => why.clone(),
            (None, true) => "the server answered".to_string(),
            (None, false) => me
                .error
                .as_ref()
                .map(|e| e.to_string())
                .unwrap_or_else(|| "no answer".into()),
        },
    });
    if !reachable || not_salesloft.is_some() {
        return checks;
    }
    let mut auth = Check::from_probe("authentication", &me, |p| who_am_i(p.body.as_ref()));
    if auth.ok && me.body.as_ref().and_then(|b| b.get("data")).is_none() {
        auth.ok = false;
        auth.detail = "the answer to /me has no `data` object: this is not the SalesLoft API, \
                       check --base-url"
            .to_string();
    }
    if !has_key && !auth.ok {
        auth.detail = format!(
            "{} (no API key given: set SALESLOFT_API_KEY or pass --api-key)",
            auth.detail
        );
    }
    if let Some(src) = key_source {
        // Where the key came from, in the words the dashboard and the logs use.
        auth.detail = format!(
            "{} ({})",
            auth.detail,
            crate::config::the_key_from(Some(src))
        );
    }
    let authed = auth.ok;
    let admin = authed.then(|| team_admin(me.body.as_ref())).flatten();
    checks.push(auth);

    let headers_ok = me.remaining.is_some() && me.cost.is_some();
    checks.push(Check {
        name: "budget headers",
        warn: false,
        ok: headers_ok,
        status: None,
        latency: None,
        detail: match (me.remaining, me.cost) {
            (Some(r), Some(c)) => format!(
                "x-ratelimit-remaining-minute {r}, x-ratelimit-endpoint-cost {c}"
            ),
            _ => "x-ratelimit-remaining-minute / x-ratelimit-endpoint-cost missing: the budget gauge will be blind".to_string(),
        },
    });
    if !authed {
        return checks;
    }
    if admin == Some(false) {
        checks.push(partial_totals(&client).await);
    }
    for (name, path) in [
        ("people", "people?per_page=1"),
        ("cadences", "cadences?per_page=1"),
        ("emails", "activities/emails?per_page=1"),
    ] {
        let p = client.probe(path).await;
        checks.push(Check::from_probe(name, &p, |p| {
            let n = p
                .body
                .as_ref()
                .and_then(|b| b.get("data"))
                .and_then(Value::as_array)
                .map(|a| a.len())
                .unwrap_or(0);
            format!("list endpoint answers ({n} record on the first page)")
        }));
    }
    checks
}

/// Why the answer to the first probe shows the server is not the SalesLoft API
/// (an HTML page: a proxy, a login page, a typo in the URL), if it does.
fn not_salesloft(p: &ProbeResult) -> Option<String> {
    if let Some(e @ crate::api::ApiError::NotSalesLoft { .. }) = &p.error {
        return Some(e.to_string());
    }
    p.html.then(|| {
        format!(
            "this is not the SalesLoft API (it answered an HTML page): check --base-url \
             (HTTP {}; a gateway error page, or the URL points at another server)",
            p.status.unwrap_or_default()
        )
    })
}

/// `team_admin` of the answer to `/me`, when it says.
fn team_admin(body: Option<&Value>) -> Option<bool> {
    body?.get("data")?.get("team_admin")?.as_bool()
}

/// The key's user is not a team admin: what it reads may leave out other
/// groups' records (group privacy), so totals may be partial. A warning, not a
/// failure; the team's privacy setting says how likely.
async fn partial_totals(client: &ApiClient) -> Check {
    let team = client.probe("team.json").await;
    let setting = team
        .body
        .as_ref()
        .and_then(|b| b.get("data"))
        .and_then(|d| d.get("group_privacy_setting"))
        .and_then(Value::as_str)
        .map(str::to_string);
    let detail = match setting.as_deref() {
        Some("all_public") => "the key's user is not a team admin; the team's group privacy is \
             all_public, so every record should be visible (totals complete)"
            .to_string(),
        Some(s) => format!(
            "the key's user is not a team admin and group privacy is {s}: records of other \
             groups are hidden from it, so totals (people, emails, rates) may be partial; use \
             an admin's key for the whole team"
        ),
        None => "the key's user is not a team admin: records it may not see are left out, so \
             totals (people, emails, rates) may be partial; use an admin's key for the whole \
             team"
            .to_string(),
    };
    Check {
        name: "visibility",
        ok: true,
        warn: setting.as_deref() != Some("all_public"),
        status: team.status,
        latency: Some(team.latency),
        detail,
    }
}

fn who_am_i(body: Option<&Value>) -> String {
    let Some(user) = body.and_then(|b| b.get("data")) else {
        return "authenticated".to_string();
    };
    let name = user
        .get("name")
        .and_then(Value::as_str)
        .unwrap_or("(no name)");
    let email = user
        .get("email")
        .and_then(Value::as_str)
        .unwrap_or("(no email)");
    let team = user
        .get("team")
        .and_then(|t| t.get("id"))
        .map(|v| v.to_string());
    match team {
        Some(t) => format!("you are {name} <{email}>, team {t}"),
        None => format!("you are {name} <{email}>"),
    }
}

fn render(base_url: &str, checks: &[Check]) -> String {
    let mut out = format!("sltui doctor: {base_url}\n");
    for c in checks {
        let mark = match (c.ok, c.warn) {
            (false, _) => "FAIL",
            (true, true) => "WARN",
            (true, false) => "ok  ",
        };
        let status = c
            .status
            .map(|s| s.to_string())
            .unwrap_or_else(|| "-".into());
        let latency = c
            .latency
            .map(|d| format!("{:.0} ms", d.as_secs_f64() * 1000.0))
            .unwrap_or_else(|| "-".into());
        let _ = writeln!(
            out,
            "  [{mark}] {:<15} {:>4} {:>8}  {}",
            c.name, status, latency, c.detail
        );
    }
    let failed: Vec<&str> = checks.iter().filter(|c| !c.ok).map(|c| c.name).collect();
    let warned: Vec<&str> = checks.iter().filter(|c| c.warn).map(|c| c.name).collect();
    if failed.is_empty() && !warned.is_empty() {
        let _ = writeln!(
            out,
            "All checks passed; read the warning: {}.",
            warned.join(", ")
        );
    } else if failed.is_empty() {
        out.push_str("All checks passed.\n");
    } else {
        let _ = writeln!(out, "Failed: {}.", failed.join(", "));
    }
    out
}

/// Replaces every occurrence of the secret (and of its bearer form) with a marker.
pub(crate) fn redact(text: &str, secret: Option<&str>) -> String {
    match secret {
        Some(s) if s.len() >= 3 => text.replace(s, "[REDACTED]"),
        _ => text.to_string(),
    }
}

/// How the run authenticates, for the bundle: the kind of credential and, for
/// OAuth, the grant, the token file (path, mode) and the access token's expiry.
/// Never a key, secret or token.
fn auth_summary(key: Option<&str>, oauth: Option<&crate::api::OAuthSettings>) -> Value {
    let Some(o) = oauth else {
        return match key {
            Some(_) => json!({"kind": "api_key", "api_key": "set (redacted)"}),
            None => json!({"kind": "none", "api_key": "not set"}),
        };
    };
    let path = &o.token_file;
    let mut file = json!({"path": path.display().to_string()});
    match std::fs::metadata(path) {
        Ok(meta) => {
            file["exists"] = json!(true);
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt;
                let mode = meta.permissions().mode() & 0o777;
                file["mode"] = json!(format!("{mode:04o}"));
                file["private"] = json!(mode & 0o077 == 0);
            }
            #[cfg(not(unix))]
            let _ = meta;
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => file["exists"] = json!(false),
        Err(e) => file["error"] = json!(format!("cannot inspect it: {e}")),
    }
    let mut out = json!({
        "kind": "oauth",
        "profile": o.profile,
        "grant": o.grant.as_str(),
        "client_id": o.client_id,
        "client_secret": "set (redacted)",
        "token_url": o.token_url,
        "scope": o.scope,
        "token_file": file,
    });
    match crate::api::auth::read_tokens(path) {
        Ok(Some(t)) => {
            let stored = |v: &Option<String>| if v.is_some() { "stored" } else { "none" };
            out["refresh_token"] = json!(stored(&t.refresh_token));
            out["access_token"] = json!(stored(&t.access_token));
            if let Some(at) = t.expires_at {
                let left = at - chrono::Utc::now().timestamp();
                out["access_token_expires_at"] = json!(
                    chrono::DateTime::from_timestamp(at, 0)
                        .map(|d| d.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
                );
                out["access_token_expires_in_s"] = json!(left.max(0));
                out["access_token_expired"] = json!(left <= 0);
            }
        }
        Ok(None) => {
            out["refresh_token"] = json!("none");
            out["access_token"] = json!("none");
        }
        Err(e) => out["token_file"]["error"] = json!(e),
    }
    out
}

fn write_bundle(
    dir: &Path,
    base_url: &str,
    checks: &[Check],
    auth: Value,
    secrets: &[String],
) -> anyhow::Result<()> {
    std::fs::create_dir_all(dir)
        .map_err(|e| anyhow::anyhow!("cannot create bundle folder {}: {e}", dir.display()))?;
    let env: Vec<Value> = [
        "SALESLOFT_BASE_URL",
        "SALESLOFT_API_KEY",
        "NO_COLOR",
        "TERM",
    ]
    .iter()
    .map(|name| {
        let state = match std::env::var(name) {
            Ok(_) if *name == "SALESLOFT_API_KEY" => "set (redacted)".to_string(),
            Ok(v) => v,
            Err(_) => "unset".to_string(),
        };
        json!({"name": name, "value": state})
    })
    .collect();
    let report = json!({
        "sltui_version": env!("CARGO_PKG_VERSION"),
        "os": std::env::consts::OS,
        "arch": std::env::consts::ARCH,
        "base_url": base_url,
        "api_key": auth["api_key"].as_str().unwrap_or("not used (OAuth)"),
        "auth": auth,
        "environment": env,
        "checks": checks.iter().map(Check::json).collect::<Vec<_>>(),
    });
    let files = [
        ("report.json", serde_json::to_string_pretty(&report)?),
        ("report.txt", render(base_url, checks)),
    ];
    for (name, content) in files {
        let path = dir.join(name);
        let content = secrets
            .iter()
            .fold(content, |text, secret| redact(&text, Some(secret)));
        write_private(&path, &content)
            .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", path.display()))?;
    }
    Ok(())
}

fn write_private(path: &Path, content: &str) -> std::io::Result<()> {
    use std::io::Write;
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    let mut f = opts.open(path)?;
    f.write_all(content.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redact_removes_every_copy_of_the_key() {
        let text = "key abc123 and Bearer abc123";
        assert_eq!(
            redact(text, Some("abc123")),
            "key [REDACTED] and Bearer [REDACTED]"
        );
        assert_eq!(redact(text, None), text);
    }

    #[test]
    fn render_names_failures() {
        let checks = vec![Check {
            name: "authentication",
            warn: false,
            ok: false,
            status: Some(401),
            latency: Some(Duration::from_millis(3)),
            detail: "401 Unauthorized".into(),
        }];
        let out = render("http://x/v2", &checks);
        assert!(out.contains("FAIL"));
        assert!(out.contains("Failed: authentication."));
    }
}
