//! Decoding response bodies into typed values, with errors that name the
//! request, the Rust type, and the place in the body that did not fit.

use serde::de::DeserializeOwned;

use super::ApiResult;
use super::error::ApiError;
use super::error_body::snippet;
use super::query::Query;

/// Decodes a JSON body, naming the request and the place that failed.
pub(crate) fn decode<T: DeserializeOwned>(
    body: &[u8],
    verb: &str,
    path: &str,
    query: &Query,
) -> ApiResult<T> {
    serde_json::from_slice(body).map_err(|e| {
        let request = if query.is_empty() {
            format!("{verb} {path}")
        } else {
            format!("{verb} {path}?{}", query.to_query_string())
        };
        let near = near_position(body, e.line(), e.column());
        let reason = bounded_reason(&e);
        ApiError::Decode {
            what: format!("{} from {request}", short_type_name::<T>()),
            message: if near.is_empty() {
                reason
            } else {
                format!("{reason}, near `{near}`")
            },
        }
    })
}

/// Longest serde reason kept, in characters, before the position.
const MAX_REASON: usize = 240;

/// serde's message with its position kept but its reason cut short: serde
/// quotes the offending value whole ("invalid type: string \"...\""), which
/// may be a megabyte of the body.
fn bounded_reason(e: &serde_json::Error) -> String {
    let full = e.to_string();
    let position = format!(" at line {} column {}", e.line(), e.column());
    let reason = match full.strip_suffix(&position) {
        Some(reason) if e.line() > 0 => reason,
        _ => return snippet(&full, MAX_REASON),
    };
    format!(
        "{}{position}",
        snippet(&shorten_quoted(reason, MAX_QUOTED), MAX_REASON)
    )
}

/// Longest quoted value kept whole inside a reason, in characters.
const MAX_QUOTED: usize = 40;

/// Cuts each `"..."` (Debug-quoted, so inner quotes are escaped) longer than
/// `max` characters to its first `max` and `…`, so the reason shows what kind
/// of value was there and what was expected, not the value.
fn shorten_quoted(text: &str, max: usize) -> String {
    let mut out = String::with_capacity(text.len().min(1024));
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        out.push(c);
        if c != '"' {
            continue;
        }
        let mut kept = 0;
        let mut escaped = false;
        for c in chars.by_ref() {
            let end = c == '"' && !escaped;
            escaped = c == '\\' && !escaped;
            if end {
                if kept > max {
                    out.push('…');
                }
                out.push('"');
                break;
            }
            kept += 1;
            if kept <= max {
                out.push(c);
            }
        }
    }
    out
}

/// About 60 characters of the body around line/column (1-based).
fn near_position(body: &[u8], line: usize, column: usize) -> String {
    let text = String::from_utf8_lossy(body);
    let Some(l) = text.lines().nth(line.saturating_sub(1)) else {
        return String::new();
    };
    let chars: Vec<char> = l.chars().collect();
    let at = column.min(chars.len());
    let from = at.saturating_sub(40);
    let to = (at + 20).min(chars.len());
    snippet(&chars[from..to].iter().collect::<String>(), 80)
}

/// `a::b::ListEnvelope<a::c::Person>` -> `ListEnvelope<Person>`.
fn short_type_name<T>() -> String {
    let mut out = String::new();
    let mut token = String::new();
    for c in std::any::type_name::<T>().chars() {
        if c.is_alphanumeric() || c == '_' {
            token.push(c);
        } else if c == ':' {
            token.clear();
        } else {
            out.push_str(&token);
            token.clear();
            out.push(c);
        }
    }
    out.push_str(&token);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::models::{ListEnvelope, Person};

    #[test]
    fn decode_errors_name_request_type_and_location() {
        let body = b"{\"data\": [{\"id\": \"seven\", \"updated_at\": null}]}";
        let q = Query::new().push("page", 2);
        let err = decode::<ListEnvelope<Person>>(body, "GET", "people", &q).unwrap_err();
        let ApiError::Decode { what, message } = &err else {
            panic!("{err:?}")
        };
        assert_eq!(what, "ListEnvelope<Person> from GET people?page=2");
        assert!(message.contains("line 1 column"), "{message}");
        assert!(message.contains("near `"), "{message}");
        let err =
            decode::<ListEnvelope<Person>>(b"<html>oops</html>", "GET", "people", &Query::new());
        assert!(matches!(err, Err(ApiError::Decode { .. })));
        let err = decode::<ListEnvelope<Person>>(b"", "GET", "people", &Query::new());
        assert!(err.unwrap_err().to_string().contains("people"));
    }

    #[test]
    fn decode_errors_never_echo_a_huge_value() {
        let huge = "z".repeat(1 << 20);
        let body = format!("{{\"data\": {{\"id\": \"{huge}\"}}}}");
        let err = decode::<crate::api::models::Single<Person>>(
            body.as_bytes(),
            "GET",
            "people/1",
            &Query::new(),
        )
        .unwrap_err();
        let text = err.to_string();
        assert!(text.len() < 600, "{} bytes: {}", text.len(), &text[..600]);
        assert!(text.contains("invalid type: string"), "{text}");
        assert!(text.contains("at line 1 column"), "{text}");
        assert!(text.contains("GET people/1"), "{text}");
    }

    #[test]
    fn long_quoted_values_are_cut_short() {
        let long = format!("invalid type: string \"{}\", expected u64", "ab".repeat(50));
        let short = shorten_quoted(&long, 5);
        assert_eq!(short, "invalid type: string \"ababa…\", expected u64");
        let escaped = r#"unknown variant "a\"bcdefgh", expected "x""#;
        assert_eq!(
            shorten_quoted(escaped, 4),
            r#"unknown variant "a\"b…", expected "x""#
        );
        assert_eq!(shorten_quoted("no quotes", 3), "no quotes");
        assert_eq!(shorten_quoted("open \"abcdef", 3), "open \"abc");
    }

    #[test]
    fn type_names_are_short() {
        assert_eq!(
            short_type_name::<ListEnvelope<Person>>(),
            "ListEnvelope<Person>"
        );
        assert_eq!(short_type_name::<Vec<u64>>(), "Vec<u64>");
    }
}
