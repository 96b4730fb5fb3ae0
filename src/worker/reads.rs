//! Reads for the screen: cadences, a cadence's steps and people, a person. Each page
//! is admitted by the budget governor first; answers are cached per kind.

use std::collections::HashMap;

use serde::de::DeserializeOwned;

use super::cache::{CacheKey, Cached};
use super::ctx::{Admission, Ctx, Permit};
use super::job::{Job, JobEnd, Stop};
use super::protocol::{Priority, Request, RequestId, WorkerEvent};
use crate::api::models::{Membership, Person};
use crate::api::{ApiError, Query};
use crate::budget::page_cost;

/// Asks the governor; a refusal is announced with a `Deferred` event.
pub fn admit<'a>(
    ctx: &'a Ctx,
    id: RequestId,
    priority: Priority,
    cost: u32,
    what: &str,
) -> Result<Permit<'a>, Stop> {
    match ctx.admit(priority, cost, what) {
        Admission::Go(permit) => {
            ctx.note_admitted(id);
            Ok(permit)
        }
        Admission::Defer { reason, retry_in } => {
            ctx.note_deferred(id, reason);
            Err(Stop::Budget(retry_in))
        }
    }
}

/// A failed read: a 429 the client gave up on waits for the budget window (and
/// says so); anything else fails the request with the error's words.
pub fn failed(ctx: &Ctx, id: RequestId, what: &str, err: ApiError) -> Stop {
    if let ApiError::RateLimited { .. } = err {
        let retry_in = ctx.throttle_wait(&err);
        let reason = format!(
            "{what}: the team's budget is spent for this minute (429); retrying in {} s",
            retry_in.as_secs().max(1)
        );
        ctx.note_deferred(id, reason);
        return Stop::Budget(retry_in);
    }
    Stop::Failed(format!("{what}: {err}"))
}

/// A read whose answer arrived damaged (cut short, not JSON) is read again this
/// many times before it fails: reading changes nothing.
pub const DECODE_RETRIES: u32 = 2;

/// True (and counted in `tries`) when a failed read should simply be read again.
pub fn reread(err: &ApiError, tries: &mut u32) -> bool {
    let damaged = matches!(err, ApiError::Decode { .. })
        || matches!(
            err,
            ApiError::NotSalesLoft {
                status: 200..=299,
                ..
            }
        );
    let again = damaged && *tries < DECODE_RETRIES;
    if again {
        *tries += 1;
    }
    again
}

/// Every page of a list, each admitted before it is read (shallow pages cost 1).
pub async fn walk_all<T>(
    ctx: &Ctx,
    id: RequestId,
    priority: Priority,
    path: &str,
    query: Query,
    what: &str,
) -> Result<Vec<T>, Stop>
where
    T: DeserializeOwned + Send + 'static,
{
    let mut walk = ctx.client.page_walk::<T>(path, query.set("per_page", 100));
    let mut out = Vec::new();
    let mut page = 1u64;
    let mut tries = 0;
    loop {
        let permit = admit(
            ctx,
            id,
            priority,
            u32::try_from(page_cost(page)).unwrap_or(u32::MAX),
            what,
        )?;
        let next = walk.next_page().await;
        drop(permit);
        match next {
            Ok(Some(items)) => out.extend(items),
            Ok(None) => return Ok(out),
            Err(e) if reread(&e, &mut tries) => continue,
            Err(e) => return Err(failed(ctx, id, what, e)),
        }
        page += 1;
        tries = 0;
    }
}

fn end(result: Result<(), Stop>, request: Request) -> JobEnd {
    match result {
        Ok(()) => JobEnd::Done(Ok(())),
        Err(stop) => stop.end(Job::Request(request)),
    }
}

pub async fn cadences(ctx: &Ctx, id: RequestId, priority: Priority) -> JobEnd {
    let result = async {
        let cadences = walk_all(
            ctx,
            id,
            priority,
            "cadences",
            Query::new(),
            "loading cadences",
        )
        .await?;
        let cached = Cached::Cadences(cadences);
        ctx.cache_put(CacheKey::Cadences, cached.clone());
        emit_cached(ctx, id, cached);
        Ok(())
    };
    end(result.await, Request::Cadences)
}

pub async fn cadence_detail(
    ctx: &Ctx,
    id: RequestId,
    priority: Priority,
    cadence_id: u64,
) -> JobEnd {
    let result = async {
        let by_cadence = Query::new().push("cadence_id", cadence_id);
        let what = format!("loading cadence {cadence_id}");
        let steps = walk_all(ctx, id, priority, "steps", by_cadence.clone(), &what).await?;
        let memberships: Vec<Membership> =
            walk_all(ctx, id, priority, "cadence_memberships", by_cadence, &what).await?;
        let mut ids: Vec<u64> = memberships
            .iter()
            .filter_map(Membership::person_id)
            .collect();
        ids.sort_unstable();
        ids.dedup();
        let mut people: HashMap<u64, Person> = HashMap::new();
        for chunk in ids.chunks(100) {
            let q = chunk
                .iter()
                .fold(Query::new(), |q, pid| q.push("ids[]", pid));
            let found: Vec<Person> = walk_all(ctx, id, priority, "people", q, &what).await?;
            people.extend(found.into_iter().map(|p| (p.id, p)));
        }
        let members = memberships
            .into_iter()
            .map(|m| {
                let person = m.person_id().and_then(|p| people.get(&p).cloned());
                (m, person)
            })
            .collect();
        let key = CacheKey::CadenceDetail(cadence_id);
        let cached = Cached::CadenceDetail {
            cadence_id,
            steps,
            members,
        };
        ctx.cache_put(key.clone(), cached.clone());
        emit_cached(ctx, id, cached);
        Ok(())
    };
    end(result.await, Request::CadenceDetail { cadence_id })
}

