//! After SalesLoft refuses the key (a final 401, after any OAuth refresh, or the
//! OAuth token endpoint refusing to issue an access token: a revoked or expired
//! refresh token, a wrong client), the
//! client stops sending: every request fails at once with the refusal, without
//! touching the network, until a trial request is allowed — after a long
//! backoff ([`backoff`]: 60 s, 120 s, 300 s, then every 10 min) or when the user
//! asks ([`AuthGate::allow_now`], at most once per [`MIN_GAP`]). A trial that is
//! answered (any status but 401) opens the gate again.
//!
//! Until the key has been answered once (at start, or after a refusal), requests
//! go one at a time, so a wrong key costs one request, not one per request the
//! program had ready. A key that works is known after the first answer; from
//! then on requests go side by side. Clones of the client share the gate.
//!
//! A key revoked while requests go side by side: the first 401 closes the gate
//! for everything not yet on the wire — queued requests, retries waiting for
//! their turn, the next page of a walk ([`AuthGate::check`] before every send).
//! An answer or a 401 to a request that left before that refusal says nothing
//! new (it was sent with the key as it was): it neither reopens the gate nor
//! counts as another refused try. Each refusal starts a new [`Pass::epoch`].

use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

/// The shortest wait between two tries of a refused key, also when asked.
pub const MIN_GAP: Duration = Duration::from_secs(10);

/// The wait before automatic try number `round + 1` of a refused key.
pub fn backoff(round: u32) -> Duration {
    match round {
        0 => Duration::from_secs(60),
        1 => Duration::from_secs(120),
        2 => Duration::from_secs(300),
        _ => Duration::from_secs(600),
    }
}

/// The key is refused: what SalesLoft said and when it may be tried again.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Refusal {
    /// SalesLoft's words (never the key).
    pub message: String,
    /// The last request that carried the key.
    pub last_try: Instant,
    /// When a trial request may go.
    pub next_try: Instant,
    /// Tries refused since the first refusal (0 for the first).
    pub round: u32,
    /// The OAuth token endpoint refused (not SalesLoft's API with a 401).
    pub by_token_endpoint: bool,
}

#[derive(Debug, Default)]
struct State {
    /// An answer other than 401 came back since the start or the last refusal.
    verified: bool,
    refused: Option<Refusal>,
    /// Refusals recorded so far: a request sent before the latest one is stale.
    epoch: u64,
}

#[derive(Debug, Default)]
pub struct AuthGate {
    state: Mutex<State>,
    /// Held by the one request in flight while the key is not known to work.
    turn: tokio::sync::Mutex<()>,
}

/// Leave to send one request; while held in the serial form, others wait.
#[must_use]
pub enum Turn<'a> {
    Free,
    Serial(#[allow(dead_code)] tokio::sync::MutexGuard<'a, ()>),
}

/// Leave to send, and the refusals known when it was given.
#[must_use]
pub struct Pass<'a> {
    pub turn: Turn<'a>,
    pub epoch: u64,
}

/// What became of a request, for the gate.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// SalesLoft answered with anything but 401.
    Answered,
    /// A final 401 (`false`), or the OAuth token endpoint refused (`true`).
    Refused { by_token_endpoint: bool },
    /// No answer (network): says nothing about the key.
    Unknown,
}

