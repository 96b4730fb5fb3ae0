//! `[webhooks]`: receive SalesLoft's signed webhooks inside the dashboard.
//!
//! ```toml
//! [webhooks]
//! listen = "127.0.0.1:9000"
//! token_env = "SALESLOFT_WEBHOOK_TOKEN"   # or token_cmd = "pass show salesloft/webhook"
//! ```

use std::net::SocketAddr;

use serde::Deserialize;
use serde::de::{self, Deserializer};

/// Where the receiver listens and where its token (the subscription's
/// `callback_token`) comes from. The token itself never lives in the file.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct WebhooksConfig {
    /// Off when unset.
    #[serde(deserialize_with = "listen_addr")]
    pub listen: Option<SocketAddr>,
    /// The NAME of an environment variable holding the token.
    pub token_env: Option<String>,
    /// A command (run with `sh -c`) that prints the token.
    pub token_cmd: Option<String>,
}

fn listen_addr<'de, D: Deserializer<'de>>(d: D) -> Result<Option<SocketAddr>, D::Error> {
    let text = String::deserialize(d)?;
    text.trim().parse().map(Some).map_err(|_| {
        de::Error::custom(format!(
            "listen must be an IP address and port like \"127.0.0.1:9000\", not {text:?}"
        ))
    })
}

impl WebhooksConfig {
    /// What is wrong with the section, in words; `None` when it is usable.
    pub(super) fn problem(&self) -> Option<String> {
        if self.token_env.is_some() && self.token_cmd.is_some() {
            return Some("[webhooks]: set either token_env or token_cmd, not both".into());
        }
        if self
            .token_env
            .as_deref()
            .is_some_and(|v| !super::secret::is_env_var_name(v))
        {
            return Some(
                "[webhooks]: token_env must be the NAME of an environment variable (like \
                 SALESLOFT_WEBHOOK_TOKEN), not the token itself"
                    .into(),
            );
        }
        if self
            .token_cmd
            .as_deref()
            .is_some_and(|c| c.trim().is_empty())
        {
            return Some("[webhooks]: token_cmd is empty".into());
        }
        if self.listen.is_some() && self.token_env.is_none() && self.token_cmd.is_none() {
            return Some(
                "[webhooks]: `listen` needs token_env or token_cmd (the subscription's \
                 callback_token signs every delivery)"
                    .into(),
            );
        }
        None
    }
}
