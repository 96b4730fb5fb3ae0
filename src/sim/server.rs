//! The simulator's HTTP server: every `/v2` request passes latency (and jitter),
//! the outage and faults planned before the endpoint, auth and the rate limiter,
//! then the endpoint and the faults planned after it (see [`super::faults`]);
//! every `/v2` answer of the endpoint carries the two rate-limit headers
//! (salesloft-api.md §4). Test-only endpoints live under `/_sim` (no auth, no
//! charge).
//!
//! Choices (documented in `sim::mod` too):
//! * auth failures are not charged (no team to charge) but carry the headers;
//! * `x-ratelimit-endpoint-cost` always states what the endpoint costs, also on
//!   401 and 429 answers, which charge nothing;
//! * 404 and 422 answers of authenticated requests are charged.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Instant;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri, header};
use axum::response::Response;
use axum::routing::{get, post};
use serde_json::{Value, json};

use super::body::Fields;
use super::faults::http as fault_http;
use super::limiter::{Verdict, cost_for_page};
use super::lock::lock;
use super::ops;
use super::pessimism;
use super::privacy;
use super::query::{ApiError, Query, page_param, parse_ts};
use super::routes::Route;
use super::shared::{Answer, Shared, Stats};
use super::{json, lists, team, truth};

pub fn router(shared: Arc<Shared>) -> Router {
    Router::new()
        .route("/_sim/stats", get(stats))
        .route("/_sim/stats/reset", post(stats_reset))
        .route("/_sim/truth/engagement", get(truth_engagement))
        .route("/_sim/truth/consistency", get(truth_consistency))
        .route("/_sim/truth/counts", get(truth_counts))
        .route(
            "/_sim/faults",
            get(fault_http::get_faults).post(fault_http::set_faults),
        )
        .merge(super::oauth::routes())
        .merge(super::revocation::routes())
        .fallback(v2)
        .with_state(shared)
}

fn json_response(status: StatusCode, body: Option<&Value>) -> Response {
    text_response(status, body.map(Value::to_string))
}

/// Like [`json_response`], with the body already serialized.
fn text_response(status: StatusCode, body: Option<String>) -> Response {
    let mut res = match body {
        Some(text) => {
            let mut r = Response::new(Body::from(text));
            r.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json; charset=utf-8"),
            );
            r
        }
        None => Response::new(Body::empty()),
    };
    *res.status_mut() = status;
    res
}

fn status(code: u16) -> StatusCode {
    StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
}

fn error_response(e: &ApiError) -> Response {
    json_response(status(e.status()), Some(&e.body()))
}

const MISSING_TOKEN: &str =
    "No Bearer Token attached to request, please see documentation at developers.salesloft.com";
const BAD_TOKEN: &str = "Not authorized: the access token is invalid or expired";

/// The bearer token, if the request carries one.
fn bearer(headers: &HeaderMap) -> Option<&str> {
    let v = headers.get(header::AUTHORIZATION)?.to_str().ok()?.trim();
    let (scheme, token) = v.split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then_some(token)
}

