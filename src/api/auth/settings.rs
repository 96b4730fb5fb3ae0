//! A profile's OAuth settings and its grant: what the token provider and its
//! refusal messages both read.

use std::fmt;
use std::path::PathBuf;

/// How sltui obtains access tokens.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Grant {
    /// A user authorized the app once; the stored refresh token (which rotates)
    /// buys each access token.
    RefreshToken,
    /// A private admin app authenticates as itself; no refresh token.
    ClientCredentials,
}

impl Grant {
    pub fn as_str(self) -> &'static str {
        match self {
            Grant::RefreshToken => "refresh_token",
            Grant::ClientCredentials => "client_credentials",
        }
    }
}

/// A profile's OAuth settings, resolved (the secret already looked up).
/// `Debug` never shows the client secret.
#[derive(Clone)]
pub struct OAuthSettings {
    /// The profile's name, for messages (`sltui auth import --profile NAME`).
    pub profile: String,
    pub token_url: String,
    pub client_id: String,
    pub client_secret: String,
    pub grant: Grant,
    /// Space-delimited scopes to ask for (client_credentials only).
    pub scope: Option<String>,
    /// Where the refresh token and the current access token are kept.
    pub token_file: PathBuf,
}

impl fmt::Debug for OAuthSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OAuthSettings")
            .field("profile", &self.profile)
            .field("token_url", &self.token_url)
            .field("client_id", &self.client_id)
            .field("client_secret", &"<redacted>")
            .field("grant", &self.grant)
            .field("scope", &self.scope)
            .field("token_file", &self.token_file)
            .finish()
    }
}
