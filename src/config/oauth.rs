//! `[profiles.NAME.oauth]`: OAuth credentials instead of an API key.
//!
//! ```toml
//! [profiles.work.oauth]
//! client_id = "4f0c..."
//! client_secret_env = "SALESLOFT_CLIENT_SECRET"   # or client_secret_cmd = "pass show ..."
//! grant = "refresh_token"                         # or "client_credentials"
//! ```
//!
//! Like the API key, the client secret never lives in the file. The refresh
//! token lives in the profile's token file in the data directory, which sltui
//! rewrites (mode 0600) each time SalesLoft rotates it.

use serde::Deserialize;
use serde::de::{self, Deserializer};

use super::ConfigError;

pub use crate::api::auth::SALESLOFT_TOKEN_URL;

/// How a profile obtains access tokens.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OAuthGrant {
    /// A user authorized the app; the stored refresh token buys access tokens.
    #[default]
    RefreshToken,
    /// A private admin app authenticates as itself.
    ClientCredentials,
}

/// A profile's OAuth settings as written in the file.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OAuthProfile {
    /// The OAuth app's client id (not a secret).
    pub client_id: String,
    /// Name of the environment variable holding the client secret.
    #[serde(default)]
    pub client_secret_env: Option<String>,
    /// Command (run with `sh -c`) whose standard output is the client secret.
    #[serde(default)]
    pub client_secret_cmd: Option<String>,
    #[serde(default)]
    pub grant: OAuthGrant,
    /// The token endpoint; defaults to [`SALESLOFT_TOKEN_URL`].
    #[serde(default)]
    pub token_url: Option<String>,
    /// Space-delimited scopes to ask for (client_credentials only).
    #[serde(default)]
    pub scope: Option<String>,
    #[serde(default, rename = "client_secret")]
    no_plain_secret: NoPlainSecret,
    #[serde(default, rename = "refresh_token")]
    no_plain_refresh: NoPlainRefreshToken,
}

impl OAuthProfile {
    /// The token endpoint in use.
    pub fn token_url(&self) -> &str {
        self.token_url.as_deref().unwrap_or(SALESLOFT_TOKEN_URL)
    }

    /// Where the secret comes from, for display.
    pub fn secret_source(&self) -> String {
        match (&self.client_secret_env, &self.client_secret_cmd) {
            (Some(var), _) => format!("env {var}"),
            (None, Some(cmd)) => format!("command \"{cmd}\""),
            (None, None) => "not set".into(),
        }
    }

    /// What is wrong with these settings, if anything.
    pub(super) fn problem(&self) -> Option<String> {
        let (env, cmd) = (&self.client_secret_env, &self.client_secret_cmd);
        if self.client_id.trim().is_empty() {
            Some("oauth.client_id is empty; copy it from the OAuth app's page in SalesLoft".into())
        } else if env.is_some() == cmd.is_some() {
            Some(
                "oauth needs exactly one of client_secret_env (the NAME of an environment \
                 variable holding the client secret) and client_secret_cmd (a command that \
                 prints it)"
                    .into(),
            )
        } else if env
            .as_deref()
            .is_some_and(|v| !super::secret::is_env_var_name(v))
        {
            Some(
                "oauth.client_secret_env must be the NAME of an environment variable (like \
                 SALESLOFT_CLIENT_SECRET), not the secret itself"
                    .into(),
            )
        } else if cmd.as_deref().is_some_and(|c| c.trim().is_empty()) {
            Some("oauth.client_secret_cmd is empty".into())
        } else if let Some(url) = self.token_url.as_deref()
            && !(url.starts_with("https://") || url.starts_with("http://"))
        {
            Some(format!(
                "oauth.token_url `{url}` must start with https:// (or http://)"
            ))
        } else if self.scope.is_some() && self.grant == OAuthGrant::RefreshToken {
            Some(
                "oauth.scope applies to grant = \"client_credentials\" only; a refresh token \
                 keeps the scopes the user granted"
                    .into(),
            )
        } else {
            None
        }
    }

    /// Looks the client secret up (environment variable or command).
    pub fn client_secret(&self, profile: &str) -> Result<String, ConfigError> {
        let fail = |problem: String| ConfigError::OAuthSecret {
            profile: profile.to_string(),
            problem,
        };
        if let Some(var) = &self.client_secret_env {
            let value = std::env::var(var).unwrap_or_default();
            let secret = value.trim();
            if secret.is_empty() {
                return Err(fail(format!(
                    "the environment variable {var} named by client_secret_env is not set or is \
                     empty; export it, or use client_secret_cmd"
                )));
            }
            return Ok(secret.to_string());
        }
        match &self.client_secret_cmd {
            Some(cmd) => super::secret::run_secret_command(cmd)
                .map_err(|failure| fail(format!("client_secret_cmd `{cmd}` {failure}"))),
            None => Err(fail("set client_secret_env or client_secret_cmd".into())),
        }
    }
}

/// Present only to reject `client_secret = ...` with a helpful message.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
struct NoPlainSecret;

impl<'de> Deserialize<'de> for NoPlainSecret {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        de::IgnoredAny::deserialize(d)?;
        Err(de::Error::custom(
            "a plain-text OAuth `client_secret` is not allowed in the config file; put it in an \
             environment variable and set `client_secret_env = \"VARIABLE_NAME\"`, or set \
             `client_secret_cmd` to a command that prints it",
        ))
    }
}

/// Present only to reject `refresh_token = ...` with a helpful message.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
struct NoPlainRefreshToken;

impl<'de> Deserialize<'de> for NoPlainRefreshToken {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        de::IgnoredAny::deserialize(d)?;
        Err(de::Error::custom(
            "the OAuth refresh token does not go in the config file (it changes on every \
             refresh); store it with `sltui auth import --profile NAME`, which keeps it in a \
             private token file",
        ))
    }
}
