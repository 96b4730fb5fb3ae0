//! OAuth end to end: our client (`ApiClient` with a `TokenProvider`) against the
//! simulator's `POST /oauth/token` over real loopback HTTP. Ground truth comes
//! from raw requests and the simulator's `/_sim/oauth` and `/_sim/stats` counters.

use std::path::{Path, PathBuf};
use std::time::Duration;

use reqwest::StatusCode;
use serde_json::{Value, json};
use sltui::api::auth::{StoredTokens, read_tokens, write_tokens};
use sltui::api::models::NewPerson;
use sltui::api::{ApiClient, ApiConfig, Grant, OAuthSettings, Query};
use sltui::sim::oauth::OAuthConfig;
use sltui::sim::{SimConfig, SimHandle};
use worker_support::{RawSim, bounded, get_ok, post_ok};

mod e2e_support;
mod worker_support;

#[path = "oauth/cli.rs"]
mod cli;
#[path = "oauth/config.rs"]
mod config;
#[path = "oauth/endpoint.rs"]
mod endpoint;
#[path = "oauth/resilience.rs"]
mod resilience;

const KEY: &str = "oauth-test-api-key";
const CLIENT_ID: &str = "oauth-test-client";
const SECRET: &str = "s3cr3t-client-secret-0451";

/// A running simulator, a raw HTTP client and a private temporary directory.
struct Sim {
    handle: SimHandle,
    raw: reqwest::Client,
    root: String,
    dir: tempfile::TempDir,
}

async fn start(expiry_secs: u64) -> Sim {
    let cfg = SimConfig {
        people: 200,
        cadences: 6,
        users: 4,
        oauth: OAuthConfig {
            client_id: CLIENT_ID.into(),
            client_secret: SECRET.into(),
            token_expiry_secs: expiry_secs,
            ..OAuthConfig::default()
        },
        ..SimConfig::default()
    };
    let RawSim { handle, raw, root } = RawSim::start(KEY, cfg).await;
    Sim {
        handle,
        raw,
        root,
        dir: tempfile::tempdir().expect("temp dir"),
    }
}

impl Sim {
    fn settings(&self, grant: Grant) -> OAuthSettings {
        OAuthSettings {
            profile: "team".into(),
            token_url: format!("{}/oauth/token", self.root),
            client_id: CLIENT_ID.into(),
            client_secret: SECRET.into(),
            grant,
            scope: None,
            token_file: self.token_file(),
        }
    }

    fn token_file(&self) -> PathBuf {
        self.dir.path().join("data/oauth/team.json")
    }

    fn client_with(&self, settings: OAuthSettings) -> ApiClient {
        let mut cfg = ApiConfig::new(&self.handle.base_url(), None);
        cfg.oauth = Some(settings);
        ApiClient::new(cfg).expect("client")
    }

    /// A client whose token file holds a freshly authorized refresh token,
    /// which is returned too.
    async fn authorized_client(&self) -> (ApiClient, String) {
        let rt = self.authorize().await;
        store_refresh_token(&self.token_file(), &rt);
        (self.client_with(self.settings(Grant::RefreshToken)), rt)
    }

    /// A refresh token, as if a user had just authorized the app.
    async fn authorize(&self) -> String {
        let v = self.post("/_sim/oauth/authorize").await;
        v["refresh_token"]
            .as_str()
            .expect("refresh_token")
            .to_string()
    }

    async fn post(&self, path: &str) -> Value {
        post_ok(&self.raw, &self.root, path).await
    }

    async fn get(&self, path: &str) -> Value {
        get_ok(&self.raw, &self.root, path).await
    }

    /// Access tokens issued by the grant so far.
    async fn issued(&self, grant: &str) -> u64 {
        self.get("/_sim/oauth").await["issued"][grant]
            .as_u64()
            .unwrap_or(0)
    }

    async fn unauthorized(&self) -> u64 {
        self.get("/_sim/stats").await["unauthorized"]
            .as_u64()
            .expect("unauthorized")
    }

    /// A raw token request with a form body; `(status, body)`.
    async fn token_form(&self, pairs: &[(&str, &str)]) -> (StatusCode, Value) {
        let res = self
            .raw
            .post(format!("{}/oauth/token", self.root))
            .form(pairs)
            .send()
            .await
            .expect("token request");
        let status = res.status();
        (status, res.json().await.expect("token json"))
    }

    /// A raw token request with a JSON body.
    async fn token_json(&self, body: &Value) -> (StatusCode, Value) {
        let res = self
            .raw
            .post(format!("{}/oauth/token", self.root))
            .json(body)
            .send()
            .await
            .expect("token request");
        let status = res.status();
        (status, res.json().await.expect("token json"))
    }
}

fn store_refresh_token(path: &Path, rt: &str) {
    write_tokens(
        path,
        &StoredTokens {
            refresh_token: Some(rt.to_string()),
            ..StoredTokens::default()
        },
    )
    .expect("token file written");
}

