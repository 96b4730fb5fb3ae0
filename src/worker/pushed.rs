//! Events pushed by SalesLoft (signed webhooks, see `crate::webhooks`) rather than
//! polled, folded exactly like polled data:
//!
//! - `email_updated`: the same [`email_fact`] as the live poll, sent as live
//!   `EmailFacts` batches; the aggregator folds by email id, so an email seen by both
//!   the webhook and the poll counts once, and an older state never undoes a newer
//!   one. While live updates are off (frozen, or a view without engagement) pushed
//!   emails are dropped: the live poll resumes from its watermark and reads them then;
//! - `cadence_membership_*`: the cached detail of that cadence and person is dropped,
//!   so the next look reads the change instead of a stale answer;
//! - `person_*`: the cached person is dropped; a created or updated person joins the
//!   search index as a `PeopleBatch` once the index walk has started (before that, the
//!   walk reads everyone anyway).

use std::sync::Arc;

use tokio::sync::mpsc;

use super::cache::CacheKey;
use super::ctx::{Ctx, lock};
use super::facts::email_fact;
use super::protocol::{RequestId, WorkerEvent};
use crate::api::models::Person;
use crate::metrics::EmailFact;
use crate::webhooks::{EventKind, Payload, WebhookEvent};

/// The request id of pushed data: no request asked for it.
pub const PUSHED: RequestId = 0;

/// Events already waiting are folded together, up to this many per batch.
const BATCH: usize = 500;

/// Folds pushed events until the sender goes away.
pub async fn run(ctx: Arc<Ctx>, mut events: mpsc::Receiver<WebhookEvent>) {
    while let Some(first) = events.recv().await {
        let mut batch = Batch::default();
        batch.add(&ctx, first);
        while batch.len < BATCH {
            match events.try_recv() {
                Ok(next) => batch.add(&ctx, next),
                Err(_) => break,
            }
        }
        batch.emit(&ctx);
    }
}

#[derive(Default)]
struct Batch {
    facts: Vec<EmailFact>,
    people: Vec<Person>,
    deleted: Vec<u64>,
    len: usize,
}

impl Batch {
    fn add(&mut self, ctx: &Ctx, event: WebhookEvent) {
        self.len += 1;
        match event.payload {
            Payload::Email(email) => {
                if ctx.live_wanted() {
                    self.facts.push(email_fact(&email));
                }
            }
            Payload::Membership(m) => {
                if let Some(cadence_id) = m.cadence_id() {
                    ctx.cache_remove(&CacheKey::CadenceDetail(cadence_id));
                }
                if let Some(person_id) = m.person_id() {
                    ctx.cache_remove(&CacheKey::Person(person_id));
                }
            }
            Payload::Person(person) => {
                ctx.cache_remove(&CacheKey::Person(person.id));
                if let Some(address) = &person.email_address {
                    ctx.cache_remove(&CacheKey::PersonByEmail(address.trim().to_lowercase()));
                }
                if event.kind == EventKind::PersonDeleted {
                    lock(&ctx.people).seen.remove(&person.id);
                    self.deleted.push(person.id);
                    return;
                }
                // Into the search index, whether it was filled by the people walk
                // or from the local store.
                let mut state = lock(&ctx.people);
                if state.position.is_some() {
                    state.seen.insert(person.id);
                }
                self.people.push(*person);
            }
        }
    }

    fn emit(self, ctx: &Ctx) {
        if !self.facts.is_empty() {
            ctx.forget_funnels(self.facts.iter().map(|f| f.cadence_id));
            ctx.emit(WorkerEvent::EmailFacts {
                id: PUSHED,
                facts: self.facts,
                live: true,
            });
        }
        if !self.people.is_empty() {
            ctx.emit(WorkerEvent::PeopleBatch {
                id: PUSHED,
                people: super::people::shared_entries(&self.people),
            });
        }
        if !self.deleted.is_empty() {
            ctx.emit(WorkerEvent::PeopleDeleted { ids: self.deleted });
        }
    }
}

