//! `sltui hub`: the team's one connection to SalesLoft. Any number of hubs may run
//! on one PostgreSQL database; one holds the leader's advisory lock and works, the
//! others wait as hot standbys and take over within a few seconds of its death.
//!
//! The leader keeps the database in step with SalesLoft (the incremental sync of
//! every resource every few minutes, and of the fast-moving ones — emails, cadence
//! memberships, people, calls, email templates — every poll), runs the enrollment jobs dashboards file
//! (exactly once: [`jobs`]), and writes its status and the team budget it reads
//! from the response headers for the dashboards' status bars. Everything it spends
//! is bulk background work: at most the profile's `background_share` of each
//! budget window, nothing under the reserve.
//!
//! With webhooks ([`HubWebhooks`]: `--webhook-listen`, `--callback-url`), every hub,
//! leader or standby, runs a receiver that writes SalesLoft's signed deliveries into
//! the database through the sync's own upserts ([`webhooks`]: idempotent, an older
//! version never replaces a newer one, so any hub may write), and the leader keeps
//! one subscription per event type pointed at its callback URL
//! ([`subscriptions`]). The poll goes on as the safety net.

mod calls;
mod jobs;
mod options;
pub mod subscriptions;
pub mod webhooks;

pub use options::HubOptions;
pub use webhooks::{DEFAULT_PORT as DEFAULT_WEBHOOK_PORT, HubWebhooks, default_listen};

use calls::{blocking, say};

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::Utc;

use crate::api::ApiClient;
use crate::budget::Priority;
use crate::store::{PgStore, RecordStore};
use crate::sync::{CancelToken, Engine, Resource, SyncOptions};

/// How long the database keeps the note of a removed row: a dashboard that was
/// away longer reads everything again when it comes back.
pub const REMOVALS_KEPT: Duration = Duration::from_secs(7 * 24 * 3600);
/// How often the leader prunes older removal notes.
const PRUNE_EVERY: Duration = Duration::from_secs(3600);

/// The resources read at every poll: what dashboards watch live, and the calls
/// and email templates the funnel, the template table and the call columns
/// count (each one point per poll when nothing changed).
pub const FAST: [Resource; 5] = [
    Resource::Emails,
    Resource::Memberships,
    Resource::People,
    Resource::Calls,
    Resource::Templates,
];

/// A default hub name: `host-pid`.
pub fn default_name() -> String {
    let host = std::fs::read_to_string("/etc/hostname")
        .ok()
        .map(|h| h.trim().to_string())
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "hub".to_string());
    format!("{host}-{}", std::process::id())
}

/// Runs the hub until `stop` is cancelled: stands by, leads when it can, and goes
/// back to standing by when it loses the lock. Fails only when the database
/// cannot be opened or the webhook receiver cannot listen, at start.
pub async fn run(client: ApiClient, opts: HubOptions, stop: CancelToken) -> Result<(), String> {
    let url = opts.db_url.clone();
    let store = Arc::new(blocking(move || PgStore::connect(&url)).await?);
    say(
        &opts.name,
        format!("connected to {} (schema ready)", store.target()),
    );
    let hooks = match &opts.webhooks {
        Some(h) => {
            let running = webhooks::start(&store, &opts.db_url, h, &opts.name).await?;
            say(
                &opts.name,
                format!(
                    "receiving webhooks on {} ({})",
                    running.receiver.url(),
                    match &h.callback_url {
                        Some(u) => format!("the leader subscribes {u}"),
                        None => "no --callback-url: subscriptions are left as they are".into(),
                    }
                ),
            );
            Some(running)
        }
        None => None,
    };
    let keeper = match (&opts.webhooks, &hooks) {
        (Some(h), Some(r)) => h.callback_url.clone().map(|u| (u, r.token.clone())),
        _ => None,
    };
    let result = stand_by_or_lead(&client, &opts, &store, keeper, &stop).await;
    if let Some(r) = hooks {
        r.stop().await;
    }
    result
}

