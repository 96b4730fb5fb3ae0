//! The HTTP client: configuration, the request loop with retries, the
//! rate-limit budget fed from every response, and typed decoding.

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant};

use reqwest::Method;
use reqwest::header::{ACCEPT, AUTHORIZATION, CONTENT_TYPE, HeaderMap, HeaderValue, RETRY_AFTER};
use serde::de::DeserializeOwned;

use super::ApiResult;
use super::auth::{OAuthSettings, TokenProvider};
use super::auth_gate::{AuthGate, Outcome, Refusal};
use super::budget::{self, Budget};
use super::decode::decode;
use super::error::{ApiError, OAuthRefusal, error_chain, network_error};
use super::health::Health;
use super::models::ListEnvelope;
use super::query::Query;
use super::retry::{self, Attempts, Decision};

mod probe;
pub use probe::ProbeResult;

/// Client settings. `Debug` never shows the key.
#[derive(Clone)]
pub struct ApiConfig {
    pub base_url: String,
    pub api_key: Option<String>,
    pub timeout: Duration,
    pub connect_timeout: Duration,
    pub max_retries: u32,
    pub budget_limit: u32,
    pub user_agent: String,
    /// OAuth instead of an API key: access tokens from the token endpoint.
    pub oauth: Option<OAuthSettings>,
}

impl ApiConfig {
    pub fn new(base_url: &str, api_key: Option<String>) -> Self {
        ApiConfig {
            base_url: base_url.to_string(),
            api_key,
            timeout: Duration::from_secs(20),
            connect_timeout: Duration::from_secs(5),
            max_retries: 3,
            budget_limit: 600,
            user_agent: concat!("sltui/", env!("CARGO_PKG_VERSION")).to_string(),
            oauth: None,
        }
    }

    /// Trims trailing `/`, appends `/v2` when missing, requires http(s).
    pub fn normalize_base_url(url: &str) -> ApiResult<String> {
        let config = |message: String| ApiError::Config { message };
        let trimmed = url.trim().trim_end_matches('/');
        if trimmed.is_empty() {
            return Err(config("the base URL is empty".into()));
        }
        let parsed = reqwest::Url::parse(trimmed)
            .map_err(|e| config(format!("the base URL is not a valid URL ({e})")))?;
        if !matches!(parsed.scheme(), "http" | "https") {
            return Err(config(format!(
                "the base URL must start with http:// or https://, not {}://",
                parsed.scheme()
            )));
        }
        if parsed.host_str().is_none_or(str::is_empty) {
            return Err(config("the base URL has no host".into()));
        }
        if !parsed.username().is_empty() || parsed.password().is_some() {
            return Err(config(
                "the base URL must not contain credentials; set SALESLOFT_API_KEY instead".into(),
            ));
        }
        if parsed.query().is_some() || parsed.fragment().is_some() {
            return Err(config(
                "the base URL must not have a query or fragment".into(),
            ));
        }
        Ok(if trimmed.ends_with("/v2") {
            trimmed.to_string()
        } else {
            format!("{trimmed}/v2")
        })
    }
}

impl fmt::Debug for ApiConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ApiConfig")
            .field("base_url", &self.base_url)
            .field("api_key", &self.api_key.as_ref().map(|_| "<redacted>"))
            .field("timeout", &self.timeout)
            .field("connect_timeout", &self.connect_timeout)
            .field("max_retries", &self.max_retries)
            .field("budget_limit", &self.budget_limit)
            .field("user_agent", &self.user_agent)
            .field("oauth", &self.oauth)
            .finish()
    }
}

struct Inner {
    http: reqwest::Client,
    base_url: String,
    budget: Budget,
    health: Health,
    max_retries: u32,
    oauth: Option<Arc<TokenProvider>>,
    /// The API key, only to scrub it from error texts (see `scrub`).
    secret: Option<String>,
    /// Stops sending after SalesLoft refused the key (see `auth_gate`).
    gate: AuthGate,
}

/// The SalesLoft client; clones share the connection pool and the budget.
#[derive(Clone)]
pub struct ApiClient {
    inner: Arc<Inner>,
}

impl fmt::Debug for ApiClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ApiClient")
            .field("base_url", &self.inner.base_url)
            .finish_non_exhaustive()
    }
}

