//! Redelivery detection. SalesLoft retries a delivery that was not answered with a
//! 2xx three more times, 15 s apart (salesloft-api.md §7), and a delivery carries no
//! id of its own: the body is the bare object. A delivery is identified by its event
//! type, object id and the object's `updated_at` (microseconds): a retry repeats all
//! three, a real change moves `updated_at`.
//!
//! Memory is bounded: the most recent `capacity` deliveries are kept (20 bytes each
//! plus the LRU's bookkeeping); the oldest is forgotten first. Forgetting is safe
//! for the metrics, which fold by email id and ignore older states anyway.

use std::num::NonZeroUsize;

use lru::LruCache;
use sha1::{Digest, Sha1};

use super::event::WebhookEvent;

/// Deliveries remembered by default: retries come within 45 s, and this covers 45 s
/// of more than 1,000 deliveries a second, in about 4 MB.
pub const DEFAULT_CAPACITY: usize = 50_000;

/// A fixed-size fingerprint of (event type, object id, updated_at).
pub type DeliveryKey = [u8; 20];

pub fn key(event: &WebhookEvent) -> DeliveryKey {
    let mut h = Sha1::new();
    h.update(event.kind.name().as_bytes());
    h.update([0]);
    h.update(event.object_id().to_be_bytes());
    h.update(event.updated_at().timestamp_micros().to_be_bytes());
    h.finalize().into()
}

/// The deliveries seen lately.
#[derive(Debug)]
pub struct Seen {
    keys: LruCache<DeliveryKey, ()>,
}

impl Seen {
    /// A capacity of zero is treated as one.
    pub fn new(capacity: usize) -> Seen {
        Seen {
            keys: LruCache::new(NonZeroUsize::new(capacity).unwrap_or(NonZeroUsize::MIN)),
        }
    }

    pub fn contains(&mut self, key: &DeliveryKey) -> bool {
        self.keys.get(key).is_some()
    }

    /// Remembers a delivery; true when it was new.
    pub fn insert(&mut self, key: DeliveryKey) -> bool {
        self.keys.put(key, ()).is_none()
    }

    pub fn len(&self) -> usize {
        self.keys.len()
    }

    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::super::event::{Parsed, parse};
    use super::*;

    fn person(id: u64, updated: &str) -> WebhookEvent {
        let body = format!(
            r#"{{"id": {id}, "created_at": "2024-01-01T00:00:00Z", "updated_at": "{updated}"}}"#
        );
        match parse("person_updated", body.as_bytes()).unwrap() {
            Parsed::Event(e) => e,
            Parsed::Ignored => panic!("ignored"),
        }
    }

    #[test]
    fn same_object_state_is_a_redelivery_and_a_change_is_not() {
        let a = key(&person(1, "2024-01-02T00:00:00.000001Z"));
        let same_instant = key(&person(1, "2024-01-01T19:00:00.000001-05:00"));
        let later = key(&person(1, "2024-01-02T00:00:00.000002Z"));
        let other = key(&person(2, "2024-01-02T00:00:00.000001Z"));
        assert_eq!(a, same_instant, "the same instant in another offset");
        assert_ne!(a, later);
        assert_ne!(a, other);
        let mut seen = Seen::new(10);
        assert!(seen.insert(a));
        assert!(seen.contains(&a) && !seen.insert(a));
        assert!(!seen.contains(&later));
    }

    #[test]
    fn memory_is_bounded_and_the_oldest_goes_first() {
        let mut seen = Seen::new(3);
        let keys: Vec<DeliveryKey> = (1..=4)
            .map(|i| key(&person(i, "2024-01-02T00:00:00Z")))
            .collect();
        for k in &keys {
            seen.insert(*k);
        }
        assert_eq!(seen.len(), 3);
        assert!(!seen.contains(&keys[0]));
        assert!(seen.contains(&keys[3]));
    }
}