fn stored(path: &Path) -> StoredTokens {
    read_tokens(path).expect("readable").expect("token file")
}

#[cfg(unix)]
fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path)
        .expect("metadata")
        .permissions()
        .mode()
        & 0o777
}

#[tokio::test]
async fn access_token_is_refreshed_shortly_before_it_expires() {
    let s = start(2).await;
    let (c, _) = s.authorized_client().await;
    bounded(20, async {
        c.me().await.expect("first request");
        assert_eq!(s.issued("refresh_token").await, 1);
        c.people(&Query::new().set("per_page", 5))
            .await
            .expect("a request within the token's life uses it");
        assert_eq!(s.issued("refresh_token").await, 1, "no refresh yet");
        // Inside the last tenth of the 2 s life: due for refresh, not yet expired.
        tokio::time::sleep(Duration::from_millis(1880)).await;
        c.me().await.expect("request near expiry");
        assert_eq!(s.issued("refresh_token").await, 2, "refreshed proactively");
        assert_eq!(
            s.unauthorized().await,
            0,
            "the server never saw a stale token"
        );
        // Long past the first token's life, the second still carries us.
        let status = c.token_provider().expect("oauth").status().await.unwrap();
        assert!(status.has_access_token && status.has_refresh_token);
        assert_eq!(status.refreshes, 2);
    })
    .await;
    s.handle.shutdown().await;
}

#[tokio::test]
async fn a_refused_token_is_refreshed_once_and_the_post_replayed() {
    let s = start(7200).await;
    let (c, _) = s.authorized_client().await;
    bounded(20, async {
        c.me().await.expect("first request");
        let revoked = s.post("/_sim/oauth/revoke").await;
        assert_eq!(revoked["revoked"], 1);
        let email = "replayed.once@example.com";
        let person = c
            .create_person(&NewPerson {
                email_address: Some(email.into()),
                first_name: Some("Replay".into()),
                ..NewPerson::default()
            })
            .await
            .expect("the POST is replayed with a new token");
        assert_eq!(person.email_address.as_deref(), Some(email));
        assert_eq!(s.unauthorized().await, 1, "one 401, then the replay");
        assert_eq!(s.issued("refresh_token").await, 2);
        // Exactly one person was created (raw read with the API key).
        let found: Value = s
            .raw
            .get(format!(
                "{}/v2/people.json?email_addresses[]={email}",
                s.root
            ))
            .bearer_auth(KEY)
            .send()
            .await
            .expect("raw")
            .json()
            .await
            .expect("json");
        assert_eq!(found["data"].as_array().map(Vec::len), Some(1), "{found}");

        // A token refused again after the refresh is not replayed twice.
        s.post("/_sim/oauth/revoke?what=all").await;
        let err = c.me().await.expect_err("refresh token revoked too");
        let text = err.to_string();
        assert!(text.contains("invalid_grant"), "{text}");
        assert_eq!(s.unauthorized().await, 2, "one more 401, no loop");
        // Refused credentials are not sent again until a try is due (the
        // client's auth gate): no 401, no token request.
        let issued = s.get("/_sim/oauth").await;
        let err = c.me().await.expect_err("still refused");
        assert!(err.to_string().contains("not sent"), "{err}");
        assert!(err.to_string().contains("invalid_grant"), "{err}");
        assert_eq!(s.unauthorized().await, 2, "nothing sent");
        assert_eq!(s.get("/_sim/oauth").await, issued, "no token request");
    })
    .await;
    s.handle.shutdown().await;
}

#[tokio::test]
async fn rotated_refresh_token_is_saved_privately_and_the_old_one_is_refused() {
    let s = start(7200).await;
    let (c, rt0) = s.authorized_client().await;
    let file = s.token_file();
    bounded(20, async {
        c.me().await.expect("first request");
        let after = stored(&file);
        let rt1 = after.refresh_token.clone().expect("rotated refresh token");
        assert_ne!(rt1, rt0, "the refresh token rotated");
        assert!(after.access_token.is_some() && after.expires_in == Some(7200));
        #[cfg(unix)]
        {
            assert_eq!(mode(&file), 0o600);
            assert_eq!(mode(file.parent().unwrap()), 0o700);
        }
        let (status, body) = s
            .token_form(&[
                ("grant_type", "refresh_token"),
                ("refresh_token", &rt0),
                ("client_id", CLIENT_ID),
                ("client_secret", SECRET),
            ])
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert_eq!(body["error"], "invalid_grant", "{body}");
        assert!(
            body["error_description"]
                .as_str()
                .unwrap()
                .starts_with("The provided authorization grant is invalid")
        );

        // The next rotation goes to the file again; a second client (another
        // sltui) starts from it without a new grant.
        s.post("/_sim/oauth/revoke").await;
        c.me().await.expect("refreshed after the 401");
        let rt2 = stored(&file).refresh_token.expect("rt2");
        assert!(rt2 != rt1 && rt2 != rt0);
        let other = s.client_with(s.settings(Grant::RefreshToken));
        other.me().await.expect("cached access token from the file");
        assert_eq!(s.issued("refresh_token").await, 2);

        // The file's refresh token is the live one (a JSON body works as well).
        let (status, body) = s
            .token_json(&json!({
                "grant_type": "refresh_token", "refresh_token": rt2,
                "client_id": CLIENT_ID, "client_secret": SECRET,
            }))
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
    })
    .await;
    s.handle.shutdown().await;
}