/// Every request that is not a `/_sim` endpoint.
async fn v2(
    State(s): State<Arc<Shared>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let path = uri.path();
    let route = Route::parse(&method, path);
    if route == Route::NotFound && s.pessimism.html_errors {
        // The web server in front answers paths the API does not know.
        let mut st = lock(&s.stats);
        st.requests += 1;
        *st.by_endpoint.entry(route.name()).or_default() += 1;
        drop(st);
        return counted(&s, pessimism::html_page(StatusCode::NOT_FOUND));
    }
    if path != "/v2" && !path.starts_with("/v2/") {
        return error_response(&ApiError::NotFound);
    }
    let query = uri.query();
    let cost = if route.is_list() {
        cost_for_page(page_param(query))
    } else {
        1
    };
    let empty_range = route.is_list() && holds_no_instant(query);
    {
        let mut st = lock(&s.stats);
        st.requests += 1;
        st.empty_ranges += u64::from(empty_range);
        *st.by_endpoint.entry(route.name()).or_default() += 1;
    }
    s.revocation.arrived(Instant::now());
    let (plan, fault_timeout) = {
        let mut f = lock(&s.faults);
        (f.next(Instant::now()), f.config().timeout)
    };
    let mut delay = s.latency + plan.extra_delay;
    if s.pessimism.slow_deep_pages && route.is_list() {
        delay += pessimism::deep_page_delay(page_param(query));
    }
    if !delay.is_zero() {
        tokio::time::sleep(delay).await;
    }
    if let Some(res) = fault_http::before_endpoint(&s, &plan, fault_timeout).await {
        return counted(&s, res);
    }
    let now = Instant::now();
    let token = bearer(&headers);
    let key_works = !s.revocation.is_revoked(now);
    let authorized =
        token.is_some_and(|t| (t == s.api_key && key_works) || s.oauth.accepts(t, now));
    let (mut res, remaining) = if !authorized {
        let msg = if token.is_none() {
            MISSING_TOKEN
        } else {
            BAD_TOKEN
        };
        lock(&s.stats).unauthorized += 1;
        let remaining = lock(&s.limiter).remaining(now);
        let body = json!({ "error": msg });
        (
            json_response(StatusCode::UNAUTHORIZED, Some(&body)),
            remaining,
        )
    } else {
        let verdict = lock(&s.limiter).take(cost, now);
        match verdict {
            Verdict::Throttled {
                remaining,
                retry_after_secs,
            } => {
                lock(&s.stats).throttled += 1;
                let r = if s.pessimism.no_retry_after {
                    let body = json!({ "error": "Rate limit exceeded" });
                    json_response(StatusCode::TOO_MANY_REQUESTS, Some(&body))
                } else {
                    let body = json!({
                        "error": format!("Rate limit exceeded. Try again in {retry_after_secs} seconds")
                    });
                    let mut r = json_response(StatusCode::TOO_MANY_REQUESTS, Some(&body));
                    r.headers_mut()
                        .insert(header::RETRY_AFTER, HeaderValue::from(retry_after_secs));
                    r
                };
                (r, remaining)
            }
            Verdict::Charged { remaining } => {
                {
                    let mut st = lock(&s.stats);
                    st.cost_charged += u64::from(cost);
                    *st.charged_by_endpoint.entry(route.name()).or_default() += u64::from(cost);
                }
                let ct = headers
                    .get(header::CONTENT_TYPE)
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_string);
                let query = query.map(str::to_string);
                let shared = Arc::clone(&s);
                // Off the async workers: a big list can take a while, and a
                // panic while rendering becomes a 500 instead of a dropped socket.
                let answered = tokio::task::spawn_blocking(move || {
                    let out = answer(&shared, route, query.as_deref(), ct.as_deref(), &body);
                    loosened(&shared, route, out)
                })
                .await;
                let res = match answered {
                    Ok(Ok((code, body))) => text_response(code, body),
                    Ok(Err(e)) => error_response(&e),
                    Err(_) => json_response(
                        StatusCode::INTERNAL_SERVER_ERROR,
                        Some(&json!({ "error": "Internal Server Error" })),
                    ),
                };
                (res, remaining)
            }
        }
    };
    let h = res.headers_mut();
    h.insert("x-ratelimit-endpoint-cost", HeaderValue::from(cost));
    h.insert("x-ratelimit-remaining-minute", HeaderValue::from(remaining));
    let res = fault_http::after_endpoint(&s, &plan, res, fault_timeout).await;
    counted(&s, res)
}

/// The request's `updated_at` range holds no instant (see
/// [`super::query::TimeRange::holds_no_instant`]).
fn holds_no_instant(query: Option<&str>) -> bool {
    super::query::Query::parse(query).is_ok_and(|mut q| {
        let r = q.range("updated_at");
        !r.is_empty() && r.holds_no_instant()
    })
}

/// Counts the answer's status in the stats (a reset has none: not counted).
fn counted(s: &Shared, res: Response) -> Response {
    if fault_http::is_reset(&res) {
        return res;
    }
    *lock(&s.stats)
        .by_status
        .entry(res.status().as_u16())
        .or_default() += 1;
    res
}

