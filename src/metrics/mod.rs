//! Engagement arithmetic: pure, incremental, idempotent aggregation keyed by email id.
//!
//! This module knows nothing about HTTP, the simulator or the terminal. The worker turns
//! each SalesLoft email into an [`EmailFact`] and feeds it to an [`Aggregator`]; the TUI
//! reads [`Engagement`] counts and [`EngagementRates`] per cadence, per step and in total,
//! and an [`ActivitySeries`] of live opens, clicks and replies for a sparkline.

mod aggregator;
pub mod alerts;
pub mod breakdown;
pub mod calls;
mod engagement;
pub mod flags;
pub mod funnel;
mod range;
mod series;
pub mod stats;
mod transitions;

#[cfg(test)]
mod prop_tests;
#[cfg(test)]
mod tests;

pub use aggregator::{Aggregator, GroupTotals, Upserted};
pub use engagement::{Engagement, EngagementRates, format_rate};
pub use range::TimeRange;
pub use series::{ActivityKind, ActivitySeries};
pub use transitions::Transitions;

use chrono::{DateTime, Utc};

use crate::api::models::Email;

/// What the metrics need to know about one SalesLoft email (`/v2/activities/emails`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmailFact {
    pub email_id: u64,
    pub cadence_id: Option<u64>,
    pub step_id: Option<u64>,
    /// The status is `sent`, `sent_from_gmail` or `sent_from_external` (see [`sent_status`]).
    pub sent: bool,
    /// The separate `bounced` flag; SalesLoft keeps `status: "sent"` on a bounced email.
    pub bounced: bool,
    /// `counts.views > 0`.
    pub viewed: bool,
    /// `counts.clicks > 0`.
    pub clicked: bool,
    /// `counts.replies > 0`.
    pub replied: bool,
    /// The email was sent with `view_tracking` on: only such emails count in the
    /// open rate's denominator.
    pub view_tracked: bool,
    /// The email was sent with `click_tracking` on (the click rate's denominator).
    pub click_tracked: bool,
    /// The `email_template` the email was written from, if any.
    pub template_id: Option<u64>,
    /// The person the email went to (`recipient`), if known: the funnel's
    /// "people reached".
    pub person_id: Option<u64>,
    pub sent_at: Option<DateTime<Utc>>,
    pub updated_at: DateTime<Utc>,
}

impl EmailFact {
    /// The flags byte (see [`flags`]).
    pub fn flags(&self) -> u8 {
        (self.sent as u8 * flags::SENT)
            | (self.bounced as u8 * flags::BOUNCED)
            | (self.viewed as u8 * flags::VIEWED)
            | (self.clicked as u8 * flags::CLICKED)
            | (self.replied as u8 * flags::REPLIED)
            | (!self.view_tracked as u8 * flags::VIEW_UNTRACKED)
            | (!self.click_tracked as u8 * flags::CLICK_UNTRACKED)
    }

    /// Sets the flag fields from a flags byte (see [`flags`]).
    pub fn set_flags(&mut self, byte: u8) {
        self.sent = byte & flags::SENT != 0;
        self.bounced = byte & flags::BOUNCED != 0;
        self.viewed = byte & flags::VIEWED != 0;
        self.clicked = byte & flags::CLICKED != 0;
        self.replied = byte & flags::REPLIED != 0;
        self.view_tracked = byte & flags::VIEW_UNTRACKED == 0;
        self.click_tracked = byte & flags::CLICK_UNTRACKED == 0;
    }

    /// This email's contribution to the engagement counts.
    pub fn engagement(&self) -> Engagement {
        Engagement::of_flags(self.flags())
    }
}

/// What the metrics need to know about one SalesLoft email. Pure; never fails.
pub fn email_fact(email: &Email) -> EmailFact {
    EmailFact {
        email_id: email.id,
        cadence_id: email.cadence_id(),
        step_id: email.step_id(),
        sent: email.is_sent(),
        bounced: email.bounced,
        viewed: email.counts.views > 0,
        clicked: email.counts.clicks > 0,
        replied: email.counts.replies > 0,
        view_tracked: email.view_tracking,
        click_tracked: email.click_tracking,
        template_id: email.template_id(),
        person_id: email.recipient.as_ref().and_then(|r| r.id_u64()),
        sent_at: email.sent_at.map(|t| t.with_timezone(&Utc)),
        updated_at: email.updated_at.with_timezone(&Utc),
    }
}

/// Whether an email `status` means the email went out.
///
/// Every other status (`pending`, `scheduled`, `sending`, `delivering`, `failed`,
/// `cancelled`, ...) is not counted anywhere.
pub fn sent_status(status: &str) -> bool {
    matches!(status, "sent" | "sent_from_gmail" | "sent_from_external")
}
