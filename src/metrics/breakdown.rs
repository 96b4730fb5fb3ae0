//! Breakdowns of email facts that `report` prints and the dashboard can show:
//! per day or week, per template with the A/B statistics against the step's
//! leader. Pure functions over [`EmailFact`]s; every count is an [`Engagement`],
//! so the definitions are the aggregator's.

use std::collections::BTreeMap;

use chrono::{DateTime, Datelike, Days, NaiveDate, Utc};

use super::stats::{Verdict, always_valid_p, fisher_exact, p_better, wilson};
use super::{EmailFact, Engagement, TimeRange};

impl EmailFact {
    /// The time a range filters on and a day groups by: `sent_at`, or
    /// `updated_at` when it is unknown (as the aggregator does).
    pub fn range_time(&self) -> DateTime<Utc> {
        self.sent_at.unwrap_or(self.updated_at)
    }

    /// Whether the fact falls in `range` counted back from `now` (to the second).
    pub fn in_range(&self, range: TimeRange, now: DateTime<Utc>) -> bool {
        range
            .since(now)
            .is_none_or(|since| self.range_time().timestamp() >= since.timestamp())
    }
}

/// A calendar bucket of a trend.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Period {
    /// A UTC day.
    Day,
    /// An ISO week (Monday to Sunday, UTC), named by its Monday.
    Week,
}

impl Period {
    /// The first day of the bucket `date` falls in.
    pub fn start(self, date: NaiveDate) -> NaiveDate {
        match self {
            Period::Day => date,
            Period::Week => {
                let back = u64::from(date.weekday().num_days_from_monday());
                date.checked_sub_days(Days::new(back)).unwrap_or(date)
            }
        }
    }
}

/// Engagement per (bucket start, cadence id) of the facts in `range` that have a
/// cadence; the buckets of one cadence add up to its total over the same range.
pub fn by_period(
    facts: &[EmailFact],
    period: Period,
    range: TimeRange,
    now: DateTime<Utc>,
) -> BTreeMap<(NaiveDate, u64), Engagement> {
    let mut out: BTreeMap<(NaiveDate, u64), Engagement> = BTreeMap::new();
    for f in facts {
        let Some(cadence) = f.cadence_id else {
            continue;
        };
        if !f.sent || !f.in_range(range, now) {
            continue;
        }
        let day = period.start(f.range_time().date_naive());
        *out.entry((day, cadence)).or_default() += f.engagement();
    }
    out
}

/// One email template of a step, compared with the step's leader.
#[derive(Debug, Clone, PartialEq)]
pub struct TemplateStats {
    /// `None` for the step's emails that name no template.
    pub template_id: Option<u64>,
    pub engagement: Engagement,
    /// `replied / delivered`.
    pub reply_rate: Option<f64>,
    /// The 95% Wilson score interval of the reply rate.
    pub reply_rate_ci: Option<(f64, f64)>,
    /// This is the leader: the highest reply rate, ties to more delivered.
    pub leader: bool,
    /// Fisher's exact test (two-sided) against the leader; `None` for the leader.
    pub p_value: Option<f64>,
    /// P(this template's reply rate > the leader's), Beta(1, 1) priors; `None` for the leader.
    pub p_better: Option<f64>,
    /// The always-valid (mSPRT) p-value against the leader; `None` for the leader.
    pub always_valid_p: Option<f64>,
    /// What the sequential rule says (see [`TemplateStats::verdict_text`]).
    pub verdict: TemplateVerdict,
}

/// The sequential rule's word on a template.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TemplateVerdict {
    NotEnoughData,
    /// The leader beats this template (always-valid p at most 0.05).
    LeaderBetter,
    /// The leader beats every other template of the step.
    Winner,
    /// The step uses one template: nothing to compare.
    OnlyTemplate,
}

impl TemplateVerdict {
    pub fn as_str(self) -> &'static str {
        match self {
            TemplateVerdict::NotEnoughData => "not enough data",
            TemplateVerdict::LeaderBetter => "leader is better",
            TemplateVerdict::Winner => "winner",
            TemplateVerdict::OnlyTemplate => "only template",
        }
    }
}

/// The templates of one step with their statistics against the leader, in the
/// order given (sort them first if the order matters). Reply rates are over
/// delivered emails; a template with nothing delivered never leads.
pub fn compare_templates(rows: &[(Option<u64>, Engagement)]) -> Vec<TemplateStats> {
    let rate = |e: &Engagement| e.rates().reply;
    let leader = rows
        .iter()
        .enumerate()
        .filter(|(_, (_, e))| e.delivered > 0)
        .max_by(|(ia, (_, a)), (ib, (_, b))| {
            // replied_a / delivered_a vs replied_b / delivered_b, exactly.
            let lhs = u128::from(a.replied) * u128::from(b.delivered);
            let rhs = u128::from(b.replied) * u128::from(a.delivered);
            lhs.cmp(&rhs)
                .then(a.delivered.cmp(&b.delivered))
                .then(ib.cmp(ia))
        })
        .map(|(i, _)| i);
    let mut out: Vec<TemplateStats> = rows
        .iter()
        .enumerate()
        .map(|(i, (id, e))| {
            let is_leader = leader == Some(i);
            let against = leader.filter(|_| !is_leader).map(|l| rows[l].1);
            let (s, f) = (e.replied, e.delivered - e.replied.min(e.delivered));
            let stats = against.map(|l| {
                let (ls, lf) = (l.replied, l.delivered - l.replied.min(l.delivered));
                (
                    fisher_exact(s, f, ls, lf),
                    p_better(ls, lf, s, f),
                    always_valid_p(s, e.delivered, ls, l.delivered),
                    Verdict::against_leader(s, e.delivered, ls, l.delivered),
                )
            });
            TemplateStats {
                template_id: *id,
                engagement: *e,
                reply_rate: rate(e),
                reply_rate_ci: wilson(e.replied, e.delivered),
                leader: is_leader,
                p_value: stats.map(|s| s.0),
                p_better: stats.map(|s| s.1),
                always_valid_p: stats.and_then(|s| s.2),
                verdict: match stats.map(|s| s.3) {
                    Some(Verdict::LeaderBetter) => TemplateVerdict::LeaderBetter,
                    _ => TemplateVerdict::NotEnoughData,
                },
            }
        })
        .collect();
    if out.len() == 1 {
        out[0].verdict = TemplateVerdict::OnlyTemplate;
    } else if let Some(l) = leader {
        let beaten = out
            .iter()
            .enumerate()
            .all(|(i, t)| i == l || t.verdict == TemplateVerdict::LeaderBetter);
        if beaten {
            out[l].verdict = TemplateVerdict::Winner;
        }
    }
    out
}

#[cfg(test)]
#[path = "breakdown_tests.rs"]
mod tests;
