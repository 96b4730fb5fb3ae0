//! Which team database a run reads, if any: `--db URL`, else the profile's
//! `db_url` / `db_url_env`. A run on the team database needs no SalesLoft
//! credentials and never looks them up.

use anyhow::bail;

use super::GlobalOpts;
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
        crate::store::pg::redact(&self.url)
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
