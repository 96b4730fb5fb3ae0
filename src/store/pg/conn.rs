//! Connecting to the team database: the URL (checked, and shown only without its
//! password), TLS when the URL asks for it, the errors, and running the blocking
//! client off any async runtime.
//!
//! The `postgres` crate is the blocking face of `tokio-postgres`: each client
//! drives its connection on a small runtime of its own, which must not be entered
//! (nor dropped) from inside another runtime's worker. The store is called from
//! async code as well as from plain threads, so every call goes through
//! [`off_runtime`]: inside a runtime it runs on a scoped helper thread, elsewhere
//! on the calling thread.

use std::fmt;
use std::time::Duration;

use postgres::config::SslMode;
use postgres::{Client, Config, NoTls};
use tokio_postgres_rustls::MakeRustlsConnect;

use crate::redact::database_url as redact;

/// What went wrong with the team database, in words that say what to do. The
/// database is named by [`redact`](crate::redact::database_url)ed URL: never with its password.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PgError {
    /// The database, as [`crate::redact::database_url`] shows it.
    pub target: String,
    pub kind: PgErrorKind,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PgErrorKind {
    /// Not a `postgres://` URL, or one the client cannot read.
    BadUrl(String),
    /// No connection (server down, wrong host/port, authentication...).
    Connect(String),
    /// A statement failed.
    Query(String),
    /// The database's schema was written by a newer sltui.
    TooNew { found: i64, known: i64 },
    /// A request the database refused for a reason of ours (e.g. a reused job key).
    Refused(String),
}

impl fmt::Display for PgError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let t = &self.target;
        match &self.kind {
            PgErrorKind::BadUrl(d) => write!(
                f,
                "the database URL {t} cannot be used: {d}; write it as \
                 postgres://user:password@host:5432/database"
            ),
            PgErrorKind::Connect(d) => write!(
                f,
                "cannot connect to the team database {t}: {d}; check that PostgreSQL runs \
                 there and that the URL (--db or the profile's db_url) is right"
            ),
            PgErrorKind::Query(d) => write!(
                f,
                "the team database {t} failed: {d}; if this repeats, check the server's log"
            ),
            PgErrorKind::TooNew { found, known } => write!(
                f,
                "the team database {t} has schema version {found}, written by a newer sltui \
                 (this one knows up to {known}); upgrade sltui"
            ),
            PgErrorKind::Refused(d) => write!(f, "the team database {t} refused: {d}"),
        }
    }
}

impl std::error::Error for PgError {}

/// How to reach the database: the client configuration and the TLS to use.
#[derive(Clone)]
pub(crate) struct Target {
    pub config: Config,
    /// The URL without its password, for every message.
    pub shown: String,
    /// TLS (rustls, the Mozilla roots) when the URL says `sslmode=require`.
    tls: Option<MakeRustlsConnect>,
}

impl fmt::Debug for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Target").field("db", &self.shown).finish()
    }
}

impl Target {
    pub fn parse(url: &str) -> Result<Target, PgError> {
        let shown = redact(url);
        let bad = |d: String| PgError {
            target: shown.clone(),
            kind: PgErrorKind::BadUrl(d),
        };
        let trimmed = url.trim();
        let is_url = trimmed.starts_with("postgres://") || trimmed.starts_with("postgresql://");
        if !is_url && !trimmed.contains('=') {
            return Err(bad("it is not a postgres:// URL".into()));
        }
        // The client's own parse error may quote the URL: never show it.
        let mut config: Config = trimmed
            .parse()
            .map_err(|_| bad("the client cannot read it".into()))?;
        if config.get_hosts().is_empty() {
            return Err(bad("it names no host".into()));
        }
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(Duration::from_secs(10));
        }
        if config.get_application_name().is_none() {
            config.application_name("sltui");
        }
        // A server that vanishes (a dead host, a cut network) is noticed in seconds.
        config.keepalives(true);
        config.keepalives_idle(Duration::from_secs(5));
        config.keepalives_interval(Duration::from_secs(1));
        config.keepalives_retries(3);
        let tls = match config.get_ssl_mode() {
            SslMode::Require => Some(MakeRustlsConnect::with_webpki_roots()),
            _ => {
                // `prefer` (the default) would try TLS first; plain unless required.
                config.ssl_mode(SslMode::Disable);
                None
            }
        };
        Ok(Target { config, shown, tls })
    }

    pub fn error(&self, kind: PgErrorKind) -> PgError {
        PgError {
            target: self.shown.clone(),
            kind,
        }
    }

    /// A new session with `search_path` on the sltui schema. Blocking: call
    /// through [`off_runtime`].
    pub fn connect(&self) -> Result<Client, PgError> {
        let client = match &self.tls {
            Some(tls) => self.config.connect(tls.clone()),
            None => self.config.connect(NoTls),
        };
        let mut client = client.map_err(|e| self.error(PgErrorKind::Connect(describe(&e))))?;
        client
            .batch_execute("SET search_path TO sltui")
            .map_err(|e| self.error(PgErrorKind::Connect(describe(&e))))?;
        Ok(client)
    }
}

/// A client error in one line: the server's message when it sent one.
pub(crate) fn describe(e: &postgres::Error) -> String {
    match e.as_db_error() {
        Some(db) => {
            let mut s = db.message().to_string();
            if let Some(d) = db.detail() {
                s.push_str(" (");
                s.push_str(d);
                s.push(')');
            }
            s
        }
        None if e.is_closed() => "the connection was closed".to_string(),
        None => e.to_string(),
    }
}

/// Runs `f` where the blocking client may block: on a scoped helper thread when
/// called from inside an async runtime, else right here.
pub(crate) fn off_runtime<R: Send>(f: impl FnOnce() -> R + Send) -> R {
    if tokio::runtime::Handle::try_current().is_err() {
        return f();
    }
    std::thread::scope(|s| match s.spawn(f).join() {
        Ok(r) => r,
        Err(panic) => std::panic::resume_unwind(panic),
    })
}

/// A blocking client that is closed off any runtime (dropping it inside one
/// would drop its own runtime there, which panics).
pub(crate) struct Session(Option<Client>);

impl Session {
    pub fn new(client: Client) -> Session {
        Session(Some(client))
    }

    pub fn client(&mut self) -> &mut Client {
        self.0
            .as_mut()
            .expect("a session holds its client until dropped")
    }

    pub fn is_closed(&self) -> bool {
        self.0.as_ref().is_none_or(Client::is_closed)
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        if let Some(c) = self.0.take() {
            off_runtime(move || drop(c));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_urls_are_refused_without_echoing_a_password() {
        for url in [
            "mysql://u:s3cret@h/db",
            "postgres://u:s3cret@h:notaport/db",
            "",
        ] {
            let e = Target::parse(url).unwrap_err();
            assert!(matches!(e.kind, PgErrorKind::BadUrl(_)), "{url}: {e:?}");
            assert!(!e.to_string().contains("s3cret"), "{e}");
        }
    }

    #[test]
    fn tls_only_when_the_url_requires_it() {
        let plain = Target::parse("postgres://u@localhost/db").unwrap();
        assert!(plain.tls.is_none());
        assert_eq!(plain.config.get_ssl_mode(), SslMode::Disable);
        let tls = Target::parse("postgres://u@localhost/db?sslmode=require").unwrap();
        assert!(tls.tls.is_some());
    }
}
