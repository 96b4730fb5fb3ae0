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
            .is_some_and(|v| !super::is_env_var_name(v))
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

#[cfg(test)]
mod tests {
    use std::path::Path;

    fn parse(text: &str) -> Result<super::WebhooksConfig, String> {
        super::super::parse(Path::new("/home/u/.config/sltui/config.toml"), text)
            .map(|c| c.webhooks)
            .map_err(|e| e.to_string())
    }

    #[test]
    fn the_section_parses_and_is_checked() {
        assert_eq!(parse("").unwrap(), super::WebhooksConfig::default());
        let c =
            parse("[webhooks]\nlisten = \"127.0.0.1:9000\"\ntoken_env = \"HOOK_TOKEN\"\n").unwrap();
        assert_eq!(c.listen, Some(([127, 0, 0, 1], 9000).into()));
        assert_eq!(c.token_env.as_deref(), Some("HOOK_TOKEN"));

        let err = parse("[webhooks]\nlisten = \"127.0.0.1:9000\"\n").unwrap_err();
        assert!(err.contains("needs token_env or token_cmd"), "{err}");
        let err = parse("[webhooks]\ntoken_env = \"A\"\ntoken_cmd = \"b\"\n").unwrap_err();
        assert!(err.contains("not both"), "{err}");
        let err = parse("[webhooks]\ntoken_env = \"s3cr3t value!\"\n").unwrap_err();
        assert!(err.contains("NAME of an environment variable"), "{err}");
        assert!(!err.contains("s3cr3t"), "the value is not echoed: {err}");
        let err = parse("[webhooks]\nlisten = \"nowhere\"\n").unwrap_err();
        assert!(err.contains("like \"127.0.0.1:9000\""), "{err}");
        let err = parse("[webhooks]\ntoken = \"abc\"\n").unwrap_err();
        assert!(err.contains("token"), "{err}");
    }
}
