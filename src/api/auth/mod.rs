//! OAuth access tokens for the client (salesloft-api.md §6).
//!
//! A [`TokenProvider`] hands the client a bearer token for each request. It gets
//! one from the token endpoint with the `refresh_token` or `client_credentials`
//! grant, refreshes it shortly before it expires, and again when the server
//! refuses it (a 401). Refreshes are single-flight: the state sits behind one
//! async mutex held across the token request, so concurrent requests wait for
//! the one refresh and then share its token. Across processes (the dashboard and
//! `sltui report` on one profile) a lock file beside the token file does the
//! same for the `refresh_token` grant: the second process waits, then finds the
//! rotated tokens in the file instead of spending the old refresh token again.
//!
//! Refresh tokens rotate (the old one is revoked by the refresh), so the answer
//! is written to the profile's token file ([`token_file`]) atomically (temporary
//! file, mode 0600, then rename) before its access token is used. When that write
//! fails the new tokens stay in memory, nothing is handed out, and the next
//! request tries the write again: a rotated refresh token is never dropped.
//!
//! Nothing here logs or prints a token or the client secret; error messages are
//! built from codes and the server's descriptions with every secret removed.

mod refusal;
mod settings;
mod store;

use std::fmt;
use std::time::{Duration, Instant};

use reqwest::header::{ACCEPT, CONTENT_TYPE};
use serde::Deserialize;

use self::store::{RefreshLock, unix_now};
pub use self::store::{StoredTokens, read_tokens, token_file, write_tokens};
use super::ApiResult;
use super::error::{ApiError, network_error};
pub use settings::{Grant, OAuthSettings};

/// SalesLoft's token endpoint (salesloft-api.md §6, CONFIRMED).
pub const SALESLOFT_TOKEN_URL: &str = "https://accounts.salesloft.com/oauth/token";

/// Refresh this long before expiry at most (a tenth of a short lifetime).
const MAX_REFRESH_MARGIN: Duration = Duration::from_secs(60);

/// An access token in memory.
struct Access {
    token: String,
    /// Refresh from this instant on.
    refresh_at: Instant,
    expires_at: Instant,
}

#[derive(Default)]
struct State {
    loaded: bool,
    access: Option<Access>,
    refresh_token: Option<String>,
    /// The last answer, when it is not in the token file yet.
    unsaved: Option<StoredTokens>,
    refreshes: u64,
}

/// What the token provider knows, for `sltui auth status` and tests; no tokens.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TokenStatus {
    pub has_access_token: bool,
    /// Seconds the current access token has left.
    pub expires_in: Option<u64>,
    pub has_refresh_token: bool,
    /// Token requests this provider made.
    pub refreshes: u64,
}

/// Gets, caches, refreshes and persists OAuth access tokens for one profile.
pub struct TokenProvider {
    settings: OAuthSettings,
    http: reqwest::Client,
    state: tokio::sync::Mutex<State>,
}

impl fmt::Debug for TokenProvider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenProvider")
            .field("settings", &self.settings)
            .finish_non_exhaustive()
    }
}

/// The token endpoint's answer.
#[derive(Deserialize)]
struct TokenAnswer {
    access_token: String,
    #[serde(default)]
    token_type: Option<String>,
    #[serde(default)]
    expires_in: Option<u64>,
    #[serde(default)]
    refresh_token: Option<String>,
    #[serde(default)]
    scope: Option<String>,
}

