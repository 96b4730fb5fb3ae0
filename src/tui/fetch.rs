//! The loading state of one piece of data a view shows, and the stale-answer guard:
//! a view waits for exactly one request id; answers to any other id are ignored.

use std::time::Instant;

use crate::worker::protocol::RequestId;

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Fetch {
    /// The request this view waits for; `None` when nothing is on its way.
    pub waiting: Option<RequestId>,
    /// When data last arrived.
    pub loaded_at: Option<Instant>,
    /// Why the last request failed (kept until the next success).
    pub error: Option<String>,
}

/// What a view should show about its data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LoadState {
    /// Never asked.
    Idle,
    /// Asked and nothing to show yet.
    Loading,
    /// Data shown (possibly being refreshed).
    Ready { refreshing: bool },
    /// Data shown, but the last refresh failed.
    Stale(String),
    /// Nothing to show because the request failed.
    Failed(String),
}

impl Fetch {
    pub fn start(&mut self, id: RequestId) {
        self.waiting = Some(id);
    }

    /// True when `id` is the request this view waits for.
    pub fn wants(&self, id: RequestId) -> bool {
        self.waiting == Some(id)
    }

    pub fn is_loading(&self) -> bool {
        self.waiting.is_some()
    }

    /// Data for the awaited request arrived (more may follow until `finish`).
    pub fn arrived(&mut self, now: Instant) {
        self.loaded_at = Some(now);
        self.error = None;
    }

    /// The awaited request finished. Returns false for any other id.
    pub fn finish(&mut self, id: RequestId, error: Option<String>, now: Instant) -> bool {
        if !self.wants(id) {
            return false;
        }
        self.waiting = None;
        match error {
            Some(e) => self.error = Some(e),
            None => {
                self.error = None;
                self.loaded_at.get_or_insert(now);
            }
        }
        true
    }

    /// Forget the request (the view went away or a newer one replaces it).
    pub fn cancel(&mut self) {
        self.waiting = None;
    }

    pub fn state(&self) -> LoadState {
        match (&self.loaded_at, &self.error, self.waiting) {
            (None, _, Some(_)) => LoadState::Loading,
            (None, Some(e), None) => LoadState::Failed(e.clone()),
            (None, None, None) => LoadState::Idle,
            (Some(_), Some(e), _) => LoadState::Stale(e.clone()),
            (Some(_), None, w) => LoadState::Ready {
                refreshing: w.is_some(),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_awaited_request_counts() {
        let now = Instant::now();
        let mut f = Fetch::default();
        assert_eq!(f.state(), LoadState::Idle);
        f.start(1);
        assert_eq!(f.state(), LoadState::Loading);
        f.start(2);
        assert!(!f.finish(1, None, now), "an older request is ignored");
        assert_eq!(f.state(), LoadState::Loading);
        assert!(f.finish(2, Some("offline".into()), now));
        assert_eq!(f.state(), LoadState::Failed("offline".into()));
        f.start(3);
        f.arrived(now);
        assert!(f.finish(3, None, now));
        assert_eq!(f.state(), LoadState::Ready { refreshing: false });
        f.start(4);
        assert_eq!(f.state(), LoadState::Ready { refreshing: true });
        f.finish(4, Some("timeout".into()), now);
        assert_eq!(f.state(), LoadState::Stale("timeout".into()));
    }
}
