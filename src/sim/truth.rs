//! Ground truth computed straight from the rows: per-cadence engagement (what the
//! dashboard should show), cadence people counts, and a consistency audit.
//!
//! Engagement definitions, per cadence, over emails with that `cadence_id`:
//! * `sent` — status `sent`, `sent_from_gmail` or `sent_from_external`;
//! * `bounced` — sent and `bounced == true`;
//! * `delivered` — `sent - bounced`;
//! * `opened` / `clicked` / `replied` — delivered emails with `views` / `clicks` /
//!   `replies` > 0;
//! * `view_tracked` / `click_tracked` — delivered emails sent with `view_tracking` /
//!   `click_tracking` on (the open and click rates' denominators).

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};

use serde_json::{Map, Value, json};

use super::model::{Dataset, MembershipCounts, Micros, PersonCounts};

/// One cadence's engagement tallies.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Engagement {
    pub sent: u64,
    pub delivered: u64,
    pub opened: u64,
    pub clicked: u64,
    pub replied: u64,
    pub bounced: u64,
    pub view_tracked: u64,
    pub click_tracked: u64,
}

/// Typed engagement per cadence id (every cadence present), emails with
/// `sent_at >= since` only when `since` is given.
pub fn engagement_counts(ds: &Dataset, since: Option<Micros>) -> BTreeMap<u64, Engagement> {
    let mut out: BTreeMap<u64, Engagement> = ds
        .cadences
        .iter()
        .map(|c| (c.id, Engagement::default()))
        .collect();
    for e in ds.emails.iter() {
        let Some(cid) = e.cadence_id else { continue };
        if !e.status.is_sent() {
            continue;
        }
        if let Some(since) = since
            && e.sent_at.is_none_or(|t| t < since)
        {
            continue;
        }
        let g = out.entry(cid).or_default();
        g.sent += 1;
        if e.bounced {
            g.bounced += 1;
            continue;
        }
        g.delivered += 1;
        g.opened += u64::from(e.views > 0);
        g.clicked += u64::from(e.clicks > 0);
        g.replied += u64::from(e.replies > 0);
        g.view_tracked += u64::from(e.view_tracking);
        g.click_tracked += u64::from(e.click_tracking);
    }
    out
}

fn to_json(counts: BTreeMap<u64, Engagement>) -> Value {
    let map: Map<String, Value> = counts
        .into_iter()
        .map(|(id, g)| {
            (
                id.to_string(),
                json!({
                    "sent": g.sent,
                    "delivered": g.delivered,
                    "opened": g.opened,
                    "clicked": g.clicked,
                    "replied": g.replied,
                    "bounced": g.bounced,
                    "view_tracked": g.view_tracked,
                    "click_tracked": g.click_tracked,
                }),
            )
        })
        .collect();
    Value::Object(map)
}

/// `{"<cadence id>": {"sent", "delivered", "opened", "clicked", "replied", "bounced"}}`.
pub fn engagement(ds: &Dataset) -> Value {
    engagement_since(ds, None)
}

/// Like [`engagement`], counting only emails with `sent_at >= since`.
pub fn engagement_since(ds: &Dataset, since: Option<Micros>) -> Value {
    to_json(engagement_counts(ds, since))
}

/// Derived per-cadence counts rendered in `counts` of a cadence.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CadencePeople {
    /// Memberships currently on the cadence.
    pub cadence_people: u32,
    /// Of those, how many have had at least one email sent or call made.
    pub people_acted_on: u32,
}

struct CacheEntry {
    stamp: (u64, u64),
    counts: Arc<HashMap<u64, CadencePeople>>,
}

/// Memo of [`cadence_people_all`], keyed by the memberships table's stamp, so a
/// page of cadences costs one pass over the memberships only after they change
/// (live updates, server creates/deletes) and none otherwise.
static CACHE: Mutex<Vec<CacheEntry>> = Mutex::new(Vec::new());
const CACHE_SLOTS: usize = 8;

/// Cadence people counts for every cadence with memberships (always current).
pub fn cadence_people_all(ds: &Dataset) -> Arc<HashMap<u64, CadencePeople>> {
    let stamp = ds.memberships.stamp();
    {
        let cache = CACHE.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(hit) = cache.iter().find(|e| e.stamp == stamp) {
            return Arc::clone(&hit.counts);
        }
    }
    let mut counts: HashMap<u64, CadencePeople> = HashMap::new();
    for m in ds.memberships.iter() {
        if !m.state.on_cadence() {
            continue;
        }
        let c = counts.entry(m.cadence_id).or_default();
        c.cadence_people += 1;
        c.people_acted_on += u32::from(m.counts.sent_emails + m.counts.calls > 0);
    }
    let counts = Arc::new(counts);
    let mut cache = CACHE.lock().unwrap_or_else(|e| e.into_inner());
    if cache.len() >= CACHE_SLOTS {
        cache.remove(0);
    }
    cache.push(CacheEntry {
        stamp,
        counts: Arc::clone(&counts),
    });
    counts
}