async fn stand_by_or_lead(
    client: &ApiClient,
    opts: &HubOptions,
    store: &Arc<PgStore>,
    keeper: Option<(String, crate::webhooks::WebhookToken)>,
    stop: &CancelToken,
) -> Result<(), String> {
    let mut standing_by = false;
    while !stop.is_cancelled() {
        let (s, name) = (store.clone(), opts.name.clone());
        match blocking(move || s.try_lead(&name)).await {
            Ok(Some(lead)) => {
                standing_by = false;
                say(&opts.name, "leading: syncing and running enrollment jobs");
                let why = lead_until_lost(client, opts, store, lead, keeper.clone(), stop).await;
                say(&opts.name, why);
            }
            Ok(None) => {
                if !standing_by {
                    say(&opts.name, "standing by: another hub leads");
                    standing_by = true;
                }
            }
            Err(e) => say(
                &opts.name,
                format!("could not ask for the lead ({e}); retrying"),
            ),
        }
        if stop
            .sleep(Duration::from_secs(opts.standby_secs.max(1)))
            .await
        {
            break;
        }
    }
    Ok(())
}

/// The leader's work until the lock is lost or the hub stops; says why it ended.
async fn lead_until_lost(
    client: &ApiClient,
    opts: &HubOptions,
    store: &Arc<PgStore>,
    mut lead: crate::store::pg::Leadership,
    keeper: Option<(String, crate::webhooks::WebhookToken)>,
    stop: &CancelToken,
) -> String {
    // Fencing: from here every write checks that this lead still holds, so a
    // hub cut off from its lock cannot commit after the next leader does.
    let (pid, back) = tokio::task::spawn_blocking(move || (lead.backend_pid(), lead))
        .await
        .unwrap_or_else(|e| panic!("the leadership check stopped: {e}"));
    lead = back;
    let pid = match pid {
        Ok(pid) => pid,
        Err(e) => return format!("could not read the lead's session ({e}); standing by"),
    };
    let s = store.clone();
    if let Err(e) = blocking(move || s.fence(Some(pid))).await {
        return format!("could not fence this hub's writes ({e}); standing by");
    }
    let why = lead_fenced(client, opts, store, (lead, pid), keeper, stop).await;
    let s = store.clone();
    if let Err(e) = blocking(move || s.fence(None)).await {
        tracing::warn!(error = %e, "could not lift the fence");
    }
    why
}

/// [`lead_until_lost`] once the store is fenced to the lead session `pid`.
async fn lead_fenced(
    client: &ApiClient,
    opts: &HubOptions,
    store: &Arc<PgStore>,
    (mut lead, pid): (crate::store::pg::Leadership, i32),
    keeper: Option<(String, crate::webhooks::WebhookToken)>,
    stop: &CancelToken,
) -> String {
    let (s, name) = (store.clone(), opts.name.clone());
    match blocking(move || s.requeue_orphaned_jobs(&name)).await {
        Ok(0) => {}
        Ok(n) => say(
            &opts.name,
            format!("{n} job(s) left running by a previous leader go again"),
        ),
        Err(e) => return format!("could not take over the jobs ({e}); standing by"),
    }
    // Whose key the hub uses: dashboards show their user from it (personal
    // cadences of others told apart) without asking SalesLoft themselves.
    match client.me().await {
        Ok(user) => {
            let s = store.clone();
            if let Err(e) = blocking(move || s.set_hub_me(&user)).await {
                tracing::warn!(error = %e, "could not record the hub's user");
            }
        }
        Err(e) => say(
            &opts.name,
            format!("could not read whose key this is ({e})"),
        ),
    }
    let duties = CancelToken::new();
    let sync = tokio::spawn(sync_loop(
        client.clone(),
        opts.clone(),
        (store.clone(), pid),
        duties.clone(),
    ));
    let jobs = tokio::spawn(jobs::run(
        client.clone(),
        opts.clone(),
        store.clone(),
        duties.clone(),
    ));
    let subscriptions = keeper.map(|(url, token)| {
        tokio::spawn(subscriptions::keep(
            client.clone(),
            opts.clone(),
            url,
            token,
            duties.clone(),
        ))
    });
    let mut last_status = Instant::now() - Duration::from_secs(60);
    let mut last_prune: Option<Instant> = None;
    let why = loop {
        if stop.sleep(Duration::from_millis(500)).await {
            break "stopped: leadership released".to_string();
        }
        let (alive, back) = tokio::task::spawn_blocking(move || {
            let alive = lead.is_alive();
            (alive, lead)
        })
        .await
        .unwrap_or_else(|e| panic!("the leadership check stopped: {e}"));
        lead = back;
        if !alive {
            break "lost the lead (its database connection ended); standing by".to_string();
        }
        if last_prune.is_none_or(|t| t.elapsed() >= PRUNE_EVERY) {
            last_prune = Some(Instant::now());
            let s = store.clone();
            match blocking(move || s.prune_removals(REMOVALS_KEPT)).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(removals = n, "pruned removals older than a week"),
                Err(e) => tracing::warn!(error = %e, "could not prune old removals"),
            }
        }
        if last_status.elapsed() >= Duration::from_secs(5) {
            last_status = Instant::now();
            let snap = client.budget().snapshot();
            if snap.remaining.is_some() {
                let (s, name) = (store.clone(), opts.name.clone());
                let (left, limit) = (snap.estimated, snap.limit);
                if let Err(e) = blocking(move || s.note_budget(&name, left, limit)).await {
                    tracing::warn!(error = %e, "could not write the hub's budget");
                }
            }
        }
    };
    // Nothing more is written once the lead is gone: the duties stop first.
    duties.cancel();
    for task in [sync, jobs].into_iter().chain(subscriptions) {
        if tokio::time::timeout(Duration::from_secs(10), task)
            .await
            .is_err()
        {
            tracing::warn!("a hub duty did not stop within 10 s");
        }
    }
    drop(lead);
    why
}