/// A 2xx body with the pessimistic `loose_json` applied, when it is on.
fn loosened(s: &Shared, route: Route, out: Answer) -> Answer {
    if !s.pessimism.loose_json {
        return out;
    }
    let kind = match route {
        Route::Emails | Route::Email(_) => pessimism::Kind::Email,
        Route::Steps | Route::Step(_) => pessimism::Kind::Step,
        Route::Memberships | Route::Membership(_) | Route::CreateMembership => {
            pessimism::Kind::Membership
        }
        _ => pessimism::Kind::Other,
    };
    out.map(|(code, body)| match body {
        Some(text) if code.is_success() => (code, Some(pessimism::loosen(text, kind, s.seed))),
        other => (code, other),
    })
}

fn data(v: Value) -> Answer {
    Ok((StatusCode::OK, Some(json!({ "data": v }).to_string())))
}

fn list(body: Result<String, ApiError>) -> Answer {
    Ok((StatusCode::OK, Some(body?)))
}

/// Runs one authorised, charged request.
fn answer(
    s: &Shared,
    route: Route,
    query: Option<&str>,
    content_type: Option<&str>,
    body: &[u8],
) -> Answer {
    let base = s.base.as_str();
    if let Some(out) = super::subscriptions::answer(s, route, query, content_type, body) {
        return out;
    }
    if route.is_mutation() {
        let fields = Fields::parse(query, content_type, body)?;
        let mut w = s.write();
        let (id_row, kind) = match route {
            Route::CreatePerson => (ops::create_person(&mut w, &fields)?, "person"),
            Route::UpdatePerson(id) => {
                ops::update_person(&mut w, id, &fields)?;
                (id, "person")
            }
            Route::CreateMembership => (ops::create_membership(&mut w, &fields)?, "membership"),
            Route::DeleteMembership(id) => {
                ops::delete_membership(&mut w, id)?;
                return Ok((StatusCode::NO_CONTENT, None));
            }
            Route::CreateCall => (ops::create_call(&mut w, &fields)?, "call"),
            Route::CadenceImport => {
                let id = ops::import_cadence(&mut w, &fields)?;
                return data(json::cadence_import(base, id));
            }
            _ => return Err(ApiError::NotFound),
        };
        let ds = &w.ds;
        let rendered = match kind {
            "person" => ds.people.get(id_row).map(|r| json::person(ds, r, base)),
            "membership" => ds
                .memberships
                .get(id_row)
                .map(|r| json::membership(ds, r, base)),
            _ => ds.calls.get(id_row).map(|r| json::call(ds, r, base)),
        };
        return data(rendered.ok_or(ApiError::NotFound)?);
    }
    let q = || Query::parse(query);
    let w = s.read();
    let ds = &w.ds;
    let found = |v: Option<Value>| v.ok_or(ApiError::NotFound).and_then(data);
    match route {
        Route::Me => found(
            w.me()
                .and_then(|id| ds.users.get(id))
                .map(|u| json::user(ds, u, base)),
        ),
        Route::Team => data(team::team(ds)),
        Route::Users => list(lists::users(ds, q()?, base)),
        Route::User(id) => found(ds.users.get(id).map(|r| json::user(ds, r, base))),
        Route::People => list(lists::people(ds, q()?, base)),
        Route::Person(id) => found(
            ds.people
                .get(id)
                .filter(|_| privacy::person_id_visible(ds, id))
                .map(|r| json::person(ds, r, base)),
        ),
        Route::Cadences => list(lists::cadences(ds, q()?, base)),
        Route::Cadence(id) => found(ds.cadences.get(id).map(|r| json::cadence(ds, r, base))),
        Route::Memberships => list(lists::memberships(ds, q()?, base)),
        Route::Membership(id) => found(
            ds.memberships
                .get(id)
                .filter(|m| privacy::person_id_visible(ds, m.person_id))
                .map(|r| json::membership(ds, r, base)),
        ),
        Route::Steps => {
            let mut q = q()?;
            if s.pessimism.steps_ignore_updated_at {
                q.ignore("updated_at");
            }
            list(lists::steps(ds, q, base))
        }
        Route::Step(id) => found(ds.steps.get(id).map(|r| json::step(ds, r, base))),
        Route::Emails => list(lists::emails(ds, q()?, base)),
        Route::Email(id) => found(
            ds.emails
                .get(id)
                .filter(|e| privacy::person_id_visible(ds, e.person_id))
                .map(|r| json::email(ds, r, base)),
        ),
        Route::Calls => list(lists::calls(ds, q()?, base)),
        Route::Call(id) => found(
            ds.calls
                .get(id)
                .filter(|c| privacy::person_id_visible(ds, c.person_id))
                .map(|r| json::call(ds, r, base)),
        ),
        Route::Dispositions => list(team::dispositions(ds, q()?)),
        Route::Sentiments => list(team::sentiments(ds, q()?)),
        Route::EmailTemplates => list(lists::email_templates(ds, q()?, base)),
        Route::EmailTemplate(id) => found(ds.email_templates.get(id).map(|t| {
            let counts = json::template_counts(ds);
            json::email_template(ds, t, counts.get(&id), base)
        })),
        Route::CadenceExport(id) => found(ds.cadences.get(id).map(|c| json::cadence_export(ds, c))),
        _ => Err(ApiError::NotFound),
    }
}

