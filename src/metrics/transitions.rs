//! New engagement observed on one email ([`Transitions`]): what the aggregator
//! reports of each fact and the activity series counts.

/// New engagement observed on one email: a delivered email's views, clicks or replies went
/// from zero to non-zero (or a new email arrived that already had them). Independent of the
/// time range: a reply observed now to an old email is activity now.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Transitions {
    pub cadence_id: Option<u64>,
    pub opened: bool,
    pub clicked: bool,
    pub replied: bool,
}

impl Transitions {
    pub fn any(&self) -> bool {
        self.opened || self.clicked || self.replied
    }
}