#[tokio::test]
async fn client_credentials_grant_needs_no_refresh_token() {
    let s = start(7200).await;
    let mut settings = s.settings(Grant::ClientCredentials);
    settings.scope = Some("people:read cadences:read".into());
    let c = s.client_with(settings.clone());
    bounded(20, async {
        let people = c
            .people(&Query::new().set("per_page", 3))
            .await
            .expect("people");
        assert_eq!(people.data.len(), 3);
        c.cadences(&Query::new()).await.expect("cadences");
        assert_eq!(s.issued("client_credentials").await, 1);
        assert_eq!(s.issued("refresh_token").await, 0);
        let file = stored(&s.token_file());
        assert!(file.refresh_token.is_none() && file.access_token.is_some());
        assert_eq!(file.scope.as_deref(), Some("people:read cadences:read"));
        #[cfg(unix)]
        assert_eq!(mode(&s.token_file()), 0o600);
        // After a revocation the client simply asks again.
        s.post("/_sim/oauth/revoke").await;
        c.me().await.expect("new client_credentials token");
        assert_eq!(s.issued("client_credentials").await, 2);
        // A scope the app was not granted is refused with a clear message.
        settings.scope = Some("admin:everything".into());
        settings.token_file = s.dir.path().join("other.json");
        let err = s.client_with(settings).me().await.expect_err("bad scope");
        assert!(err.to_string().contains("invalid_scope"), "{err}");
    })
    .await;
    s.handle.shutdown().await;
}

#[tokio::test]
async fn invalid_grant_and_client_errors_say_what_to_do_without_secrets() {
    let s = start(7200).await;
    let bogus = "bogus-refresh-token-7f3a9c";
    store_refresh_token(&s.token_file(), bogus);
    let c = s.client_with(s.settings(Grant::RefreshToken));
    bounded(20, async {
        let err = c.me().await.expect_err("invalid_grant");
        let text = err.to_string();
        for want in [
            "invalid_grant",
            "Re-authorize sltui",
            "sltui auth import --profile team",
            "client_id",
        ] {
            assert!(text.contains(want), "missing {want:?}: {text}");
        }
        let debug = format!("{err:?} {c:?}");
        for secret in [SECRET, bogus] {
            assert!(!text.contains(secret) && !debug.contains(secret), "{text}");
        }
        assert_eq!(s.unauthorized().await, 0, "no API request without a token");

        // A wrong client secret.
        let rt = s.authorize().await;
        store_refresh_token(&s.token_file(), &rt);
        let mut wrong = s.settings(Grant::RefreshToken);
        wrong.client_secret = "wrong-secret-value-99".into();
        let err = s.client_with(wrong).me().await.expect_err("invalid_client");
        let text = err.to_string();
        assert!(
            text.contains("invalid_client") && text.contains("client_secret_env"),
            "{text}"
        );
        assert!(!text.contains("wrong-secret-value-99") && !text.contains(&rt));

        // No refresh token stored at all.
        std::fs::remove_file(s.token_file()).unwrap();
        let err = s
            .client_with(s.settings(Grant::RefreshToken))
            .me()
            .await
            .expect_err("nothing stored");
        let text = err.to_string();
        assert!(
            text.contains("no refresh token is stored") && text.contains("sltui auth import"),
            "{text}"
        );
    })
    .await;
    s.handle.shutdown().await;
}

#[tokio::test]
async fn concurrent_requests_share_one_refresh() {
    let s = start(7200).await;
    let (c, _) = s.authorized_client().await;
    bounded(30, async {
        let burst = |c: ApiClient| async move {
            let tasks: Vec<_> = (0..16)
                .map(|_| {
                    let c = c.clone();
                    tokio::spawn(async move { c.me().await })
                })
                .collect();
            for t in tasks {
                t.await.expect("task").expect("request");
            }
        };
        burst(c.clone()).await;
        assert_eq!(
            s.issued("refresh_token").await,
            1,
            "one refresh for 16 requests"
        );
        s.post("/_sim/oauth/revoke").await;
        burst(c.clone()).await;
        assert_eq!(
            s.issued("refresh_token").await,
            2,
            "16 refused requests caused one refresh"
        );
        let oauth = s.get("/_sim/oauth").await;
        assert_eq!(
            oauth["errors"],
            json!({}),
            "no refresh token was used twice"
        );
    })
    .await;
    s.handle.shutdown().await;
}