impl TokenProvider {
    /// Checks the settings and builds the HTTP client for the token endpoint.
    pub fn new(
        settings: OAuthSettings,
        timeout: Duration,
        connect_timeout: Duration,
        user_agent: &str,
    ) -> ApiResult<TokenProvider> {
        let config = |message: String| ApiError::Config { message };
        let profile = &settings.profile;
        let url = reqwest::Url::parse(settings.token_url.trim()).map_err(|e| {
            config(format!(
                "profile `{profile}`: the OAuth token_url is not a valid URL ({e})"
            ))
        })?;
        if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
            return Err(config(format!(
                "profile `{profile}`: the OAuth token_url must be an http(s) URL like {SALESLOFT_TOKEN_URL}"
            )));
        }
        if settings.client_id.trim().is_empty() {
            return Err(config(format!(
                "profile `{profile}`: the OAuth client_id is empty; copy it from the app's page in SalesLoft"
            )));
        }
        if settings.client_secret.trim().is_empty() {
            return Err(config(format!(
                "profile `{profile}`: the OAuth client secret is empty; check client_secret_env or client_secret_cmd"
            )));
        }
        let http = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(connect_timeout)
            .user_agent(user_agent)
            .build()
            .map_err(|e| config(format!("could not set up the HTTP client: {e}")))?;
        Ok(TokenProvider {
            settings,
            http,
            state: tokio::sync::Mutex::new(State::default()),
        })
    }

    pub fn settings(&self) -> &OAuthSettings {
        &self.settings
    }

    /// A valid access token, refreshed first when it expires soon.
    pub async fn bearer(&self) -> ApiResult<String> {
        let mut st = self.state.lock().await;
        self.prepare(&mut st)?;
        if let Some(a) = &st.access
            && Instant::now() < a.refresh_at
        {
            return Ok(a.token.clone());
        }
        match self.refresh(&mut st).await {
            Ok(token) => Ok(token),
            // An early refresh that met a network or server failure: the current
            // token still works until it expires (never one that is not saved yet).
            Err(e @ (ApiError::Network { .. } | ApiError::Server { .. })) => match &st.access {
                Some(a) if st.unsaved.is_none() && Instant::now() < a.expires_at => {
                    tracing::warn!(error = %e, "OAuth refresh failed; using the current access token until it expires");
                    Ok(a.token.clone())
                }
                _ => Err(e),
            },
            Err(e) => Err(e),
        }
    }

    /// The server refused `token` (401): get a new one, unless another request
    /// already replaced it. Returns the token to replay with.
    pub async fn rejected(&self, token: &str) -> ApiResult<String> {
        let mut st = self.state.lock().await;
        self.prepare(&mut st)?;
        if let Some(a) = &st.access
            && a.token != token
            && Instant::now() < a.expires_at
        {
            return Ok(a.token.clone());
        }
        st.access = None;
        self.refresh(&mut st).await
    }

    /// What the provider holds now (reads the token file on first use).
    pub async fn status(&self) -> ApiResult<TokenStatus> {
        let mut st = self.state.lock().await;
        self.prepare(&mut st)?;
        let now = Instant::now();
        Ok(TokenStatus {
            has_access_token: st.access.as_ref().is_some_and(|a| a.expires_at > now),
            expires_in: st
                .access
                .as_ref()
                .map(|a| a.expires_at.saturating_duration_since(now).as_secs()),
            has_refresh_token: st.refresh_token.is_some(),
            refreshes: st.refreshes,
        })
    }

    /// Loads the token file once, and saves an answer the last write lost.
    fn prepare(&self, st: &mut State) -> ApiResult<()> {
        if !st.loaded {
            let stored = read_tokens(&self.settings.token_file)
                .map_err(|message| ApiError::Config { message })?;
            if let Some(stored) = stored {
                self.adopt(st, &stored);
            }
            st.loaded = true;
        }
        if let Some(pending) = st.unsaved.clone() {
            self.save(&pending)?;
            st.unsaved = None;
        }
        Ok(())
    }

    /// Takes the refresh token, and the access token when it is ours and still valid.
    fn adopt(&self, st: &mut State, stored: &StoredTokens) {
        if self.settings.grant == Grant::RefreshToken && stored.refresh_token.is_some() {
            st.refresh_token = stored.refresh_token.clone();
        }
        let same_app = stored.client_id.as_deref() == Some(self.settings.client_id.as_str())
            && stored.token_url.as_deref() == Some(self.settings.token_url.as_str());
        if let (true, Some(token), Some(at)) = (same_app, &stored.access_token, stored.expires_at) {
            let left = at - unix_now();
            if left > 0 {
                let lifetime = stored.expires_in.unwrap_or(left as u64);
                st.access = Some(access(token.clone(), left as u64, lifetime));
            }
        }
    }

    fn save(&self, tokens: &StoredTokens) -> ApiResult<()> {
        let path = &self.settings.token_file;
        write_tokens(path, tokens).map_err(|e| ApiError::Config {
            message: format!(
                "could not save the OAuth tokens to {} ({e}); make its directory writable. \
                 sltui keeps the new tokens in memory and saves them on the next request",
                path.display()
            ),
        })
    }

    /// Asks the token endpoint for a new access token and stores the answer.
    async fn refresh(&self, st: &mut State) -> ApiResult<String> {
        let s = &self.settings;
        // Another sltui (say `sltui report` beside the dashboard) may be refreshing
        // too: wait for it, so one refresh token is never spent twice. Held until
        // the answer is saved.
        let _held = match s.grant {
            Grant::RefreshToken => Some(RefreshLock::acquire(&s.token_file).await?),
            Grant::ClientCredentials => None,
        };
        if s.grant == Grant::RefreshToken {
            // It may have rotated the refresh token: its token file is newer than
            // our memory.
            if let Ok(Some(stored)) = read_tokens(&s.token_file)
                && stored.refresh_token.is_some()
                && stored.refresh_token != st.refresh_token
            {
                let stale = st.access.as_ref().map(|a| a.token.clone());
                self.adopt(st, &stored);
                if let Some(a) = &st.access
                    && Some(&a.token) != stale.as_ref()
                    && Instant::now() < a.refresh_at
                {
                    return Ok(a.token.clone());
                }
            }
        }
        let mut form: Vec<(&str, &str)> = vec![
            ("grant_type", s.grant.as_str()),
            ("client_id", s.client_id.trim()),
            ("client_secret", s.client_secret.trim()),
        ];
        let refresh_token = st.refresh_token.clone();
        match s.grant {
            Grant::RefreshToken => match refresh_token.as_deref() {
                Some(rt) => form.push(("refresh_token", rt)),
                None => {
                    return Err(ApiError::OAuth {
                        message: format!(
                            "profile `{}` uses OAuth with grant refresh_token, but no refresh \
                             token is stored in {}. Authorize sltui with the team's SalesLoft \
                             OAuth app, then run `sltui auth import --profile {}` and paste the \
                             refresh token (a private admin app can use grant = \
                             \"client_credentials\" instead)",
                            s.profile,
                            s.token_file.display(),
                            s.profile
                        ),
                    });
                }
            },
            Grant::ClientCredentials => {
                if let Some(scope) = s.scope.as_deref().filter(|v| !v.trim().is_empty()) {
                    form.push(("scope", scope));
                }
            }
        }
        let body = serde_urlencoded::to_string(&form).map_err(|e| ApiError::Config {
            message: format!("could not encode the OAuth token request: {e}"),
        })?;
        st.refreshes += 1;
        tracing::info!(profile = %s.profile, grant = s.grant.as_str(), "requesting an OAuth access token");
        let sent = self
            .http
            .post(s.token_url.trim())
            .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(ACCEPT, "application/json")
            .body(body)
            .send()
            .await;
        let secrets = [Some(s.client_secret.clone()), refresh_token.clone()];
        let resp = sent
            .map_err(|e| refusal::transport(&self.settings, network_error(&e, false), &secrets))?;
        let status = resp.status().as_u16();
        let bytes = resp
            .bytes()
            .await
            .map_err(|e| refusal::transport(&self.settings, network_error(&e, true), &secrets))?;
        if !(200..300).contains(&status) {
            return Err(refusal::refused(&self.settings, status, &bytes, &secrets));
        }
        let answer: TokenAnswer = serde_json::from_slice(&bytes)
            .ok()
            .filter(|a: &TokenAnswer| {
                !a.access_token.trim().is_empty()
                    && a.token_type
                        .as_deref()
                        .is_none_or(|t| t.eq_ignore_ascii_case("bearer"))
            })
            .ok_or_else(|| ApiError::Decode {
                what: format!("the OAuth token answer from {}", s.token_url),
                message: "expected a JSON object with a bearer access_token".into(),
            })?;
        let lifetime = answer.expires_in.unwrap_or(7200).max(1);
        let stored = StoredTokens {
            // Refresh tokens rotate; a server that sends none keeps the old one.
            refresh_token: match s.grant {
                Grant::RefreshToken => answer.refresh_token.clone().or(refresh_token),
                Grant::ClientCredentials => None,
            },
            access_token: Some(answer.access_token.clone()),
            expires_at: Some(unix_now() + lifetime as i64),
            expires_in: Some(lifetime),
            scope: answer.scope.clone(),
            client_id: Some(s.client_id.clone()),
            token_url: Some(s.token_url.clone()),
        };
        st.refresh_token = stored.refresh_token.clone();
        st.access = Some(access(answer.access_token.clone(), lifetime, lifetime));
        // Saved before the new access token is used: the old refresh token is dead.
        if let Err(e) = self.save(&stored) {
            st.unsaved = Some(stored);
            return Err(e);
        }
        Ok(answer.access_token)
    }
}

