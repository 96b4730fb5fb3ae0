//! The budget governor: decides, before each read, whether the team's rate-limit
//! budget can afford it, keeps a reserve for the user's own actions, pauses
//! background work below that reserve, and notices spend it did not cause (the
//! budget is shared by every integration of the team).
//!
//! Pure: it sees the budget through a [`BudgetView`] and is told what we spent.

use std::time::Duration;

/// Who waits for a read decides its priority.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Priority {
    /// Bulk background work (the store's background sync, the people index walk):
    /// paused under the reserve like [`Priority::Background`], and held to the
    /// bulk share of every budget window ([`Governor::with_bulk_share`]).
    Bulk = 0,
    /// Background polling: paused under the budget reserve.
    Background = 1,
    /// Reads for the view on screen.
    Visible = 2,
    /// The user's own mutations (enrollment): always first.
    User = 3,
}

impl Priority {
    /// Bulk or background: paused while the budget is under the reserve.
    pub fn is_background(self) -> bool {
        self <= Priority::Background
    }
}

/// Default share of every budget window that bulk background work may take.
pub const DEFAULT_BULK_SHARE: f64 = 0.2;

/// What is known about the budget right now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BudgetView {
    /// Points left this minute (estimated); `None` before any response was seen.
    pub remaining: Option<u32>,
    /// Points per minute (600 on SalesLoft).
    pub limit: u32,
    /// Time until the budget window refills, when known.
    pub reset_in: Option<Duration>,
    /// Points admitted for bulk work in the last window (`Budget::bulk_spent`),
    /// and when the oldest of them leaves it.
    pub bulk_spent: u32,
    pub bulk_frees_in: Option<Duration>,
}

impl BudgetView {
    /// Remaining points, assuming a full budget before the first response.
    pub fn left(&self) -> u32 {
        self.remaining.unwrap_or(self.limit)
    }
}

/// The governor's answer for one read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    Go,
    /// Not now: the words say what the read needs, and when it will be retried.
    Defer {
        reason: String,
        retry_in: Duration,
    },
}

#[derive(Debug, Clone)]
pub struct Governor {
    reserve_fraction: f64,
    bulk_share: f64,
    paused: bool,
    /// Highest remaining seen this window, and our cumulative spend then.
    top: Option<(u32, u64)>,
    /// Our cumulative spend.
    own: u64,
    foreign: u32,
}

/// How far `remaining` may rise (out-of-order answers) before it counts as a refill.
const RISE_NOISE: u32 = 4;

/// Reads for the screen leave at least this much for the user's mutations (an
/// enrollment costs up to 3 points).
pub const MIN_VISIBLE_FLOOR: u32 = 3;

/// Retry delay when the window's end is unknown.
const DEFAULT_RETRY: Duration = Duration::from_secs(5);

impl Governor {
    /// `reserve_fraction` of the limit is kept for the user (clamped to 0..=0.9).
    pub fn new(reserve_fraction: f64) -> Self {
        let reserve_fraction = if reserve_fraction.is_finite() {
            reserve_fraction.clamp(0.0, 0.9)
        } else {
            0.2
        };
        Self {
            reserve_fraction,
            bulk_share: DEFAULT_BULK_SHARE,
            paused: false,
            top: None,
            own: 0,
            foreign: 0,
        }
    }

    /// Bulk work may take at most `share` of each window (clamped to 0.01..=1).
    pub fn with_bulk_share(mut self, share: f64) -> Self {
        self.bulk_share = if share.is_finite() {
            share.clamp(0.01, 1.0)
        } else {
            DEFAULT_BULK_SHARE
        };
        self
    }

    /// Points of each window bulk work may take.
    pub fn bulk_points(&self, limit: u32) -> u32 {
        ((f64::from(limit) * self.bulk_share).floor() as u32).max(1)
    }

    /// The bulk share's answer for a bulk read of `cost`: `None` when the share
    /// allows it (or the read is not bulk), else when and why to come back.
    pub fn over_share(
        &self,
        priority: Priority,
        cost: u32,
        view: &BudgetView,
        what: &str,
    ) -> Option<Decision> {
        if priority != Priority::Bulk {
            return None;
        }
        let share = self.bulk_points(view.limit);
        // A read bigger than the whole share may go once the share is unused.
        if view.bulk_spent == 0 || view.bulk_spent.saturating_add(cost) <= share {
            return None;
        }
        let retry_in = view
            .bulk_frees_in
            .unwrap_or(DEFAULT_RETRY)
            .max(Duration::from_millis(100));
        Some(Decision::Defer {
            reason: format!(
                "{what}: background work took its {}% share of the team's budget ({}/{share} \
                 points this minute); retrying in {} s",
                (self.bulk_share * 100.0).round() as u32,
                view.bulk_spent,
                retry_in.as_secs_f64().ceil() as u64,
            ),
            retry_in,
        })
    }

    pub fn reserve_points(&self, limit: u32) -> u32 {
        (f64::from(limit) * self.reserve_fraction).ceil() as u32
    }