/// A response as received, before status handling.
pub(crate) struct Raw {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

impl ApiClient {
    pub fn new(cfg: ApiConfig) -> ApiResult<Self> {
        let base_url = ApiConfig::normalize_base_url(&cfg.base_url)?;
        let mut headers = HeaderMap::new();
        headers.insert(ACCEPT, HeaderValue::from_static("application/json"));
        if let Some(key) = cfg.api_key.as_deref() {
            let key = key.trim();
            let bad = |message: &str| ApiError::Config {
                message: message.to_string(),
            };
            if key.is_empty() {
                return Err(bad(
                    "the API key is empty; set it (--api-key, SALESLOFT_API_KEY, or the \
                     profile's api_key_env / api_key_cmd)",
                ));
            }
            let invalid = "the API key contains spaces, control or non-ASCII characters; \
                           check where it comes from (--api-key, SALESLOFT_API_KEY, or the \
                           profile's api_key_env / api_key_cmd)";
            if !key.chars().all(|c| c.is_ascii_graphic()) {
                return Err(bad(invalid));
            }
            let mut value =
                HeaderValue::from_str(&format!("Bearer {key}")).map_err(|_| bad(invalid))?;
            value.set_sensitive(true);
            headers.insert(AUTHORIZATION, value);
        }
        if cfg.api_key.is_some() && cfg.oauth.is_some() {
            return Err(ApiError::Config {
                message: "both an API key and OAuth are configured; use one of them".into(),
            });
        }
        let oauth = match cfg.oauth.clone() {
            Some(settings) => Some(Arc::new(TokenProvider::new(
                settings,
                cfg.timeout,
                cfg.connect_timeout,
                &cfg.user_agent,
            )?)),
            None => None,
        };
        let http = reqwest::Client::builder()
            .default_headers(headers)
            .timeout(cfg.timeout)
            .connect_timeout(cfg.connect_timeout)
            .user_agent(cfg.user_agent.clone())
            .build()
            .map_err(|e| ApiError::Config {
                message: format!("could not set up the HTTP client: {}", error_chain(&e)),
            })?;
        Ok(ApiClient {
            inner: Arc::new(Inner {
                http,
                base_url,
                budget: Budget::new(cfg.budget_limit),
                health: Health::default(),
                max_retries: cfg.max_retries,
                oauth,
                secret: cfg.api_key.as_deref().map(|k| k.trim().to_string()),
                gate: AuthGate::default(),
            }),
        })
    }

    /// The OAuth token provider, when the client uses OAuth.
    pub fn token_provider(&self) -> Option<&TokenProvider> {
        self.inner.oauth.as_deref()
    }

    /// The bearer token for the next request (OAuth only; the API key is a
    /// default header).
    async fn bearer(&self) -> ApiResult<Option<String>> {
        match &self.inner.oauth {
            Some(p) => p.bearer().await.map(Some),
            None => Ok(None),
        }
    }

    pub fn base_url(&self) -> &str {
        &self.inner.base_url
    }

    pub fn budget(&self) -> &Budget {
        &self.inner.budget
    }

    /// Whether SalesLoft answers, from every exchange (for the circuit breaker).
    pub fn health(&self) -> &Health {
        &self.inner.health
    }

    /// Whether SalesLoft refused the key, and when it is tried again.
    pub fn auth_refusal(&self) -> Option<Refusal> {
        self.inner.gate.refusal()
    }

    /// The user asks to try a refused key again: the next request is the try,
    /// unless the last try was under [`super::auth_gate::MIN_GAP`] ago (`Err`:
    /// the wait left). Then [`Self::try_key`].
    pub fn allow_auth_retry(&self) -> Result<(), Duration> {
        self.inner.gate.allow_now()
    }

    /// One `GET /me`: whether the key works (through the gate, so a refused key
    /// is only sent when a try is due).
    pub async fn try_key(&self) -> ApiResult<()> {
        self.get_json::<serde_json::Value>("me.json", &Query::new())
            .await
            .map(|_| ())
    }

    /// GET `path` and decode the whole body as `T`, retrying per policy.
    pub async fn get_json<T: DeserializeOwned>(&self, path: &str, query: &Query) -> ApiResult<T> {
        let raw = self.execute(Method::GET, path, query, None).await?;
        decode(&raw.body, "GET", path, query).map_err(|e| self.scrub(e))
    }

    /// GET a list endpoint (one page).
    pub async fn list<T: DeserializeOwned>(
        &self,
        path: &str,
        query: &Query,
    ) -> ApiResult<ListEnvelope<T>> {
        self.get_json(path, query).await
    }

    /// Sends `body` as JSON with `method` and decodes the reply as `T`.
    pub(crate) async fn send_json<B: serde::Serialize, T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        body: &B,
    ) -> ApiResult<T> {
        let bytes = serde_json::to_vec(body).map_err(|e| ApiError::Config {
            message: format!("could not encode the request body for {path}: {e}"),
        })?;
        let verb = method.as_str().to_string();
        let raw = self
            .execute(method, path, &Query::new(), Some(bytes))
            .await?;
        decode(&raw.body, &verb, path, &Query::new()).map_err(|e| self.scrub(e))
    }

    /// DELETE `path`; any 2xx (normally 204) is success.
    pub(crate) async fn delete(&self, path: &str) -> ApiResult<()> {
        self.execute(Method::DELETE, path, &Query::new(), None)
            .await
            .map(|_| ())
    }

