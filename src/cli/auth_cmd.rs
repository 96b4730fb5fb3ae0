//! `sltui auth`: the OAuth token file of a profile. `status` shows what is
//! stored (never a token), `import` stores a refresh token read from standard
//! input (never from the command line, which shell history and `ps` would keep)
//! and checks it with SalesLoft, `logout` deletes the file.

use std::io::{BufRead, IsTerminal, Write};
use std::time::Duration;

use anyhow::{Context, bail};
use clap::{Args, Subcommand};

use super::opts::GlobalOpts;
use super::target;
use crate::api::TokenProvider;
use crate::api::auth::{self, StoredTokens};
use crate::config::{self, Paths, ResolvedProfile};

#[derive(Debug, Clone, Args)]
pub struct AuthArgs {
    #[command(flatten)]
    pub file: AuthFile,
    #[command(subcommand)]
    pub action: AuthAction,
}

/// `--config` and `--profile`, before or after the action (`auth status --profile team`).
#[derive(Debug, Clone, Args)]
pub struct AuthFile {
    /// Configuration file (default: config.toml in the user's config directory).
    #[arg(long, global = true, value_name = "PATH")]
    pub config: Option<std::path::PathBuf>,
    /// Profile from the configuration file (the one whose OAuth tokens to use).
    #[arg(long, global = true, value_name = "NAME")]
    pub profile: Option<String>,
}

#[derive(Debug, Clone, Subcommand)]
pub enum AuthAction {
    /// Show the profile's OAuth settings and what its token file holds (never a token).
    Status,
    /// Store a refresh token read from standard input (one line), then check it with SalesLoft.
    Import {
        /// Only store it; do not ask SalesLoft for an access token.
        #[arg(long)]
        no_verify: bool,
    },
    /// Delete the profile's token file (the tokens stay valid at SalesLoft until they expire
    /// or are revoked there).
    Logout,
}

/// The profile named by `--profile` (or the default), which must use OAuth.
fn oauth_profile(global: &GlobalOpts) -> anyhow::Result<(Paths, ResolvedProfile)> {
    let paths = Paths::discover_with(global.config.as_deref())?;
    let cfg = config::load(&paths.config_file)?;
    let profile = cfg.profile(global.profile.as_deref())?;
    if profile.oauth.is_none() {
        bail!(
            "profile {:?} does not use OAuth: add a [profiles.{}.oauth] table with client_id and \
             client_secret_env (or client_secret_cmd) to {} (the shipped config.toml has a \
             commented example), or pick another profile with --profile",
            profile.name,
            profile.name,
            paths.config_file.display()
        );
    }
    Ok((paths, profile))
}

pub async fn run(global: &GlobalOpts, args: AuthArgs) -> anyhow::Result<i32> {
    let (paths, profile) = oauth_profile(global)?;
    match args.action {
        AuthAction::Status => status(&paths, &profile),
        AuthAction::Import { no_verify } => import(&paths, &profile, no_verify).await,
        AuthAction::Logout => logout(&paths, &profile),
    }
}

fn status(paths: &Paths, profile: &ResolvedProfile) -> anyhow::Result<i32> {
    let Some(o) = &profile.oauth else {
        return Ok(1);
    };
    let file = paths.token_file(&profile.name);
    let grant = match o.grant {
        config::OAuthGrant::RefreshToken => "refresh_token",
        config::OAuthGrant::ClientCredentials => "client_credentials",
    };
    println!("profile        {}", profile.name);
    println!("grant          {grant}");
    println!("client id      {}", o.client_id);
    println!("client secret  {}", o.secret_source());
    println!("token url      {}", o.token_url());
    println!("token file     {}", file.display());
    let stored = auth::read_tokens(&file).map_err(anyhow::Error::msg)?;
    let Some(stored) = stored else {
        println!("stored         nothing yet");
        if o.grant == config::OAuthGrant::RefreshToken {
            println!(
                "next step      authorize sltui in SalesLoft, then run `sltui auth import --profile {}`",
                profile.name
            );
            return Ok(1);
        }
        return Ok(0);
    };
    println!(
        "refresh token  {}",
        if stored.refresh_token.is_some() {
            "stored"
        } else {
            "none"
        }
    );
    let now = chrono::Utc::now().timestamp();
    let access = match (stored.access_token.is_some(), stored.expires_at) {
        (true, Some(at)) if at > now => format!("valid for {} s more", at - now),
        (true, Some(_)) => "expired (a new one is fetched on the next request)".into(),
        _ => "none".into(),
    };
    println!("access token   {access}");
    if let Some(w) = config::warn_if_world_readable_as(&file, "OAuth token file") {
        println!("warning        {w}");
    }
    let ready = stored.refresh_token.is_some() || o.grant == config::OAuthGrant::ClientCredentials;
    Ok(if ready { 0 } else { 1 })
}

