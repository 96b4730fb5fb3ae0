//! Engagement counts and the rates derived from them.

use std::ops::{AddAssign, SubAssign};

/// Engagement counts over a set of emails.
///
/// Definitions (exact):
/// - `sent`: emails with a sent status;
/// - `bounced`: sent emails flagged `bounced`;
/// - `delivered`: `sent - bounced`;
/// - `view_tracked` / `click_tracked`: delivered emails sent with `view_tracking` /
///   `click_tracking` on: the open and click rates' denominators, since an
///   untracked email can never show an open or a click;
/// - `opened`: view-tracked delivered emails with views > 0;
/// - `clicked`: click-tracked delivered emails with clicks > 0;
/// - `replied`: delivered emails with replies > 0 (replies are seen without tracking).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Engagement {
    pub sent: u64,
    pub delivered: u64,
    pub opened: u64,
    pub clicked: u64,
    pub replied: u64,
    pub bounced: u64,
    pub view_tracked: u64,
    pub click_tracked: u64,
}

/// Rates as fractions in `0.0..=1.0`; `None` when the denominator is zero (never NaN).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct EngagementRates {
    /// `opened / view_tracked`.
    pub open: Option<f64>,
    /// `clicked / click_tracked`.
    pub click: Option<f64>,
    /// `replied / delivered`.
    pub reply: Option<f64>,
    /// `bounced / sent`.
    pub bounce: Option<f64>,
}

impl Engagement {
    /// The contribution of one tracked email, from its flags.
    pub fn of_email(sent: bool, bounced: bool, viewed: bool, clicked: bool, replied: bool) -> Self {
        use super::flags as f;
        let byte = (sent as u8 * f::SENT)
            | (bounced as u8 * f::BOUNCED)
            | (viewed as u8 * f::VIEWED)
            | (clicked as u8 * f::CLICKED)
            | (replied as u8 * f::REPLIED);
        Engagement::of_flags(byte)
    }

    /// The contribution of one email, from its flags byte (see [`super::flags`]).
    pub fn of_flags(byte: u8) -> Self {
        use super::flags as f;
        let has = |flag: u8| u64::from(byte & flag != 0);
        let sent = has(f::SENT);
        let bounced = sent & has(f::BOUNCED);
        let delivered = sent - bounced;
        let view_tracked = delivered & (1 - has(f::VIEW_UNTRACKED));
        let click_tracked = delivered & (1 - has(f::CLICK_UNTRACKED));
        Engagement {
            sent,
            delivered,
            opened: view_tracked & has(f::VIEWED),
            clicked: click_tracked & has(f::CLICKED),
            replied: delivered & has(f::REPLIED),
            bounced,
            view_tracked,
            click_tracked,
        }
    }

    /// True when nothing at all was sent.
    pub fn is_empty(&self) -> bool {
        *self == Engagement::default()
    }

    pub fn rates(&self) -> EngagementRates {
        EngagementRates {
            open: ratio(self.opened, self.view_tracked),
            click: ratio(self.clicked, self.click_tracked),
            reply: ratio(self.replied, self.delivered),
            bounce: ratio(self.bounced, self.sent),
        }
    }
}

fn ratio(count: u64, denominator: u64) -> Option<f64> {
    (denominator > 0).then(|| count as f64 / denominator as f64)
}

impl AddAssign for Engagement {
    fn add_assign(&mut self, o: Self) {
        self.sent += o.sent;
        self.delivered += o.delivered;
        self.opened += o.opened;
        self.clicked += o.clicked;
        self.replied += o.replied;
        self.bounced += o.bounced;
        self.view_tracked += o.view_tracked;
        self.click_tracked += o.click_tracked;
    }
}