    /// A 401 despite OAuth came after a fresh access token: says so, so the
    /// message points at the authorization rather than at an API key.
    fn with_oauth_context(&self, err: ApiError) -> ApiError {
        match (err, &self.inner.oauth) {
            (ApiError::Unauthorized { message, .. }, Some(p)) => ApiError::Unauthorized {
                message,
                oauth: Some(OAuthRefusal {
                    profile: p.settings().profile.clone(),
                    grant: p.settings().grant.as_str(),
                }),
            },
            (err, _) => err,
        }
    }

    /// Sends with retries per `retry::decide`. With OAuth, a 401 gets a new
    /// access token and the request is replayed once (safe for every method:
    /// the server refused it without acting on it).
    pub(crate) async fn execute(
        &self,
        method: Method,
        path: &str,
        query: &Query,
        body: Option<Vec<u8>>,
    ) -> ApiResult<Raw> {
        let (rel, url) = self.url_for(path, query)?;
        let pass = match self.inner.gate.enter().await {
            Ok(pass) => pass,
            Err(refused) => return Err(self.with_oauth_context(not_sent(&refused))),
        };
        let result = self
            .execute_inner(method, &rel, &url, body, pass.epoch)
            .await;
        let outcome = match &result {
            Ok(_) => Outcome::Answered,
            Err(ApiError::Unauthorized { .. }) => Outcome::Refused {
                by_token_endpoint: false,
            },
            // The token endpoint refused to issue an access token.
            Err(ApiError::OAuth { .. }) => Outcome::Refused {
                by_token_endpoint: true,
            },
            Err(e) if e.status().is_some() => Outcome::Answered,
            Err(_) => Outcome::Unknown,
        };
        let message = match &result {
            Err(ApiError::Unauthorized { message, .. } | ApiError::OAuth { message }) => {
                Some(message.as_str())
            }
            _ => None,
        };
        self.inner.gate.record(outcome, message, pass.epoch);
        drop(pass);
        result
    }

    async fn execute_inner(
        &self,
        method: Method,
        rel: &str,
        url: &str,
        body: Option<Vec<u8>>,
        epoch: u64,
    ) -> ApiResult<Raw> {
        let (rel, url) = (rel.to_string(), url.to_string());
        let is_read = method == Method::GET || method == Method::HEAD;
        let mut attempts = Attempts::default();
        let mut replayed_401 = false;
        let mut token = None;
        loop {
            // The key was refused since this request got leave (a 401 to a
            // request beside it, while this one waited to retry): send nothing.
            if let Err(refused) = self.inner.gate.check(epoch) {
                return Err(self.with_oauth_context(not_sent(&refused)));
            }
            let outcome = match &token {
                Some(_) => Ok(()),
                None => self.bearer().await.map(|t| token = t),
            };
            let outcome = match outcome {
                Ok(()) => match self
                    .send_raw(&method, &url, body.as_deref(), token.as_deref())
                    .await
                {
                    // The access token, like the key, never reaches an error text.
                    Ok(raw) => self
                        .check(raw, method.as_str(), &rel)
                        .map_err(|e| match &token {
                            Some(t) => e.without_secret(t),
                            None => e,
                        }),
                    Err(e) => Err(e),
                },
                Err(e) => Err(e),
            };
            let mut err = match outcome {
                Ok(raw) => return Ok(raw),
                Err(err) => err,
            };
            if let (ApiError::Unauthorized { .. }, Some(p), Some(used), false) =
                (&err, &self.inner.oauth, &token, replayed_401)
            {
                replayed_401 = true;
                tracing::info!(%method, path = %rel, "access token refused (401): refreshing and replaying");
                match p.rejected(used).await {
                    Ok(fresh) => {
                        token = Some(fresh);
                        continue;
                    }
                    Err(e) => err = e,
                }
            }
            // The next attempt asks the provider again (the token may be due).
            token = None;
            let max = self.inner.max_retries;
            match retry::decide(&err, is_read, max, attempts, &self.inner.budget) {
                Decision::GiveUp => return Err(self.with_oauth_context(err)),
                Decision::Retry(wait) => {
                    if matches!(err, ApiError::RateLimited { .. }) {
                        attempts.throttles += 1;
                    } else {
                        attempts.failures += 1;
                    }
                    tracing::warn!(
                        %method, path = %rel, error = %err, wait_ms = wait.as_millis() as u64,
                        "retrying SalesLoft request"
                    );
                    tokio::time::sleep(wait).await;
                }
            }
        }
    }