pub async fn person_by_email(
    ctx: &Ctx,
    id: RequestId,
    priority: Priority,
    email: String,
) -> JobEnd {
    let address = email.trim().to_lowercase();
    let result = async {
        let what = format!("looking up {address}");
        let permit = admit(ctx, id, priority, 1, &what)?;
        let q = Query::new()
            .push("email_addresses[]", &address)
            .push("per_page", 1);
        let found = ctx.client.people(&q).await;
        drop(permit);
        let found = found.map_err(|e| failed(ctx, id, &what, e))?;
        let key = CacheKey::PersonByEmail(address.clone());
        let cached = Cached::PersonByEmail(found.data.into_iter().next());
        ctx.cache_put(key.clone(), cached.clone());
        emit_cached(ctx, id, cached);
        Ok(())
    };
    end(result.await, Request::PersonByEmail { email })
}

pub async fn person_detail(ctx: &Ctx, id: RequestId, priority: Priority, person_id: u64) -> JobEnd {
    let result = async {
        let what = format!("loading person {person_id}");
        let permit = admit(ctx, id, priority, 1, &what)?;
        let person = ctx.client.person(person_id).await;
        drop(permit);
        let person = person.map_err(|e| failed(ctx, id, &what, e))?;
        let q = Query::new().push("person_id", person_id);
        let memberships = walk_all(ctx, id, priority, "cadence_memberships", q, &what).await?;
        let key = CacheKey::Person(person_id);
        let cached = Cached::Person {
            person,
            memberships,
        };
        ctx.cache_put(key.clone(), cached.clone());
        emit_cached(ctx, id, cached);
        Ok(())
    };
    end(result.await, Request::PersonDetail { person_id })
}

/// The user the key belongs to (one point), cached.
pub async fn me(ctx: &Ctx, id: RequestId, priority: Priority) -> JobEnd {
    let result = async {
        let what = "loading your user";
        let permit = admit(ctx, id, priority, 1, what)?;
        let user = ctx.client.me().await;
        drop(permit);
        let user = user.map_err(|e| failed(ctx, id, what, e))?;
        let all_public = if user.team_admin {
            None
        } else {
            team_all_public(ctx, id, priority).await
        };
        let cached = Cached::Me(user, all_public);
        ctx.cache_put(CacheKey::Me, cached.clone());
        emit_cached(ctx, id, cached);
        Ok(())
    };
    end(result.await, Request::Me)
}

/// For a key that is not a team admin: whether the team's group privacy lets
/// it see every record (`/v2/team`, one point). `None` when it could not be
/// read (the totals are then marked as possibly partial).
async fn team_all_public(ctx: &Ctx, id: RequestId, priority: Priority) -> Option<bool> {
    let permit = admit(ctx, id, priority, 1, "reading the team's privacy setting").ok()?;
    let team = ctx.client.team().await;
    drop(permit);
    match team {
        Ok(team) => Some(team.all_public()),
        Err(e) => {
            tracing::warn!(error = %e, "could not read /v2/team: totals marked as possibly partial");
            None
        }
    }
}

/// The team's users (one unpaginated list, one point), cached.
pub async fn users(ctx: &Ctx, id: RequestId, priority: Priority) -> JobEnd {
    let result = async {
        let what = "loading the team's users";
        let permit = admit(ctx, id, priority, 1, what)?;
        let users = ctx.client.users().await;
        drop(permit);
        let cached = Cached::Users(users.map_err(|e| failed(ctx, id, what, e))?);
        ctx.cache_put(CacheKey::Users, cached.clone());
        emit_cached(ctx, id, cached);
        Ok(())
    };
    end(result.await, Request::Users)
}

/// Turns an answer (fresh or cached) into the events the UI waits for.
pub fn emit_cached(ctx: &Ctx, id: RequestId, cached: Cached) {
    match cached {
        Cached::Cadences(cadences) => ctx.emit(WorkerEvent::Cadences { id, cadences }),
        Cached::CadenceDetail {
            cadence_id,
            steps,
            members,
        } => {
            ctx.emit(WorkerEvent::CadenceSteps {
                id,
                cadence_id,
                steps,
            });
            ctx.emit(WorkerEvent::CadenceMembers {
                id,
                cadence_id,
                members,
            });
        }
        Cached::Person {
            person,
            memberships,
        } => {
            ctx.emit(WorkerEvent::PersonDetail {
                id,
                person,
                memberships,
            });
        }
        Cached::PersonByEmail(person) => ctx.emit(WorkerEvent::PersonFound { id, person }),
        Cached::Me(user, all_public) => ctx.emit(WorkerEvent::Me {
            id,
            user,
            all_public,
        }),
        Cached::Users(users) => ctx.emit(WorkerEvent::Users { id, users }),
        Cached::Funnel(funnel) => ctx.emit(WorkerEvent::funnel(id, *funnel)),
    }
}
