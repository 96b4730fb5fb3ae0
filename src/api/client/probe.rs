//! One un-retried GET for `sltui doctor` and the circuit breaker's probe: never
//! fails, the outcome (status, latency, budget headers, body, HTML or not) is in
//! the result.

use std::time::{Duration, Instant};

use reqwest::Method;
use reqwest::header::CONTENT_TYPE;

use super::super::ApiResult;
use super::super::budget;
use super::super::error::ApiError;
use super::super::query::Query;
use super::{ApiClient, Raw};

/// The outcome of one un-retried GET, for `sltui doctor`.
#[derive(Clone, Debug)]
pub struct ProbeResult {
    pub path: String,
    pub status: Option<u16>,
    pub latency: Duration,
    pub cost: Option<u32>,
    pub remaining: Option<u32>,
    pub error: Option<ApiError>,
    pub body: Option<serde_json::Value>,
    /// The answer was an HTML page (of any status), not JSON.
    pub html: bool,
}

impl ApiClient {
    /// One GET, no retries; never fails, the outcome is in the result.
    pub async fn probe(&self, path: &str) -> ProbeResult {
        let started = Instant::now();
        let mut result = ProbeResult {
            path: path.to_string(),
            status: None,
            latency: Duration::ZERO,
            cost: None,
            remaining: None,
            error: None,
            body: None,
            html: false,
        };
        let outcome = match self.url_for(path, &Query::new()) {
            Ok((rel, url)) => match self.probe_send(&url).await {
                Ok((raw, token)) => {
                    result.status = Some(raw.status);
                    result.cost = budget::parse_cost(&raw.headers);
                    result.remaining = budget::parse_remaining(&raw.headers);
                    result.body = serde_json::from_slice(&raw.body).ok();
                    let content_type = raw.headers.get(CONTENT_TYPE).and_then(|v| v.to_str().ok());
                    result.html =
                        super::super::error_body::html_page(content_type, &raw.body).is_some();
                    self.check(raw, "GET", &rel).map(|_| ()).map_err(|e| {
                        // The access token, like the key, never reaches an error text.
                        let e = match &token {
                            Some(t) => e.without_secret(t),
                            None => e,
                        };
                        self.with_oauth_context(e)
                    })
                }
                Err(e) => Err(e),
            },
            Err(e) => Err(e),
        };
        result.latency = started.elapsed();
        result.error = outcome.err();
        result
    }

    /// With OAuth, a refused (401) access token is replaced and the GET sent
    /// once more, as [`Self::execute`] does. Returns the access token used last.
    async fn probe_send(&self, url: &str) -> ApiResult<(Raw, Option<String>)> {
        let token = self.bearer().await?;
        let raw = self
            .send_raw(&Method::GET, url, None, token.as_deref())
            .await?;
        match (&self.inner.oauth, token) {
            (Some(p), Some(used)) if raw.status == 401 => {
                let fresh = p.rejected(&used).await?;
                let raw = self.send_raw(&Method::GET, url, None, Some(&fresh)).await?;
                Ok((raw, Some(fresh)))
            }
            (_, token) => Ok((raw, token)),
        }
    }
}
