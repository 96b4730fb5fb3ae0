//! What the scripting commands (`report`, `enroll`) share: connecting to the
//! configured team (never the demo) and talking to the same background worker the
//! dashboard uses, one request at a time, with budget waits said on stderr. With
//! a team database (`--db`, or the profile's db_url) the worker is the hub
//! reader: reads come from PostgreSQL and enrollments are jobs the hub runs.

use std::io::IsTerminal;

use anyhow::{Context, bail};

use super::opts::GlobalOpts;
use super::{logging, target};
use crate::api::ApiClient;
use crate::api::models::Cadence;
use crate::worker::hub_reader::{HubReaderOptions, requester, spawn_hub_reader};
use crate::worker::{self, Envelope, Priority, Request, RequestId, WorkerEvent, WorkerOptions};

/// Exit code for a usage problem the parser could not see (e.g. an unknown cadence).
pub const USAGE: i32 = 2;

/// A connection to the team through the worker.
pub struct Session {
    worker: worker::WorkerHandle,
    /// The worker's client (clones share its budget): for reads the worker has no
    /// request for. `None` on the team database (`--db`): nothing goes to SalesLoft.
    pub client: Option<ApiClient>,
    next: RequestId,
    pub read_only: bool,
    /// stderr is a terminal: progress may be drawn there.
    pub interactive: bool,
    /// Says what the session spent when it ends (declared after the worker,
    /// so it is dropped after it).
    _spent: super::spent::SayOnDrop,
    /// The embedded simulator of a demo run (dropped last: it stops then).
    _demo: Option<super::demo::Demo>,
}

impl Session {
    /// Resolves flags, environment and profile and starts the worker; like the
    /// dashboard, `--demo` or no credentials on the built-in demo profile run
    /// against the embedded simulator (`command` names the run on stderr).
    pub async fn connect(global: &GlobalOpts, command: &str) -> anyhow::Result<Session> {
        if let Some(db) = super::hub_db::resolve(global, global.db.as_deref())? {
            return Self::on_hub(db).await;
        }
        let target = target::resolve(global, true)?;
        for w in &target.warnings {
            eprintln!("sltui: warning: {w}");
        }
        if target.demo {
            return Self::on_demo(&target, command).await;
        }
        if !target.has_credentials() {
            bail!(
                "no API key for {}: set SALESLOFT_API_KEY, pass --api-key, or set api_key_env / \
                 api_key_cmd (or an [profiles.NAME.oauth] table) in profile {:?} of {}",
                target.base_url,
                target.profile.name,
                target.paths.config_file.display()
            );
        }
        // Mutations are recorded in the log file (the audit trail), as in the dashboard.
        let _ = logging::init_file_logging(&target.paths.log_dir);
        target.log_start(command);
        let client = ApiClient::new(target.api_config(&target.base_url))
            .with_context(|| format!("cannot use {}", target.base_url))?;
        let audit_log = Some(target.paths.audit_log());
        Ok(Self::on_client(&target, client, audit_log, None))
    }

    /// The worker on `client`: auditing to `audit_log` (none for the demo),
    /// named by the target, saying what it spent when the session ends.
    fn on_client(
        target: &target::Target,
        client: ApiClient,
        audit_log: Option<std::path::PathBuf>,
        demo: Option<super::demo::Demo>,
    ) -> Session {
        let spent = super::spent::SayOnDrop(client.budget().clone());
        // The profile's local store answers the reads it covers (never the
        // demo's: its simulator is a new team every run).
        let store_path = demo
            .is_none()
            .then(|| target.paths.profile_store_file(&target.label()));
        let worker = worker::spawn(
            client.clone(),
            WorkerOptions {
                poll_secs: target.profile.refresh_secs,
                reserve: target.profile.budget_reserve,
                read_only: target.read_only,
                audit_log,
                // Audit entries name the target, never "demo" for a real server.
                profile: target.label(),
                store_path,
                ..WorkerOptions::default()
            },
        );
        Session {
            worker,
            client: Some(client),
            next: 0,
            read_only: target.read_only,
            interactive: std::io::stderr().is_terminal(),
            _spent: spent,
            _demo: demo,
        }
    }

    /// The embedded simulator, as the dashboard's demo: nothing is audited (it
    /// is not a real team).
    async fn on_demo(target: &target::Target, command: &str) -> anyhow::Result<Session> {
        super::demo::say(command);
        let _ = logging::init_file_logging(&target.paths.log_dir);
        let demo = super::demo::Demo::start(false).await?;
        let client = demo.client.clone();
        Ok(Self::on_client(target, client, None, Some(demo)))
    }

    /// The hub reader on the team database: nothing is sent to SalesLoft (the
    /// spend line says 0), no key is looked up.
    async fn on_hub(db: super::hub_db::DbTarget) -> anyhow::Result<Session> {
        for w in &db.warnings {
            eprintln!("sltui: warning: {w}");
        }
        let _ = logging::init_file_logging(&db.paths.log_dir);
        let opts = HubReaderOptions {
            read_only: db.read_only,
            requested_by: requester(&db.label()),
            ..HubReaderOptions::default()
        };
        let worker = spawn_hub_reader(&db.url, opts)
            .await
            .map_err(anyhow::Error::msg)?;
        Ok(Session {
            worker,
            client: None,
            next: 0,
            read_only: db.read_only,
            interactive: std::io::stderr().is_terminal(),
            _spent: super::spent::SayOnDrop(crate::api::Budget::new(600)),
            _demo: None,
        })
    }

    /// The SalesLoft client for a read the team database cannot answer, or why
    /// there is none.
    pub fn api(&self, what: &str) -> Result<ApiClient, String> {
        self.client.clone().ok_or_else(|| {
            format!(
                "{what} needs SalesLoft, and this run reads the team database (--db): run it \
                 without --db, with an API key"
            )
        })
    }

    /// Sends one request and hands every event about it to `on` until it finishes;
    /// returns the request's error in words. Budget deferrals are said on stderr
    /// (the worker retries them itself).
    pub async fn run(
        &mut self,
        priority: Priority,
        request: Request,
        mut on: impl FnMut(WorkerEvent),
    ) -> anyhow::Result<Result<(), String>> {
        self.next += 1;
        let id = self.next;
        self.worker
            .requests
            .send(Envelope {
                id,
                priority,
                request,
            })
            .ok()
            .context("the background worker stopped")?;
        loop {
            let event = self
                .worker
                .events
                .recv()
                .await
                .context("the background worker stopped")?;
            match event {
                WorkerEvent::Finished { id: done, error } if done == id => {
                    return Ok(error.map_or(Ok(()), Err));
                }
                WorkerEvent::Deferred { id: late, reason } if late == id => {
                    eprintln!("sltui: waiting for budget: {reason}");
                }
                WorkerEvent::TaskNote {
                    id: late,
                    note: Some(note),
                } if late == id => eprintln!("sltui: {note}"),
                e if e.request_id() == Some(id) => on(e),
                _ => {}
            }
        }
    }

    /// Every cadence of the team (the dashboard's cadence list read).
    pub async fn cadences(&mut self) -> anyhow::Result<Vec<Cadence>> {
        let mut out = None;
        let done = self
            .run(Priority::Visible, Request::Cadences, |e| {
                if let WorkerEvent::Cadences { cadences, .. } = e {
                    out = Some(cadences);
                }
            })
            .await?;
        if let Err(reason) = done {
            bail!("could not read the cadences: {reason}");
        }
        out.context("the worker finished reading cadences without an answer")
    }
}
