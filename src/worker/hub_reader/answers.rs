//! The reads of the dashboard's protocol, answered from the team database.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use chrono::Utc;

use super::first_sync;
use super::shared::{FunnelShown, Shared, blocking, lock};
use crate::api::models::{Membership, Person};
use crate::budget::ReadCost;
use crate::metrics::funnel::CadenceFunnel;
use crate::metrics::{Aggregator, EmailFact, TimeRange};
use crate::store::funnel::{CALL_RESOURCES, CountedFunnel, FUNNEL_RESOURCES, Freshness};
use crate::store::start::Rest;
use crate::store::{PgStore, RecordStore};
use crate::worker::protocol::{Request, RequestId, WorkerEvent};
use crate::worker::store_sync::StoreEvent;

/// Facts and people per event.
const BATCH: usize = 2_000;

/// Answers one request (its data events); the error in words.
pub async fn answer(shared: &Arc<Shared>, id: RequestId, request: Request) -> Result<(), String> {
    let store = shared.store.clone();
    match request {
        Request::Cadences => {
            let cadences = blocking(move || store.cadences()).await?;
            shared.emit(WorkerEvent::Cadences { id, cadences });
        }
        Request::CadenceDetail { cadence_id } => {
            *lock(&shared.detail) = Some(cadence_id);
            detail(shared, id, cadence_id).await?;
        }
        Request::Engagement { cadence_ids, range } => {
            engagement(shared, id, cadence_ids, range).await?;
        }
        Request::EstimateEngagement { cadence_ids, range } => {
            // The facts are in the database: reading them costs no points.
            shared.emit(WorkerEvent::EngagementEstimate {
                id,
                range,
                cadence_ids,
                emails: None,
                cost: Some(ReadCost {
                    requests: 0,
                    points: 0,
                }),
            });
        }
        Request::StoredEngagement { range } => {
            let since = since(range);
            let (totals, synced_at) = blocking(move || {
                Ok((
                    store.range_totals(since.map(|s| s as u32))?,
                    store.last_synced_at()?,
                ))
            })
            .await?;
            shared.emit(WorkerEvent::StoredEngagement {
                id,
                range,
                totals,
                synced_at,
            });
        }
        Request::IndexPeople => {
            // The index is built on the read's thread, off the UI task, and not
            // laid out, as a walk's: the UI's own index of the batches may be laid
            // out already (a search typed meanwhile) and two layouts of everyone
            // would be held; the UI has this one laid out (`LayOutPeople`) when it
            // takes it.
            let (people, index) = blocking(move || {
                let people = crate::worker::people::shared_entries(&store.people()?);
                let mut index = crate::search::PeopleIndex::default();
                for e in &people {
                    index.upsert(e.clone());
                }
                Ok((people, Some(Box::new(index))))
            })
            .await?;
            let total = people.len();
            for chunk in people.chunks(BATCH) {
                shared.emit(WorkerEvent::PeopleBatch {
                    id,
                    people: chunk.to_vec(),
                });
            }
            shared.emit(WorkerEvent::PeopleIndexed { id, total, index });
        }
        // Laid out on a blocking thread, as by the worker.
        Request::LayOutPeople { layout } => {
            if let Some(index) = crate::worker::layout::laid_out(layout).await {
                shared.emit(WorkerEvent::PeopleLaidOut { id, index: index? });
            }
        }
        Request::PersonByEmail { email } => {
            let person = blocking(move || store.person_by_email(&email)).await?;
            shared.emit(WorkerEvent::PersonFound { id, person });
        }
        Request::PersonDetail { person_id } => {
            *lock(&shared.person) = Some(person_id);
            person(shared, id, person_id).await?;
        }
        Request::Me => match blocking(move || store.hub_me()).await? {
            Some(user) => {
                // The hub's key; its team's privacy is not recorded.
                shared.emit(WorkerEvent::Me {
                    id,
                    user,
                    all_public: None,
                });
            }
            None => {
                return Err(
                    "the hub has not recorded whose SalesLoft key it uses yet, so \
                            personal cadences are not told apart; it does once `sltui hub` \
                            has run"
                        .into(),
                );
            }
        },
        Request::Users => {
            let users = blocking(move || store.users()).await?;
            shared.emit(WorkerEvent::Users { id, users });
        }
        Request::SetLive { enabled } => {
            shared.live.store(enabled, Ordering::Relaxed);
            if enabled {
                release_held(shared);
            }
            shared.emit(WorkerEvent::LiveState {
                enabled,
                paused_reason: None,
            });
        }
        Request::SetPollInterval { secs } => {
            // Announcements bring changes at once; this is the safety net.
            let secs = secs
                .clamp(1, 30)
                .min(shared.opts.safety_net.as_secs().max(1));
            shared.safety_secs.store(secs, Ordering::Relaxed);
        }
        // The reader follows the database's change numbers from its start: it
        // holds every email the database holds, nothing to catch up or forget.
        Request::LiveFrom { .. } | Request::ClearCache => {}
        // The reader sends SalesLoft nothing: no key to try.
        Request::RetryAuth => {}
        // Counted from the database as from SalesLoft (`metrics::funnel`).
        Request::Funnel { cadence_id, range } => {
            let funnel = match read_funnel(shared, cadence_id, range).await? {
                Ok(funnel) => funnel,
                Err(why) => return Err(not_synced_yet(shared, &FUNNEL_RESOURCES, why).await),
            };
            shared.emit(WorkerEvent::funnel(id, funnel));
        }
        Request::Calls { range } => {
            let now = Utc::now();
            let read = blocking(move || {
                crate::store::funnel::read_calls(&*store, Freshness::Any, range, now)
            })
            .await?;
            let calls = match read {
                Ok(calls) => calls,
                Err(why) => return Err(not_synced_yet(shared, &CALL_RESOURCES, why).await),
            };
            shared.emit(WorkerEvent::Calls { id, range, calls });
        }
        Request::Enroll { .. } => {
            return Err("internal error: an enrollment reached the read path".into());
        }
    }
    Ok(())
}

