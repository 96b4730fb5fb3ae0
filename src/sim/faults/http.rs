//! Fault answers on the wire, and `GET`/`POST /_sim/faults` to look at or change
//! the faults while the simulator runs (tests switch them off to check the
//! aggregates; an outage can be started and ended at will).

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::Response;
use serde_json::{Map, Value, json};

use super::{FaultConfig, FaultKind, Phase, Plan, check_fraction, check_secs, parse_faults};
use crate::sim::lock::lock;
use crate::sim::shared::Shared;

fn with_body(status: StatusCode, content_type: &'static str, body: impl Into<Body>) -> Response {
    let mut r = Response::new(body.into());
    *r.status_mut() = status;
    r.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    r
}

fn json_error(status: StatusCode, message: &str) -> Response {
    let body = json!({ "error": message }).to_string();
    with_body(status, "application/json; charset=utf-8", body)
}

/// The 503 every request gets during the outage.
pub fn outage() -> Response {
    json_error(StatusCode::SERVICE_UNAVAILABLE, "Service Unavailable")
}

/// A 500, 502 or 503 from the gateway, as JSON or as an HTML page (always HTML
/// for a 502 or 503 when `html` is set: the pessimistic `html_errors`).
fn server_error(variant: u64, html: bool) -> Response {
    let status = [
        StatusCode::INTERNAL_SERVER_ERROR,
        StatusCode::BAD_GATEWAY,
        StatusCode::SERVICE_UNAVAILABLE,
    ][(variant % 3) as usize];
    let reason = status.canonical_reason().unwrap_or("Server Error");
    if html && status != StatusCode::INTERNAL_SERVER_ERROR {
        crate::sim::pessimism::html_page(status)
    } else if (variant >> 8) & 1 == 0 {
        json_error(status, reason)
    } else {
        let page = format!(
            "<html><head><title>{} {reason}</title></head><body><h1>{reason}</h1></body></html>",
            status.as_u16()
        );
        with_body(status, "text/html", page)
    }
}

/// Marks a reset, which has no status to count.
#[derive(Debug, Clone, Copy)]
struct ResetMark;

/// A response whose body fails before anything of it arrives: hyper aborts the
/// connection, and the client sees a reset or an incomplete message.
fn reset() -> Response {
    let failing = futures::stream::once(async {
        Err::<Bytes, std::io::Error>(std::io::Error::new(
            std::io::ErrorKind::ConnectionReset,
            "simulated connection reset",
        ))
    });
    let mut res = Response::new(Body::from_stream(failing));
    res.extensions_mut().insert(ResetMark);
    res
}

/// Whether `res` is a reset (it never reaches the client as an answer).
pub fn is_reset(res: &Response) -> bool {
    res.extensions().get::<ResetMark>().is_some()
}

/// The endpoint's answer as a 200 whose body is cut in half, or is not JSON; the
/// endpoint's rate-limit headers stay.
async fn malformed(res: Response, variant: u64) -> Response {
    let (parts, body) = res.into_parts();
    let bytes = axum::body::to_bytes(body, usize::MAX)
        .await
        .unwrap_or_default();
    let mut out = match variant % 3 {
        0 if bytes.len() > 1 => with_body(
            StatusCode::OK,
            "application/json; charset=utf-8",
            bytes.slice(..bytes.len() / 2),
        ),
        1 => with_body(
            StatusCode::OK,
            "text/html",
            "<html><body><h1>Please wait</h1></body></html>",
        ),
        _ => with_body(
            StatusCode::OK,
            "application/json; charset=utf-8",
            r#"{"data": [{"id": 1,, "#,
        ),
    };
    for (name, value) in &parts.headers {
        if name.as_str().starts_with("x-ratelimit-") {
            out.headers_mut().insert(name.clone(), value.clone());
        }
    }
    out
}

/// The planned fault, if it strikes in `phase` (`slow` is only a delay).
pub fn due(plan: &Plan, phase: Phase) -> Option<FaultKind> {
    plan.fault
        .filter(|(kind, when)| *when == phase && *kind != FaultKind::Slow)
        .map(|(kind, _)| kind)
}