    /// Points a read of this priority must leave untouched: background work keeps
    /// the whole reserve, reads for the screen keep a quarter of it (at least
    /// [`MIN_VISIBLE_FLOOR`]) for mutations, the user's own mutations may use
    /// everything.
    pub fn floor(&self, priority: Priority, limit: u32) -> u32 {
        let reserve = self.reserve_points(limit);
        match priority {
            Priority::Bulk | Priority::Background => reserve,
            Priority::Visible => (reserve / 4).max(MIN_VISIBLE_FLOOR).min(reserve),
            Priority::User => 0,
        }
    }

    /// May a read of `cost` points (`what`, e.g. "1 page of 100 emails") start now?
    pub fn decide(&self, priority: Priority, cost: u32, view: &BudgetView, what: &str) -> Decision {
        if let Some(wait) = self.over_share(priority, cost, view, what) {
            return wait;
        }
        let left = view.left();
        let floor = self.floor(priority, view.limit);
        if left >= cost.saturating_add(floor) {
            return Decision::Go;
        }
        let retry_in = view
            .reset_in
            .unwrap_or(DEFAULT_RETRY)
            .max(Duration::from_secs(1));
        let kept = if floor > 0 {
            format!(", {floor} kept for your own actions")
        } else {
            String::new()
        };
        let reason = format!(
            "{what} needs {cost} point{}; {left}/{} left this minute{kept}; retrying in {} s{}",
            if cost == 1 { "" } else { "s" },
            view.limit,
            retry_in.as_secs().max(1),
            self.foreign_note(),
        );
        Decision::Defer { reason, retry_in }
    }

    /// Is background work (polling, indexing, off-screen engagement) allowed now?
    /// Uses hysteresis: once paused, it resumes only 5% of the limit above the reserve.
    pub fn background_allowed(&self, view: &BudgetView) -> bool {
        let reserve = self.reserve_points(view.limit);
        let margin = if self.paused { view.limit / 20 } else { 0 };
        view.left() >= reserve.saturating_add(margin).max(1)
    }

    /// Updates the pause state; returns the new state when it changed:
    /// `Some(Some(reason))` = paused, `Some(None)` = resumed.
    pub fn update_pause(&mut self, view: &BudgetView) -> Option<Option<String>> {
        let allowed = self.background_allowed(view);
        if allowed != self.paused {
            return None;
        }
        self.paused = !allowed;
        Some(self.paused.then(|| self.pause_reason(view)))
    }

    pub fn is_paused(&self) -> bool {
        self.paused
    }

    /// "budget 85/600 under the 20% reserve; live updates paused".
    pub fn pause_reason(&self, view: &BudgetView) -> String {
        format!(
            "{}; live updates paused{}",
            self.under_reserve(view),
            self.foreign_note()
        )
    }

    /// Why background work `what` waits while paused.
    pub fn paused_read_reason(&self, view: &BudgetView, what: &str, retry_in: Duration) -> String {
        format!(
            "{what}: {}, kept for your own actions; retrying in {} s{}",
            self.under_reserve(view),
            retry_in.as_secs().max(1),
            self.foreign_note()
        )
    }

    fn under_reserve(&self, view: &BudgetView) -> String {
        format!(
            "budget {}/{} under the {}% reserve",
            view.left(),
            view.limit,
            (self.reserve_fraction * 100.0).round() as u32,
        )
    }

    /// Feeds one of our responses, in order: the cost it was charged and the budget it
    /// reported left. A drop in the budget larger than what we spent since the highest
    /// value seen in this window was spent by someone else on the team.
    pub fn observe(&mut self, remaining: Option<u32>, cost: u32) {
        self.own = self.own.saturating_add(u64::from(cost));
        let Some(remaining) = remaining else { return };
        match self.top {
            // Answers of concurrent requests may arrive slightly out of order; only
            // a clear rise means the window refilled.
            Some((top, own_at_top)) if remaining <= top.saturating_add(RISE_NOISE) => {
                let drop = u64::from(top.saturating_sub(remaining));
                let ours = self.own.saturating_sub(own_at_top);
                self.foreign = u32::try_from(drop.saturating_sub(ours)).unwrap_or(u32::MAX);
            }
            _ => {
                self.top = Some((remaining, self.own));
                self.foreign = 0;
            }
        }
    }

    /// Points spent this window by other integrations of the team, as far as seen.
    pub fn foreign_spend(&self) -> u32 {
        self.foreign
    }

