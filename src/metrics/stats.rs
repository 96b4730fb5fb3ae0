//! The statistics behind template A/B comparisons, as pure functions:
//!
//! - [`wilson`]: the 95% Wilson score interval of a rate;
//! - [`fisher_exact`]: Fisher's exact test, two-sided, for a 2x2 table;
//! - [`p_better`]: P(rate B > rate A) under Beta(1 + successes, 1 + failures) posteriors;
//! - [`always_valid_p`]: a mixture-SPRT p-value that stays valid however often it is
//!   looked at, and [`Verdict`], the decision rule built on it.
//!
//! Everything here is exact or accurate to about 1e-9 for counts up to a few
//! hundred thousand; the tests check it against SciPy's output.

/// z for a two-sided 95% interval (`scipy.stats.norm.ppf(0.975)`).
pub const Z95: f64 = 1.959_963_984_540_054;

/// The significance level of the decision rule.
pub const ALPHA: f64 = 0.05;

/// The mixing standard deviation of the mSPRT: the size of a reply-rate difference
/// (in absolute terms, 2 percentage points) the test is most sensitive to.
pub const MSPRT_TAU: f64 = 0.02;

/// Each side needs at least this many delivered emails (and one reply between
/// them) before the rule may decide: below it the normal approximation of the
/// mSPRT is not to be trusted.
pub const MIN_DELIVERED: u64 = 100;

/// The 95% Wilson score interval `[low, high]` of `successes / n`; `None` when `n`
/// is zero. Always inside `[0, 1]`, and contains the observed rate.
pub fn wilson(successes: u64, n: u64) -> Option<(f64, f64)> {
    if n == 0 {
        return None;
    }
    let s = successes.min(n) as f64;
    let n = n as f64;
    let p = s / n;
    let z2 = Z95 * Z95;
    let denom = 1.0 + z2 / n;
    let centre = (p + z2 / (2.0 * n)) / denom;
    let half = Z95 * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt() / denom;
    // At 0 and n successes the bound is exactly 0 or 1 (rounding could miss it).
    let low = if s == 0.0 {
        0.0
    } else {
        (centre - half).max(0.0)
    };
    let high = if s == n {
        1.0
    } else {
        (centre + half).min(1.0)
    };
    Some((low, high))
}

/// Fisher's exact test, two-sided, for the table `[[a, b], [c, d]]` (rows: the two
/// groups; columns: success, failure). The p-value is the probability, under the
/// hypergeometric law with the table's margins, of every table no more likely
/// than the observed one (a relative tolerance of 1e-7 counts near-ties as ties,
/// as R does). Exact: a sum of hypergeometric probabilities, each computed from
/// its neighbour's by the ratio of binomial coefficients, in logarithms, so
/// nothing overflows at n = 100k and nothing is approximated.
pub fn fisher_exact(a: u64, b: u64, c: u64, d: u64) -> f64 {
    let r1 = a + b; // first row total
    let r2 = c + d; // second row total
    let c1 = a + c; // first column total
    if r1 == 0 || r2 == 0 || c1 == 0 || b + d == 0 {
        return 1.0;
    }
    let lo = c1.saturating_sub(r2);
    let hi = r1.min(c1);
    // log P(x) up to a constant, relative to x = lo: the ratio
    // P(x + 1) / P(x) = (r1 - x)(c1 - x) / ((x + 1)(r2 - c1 + x + 1)).
    let len = (hi - lo + 1) as usize;
    let mut logw = Vec::with_capacity(len);
    let mut acc = 0.0f64;
    logw.push(acc);
    for x in lo..hi {
        let (xf, r1f, r2f, c1f) = (x as f64, r1 as f64, r2 as f64, c1 as f64);
        acc += ((r1f - xf) * (c1f - xf)).ln() - ((xf + 1.0) * (r2f - c1f + xf + 1.0)).ln();
        logw.push(acc);
    }
    let max = logw.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let observed = logw[(a - lo) as usize];
    let cut = observed + (1.0 + 1e-7f64).ln();
    let mut total = 0.0;
    let mut tail = 0.0;
    for &lw in &logw {
        let w = (lw - max).exp();
        total += w;
        if lw <= cut {
            tail += w;
        }
    }
    (tail / total).clamp(0.0, 1.0)
}

/// `ln Γ(x)` for `x > 0`: the Stirling series from 15 up (error below 1e-16
/// relative), the recurrence `Γ(x) = Γ(x + 1) / x` below.
pub fn ln_gamma(x: f64) -> f64 {
    debug_assert!(x > 0.0, "ln_gamma of {x}");
    let mut x = x;
    let mut shift = 0.0;
    while x < 15.0 {
        shift -= x.ln();
        x += 1.0;
    }
    let inv = 1.0 / x;
    let inv2 = inv * inv;
    let series = inv
        * (1.0 / 12.0
            - inv2
                * (1.0 / 360.0
                    - inv2 * (1.0 / 1260.0 - inv2 * (1.0 / 1680.0 - inv2 * (1.0 / 1188.0)))));
    shift + (x - 0.5) * x.ln() - x + 0.5 * (2.0 * std::f64::consts::PI).ln() + series
}