/// Counts the funnel of `cadence_id` over `range` from the database (the hub
/// keeps it fresh: any age answers) and notes it as the one shown; why not
/// when the hub's first sync does not cover it yet.
async fn read_funnel(
    shared: &Shared,
    cadence_id: u64,
    range: TimeRange,
) -> Result<Result<CadenceFunnel, String>, String> {
    let store = shared.store.clone();
    let now = Utc::now();
    let read = blocking(move || {
        crate::store::funnel::read_counted_funnel(&*store, Freshness::Any, cadence_id, range, now)
    })
    .await?;
    Ok(read.map(|CountedFunnel { funnel, call_ids }| {
        let templates = funnel
            .templates
            .values()
            .flatten()
            .filter_map(|t| t.template_id)
            .collect();
        *lock(&shared.funnel) = Some(FunnelShown {
            cadence_id,
            range,
            templates,
            calls: call_ids,
        });
        funnel
    }))
}

/// Counts the funnel shown again and pushes it (a call of its cadence or a
/// template it names changed); a failed read is logged, the last one stays.
pub async fn refresh_funnel(shared: &Shared, shown: FunnelShown) {
    match read_funnel(shared, shown.cadence_id, shown.range).await {
        Ok(Ok(funnel)) => {
            shared.emit(WorkerEvent::funnel(crate::worker::PUSHED, funnel));
        }
        Ok(Err(why)) | Err(why) => {
            tracing::warn!(error = %why, "could not count the funnel again");
        }
    }
}

/// The database's records do not cover a read of `resources` yet (the hub's
/// first sync of some has not finished): which, how far each got, and what to
/// do, in words; `why` (the store's words) when that cannot be read.
async fn not_synced_yet(
    shared: &Shared,
    resources: &'static [&'static str],
    why: String,
) -> String {
    let store = shared.store.clone();
    match blocking(move || first_sync::not_synced_yet(&store, resources)).await {
        Ok(Some(words)) => words,
        Ok(None) | Err(_) => format!(
            "{why}: the hub has not finished its first sync of them yet; try again in a few minutes"
        ),
    }
}

/// Sends the facts held while live updates were off.
pub fn release_held(shared: &Shared) {
    let facts: Vec<EmailFact> = lock(&shared.held).drain().map(|(_, f)| f).collect();
    for chunk in facts.chunks(BATCH) {
        shared.emit(WorkerEvent::EmailFacts {
            id: crate::worker::PUSHED,
            facts: chunk.to_vec(),
            live: true,
        });
    }
}

/// `range` from now, in unix seconds.
fn since(range: TimeRange) -> Option<i64> {
    range
        .since(Utc::now())
        .map(|t| t.timestamp().clamp(0, i64::from(u32::MAX)))
}

/// A cadence's steps and its memberships with their people.
pub async fn detail(shared: &Shared, id: RequestId, cadence_id: u64) -> Result<(), String> {
    let store = shared.store.clone();
    let (steps, members) = blocking(move || {
        let steps = store.cadence_steps(cadence_id)?;
        let memberships = store.cadence_memberships(cadence_id)?;
        let members = with_people(&store, memberships)?;
        Ok((steps, members))
    })
    .await?;
    shared.emit(WorkerEvent::CadenceSteps {
        id,
        cadence_id,
        steps,
    });
    shared.emit(WorkerEvent::CadenceMembers {
        id,
        cadence_id,
        members,
    });
    Ok(())
}

