//! Fault injection: what can go wrong between a client and SalesLoft, on purpose
//! and reproducibly. All off by default.
//!
//! Every `/v2` request draws a number from a counter; whether it meets a fault,
//! which one, and whether the fault strikes before the endpoint runs or after it
//! (a membership created, the answer lost) are pure functions of the seed and
//! that number ([`plan`]), so the same seed and the same request order give the
//! same faults.
//!
//! * `5xx`: a 500, 502 or 503 from the gateway, before or after the endpoint ran;
//! * `timeout`: the request is held for `timeout` (30 s by default, past the
//!   client's own timeout), then answered 504;
//! * `reset`: the connection is dropped without a complete answer;
//! * `malformed`: a 200 whose JSON is cut short or is not JSON at all (always
//!   after the endpoint ran: it is the endpoint's answer, damaged);
//! * `slow`: a latency spike of half the timeout, then a normal answer.
//!
//! Besides: latency jitter (uniform in `0..=jitter`), one outage window during
//! which every `/v2` request gets a 503, and other integrations' load on the
//! team's budget (in [`super::limiter`]). Fault answers from the "gateway" carry
//! no rate-limit headers; a malformed answer keeps the endpoint's headers.

pub mod http;

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;
use std::time::{Duration, Instant};

use super::rng::{hash_unit, hash64};

/// One kind of injected fault.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum FaultKind {
    ServerError,
    Timeout,
    Reset,
    Malformed,
    Slow,
}

impl FaultKind {
    pub const ALL: [FaultKind; 5] = [
        FaultKind::ServerError,
        FaultKind::Timeout,
        FaultKind::Reset,
        FaultKind::Malformed,
        FaultKind::Slow,
    ];

    /// The name on the command line and in `/_sim/stats`.
    pub fn name(self) -> &'static str {
        match self {
            FaultKind::ServerError => "5xx",
            FaultKind::Timeout => "timeout",
            FaultKind::Reset => "reset",
            FaultKind::Malformed => "malformed",
            FaultKind::Slow => "slow",
        }
    }
}

impl fmt::Display for FaultKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for FaultKind {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        let s = s.trim();
        FaultKind::ALL
            .into_iter()
            .find(|k| k.name().eq_ignore_ascii_case(s))
            .ok_or_else(|| {
                format!("unknown fault {s:?}; choose from 5xx, timeout, reset, malformed, slow")
            })
    }
}

/// Parses `5xx,timeout,reset` (repeats are ignored, an empty list is no faults).
pub fn parse_faults(list: &str) -> Result<Vec<FaultKind>, String> {
    let mut kinds = Vec::new();
    for part in list.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let kind: FaultKind = part.parse()?;
        if !kinds.contains(&kind) {
            kinds.push(kind);
        }
    }
    Ok(kinds)
}

/// What to inject; the default injects nothing.
#[derive(Debug, Clone, PartialEq)]
pub struct FaultConfig {
    /// Chance in `0..=1` that a request meets one of `kinds`.
    pub rate: f64,
    pub kinds: Vec<FaultKind>,
    /// How long a `timeout` fault holds the request (a `slow` one: half of it).
    pub timeout: Duration,
    /// Extra latency, uniform in `0..=jitter`.
    pub jitter: Duration,
    /// One outage: starts this long after the simulator starts (or after the
    /// change at run time), lasts `.1`.
    pub outage: Option<(Duration, Duration)>,
    /// Fraction in `0..=1` of each budget window spent by other integrations.
    pub other_load: f64,
}

impl Default for FaultConfig {
    fn default() -> Self {
        Self {
            rate: 0.0,
            kinds: Vec::new(),
            timeout: Duration::from_secs(30),
            jitter: Duration::ZERO,
            outage: None,
            other_load: 0.0,
        }
    }
}

/// A fraction in `0..=1`, or why not.
pub fn check_fraction(name: &str, v: f64) -> Result<f64, String> {
    if v.is_finite() && (0.0..=1.0).contains(&v) {
        Ok(v)
    } else {
        Err(format!("{name} must be a number from 0 to 1, not {v}"))
    }
}

/// Seconds that are finite and not negative, or why not.
pub fn check_secs(name: &str, v: f64) -> Result<Duration, String> {
    if (0.0..1e9).contains(&v) {
        Ok(Duration::from_secs_f64(v))
    } else {
        Err(format!(
            "{name} must be a number of seconds, 0 or more, not {v}"
        ))
    }
}

impl FaultConfig {
    pub fn validate(&self) -> Result<(), String> {
        check_fraction("the fault rate", self.rate)?;
        check_fraction("the other load", self.other_load)?;
        Ok(())
    }

