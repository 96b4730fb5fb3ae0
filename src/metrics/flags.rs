//! The one-byte encoding of an [`EmailFact`](super::EmailFact)'s flags, shared by the aggregator and
//! the store. Tracking is stored negated (`*_UNTRACKED`), so a byte written before
//! tracking was recorded reads as tracked, as every email was counted then.

pub const SENT: u8 = 1;
pub const BOUNCED: u8 = 2;
pub const VIEWED: u8 = 4;
pub const CLICKED: u8 = 8;
pub const REPLIED: u8 = 16;
pub const VIEW_UNTRACKED: u8 = 32;
pub const CLICK_UNTRACKED: u8 = 64;
