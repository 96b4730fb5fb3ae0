//! What a refused or failed token request means, in words that say what to do,
//! with every secret taken out of what the server said.

use serde::Deserialize;

use super::settings::{Grant, OAuthSettings};
use crate::api::error::ApiError;

/// The token endpoint's error body.
#[derive(Deserialize, Default)]
struct TokenRefusal {
    #[serde(default)]
    error: Option<String>,
    #[serde(default)]
    error_description: Option<String>,
}

/// A transport failure talking to the token endpoint. The API request itself
/// was not sent, so it is safe to retry whatever its method.
pub(super) fn transport(
    settings: &OAuthSettings,
    err: ApiError,
    secrets: &[Option<String>],
) -> ApiError {
    match err {
        ApiError::Network { kind, message, .. } => ApiError::Network {
            kind,
            message: format!(
                "getting an OAuth access token from {}: {}",
                settings.token_url,
                scrub(&message, secrets)
            ),
            maybe_sent: false,
        },
        other => other,
    }
}

/// The error for a refused token request, saying what to do.
pub(super) fn refused(
    s: &OAuthSettings,
    status: u16,
    body: &[u8],
    secrets: &[Option<String>],
) -> ApiError {
    let parsed: TokenRefusal = serde_json::from_slice(body).unwrap_or_default();
    let code = parsed.error.unwrap_or_default();
    let said = parsed
        .error_description
        .map(|d| scrub(&d, secrets))
        .map(|d| format!(": {}", d.trim().trim_end_matches('.')))
        .unwrap_or_default();
    let profile = &s.profile;
    let message = match code.as_str() {
        "invalid_grant" if s.grant == Grant::RefreshToken => format!(
            "SalesLoft refused the refresh token of profile `{profile}` (invalid_grant{said}). \
                 It has expired, was revoked, was already used (each refresh token works once), or \
                 belongs to another app. Re-authorize sltui in SalesLoft and run `sltui auth \
                 import --profile {profile}` with the new refresh token; check that client_id is \
                 the id of the app that issued it"
        ),
        "invalid_grant" => format!(
            "SalesLoft refused the client_credentials grant of profile `{profile}` \
                 (invalid_grant{said}). Check that client_id belongs to a private admin app that \
                 may use client credentials"
        ),
        "invalid_client" | "unauthorized_client" => format!(
            "SalesLoft did not accept the OAuth client of profile `{profile}` ({code}{said}). \
                 Check client_id and the client secret given by client_secret_env or \
                 client_secret_cmd"
        ),
        "unsupported_grant_type" => format!(
            "the OAuth server does not allow grant {} for profile `{profile}` ({code}{said}). \
                 Use grant = \"refresh_token\", or an app that allows client credentials",
            s.grant.as_str()
        ),
        "invalid_scope" => format!(
            "SalesLoft refused the scopes of profile `{profile}` ({code}{said}). Ask only for \
                 scopes the app was granted, or remove `scope`"
        ),
        _ if status >= 500 => {
            return ApiError::Server {
                status,
                message: format!("the OAuth token endpoint {} failed", s.token_url),
            };
        }
        _ => {
            let what = if code.is_empty() {
                format!("HTTP {status}")
            } else {
                format!("HTTP {status} {code}")
            };
            format!(
                "the OAuth token request of profile `{profile}` failed ({what}{said}). Check \
                     token_url ({}) and client_id",
                s.token_url
            )
        }
    };
    ApiError::OAuth { message }
}

/// `text` with every secret replaced, cut to 300 characters.
pub(super) fn scrub(text: &str, secrets: &[Option<String>]) -> String {
    let mut out = text.to_string();
    for s in secrets.iter().flatten() {
        let s = s.trim();
        if s.len() >= 4 {
            out = out.replace(s, "<redacted>");
        }
    }
    if out.chars().count() > 300 {
        out = out.chars().take(300).collect::<String>() + "…";
    }
    out
}

#[cfg(test)]
mod tests {
    use super::scrub;

    #[test]
    fn scrub_removes_secrets_and_cuts_long_text() {
        let secrets = [Some("refresh-SECRET".to_string()), None, Some("ab".into())];
        assert_eq!(
            scrub("bad token refresh-SECRET (ab)", &secrets),
            "bad token <redacted> (ab)",
            "secrets shorter than 4 characters are left: they would match anything"
        );
        assert_eq!(
            scrub("bad token refresh-SECRET", &[Some("refresh-SECRET".into())]),
            "bad token <redacted>"
        );
        let long = "x".repeat(400);
        assert_eq!(scrub(&long, &[]).chars().count(), 301);
    }
}
