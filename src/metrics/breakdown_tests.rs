use chrono::{TimeDelta, TimeZone};

use super::*;

fn eng(delivered: u64, replied: u64) -> Engagement {
    Engagement {
        sent: delivered,
        delivered,
        replied,
        view_tracked: delivered,
        click_tracked: delivered,
        ..Engagement::default()
    }
}

#[test]
fn the_leader_has_the_highest_rate_and_ties_go_to_more_delivered() {
    let rows = [
        (Some(1), eng(100, 10)),
        (Some(2), eng(200, 20)),
        (Some(3), eng(50, 2)),
        (Some(4), eng(0, 0)),
    ];
    let t = compare_templates(&rows);
    assert!(t[1].leader && !t[0].leader, "10% on 200 beats 10% on 100");
    assert_eq!(
        (t[1].p_value, t[1].p_better),
        (None, None),
        "the leader's own fields"
    );
    assert!(t[0].p_value.is_some() && t[2].p_better.is_some());
    assert_eq!(t[3].reply_rate, None);
    assert_eq!(t[3].reply_rate_ci, None);
    assert_eq!(t[3].p_value, Some(1.0), "nothing delivered: no evidence");
    // Equal rates: Fisher says 1, P(better) is near a half.
    assert!((t[0].p_value.unwrap() - 1.0).abs() < 1e-12);
    assert!((t[0].p_better.unwrap() - 0.5).abs() < 0.1);
    assert!(t.iter().all(|r| r.verdict != TemplateVerdict::Winner));
}

#[test]
fn a_clear_difference_on_enough_data_names_a_winner() {
    let t = compare_templates(&[(Some(7), eng(2000, 100)), (Some(8), eng(2000, 160))]);
    assert!(t[1].leader);
    assert_eq!(t[0].verdict, TemplateVerdict::LeaderBetter);
    assert_eq!(t[1].verdict, TemplateVerdict::Winner);
    assert!(t[0].p_value.unwrap() < 0.001 && t[0].p_better.unwrap() < 0.01);
    // The same rates on a tenth of the data: the rule waits.
    let t = compare_templates(&[(Some(7), eng(200, 10)), (Some(8), eng(200, 16))]);
    assert!(
        t.iter()
            .all(|r| r.verdict == TemplateVerdict::NotEnoughData)
    );
    let one = compare_templates(&[(None, eng(10, 1))]);
    assert_eq!(one[0].verdict, TemplateVerdict::OnlyTemplate);
    assert!(compare_templates(&[]).is_empty());
}

fn fact(id: u64, cadence: u64, at: DateTime<Utc>) -> EmailFact {
    EmailFact {
        email_id: id,
        cadence_id: Some(cadence),
        step_id: None,
        sent: true,
        bounced: false,
        viewed: id.is_multiple_of(2),
        clicked: false,
        replied: false,
        view_tracked: true,
        click_tracked: true,
        template_id: None,
        person_id: None,
        sent_at: Some(at),
        updated_at: at,
    }
}

#[test]
fn days_and_weeks_add_up_to_the_range() {
    // Wednesday 2024-05-01 12:00 UTC.
    let now = Utc.with_ymd_and_hms(2024, 5, 1, 12, 0, 0).unwrap();
    let facts: Vec<EmailFact> = (0..40)
        .map(|i| fact(i, 1 + i % 2, now - TimeDelta::hours(7 * i as i64)))
        .collect();
    let range = TimeRange::Days(7);
    let days = by_period(&facts, Period::Day, range, now);
    let weeks = by_period(&facts, Period::Week, range, now);
    for cadence in [1, 2] {
        let want = facts
            .iter()
            .filter(|f| f.cadence_id == Some(cadence) && f.in_range(range, now))
            .fold(Engagement::default(), |mut a, f| {
                a += f.engagement();
                a
            });
        for buckets in [&days, &weeks] {
            let got = buckets.iter().filter(|((_, c), _)| *c == cadence).fold(
                Engagement::default(),
                |mut a, (_, e)| {
                    a += *e;
                    a
                },
            );
            assert_eq!(got, want, "cadence {cadence}");
        }
    }
    assert!(days.keys().all(|(d, _)| *d <= now.date_naive()));
    // Weeks are named by their Monday.
    assert!(
        weeks
            .keys()
            .all(|(d, _)| d.weekday() == chrono::Weekday::Mon)
    );
    assert_eq!(
        Period::Week.start(NaiveDate::from_ymd_opt(2024, 5, 5).unwrap()),
        NaiveDate::from_ymd_opt(2024, 4, 29).unwrap()
    );
}
