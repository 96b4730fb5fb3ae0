//! `sltui report`: per-cadence engagement and outcomes, and breakdowns of one
//! cadence by step, of one step by template (A/B statistics), and of cadences by
//! day or week; printed as a table, CSV or JSON.

mod breakdowns;
mod cadences;
pub(crate) mod render;

use std::collections::BTreeMap;

use chrono::Utc;

use super::args::{ReportArgs, ReportBy};
use super::opts::GlobalOpts;
use super::script::{Session, USAGE};
use crate::metrics::TimeRange;
use crate::metrics::breakdown::Period;

pub use cadences::{
    choose, engagement_by_cadence, load_calls, load_facts, load_funnel, tally_calls,
};

/// What the flags ask is not possible; said before connecting.
fn check(args: &ReportArgs) -> Result<(), String> {
    let one = args.cadences.len() == 1;
    match args.by {
        ReportBy::Step if !one => Err("--by step needs exactly one --cadence ID".into()),
        ReportBy::Template if !one || args.step.is_none() => {
            Err("--by template needs one --cadence ID and --step ID".into())
        }
        ReportBy::Cadence | ReportBy::Day | ReportBy::Week if args.step.is_some() => {
            Err("--step goes with --by template".into())
        }
        _ => Ok(()),
    }
}

pub async fn run(global: &GlobalOpts, args: ReportArgs) -> anyhow::Result<i32> {
    if let Err(message) = check(&args) {
        eprintln!("sltui: {message}");
        return Ok(USAGE);
    }
    // The session says what it spent when it is dropped, on every way out.
    let mut session = Session::connect(global, "report").await?;
    report(&mut session, args).await
}

async fn report(session: &mut Session, args: ReportArgs) -> anyhow::Result<i32> {
    let cadences = session.cadences().await?;
    let chosen = match choose(&cadences, &args.cadences) {
        Ok(chosen) => chosen,
        Err(message) => {
            eprintln!("sltui: {message}");
            return Ok(USAGE);
        }
    };
    let range = args.days.map_or(TimeRange::All, TimeRange::Days);
    // Taken before any read, so the window is never narrower than the reads.
    let now = Utc::now();
    let failed = |what: &str, e: &dyn std::fmt::Display| {
        eprintln!("sltui: could not read the {what}: {e}");
        Ok(1)
    };
    let sheet = match args.by {
        ReportBy::Cadence | ReportBy::Day | ReportBy::Week => {
            let facts = match load_facts(session, &chosen, range).await? {
                Ok(facts) => facts,
                Err(reason) => return failed("engagement", &reason),
            };
            let period = match args.by {
                ReportBy::Day => Some(Period::Day),
                ReportBy::Week => Some(Period::Week),
                _ => None,
            };
            if let Some(period) = period {
                let names: BTreeMap<u64, String> =
                    chosen.iter().map(|c| (c.id, c.name.clone())).collect();
                breakdowns::trends(&facts, &names, period, range, now)
            } else {
                let agg = engagement_by_cadence(facts, range, now);
                let calls = match load_calls(session, range).await? {
                    Ok(calls) => tally_calls(&calls, range, now),
                    // The team database before the hub's first sync of the
                    // calls: the engagement stands, the call columns wait.
                    Err(e) if session.client.is_none() => {
                        eprintln!("sltui: the call columns are empty: {e}");
                        Default::default()
                    }
                    Err(e) => return failed("calls", &e),
                };
                let rows: Vec<cadences::Row<'_>> = chosen
                    .iter()
                    .map(|c| cadences::Row {
                        cadence: c,
                        engagement: agg.by_cadence(c.id),
                        calls: calls.get(&c.id).cloned().unwrap_or_default(),
                    })
                    .collect();
                cadences::sheet(&rows, range)
            }
        }
        ReportBy::Step => match load_funnel(session, chosen[0].id, range).await? {
            Ok(funnel) => breakdowns::steps(chosen[0], &funnel, range),
            Err(e) => return failed("steps and emails", &e),
        },
        ReportBy::Template => {
            let step = args.step.unwrap_or_default();
            let funnel = match load_funnel(session, chosen[0].id, range).await? {
                Ok(funnel) => funnel,
                Err(e) => return failed("emails and templates", &e),
            };
            match breakdowns::templates(chosen[0], &funnel, step, range) {
                Ok(sheet) => sheet,
                Err(breakdowns::NotOnCadence(message)) => {
                    eprintln!("sltui: {message}");
                    return Ok(USAGE);
                }
            }
        }
    };
    print!("{}", sheet.print(args.format));
    Ok(0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::args::ReportFormat;

    fn args(by: ReportBy, cadences: &[u64], step: Option<u64>) -> ReportArgs {
        ReportArgs {
            target: crate::cli::opts::TargetOpts::default(),
            cadences: cadences.to_vec(),
            days: None,
            format: ReportFormat::Json,
            by,
            step,
        }
    }

    #[test]
    fn breakdowns_need_their_cadence_and_step() {
        assert!(check(&args(ReportBy::Cadence, &[], None)).is_ok());
        assert!(check(&args(ReportBy::Step, &[], None)).is_err());
        assert!(check(&args(ReportBy::Step, &[1, 2], None)).is_err());
        assert!(check(&args(ReportBy::Step, &[1], None)).is_ok());
        assert!(check(&args(ReportBy::Template, &[1], None)).is_err());
        assert!(check(&args(ReportBy::Template, &[1], Some(4))).is_ok());
        assert!(check(&args(ReportBy::Day, &[], Some(4))).is_err());
        assert!(check(&args(ReportBy::Week, &[], None)).is_ok());
    }
}
