//! Which team database a run reads, if any: `--db URL`, else the profile's
//! `db_url` / `db_url_env`. A run on the team database needs no SalesLoft
//! credentials and never looks them up.

use anyhow::bail;

use super::opts::GlobalOpts;
use super::target::{self, Chosen};
use crate::config::{Paths, ResolvedProfile};

/// A run on the team database.
pub struct DbTarget {
    /// The URL, never printed (it may hold a password; show [`DbTarget::shown`]).
    pub url: String,
    pub paths: Paths,
    pub config: crate::config::Config,
    pub profile: ResolvedProfile,
    pub read_only: bool,
    pub warnings: Vec<String>,
}

impl DbTarget {
    /// The URL without its password.
    pub fn shown(&self) -> String {
        crate::redact::database_url(&self.url)
    }

    /// What this run's enrollment jobs are asked by when no `$USER` is known,
    /// named by its target as the audit log names a run: `profile NAME`, or,
    /// for the built-in demo profile (no config), the database's
    /// `host[:port]/name` (never "demo": this is a real team's data).
    pub fn label(&self) -> String {
        if self.profile.name == crate::config::DEMO_PROFILE {
            database_label(&self.url)
        } else {
            format!("profile {}", self.profile.name)
        }
    }
}

/// `host[:port]/dbname` of a `postgres://` URL, without user, password or
/// parameters; "the team database" for a key=value connection string.
fn database_label(url: &str) -> String {
    let Some((_, rest)) = url.trim().split_once("://") else {
        return "the team database".to_string();
    };
    let main = rest.split(['?', '#']).next().unwrap_or(rest);
    let path_at = main.find('/').unwrap_or(main.len());
    let host_at = main[..path_at].rfind('@').map_or(0, |at| at + 1);
    let label = &main[host_at..];
    if label.is_empty() {
        "the team database".to_string()
    } else {
        label.to_string()
    }
}

/// The team database this run reads (`flag`: the command's `--db`, else the
/// profile's), or `None` for a run on SalesLoft.
pub fn resolve(global: &GlobalOpts, flag: Option<&str>) -> anyhow::Result<Option<DbTarget>> {
    let flag = flag.map(str::trim);
    if flag.is_some_and(str::is_empty) {
        bail!("--db needs the team database's URL, like postgres://user@host:5432/sltui");
    }
    let Chosen {
        paths,
        config,
        profile,
        warnings,
    } = target::choose(global)?;
    let url = match flag {
        Some(url) => url.to_string(),
        None => match profile.team_db_url().map_err(anyhow::Error::msg)? {
            Some(url) => url,
            None => return Ok(None),
        },
    };
    if global.demo {
        bail!(
            "--demo runs the embedded simulator and --db (or the profile's db_url) the team \
             database: choose one"
        );
    }
    Ok(Some(DbTarget {
        url,
        paths,
        read_only: global.read_only || profile.read_only,
        config,
        profile,
        warnings,
    }))
}

#[cfg(test)]
mod tests {
    use super::database_label;

    #[test]
    fn the_database_is_named_without_its_secrets() {
        assert_eq!(
            database_label("postgres://u:s3cret@db.example.com:5433/sltui?sslmode=require"),
            "db.example.com:5433/sltui"
        );
        assert_eq!(database_label("postgresql://h/team"), "h/team");
        assert_eq!(
            database_label("host=h user=u password=x"),
            "the team database"
        );
    }
}