/// The answer a fault gives instead of `res`, the endpoint's answer (after) or
/// `None` (before the endpoint ran); `html`: 502s and 503s are HTML pages.
pub async fn answer(
    kind: FaultKind,
    variant: u64,
    res: Option<Response>,
    timeout: Duration,
    html: bool,
) -> Response {
    match kind {
        FaultKind::ServerError => server_error(variant, html),
        FaultKind::Timeout => {
            tokio::time::sleep(timeout).await;
            json_error(StatusCode::GATEWAY_TIMEOUT, "Gateway Timeout")
        }
        FaultKind::Reset => reset(),
        FaultKind::Malformed => match res {
            Some(r) => malformed(r, variant).await,
            None => malformed(Response::new(Body::empty()), 2).await,
        },
        // Only a delay, already taken: the normal answer.
        FaultKind::Slow => res.unwrap_or_default(),
    }
}

/// Counts and answers what happens before the endpoint runs: a `slow` spike (only
/// counted, the delay was taken), the outage, or a fault planned for then.
pub async fn before_endpoint(s: &Shared, plan: &Plan, timeout: Duration) -> Option<Response> {
    if plan.drawn == Some(FaultKind::Slow) {
        lock(&s.faults).count(FaultKind::Slow.name());
    }
    let html = s.pessimism.html_errors;
    if plan.outage {
        lock(&s.faults).count("outage");
        return Some(if html {
            crate::sim::pessimism::html_page(StatusCode::SERVICE_UNAVAILABLE)
        } else {
            outage()
        });
    }
    let kind = due(plan, Phase::Before)?;
    lock(&s.faults).count(kind.name());
    Some(answer(kind, plan.variant, None, timeout, html).await)
}

/// The endpoint ran (a mutation was applied): a fault planned for now loses or
/// damages its answer. A malformed answer is a damaged 2xx; errors pass as they are.
pub async fn after_endpoint(s: &Shared, plan: &Plan, res: Response, timeout: Duration) -> Response {
    let damaged = |k: &FaultKind| *k != FaultKind::Malformed || res.status().is_success();
    match due(plan, Phase::After).filter(damaged) {
        Some(kind) => {
            lock(&s.faults).count(kind.name());
            let html = s.pessimism.html_errors;
            answer(kind, plan.variant, Some(res), timeout, html).await
        }
        None => res,
    }
}

fn describe(cfg: &FaultConfig, in_outage: bool, counts: Value) -> Value {
    json!({
        "fault_rate": cfg.rate,
        "faults": cfg.kinds.iter().map(|k| k.name()).collect::<Vec<_>>(),
        "fault_timeout_ms": cfg.timeout.as_millis() as u64,
        "latency_jitter_ms": cfg.jitter.as_millis() as u64,
        "other_load": cfg.other_load,
        "in_outage": in_outage,
        "counts": counts,
    })
}

fn current(s: &Shared) -> Value {
    let f = lock(&s.faults);
    let counts = serde_json::to_value(f.counts()).unwrap_or(Value::Null);
    describe(f.config(), f.in_outage(Instant::now()), counts)
}

/// `GET /_sim/faults`: the faults in force and what was injected.
pub async fn get_faults(State(s): State<Arc<Shared>>) -> Response {
    with_body(
        StatusCode::OK,
        "application/json; charset=utf-8",
        current(&s).to_string(),
    )
}

fn number(v: &Value, name: &str) -> Result<f64, String> {
    v.as_f64()
        .ok_or_else(|| format!("{name} must be a number, not {v}"))
}

fn millis(v: &Value, name: &str) -> Result<Duration, String> {
    v.as_u64()
        .map(Duration::from_millis)
        .ok_or_else(|| format!("{name} must be a whole number of milliseconds, not {v}"))
}

