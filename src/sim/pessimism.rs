//! The pessimistic simulator: the rough edges of the real API (and of what sits in
//! front of it) that the default simulator smooths over. Each is its own switch;
//! `sltui sim --pessimistic` turns on all of them. None changes the data the
//! simulator holds, only how it answers.
//!
//! * `no_retry_after`: a 429 carries no `Retry-After` (none is documented,
//!   salesloft-api.md §4) and its message names no wait;
//! * `sliding_window`: the budget is a sliding one-minute window (every charge
//!   counts for exactly one window after it), not windows aligned to the start,
//!   so the remaining budget creeps back instead of jumping to the full budget;
//! * `steps_ignore_updated_at`: `updated_at[...]` filters are ignored on
//!   `/v2/steps` (the OpenAPI file documents none there, §3.5): every step comes
//!   back and the filter is not echoed in `metadata.filtering`;
//! * `loose_json`: about a third of the numbers the client may meet as strings
//!   (`step_number`, `day`, `counts.*`, ids inside nested objects) are sent as
//!   numeric strings, and some enum values are ones no client knows yet (an email
//!   status, a step type, a membership state), always for records whose true value
//!   is one the engagement definitions do not count (an unsent email stays
//!   unsent); all of it is a pure function of `--seed`, the record and the field;
//! * `html_errors`: unknown paths, 502s and 503s answer an HTML page
//!   (`content-type: text/html`), as a gateway or web framework does, not JSON;
//! * `slow_deep_pages`: a list page answers later the deeper it is
//!   ([`DEEP_PAGE_MS`] per page number).

use std::time::Duration;

use axum::body::Body;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::Response;
use serde_json::{Map, Value};

use super::rng::{hash_unit, hash64};

/// The switches; the default is the kind simulator.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Pessimism {
    pub no_retry_after: bool,
    pub sliding_window: bool,
    pub steps_ignore_updated_at: bool,
    pub loose_json: bool,
    pub html_errors: bool,
    pub slow_deep_pages: bool,
}

impl Pessimism {
    /// Everything on (`--pessimistic`).
    pub fn all() -> Self {
        Pessimism {
            no_retry_after: true,
            sliding_window: true,
            steps_ignore_updated_at: true,
            loose_json: true,
            html_errors: true,
            slow_deep_pages: true,
        }
    }

    /// The flag names of the switches that are on.
    pub fn names(&self) -> Vec<&'static str> {
        [
            (self.no_retry_after, "no-retry-after"),
            (self.sliding_window, "sliding-window"),
            (self.steps_ignore_updated_at, "steps-ignore-updated-at"),
            (self.loose_json, "loose-json"),
            (self.html_errors, "html-errors"),
            (self.slow_deep_pages, "slow-deep-pages"),
        ]
        .into_iter()
        .filter_map(|(on, name)| on.then_some(name))
        .collect()
    }
}

/// Extra latency per page number of a list request with `slow_deep_pages`.
pub const DEEP_PAGE_MS: f64 = 0.5;

/// How much later page `page` of a list answers.
pub fn deep_page_delay(page: Option<u64>) -> Duration {
    let page = page.unwrap_or(1).min(1_000_000) as f64;
    Duration::from_secs_f64(page * DEEP_PAGE_MS / 1000.0)
}

/// A web server's error page.
pub fn html_page(status: StatusCode) -> Response {
    let reason = status.canonical_reason().unwrap_or("Error");
    let code = status.as_u16();
    let page = format!(
        "<!DOCTYPE html>\n<html><head><title>{code} {reason}</title></head>\n<body>\
         <h1>{reason}</h1><p>The page you were looking for is not available.</p>\
         <hr><address>nginx</address></body></html>\n"
    );
    let mut r = Response::new(Body::from(page));
    *r.status_mut() = status;
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    r
}

/// Which resource a body holds, for the enum values it may carry.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Email,
    Step,
    Membership,
    Other,
}

const SALT_NUMBER: u64 = 0x100_5E01;
const SALT_ENUM: u64 = 0x100_5E02;
/// Share of the numbers sent as strings, and of the eligible enum values replaced.
const SHARE: f64 = 0.35;

/// Email statuses the engagement definitions never count as sent.
const UNSENT: [&str; 9] = [
    "pending",
    "pending_reply_check",
    "scheduled",
    "sending",
    "delivering",
    "failed",
    "cancelled",
    "pending_through_gmail",
    "pending_through_external",
];

/// A status, step type and membership state no client knows yet.
pub const NEW_EMAIL_STATUS: &str = "queued_for_review";
pub const NEW_STEP_TYPE: &str = "linkedin_message";
pub const NEW_MEMBERSHIP_STATE: &str = "paused";

fn field_hash(name: &str) -> u64 {
    name.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
    })
}

fn picked(seed: u64, salt: u64, id: u64, field: &str) -> bool {
    hash_unit(seed ^ salt, hash64(id, field_hash(field))) < SHARE
}

/// `v` as a numeric string when picked.
fn stringify(v: &mut Value, seed: u64, id: u64, field: &str) {
    if v.is_number() && picked(seed, SALT_NUMBER, id, field) {
        *v = Value::String(v.to_string());
    }
}

