//! Typed API errors. Every message says what to do next, and none of them
//! ever carries the API key or token (they are built only from status codes,
//! response bodies, request paths and transport error text).

use std::collections::BTreeMap;
use std::fmt;
use std::time::Duration;

use thiserror::Error;

use super::error_body::{default_reason, parse_error_body, scope_from_message};

/// What kind of transport failure happened.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NetworkKind {
    Timeout,
    Connect,
    Reset,
    Other,
}

impl fmt::Display for NetworkKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            NetworkKind::Timeout => "timed out",
            NetworkKind::Connect => "could not connect",
            NetworkKind::Reset => "connection reset",
            NetworkKind::Other => "transport error",
        })
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum ApiError {
    #[error("401 Unauthorized: {message}. {}", unauthorized_hint(oauth))]
    Unauthorized {
        message: String,
        /// Set when the client uses OAuth: the refused token was one the token
        /// endpoint had just issued, so the fix is the authorization, not a key.
        oauth: Option<OAuthRefusal>,
    },

    #[error("403 Forbidden: {message}.{}", forbidden_hint(scope))]
    Forbidden {
        message: String,
        scope: Option<String>,
    },

    #[error(
        "404 Not Found: {path}: {message}. The record may have been deleted, or the id or path is wrong."
    )]
    NotFound { path: String, message: String },

    #[error(
        "422 rejected by SalesLoft: {}. Fix the listed fields and try again.",
        validation_text(fields, message)
    )]
    Validation {
        fields: BTreeMap<String, Vec<String>>,
        message: Option<String>,
    },

    #[error(
        "429 rate limited: the team's API budget (shared by all its integrations) is spent for this minute; {}",
        retry_text(retry_after)
    )]
    RateLimited { retry_after: Option<Duration> },

    #[error("SalesLoft server error {status}: {message}. Try again in a moment.")]
    Server { status: u16, message: String },

    #[error("HTTP {status}: {message}")]
    Http { status: u16, message: String },

    #[error("network error ({kind}): {message}. {}", network_hint(*maybe_sent))]
    Network {
        kind: NetworkKind,
        message: String,
        maybe_sent: bool,
    },

    #[error("could not decode {what}: {message}. The response did not have the expected shape.")]
    Decode { what: String, message: String },

    #[error("configuration error: {message}")]
    Config { message: String },

    /// The server answered an HTML page where SalesLoft answers JSON: a proxy, a
    /// login page, a typo in the URL. Never a "record deleted" or a success.
    #[error(
        "{path}: this is not the SalesLoft API (it answered an HTML page): check --base-url \
         (HTTP {status}{})",
        title_text(title)
    )]
    NotSalesLoft {
        status: u16,
        /// The request, e.g. `GET people/7`.
        path: String,
        /// The page's `<title>`, cut short.
        title: Option<String>,
    },

    /// The server ignored the `updated_at` filter of a list (it sent records
    /// outside it, or did not echo it in `metadata.filtering`).
    #[error(
        "{path}: the server ignores the updated_at filter here ({evidence}); read it in full instead"
    )]
    FilterIgnored { path: String, evidence: String },

    /// The OAuth token endpoint refused to issue an access token.
    #[error("OAuth: {message}.")]
    OAuth { message: String },
}

/// Which OAuth profile's freshly issued access token SalesLoft refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OAuthRefusal {
    pub profile: String,
    /// The grant the profile uses (`refresh_token` or `client_credentials`).
    pub grant: &'static str,
}

fn title_text(title: &Option<String>) -> String {
    match title {
        Some(t) if !t.is_empty() => format!(", page title \"{t}\""),
        _ => String::new(),
    }
}

fn unauthorized_hint(oauth: &Option<OAuthRefusal>) -> String {
    match oauth {
        None => "Check the API key where it comes from (--api-key, SALESLOFT_API_KEY, or the \
                 profile's api_key_env / api_key_cmd) or refresh the token."
            .into(),
        Some(OAuthRefusal { profile, grant }) if *grant == "client_credentials" => format!(
            "SalesLoft refused a freshly issued OAuth access token for profile `{profile}` \
             (grant client_credentials): check the profile's OAuth client (client_id, client \
             secret, token_url) is an app of this SalesLoft team with API access."
        ),
        Some(OAuthRefusal { profile, .. }) => format!(
            "SalesLoft refused a freshly issued OAuth access token for profile `{profile}`: \
             re-authorize sltui (authorize the OAuth app again, then run `sltui auth import \
             --profile {profile}`), and check the profile's OAuth client (client_id, token_url) \
             belongs to this SalesLoft team."
        ),
    }
}