    /// The latency spike of a `slow` fault.
    pub fn slow_spike(&self) -> Duration {
        self.timeout / 2
    }
}

/// When a fault strikes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// Before the endpoint runs: nothing is applied or charged.
    Before,
    /// After the endpoint ran (and charged): a mutation was applied.
    After,
}

/// What happens to one request.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    /// The request's number (1 for the first `/v2` request).
    pub seq: u64,
    /// Jitter plus any `slow` spike, on top of the configured latency.
    pub extra_delay: Duration,
    /// The request falls in the outage window: 503.
    pub outage: bool,
    /// A fault other than `slow` (which is only a delay).
    pub fault: Option<(FaultKind, Phase)>,
    /// Which fault was drawn (`slow` included), for the counters.
    pub drawn: Option<FaultKind>,
    /// Picks among variants (which 5xx status, how the JSON is damaged).
    pub variant: u64,
}

const SALT_FAULT: u64 = 0xFA17_0001;
const SALT_KIND: u64 = 0xFA17_0002;
const SALT_PHASE: u64 = 0xFA17_0003;
const SALT_JITTER: u64 = 0xFA17_0004;
const SALT_VARIANT: u64 = 0xFA17_0005;

/// The fate of request number `seq`: a pure function of its arguments.
pub fn plan(seed: u64, seq: u64, cfg: &FaultConfig, in_outage: bool) -> Plan {
    let jitter = cfg.jitter.mul_f64(hash_unit(seed ^ SALT_JITTER, seq));
    let drawn =
        (!cfg.kinds.is_empty() && cfg.rate > 0.0 && hash_unit(seed ^ SALT_FAULT, seq) < cfg.rate)
            .then(|| {
                let n = cfg.kinds.len() as u64;
                cfg.kinds[(hash64(seed ^ SALT_KIND, seq) % n) as usize]
            });
    let phase = if hash64(seed ^ SALT_PHASE, seq) & 1 == 0 {
        Phase::Before
    } else {
        Phase::After
    };
    let (extra_delay, fault) = match drawn {
        None => (jitter, None),
        Some(FaultKind::Slow) => (jitter + cfg.slow_spike(), None),
        Some(FaultKind::Malformed) => (jitter, Some((FaultKind::Malformed, Phase::After))),
        Some(kind) => (jitter, Some((kind, phase))),
    };
    Plan {
        seq,
        extra_delay,
        outage: in_outage,
        fault: if in_outage { None } else { fault },
        drawn: if in_outage { None } else { drawn },
        variant: hash64(seed ^ SALT_VARIANT, seq),
    }
}

/// The simulator's fault state: the configuration, the request counter, the
/// outage window and what was injected so far.
#[derive(Debug)]
pub struct Faults {
    seed: u64,
    cfg: FaultConfig,
    seq: u64,
    outage: Option<(Instant, Instant)>,
    counts: BTreeMap<&'static str, u64>,
}

impl Faults {
    /// `now` is when the simulator starts; the outage is counted from it.
    pub fn new(seed: u64, cfg: FaultConfig, now: Instant) -> Self {
        let mut f = Self {
            seed,
            cfg: FaultConfig::default(),
            seq: 0,
            outage: None,
            counts: BTreeMap::new(),
        };
        f.set(cfg, now);
        f
    }

    pub fn config(&self) -> &FaultConfig {
        &self.cfg
    }

    /// Replaces the configuration; an outage in it starts counting from `now`.
    pub fn set(&mut self, cfg: FaultConfig, now: Instant) {
        self.outage = cfg.outage.map(|(after, len)| {
            let start = now + after;
            (start, start + len)
        });
        self.cfg = cfg;
    }

    /// Replaces the configuration but keeps the outage window as it runs.
    pub fn set_keeping_outage(&mut self, cfg: FaultConfig) {
        self.cfg = cfg;
    }

    pub fn in_outage(&self, now: Instant) -> bool {
        self.outage.is_some_and(|(a, b)| a <= now && now < b)
    }

    /// Numbers the next request and plans its fate.
    pub fn next(&mut self, now: Instant) -> Plan {
        self.seq += 1;
        plan(self.seed, self.seq, &self.cfg, self.in_outage(now))
    }

    /// Counts one injected fault (`outage` for the outage's 503s).
    pub fn count(&mut self, what: &'static str) {
        *self.counts.entry(what).or_default() += 1;
    }

