use std::collections::{HashMap, HashSet};

use super::*;
use crate::sim::model::{EmailStatus, MembershipState, Micros};
use crate::sim::truth::{check_consistency, engagement_counts};

/// 2024-05-01T12:00:00.123457Z
pub(crate) const NOW: Micros = 1_714_564_800_123_457;

pub(crate) fn opts(seed: u64, people: usize) -> GenOptions {
    GenOptions {
        seed,
        people,
        cadences: 40,
        users: 12,
        now: NOW,
    }
}

fn fingerprint(ds: &Dataset) -> String {
    format!(
        "{:?}{:?}{:?}{:?}{:?}{:?}{:?}{:?}",
        ds.users.iter().collect::<Vec<_>>(),
        ds.people.iter().collect::<Vec<_>>(),
        ds.cadences.iter().collect::<Vec<_>>(),
        ds.steps.iter().collect::<Vec<_>>(),
        ds.email_templates.iter().collect::<Vec<_>>(),
        ds.memberships.iter().collect::<Vec<_>>(),
        ds.emails.iter().collect::<Vec<_>>(),
        ds.calls.iter().collect::<Vec<_>>(),
    )
}

#[test]
fn same_seed_same_data_other_seed_other_data() {
    let a = generate(&opts(7, 400));
    let b = generate(&opts(7, 400));
    let c = generate(&opts(8, 400));
    assert_eq!(fingerprint(&a), fingerprint(&b));
    assert_ne!(fingerprint(&a), fingerprint(&c));
}

#[test]
fn default_sized_team_is_consistent_and_realistic() {
    let ds = generate(&opts(42, 5000));
    let problems = check_consistency(&ds);
    assert!(problems.is_empty(), "{problems:#?}");

    // Every membership state shows up.
    let states: HashSet<MembershipState> = ds.memberships.iter().map(|m| m.state).collect();
    for s in MembershipState::ALL {
        assert!(states.contains(&s), "no membership in state {}", s.as_str());
    }
    // Cadences: all three states, several functions; steps in day order.
    let cstates: HashSet<&str> = ds.cadences.iter().map(|c| c.current_state()).collect();
    assert_eq!(cstates.len(), 3, "{cstates:?}");
    for c in ds.cadences.iter() {
        assert!((3..=12).contains(&c.step_ids.len()));
        let mut prev = (0, 0);
        for id in &c.step_ids {
            let s = ds.steps.get(*id).expect("step exists");
            assert_eq!(s.cadence_id, c.id);
            let expected = if s.day == prev.0 { prev.1 + 1 } else { 1 };
            assert!(s.day >= prev.0);
            assert_eq!(s.step_number, expected, "step {} of cadence {}", s.id, c.id);
            prev = (s.day, s.step_number);
        }
    }
    // One membership per pair; unique lower-case emails.
    let pairs: HashSet<(u64, u64)> = ds
        .memberships
        .iter()
        .map(|m| (m.person_id, m.cadence_id))
        .collect();
    assert_eq!(pairs.len(), ds.memberships.len());
    assert_eq!(ds.membership_by_pair.len(), ds.memberships.len());
    let with_email = ds
        .people
        .iter()
        .filter(|p| p.email_address.is_some())
        .count();
    assert_eq!(ds.person_by_email.len(), with_email);
    assert!(ds.person_by_email.keys().all(|k| *k == k.to_lowercase()));
    assert_eq!(ds.users.iter().filter(|u| u.team_admin).count(), 1);

    // Email statuses: mostly sent, some not sent; one-offs exist.
    let mut statuses: HashMap<EmailStatus, usize> = HashMap::new();
    for e in ds.emails.iter() {
        *statuses.entry(e.status).or_default() += 1;
    }
    let sent: usize = statuses
        .iter()
        .filter(|(s, _)| s.is_sent())
        .map(|(_, n)| n)
        .sum();
    assert!(sent * 100 > ds.emails.len() * 95, "{statuses:?}");
    for s in [
        EmailStatus::Sent,
        EmailStatus::SentFromGmail,
        EmailStatus::SentFromExternal,
        EmailStatus::Scheduled,
        EmailStatus::Pending,
        EmailStatus::Failed,
        EmailStatus::Cancelled,
    ] {
        assert!(
            statuses.contains_key(&s),
            "no {} email: {statuses:?}",
            s.as_str()
        );
    }
    assert!(ds.emails.iter().any(|e| e.cadence_id.is_none()));
    assert!(ds.calls.len() > 100);

    // Rates: bounces 1-3 % of sent, opens tens of percent of delivered.
    let total = engagement_counts(&ds, None)
        .values()
        .fold((0, 0, 0, 0, 0), |a, g| {
            (
                a.0 + g.sent,
                a.1 + g.bounced,
                a.2 + g.opened,
                a.3 + g.clicked,
                a.4 + g.replied,
            )
        });
    let (sent, bounced, opened, clicked, replied) = total;
    let delivered = sent - bounced;
    let rate = |n: u64, d: u64| n as f64 / d as f64;
    assert!(
        (0.01..=0.03).contains(&rate(bounced, sent)),
        "bounce {bounced}/{sent}"
    );
    assert!(
        (0.15..=0.6).contains(&rate(opened, delivered)),
        "open {opened}/{delivered}"
    );
    assert!(
        (0.005..=0.08).contains(&rate(clicked, delivered)),
        "click {clicked}/{delivered}"
    );
    assert!(
        (0.005..=0.08).contains(&rate(replied, delivered)),
        "reply {replied}/{delivered}"
    );

    // Open rates differ believably between cadences.
    let rates: Vec<f64> = engagement_counts(&ds, None)
        .values()
        .filter(|g| g.delivered > 200)
        .map(|g| rate(g.opened, g.delivered))
        .collect();
    let lo = rates.iter().copied().fold(1.0, f64::min);
    let hi = rates.iter().copied().fold(0.0, f64::max);
    assert!(hi - lo > 0.1, "open rates too uniform: {lo}..{hi}");

    // Sends spread over the last ~180 days.
    let oldest = ds
        .emails
        .iter()
        .filter_map(|e| e.sent_at)
        .min()
        .unwrap_or(NOW);
    assert!(NOW - oldest > 150 * DAY);
}

