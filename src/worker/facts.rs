//! From SalesLoft emails to metric facts, and the queries that read them.

use chrono::{DateTime, Utc};

use crate::api::Query;
use crate::api::query::format_timestamp;
use crate::metrics::TimeRange;
pub use crate::metrics::email_fact;

/// Emails per page: the maximum, so a read costs one point per 100 emails.
pub const PER_PAGE: u32 = 100;

/// The path of the emails list.
pub const EMAILS_PATH: &str = "activities/emails";

/// The filter value for "sent since": microseconds and an explicit offset.
pub fn since_param(since: DateTime<Utc>) -> String {
    format_timestamp(&since.fixed_offset())
}

/// The query for one cadence's emails sent in `range` (counted from `now`).
pub fn engagement_query(cadence_id: u64, range: TimeRange, now: DateTime<Utc>) -> Query {
    let q = Query::new()
        .push("cadence_id[]", cadence_id)
        .push("per_page", PER_PAGE);
    match range.since(now) {
        Some(since) => q.push("sent_at[gte]", since_param(since)),
        None => q,
    }
}

/// Whether emails loaded for `loaded` already cover everything `wanted` asks for:
/// all time covers every range, and N days covers any shorter range.
pub fn range_covers(loaded: TimeRange, wanted: TimeRange) -> bool {
    match (loaded, wanted) {
        (TimeRange::All, _) => true,
        (TimeRange::Days(_), TimeRange::All) => false,
        (TimeRange::Days(have), TimeRange::Days(want)) => have >= want,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::models::Email;

    fn email(json: &str) -> Email {
        serde_json::from_str(json).expect("valid email json")
    }

    #[test]
    fn converts_a_bounced_sent_email() {
        let e = email(
            r#"{"id": 7, "created_at": "2024-03-01T10:00:00.000000-04:00",
                "updated_at": "2024-03-02T10:00:00.123456-04:00",
                "status": "sent", "bounced": true,
                "sent_at": "2024-03-01T10:05:00.000000-04:00",
                "counts": {"views": 2, "clicks": 0, "replies": null},
                "cadence": {"_href": "https://api.salesloft.com/v2/cadences/3", "id": 3},
                "step": {"id": "11"}}"#,
        );
        let f = email_fact(&e);
        assert_eq!(f.email_id, 7);
        assert_eq!((f.cadence_id, f.step_id), (Some(3), Some(11)));
        assert!(f.sent && f.bounced && f.viewed);
        assert!(!f.clicked && !f.replied);
        assert_eq!(f.sent_at.unwrap().to_rfc3339(), "2024-03-01T14:05:00+00:00");
        assert_eq!(f.updated_at.timestamp_subsec_micros(), 123_456);
    }

    #[test]
    fn converts_an_unsent_one_off_email() {
        let e = email(
            r#"{"id": 8, "created_at": "2024-03-01T10:00:00Z", "updated_at": "2024-03-01T10:00:00Z",
                "status": "scheduled", "bounced": null, "sent_at": null, "counts": null,
                "cadence": null, "step": null}"#,
        );
        let f = email_fact(&e);
        assert!(!f.sent && !f.bounced && !f.viewed);
        assert_eq!((f.cadence_id, f.step_id, f.sent_at), (None, None, None));
        let gmail = email(
            r#"{"id": 9, "created_at": "2024-03-01T10:00:00Z", "updated_at": "2024-03-01T10:00:00Z",
                "status": "sent_from_gmail", "counts": {"replies": 1}}"#,
        );
        let f = email_fact(&gmail);
        assert!(f.sent && f.replied && !f.bounced);
    }

    #[test]
    fn engagement_queries_filter_by_cadence_and_sent_at() {
        let now = DateTime::parse_from_rfc3339("2024-03-31T12:00:00.5Z")
            .unwrap()
            .with_timezone(&Utc);
        let q = engagement_query(42, TimeRange::Days(30), now);
        assert_eq!(q.get("cadence_id[]"), Some("42"));
        assert_eq!(q.get("per_page"), Some("100"));
        assert_eq!(
            q.get("sent_at[gte]"),
            Some("2024-03-01T12:00:00.500000+00:00")
        );
        assert_eq!(
            engagement_query(42, TimeRange::All, now).get("sent_at[gte]"),
            None
        );
    }

    #[test]
    fn wider_ranges_cover_narrower_ones() {
        assert!(range_covers(TimeRange::All, TimeRange::Days(7)));
        assert!(range_covers(TimeRange::Days(30), TimeRange::Days(7)));
        assert!(!range_covers(TimeRange::Days(7), TimeRange::Days(30)));
        assert!(!range_covers(TimeRange::Days(90), TimeRange::All));
    }
}
