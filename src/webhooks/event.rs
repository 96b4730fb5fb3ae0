//! What a webhook delivery says: the event type from `x-salesloft-event`, and the bare
//! resource object as the body (salesloft-api.md §7: no envelope, one record per
//! delivery, the same shape as the REST object). Parsed with the client's own models,
//! so a webhook email and a polled email are the same [`Email`].

use chrono::{DateTime, FixedOffset};

use crate::api::models::{Email, Membership, Person};

/// The event types sltui folds into its data. Others (accounts, calls, tasks, ...) are
/// acknowledged and ignored, so SalesLoft does not retry them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EventKind {
    EmailUpdated,
    MembershipCreated,
    MembershipUpdated,
    PersonCreated,
    PersonUpdated,
    PersonDeleted,
}

impl EventKind {
    pub const ALL: [EventKind; 6] = [
        EventKind::EmailUpdated,
        EventKind::MembershipCreated,
        EventKind::MembershipUpdated,
        EventKind::PersonCreated,
        EventKind::PersonUpdated,
        EventKind::PersonDeleted,
    ];

    /// The `x-salesloft-event` value.
    pub fn name(self) -> &'static str {
        match self {
            EventKind::EmailUpdated => "email_updated",
            EventKind::MembershipCreated => "cadence_membership_created",
            EventKind::MembershipUpdated => "cadence_membership_updated",
            EventKind::PersonCreated => "person_created",
            EventKind::PersonUpdated => "person_updated",
            EventKind::PersonDeleted => "person_deleted",
        }
    }

    pub fn from_name(name: &str) -> Option<EventKind> {
        Self::ALL.into_iter().find(|k| k.name() == name)
    }
}

/// The object a delivery carries.
#[derive(Debug, Clone, PartialEq)]
pub enum Payload {
    Email(Box<Email>),
    Membership(Box<Membership>),
    Person(Box<Person>),
}

/// One accepted delivery.
#[derive(Debug, Clone, PartialEq)]
pub struct WebhookEvent {
    pub kind: EventKind,
    pub payload: Payload,
}

impl WebhookEvent {
    /// The id of the object the event is about.
    pub fn object_id(&self) -> u64 {
        match &self.payload {
            Payload::Email(e) => e.id,
            Payload::Membership(m) => m.id,
            Payload::Person(p) => p.id,
        }
    }

    /// The object's `updated_at`: a redelivery carries the same one.
    pub fn updated_at(&self) -> DateTime<FixedOffset> {
        match &self.payload {
            Payload::Email(e) => e.updated_at,
            Payload::Membership(m) => m.updated_at,
            Payload::Person(p) => p.updated_at,
        }
    }

    /// "email", "membership" or "person".
    pub fn object_name(&self) -> &'static str {
        match &self.payload {
            Payload::Email(_) => "email",
            Payload::Membership(_) => "membership",
            Payload::Person(_) => "person",
        }
    }
}

/// What a delivery turned out to be.
#[derive(Debug, Clone, PartialEq)]
pub enum Parsed {
    Event(WebhookEvent),
    /// A well-formed delivery of an event type sltui does not use.
    Ignored,
}

/// Parses a verified delivery. The error says what was wrong, in words, without
/// echoing the body.
pub fn parse(event: &str, body: &[u8]) -> Result<Parsed, String> {
    let event = event.trim();
    if event.is_empty() {
        return Err("the x-salesloft-event header is empty".into());
    }
    let Some(kind) = EventKind::from_name(event) else {
        if !event
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
        {
            return Err("the x-salesloft-event header is not an event type name".into());
        }
        return Ok(Parsed::Ignored);
    };
    // Where and what kind of problem, never the offending value (bodies are not logged).
    let what = |e: serde_json::Error| {
        let problem = match e.classify() {
            serde_json::error::Category::Syntax => "is not JSON",
            serde_json::error::Category::Eof => "is cut short",
            serde_json::error::Category::Data => "has a missing field or one of the wrong type",
            serde_json::error::Category::Io => "could not be read",
        };
        format!(
            "the {event} body {problem} (line {}, column {})",
            e.line(),
            e.column()
        )
    };
    let payload = match kind {
        EventKind::EmailUpdated => Payload::Email(serde_json::from_slice(body).map_err(what)?),
        EventKind::MembershipCreated | EventKind::MembershipUpdated => {
            Payload::Membership(serde_json::from_slice(body).map_err(what)?)
        }
        EventKind::PersonCreated | EventKind::PersonUpdated | EventKind::PersonDeleted => {
            Payload::Person(serde_json::from_slice(body).map_err(what)?)
        }
    };
    Ok(Parsed::Event(WebhookEvent { kind, payload }))
}

#[cfg(test)]
mod tests {
    use super::*;

    const EMAIL: &str = r#"{"id": 7, "created_at": "2024-03-01T10:00:00.000000-04:00",
        "updated_at": "2024-03-02T10:00:00.123456-04:00", "status": "sent",
        "bounced": false, "sent_at": "2024-03-01T10:05:00.000000-04:00",
        "counts": {"views": 2, "clicks": 0, "replies": 0},
        "cadence": {"_href": "https://api.salesloft.com/v2/cadences/3", "id": 3}}"#;

    #[test]
    fn parses_the_routed_event_types() {
        let Parsed::Event(ev) = parse("email_updated", EMAIL.as_bytes()).unwrap() else {
            panic!("not an event");
        };
        assert_eq!(
            (ev.kind, ev.object_id(), ev.object_name()),
            (EventKind::EmailUpdated, 7, "email")
        );
        assert_eq!(ev.updated_at().timestamp_subsec_micros(), 123_456);
        for kind in EventKind::ALL {
            assert_eq!(EventKind::from_name(kind.name()), Some(kind));
        }
    }

    #[test]
    fn ignores_other_types_and_rejects_garbage() {
        assert_eq!(parse("account_updated", b"{}").unwrap(), Parsed::Ignored);
        let err = parse("email_updated", b"{\"id\": \"s3cr3t-ish\"}").unwrap_err();
        assert!(
            err.contains("email_updated body has a missing field or one of the wrong type"),
            "{err}"
        );
        assert!(!err.contains("s3cr3t"), "the value is not echoed: {err}");
        assert!(parse("email_updated", b"not json").is_err());
        assert!(parse("", b"{}").is_err());
        assert!(parse("Robert'); drop", b"{}").is_err());
    }
}