fn with_people(
    store: &crate::store::PgStore,
    memberships: Vec<Membership>,
) -> crate::store::StoreResult<Vec<(Membership, Option<Person>)>> {
    let mut ids: Vec<u64> = memberships
        .iter()
        .filter_map(Membership::person_id)
        .collect();
    ids.sort_unstable();
    ids.dedup();
    let mut people: HashMap<u64, Person> = HashMap::with_capacity(ids.len());
    for chunk in ids.chunks(1_000) {
        people.extend(store.people_by_ids(chunk)?.into_iter().map(|p| (p.id, p)));
    }
    Ok(memberships
        .into_iter()
        .map(|m| {
            let p = m.person_id().and_then(|p| people.get(&p).cloned());
            (m, p)
        })
        .collect())
}

/// A person and their memberships; an error when the database lacks them.
pub async fn person(shared: &Shared, id: RequestId, person_id: u64) -> Result<(), String> {
    let store = shared.store.clone();
    let (person, memberships) = blocking(move || {
        Ok((
            store.person(person_id)?,
            store.person_memberships(person_id)?,
        ))
    })
    .await?;
    let Some(person) = person else {
        return Err(format!(
            "person {person_id} is not in the team database (404: deleted, or not synced yet)"
        ));
    };
    shared.emit(WorkerEvent::PersonDetail {
        id,
        person,
        memberships,
    });
    Ok(())
}

/// The stored facts of `cadence_ids` in `range`, in batches, then each cadence
/// as loaded.
async fn engagement(
    shared: &Arc<Shared>,
    id: RequestId,
    cadence_ids: Vec<u64>,
    range: TimeRange,
) -> Result<(), String> {
    let store = shared.store.clone();
    let sender = shared.clone();
    let ids = cadence_ids.clone();
    blocking(move || {
        let mut batch: Vec<EmailFact> = Vec::with_capacity(BATCH);
        store.for_each_fact_of(&ids, since(range), &mut |f| {
            batch.push(f);
            if batch.len() >= BATCH {
                sender.emit(WorkerEvent::EmailFacts {
                    id,
                    facts: std::mem::take(&mut batch),
                    live: false,
                });
            }
        })?;
        if !batch.is_empty() {
            sender.emit(WorkerEvent::EmailFacts {
                id,
                facts: batch,
                live: false,
            });
        }
        Ok(())
    })
    .await?;
    // Before the hub's first sync of the emails ends, the counts are partial:
    // said in the task's note (and on stderr by the scripting commands).
    let store = shared.store.clone();
    match blocking(move || first_sync::partial_counts(&store)).await {
        Ok(Some(note)) => {
            shared.emit(WorkerEvent::TaskNote {
                id,
                note: Some(note),
            });
        }
        Ok(None) => {}
        Err(e) => tracing::warn!(error = %e, "could not read the emails' sync state"),
    }
    for cadence_id in cadence_ids {
        shared.emit(WorkerEvent::EngagementLoaded { id, cadence_id });
    }
    Ok(())
}

/// The people and every email fact, after the first frame (the dashboard's
/// "rest" of the store): tried a few times, then reported as not read. With
/// `replace`, sent to replace what the dashboard holds ([`StoreEvent::Reloaded`];
/// a failure then leaves it as it was, said in the log).
pub async fn send_rest(shared: &Shared, replace: bool) {
    let mut last = String::new();
    for attempt in 0..3u32 {
        if attempt > 0 {
            tokio::time::sleep(Duration::from_millis(500 << attempt)).await;
        }
        // A session of its own, so the dashboard's first requests need not
        // wait behind this long read (the shared one if it cannot connect).
        let url = shared.url.clone();
        let fallback = shared.store.clone();
        let read = blocking(move || {
            let store = PgStore::connect_existing(&url).map_or(fallback, Arc::new);
            let people = store.person_rows()?;
            let mut agg = Aggregator::new(TimeRange::All, Utc::now());
            agg.reserve(store.count("email_facts")? as usize);
            store.for_each_email_fact(&mut |f| {
                agg.upsert(f);
            })?;
            // The people laid out as a search index here, off the UI task.
            Ok(crate::worker::store_sync::index_people(Rest {
                people,
                agg,
                index: None,
            }))
        })
        .await;
        match read {
            Ok(rest) if replace => {
                shared.emit(WorkerEvent::Store(StoreEvent::Reloaded(Box::new(rest))));
                return;
            }
            Ok(rest) => {
                shared.emit(WorkerEvent::Store(StoreEvent::Loaded(Ok(Box::new(rest)))));
                return;
            }
            Err(e) => last = e,
        }
    }
    if replace {
        tracing::warn!(error = %last, "could not read the team database again; the dashboard keeps what it has");
    } else {
        shared.emit(WorkerEvent::Store(StoreEvent::Loaded(Err(last))));
    }
}
