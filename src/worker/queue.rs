//! The worker's waiting line: highest priority first, then first come first served;
//! one request in flight per key; a newer request in a latest-wins slot replaces the
//! queued older one (gitui's asyncjob idea: one running, one `next` that newer
//! requests overwrite).

use std::time::Instant;

use super::protocol::{Priority, Request, RequestId};

/// Requests with the same key never run at the same time; the later one waits and
/// is then usually answered from the cache.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum JobKey {
    Cadences,
    CadenceDetail(u64),
    Engagement,
    IndexPeople,
    PersonByEmail(String),
    PersonDetail(u64),
    Me,
    Users,
    /// A cadence's funnel (any range: a newer one waits for the running one).
    Funnel(u64),
    /// The team's calls (any range).
    Calls,
    /// The worker's own live poll over changed emails.
    LivePoll,
    /// The circuit breaker's one probe while SalesLoft is unreachable.
    Probe,
    /// The one try of a refused key (after the backoff, or asked for).
    AuthProbe,
}

/// A latest-wins slot: only the newest queued request of a slot is kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Slot {
    /// Exact email lookups (typed as the user types).
    PersonSearch,
    /// The engagement load for the visible cadences and range.
    Engagement,
}

/// The in-flight key of a request; `None` for requests that never collide (enrollment
/// is serialized per person and cadence elsewhere) or that run at once.
pub fn key_of(request: &Request) -> Option<JobKey> {
    Some(match request {
        Request::Cadences => JobKey::Cadences,
        Request::CadenceDetail { cadence_id } => JobKey::CadenceDetail(*cadence_id),
        Request::Engagement { .. } | Request::EstimateEngagement { .. } => JobKey::Engagement,
        Request::IndexPeople => JobKey::IndexPeople,
        Request::PersonByEmail { email } => JobKey::PersonByEmail(email.trim().to_lowercase()),
        Request::PersonDetail { person_id } => JobKey::PersonDetail(*person_id),
        Request::Me => JobKey::Me,
        Request::Users => JobKey::Users,
        Request::RetryAuth => JobKey::AuthProbe,
        Request::Funnel { cadence_id, .. } => JobKey::Funnel(*cadence_id),
        Request::Calls { .. } => JobKey::Calls,
        Request::Enroll { .. }
        | Request::StoredEngagement { .. }
        | Request::SetLive { .. }
        | Request::SetPollInterval { .. }
        | Request::LiveFrom { .. }
        | Request::ClearCache
        | Request::LayOutPeople { .. } => return None,
    })
}

/// The latest-wins slot of a request, if it has one.
pub fn slot_of(request: &Request) -> Option<Slot> {
    match request {
        Request::PersonByEmail { .. } => Some(Slot::PersonSearch),
        Request::Engagement { .. } | Request::EstimateEngagement { .. } => Some(Slot::Engagement),
        _ => None,
    }
}

/// The priority a request runs at: enrollment is always the user's own action and
/// the people index is always bulk background work, whatever the envelope says.
pub fn effective_priority(request: &Request, asked: Priority) -> Priority {
    match request {
        Request::Enroll { .. } | Request::RetryAuth => Priority::User,
        Request::IndexPeople => Priority::Bulk,
        _ => asked,
    }
}

#[derive(Debug)]
pub struct Queued<T> {
    pub id: RequestId,
    pub priority: Priority,
    pub key: Option<JobKey>,
    pub slot: Option<Slot>,
    /// Deferred until then (budget); `None` = ready now.
    pub not_before: Option<Instant>,
    seq: u64,
    pub job: T,
}

#[derive(Debug)]
pub struct JobQueue<T> {
    items: Vec<Queued<T>>,
    seq: u64,
}

impl<T> Default for JobQueue<T> {
    fn default() -> Self {
        Self {
            items: Vec::new(),
            seq: 0,
        }
    }
}

impl<T> JobQueue<T> {
    /// Adds a job; returns the older job it replaced in its latest-wins slot.
    pub fn push(
        &mut self,
        id: RequestId,
        priority: Priority,
        key: Option<JobKey>,
        slot: Option<Slot>,
        job: T,
    ) -> Option<Queued<T>> {
        let replaced = slot.and_then(|s| self.take_slot(s));
        self.seq += 1;
        self.items.push(Queued {
            id,
            priority,
            key,
            slot,
            not_before: None,
            seq: self.seq,
            job,
        });
        replaced
    }

    /// Puts a job back that could not start yet (the budget could not afford it);
    /// it is not ready before `until`.
    pub fn push_deferred(
        &mut self,
        id: RequestId,
        priority: Priority,
        key: Option<JobKey>,
        slot: Option<Slot>,
        job: T,
        until: Instant,
    ) {
        self.seq += 1;
        self.items.push(Queued {
            id,
            priority,
            key,
            slot,
            not_before: Some(until),
            seq: self.seq,
            job,
        });
    }

