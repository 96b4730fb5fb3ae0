//! Reading SalesLoft error bodies: `{"errors": {field: [msg]}}` (422),
//! `{"error": msg}` (everything else), or any non-JSON body.

use std::collections::BTreeMap;

/// An error body reduced to an optional message and a field map.
#[derive(Debug, Default, PartialEq)]
pub(crate) struct ErrorBody {
    pub message: Option<String>,
    pub fields: BTreeMap<String, Vec<String>>,
}

/// Reads `{"errors": {field: [msg]}}`, `{"error": msg}` (plus an optional
/// `error_description`), or any non-JSON body as a trimmed snippet.
pub(crate) fn parse_error_body(body: &[u8]) -> ErrorBody {
    let mut out = ErrorBody::default();
    let Ok(value) = serde_json::from_slice::<serde_json::Value>(body) else {
        let text = String::from_utf8_lossy(body);
        let snippet = snippet(&text, 200);
        out.message = (!snippet.is_empty()).then_some(snippet);
        return out;
    };
    let Some(obj) = value.as_object() else {
        out.message = Some(snippet(&value.to_string(), 200));
        return out;
    };
    match obj.get("errors") {
        Some(serde_json::Value::Object(map)) => {
            for (field, msgs) in map {
                out.fields.insert(field.clone(), messages_of(msgs));
            }
        }
        Some(serde_json::Value::Array(items)) => {
            // Not the documented shape; keep whatever text is there.
            let msgs: Vec<String> = items.iter().flat_map(messages_of).collect();
            if !msgs.is_empty() {
                out.fields.insert("base".into(), msgs);
            }
        }
        Some(serde_json::Value::String(s)) => out.message = Some(s.clone()),
        _ => {}
    }
    let text_of = |key: &str| obj.get(key).and_then(|v| v.as_str()).map(str::to_string);
    if let Some(err) = text_of("error").or_else(|| text_of("message")) {
        out.message = Some(match text_of("error_description") {
            Some(desc) if !desc.is_empty() => format!("{err}: {desc}"),
            _ => err,
        });
    }
    bounded(out)
}

/// Most fields, messages per field, and characters per text kept from an
/// error body: its text ends up in one line of the UI or the terminal.
const MAX_FIELDS: usize = 20;
const MAX_FIELD_MESSAGES: usize = 5;
const MAX_TEXT: usize = 200;

/// Cuts every text of `body` short, so a hostile or broken server cannot
/// push megabytes into an error message.
fn bounded(body: ErrorBody) -> ErrorBody {
    let total = body.fields.len();
    let mut fields: BTreeMap<String, Vec<String>> = body
        .fields
        .into_iter()
        .take(MAX_FIELDS)
        .map(|(field, msgs)| {
            let more = msgs.len().saturating_sub(MAX_FIELD_MESSAGES);
            let mut kept: Vec<String> = msgs
                .iter()
                .take(MAX_FIELD_MESSAGES)
                .map(|m| snippet(m, MAX_TEXT))
                .collect();
            if more > 0 {
                kept.push(format!("and {more} more"));
            }
            (snippet(&field, 60), kept)
        })
        .collect();
    if total > MAX_FIELDS {
        fields.insert(
            "…".into(),
            vec![format!("and {} more fields", total - MAX_FIELDS)],
        );
    }
    ErrorBody {
        message: body.message.map(|m| snippet(&m, MAX_TEXT)),
        fields,
    }
}

fn messages_of(v: &serde_json::Value) -> Vec<String> {
    match v {
        serde_json::Value::String(s) => vec![s.clone()],
        serde_json::Value::Array(items) => items.iter().flat_map(messages_of).collect(),
        serde_json::Value::Null => Vec::new(),
        serde_json::Value::Object(map) => match map.get("message") {
            Some(m) => messages_of(m),
            None => vec![v.to_string()],
        },
        other => vec![other.to_string()],
    }
}

/// Whether an answer is an HTML page (by its content type, or a body that starts
/// like one), and the page's `<title>` (cut to 80 characters) when it has one.
pub(crate) fn html_page(content_type: Option<&str>, body: &[u8]) -> Option<Option<String>> {
    let by_type = content_type.is_some_and(|t| t.to_ascii_lowercase().contains("html"));
    let head = String::from_utf8_lossy(&body[..body.len().min(4096)]).to_ascii_lowercase();
    let start = head.trim_start();
    let by_body = start.starts_with("<!doctype html") || start.starts_with("<html");
    if !by_type && !by_body {
        return None;
    }
    let title = head.find("<title").and_then(|at| {
        let open = at + head[at..].find('>')? + 1;
        let close = open + head[open..].find("</title")?;
        // The same range of the original text (lower-casing ASCII keeps offsets).
        let text = String::from_utf8_lossy(&body[..body.len().min(4096)]);
        Some(snippet(text.get(open..close)?, 80))
    });
    Some(title.filter(|t| !t.is_empty()))
}

