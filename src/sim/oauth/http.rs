//! The token endpoint's HTTP side: `POST /oauth/token` (form or JSON body,
//! client credentials in the body or as HTTP Basic) and the test-only
//! `/_sim/oauth*` endpoints.

use std::sync::Arc;
use std::time::Instant;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::Response;
use axum::routing::{get, post};
use serde_json::{Value, json};

use super::{INVALID_CLIENT, INVALID_REQUEST, Refusal};
use crate::sim::body::Fields;
use crate::sim::lock::lock;
use crate::sim::shared::Shared;

/// The sim's OAuth routes, merged into the main router.
pub fn routes() -> Router<Arc<Shared>> {
    Router::new()
        .route("/oauth/token", post(token))
        .route("/_sim/oauth", get(sim_counts))
        .route("/_sim/oauth/authorize", post(sim_authorize))
        .route("/_sim/oauth/revoke", post(sim_revoke))
}

fn json_answer(status: StatusCode, body: &Value) -> Response {
    let mut res = Response::new(Body::from(body.to_string()));
    *res.status_mut() = status;
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json; charset=utf-8"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
    res
}

/// `POST /oauth/token`.
async fn token(
    State(s): State<Arc<Shared>>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
    body: Bytes,
) -> Response {
    let oauth = &s.oauth;
    lock(&oauth.state).counts.token_requests += 1;
    let ct = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok());
    let outcome = match Fields::parse(query.as_deref(), ct, &body) {
        Err(_) => Err(INVALID_REQUEST),
        Ok(fields) => match basic_credentials(&headers) {
            Err(()) => Err(INVALID_CLIENT),
            Ok(basic) => oauth.exchange(&fields, basic),
        },
    };
    match outcome {
        Ok(body) => json_answer(StatusCode::OK, &body),
        Err(Refusal(status, code, description)) => {
            *lock(&oauth.state).counts.errors.entry(code).or_default() += 1;
            let body = json!({ "error": code, "error_description": description });
            let mut res = json_answer(status, &body);
            if status == StatusCode::UNAUTHORIZED {
                res.headers_mut().insert(
                    header::WWW_AUTHENTICATE,
                    HeaderValue::from_static(
                        "Bearer realm=\"Doorkeeper\", error=\"invalid_client\"",
                    ),
                );
            }
            res
        }
    }
}

/// `Authorization: Basic` client credentials: `Ok(None)` when absent,
/// `Err` when present but unreadable.
fn basic_credentials(headers: &HeaderMap) -> Result<Option<(String, String)>, ()> {
    let Some(v) = headers.get(header::AUTHORIZATION) else {
        return Ok(None);
    };
    let v = v.to_str().map_err(|_| ())?.trim();
    let Some((scheme, rest)) = v.split_once(' ') else {
        return Err(());
    };
    if !scheme.eq_ignore_ascii_case("basic") {
        return Err(());
    }
    let decoded = base64_decode(rest.trim()).ok_or(())?;
    let text = String::from_utf8(decoded).map_err(|_| ())?;
    let (id, secret) = text.split_once(':').ok_or(())?;
    let unescape = |s: &str| {
        serde_urlencoded::from_str::<Vec<(String, String)>>(&format!("v={s}"))
            .ok()
            .and_then(|mut p| p.pop())
            .map_or_else(|| s.to_string(), |(_, v)| v)
    };
    Ok(Some((unescape(id), unescape(secret))))
}

/// Standard base64 with padding (RFC 4648 §4).
fn base64_decode(s: &str) -> Option<Vec<u8>> {
    let s = s.trim_end_matches('=');
    let mut out = Vec::with_capacity(s.len() * 3 / 4);
    let (mut acc, mut bits) = (0u32, 0u32);
    for c in s.bytes() {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        };
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    Some(out)
}

/// `GET /_sim/oauth`.
async fn sim_counts(State(s): State<Arc<Shared>>) -> Response {
    let st = lock(&s.oauth.state);
    let now = Instant::now();
    let body = json!({
        "token_requests": st.counts.token_requests,
        "issued": st.counts.issued,
        "errors": st.counts.errors,
        "authorized": st.counts.authorized,
        "bearer_accepted": st.counts.bearer_accepted,
        "live_access_tokens": st.access.values().filter(|a| a.expires_at > now).count(),
        "live_refresh_tokens": st.refresh.len(),
        "token_expiry_secs": s.oauth.cfg.token_expiry_secs,
    });
    json_answer(StatusCode::OK, &body)
}

/// `POST /_sim/oauth/authorize`: `{"refresh_token": "..."}`.
async fn sim_authorize(State(s): State<Arc<Shared>>) -> Response {
    let token = s.oauth.authorize();
    json_answer(
        StatusCode::OK,
        &json!({ "refresh_token": token, "client_id": s.oauth.cfg.client_id }),
    )
}

/// `POST /_sim/oauth/revoke[?what=access|refresh|all]`.
async fn sim_revoke(State(s): State<Arc<Shared>>, RawQuery(query): RawQuery) -> Response {
    let pairs = serde_urlencoded::from_str::<Vec<(String, String)>>(query.as_deref().unwrap_or(""))
        .unwrap_or_default();
    let what = pairs
        .iter()
        .rev()
        .find(|(k, _)| k == "what")
        .map_or("access", |(_, v)| v.as_str());
    let (access, refresh) = match what {
        "access" => (true, false),
        "refresh" => (false, true),
        "all" => (true, true),
        _ => {
            let body = json!({ "error": "what must be access, refresh or all" });
            return json_answer(StatusCode::BAD_REQUEST, &body);
        }
    };
    let revoked = s.oauth.revoke(access, refresh);
    json_answer(StatusCode::OK, &json!({ "revoked": revoked }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_and_basic_header() {
        assert_eq!(base64_decode("YTpi").unwrap(), b"a:b");
        assert_eq!(base64_decode("YWJjZA==").unwrap(), b"abcd");
        assert_eq!(base64_decode("!!"), None);
        let mut h = HeaderMap::new();
        h.insert(
            header::AUTHORIZATION,
            HeaderValue::from_static("Basic YTpi"),
        );
        assert_eq!(basic_credentials(&h), Ok(Some(("a".into(), "b".into()))));
        h.insert(header::AUTHORIZATION, HeaderValue::from_static("Bearer x"));
        assert_eq!(basic_credentials(&h), Err(()));
    }
}
