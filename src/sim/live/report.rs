//! What live activity reports ([`LiveReport`]) and the kinds of engagement it
//! queues ([`EventKind`]), shared by the clock (`live.rs`) and the events.

/// What one `advance` changed.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct LiveReport {
    pub emails_sent: u32,
    pub views: u32,
    pub clicks: u32,
    pub replies: u32,
    pub bounces: u32,
    pub calls: u32,
    pub memberships_added: u32,
    /// Memberships whose state or step changed.
    pub memberships_moved: u32,
    /// Row inserts and updates across all tables.
    pub rows_changed: u32,
}

/// An engagement event queued for an email.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum EventKind {
    View,
    Click,
    Reply,
    Bounce,
}