/// `ln B(a, b)`.
pub fn ln_beta(a: f64, b: f64) -> f64 {
    ln_gamma(a) + ln_gamma(b) - ln_gamma(a + b)
}

/// P(p_B > p_A) where p_A ~ Beta(1 + s_a, 1 + f_a) and p_B ~ Beta(1 + s_b, 1 + f_b)
/// (uniform priors updated by successes `s` and failures `f`).
///
/// Exact for integer parameters (the closed form of Evan Miller, "Formulas for
/// Bayesian A/B testing"): with `α = 1 + s`, `β = 1 + f`,
/// `P = Σ_{i=0}^{α_B - 1} B(α_A + i, β_A + β_B) / ((β_B + i) B(1 + i, β_B) B(α_A, β_A))`,
/// summed over whichever side has the smaller `α` (`P(B > A) = 1 - P(A > B)`).
pub fn p_better(s_a: u64, f_a: u64, s_b: u64, f_b: u64) -> f64 {
    if s_b <= s_a {
        prob_b_beats_a(s_a, f_a, s_b, f_b)
    } else {
        1.0 - prob_b_beats_a(s_b, f_b, s_a, f_a)
    }
}

fn prob_b_beats_a(s_a: u64, f_a: u64, s_b: u64, f_b: u64) -> f64 {
    let (aa, ba) = (1.0 + s_a as f64, 1.0 + f_a as f64);
    let bb = 1.0 + f_b as f64;
    let fixed = ln_beta(aa, ba);
    let mut total = 0.0;
    for i in 0..=s_b {
        let i = i as f64;
        let lt = ln_beta(aa + i, ba + bb) - (bb + i).ln() - ln_beta(1.0 + i, bb) - fixed;
        total += lt.exp();
    }
    total.clamp(0.0, 1.0)
}

/// An always-valid p-value for "the two rates differ": the mixture sequential
/// probability ratio test (mSPRT) of Johari, Pekelis and Walsh ("Always Valid
/// Inference", 2017), with a normal mixture N(0, τ²) over the difference of the
/// rates and the normal approximation of the difference's estimate:
///
/// `Λ = sqrt(V / (V + τ²)) · exp(τ² θ² / (2 V (V + τ²)))`, `p = min(1, 1 / Λ)`,
///
/// where `θ` is the observed difference and `V` its variance, estimated from the
/// smoothed rates `(s + 1) / (n + 2)` so that zero counts stay finite. Because
/// `Λ` is a (nonnegative) martingale under "no difference", Ville's inequality
/// bounds the chance that `p` *ever* drops to `α` by `α`: the value can be read
/// every day, and acted on the first time it is small, without inflating false
/// alarms. `None` when a side has nothing delivered.
pub fn always_valid_p(s_a: u64, n_a: u64, s_b: u64, n_b: u64) -> Option<f64> {
    if n_a == 0 || n_b == 0 {
        return None;
    }
    let rate = |s: u64, n: u64| s.min(n) as f64 / n as f64;
    let smooth = |s: u64, n: u64| (s.min(n) as f64 + 1.0) / (n as f64 + 2.0);
    let theta = rate(s_b, n_b) - rate(s_a, n_a);
    let (qa, qb) = (smooth(s_a, n_a), smooth(s_b, n_b));
    let v = qa * (1.0 - qa) / n_a as f64 + qb * (1.0 - qb) / n_b as f64;
    let t2 = MSPRT_TAU * MSPRT_TAU;
    let ln_lambda = 0.5 * (v / (v + t2)).ln() + t2 * theta * theta / (2.0 * v * (v + t2));
    Some((-ln_lambda).exp().min(1.0))
}

/// What the sequential rule says about a template against its step's leader.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Too little data, or the difference is still within noise.
    NotEnoughData,
    /// The leader's reply rate is higher, and the always-valid p-value is below [`ALPHA`].
    LeaderBetter,
}

impl Verdict {
    /// Compares a template (`s`, `n`: replies, delivered) with the leader's.
    pub fn against_leader(s: u64, n: u64, leader_s: u64, leader_n: u64) -> Verdict {
        let enough = n >= MIN_DELIVERED && leader_n >= MIN_DELIVERED && s + leader_s > 0;
        let higher = (leader_s as f64) * (n as f64) > (s as f64) * (leader_n as f64);
        match always_valid_p(s, n, leader_s, leader_n) {
            Some(p) if enough && higher && p <= ALPHA => Verdict::LeaderBetter,
            _ => Verdict::NotEnoughData,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::NotEnoughData => "not enough data",
            Verdict::LeaderBetter => "leader is better",
        }
    }
}

#[cfg(test)]
#[path = "stats_tests.rs"]
mod tests;
