//! The OAuth token endpoint of SalesLoft's accounts service, `POST /oauth/token`
//! (salesloft-api.md §6), and the access tokens it issues, which every `/v2`
//! endpoint accepts as bearer tokens besides the static API key.
//!
//! * Grants: `refresh_token` and `client_credentials`. The body may be
//!   form-encoded (what the docs show) or JSON; the client authenticates with
//!   `client_id`/`client_secret` parameters or HTTP Basic.
//! * Refresh tokens rotate: a refresh token works once; the answer carries a new
//!   one. Access tokens live `token_expiry_secs` (7200 on the real service).
//! * Errors are the bodies the real (Doorkeeper) service sends: 400
//!   `invalid_request`, `invalid_grant`, `unsupported_grant_type`,
//!   `invalid_scope`; 401 `invalid_client`.
//!
//! Test-only endpoints (no auth): `POST /_sim/oauth/authorize` issues a refresh
//! token as if a user had just authorized the app (the browser step of the
//! authorization-code flow); `POST /_sim/oauth/revoke[?what=access|refresh|all]`
//! revokes issued tokens (default: access tokens); `GET /_sim/oauth` counts token
//! requests, grants issued and errors.

mod http;

use std::collections::{BTreeMap, HashMap};
use std::hash::{BuildHasher, Hasher};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::http::StatusCode;
use serde_json::{Value, json};

use super::body::{Fields, Got};
use super::lock::lock;

pub use self::http::routes;

/// Scopes a `client_credentials` token gets when it asks for none.
pub const DEFAULT_SCOPE: &str = "accounts:read people:read people:write cadences:read \
     activities:read calls:read calls:write emails:read team:read";

/// The OAuth app the simulator knows.
#[derive(Clone, Debug)]
pub struct OAuthConfig {
    pub client_id: String,
    pub client_secret: String,
    /// Lifetime of an access token in seconds (7200 on the real service).
    pub token_expiry_secs: u64,
    /// The scopes the app was granted, space-delimited.
    pub scope: String,
}

impl Default for OAuthConfig {
    fn default() -> Self {
        OAuthConfig {
            client_id: "demo-client-id".into(),
            client_secret: "demo-client-secret".into(),
            token_expiry_secs: 7200,
            scope: DEFAULT_SCOPE.into(),
        }
    }
}

/// Counters for `GET /_sim/oauth`.
#[derive(Debug, Default)]
struct Counts {
    token_requests: u64,
    issued: BTreeMap<&'static str, u64>,
    errors: BTreeMap<&'static str, u64>,
    authorized: u64,
    bearer_accepted: u64,
}

#[derive(Debug)]
struct AccessToken {
    expires_at: Instant,
}

#[derive(Debug, Default)]
struct TokenState {
    /// Refresh tokens that still work, with the scope they carry.
    refresh: HashMap<String, String>,
    access: HashMap<String, AccessToken>,
    counts: Counts,
    serial: u64,
}

/// The token service's state: issued tokens and counters.
#[derive(Debug)]
pub struct OAuth {
    cfg: OAuthConfig,
    state: Mutex<TokenState>,
    keys: std::collections::hash_map::RandomState,
}

/// A token-endpoint error: status, OAuth error code, description.
struct Refusal(StatusCode, &'static str, &'static str);

const INVALID_REQUEST: Refusal = Refusal(
    StatusCode::BAD_REQUEST,
    "invalid_request",
    "The request is missing a required parameter, includes an unsupported parameter value, or is otherwise malformed.",
);
const INVALID_CLIENT: Refusal = Refusal(
    StatusCode::UNAUTHORIZED,
    "invalid_client",
    "Client authentication failed due to unknown client, no client authentication included, or unsupported authentication method.",
);
const INVALID_GRANT: Refusal = Refusal(
    StatusCode::BAD_REQUEST,
    "invalid_grant",
    "The provided authorization grant is invalid, expired, revoked, does not match the redirection URI used in the authorization request, or was issued to another client.",
);
const UNSUPPORTED_GRANT: Refusal = Refusal(
    StatusCode::BAD_REQUEST,
    "unsupported_grant_type",
    "The authorization grant type is not supported by the authorization server.",
);
const INVALID_SCOPE: Refusal = Refusal(
    StatusCode::BAD_REQUEST,
    "invalid_scope",
    "The requested scope is invalid, unknown, or malformed.",
);

impl Default for OAuth {
    fn default() -> Self {
        OAuth::new(OAuthConfig::default())
    }
}

impl OAuth {
    pub fn new(cfg: OAuthConfig) -> Self {
        OAuth {
            cfg,
            state: Mutex::new(TokenState::default()),
            keys: std::collections::hash_map::RandomState::new(),
        }
    }

    pub fn config(&self) -> &OAuthConfig {
        &self.cfg
    }

    /// Whether `token` is an issued, unexpired, unrevoked access token.
    pub fn accepts(&self, token: &str, now: Instant) -> bool {
        let mut st = lock(&self.state);
        let ok = st.access.get(token).is_some_and(|a| a.expires_at > now);
        if ok {
            st.counts.bearer_accepted += 1;
        }
        ok
    }

    /// Issues a refresh token as if a user had just authorized the app.
    pub fn authorize(&self) -> String {
        let mut st = lock(&self.state);
        let token = self.new_token(&mut st);
        st.refresh.insert(token.clone(), self.cfg.scope.clone());
        st.counts.authorized += 1;
        token
    }

    /// Revokes every access token (`access`), refresh token (`refresh`) or both;
    /// returns how many were revoked.
    pub fn revoke(&self, access: bool, refresh: bool) -> usize {
        let mut st = lock(&self.state);
        let mut n = 0;
        if access {
            n += st.access.len();
            st.access.clear();
        }
        if refresh {
            n += st.refresh.len();
            st.refresh.clear();
        }
        n
    }