/// Applies a `POST /_sim/faults` body to `cfg`. `outage_secs` starts an outage
/// now (or after `outage_after_secs`); 0 ends it.
pub fn apply(cfg: &mut FaultConfig, body: &Map<String, Value>) -> Result<(), String> {
    let mut after = Duration::ZERO;
    let mut outage = None;
    for (key, v) in body {
        match key.as_str() {
            "fault_rate" => cfg.rate = check_fraction("fault_rate", number(v, key)?)?,
            "faults" => {
                cfg.kinds = match v {
                    Value::String(s) => parse_faults(s)?,
                    Value::Array(items) => {
                        let names: Vec<&str> = items.iter().filter_map(Value::as_str).collect();
                        if names.len() != items.len() {
                            return Err("faults must be a list of names".into());
                        }
                        parse_faults(&names.join(","))?
                    }
                    other => return Err(format!("faults must be a list of names, not {other}")),
                }
            }
            "fault_timeout_ms" => cfg.timeout = millis(v, key)?,
            "latency_jitter_ms" => cfg.jitter = millis(v, key)?,
            "other_load" => cfg.other_load = check_fraction("other_load", number(v, key)?)?,
            "outage_secs" => outage = Some(check_secs("outage_secs", number(v, key)?)?),
            "outage_after_secs" => after = check_secs("outage_after_secs", number(v, key)?)?,
            other => return Err(format!("unknown field {other:?}")),
        }
    }
    if let Some(len) = outage {
        cfg.outage = (!len.is_zero()).then_some((after, len));
    }
    Ok(())
}

/// `POST /_sim/faults` with any of `fault_rate`, `faults`, `fault_timeout_ms`,
/// `latency_jitter_ms`, `other_load`, `outage_secs`, `outage_after_secs`.
pub async fn set_faults(State(s): State<Arc<Shared>>, body: Bytes) -> Response {
    let parsed: Result<Map<String, Value>, String> = serde_json::from_slice::<Value>(&body)
        .map_err(|e| format!("the body is not JSON: {e}"))
        .and_then(|v| match v {
            Value::Object(m) => Ok(m),
            _ => Err("the body must be a JSON object".into()),
        });
    let result = parsed.and_then(|body| {
        let mut f = lock(&s.faults);
        let mut cfg = f.config().clone();
        let outage_before = cfg.outage;
        apply(&mut cfg, &body)?;
        let now = Instant::now();
        if !body.contains_key("outage_secs") {
            // Keep the running outage window as it is.
            cfg.outage = outage_before;
            f.set_keeping_outage(cfg.clone());
        } else {
            f.set(cfg.clone(), now);
        }
        lock(&s.limiter).set_other_load(cfg.other_load);
        Ok(())
    });
    match result {
        Ok(()) => with_body(
            StatusCode::OK,
            "application/json; charset=utf-8",
            current(&s).to_string(),
        ),
        Err(e) => json_error(StatusCode::BAD_REQUEST, &e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn obj(v: Value) -> Map<String, Value> {
        v.as_object().cloned().unwrap_or_default()
    }

    #[test]
    fn runtime_changes_are_checked() {
        let mut cfg = FaultConfig::default();
        apply(
            &mut cfg,
            &obj(
                json!({"fault_rate": 0.5, "faults": ["5xx", "reset"], "fault_timeout_ms": 200,
                        "other_load": 0.25, "outage_secs": 3, "outage_after_secs": 1}),
            ),
        )
        .unwrap();
        assert_eq!(cfg.rate, 0.5);
        assert_eq!(cfg.kinds, vec![FaultKind::ServerError, FaultKind::Reset]);
        assert_eq!(cfg.timeout, Duration::from_millis(200));
        assert_eq!(
            cfg.outage,
            Some((Duration::from_secs(1), Duration::from_secs(3)))
        );
        apply(
            &mut cfg,
            &obj(json!({"outage_secs": 0, "faults": "timeout"})),
        )
        .unwrap();
        assert_eq!(cfg.outage, None);
        assert_eq!(cfg.kinds, vec![FaultKind::Timeout]);
        for bad in [
            json!({"fault_rate": 2}),
            json!({"faults": ["nope"]}),
            json!({"faults": 3}),
            json!({"other_load": "x"}),
            json!({"outage_secs": -1}),
            json!({"what": 1}),
        ] {
            let mut c = FaultConfig::default();
            assert!(apply(&mut c, &obj(bad.clone())).is_err(), "{bad}");
        }
    }
}
