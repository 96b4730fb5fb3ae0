//! Reference values computed independently with SciPy 1.17.1 (Python 3.11),
//! by the snippet quoted above each table.

use super::*;

fn close(got: f64, want: f64, tol: f64, what: &str) {
    assert!(
        (got - want).abs() <= tol,
        "{what}: got {got:e}, want {want:e} (tolerance {tol:e})"
    );
}

// from scipy.stats import binomtest
// r = binomtest(s, n).proportion_ci(confidence_level=0.95, method='wilson')
// print(s, n, r.low, r.high)
const WILSON: [(u64, u64, f64, f64); 6] = [
    (0, 10, 0.0, 0.27753279986288926),
    (10, 10, 0.7224672001371109, 1.0),
    (5, 100, 0.021543679154367973, 0.11175046923191914),
    (1, 1, 0.20654931437723745, 1.0),
    (37, 1000, 0.026961180875554734, 0.05058239748206931),
    (5000, 100000, 0.04866638929097823, 0.0513681825103465),
];

#[test]
fn wilson_matches_scipy() {
    for (s, n, lo, hi) in WILSON {
        let (l, h) = wilson(s, n).expect("n > 0");
        close(l, lo, 1e-12, &format!("wilson low {s}/{n}"));
        close(h, hi, 1e-12, &format!("wilson high {s}/{n}"));
        let p = s as f64 / n as f64;
        assert!(l <= p && p <= h, "the interval holds the rate");
    }
    assert_eq!(wilson(0, 0), None, "no data, no interval");
    assert_eq!(
        wilson(7, 3).map(|(_, h)| h),
        Some(1.0),
        "more successes than trials clamp"
    );
}

// from scipy.stats import fisher_exact
// print(fisher_exact([[a, b], [c, d]])[1])   # alternative='two-sided'
const FISHER: [(u64, u64, u64, u64, f64); 8] = [
    (3, 7, 8, 2, 0.06977851869492736),
    (0, 10, 0, 10, 1.0),
    (50, 950, 80, 920, 0.00830844837775692),
    (5, 95, 5, 95, 1.0),
    (1000, 99000, 1100, 98900, 0.029847900106294695),
    (0, 100, 5, 95, 0.059383210468586585),
    (12, 88, 3, 97, 0.028671314973177094),
    (4200, 45800, 4400, 45600, 0.02479182885260612),
];

#[test]
fn fisher_matches_scipy() {
    for (a, b, c, d, want) in FISHER {
        let got = fisher_exact(a, b, c, d);
        close(
            got,
            want,
            1e-9 * want.max(1e-3),
            &format!("fisher {a} {b} {c} {d}"),
        );
        // Swapping the groups or the columns is the same test.
        close(fisher_exact(c, d, a, b), got, 1e-12, "rows swapped");
        close(fisher_exact(b, a, d, c), got, 1e-12, "columns swapped");
    }
}

#[test]
fn fisher_edge_cases() {
    assert_eq!(fisher_exact(0, 0, 0, 0), 1.0, "empty table");
    assert_eq!(fisher_exact(0, 0, 4, 6), 1.0, "an empty row");
    assert_eq!(fisher_exact(3, 0, 4, 0), 1.0, "an empty column");
    // Huge and lopsided: finite, tiny, never NaN.
    let p = fisher_exact(0, 100_000, 500, 99_500);
    assert!(p > 0.0 && p < 1e-100, "{p:e}");
}

// from scipy.stats import beta; from scipy import integrate
// A = beta(1 + sa, 1 + fa); B = beta(1 + sb, 1 + fb)
// lo = min(A.ppf(1e-12), B.ppf(1e-12)); hi = max(A.isf(1e-12), B.isf(1e-12))
// integrate.quad(lambda x: B.pdf(x) * A.cdf(x), lo, hi, epsabs=1e-13, epsrel=1e-12,
//                limit=500, points=[A.mean(), B.mean()])[0]
const P_BETTER: [(u64, u64, u64, u64, f64); 7] = [
    (0, 0, 0, 0, 0.4999999999989999),
    (10, 90, 15, 85, 0.8532837899329662),
    (50, 950, 80, 920, 0.9967464265466237),
    (5, 95, 5, 95, 0.49999999999899974),
    (0, 100, 3, 97, 0.9393609840236005),
    (1000, 99000, 1100, 98900, 0.9858655507142878),
    (30, 0, 0, 30, 2.148558800571461e-18),
];

