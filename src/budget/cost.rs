//! The arithmetic of SalesLoft's cost-based rate limit (salesloft-api.md §4):
//! 600 points a minute per team, one point a request, and a surcharge for deep
//! pages: 101-150 cost 3, 151-250 cost 8, 251-500 cost 10, 501 and beyond 30.

/// Records per page on every standard list endpoint, at most.
pub const MAX_PER_PAGE: u64 = 100;
/// The documented per-team allowance a minute.
pub const DEFAULT_BUDGET_PER_MINUTE: u64 = 600;

/// The cost of fetching page number `page` (1-based) of a list.
pub fn page_cost(page: u64) -> u64 {
    match page {
        0..=100 => 1,
        101..=150 => 3,
        151..=250 => 8,
        251..=500 => 10,
        _ => 30,
    }
}

/// Points and requests needed to read some records one way or another.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReadCost {
    pub requests: u64,
    pub points: u64,
}

impl ReadCost {
    /// Minutes of the team's budget this read uses up at `per_minute` points a minute.
    pub fn minutes(&self, per_minute: u64) -> f64 {
        if per_minute == 0 {
            return f64::INFINITY;
        }
        self.points as f64 / per_minute as f64
    }
}

fn pages(records: u64, per_page: u64) -> u64 {
    let per_page = per_page.clamp(1, MAX_PER_PAGE);
    records.div_ceil(per_page).max(1)
}

/// Reading `records` by walking page numbers 1, 2, 3, ... at `per_page`.
pub fn page_walk(records: u64, per_page: u64) -> ReadCost {
    let n = pages(records, per_page);
    // Sum page_cost(1..=n) by bands rather than page by page.
    let bands: [(u64, u64, u64); 5] = [
        (1, 100, 1),
        (101, 150, 3),
        (151, 250, 8),
        (251, 500, 10),
        (501, u64::MAX, 30),
    ];
    let points = bands
        .iter()
        .map(|&(lo, hi, cost)| {
            if n < lo {
                0
            } else {
                (n.min(hi) - lo + 1) * cost
            }
        })
        .sum();
    ReadCost {
        requests: n,
        points,
    }
}

/// Reading `records` with the keyset cursor (`updated_at[gt]`, 100 a page): every
/// request is a first page, so each costs one point.
pub fn cursor_walk(records: u64) -> ReadCost {
    let n = pages(records, MAX_PER_PAGE);
    ReadCost {
        requests: n,
        points: n,
    }
}

/// Reading `records` spread over `walks` separate cursor walks (one per cadence,
/// say), when only the total is known: each walk ends on a page that is not full,
/// so it takes `floor(n / 100) + 1` first pages of one point for its `n` records,
/// and the walks together at most `walks + floor(records / 100)`. The estimate a
/// load is confirmed by.
pub fn cursor_walks(walks: u64, records: u64) -> ReadCost {
    if walks == 0 {
        return ReadCost {
            requests: 0,
            points: 0,
        };
    }
    let n = walks + records / MAX_PER_PAGE;
    ReadCost {
        requests: n,
        points: n,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_costs_follow_the_documented_bands() {
        assert_eq!(page_cost(1), 1);
        assert_eq!(page_cost(100), 1);
        assert_eq!(page_cost(101), 3);
        assert_eq!(page_cost(150), 3);
        assert_eq!(page_cost(151), 8);
        assert_eq!(page_cost(250), 8);
        assert_eq!(page_cost(251), 10);
        assert_eq!(page_cost(500), 10);
        assert_eq!(page_cost(501), 30);
    }

    #[test]
    fn fifty_thousand_records_match_the_documented_table() {
        let walk = page_walk(50_000, 100);
        assert_eq!(
            walk,
            ReadCost {
                requests: 500,
                points: 3_550
            }
        );
        assert!((walk.minutes(600) - 5.916).abs() < 0.01);
        assert_eq!(
            cursor_walk(50_000),
            ReadCost {
                requests: 500,
                points: 500
            }
        );
    }

    #[test]
    fn band_sum_equals_page_by_page_sum() {
        for n in [
            1u64, 99, 100, 101, 149, 150, 151, 250, 251, 499, 500, 501, 777, 1000,
        ] {
            let by_page: u64 = (1..=n).map(page_cost).sum();
            assert_eq!(page_walk(n * 100, 100).points, by_page, "n = {n}");
        }
        assert_eq!(page_walk(100_000, 100).points, 18_550);
    }

    #[test]
    fn separate_walks_cost_a_page_each_plus_the_full_pages() {
        assert_eq!(cursor_walks(0, 0).points, 0);
        assert_eq!(
            cursor_walks(40, 0).points,
            40,
            "an empty walk is one request"
        );
        assert_eq!(cursor_walks(40, 8_050).points, 120);
        // The bound holds however the records split over the walks.
        for split in [[0u64, 0, 300], [100, 100, 100], [99, 101, 100], [1, 1, 298]] {
            let exact: u64 = split.iter().map(|n| n / MAX_PER_PAGE + 1).sum();
            assert!(
                exact <= cursor_walks(3, split.iter().sum()).points,
                "{split:?}"
            );
        }
    }

    #[test]
    fn small_pages_cost_more() {
        assert!(page_walk(10_000, 25).points > page_walk(10_000, 100).points);
        assert_eq!(page_walk(0, 100).requests, 1);
    }
}
