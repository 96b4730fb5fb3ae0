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
        ApiError::Decode {
            what: format!("{} from {request}", short_type_name::<T>()),
            message: if near.is_empty() {
                e.to_string()
            } else {
                format!("{e}, near `{near}`")
            },
        }
    })
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
    fn type_names_are_short() {
        assert_eq!(
            short_type_name::<ListEnvelope<Person>>(),
            "ListEnvelope<Person>"
        );
        assert_eq!(short_type_name::<Vec<u64>>(), "Vec<u64>");
    }
}
