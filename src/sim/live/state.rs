//! What [`Live`] keeps between two `advance`s (its methods are in
//! `sim/live.rs`, `work.rs` and `plan.rs`).

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};

use super::report::EventKind;
use crate::sim::model::Micros;
use crate::sim::rng::Rng;

/// Drives the dataset forward in time. Keep one per dataset.
#[derive(Debug, Clone)]
pub struct Live {
    pub(super) rng: Rng,
    pub(super) started: bool,
    /// Memberships that may act (active, staged, scheduled, processing).
    pub(super) candidates: Vec<u64>,
    pub(super) seen_memberships: usize,
    /// Scheduled or pending emails waiting for their step: (person, step) -> email.
    pub(super) pending: HashMap<(u64, u64), u64>,
    /// Engagement to come: (due, sequence, email id, kind).
    pub(super) queue: BinaryHeap<Reverse<(Micros, u64, u64, EventKind)>>,
    pub(super) seq: u64,
    pub(super) next_action: u64,
    pub(super) next_mailing: u64,
    pub(super) ticks: u64,
}