#[cfg(test)]
mod tests {
    use tokio::sync::mpsc::{UnboundedReceiver, unbounded_channel};

    use super::*;
    use crate::api::{ApiClient, ApiConfig};
    use crate::webhooks::Parsed;
    use crate::webhooks::event::parse;

    fn ctx() -> (Ctx, UnboundedReceiver<WorkerEvent>) {
        let client = ApiClient::new(ApiConfig::new("http://127.0.0.1:9/v2", None)).unwrap();
        let (tx, rx) = unbounded_channel();
        let audit = super::super::audit::AuditLog::new(None, "test");
        (Ctx::new(client, tx, false, 0.2, 0.2, 16, audit), rx)
    }

    fn event(kind: &str, body: &str) -> WebhookEvent {
        match parse(kind, body.as_bytes()).unwrap() {
            Parsed::Event(e) => e,
            Parsed::Ignored => panic!("ignored"),
        }
    }

    const EMAIL: &str = r#"{"id": 7, "created_at": "2024-03-01T10:00:00Z",
        "updated_at": "2024-03-02T10:00:00Z", "status": "sent", "bounced": false,
        "sent_at": "2024-03-01T10:05:00Z", "counts": {"views": 1},
        "cadence": {"id": 3}}"#;

    #[test]
    fn emails_fold_only_while_live_updates_are_wanted() {
        let (ctx, mut rx) = ctx();
        let mut frozen = Batch::default();
        frozen.add(&ctx, event("email_updated", EMAIL));
        frozen.emit(&ctx);
        assert!(
            rx.try_recv().is_err(),
            "frozen: the live poll catches up later"
        );

        ctx.set_live(true);
        let mut live = Batch::default();
        live.add(&ctx, event("email_updated", EMAIL));
        live.add(
            &ctx,
            event("email_updated", &EMAIL.replace("\"id\": 7", "\"id\": 8")),
        );
        live.emit(&ctx);
        match rx.try_recv().unwrap() {
            WorkerEvent::EmailFacts { id, facts, live } => {
                assert!(live && id == PUSHED);
                let ids: Vec<u64> = facts.iter().map(|f| f.email_id).collect();
                assert_eq!(ids, [7, 8], "one batch, in order");
                assert!(facts[0].viewed && facts[0].cadence_id == Some(3));
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn people_join_the_index_and_deleted_people_leave_it() {
        let (ctx, mut rx) = ctx();
        let person = r#"{"id": 5, "created_at": "2024-01-01T00:00:00Z",
            "updated_at": "2024-01-02T00:00:00Z", "email_address": "A@x.io"}"#;
        // Before the people walk (an index filled from the local store): joins.
        let mut before = Batch::default();
        before.add(&ctx, event("person_updated", person));
        before.emit(&ctx);
        match rx.try_recv().unwrap() {
            WorkerEvent::PeopleBatch { people, .. } => assert_eq!(people[0].id, 5),
            other => panic!("{other:?}"),
        }
        assert!(!lock(&ctx.people).seen.contains(&5), "no walk to count for");

        lock(&ctx.people).position = Some(crate::api::CursorPosition::start());
        let mut after = Batch::default();
        after.add(&ctx, event("person_created", person));
        after.emit(&ctx);
        match rx.try_recv().unwrap() {
            WorkerEvent::PeopleBatch { people, .. } => assert_eq!(people.len(), 1),
            other => panic!("{other:?}"),
        }
        assert!(lock(&ctx.people).seen.contains(&5));

        let mut gone = Batch::default();
        gone.add(&ctx, event("person_deleted", person));
        gone.emit(&ctx);
        match rx.try_recv().unwrap() {
            WorkerEvent::PeopleDeleted { ids } => assert_eq!(ids, vec![5]),
            other => panic!("{other:?}"),
        }
        assert!(!lock(&ctx.people).seen.contains(&5));
    }
}