#[test]
fn p_better_matches_scipy() {
    for (sa, fa, sb, fb, want) in P_BETTER {
        let got = p_better(sa, fa, sb, fb);
        close(got, want, 1e-9, &format!("p_better {sa} {fa} {sb} {fb}"));
        // The two directions add up to one.
        close(got + p_better(sb, fb, sa, fa), 1.0, 1e-9, "complement");
    }
}

#[test]
fn p_better_with_huge_counts_stays_finite() {
    // Same SciPy snippet, integrated over [0.38, 0.42]: 0.9886909860681821.
    let p = p_better(40_000, 60_000, 40_500, 59_500);
    close(p, 0.988_690_986_068_182_1, 1e-9, "p_better at n = 100k");
    close(p_better(0, 0, 0, 0), 0.5, 1e-12, "no data");
}

#[test]
fn ln_gamma_is_exact_on_factorials() {
    // ln(n!) = ln Γ(n + 1), summed directly.
    let mut ln_fact = 0.0f64;
    for n in 1..200u32 {
        ln_fact += f64::from(n).ln();
        let g = ln_gamma(f64::from(n) + 1.0);
        close(g, ln_fact, 1e-12 * ln_fact.max(1.0), &format!("ln {n}!"));
    }
    close(
        ln_gamma(0.5),
        std::f64::consts::PI.sqrt().ln(),
        1e-14,
        "ln Γ(1/2)",
    );
}

// import numpy as np
// th = sb/nb - sa/na; qa = (sa+1)/(na+2); qb = (sb+1)/(nb+2)
// V = qa*(1-qa)/na + qb*(1-qb)/nb; t2 = 0.02**2
// L = np.sqrt(V/(V+t2)) * np.exp(t2*th*th/(2*V*(V+t2))); print(min(1.0, 1/L))
const ALWAYS_VALID: [(u64, u64, u64, u64, f64); 4] = [
    (50, 1000, 80, 1000, 0.12441024830883171),
    (5, 100, 5, 100, 1.0),
    (100, 2000, 160, 2000, 0.004527145045981741),
    (0, 200, 0, 200, 1.0),
];

#[test]
fn always_valid_p_matches_the_formula() {
    for (sa, na, sb, nb, want) in ALWAYS_VALID {
        let got = always_valid_p(sa, na, sb, nb).expect("data on both sides");
        close(
            got,
            want,
            1e-12,
            &format!("always-valid p {sa}/{na} {sb}/{nb}"),
        );
    }
    assert_eq!(always_valid_p(0, 0, 3, 10), None);
}

#[test]
fn always_valid_p_is_more_cautious_than_fisher() {
    // Peeking-safe means it needs more evidence than the one-look test.
    let fisher = fisher_exact(50, 950, 80, 920);
    let avp = always_valid_p(50, 1000, 80, 1000).unwrap();
    assert!(
        fisher < ALPHA && avp > ALPHA,
        "fisher {fisher}, mSPRT {avp}"
    );
}

#[test]
fn verdict_waits_for_enough_data() {
    // Equal rates: never a winner.
    assert_eq!(
        Verdict::against_leader(50, 1000, 50, 1000),
        Verdict::NotEnoughData
    );
    // A big, clear difference on enough emails: decided.
    assert_eq!(
        Verdict::against_leader(100, 2000, 160, 2000),
        Verdict::LeaderBetter
    );
    // The same proportions on tiny samples: not yet.
    assert_eq!(
        Verdict::against_leader(1, 20, 8, 20),
        Verdict::NotEnoughData
    );
    // Nothing at all.
    assert_eq!(Verdict::against_leader(0, 0, 0, 0), Verdict::NotEnoughData);
    // The "leader" must really be higher.
    assert_eq!(
        Verdict::against_leader(160, 2000, 100, 2000),
        Verdict::NotEnoughData
    );
    assert_eq!(Verdict::NotEnoughData.as_str(), "not enough data");
}