impl AuthGate {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Waits for leave to send. `Err` is the refusal, when the key is refused and
    /// no trial is due: send nothing.
    pub async fn enter(&self) -> Result<Pass<'_>, Refusal> {
        {
            let st = self.lock();
            if st.verified && st.refused.is_none() {
                return Ok(Pass {
                    turn: Turn::Free,
                    epoch: st.epoch,
                });
            }
        }
        let guard = self.turn.lock().await;
        let now = Instant::now();
        let mut st = self.lock();
        let epoch = st.epoch;
        if st.verified && st.refused.is_none() {
            return Ok(Pass {
                turn: Turn::Free,
                epoch,
            });
        }
        let turn = Turn::Serial(guard);
        match &mut st.refused {
            Some(r) if now < r.next_try => Err(r.clone()),
            Some(r) => {
                // This request is the trial; the next one waits for its answer.
                r.last_try = now;
                r.next_try = now + backoff(r.round + 1);
                Ok(Pass { turn, epoch })
            }
            None => Ok(Pass { turn, epoch }),
        }
    }

    /// Before each send (a retry too) of a request given leave at `epoch`:
    /// `Err` when the key was refused since, so it must not go.
    pub fn check(&self, epoch: u64) -> Result<(), Refusal> {
        let st = self.lock();
        match &st.refused {
            Some(r) if st.epoch != epoch => Err(r.clone()),
            _ => Ok(()),
        }
    }

    /// Records what came of a request sent with leave from [`Self::enter`] at
    /// `epoch`. A request that left before the latest refusal changes nothing.
    pub fn record(&self, outcome: Outcome, message: Option<&str>, epoch: u64) {
        let now = Instant::now();
        let mut st = self.lock();
        if epoch != st.epoch && outcome != Outcome::Unknown {
            tracing::debug!(
                ?outcome,
                "answer to a request sent before the key was refused: ignored"
            );
            return;
        }
        match outcome {
            Outcome::Answered => {
                st.verified = true;
                st.refused = None;
            }
            Outcome::Refused { by_token_endpoint } => {
                st.verified = false;
                st.epoch += 1;
                let round = st.refused.as_ref().map_or(0, |r| r.round + 1);
                let message = message
                    .map(str::to_string)
                    .or_else(|| st.refused.as_ref().map(|r| r.message.clone()))
                    .unwrap_or_default();
                st.refused = Some(Refusal {
                    message,
                    last_try: now,
                    next_try: now + backoff(round),
                    round,
                    by_token_endpoint,
                });
            }
            Outcome::Unknown => {}
        }
    }

    /// The refusal, while the key is refused.
    pub fn refusal(&self) -> Option<Refusal> {
        self.lock().refused.clone()
    }

    /// The user asks to try the key again: the next request is the trial, unless
    /// the last try was under [`MIN_GAP`] ago (`Err`: the wait left). `Ok` also
    /// when the key is not refused (nothing to wait for).
    pub fn allow_now(&self) -> Result<(), Duration> {
        let now = Instant::now();
        let mut st = self.lock();
        let Some(r) = &mut st.refused else {
            return Ok(());
        };
        let earliest = r.last_try + MIN_GAP;
        if now < earliest {
            return Err(earliest - now);
        }
        r.next_try = r.next_try.min(now);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_refused_key_is_not_sent_again_until_a_trial_is_due() {
        let gate = AuthGate::default();
        // Not known yet: one at a time.
        let first = gate.enter().await.expect("first request goes");
        assert!(matches!(first.turn, Turn::Serial(_)));
        assert!(gate.turn.try_lock().is_err(), "the others wait");
        gate.record(
            Outcome::Refused {
                by_token_endpoint: false,
            },
            Some("Invalid token"),
            first.epoch,
        );
        drop(first);
        let refused = gate.enter().await.err().expect("not sent");
        assert_eq!(refused.message, "Invalid token");
        assert_eq!(refused.round, 0);
        assert_eq!(refused.next_try - refused.last_try, Duration::from_secs(60));
        // Asked at once: too soon after the last try.
        let wait = gate.allow_now().expect_err("too soon");
        assert!(wait > Duration::from_secs(9) && wait <= MIN_GAP, "{wait:?}");
        assert!(gate.enter().await.is_err(), "still not sent");
    }

    #[tokio::test]
    async fn a_trial_that_is_answered_opens_the_gate() {
        let gate = AuthGate::default();
        let first = gate.enter().await.expect("first");
        gate.record(
            Outcome::Refused {
                by_token_endpoint: false,
            },
            Some("Invalid token"),
            first.epoch,
        );
        drop(first);
        {
            let mut st = gate.lock();
            let r = st.refused.as_mut().unwrap();
            r.last_try -= MIN_GAP;
        }
        gate.allow_now().expect("asked after the gap");
        let trial = gate.enter().await.expect("the trial goes");
        assert!(matches!(trial.turn, Turn::Serial(_)));
        gate.record(
            Outcome::Refused {
                by_token_endpoint: false,
            },
            None,
            trial.epoch,
        );
        drop(trial);
        let again = gate.refusal().expect("still refused");
        assert_eq!((again.round, again.message.as_str()), (1, "Invalid token"));
        assert_eq!(again.next_try - again.last_try, backoff(1));
        gate.lock().refused.as_mut().unwrap().next_try = Instant::now();
        let due = gate.enter().await.expect("due");
        gate.record(Outcome::Answered, None, due.epoch);
        drop(due);
        assert!(gate.refusal().is_none());
        let free = gate.enter().await.expect("open");
        assert!(matches!(free.turn, Turn::Free), "side by side");
    }

    #[tokio::test]
    async fn a_key_revoked_mid_session_stops_what_is_not_on_the_wire_yet() {
        let gate = AuthGate::default();
        let first = gate.enter().await.expect("first");
        gate.record(Outcome::Answered, None, first.epoch);
        drop(first);
        // Three requests side by side; the key is revoked while they run.
        let (a, b, c) = (
            gate.enter().await.expect("a"),
            gate.enter().await.expect("b"),
            gate.enter().await.expect("c"),
        );
        assert!(matches!((&a.turn, &b.turn), (Turn::Free, Turn::Free)));
        let refused = Outcome::Refused {
            by_token_endpoint: false,
        };
        gate.record(refused, Some("Not authorized"), a.epoch);
        // b was answered before the revocation but its answer came after a's
        // 401: it does not reopen the gate.
        gate.record(Outcome::Answered, None, b.epoch);
        assert!(gate.refusal().is_some(), "a stale answer reopened the gate");
        // c, waiting to retry, must not send again.
        assert!(
            gate.check(c.epoch).is_err(),
            "a retry after the 401 would go"
        );
        // c's own late 401 is the same revocation, not a second refused try.
        gate.record(refused, None, c.epoch);
        let r = gate.refusal().expect("refused");
        assert_eq!((r.round, r.message.as_str()), (0, "Not authorized"));
        assert_eq!(r.next_try - r.last_try, backoff(0));
        // Anything queued is not sent.
        assert!(gate.enter().await.is_err());
    }

    #[test]
    fn the_backoff_is_long() {
        let waits: Vec<u64> = (0..5).map(|r| backoff(r).as_secs()).collect();
        assert_eq!(waits, [60, 120, 300, 600, 600]);
    }
}