fn access(token: String, left_secs: u64, lifetime_secs: u64) -> Access {
    let now = Instant::now();
    let left = Duration::from_secs(left_secs);
    let margin = (Duration::from_secs(lifetime_secs) / 10).min(MAX_REFRESH_MARGIN);
    Access {
        token,
        refresh_at: now + left.saturating_sub(margin),
        expires_at: now + left,
    }
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::*;

    #[test]
    fn debug_output_hides_secrets() {
        let tokens = StoredTokens {
            refresh_token: Some("refresh-SECRET".into()),
            access_token: Some("access-SECRET".into()),
            ..StoredTokens::default()
        };
        let settings = OAuthSettings {
            profile: "p".into(),
            token_url: SALESLOFT_TOKEN_URL.into(),
            client_id: "id".into(),
            client_secret: "client-SECRET".into(),
            grant: Grant::RefreshToken,
            scope: None,
            token_file: PathBuf::from("/x"),
        };
        let text = format!("{tokens:?} {settings:?}");
        assert!(!text.contains("SECRET"), "{text}");
    }

    #[test]
    fn refresh_margin_is_a_tenth_of_short_lifetimes() {
        let a = access("t".into(), 7200, 7200);
        let early = a.expires_at - a.refresh_at;
        assert_eq!(early, MAX_REFRESH_MARGIN);
        let a = access("t".into(), 2, 2);
        assert_eq!(a.expires_at - a.refresh_at, Duration::from_millis(200));
    }
}