/// Cadence people counts for one cadence.
pub fn cadence_people(ds: &Dataset, cadence_id: u64) -> CadencePeople {
    cadence_people_all(ds)
        .get(&cadence_id)
        .copied()
        .unwrap_or_default()
}

/// Checks every invariant the simulator promises; returns the problems found
/// (empty when consistent). Used by tests after generation and live updates.
pub fn check_consistency(ds: &Dataset) -> Vec<String> {
    let mut problems = Vec::new();
    let mut note = |msg: String| {
        if problems.len() < 25 {
            problems.push(msg);
        }
    };
    let mut by_pair: HashMap<(u64, u64), MembershipCounts> = HashMap::new();
    let mut by_person: HashMap<u64, PersonCounts> = HashMap::new();
    for e in ds.emails.iter() {
        if !(e.created_at <= e.updated_at && e.updated_at <= ds.now) {
            note(format!("email {} timestamps out of order", e.id));
        }
        if !e.status.is_sent() {
            if e.views + e.clicks + e.replies > 0 || e.bounced || e.sent_at.is_some() {
                note(format!("unsent email {} has delivery data", e.id));
            }
            continue;
        }
        if e.bounced && e.views + e.clicks + e.replies > 0 {
            note(format!("bounced email {} has engagement", e.id));
        }
        let p = by_person.entry(e.person_id).or_default();
        p.emails_sent += 1;
        p.emails_viewed += u32::from(e.views > 0);
        p.emails_clicked += u32::from(e.clicks > 0);
        p.emails_replied_to += u32::from(e.replies > 0);
        p.emails_bounced += u32::from(e.bounced);
        if let Some(cid) = e.cadence_id {
            let m = by_pair.entry((e.person_id, cid)).or_default();
            m.sent_emails += 1;
            m.views += u32::from(e.views > 0);
            m.clicks += u32::from(e.clicks > 0);
            m.replies += u32::from(e.replies > 0);
            m.bounces += u32::from(e.bounced);
        }
    }
    for c in ds.calls.iter() {
        if !(c.created_at <= c.updated_at && c.updated_at <= ds.now) {
            note(format!("call {} timestamps out of order", c.id));
        }
        by_person.entry(c.person_id).or_default().calls += 1;
        if let Some(cid) = c.cadence_id {
            by_pair.entry((c.person_id, cid)).or_default().calls += 1;
        }
    }
    for (pair, counts) in &by_pair {
        match ds
            .membership_by_pair
            .get(pair)
            .and_then(|id| ds.memberships.get(*id))
        {
            Some(m) if m.counts == *counts => {}
            Some(m) => note(format!(
                "membership {} counts {:?} != {counts:?}",
                m.id, m.counts
            )),
            None => note(format!("activity for {pair:?} without a membership")),
        }
    }
    for m in ds.memberships.iter() {
        let expected = by_pair
            .get(&(m.person_id, m.cadence_id))
            .copied()
            .unwrap_or_default();
        if m.counts != expected {
            note(format!(
                "membership {} counts {:?} != {expected:?}",
                m.id, m.counts
            ));
        }
        if ds.membership_by_pair.get(&(m.person_id, m.cadence_id)) != Some(&m.id) {
            note(format!(
                "membership {} missing from membership_by_pair",
                m.id
            ));
        }
        if !(m.created_at.min(m.added_at) <= m.updated_at && m.updated_at <= ds.now) {
            note(format!("membership {} timestamps out of order", m.id));
        }
    }
    for p in ds.people.iter() {
        let expected = by_person.get(&p.id).copied().unwrap_or_default();
        if p.counts != expected {
            note(format!(
                "person {} counts {:?} != {expected:?}",
                p.id, p.counts
            ));
        }
        if !(p.created_at <= p.updated_at && p.updated_at <= ds.now) {
            note(format!("person {} timestamps out of order", p.id));
        }
        if let Some(email) = &p.email_address
            && ds.person_by_email.get(&email.to_lowercase()) != Some(&p.id)
        {
            note(format!("person {} missing from person_by_email", p.id));
        }
    }
    problems
}