async fn stats(State(s): State<Arc<Shared>>) -> Response {
    let remaining = lock(&s.limiter).remaining(Instant::now());
    let budget = lock(&s.limiter).budget();
    let faults = lock(&s.faults).counts();
    let st = lock(&s.stats);
    let by_status: BTreeMap<String, u64> = st
        .by_status
        .iter()
        .map(|(k, v)| (k.to_string(), *v))
        .collect();
    let body = json!({
        "requests": st.requests,
        "cost_charged": st.cost_charged,
        "throttled": st.throttled,
        "unauthorized": st.unauthorized,
        "empty_ranges": st.empty_ranges,
        "requests_after_revocation": s.revocation.requests_after(),
        "by_endpoint": st.by_endpoint,
        "charged_by_endpoint": st.charged_by_endpoint,
        "by_status": by_status,
        "budget": budget,
        "remaining": remaining,
        "faults": faults,
    });
    json_response(StatusCode::OK, Some(&body))
}

async fn stats_reset(State(s): State<Arc<Shared>>) -> Response {
    *lock(&s.stats) = Stats::default();
    lock(&s.faults).reset_counts();
    json_response(StatusCode::OK, Some(&json!({ "ok": true })))
}

async fn truth_engagement(State(s): State<Arc<Shared>>, RawQuery(raw): RawQuery) -> Response {
    let pairs = match super::query::raw_pairs(raw.as_deref().unwrap_or("")) {
        Ok(p) => p,
        Err(e) => return error_response(&e),
    };
    let since = match pairs.iter().rev().find(|(k, _)| k == "since") {
        None => None,
        Some((_, v)) => match parse_ts(v) {
            Some(t) => Some(t),
            None => return error_response(&ApiError::field("since", "is invalid")),
        },
    };
    let w = s.read();
    let body = match since {
        Some(t) => truth::engagement_since(&w.ds, Some(t)),
        None => truth::engagement(&w.ds),
    };
    drop(w);
    json_response(StatusCode::OK, Some(&body))
}

async fn truth_consistency(State(s): State<Arc<Shared>>) -> Response {
    let problems = truth::check_consistency(&s.read().ds);
    json_response(StatusCode::OK, Some(&json!({ "problems": problems })))
}

/// `GET /_sim/truth/counts`: the records of each resource a full sync stores
/// (`emails`: every email, one fact each).
async fn truth_counts(State(s): State<Arc<Shared>>) -> Response {
    let w = s.read();
    let ds = &w.ds;
    // With `--non-admin`, what the key can read (see `privacy`).
    let seen = |person: u64| privacy::person_id_visible(ds, person);
    let users = match &ds.privacy {
        Some(p) => ds.users.iter().filter(|u| p.user_visible(u.id)).count(),
        None => ds.users.len(),
    };
    let body = json!({
        "users": users,
        "cadences": ds.cadences.len(),
        "steps": ds.steps.len(),
        "people": ds.people.iter().filter(|p| seen(p.id)).count(),
        "cadence_memberships": ds.memberships.iter().filter(|m| seen(m.person_id)).count(),
        "emails": ds.emails.iter().filter(|e| seen(e.person_id)).count(),
        "calls": ds.calls.iter().filter(|c| seen(c.person_id)).count(),
        // Cadence templates included, as the sync asks.
        "email_templates": ds.email_templates.len(),
    });
    drop(w);
    json_response(StatusCode::OK, Some(&body))
}
