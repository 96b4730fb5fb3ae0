//! Who joins which cadence, when, and how their membership will end up.

use std::collections::HashMap;

use super::basis::{
    DAY, HISTORY, HOUR, MINUTE, SECOND, cadence_bounce_factor, cadence_quality,
    step_click_tracking, step_quality,
};
use super::team::Team;
use crate::sim::model::{Cadence, Micros, Person, Step, StepType};
use crate::sim::rng::Rng;

/// How a membership is going to turn out.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Class {
    Natural,
    Staged,
    Processing,
    Scheduled,
    Removed,
    RemovedNoAction,
    Reassigned,
}

pub(super) struct Plan {
    pub person: usize,
    pub cadence: usize,
    pub added_at: Micros,
    pub created_at: Micros,
    pub class: Class,
}

/// The steps of one cadence that people actually go through, with quality data.
pub(super) struct Track<'a> {
    pub cadence: &'a Cadence,
    /// Enabled steps in order, with their quality and click tracking.
    pub steps: Vec<(&'a Step, f64, bool)>,
    pub quality: f64,
    pub bounce: f64,
}

pub(super) fn tracks<'a>(team_id: u64, team: &'a Team) -> Vec<Track<'a>> {
    let by_id: HashMap<u64, &Step> = team.steps.iter().map(|s| (s.id, s)).collect();
    team.cadences
        .iter()
        .map(|c| {
            let mut email_pos = 0;
            let mut steps = Vec::new();
            for id in &c.step_ids {
                let Some(s) = by_id.get(id) else { continue };
                if s.kind == StepType::Email {
                    if !s.disabled {
                        let q = step_quality(team_id, s.id, email_pos);
                        let click = step_click_tracking(team_id, s.id);
                        steps.push((*s, q, click));
                    }
                    email_pos += 1;
                } else if !s.disabled {
                    steps.push((*s, 1.0, false));
                }
            }
            Track {
                cadence: c,
                steps,
                quality: cadence_quality(team_id, c.id),
                bounce: cadence_bounce_factor(team_id, c.id),
            }
        })
        .collect()
}

pub(super) fn plans(rng: &mut Rng, now: Micros, tracks: &[Track], people: &[Person]) -> Vec<Plan> {
    let weights: Vec<f64> = tracks
        .iter()
        .map(|t| {
            if t.cadence.draft || t.steps.is_empty() {
                0.0
            } else {
                (0.6 * rng.normal()).exp()
            }
        })
        .collect();
    let usable = weights.iter().filter(|w| **w > 0.0).count();
    let mut out = Vec::with_capacity(people.len() * 7 / 2);
    let mut chosen: Vec<usize> = Vec::new();
    for (pi, p) in people.iter().enumerate() {
        if p.email_address.is_none() || usable == 0 || rng.chance(0.08) {
            continue;
        }
        let k = (1 + (0..7).filter(|_| rng.chance(0.36)).count()).min(usable);
        chosen.clear();
        let mut tries = 0;
        while chosen.len() < k && tries < 50 {
            tries += 1;
            let c = rng.weighted(&weights);
            if !chosen.contains(&c) {
                chosen.push(c);
            }
        }
        for &ci in &chosen {
            if let Some(plan) = plan_one(rng, now, &tracks[ci], ci, pi, p) {
                out.push(plan);
            }
        }
    }
    out.sort_by_key(|p| p.created_at);
    out
}

fn plan_one(
    rng: &mut Rng,
    now: Micros,
    t: &Track,
    ci: usize,
    pi: usize,
    p: &Person,
) -> Option<Plan> {
    let c = t.cadence;
    let floor = c.created_at.max(p.created_at) + rng.range_i64(MINUTE, HOUR);
    let (lo, hi, class) = if let Some(archived_at) = c.archived_at {
        let class = [
            Class::Natural,
            Class::Removed,
            Class::RemovedNoAction,
            Class::Reassigned,
        ][rng.weighted(&[88.0, 8.0, 2.0, 2.0])];
        (archived_at - 150 * DAY, archived_at - 30 * DAY, class)
    } else {
        let class = [
            Class::Natural,
            Class::Removed,
            Class::RemovedNoAction,
            Class::Reassigned,
            Class::Staged,
            Class::Scheduled,
            Class::Processing,
        ][rng.weighted(&[78.0, 7.0, 3.0, 2.0, 5.0, 4.0, 0.5])];
        let lo = now - HISTORY;
        match class {
            Class::Staged => (now - 3 * DAY, now - MINUTE, class),
            Class::Scheduled => (now - 10 * DAY, now - HOUR, class),
            Class::Processing => (now - 10 * MINUTE, now - SECOND, class),
            _ => (lo, now - 10 * MINUTE, class),
        }
    };
    let lo = lo.max(floor);
    if lo >= hi {
        return None;
    }
    let added_at = rng.range_i64(lo, hi);
    let readded = matches!(class, Class::Natural | Class::Removed) && rng.chance(0.03);
    let created_at = if readded && added_at - 20 * DAY > floor {
        rng.range_i64(floor.max(added_at - 90 * DAY), added_at - 20 * DAY)
    } else {
        added_at + rng.range_i64(1_000, 20_000)
    };
    Some(Plan {
        person: pi,
        cadence: ci,
        added_at,
        created_at,
        class,
    })
}
