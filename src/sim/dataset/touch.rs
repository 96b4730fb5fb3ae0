//! What a single touch (one email or call) carries and leaves behind: where it
//! belongs, what it did, the person's last contact. Plain data shared by the
//! activity builder and the touches it makes (`engage`).

use crate::sim::model::Micros;

/// Where an email or call belongs: a cadence step, or nothing (one-off).
#[derive(Clone, Copy)]
pub(super) struct Origin {
    pub cadence_id: u64,
    pub step_id: u64,
    pub action_id: u64,
    /// The template variant of an email step.
    pub template_id: Option<u64>,
    /// The template's reply multiplier (1 without a template).
    pub reply_factor: f64,
    /// Engagement multiplier (cadence quality times step quality).
    pub quality: f64,
    pub bounce_factor: f64,
    pub click_tracking: bool,
}

/// What one email did, for the membership's counts.
#[derive(Default, Clone, Copy)]
pub(super) struct Touch {
    pub sent: bool,
    pub bounced: bool,
    pub viewed: bool,
    pub clicked: bool,
    pub replied: bool,
    pub replied_at: Option<Micros>,
    pub updated_at: Micros,
}

/// Last-contact bookkeeping per person, written into `Person` at the end.
#[derive(Default, Clone, Copy)]
pub(super) struct Contact {
    pub last_at: Micros,
    /// 0 none, 1 email, 2 call
    pub kind: u8,
    pub by: u64,
    pub replied_at: Option<Micros>,
}

pub(super) enum EmailKind {
    /// Sent (or failed/cancelled) at `send_at`.
    Send { send_at: Micros },
    /// Not sent yet: scheduled or pending for `send_after`.
    Pending { send_after: Micros, pending: bool },
}