    /// Removes the queued job of a latest-wins slot.
    pub fn take_slot(&mut self, slot: Slot) -> Option<Queued<T>> {
        let at = self.items.iter().position(|q| q.slot == Some(slot))?;
        Some(self.items.remove(at))
    }

    /// The most urgent job that is ready at `now` and that `allowed` accepts (its key
    /// is not in flight, a concurrency slot is free for its priority, ...).
    pub fn pop_ready(
        &mut self,
        now: Instant,
        mut allowed: impl FnMut(&Queued<T>) -> bool,
    ) -> Option<Queued<T>> {
        let best = self
            .items
            .iter()
            .enumerate()
            .filter(|(_, q)| q.not_before.is_none_or(|t| t <= now))
            .filter(|(_, q)| allowed(q))
            .max_by(|(_, a), (_, b)| a.priority.cmp(&b.priority).then(b.seq.cmp(&a.seq)))
            .map(|(i, _)| i)?;
        Some(self.items.remove(best))
    }

    /// When the earliest job deferred past `now` becomes ready (jobs that are ready
    /// but blocked start when a running job ends, so they need no wake-up).
    pub fn next_wake(&self, now: Instant) -> Option<Instant> {
        self.items
            .iter()
            .filter_map(|q| q.not_before)
            .filter(|t| *t > now)
            .min()
    }

    /// Drops every deferred mark (the budget recovered or the cache was cleared).
    pub fn wake_all(&mut self) {
        for q in &mut self.items {
            q.not_before = None;
        }
    }

    #[cfg(test)]
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    fn ids<T>(q: &mut JobQueue<T>, now: Instant) -> Vec<RequestId> {
        std::iter::from_fn(|| q.pop_ready(now, |_| true).map(|j| j.id)).collect()
    }

    #[test]
    fn priority_first_then_arrival_order() {
        let mut q = JobQueue::default();
        q.push(1, Priority::Background, None, None, ());
        q.push(2, Priority::Visible, None, None, ());
        q.push(3, Priority::User, None, None, ());
        q.push(4, Priority::Visible, None, None, ());
        assert_eq!(ids(&mut q, Instant::now()), vec![3, 2, 4, 1]);
    }

    #[test]
    fn newer_search_replaces_the_queued_one() {
        let mut q = JobQueue::default();
        let slot = Some(Slot::PersonSearch);
        assert!(q.push(1, Priority::Visible, None, slot, "a").is_none());
        q.push(2, Priority::Visible, None, None, "other");
        let old = q
            .push(3, Priority::Visible, None, slot, "ab")
            .expect("replaced");
        assert_eq!((old.id, old.job), (1, "a"));
        assert_eq!(ids(&mut q, Instant::now()), vec![2, 3]);
    }

    #[test]
    fn rejected_and_deferred_jobs_wait() {
        let t0 = Instant::now();
        let mut q = JobQueue::default();
        let key = Some(JobKey::Cadences);
        q.push(1, Priority::Visible, key.clone(), None, "one");
        q.push(2, Priority::Background, None, None, "two");
        // Key 1 is in flight: the next allowed job is 2.
        let got = q.pop_ready(t0, |j| j.key != key).unwrap();
        assert_eq!(got.id, 2);
        let until = t0 + Duration::from_secs(5);
        q.push_deferred(got.id, got.priority, got.key, got.slot, got.job, until);
        assert_eq!(q.next_wake(t0), Some(t0 + Duration::from_secs(5)));
        assert_eq!(q.next_wake(until), None);
        assert_eq!(ids(&mut q, t0), vec![1]);
        assert!(q.pop_ready(t0, |_| true).is_none(), "2 is deferred");
        assert_eq!(ids(&mut q, t0 + Duration::from_secs(5)), vec![2]);
        assert!(q.is_empty());
    }

    #[test]
    fn request_classification() {
        let e = Request::PersonByEmail {
            email: " A@B.com ".into(),
        };
        assert_eq!(key_of(&e), Some(JobKey::PersonByEmail("a@b.com".into())));
        assert_eq!(slot_of(&e), Some(Slot::PersonSearch));
        let enroll = Request::Enroll {
            person_ids: vec![1],
            cadence_id: 2,
            step_id: None,
            user_id: None,
        };
        assert_eq!(key_of(&enroll), None);
        assert_eq!(
            effective_priority(&enroll, Priority::Background),
            Priority::User
        );
        assert_eq!(
            effective_priority(&Request::IndexPeople, Priority::User),
            Priority::Bulk
        );
        assert_eq!(
            effective_priority(&Request::Cadences, Priority::Visible),
            Priority::Visible
        );
    }
}