/// At most `max` characters of `text`, tags of an HTML page stripped and
/// whitespace collapsed.
pub(crate) fn snippet(text: &str, max: usize) -> String {
    let mut plain = String::new();
    let mut in_tag = false;
    let html = text.trim_start().starts_with('<');
    for c in text.chars() {
        match c {
            '<' if html => in_tag = true,
            '>' if html && in_tag => {
                in_tag = false;
                plain.push(' ');
            }
            _ if in_tag => {}
            c if c.is_whitespace() || c.is_control() => plain.push(' '),
            c => plain.push(c),
        }
    }
    let collapsed = plain.split_whitespace().collect::<Vec<_>>().join(" ");
    if collapsed.chars().count() <= max {
        return collapsed;
    }
    let mut cut: String = collapsed.chars().take(max).collect();
    cut.push('…');
    cut
}

/// The permission or scope a 403 message says is missing, e.g.
/// "... without the following permissions: manage_team" -> "manage_team".
pub(crate) fn scope_from_message(message: &str) -> Option<String> {
    let lower = message.to_ascii_lowercase();
    for marker in ["permissions:", "permission:", "scopes:", "scope:"] {
        if let Some(at) = lower.find(marker) {
            let rest = message[at + marker.len()..]
                .trim()
                .trim_end_matches(['.', ';'])
                .trim();
            if !rest.is_empty() {
                return Some(rest.to_string());
            }
        }
    }
    // Names like `people:write` anywhere in the text.
    message
        .split(|c: char| c.is_whitespace() || matches!(c, ',' | '"' | '\'' | '`' | '(' | ')'))
        .map(|w| w.trim_end_matches(['.', ';']))
        .find(|w| {
            let mut parts = w.split(':');
            matches!(
                (parts.next(), parts.next(), parts.next()),
                (Some(res), Some("read" | "write" | "delete"), None)
                    if !res.is_empty() && res.chars().all(|c| c.is_ascii_lowercase() || c == '_')
            )
        })
        .map(str::to_string)
}

pub(crate) fn default_reason(status: u16) -> &'static str {
    match status {
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        409 => "Conflict",
        422 => "Unprocessable Entity",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => "no message",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_pages_are_recognised_with_their_title() {
        let login =
            b"<!DOCTYPE html>\n<html><head><TITLE> Sign in </TITLE></head><body>x</body></html>";
        assert_eq!(
            html_page(Some("text/html; charset=utf-8"), login),
            Some(Some("Sign in".into()))
        );
        assert_eq!(html_page(None, login), Some(Some("Sign in".into())));
        assert_eq!(html_page(Some("text/html"), b"oops"), Some(None));
        assert_eq!(html_page(Some("application/json"), b"{\"data\": 1}"), None);
        assert_eq!(html_page(None, b"  <b>not a page</b>"), None);
    }

    #[test]
    fn odd_shapes_are_kept_not_lost() {
        let body = br#"{"errors": [{"attribute": "person_id", "message": "already enrolled"}]}"#;
        assert_eq!(
            parse_error_body(body).fields["base"],
            vec!["already enrolled"]
        );
        let body = br#"{"error":"invalid_grant","error_description":"expired"}"#;
        assert_eq!(
            parse_error_body(body).message.as_deref(),
            Some("invalid_grant: expired")
        );
        assert_eq!(parse_error_body(b"[1,2]").message.as_deref(), Some("[1,2]"));
    }

    #[test]
    fn snippets_strip_html_and_cut_long_text() {
        let html =
            "<html><head><title>502 Bad Gateway</title></head><body><h1>502</h1></body></html>";
        assert_eq!(snippet(html, 200), "502 Bad Gateway 502");
        let long = "x".repeat(1000);
        assert_eq!(
            parse_error_body(long.as_bytes())
                .message
                .unwrap()
                .chars()
                .count(),
            201
        );
        assert_eq!(parse_error_body(b"  \n ").message, None);
        let huge = "y".repeat(1 << 20);
        let body = format!(r#"{{"error": "{huge}"}}"#);
        let parsed = parse_error_body(body.as_bytes());
        assert_eq!(parsed.message.unwrap().chars().count(), 201);
        let many: Vec<String> = (0..50)
            .map(|i| format!(r#""f{i:02}": ["{huge}", "b", "c", "d", "e", "f", "g"]"#))
            .collect();
        let body = format!(r#"{{"errors": {{{}}}}}"#, many.join(","));
        let fields = parse_error_body(body.as_bytes()).fields;
        assert_eq!(fields.len(), 21, "{:?}", fields.keys());
        assert_eq!(fields["f00"].len(), 6);
        assert_eq!(fields["f00"][0].chars().count(), 201);
        assert_eq!(fields["f00"][5], "and 2 more");
        assert_eq!(fields["…"], vec!["and 30 more fields"]);
        assert_eq!(snippet("a\n\tb   c", 10), "a b c");
    }
}
