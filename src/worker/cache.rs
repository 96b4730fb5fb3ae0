//! The worker's response cache: an LRU with a time-to-live per kind of answer.
//!
//! Time is passed in, so the expiry rules are tested without sleeping.

use std::hash::Hash;
use std::num::NonZeroUsize;
use std::time::{Duration, Instant};

use lru::LruCache;

use crate::api::models::{Cadence, Membership, Person, Step, User};
use crate::metrics::TimeRange;
use crate::metrics::funnel::CadenceFunnel;

/// What a cached answer is about.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum CacheKey {
    Cadences,
    CadenceDetail(u64),
    Person(u64),
    /// Lower-cased email address.
    PersonByEmail(String),
    Me,
    Users,
    /// A cadence's funnel over a range, read from SalesLoft: kept until the
    /// live data shows a change of one of the cadence's emails.
    Funnel(u64, TimeRange),
}

impl CacheKey {
    /// How long an answer of this kind stays fresh.
    pub fn ttl(&self) -> Duration {
        match self {
            CacheKey::Cadences => Duration::from_secs(60),
            CacheKey::CadenceDetail(_) => Duration::from_secs(30),
            CacheKey::Person(_) | CacheKey::PersonByEmail(_) => Duration::from_secs(30),
            // Who the key belongs to and the team's users rarely change.
            CacheKey::Me | CacheKey::Users => Duration::from_secs(30 * 60),
            // Forgotten on a change (see `Ctx::forget_funnels`); the hour is a
            // safety net for calls and steps, which the live poll does not see.
            CacheKey::Funnel(..) => Duration::from_secs(60 * 60),
        }
    }
}

/// A cached answer, ready to be turned back into events.
#[derive(Debug, Clone)]
pub enum Cached {
    Cadences(Vec<Cadence>),
    CadenceDetail {
        cadence_id: u64,
        steps: Vec<Step>,
        members: Vec<(Membership, Option<Person>)>,
    },
    Person {
        person: Person,
        memberships: Vec<Membership>,
    },
    PersonByEmail(Option<Person>),
    /// The key's user, and for a rep whether the team is `all_public`.
    Me(User, Option<bool>),
    Users(Vec<User>),
    Funnel(Box<CadenceFunnel>),
}

/// An LRU of values that expire `ttl` after they were stored.
#[derive(Debug)]
pub struct TtlCache<K: Hash + Eq, V> {
    entries: LruCache<K, (Instant, V)>,
}

impl<K: Hash + Eq + Clone, V: Clone> TtlCache<K, V> {
    /// A capacity of zero is treated as one.
    pub fn new(capacity: usize) -> Self {
        let cap = NonZeroUsize::new(capacity).unwrap_or(NonZeroUsize::MIN);
        Self {
            entries: LruCache::new(cap),
        }
    }

    /// The value for `key` if it has not expired at `now`; an expired one is dropped.
    pub fn get(&mut self, key: &K, now: Instant) -> Option<V> {
        match self.entries.get(key) {
            Some((expires, value)) if now < *expires => Some(value.clone()),
            Some(_) => {
                self.entries.pop(key);
                None
            }
            None => None,
        }
    }

    /// Stores `value`, fresh until `now + ttl`; evicts the least recently used entry
    /// when full.
    pub fn put(&mut self, key: K, value: V, ttl: Duration, now: Instant) {
        self.entries.put(key, (now + ttl, value));
    }

    /// Forgets one entry (e.g. a person whose memberships just changed).
    pub fn remove(&mut self, key: &K) {
        self.entries.pop(key);
    }

    pub fn clear(&mut self) {
        self.entries.clear();
    }

    /// Forgets every entry whose key `forget` picks.
    pub fn remove_where(&mut self, forget: impl Fn(&K) -> bool) {
        let keys: Vec<K> = self
            .entries
            .iter()
            .filter(|(k, _)| forget(k))
            .map(|(k, _)| k.clone())
            .collect();
        for k in keys {
            self.entries.pop(&k);
        }
    }

    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    #[cfg(test)]
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_expire_after_their_ttl() {
        let t0 = Instant::now();
        let mut c: TtlCache<&str, u32> = TtlCache::new(4);
        c.put("a", 1, Duration::from_secs(30), t0);
        assert_eq!(c.get(&"a", t0 + Duration::from_secs(29)), Some(1));
        assert_eq!(c.get(&"a", t0 + Duration::from_secs(30)), None);
        assert!(c.is_empty(), "an expired entry is dropped when seen");
    }

    #[test]
    fn least_recently_used_is_evicted_and_clear_empties() {
        let t0 = Instant::now();
        let ttl = Duration::from_secs(60);
        let mut c: TtlCache<u32, u32> = TtlCache::new(2);
        c.put(1, 10, ttl, t0);
        c.put(2, 20, ttl, t0);
        assert_eq!(c.get(&1, t0), Some(10));
        c.put(3, 30, ttl, t0);
        assert_eq!(c.get(&2, t0), None, "2 was the least recently used");
        assert_eq!(c.get(&1, t0), Some(10));
        assert_eq!(c.len(), 2);
        c.remove(&1);
        assert_eq!(c.get(&1, t0), None);
        c.clear();
        assert!(c.is_empty());
    }

    #[test]
    fn ttl_per_kind() {
        assert_eq!(CacheKey::Cadences.ttl(), Duration::from_secs(60));
        assert_eq!(CacheKey::CadenceDetail(1).ttl(), Duration::from_secs(30));
        assert_eq!(CacheKey::Person(1).ttl(), Duration::from_secs(30));
        let zero: TtlCache<u8, u8> = TtlCache::new(0);
        assert!(zero.is_empty());
    }
}