#[test]
fn bulk_update_clumps_share_one_updated_at() {
    let ds = generate(&opts(42, 3000));
    fn biggest<'a>(times: impl Iterator<Item = &'a Micros>) -> usize {
        let mut n: HashMap<Micros, usize> = HashMap::new();
        for t in times {
            *n.entry(*t).or_default() += 1;
        }
        n.into_values().max().unwrap_or(0)
    }
    let people: Vec<Micros> = ds.people.iter().map(|p| p.updated_at).collect();
    let emails: Vec<Micros> = ds.emails.iter().map(|e| e.updated_at).collect();
    let memberships: Vec<Micros> = ds.memberships.iter().map(|m| m.updated_at).collect();
    assert!(biggest(people.iter()) >= 150);
    assert!(biggest(emails.iter()) >= 150);
    assert!(biggest(memberships.iter()) >= 150);
    assert!(check_consistency(&ds).is_empty());
}

#[test]
fn timestamps_have_micro_parts_and_never_pass_now() {
    let ds = generate(&opts(3, 800));
    let mut all: Vec<(Micros, Micros)> = Vec::new();
    all.extend(ds.users.iter().map(|r| (r.created_at, r.updated_at)));
    all.extend(ds.people.iter().map(|r| (r.created_at, r.updated_at)));
    all.extend(ds.cadences.iter().map(|r| (r.created_at, r.updated_at)));
    all.extend(ds.steps.iter().map(|r| (r.created_at, r.updated_at)));
    all.extend(ds.memberships.iter().map(|r| (r.created_at, r.updated_at)));
    all.extend(ds.emails.iter().map(|r| (r.created_at, r.updated_at)));
    all.extend(ds.calls.iter().map(|r| (r.created_at, r.updated_at)));
    for (c, u) in &all {
        assert!(c <= u && *u <= NOW, "{c} {u}");
    }
    let whole = all
        .iter()
        .filter(|(c, u)| c % SECOND == 0 || u % SECOND == 0)
        .count();
    assert!(whole * 1000 < all.len(), "{whole} whole-second timestamps");
}

#[test]
fn sort_by_time_is_a_stable_permutation() {
    let mut rows: Vec<(Micros, u32)> = vec![(5, 0), (1, 1), (5, 2), (0, 3), (3, 4), (1, 5)];
    super::activity::sort_by_time(&mut rows, |r| r.0);
    assert_eq!(rows, vec![(0, 3), (1, 1), (1, 5), (3, 4), (5, 0), (5, 2)]);
}

#[test]
fn tiny_and_empty_teams_work() {
    for (people, cadences, users) in [(0, 0, 0), (0, 3, 1), (5, 0, 2), (20, 1, 1)] {
        let ds = generate(&GenOptions {
            seed: 1,
            people,
            cadences,
            users,
            now: NOW,
        });
        assert_eq!(ds.people.len(), people);
        assert_eq!(ds.cadences.len(), cadences);
        assert!(!ds.users.is_empty());
        assert!(check_consistency(&ds).is_empty());
        let mut ds = ds;
        let mut live = crate::sim::live::Live::new(1);
        for i in 1..=20 {
            live.advance(&mut ds, NOW + i * 500_000);
        }
        assert!(check_consistency(&ds).is_empty());
    }
}
