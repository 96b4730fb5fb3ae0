//! Engagement counts and the rates derived from them.

use std::ops::{AddAssign, SubAssign};

/// Engagement counts over a set of emails.
///
/// Definitions (exact):
/// - `sent`: emails with a sent status;
/// - `bounced`: sent emails flagged `bounced`;
/// - `delivered`: `sent - bounced`;
/// - `opened` / `clicked` / `replied`: delivered emails with views / clicks / replies > 0.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Engagement {
    pub sent: u64,
    pub delivered: u64,
    pub opened: u64,
    pub clicked: u64,
    pub replied: u64,
    pub bounced: u64,
}

/// Rates as fractions in `0.0..=1.0`; `None` when the denominator is zero (never NaN).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct EngagementRates {
    /// `opened / delivered`.
    pub open: Option<f64>,
    /// `clicked / delivered`.
    pub click: Option<f64>,
    /// `replied / delivered`.
    pub reply: Option<f64>,
    /// `bounced / sent`.
    pub bounce: Option<f64>,
}

impl Engagement {
    /// The contribution of one email, from its flags.
    pub fn of_email(sent: bool, bounced: bool, viewed: bool, clicked: bool, replied: bool) -> Self {
        let sent = sent as u64;
        let bounced = sent & bounced as u64;
        let delivered = sent - bounced;
        Engagement {
            sent,
            delivered,
            opened: delivered & viewed as u64,
            clicked: delivered & clicked as u64,
            replied: delivered & replied as u64,
            bounced,
        }
    }

    /// True when nothing at all was sent.
    pub fn is_empty(&self) -> bool {
        *self == Engagement::default()
    }

    pub fn rates(&self) -> EngagementRates {
        EngagementRates {
            open: ratio(self.opened, self.delivered),
            click: ratio(self.clicked, self.delivered),
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
                && self.bounced >= o.bounced,
            "subtracting {o:?} from {self:?}"
        );
        self.sent = self.sent.saturating_sub(o.sent);
        self.delivered = self.delivered.saturating_sub(o.delivered);
        self.opened = self.opened.saturating_sub(o.opened);
        self.clicked = self.clicked.saturating_sub(o.clicked);
        self.replied = self.replied.saturating_sub(o.replied);
        self.bounced = self.bounced.saturating_sub(o.bounced);
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
