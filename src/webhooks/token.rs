//! Where the webhook token (the subscription's `callback_token`) comes from: an
//! environment variable or a command that prints it, never the command line's
//! history or the config file. Errors name the source, never the value.

use super::receiver::WebhookToken;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TokenSource {
    /// The name of an environment variable.
    Env(String),
    /// A command run with `sh -c`; its trimmed standard output is the token.
    Cmd(String),
}

impl TokenSource {
    /// From `--token-env` / `--token-cmd` (or `token_env` / `token_cmd`): at most one.
    pub fn pick(env: Option<&str>, cmd: Option<&str>) -> anyhow::Result<Option<TokenSource>> {
        match (env, cmd) {
            (Some(_), Some(_)) => {
                anyhow::bail!(
                    "give the webhook token either by environment variable or by command, not both"
                )
            }
            (Some(var), None) => Ok(Some(TokenSource::Env(var.to_string()))),
            (None, Some(cmd)) => Ok(Some(TokenSource::Cmd(cmd.to_string()))),
            (None, None) => Ok(None),
        }
    }

    /// For messages: `env NAME`, `command "..."`.
    pub fn describe(&self) -> String {
        match self {
            TokenSource::Env(var) => format!("env {var}"),
            TokenSource::Cmd(cmd) => format!("command \"{cmd}\""),
        }
    }

    /// Looks the token up. The command inherits stdin and stderr, so a password
    /// manager can prompt.
    pub fn resolve(&self) -> anyhow::Result<WebhookToken> {
        match self {
            TokenSource::Env(var) => {
                let value = std::env::var(var).unwrap_or_default();
                if value.trim().is_empty() {
                    anyhow::bail!(
                        "the webhook token variable {var} is not set or empty: export {var}=<the \
                         subscription's callback_token>"
                    );
                }
                WebhookToken::new(&value)
            }
            TokenSource::Cmd(cmd) => {
                let fail =
                    |why: String| anyhow::anyhow!("the webhook token command \"{cmd}\" {why}");
                let token = crate::config::run_secret_command(cmd).map_err(fail)?;
                WebhookToken::new(&token)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commands_give_the_trimmed_output_and_errors_hide_it() {
        let t = TokenSource::Cmd("printf ' s3cr3t-tok \\n'".into())
            .resolve()
            .unwrap();
        assert_eq!(format!("{t:?}"), "WebhookToken(***)");
        let err = TokenSource::Cmd("echo s3cr3t-tok; exit 3".into())
            .resolve()
            .unwrap_err()
            .to_string();
        assert!(err.contains("exit status 3"), "{err}");
        assert!(
            !err.replace("echo s3cr3t-tok", "").contains("s3cr3t"),
            "{err}"
        );
        let err = TokenSource::Env("SLTUI_TEST_SURELY_UNSET_TOKEN".into())
            .resolve()
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("SLTUI_TEST_SURELY_UNSET_TOKEN is not set"),
            "{err}"
        );
        assert!(TokenSource::pick(Some("A"), Some("b")).is_err());
        assert_eq!(TokenSource::pick(None, None).unwrap(), None);
    }
}
