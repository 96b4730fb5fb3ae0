//! Engagement events: one open, click, reply or bounce, applied to the email, its
//! membership and its person together so the counts stay equal.

use super::{EventKind, LiveReport};
use crate::sim::dataset::{
    cadence_bounce_factor, cadence_quality, email_position, step_quality, template_reply_factor,
};
use crate::sim::model::{Dataset, Email, MembershipState, Micros};

/// (engagement multiplier, bounce multiplier) of an email, as the generator uses them.
pub(super) fn email_quality(ds: &Dataset, e: &Email) -> (f64, f64) {
    let (Some(cid), Some(sid)) = (e.cadence_id, e.step_id) else {
        return (1.0, 1.0);
    };
    let pos = ds
        .cadences
        .get(cid)
        .map_or(0, |c| email_position(c, &ds.steps, sid));
    (
        cadence_quality(ds.team_id, cid) * step_quality(ds.team_id, sid, pos),
        cadence_bounce_factor(ds.team_id, cid),
    )
}

/// The reply multiplier of an email's template, as the generator uses it.
pub(super) fn reply_factor(ds: &Dataset, e: &Email) -> f64 {
    e.template_id
        .map_or(1.0, |t| template_reply_factor(ds.team_id, t))
}

/// Applies one event at time `t`. Events that no longer make sense (email gone,
/// bounced, tracking off) are dropped.
pub(super) fn apply(
    ds: &mut Dataset,
    email_id: u64,
    kind: EventKind,
    t: Micros,
    report: &mut LiveReport,
) {
    let Some(e) = ds.emails.get(email_id) else {
        return;
    };
    if !e.status.is_sent() || e.bounced {
        return;
    }
    let first = match kind {
        EventKind::View if e.view_tracking => e.views == 0,
        EventKind::Click if e.click_tracking => e.clicks == 0,
        EventKind::Reply => e.replies == 0,
        EventKind::Bounce if e.views + e.clicks + e.replies == 0 => true,
        _ => return,
    };
    let (person_id, cadence_id) = (e.person_id, e.cadence_id);
    ds.emails.update(email_id, |e| {
        match kind {
            EventKind::View => {
                e.views += 1;
                e.unique_devices = e.unique_devices.max(1) + u32::from(e.views == 4);
                e.unique_locations = e.unique_locations.max(1);
            }
            EventKind::Click => e.clicks += 1,
            EventKind::Reply => e.replies += 1,
            EventKind::Bounce => e.bounced = true,
        }
        e.updated_at = e.updated_at.max(t);
    });
    report.rows_changed += 1;
    match kind {
        EventKind::View => report.views += 1,
        EventKind::Click => report.clicks += 1,
        EventKind::Reply => report.replies += 1,
        EventKind::Bounce => report.bounces += 1,
    }
    if !first {
        return;
    }
    if let Some(cid) = cadence_id {
        let (remove_on_reply, remove_on_bounce) =
            ds.cadences.get(cid).map_or((false, false), |c| {
                (c.remove_replies_enabled, c.remove_bounces_enabled)
            });
        if let Some(mid) = ds.membership_by_pair.get(&(person_id, cid)).copied() {
            let moved = ds.memberships.update(mid, |m| {
                match kind {
                    EventKind::View => m.counts.views += 1,
                    EventKind::Click => m.counts.clicks += 1,
                    EventKind::Reply => m.counts.replies += 1,
                    EventKind::Bounce => m.counts.bounces += 1,
                }
                m.updated_at = m.updated_at.max(t);
                let remove = (kind == EventKind::Reply && remove_on_reply)
                    || (kind == EventKind::Bounce && remove_on_bounce);
                if remove && m.state.on_cadence() {
                    m.state = MembershipState::Removed;
                    m.step_id = None;
                    true
                } else {
                    false
                }
            });
            report.rows_changed += 1;
            report.memberships_moved += u32::from(moved == Some(true));
        }
    }
    ds.people.update(person_id, |p| {
        match kind {
            EventKind::View => p.counts.emails_viewed += 1,
            EventKind::Click => p.counts.emails_clicked += 1,
            EventKind::Reply => {
                p.counts.emails_replied_to += 1;
                p.last_replied_at = Some(t);
            }
            EventKind::Bounce => {
                p.counts.emails_bounced += 1;
                p.bouncing = true;
            }
        }
        p.updated_at = p.updated_at.max(t);
    });
    report.rows_changed += 1;
}