    fn foreign_note(&self) -> String {
        if self.foreign == 0 {
            String::new()
        } else {
            format!(
                " (other integrations on the team spent about {} this minute)",
                self.foreign
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn view(remaining: u32) -> BudgetView {
        BudgetView {
            remaining: Some(remaining),
            limit: 600,
            reset_in: Some(Duration::from_secs(23)),
            bulk_spent: 0,
            bulk_frees_in: None,
        }
    }

    #[test]
    fn floors_by_priority() {
        let g = Governor::new(0.2);
        assert_eq!(g.reserve_points(600), 120);
        assert_eq!(
            g.decide(Priority::Background, 1, &view(121), "x"),
            Decision::Go
        );
        assert!(matches!(
            g.decide(Priority::Background, 1, &view(120), "x"),
            Decision::Defer { .. }
        ));
        assert_eq!(g.decide(Priority::Visible, 1, &view(31), "x"), Decision::Go);
        assert!(matches!(
            g.decide(Priority::Visible, 1, &view(30), "x"),
            Decision::Defer { .. }
        ));
        assert_eq!(g.decide(Priority::User, 1, &view(1), "x"), Decision::Go);
        assert!(matches!(
            g.decide(Priority::User, 2, &view(1), "x"),
            Decision::Defer { .. }
        ));
        let unknown = BudgetView {
            remaining: None,
            limit: 600,
            reset_in: None,
            bulk_spent: 0,
            bulk_frees_in: None,
        };
        assert_eq!(
            g.decide(Priority::Background, 5, &unknown, "x"),
            Decision::Go
        );
    }

    #[test]
    fn bulk_work_keeps_to_its_share_and_the_reserve() {
        let g = Governor::new(0.2);
        assert_eq!(g.bulk_points(600), 120, "20% by default");
        let mut v = view(500);
        v.bulk_spent = 119;
        v.bulk_frees_in = Some(Duration::from_millis(7_400));
        assert_eq!(g.decide(Priority::Bulk, 1, &v, "sync"), Decision::Go);
        v.bulk_spent = 120;
        let Decision::Defer { reason, retry_in } = g.decide(Priority::Bulk, 1, &v, "sync") else {
            panic!("over the share must wait")
        };
        assert_eq!(retry_in, Duration::from_millis(7_400));
        assert_eq!(
            reason,
            "sync: background work took its 20% share of the team's budget (120/120 points this minute); retrying in 8 s"
        );
        // The share binds bulk work only; live polls keep to the reserve alone.
        assert_eq!(g.decide(Priority::Background, 1, &v, "poll"), Decision::Go);
        // Under the reserve, bulk work waits even with its share unused.
        let low = view(100);
        assert!(matches!(
            g.decide(Priority::Bulk, 1, &low, "sync"),
            Decision::Defer { .. }
        ));
        let g = Governor::new(0.2).with_bulk_share(0.05);
        assert_eq!(g.bulk_points(600), 30);
        assert!(Priority::Bulk.is_background() && !Priority::Visible.is_background());
    }

    #[test]
    fn deferral_says_what_it_needs_and_when() {
        let g = Governor::new(0.2);
        let Decision::Defer { reason, retry_in } =
            g.decide(Priority::Background, 3, &view(100), "3 pages of emails")
        else {
            panic!("must defer")
        };
        assert_eq!(retry_in, Duration::from_secs(23));
        assert_eq!(
            reason,
            "3 pages of emails needs 3 points; 100/600 left this minute, 120 kept for your own actions; retrying in 23 s"
        );
        assert_eq!(
            (
                super::super::cost::page_cost(1),
                super::super::cost::page_cost(100),
                super::super::cost::page_cost(101),
                super::super::cost::page_cost(501)
            ),
            (1, 1, 3, 30)
        );
    }

    #[test]
    fn pauses_below_reserve_and_resumes_with_margin() {
        let mut g = Governor::new(0.2);
        assert_eq!(g.update_pause(&view(500)), None);
        assert_eq!(
            g.update_pause(&view(85)),
            Some(Some(
                "budget 85/600 under the 20% reserve; live updates paused".into()
            ))
        );
        assert!(g.is_paused());
        assert_eq!(g.update_pause(&view(90)), None);
        assert_eq!(
            g.update_pause(&view(130)),
            None,
            "inside the hysteresis margin"
        );
        assert_eq!(g.update_pause(&view(600)), Some(None));
        assert!(!g.is_paused());
        assert_eq!(
            g.paused_read_reason(&view(85), "people index", Duration::from_secs(5)),
            "people index: budget 85/600 under the 20% reserve, kept for your own actions; retrying in 5 s"
        );
    }

    #[test]
    fn notices_spend_it_did_not_cause() {
        let mut g = Governor::new(0.2);
        g.observe(Some(599), 1);
        g.observe(Some(590), 9);
        assert_eq!(g.foreign_spend(), 0, "we spent all of it");
        g.observe(None, 2);
        g.observe(Some(480), 3);
        assert_eq!(g.foreign_spend(), 105);
        let reason = g.pause_reason(&view(100));
        assert!(
            reason.contains("other integrations on the team spent about 105"),
            "{reason}"
        );
        g.observe(Some(482), 1);
        assert_eq!(
            g.foreign_spend(),
            102,
            "a small rise is reordering, not a refill"
        );
        g.observe(Some(599), 1);
        assert_eq!(g.foreign_spend(), 0, "a refilled window starts over");
    }
}
