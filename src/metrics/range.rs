//! The time range the engagement aggregates cover.

use chrono::{DateTime, TimeDelta, Utc};

/// How far back, by `sent_at`, emails are counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TimeRange {
    /// Emails sent in the last N days.
    Days(u32),
    /// Every email.
    All,
}

impl Default for TimeRange {
    fn default() -> Self {
        TimeRange::Days(30)
    }
}

impl TimeRange {
    /// The ranges [`TimeRange::next`] cycles through.
    pub const PRESETS: [TimeRange; 4] = [
        TimeRange::Days(7),
        TimeRange::Days(30),
        TimeRange::Days(90),
        TimeRange::All,
    ];

    /// From a configured number of days; `0` means all time.
    pub fn from_days(days: u32) -> Self {
        if days == 0 {
            TimeRange::All
        } else {
            TimeRange::Days(days)
        }
    }

    /// The earliest `sent_at` counted, or `None` when everything counts.
    pub fn since(&self, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        match *self {
            TimeRange::Days(d) => Some(
                now.checked_sub_signed(TimeDelta::days(i64::from(d)))
                    .unwrap_or(DateTime::<Utc>::MIN_UTC),
            ),
            TimeRange::All => None,
        }
    }

    /// 7 → 30 → 90 days → all → 7 days. A non-preset number of days moves to the next
    /// larger preset.
    pub fn next(&self) -> TimeRange {
        match *self {
            TimeRange::All => TimeRange::Days(7),
            TimeRange::Days(d) if d < 7 => TimeRange::Days(7),
            TimeRange::Days(d) if d < 30 => TimeRange::Days(30),
            TimeRange::Days(d) if d < 90 => TimeRange::Days(90),
            TimeRange::Days(_) => TimeRange::All,
        }
    }

    /// A short label for a header or status bar: `"7d"`, `"30d"`, `"all"`.
    pub fn label(&self) -> String {
        match self {
            TimeRange::Days(d) => format!("{d}d"),
            TimeRange::All => "all".to_string(),
        }
    }
}

impl std::fmt::Display for TimeRange {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            TimeRange::Days(1) => f.write_str("last day"),
            TimeRange::Days(d) => write!(f, "last {d} days"),
            TimeRange::All => f.write_str("all time"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn next_cycles_through_presets() {
        let mut r = TimeRange::Days(7);
        let mut seen = vec![r];
        for _ in 0..4 {
            r = r.next();
            seen.push(r);
        }
        assert_eq!(
            seen,
            vec![
                TimeRange::Days(7),
                TimeRange::Days(30),
                TimeRange::Days(90),
                TimeRange::All,
                TimeRange::Days(7)
            ]
        );
        assert_eq!(TimeRange::Days(14).next(), TimeRange::Days(30));
        assert_eq!(TimeRange::Days(365).next(), TimeRange::All);
    }

    #[test]
    fn since_and_labels() {
        let now = Utc.with_ymd_and_hms(2024, 3, 31, 12, 0, 0).unwrap();
        assert_eq!(
            TimeRange::Days(30).since(now),
            Some(Utc.with_ymd_and_hms(2024, 3, 1, 12, 0, 0).unwrap())
        );
        assert_eq!(TimeRange::All.since(now), None);
        assert_eq!(TimeRange::Days(7).label(), "7d");
        assert_eq!(TimeRange::All.label(), "all");
        assert_eq!(TimeRange::Days(90).to_string(), "last 90 days");
        assert_eq!(TimeRange::from_days(0), TimeRange::All);
        assert_eq!(TimeRange::from_days(30), TimeRange::Days(30));
    }
}