    /// `{"total": n, "5xx": n, ...}` for `/_sim/stats`.
    pub fn counts(&self) -> BTreeMap<&'static str, u64> {
        let mut out = self.counts.clone();
        out.insert("total", self.counts.values().sum());
        out
    }

    pub fn reset_counts(&mut self) {
        self.counts.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg(rate: f64, kinds: &[FaultKind]) -> FaultConfig {
        FaultConfig {
            rate,
            kinds: kinds.to_vec(),
            timeout: Duration::from_millis(400),
            jitter: Duration::from_millis(50),
            ..FaultConfig::default()
        }
    }

    #[test]
    fn same_seed_same_faults() {
        let c = cfg(0.3, &FaultKind::ALL);
        let a: Vec<Plan> = (1..=500).map(|n| plan(7, n, &c, false)).collect();
        let b: Vec<Plan> = (1..=500).map(|n| plan(7, n, &c, false)).collect();
        assert_eq!(a, b);
        let other: Vec<Plan> = (1..=500).map(|n| plan(8, n, &c, false)).collect();
        assert_ne!(a, other, "another seed, other faults");
        // The state machine numbers requests the same way.
        let t0 = Instant::now();
        let mut f = Faults::new(7, c.clone(), t0);
        let c2: Vec<Plan> = (0..500).map(|_| f.next(t0)).collect();
        assert_eq!(a, c2);
    }

    #[test]
    fn rate_and_kinds_are_honoured() {
        let kinds = [FaultKind::ServerError, FaultKind::Reset];
        let c = cfg(0.2, &kinds);
        let plans: Vec<Plan> = (1..=10_000).map(|n| plan(42, n, &c, false)).collect();
        let hit = plans.iter().filter(|p| p.drawn.is_some()).count();
        assert!((1700..=2300).contains(&hit), "{hit} of 10000");
        assert!(
            plans
                .iter()
                .filter_map(|p| p.drawn)
                .all(|k| kinds.contains(&k))
        );
        let after = plans
            .iter()
            .filter(|p| matches!(p.fault, Some((_, Phase::After))))
            .count();
        assert!(after > 0 && after < hit, "both phases occur");
        assert!(plans.iter().all(|p| p.extra_delay <= c.jitter));
        let none = cfg(0.0, &FaultKind::ALL);
        assert!((1..=1000).all(|n| plan(1, n, &none, false).drawn.is_none()));
        let empty = cfg(1.0, &[]);
        assert!((1..=1000).all(|n| plan(1, n, &empty, false).drawn.is_none()));
    }

    #[test]
    fn slow_is_a_delay_and_malformed_comes_after() {
        let slow = cfg(1.0, &[FaultKind::Slow]);
        let p = plan(3, 1, &slow, false);
        assert_eq!(p.fault, None);
        assert!(p.extra_delay >= Duration::from_millis(200));
        let bad = cfg(1.0, &[FaultKind::Malformed]);
        assert!(
            (1..=100).all(
                |n| plan(3, n, &bad, false).fault == Some((FaultKind::Malformed, Phase::After))
            )
        );
    }

    #[test]
    fn outage_window_and_counts() {
        let t0 = Instant::now();
        let c = FaultConfig {
            outage: Some((Duration::from_secs(2), Duration::from_secs(3))),
            ..cfg(1.0, &[FaultKind::ServerError])
        };
        let mut f = Faults::new(1, c, t0);
        assert!(!f.next(t0 + Duration::from_secs(1)).outage);
        let p = f.next(t0 + Duration::from_secs(2));
        assert!(p.outage && p.fault.is_none());
        assert!(f.in_outage(t0 + Duration::from_millis(4999)));
        assert!(!f.in_outage(t0 + Duration::from_secs(5)));
        f.count("5xx");
        f.count("outage");
        f.count("outage");
        let counts = f.counts();
        assert_eq!((counts["total"], counts["outage"]), (3, 2));
        f.reset_counts();
        assert_eq!(f.counts()["total"], 0);
    }

    #[test]
    fn names_parse_and_bad_ones_say_what_is_allowed() {
        assert_eq!(
            parse_faults("5xx, timeout,reset,MALFORMED,slow,5xx"),
            Ok(FaultKind::ALL.to_vec())
        );
        assert_eq!(parse_faults(""), Ok(vec![]));
        let err = parse_faults("5xx,boom").unwrap_err();
        assert!(
            err.contains("\"boom\"") && err.contains("malformed"),
            "{err}"
        );
        assert!(check_fraction("the fault rate", 1.5).is_err());
        assert!(check_fraction("the fault rate", f64::NAN).is_err());
        assert_eq!(check_fraction("x", 0.25), Ok(0.25));
        assert!(check_secs("x", -1.0).is_err());
        let bad = FaultConfig {
            other_load: 2.0,
            ..FaultConfig::default()
        };
        assert!(bad.validate().unwrap_err().contains("other load"));
    }
}