/// The sync: every resource every `full_every_secs`, the fast ones every poll.
/// `status` is the hub's store, `fence` the lead session its own store is fenced to.
async fn sync_loop(
    client: ApiClient,
    opts: HubOptions,
    (status, fence): (Arc<PgStore>, i32),
    duties: CancelToken,
) {
    let url = opts.db_url.clone();
    let open = move || {
        let s = PgStore::connect(&url)?;
        s.fence(Some(fence))?;
        Ok(s)
    };
    let store: Arc<Mutex<dyn RecordStore>> = match blocking(open).await {
        Ok(s) => Arc::new(Mutex::new(s)),
        Err(e) => {
            say(
                &opts.name,
                format!("the sync cannot open the database: {e}"),
            );
            return;
        }
    };
    let mut last_all: Option<Instant> = None;
    let mut failures = 0u32;
    while !duties.is_cancelled() {
        let all = last_all.is_none_or(|t| t.elapsed() >= Duration::from_secs(opts.full_every_secs));
        let resources = if all {
            Resource::ALL.to_vec()
        } else {
            FAST.to_vec()
        };
        let report = Engine::new(
            client.clone(),
            store.clone(),
            SyncOptions {
                resources,
                full: false,
                concurrency: 4,
                priority: Priority::Bulk,
                reserve: opts.reserve,
                bulk_share: opts.share,
                // A poll's "anything changed?" is not held to the bulk share: after
                // a large sync the share stays used for up to a minute.
                check_priority: Some(Priority::Background),
            },
        )
        .with_cancel(duties.clone())
        .run()
        .await;
        if duties.is_cancelled() {
            break;
        }
        if report.ok() {
            if all {
                last_all = Some(Instant::now());
            }
            failures = 0;
            let (s, name) = (status.clone(), opts.name.clone());
            if let Err(e) = blocking(move || s.note_sync(&name, Utc::now())).await {
                tracing::warn!(error = %e, "could not write the sync time");
            }
            if report.records > 0 || all {
                say(
                    &opts.name,
                    format!(
                        "synced {} {} records in {} requests ({} points)",
                        report.records,
                        if all { "(every resource)" } else { "changed" },
                        report.requests,
                        report.points
                    ),
                );
            }
        } else {
            failures += 1;
            let error = report
                .resources
                .iter()
                .find_map(|r| r.error.clone())
                .unwrap_or_else(|| "interrupted".into());
            say(&opts.name, format!("sync failed ({error}); retrying"));
        }
        let wait = if failures == 0 {
            Duration::from_secs(opts.poll_secs.max(1))
        } else {
            Duration::from_secs(5)
                .saturating_mul(1 << failures.min(6))
                .min(Duration::from_secs(300))
        };
        if duties.sleep(wait).await {
            break;
        }
    }
}