/// Loosens one record in place (see the module docs).
fn loosen_record(rec: &mut Map<String, Value>, kind: Kind, seed: u64) {
    let Some(id) = rec.get("id").and_then(Value::as_u64) else {
        return;
    };
    for (key, v) in rec.iter_mut() {
        match v {
            Value::Object(inner) if key == "counts" => {
                for (name, n) in inner.iter_mut() {
                    stringify(n, seed, id, &format!("counts.{name}"));
                }
            }
            Value::Object(inner) => {
                if let Some(n) = inner.get_mut("id") {
                    stringify(n, seed, id, key);
                }
            }
            Value::Number(_) if key == "step_number" || key == "day" => {
                stringify(v, seed, id, key);
            }
            _ => {}
        }
    }
    let (field, eligible, new): (&str, &[&str], &str) = match kind {
        Kind::Email => ("status", &UNSENT, NEW_EMAIL_STATUS),
        Kind::Step => ("type", &["integration", "other"], NEW_STEP_TYPE),
        Kind::Membership => (
            "current_state",
            &["removed_no_action", "reassigned"],
            NEW_MEMBERSHIP_STATE,
        ),
        Kind::Other => return,
    };
    if let Some(Value::String(s)) = rec.get_mut(field)
        && eligible.contains(&s.as_str())
        && picked(seed, SALT_ENUM, id, field)
    {
        *s = new.to_string();
    }
}

/// The body of a 2xx JSON answer (`{"data": {...}}` or a list envelope),
/// loosened; anything that is not such a body comes back unchanged.
pub fn loosen(body: String, kind: Kind, seed: u64) -> String {
    let Ok(mut v) = serde_json::from_str::<Value>(&body) else {
        return body;
    };
    match v.get_mut("data") {
        Some(Value::Array(rows)) => {
            for row in rows {
                if let Value::Object(rec) = row {
                    loosen_record(rec, kind, seed);
                }
            }
        }
        Some(Value::Object(rec)) => loosen_record(rec, kind, seed),
        _ => return body,
    }
    v.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn steps(n: u64) -> String {
        let rows: Vec<Value> = (1..=n)
            .map(|id| {
                json!({"id": id, "day": id % 9, "step_number": id % 5 + 1,
                       "type": if id % 2 == 0 { "integration" } else { "email" },
                       "cadence": {"_href": "x", "id": 7}, "name": "n"})
            })
            .collect();
        json!({"data": rows, "metadata": {"paging": {"per_page": 100}}}).to_string()
    }

    #[test]
    fn numbers_become_strings_and_new_enums_appear_deterministically() {
        let a = loosen(steps(200), Kind::Step, 42);
        assert_eq!(
            a,
            loosen(steps(200), Kind::Step, 42),
            "same seed, same body"
        );
        assert_ne!(a, loosen(steps(200), Kind::Step, 43));
        let v: Value = serde_json::from_str(&a).unwrap();
        let rows = v["data"].as_array().unwrap();
        let strings =
            |f: &dyn Fn(&Value) -> &Value| rows.iter().filter(|r| f(r).is_string()).count();
        for n in [
            strings(&|r| &r["day"]),
            strings(&|r| &r["step_number"]),
            strings(&|r| &r["cadence"]["id"]),
        ] {
            assert!((40..=100).contains(&n), "{n} of 200");
        }
        assert!(
            rows.iter().all(|r| r["id"].is_u64()),
            "top-level ids stay numbers"
        );
        assert_eq!(
            v["metadata"]["paging"]["per_page"], 100,
            "metadata untouched"
        );
        let new = rows.iter().filter(|r| r["type"] == NEW_STEP_TYPE).count();
        assert!(new > 10, "{new}");
        assert!(
            rows.iter()
                .filter(|r| r["id"].as_u64().unwrap() % 2 == 1)
                .all(|r| r["type"] == "email"),
            "only eligible values are replaced"
        );
    }

    #[test]
    fn sent_emails_keep_their_status() {
        let rows: Vec<Value> = (1..=300)
            .map(|id| json!({"id": id, "status": if id % 3 == 0 { "sent" } else { "scheduled" }}))
            .collect();
        let out = loosen(json!({"data": rows}).to_string(), Kind::Email, 1);
        let v: Value = serde_json::from_str(&out).unwrap();
        let rows = v["data"].as_array().unwrap();
        for r in rows {
            if r["id"].as_u64().unwrap() % 3 == 0 {
                assert_eq!(r["status"], "sent");
            }
        }
        assert!(rows.iter().any(|r| r["status"] == NEW_EMAIL_STATUS));
        assert_eq!(loosen("not json".into(), Kind::Email, 1), "not json");
    }

    #[test]
    fn pages_get_slower_the_deeper_they_are() {
        assert!(deep_page_delay(Some(500)) > deep_page_delay(Some(100)));
        assert_eq!(deep_page_delay(None), deep_page_delay(Some(1)));
        assert_eq!(Pessimism::all().names().len(), 6);
        assert!(Pessimism::default().names().is_empty());
    }
}
