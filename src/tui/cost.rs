//! "This load is big": the question a load estimated over the profile's
//! `confirm_above_points` asks before it spends the team's budget, and the
//! user's answer for a time range.

use chrono::{DateTime, Local, Utc};

use crate::budget::ReadCost;
use crate::metrics::TimeRange;

/// The answers, in the order the buttons show them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CostChoice {
    Cancel,
    Stored,
    Load,
}

/// The question on screen.
#[derive(Debug, Clone)]
pub struct CostQuestion {
    pub range: TimeRange,
    /// The cadences the load would read (the ones not read for the range yet).
    pub cadence_ids: Vec<u64>,
    /// Every cadence asked for (what a Load sends; read ones cost nothing).
    pub asked: Vec<u64>,
    pub emails: Option<u64>,
    pub cost: Option<ReadCost>,
    /// The team's budget a minute (600 on SalesLoft).
    pub limit: u32,
    /// When the local store was synced, if there is one to use.
    pub stored: Option<Option<DateTime<Utc>>>,
    pub focus: CostChoice,
    /// Where Cancel goes back to: the range shown before, and what was read of it.
    pub back: Option<(TimeRange, std::collections::HashSet<u64>)>,
}

impl CostQuestion {
    /// The buttons that can be chosen, in order.
    pub fn choices(&self) -> Vec<CostChoice> {
        let mut out = vec![CostChoice::Cancel];
        if self.stored.is_some() {
            out.push(CostChoice::Stored);
        }
        out.push(CostChoice::Load);
        out
    }

    /// Moves the focus by `by` buttons, wrapping.
    pub fn move_focus(&mut self, by: isize) {
        let all = self.choices();
        let at = all.iter().position(|c| *c == self.focus).unwrap_or(0) as isize;
        let n = all.len() as isize;
        self.focus = all[(at + by).rem_euclid(n) as usize];
    }

    /// "about 120 points in 120 requests, 20% of the team's 600-point minute".
    pub fn cost_text(&self) -> String {
        match self.cost {
            Some(c) => format!(
                "about {} point{} in {} request{}, {}% of the team's {}-point minute",
                c.points,
                if c.points == 1 { "" } else { "s" },
                c.requests,
                if c.requests == 1 { "" } else { "s" },
                share_pct(c.points, self.limit),
                self.limit
            ),
            None => "an unknown number of points (the server did not count the emails)".into(),
        }
    }

    /// The status line's short form: "about 120 points (20% of the team's minute)".
    pub fn cost_brief(&self) -> String {
        match self.cost {
            Some(c) => format!(
                "about {} point{} ({}% of the team's minute)",
                c.points,
                if c.points == 1 { "" } else { "s" },
                share_pct(c.points, self.limit),
            ),
            None => "points unknown (the server did not count the emails)".into(),
        }
    }

    /// What the load reads, in words.
    pub fn what(&self) -> String {
        let n = self.cadence_ids.len();
        let emails = match self.emails {
            Some(e) => format!(" ({} emails)", thousands(e)),
            None => String::new(),
        };
        format!(
            "Loading the engagement of {n} cadence{} over {}{emails} costs {}.",
            if n == 1 { "" } else { "s" },
            self.range,
            self.cost_text()
        )
    }

    /// The store's label on its button: "Use stored data (10:42)".
    pub fn stored_label(&self, now: DateTime<Utc>) -> String {
        match self.stored {
            Some(Some(at)) => format!("Use stored data ({})", when(at, now)),
            _ => "Use stored data".to_string(),
        }
    }
}

/// The user's answer for one range, kept while the range stays.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RangeChoice {
    pub range: TimeRange,
    pub choice: CostChoice,
}

/// `points` as a whole percentage of `limit` (at least 1 when anything is spent).
pub fn share_pct(points: u64, limit: u32) -> u64 {
    if limit == 0 {
        return 100;
    }
    let pct = (points * 100).div_ceil(u64::from(limit));
    if points > 0 { pct.max(1) } else { 0 }
}

fn thousands(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// "10:42" today, else "2026-11-26 10:42" (local time).
pub fn when(at: DateTime<Utc>, now: DateTime<Utc>) -> String {
    let (t, now) = (at.with_timezone(&Local), now.with_timezone(&Local));
    if t.date_naive() == now.date_naive() {
        t.format("%H:%M").to_string()
    } else {
        t.format("%Y-%m-%d %H:%M").to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn question(stored: bool) -> CostQuestion {
        CostQuestion {
            range: TimeRange::All,
            cadence_ids: vec![1, 2, 3],
            asked: vec![1, 2, 3],
            emails: Some(41_250),
            cost: Some(ReadCost {
                requests: 415,
                points: 415,
            }),
            limit: 600,
            stored: stored.then_some(None),
            focus: CostChoice::Cancel,
            back: None,
        }
    }

    #[test]
    fn says_what_it_loads_and_its_share_of_the_minute() {
        assert_eq!(
            question(false).what(),
            "Loading the engagement of 3 cadences over all time (41,250 emails) costs about \
             415 points in 415 requests, 70% of the team's 600-point minute."
        );
        assert_eq!(share_pct(1, 600), 1);
        assert_eq!(share_pct(0, 600), 0);
        assert_eq!(share_pct(600, 600), 100);
        let mut q = question(false);
        q.cost = None;
        q.emails = None;
        assert!(
            q.what().contains("unknown number of points"),
            "{}",
            q.what()
        );
    }

    #[test]
    fn focus_starts_on_cancel_and_skips_a_missing_store() {
        let mut q = question(false);
        assert_eq!(q.choices(), [CostChoice::Cancel, CostChoice::Load]);
        q.move_focus(1);
        assert_eq!(q.focus, CostChoice::Load);
        q.move_focus(1);
        assert_eq!(q.focus, CostChoice::Cancel);
        let mut q = question(true);
        q.move_focus(-1);
        assert_eq!(q.focus, CostChoice::Load);
        q.move_focus(-1);
        assert_eq!(q.focus, CostChoice::Stored);
    }
}