    /// One HTTP exchange; every response feeds the budget.
    async fn send_raw(
        &self,
        method: &Method,
        url: &str,
        body: Option<&[u8]>,
        bearer: Option<&str>,
    ) -> ApiResult<Raw> {
        let mut req = self.inner.http.request(method.clone(), url);
        if let Some(token) = bearer {
            let mut value =
                HeaderValue::from_str(&format!("Bearer {}", token.trim())).map_err(|_| {
                    ApiError::Decode {
                        what: "the OAuth access token".into(),
                        message: "it contains characters a header cannot carry".into(),
                    }
                })?;
            value.set_sensitive(true);
            req = req.header(AUTHORIZATION, value);
        }
        if let Some(b) = body {
            req = req
                .header(CONTENT_TYPE, "application/json")
                .body(b.to_vec());
        }
        let health = &self.inner.health;
        let resp = match req.send().await {
            Ok(resp) => resp,
            Err(e) => {
                let err = network_error(&e, false);
                if matches!(
                    err,
                    ApiError::Network {
                        maybe_sent: true,
                        ..
                    }
                ) {
                    super::spend::unanswered();
                }
                return Err(failed(health, err));
            }
        };
        let status = resp.status().as_u16();
        let headers = resp.headers().clone();
        self.inner.budget.record_response(status, &headers);
        super::spend::answered(status, budget::parse_cost(&headers));
        let body = match resp.bytes().await {
            Ok(b) => b.to_vec(),
            // The status is what matters for an error; a 2xx must be whole.
            Err(_) if !(200..300).contains(&status) => Vec::new(),
            Err(e) => return Err(failed(health, network_error(&e, true))),
        };
        if status >= 500 {
            health.record_failure(format!("server error {status}"));
        } else {
            health.record_success();
        }
        Ok(Raw {
            status,
            headers,
            body,
        })
    }

    /// Turns a non-2xx response into its typed error, and an HTML page where
    /// JSON belongs into [`ApiError::NotSalesLoft`] (a 5xx page stays a server
    /// error: gateways answer those for SalesLoft too, and they pass).
    fn check(&self, raw: Raw, verb: &str, rel: &str) -> ApiResult<Raw> {
        if raw.status < 500 && raw.status != 429 && raw.status != 204 {
            let content_type = raw.headers.get(CONTENT_TYPE).and_then(|v| v.to_str().ok());
            if let Some(title) = super::error_body::html_page(content_type, &raw.body) {
                return Err(self.scrub(ApiError::NotSalesLoft {
                    status: raw.status,
                    path: format!("{verb} {rel}"),
                    title,
                }));
            }
        }
        if (200..300).contains(&raw.status) {
            return Ok(raw);
        }
        let retry_after = raw
            .headers
            .get(RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(retry::parse_retry_after);
        if raw.status == 429 {
            self.inner.budget.record_throttle(retry_after);
        }
        Err(self.scrub(ApiError::from_response(
            raw.status,
            rel,
            &raw.body,
            retry_after,
        )))
    }

    /// Removes the API key from an error built from a response body, in case the
    /// server echoed it.
    fn scrub(&self, err: ApiError) -> ApiError {
        match &self.inner.secret {
            Some(key) => err.without_secret(key),
            None => err,
        }
    }

    /// `(relative path, full URL)`. Absolute URLs are accepted only under
    /// our base URL, so the key is never sent to another host.
    fn url_for(&self, path: &str, query: &Query) -> ApiResult<(String, String)> {
        let base = &self.inner.base_url;
        let rel = if path.starts_with("http://") || path.starts_with("https://") {
            path.strip_prefix(base.as_str())
                .and_then(|p| p.strip_prefix('/'))
                .ok_or_else(|| ApiError::Config {
                    message: format!("refusing to send the API key outside {base}: {path}"),
                })?
        } else {
            path.trim_start_matches('/')
        };
        let mut url = format!("{base}/{rel}");
        if !query.is_empty() {
            url.push(if rel.contains('?') { '&' } else { '?' });
            url.push_str(&query.to_query_string());
        }
        Ok((rel.to_string(), url))
    }
}

/// A request the gate did not send: the key was refused.
fn not_sent(r: &Refusal) -> ApiError {
    let now = Instant::now();
    let ago = now.saturating_duration_since(r.last_try).as_secs();
    let next = r
        .next_try
        .saturating_duration_since(now)
        .as_secs_f64()
        .ceil() as u64;
    let message = format!(
        "{} (the key was refused {ago} s ago; not sent, next try in {next} s)",
        r.message
    );
    if r.by_token_endpoint {
        ApiError::OAuth { message }
    } else {
        ApiError::Unauthorized {
            message,
            oauth: None,
        }
    }
}

/// Records a transport failure in `health` (its kind in words) and returns it.
fn failed(health: &Health, err: ApiError) -> ApiError {
    if let ApiError::Network { kind, .. } = &err {
        health.record_failure(kind.to_string());
    }
    err
}