    /// 64 hex characters, unpredictable, never repeated.
    fn new_token(&self, st: &mut TokenState) -> String {
        st.serial += 1;
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        let mut out = String::with_capacity(64);
        for part in 0..4u64 {
            let mut h = self.keys.build_hasher();
            h.write_u64(st.serial);
            h.write_u64(part);
            h.write_u128(nanos);
            out.push_str(&format!("{:016x}", h.finish()));
        }
        out
    }

    /// Handles one token request; the JSON answer or the refusal.
    fn exchange(&self, fields: &Fields, basic: Option<(String, String)>) -> Result<Value, Refusal> {
        let text = |name: &str| match fields.text(name) {
            Got::Value(v) => Some(v),
            _ => None,
        };
        let grant = text("grant_type").ok_or(INVALID_REQUEST)?;
        let (id, secret) = match basic {
            Some(pair) => (Some(pair.0), Some(pair.1)),
            None => (text("client_id"), text("client_secret")),
        };
        if id.as_deref() != Some(self.cfg.client_id.as_str())
            || secret.as_deref() != Some(self.cfg.client_secret.as_str())
        {
            return Err(INVALID_CLIENT);
        }
        let mut st = lock(&self.state);
        let (scope, refresh) = match grant.as_str() {
            "refresh_token" => {
                let old = text("refresh_token").ok_or(INVALID_REQUEST)?;
                // Rotation: the old refresh token never works again.
                let scope = st.refresh.remove(&old).ok_or(INVALID_GRANT)?;
                let new = self.new_token(&mut st);
                st.refresh.insert(new.clone(), scope.clone());
                (scope, Some(new))
            }
            "client_credentials" => {
                let scope = match text("scope") {
                    None => self.cfg.scope.clone(),
                    Some(asked) => {
                        let granted: Vec<&str> = self.cfg.scope.split_whitespace().collect();
                        if !asked.split_whitespace().all(|s| granted.contains(&s)) {
                            return Err(INVALID_SCOPE);
                        }
                        asked.split_whitespace().collect::<Vec<_>>().join(" ")
                    }
                };
                (scope, None)
            }
            _ => return Err(UNSUPPORTED_GRANT),
        };
        let now = Instant::now();
        st.access.retain(|_, a| a.expires_at > now);
        let access = self.new_token(&mut st);
        let expiry = self.cfg.token_expiry_secs.max(1);
        st.access.insert(
            access.clone(),
            AccessToken {
                expires_at: now + Duration::from_secs(expiry),
            },
        );
        let grant_name = if refresh.is_some() {
            "refresh_token"
        } else {
            "client_credentials"
        };
        *st.counts.issued.entry(grant_name).or_default() += 1;
        let mut body = json!({
            "access_token": access,
            "token_type": "Bearer",
            "expires_in": expiry,
            "scope": scope,
            "created_at": chrono::Utc::now().timestamp(),
        });
        if let Some(r) = refresh {
            body["refresh_token"] = Value::String(r);
        }
        Ok(body)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(s: &str) -> Fields {
        Fields::parse(
            None,
            Some("application/x-www-form-urlencoded"),
            s.as_bytes(),
        )
        .unwrap()
    }

    #[test]
    fn refresh_tokens_rotate_and_work_once() {
        let o = OAuth::default();
        let rt = o.authorize();
        assert_eq!(rt.len(), 64);
        let creds = "client_id=demo-client-id&client_secret=demo-client-secret";
        let body = o
            .exchange(
                &form(&format!(
                    "grant_type=refresh_token&refresh_token={rt}&{creds}"
                )),
                None,
            )
            .unwrap_or_else(|r| panic!("{}", r.1));
        let new = body["refresh_token"].as_str().unwrap();
        assert_ne!(new, rt);
        assert_eq!(body["expires_in"], 7200);
        assert_eq!(body["token_type"], "Bearer");
        assert!(o.accepts(body["access_token"].as_str().unwrap(), Instant::now()));
        let again = o.exchange(
            &form(&format!(
                "grant_type=refresh_token&refresh_token={rt}&{creds}"
            )),
            None,
        );
        assert!(matches!(again, Err(Refusal(_, "invalid_grant", _))));
    }

    #[test]
    fn client_authentication_and_grants() {
        let o = OAuth::default();
        let wrong = o.exchange(
            &form("grant_type=client_credentials&client_id=demo-client-id&client_secret=x"),
            None,
        );
        assert!(matches!(
            wrong,
            Err(Refusal(StatusCode::UNAUTHORIZED, "invalid_client", _))
        ));
        let basic = Some(("demo-client-id".into(), "demo-client-secret".into()));
        let ok = o
            .exchange(
                &form("grant_type=client_credentials&scope=people:read"),
                basic.clone(),
            )
            .unwrap_or_else(|r| panic!("{}", r.1));
        assert_eq!(ok["scope"], "people:read");
        assert!(ok.get("refresh_token").is_none());
        let bad_scope = o.exchange(
            &form("grant_type=client_credentials&scope=admin"),
            basic.clone(),
        );
        assert!(matches!(bad_scope, Err(Refusal(_, "invalid_scope", _))));
        let other = o.exchange(&form("grant_type=password"), basic.clone());
        assert!(matches!(
            other,
            Err(Refusal(_, "unsupported_grant_type", _))
        ));
        let none = o.exchange(&form("client_id=demo-client-id"), basic);
        assert!(matches!(none, Err(Refusal(_, "invalid_request", _))));
    }
}
