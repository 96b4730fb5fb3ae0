//! Bulk-update clumps: many rows sharing one exact `updated_at`, the way a real
//! bulk owner reassignment or CRM re-sync leaves them. Cursor walks
//! (`updated_at[gt]=...`) must cope with these ties.

use super::basis::{DAY, HOUR};
use crate::sim::model::{Dataset, Micros};
use crate::sim::rng::Rng;

/// Picks up to `n` ids from `candidates` (partial Fisher-Yates), in id order.
fn choose(rng: &mut Rng, mut candidates: Vec<u64>, n: usize) -> Vec<u64> {
    let n = n.min(candidates.len());
    for i in 0..n {
        let j = i + rng.index(candidates.len() - i);
        candidates.swap(i, j);
    }
    candidates.truncate(n);
    candidates.sort_unstable();
    candidates
}

/// A clump time: some way back from `now`, with a non-zero micro part.
fn clump_time(rng: &mut Rng, now: Micros, days_back: i64) -> Micros {
    now - days_back * DAY - rng.range_i64(1, HOUR)
}

pub(super) fn apply(rng: &mut Rng, ds: &mut Dataset) {
    let now = ds.now;

    // People: a manager reassigned a few hundred leads to one rep.
    let t = clump_time(rng, now, 2);
    let owners: Vec<u64> = ds.users.iter().filter(|u| u.active).map(|u| u.id).collect();
    let owner = rng.try_pick(&owners).copied();
    let candidates = ds
        .people
        .iter()
        .filter(|p| p.updated_at < t)
        .map(|p| p.id)
        .collect();
    for id in choose(rng, candidates, (ds.people.len() / 15).clamp(150, 400)) {
        ds.people.update(id, |p| {
            p.updated_at = t;
            if owner.is_some() {
                p.owner_id = owner;
            }
        });
    }

    // Emails: a CRM re-sync touched a few hundred sent emails at once.
    let t = clump_time(rng, now, 5);
    let candidates = ds
        .emails
        .iter()
        .filter(|e| e.status.is_sent() && e.updated_at < t)
        .map(|e| e.id)
        .collect();
    for id in choose(rng, candidates, (ds.emails.len() / 100).clamp(150, 500)) {
        ds.emails.update(id, |e| e.updated_at = t);
    }

    // Memberships: a bulk "reassign to rep" touched a batch of memberships.
    let t = clump_time(rng, now, 1);
    let candidates = ds
        .memberships
        .iter()
        .filter(|m| m.updated_at < t)
        .map(|m| m.id)
        .collect();
    for id in choose(rng, candidates, (ds.memberships.len() / 50).clamp(150, 300)) {
        ds.memberships.update(id, |m| m.updated_at = t);
    }
}
