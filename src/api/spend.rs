//! Who spent what: an [`Account`] counts the HTTP requests sent and the points
//! charged while a future runs inside it ([`Account::scope`]), retries and 429s
//! included. Several accounts run side by side (one per synced resource), and a
//! request is counted only in the account of the task that sent it, so the
//! accounts add up to what the server charged even when their requests overlap.

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

tokio::task_local! {
    static ACCOUNT: Account;
}

#[derive(Debug, Default)]
struct Counts {
    requests: AtomicU64,
    points: AtomicU64,
    throttled: AtomicU64,
}

/// Requests, points and 429s of the work run inside it; clones share the counts.
#[derive(Clone, Debug, Default)]
pub struct Account {
    counts: Arc<Counts>,
}

impl Account {
    pub fn new() -> Self {
        Self::default()
    }

    /// Runs `f` with every request it sends counted here.
    pub async fn scope<F: Future>(&self, f: F) -> F::Output {
        ACCOUNT.scope(self.clone(), f).await
    }

    /// Requests that reached the server (a connect failure did not).
    pub fn requests(&self) -> u64 {
        self.counts.requests.load(Ordering::Relaxed)
    }

    /// Points charged, from `x-ratelimit-endpoint-cost` (nothing for a 401 or
    /// a 429, which the budget does not charge).
    pub fn points(&self) -> u64 {
        self.counts.points.load(Ordering::Relaxed)
    }

    /// 429 answers.
    pub fn throttled(&self) -> u64 {
        self.counts.throttled.load(Ordering::Relaxed)
    }
}

/// Counts one answer with `status` and the cost header `cost` in the current
/// task's account, if it runs in one.
pub(crate) fn answered(status: u16, cost: Option<u32>) {
    let _ = ACCOUNT.try_with(|a| {
        let c = &a.counts;
        c.requests.fetch_add(1, Ordering::Relaxed);
        if status == 429 {
            c.throttled.fetch_add(1, Ordering::Relaxed);
        } else if status != 401 {
            c.points
                .fetch_add(u64::from(cost.unwrap_or(0)), Ordering::Relaxed);
        }
    });
}

/// Counts a request that may have reached the server but got no answer.
pub(crate) fn unanswered() {
    let _ = ACCOUNT.try_with(|a| a.counts.requests.fetch_add(1, Ordering::Relaxed));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn each_task_counts_in_its_own_account() {
        let (a, b) = (Account::new(), Account::new());
        let one = a.scope(async {
            answered(200, Some(1));
            tokio::task::yield_now().await;
            answered(429, Some(3));
        });
        let two = b.scope(async {
            answered(200, Some(8));
            unanswered();
        });
        tokio::join!(one, two);
        answered(200, Some(100)); // outside any account: not counted
        assert_eq!((a.requests(), a.points(), a.throttled()), (2, 1, 1));
        assert_eq!((b.requests(), b.points(), b.throttled()), (2, 8, 0));
    }
}
