//! What a command spent of the team's budget: every command that talks to
//! SalesLoft ends by saying `spent N points in M requests` on stderr, and
//! `sync --json` carries the same figures.

use crate::api::Budget;

/// Points charged to a client's requests, and the requests answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Spent {
    pub points: u64,
    pub requests: u64,
}

impl Spent {
    /// Everything charged through `budget` (shared by the clones of one client).
    pub fn of(budget: &Budget) -> Spent {
        let snap = budget.snapshot();
        Spent {
            points: snap.spent,
            requests: snap.requests,
        }
    }

    /// `spent 12 points in 12 requests`.
    pub fn line(&self) -> String {
        format!(
            "spent {} point{} in {} request{}",
            self.points,
            plural(self.points),
            self.requests,
            plural(self.requests)
        )
    }
}

fn plural(n: u64) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// Says on stderr what the client behind `budget` spent.
pub fn say(budget: &Budget) {
    eprintln!("sltui: {}", Spent::of(budget).line());
}

/// Says what was spent when dropped: a command keeps one for as long as it
/// talks to SalesLoft, so every way out (errors included) reports the spend.
pub struct SayOnDrop(pub Budget);

impl Drop for SayOnDrop {
    fn drop(&mut self) {
        say(&self.0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::{HeaderMap, HeaderValue};

    #[test]
    fn the_line_counts_charged_points_and_answered_requests() {
        let budget = Budget::new(600);
        assert_eq!(Spent::of(&budget).line(), "spent 0 points in 0 requests");
        let mut h = HeaderMap::new();
        h.insert("x-ratelimit-endpoint-cost", HeaderValue::from_static("1"));
        budget.record_response(200, &h);
        assert_eq!(Spent::of(&budget).line(), "spent 1 point in 1 request");
        h.insert("x-ratelimit-endpoint-cost", HeaderValue::from_static("30"));
        budget.record_response(200, &h);
        budget.record_response(429, &h);
        assert_eq!(
            Spent::of(&budget),
            Spent {
                points: 31,
                requests: 3
            },
            "a 429 charges nothing"
        );
    }
}