/// Reads one refresh token from standard input.
fn read_refresh_token(profile: &str) -> anyhow::Result<String> {
    let stdin = std::io::stdin();
    if stdin.is_terminal() {
        eprint!("Paste the refresh token for profile {profile:?} and press Enter: ");
        let _ = std::io::stderr().flush();
    }
    let mut line = String::new();
    stdin
        .lock()
        .read_line(&mut line)
        .context("could not read the refresh token from standard input")?;
    let token = line.trim();
    if token.is_empty() {
        bail!(
            "no refresh token on standard input; pipe it in, e.g. `pass show salesloft/refresh | \
             sltui auth import --profile {profile}`"
        );
    }
    if !token.chars().all(|c| c.is_ascii_graphic()) {
        bail!("that is not a refresh token (it has spaces, control or non-ASCII characters)");
    }
    Ok(token.to_string())
}

async fn import(paths: &Paths, profile: &ResolvedProfile, no_verify: bool) -> anyhow::Result<i32> {
    let Some(o) = &profile.oauth else {
        return Ok(1);
    };
    if o.grant != config::OAuthGrant::RefreshToken {
        bail!(
            "profile {:?} uses grant client_credentials, which needs no refresh token: sltui gets \
             its access tokens by itself",
            profile.name
        );
    }
    let token = read_refresh_token(&profile.name)?;
    let file = paths.token_file(&profile.name);
    let stored = StoredTokens {
        refresh_token: Some(token),
        client_id: Some(o.client_id.trim().to_string()),
        token_url: Some(o.token_url().to_string()),
        ..StoredTokens::default()
    };
    auth::write_tokens(&file, &stored)
        .with_context(|| format!("could not write the token file {}", file.display()))?;
    println!(
        "Stored the refresh token of profile {:?} in {} (mode 0600).",
        profile.name,
        file.display()
    );
    if no_verify {
        return Ok(0);
    }
    let settings = target::oauth_settings(paths, profile)?;
    let user_agent = concat!("sltui/", env!("CARGO_PKG_VERSION"));
    let provider = TokenProvider::new(
        settings,
        Duration::from_secs(20),
        Duration::from_secs(5),
        user_agent,
    )?;
    match provider.bearer().await {
        Ok(_) => {
            let left = provider.status().await.ok().and_then(|s| s.expires_in);
            println!(
                "SalesLoft accepted it: access token valid for {} s; the rotated refresh token is saved.",
                left.unwrap_or(0)
            );
            Ok(0)
        }
        Err(e) => {
            eprintln!("sltui: {e}");
            Ok(1)
        }
    }
}

fn logout(paths: &Paths, profile: &ResolvedProfile) -> anyhow::Result<i32> {
    let file = paths.token_file(&profile.name);
    match std::fs::remove_file(&file) {
        Ok(()) => println!("Deleted {}.", file.display()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            println!(
                "No token file for profile {:?} ({}).",
                profile.name,
                file.display()
            );
        }
        Err(e) => return Err(e).with_context(|| format!("could not delete {}", file.display())),
    }
    Ok(0)
}
