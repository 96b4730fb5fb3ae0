//! Where a secret may come from: the name of an environment variable, or a
//! command that prints it (a leaf: the profile, OAuth and webhook settings take
//! these from here).

use std::process::{Command, Stdio};

/// Whether `s` can name an environment variable (`[A-Za-z_][A-Za-z0-9_]*`).
pub(super) fn is_env_var_name(s: &str) -> bool {
    let mut chars = s.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// Runs `cmd` with `sh -c` and returns its trimmed standard output, or what went
/// wrong in words (never the output: it may hold the secret).
pub fn run_secret_command(cmd: &str) -> Result<String, String> {
    let output = Command::new("sh")
        .arg("-c")
        .arg(cmd)
        .stdin(Stdio::inherit())
        .stderr(Stdio::inherit())
        .output()
        .map_err(|e| format!("could not be started ({e})"))?;
    if !output.status.success() {
        return Err(match output.status.code() {
            Some(code) => format!("failed with exit status {code}"),
            None => "was killed by a signal".to_string(),
        });
    }
    let text = String::from_utf8(output.stdout)
        .map_err(|_| "printed something that is not UTF-8 text".to_string())?;
    let secret = text.trim();
    if secret.is_empty() {
        return Err("printed nothing".to_string());
    }
    Ok(secret.to_string())
}
