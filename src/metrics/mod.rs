//! Engagement arithmetic: pure, incremental, idempotent aggregation keyed by email id.
//!
//! This module knows nothing about HTTP, the simulator or the terminal. The worker turns
//! each SalesLoft email into an [`EmailFact`] and feeds it to an [`Aggregator`]; the TUI
//! reads [`Engagement`] counts and [`EngagementRates`] per cadence, per step and in total,
//! and an [`ActivitySeries`] of live opens, clicks and replies for a sparkline.

mod aggregator;
mod engagement;
mod range;
mod series;
pub mod stats;

#[cfg(test)]
mod prop_tests;
#[cfg(test)]
mod tests;

pub use aggregator::{Aggregator, GroupTotals, Transitions, Upserted};
pub use engagement::{Engagement, EngagementRates, format_rate};
pub use range::TimeRange;
pub use series::{ActivityKind, ActivitySeries};

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
    pub sent_at: Option<DateTime<Utc>>,
    pub updated_at: DateTime<Utc>,
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