impl SubAssign for Engagement {
    /// Removes a contribution previously added. Saturates instead of wrapping, and a
    /// debug build asserts that the contribution was really there.
    fn sub_assign(&mut self, o: Self) {
        debug_assert!(
            self.sent >= o.sent
                && self.delivered >= o.delivered
                && self.opened >= o.opened
                && self.clicked >= o.clicked
                && self.replied >= o.replied
                && self.bounced >= o.bounced
                && self.view_tracked >= o.view_tracked
                && self.click_tracked >= o.click_tracked,
            "subtracting {o:?} from {self:?}"
        );
        self.sent = self.sent.saturating_sub(o.sent);
        self.delivered = self.delivered.saturating_sub(o.delivered);
        self.opened = self.opened.saturating_sub(o.opened);
        self.clicked = self.clicked.saturating_sub(o.clicked);
        self.replied = self.replied.saturating_sub(o.replied);
        self.bounced = self.bounced.saturating_sub(o.bounced);
        self.view_tracked = self.view_tracked.saturating_sub(o.view_tracked);
        self.click_tracked = self.click_tracked.saturating_sub(o.click_tracked);
    }
}

/// `"42.1%"` for `Some(0.421)`, `"—"` for `None`.
pub fn format_rate(rate: Option<f64>) -> String {
    match rate {
        Some(r) if r.is_finite() => format!("{:.1}%", r * 100.0),
        _ => "—".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounced_sent_email_is_sent_and_bounced_but_not_delivered() {
        let e = Engagement::of_email(true, true, true, true, true);
        assert_eq!(
            e,
            Engagement {
                sent: 1,
                bounced: 1,
                ..Default::default()
            },
            "a bounced email counts in sent and bounced only, even with views"
        );
    }

    #[test]
    fn untracked_emails_never_count_against_open_or_click_rates() {
        use crate::metrics::flags::{CLICK_UNTRACKED, SENT, VIEW_UNTRACKED, VIEWED};
        let mut e = Engagement::of_flags(SENT | VIEWED);
        e += Engagement::of_flags(SENT | VIEW_UNTRACKED);
        e += Engagement::of_flags(SENT | CLICK_UNTRACKED);
        // A view on an untracked email (should not happen) is not counted either.
        e += Engagement::of_flags(SENT | VIEW_UNTRACKED | VIEWED);
        assert_eq!((e.delivered, e.view_tracked, e.click_tracked), (4, 2, 3));
        assert_eq!(e.opened, 1);
        let r = e.rates();
        assert_eq!(r.open, Some(0.5));
        assert_eq!(r.click, Some(0.0));
        assert_eq!(
            r.reply,
            Some(0.0),
            "replies still count over every delivered email"
        );
    }

    #[test]
    fn unsent_email_counts_nowhere() {
        assert!(Engagement::of_email(false, true, true, true, true).is_empty());
    }

    #[test]
    fn delivered_email_counts_its_engagement() {
        let e = Engagement::of_email(true, false, true, false, true);
        assert_eq!(
            e,
            Engagement {
                sent: 1,
                delivered: 1,
                opened: 1,
                replied: 1,
                view_tracked: 1,
                click_tracked: 1,
                ..Default::default()
            }
        );
    }

    #[test]
    fn zero_denominators_give_none_and_a_dash() {
        let r = Engagement::default().rates();
        assert_eq!(
            r,
            EngagementRates {
                open: None,
                click: None,
                reply: None,
                bounce: None
            }
        );
        assert_eq!(format_rate(r.open), "—");
        // Everything bounced: a bounce rate exists, the delivered-based rates do not.
        let all_bounced = Engagement {
            sent: 2,
            bounced: 2,
            ..Default::default()
        };
        let r = all_bounced.rates();
        assert_eq!(r.bounce, Some(1.0));
        assert_eq!(r.open, None);
        assert_eq!(format_rate(r.bounce), "100.0%");
    }

    #[test]
    fn rates_use_delivered_and_sent_denominators() {
        let e = Engagement {
            sent: 10,
            bounced: 2,
            delivered: 8,
            opened: 4,
            clicked: 2,
            replied: 1,
            view_tracked: 8,
            click_tracked: 8,
        };
        let r = e.rates();
        assert_eq!(r.open, Some(0.5));
        assert_eq!(r.click, Some(0.25));
        assert_eq!(r.reply, Some(0.125));
        assert_eq!(r.bounce, Some(0.2));
        assert_eq!(format_rate(Some(0.421)), "42.1%");
        assert_eq!(format_rate(Some(0.0)), "0.0%");
        assert_eq!(format_rate(Some(f64::NAN)), "—");
    }
}