impl ApiError {
    /// The HTTP status behind the error, when there was a response.
    pub fn status(&self) -> Option<u16> {
        match self {
            ApiError::Unauthorized { .. } => Some(401),
            ApiError::Forbidden { .. } => Some(403),
            ApiError::NotFound { .. } => Some(404),
            ApiError::Validation { .. } => Some(422),
            ApiError::RateLimited { .. } => Some(429),
            ApiError::Server { status, .. }
            | ApiError::Http { status, .. }
            | ApiError::NotSalesLoft { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// Whether repeating the same read later may succeed.
    pub fn is_retryable_read(&self) -> bool {
        match self {
            ApiError::RateLimited { .. } => true,
            ApiError::Server { status, .. } => *status != 501 && *status != 505,
            ApiError::Network { kind, .. } => kind != &NetworkKind::Other,
            _ => false,
        }
    }

    /// Whether a mutation that failed with this error may nevertheless have
    /// been applied: re-read before deciding to repeat it.
    pub fn is_ambiguous(&self) -> bool {
        match self {
            ApiError::Network { maybe_sent, .. } => *maybe_sent,
            ApiError::Server { .. } => true,
            // A 2xx whose body we could not read was applied.
            ApiError::Decode { .. } => true,
            // A 2xx page may come from something that forwarded the request.
            ApiError::NotSalesLoft { status, .. } => (200..300).contains(status),
            _ => false,
        }
    }

    /// The error with every copy of `secret` (the API key or token) in its texts
    /// replaced by `[redacted]`: a server or proxy may echo the bearer token back
    /// in an error body or a broken answer, and error texts reach the screen, the
    /// log file and diagnostic bundles. Secrets shorter than 6 characters are left
    /// alone (replacing them would mangle ordinary words).
    pub(crate) fn without_secret(self, secret: &str) -> ApiError {
        let secret = secret.trim();
        if secret.len() < 6 {
            return self;
        }
        let clean = |s: String| -> String {
            if s.contains(secret) {
                s.replace(secret, "[redacted]")
            } else {
                s
            }
        };
        match self {
            ApiError::Unauthorized { message, oauth } => ApiError::Unauthorized {
                message: clean(message),
                oauth,
            },
            ApiError::Forbidden { message, scope } => ApiError::Forbidden {
                message: clean(message),
                scope: scope.map(clean),
            },
            ApiError::NotFound { path, message } => ApiError::NotFound {
                path: clean(path),
                message: clean(message),
            },
            ApiError::Validation { fields, message } => ApiError::Validation {
                fields: fields
                    .into_iter()
                    .map(|(k, v)| (clean(k), v.into_iter().map(clean).collect()))
                    .collect(),
                message: message.map(clean),
            },
            ApiError::Server { status, message } => ApiError::Server {
                status,
                message: clean(message),
            },
            ApiError::Http { status, message } => ApiError::Http {
                status,
                message: clean(message),
            },
            ApiError::Network {
                kind,
                message,
                maybe_sent,
            } => ApiError::Network {
                kind,
                message: clean(message),
                maybe_sent,
            },
            ApiError::Decode { what, message } => ApiError::Decode {
                what: clean(what),
                message: clean(message),
            },
            ApiError::Config { message } => ApiError::Config {
                message: clean(message),
            },
            ApiError::OAuth { message } => ApiError::OAuth {
                message: clean(message),
            },
            ApiError::NotSalesLoft {
                status,
                path,
                title,
            } => ApiError::NotSalesLoft {
                status,
                path: clean(path),
                title: title.map(clean),
            },
            ApiError::FilterIgnored { path, evidence } => ApiError::FilterIgnored {
                path: clean(path),
                evidence: clean(evidence),
            },
            e @ ApiError::RateLimited { .. } => e,
        }
    }

    /// Builds the error for a non-2xx response.
    pub(crate) fn from_response(
        status: u16,
        path: &str,
        body: &[u8],
        retry_after: Option<Duration>,
    ) -> ApiError {
        let parsed = parse_error_body(body);
        let message = parsed
            .message
            .clone()
            .map(|m| m.trim().trim_end_matches('.').to_string())
            .filter(|m| !m.is_empty())
            .unwrap_or_else(|| default_reason(status).to_string());
        match status {
            401 => ApiError::Unauthorized {
                message,
                oauth: None,
            },
            403 => ApiError::Forbidden {
                scope: scope_from_message(&message),
                message,
            },
            404 => ApiError::NotFound {
                path: path.to_string(),
                message,
            },
            422 => ApiError::Validation {
                fields: parsed.fields,
                message: parsed.message,
            },
            429 => ApiError::RateLimited { retry_after },
            500..=599 => ApiError::Server { status, message },
            _ => ApiError::Http { status, message },
        }
    }
}

fn forbidden_hint(scope: &Option<String>) -> String {
    match scope {
        Some(s) => format!(
            " The key lacks scope/permission `{s}`: grant it to the API key or OAuth app in SalesLoft, or use a key that has it."
        ),
        None => " The key or user is not allowed to do this; check its scopes and role.".into(),
    }
}

fn validation_text(fields: &BTreeMap<String, Vec<String>>, message: &Option<String>) -> String {
    let mut parts: Vec<String> = fields
        .iter()
        .map(|(field, msgs)| format!("{field}: {}", msgs.join(", ")))
        .collect();
    if let Some(m) = message {
        parts.insert(0, m.clone());
    }
    if parts.is_empty() {
        "the request was invalid".into()
    } else {
        parts.join("; ")
    }
}

fn retry_text(retry_after: &Option<Duration>) -> String {
    match retry_after {
        Some(d) => format!("retry in {} s.", d.as_secs().max(1)),
        None => "wait for the minute to roll over and retry.".into(),
    }
}

fn network_hint(maybe_sent: bool) -> &'static str {
    if maybe_sent {
        "The request may have reached SalesLoft: re-read before repeating a change"
    } else {
        "The request was not sent: check the network and the base URL"
    }
}

/// The messages of an error and its sources, without repeats.
pub(crate) fn error_chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut cur: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(err) = cur {
        let msg = err.to_string();
        if !parts.iter().any(|p| p.contains(&msg)) {
            parts.push(msg);
        }
        cur = err.source();
    }
    parts.join(": ")
}

/// The innermost source's text, when there is a non-empty one.
fn root_cause(e: &(dyn std::error::Error + 'static)) -> Option<String> {
    let mut cur = e;
    while let Some(next) = cur.source() {
        cur = next;
    }
    let text = cur.to_string();
    (!text.trim().is_empty() && !std::ptr::addr_eq(cur, e)).then_some(text)
}

/// Classifies a transport failure. `after_headers`: the server already
/// answered, so the request certainly reached it.
pub(crate) fn network_error(e: &reqwest::Error, after_headers: bool) -> ApiError {
    let chain = error_chain(e);
    let lower = chain.to_ascii_lowercase();
    // The cause in one line: the innermost error ("Connection refused (os error
    // 111)"), not every wrapper around it with the URL repeated.
    let message = root_cause(e).unwrap_or(chain);
    let (kind, maybe_sent) = if e.is_connect() && !after_headers {
        let kind = if e.is_timeout() {
            NetworkKind::Timeout
        } else {
            NetworkKind::Connect
        };
        (kind, false)
    } else if e.is_timeout() {
        (NetworkKind::Timeout, true)
    } else if [
        "reset",
        "closed",
        "broken pipe",
        "incomplete",
        "eof",
        "aborted",
    ]
    .iter()
    .any(|w| lower.contains(w))
    {
        (NetworkKind::Reset, true)
    } else {
        (NetworkKind::Other, true)
    };
    ApiError::Network {
        kind,
        message,
        maybe_sent,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validation_body_with_field_map() {
        let body = br#"{"errors": {"email_address": ["is already taken"], "first_name": ["is required"]}}"#;
        let err = ApiError::from_response(422, "people", body, None);
        let ApiError::Validation { fields, message } = &err else {
            panic!("{err:?}")
        };
        assert_eq!(fields["email_address"], vec!["is already taken"]);
        assert_eq!(message, &None);
        let text = err.to_string();
        assert!(
            text.contains("email_address: is already taken; first_name: is required"),
            "{text}"
        );
    }

    #[test]
    fn validation_body_with_single_error_string() {
        let body = br#"{"error": "Requested scoped field(s) could not be returned, required scope access not included."}"#;
        let err = ApiError::from_response(422, "activities/emails", body, None);
        assert!(
            matches!(&err, ApiError::Validation { fields, message: Some(m) } if fields.is_empty() && m.starts_with("Requested scoped"))
        );
        assert!(err.to_string().contains("Requested scoped field(s)"));
    }

    #[test]
    fn unauthorized_tells_what_to_do() {
        let body = br#"{"error": "No Bearer Token attached to request, please see documentation at developers.salesloft.com"}"#;
        let err = ApiError::from_response(401, "me.json", body, None);
        let text = err.to_string();
        assert!(text.contains("No Bearer Token"));
        assert!(
            text.contains("Check the API key where it comes from (--api-key, SALESLOFT_API_KEY")
                && text.contains("api_key_cmd")
                && text.contains("refresh the token")
        );
        assert_eq!(err.status(), Some(401));
        let ApiError::Unauthorized { message, .. } = err else {
            unreachable!()
        };
        for (grant, wanted) in [
            ("refresh_token", "sltui auth import --profile work"),
            ("client_credentials", "client_id, client secret, token_url"),
        ] {
            let oauth = ApiError::Unauthorized {
                message: message.clone(),
                oauth: Some(OAuthRefusal {
                    profile: "work".into(),
                    grant,
                }),
            };
            let text = oauth.to_string();
            assert!(text.contains(wanted), "{text}");
            assert!(!text.contains("SALESLOFT_API_KEY"), "{text}");
            assert_eq!(oauth.status(), Some(401));
        }
    }

    #[test]
    fn forbidden_names_the_missing_permission() {
        let body = br#"{"error": "This endpoint is not available without the following permissions: manage_team"}"#;
        let err = ApiError::from_response(403, "users/5", body, None);
        assert!(matches!(&err, ApiError::Forbidden { scope: Some(s), .. } if s == "manage_team"));
        assert!(err.to_string().contains("`manage_team`"));
        assert_eq!(
            scope_from_message("this action requires the people:write scope"),
            Some("people:write".into())
        );
        assert_eq!(scope_from_message("Forbidden"), None);
    }

    #[test]
    fn non_json_bodies_become_short_snippets() {
        let html = b"<html><head><title>502 Bad Gateway</title></head><body><h1>502 Bad Gateway</h1></body></html>";
        let err = ApiError::from_response(502, "people", html, None);
        assert!(
            matches!(&err, ApiError::Server { status: 502, message } if message == "502 Bad Gateway 502 Bad Gateway")
        );
        let long = "x".repeat(1000);
        let parsed = parse_error_body(long.as_bytes());
        assert_eq!(parsed.message.unwrap().chars().count(), 201);
        let err = ApiError::from_response(404, "people/9", b"", None);
        assert!(matches!(&err, ApiError::NotFound { message, .. } if message == "Not Found"));
        assert!(err.to_string().contains("people/9"));
    }

    #[test]
    fn secrets_are_removed_from_every_text() {
        let key = "k3y-Abcdef123";
        let body = format!(r#"{{"errors": {{"{key}": ["token {key} refused"]}}, "error": "x"}}"#);
        let err = ApiError::from_response(422, "people", body.as_bytes(), None).without_secret(key);
        let shown = format!("{err} {err:?}");
        assert!(!shown.contains(key), "{shown}");
        assert!(
            shown.contains("[redacted]: token [redacted] refused"),
            "{shown}"
        );
        let err = ApiError::from_response(401, "me", format!("Bearer {key}").as_bytes(), None);
        assert_eq!(
            err.without_secret(key),
            ApiError::Unauthorized {
                message: "Bearer [redacted]".into(),
                oauth: None,
            }
        );
        let short = ApiError::Http {
            status: 400,
            message: "a bad request".into(),
        };
        assert_eq!(
            short.clone().without_secret("a"),
            short,
            "too short to redact"
        );
    }

    #[test]
    fn classification() {
        let net = |kind, maybe_sent| ApiError::Network {
            kind,
            message: "x".into(),
            maybe_sent,
        };
        assert!(net(NetworkKind::Reset, true).is_retryable_read());
        assert!(!net(NetworkKind::Other, true).is_retryable_read());
        assert!(net(NetworkKind::Timeout, true).is_ambiguous());
        assert!(!net(NetworkKind::Connect, false).is_ambiguous());
        assert!(ApiError::from_response(503, "p", b"", None).is_retryable_read());
        let rl = ApiError::from_response(429, "p", b"", Some(Duration::from_secs(7)));
        assert!(rl.is_retryable_read() && !rl.is_ambiguous());
        assert!(rl.to_string().contains("retry in 7 s"));
        let other = ApiError::from_response(409, "p", br#"{"error":"busy"}"#, None);
        assert_eq!(
            other,
            ApiError::Http {
                status: 409,
                message: "busy".into()
            }
        );
    }
}
