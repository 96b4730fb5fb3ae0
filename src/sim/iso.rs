//! ISO-8601 timestamps in filters: parsing with any offset at microsecond
//! precision, the UTC `Z` form of `metadata.filtering` echoes, and ranges.

use std::ops::Bound;

use chrono::{DateTime, NaiveDate, NaiveDateTime, TimeZone, Utc};

use super::model::Micros;

/// Parses an ISO-8601 timestamp with any UTC offset (or none: UTC), keeping
/// microsecond precision. A `+` offset that arrived unescaped in a query string
/// (decoded to a space) is accepted too.
pub fn parse_ts(raw: &str) -> Option<Micros> {
    let s = raw.trim();
    if s.is_empty() {
        return None;
    }
    parse_ts_exact(s).or_else(|| {
        let (head, tail) = s.split_at_checked(11)?;
        if !tail.contains(' ') {
            return None;
        }
        parse_ts_exact(&format!("{head}{}", tail.replace(' ', "+")))
    })
}

fn parse_ts_exact(s: &str) -> Option<Micros> {
    if let Ok(dt) = DateTime::parse_from_rfc3339(s) {
        return Some(dt.timestamp_micros());
    }
    for fmt in [
        "%Y-%m-%dT%H:%M:%S%.f%z",
        "%Y-%m-%d %H:%M:%S%.f%:z",
        "%Y-%m-%d %H:%M:%S%.f%z",
    ] {
        if let Ok(dt) = DateTime::parse_from_str(s, fmt) {
            return Some(dt.timestamp_micros());
        }
    }
    for fmt in ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%d %H:%M:%S%.f"] {
        if let Ok(n) = NaiveDateTime::parse_from_str(s, fmt) {
            return Some(Utc.from_utc_datetime(&n).timestamp_micros());
        }
    }
    let s = s.strip_suffix('Z').unwrap_or(s);
    let d = NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()?;
    Some(
        Utc.from_utc_datetime(&d.and_hms_opt(0, 0, 0)?)
            .timestamp_micros(),
    )
}

/// UTC with six fractional digits and `Z`, as in `metadata.filtering` echoes.
pub fn utc_z(t: Micros) -> String {
    match DateTime::<Utc>::from_timestamp_micros(t) {
        Some(dt) => dt.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string(),
        None => t.to_string(),
    }
}

/// A `[gt|gte|lt|lte]` timestamp range; empty when no bound was given.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TimeRange {
    pub gt: Option<Micros>,
    pub gte: Option<Micros>,
    pub lt: Option<Micros>,
    pub lte: Option<Micros>,
}

impl TimeRange {
    pub fn is_empty(&self) -> bool {
        *self == TimeRange::default()
    }

    pub fn contains(&self, t: Micros) -> bool {
        self.gt.is_none_or(|b| t > b)
            && self.gte.is_none_or(|b| t >= b)
            && self.lt.is_none_or(|b| t < b)
            && self.lte.is_none_or(|b| t <= b)
    }

    /// Whether an optional timestamp passes: a null never passes a non-empty range.
    pub fn contains_opt(&self, t: Option<Micros>) -> bool {
        match t {
            Some(t) => self.contains(t),
            None => self.is_empty(),
        }
    }

    /// Whether no instant (µs) passes: `gt=T&lt=T+1µs`, `gt=T&lt=T`, or bounds
    /// the wrong way round. Such a request costs a point for an empty list.
    pub fn holds_no_instant(&self) -> bool {
        let (lo, hi) = self.bounds();
        let first = match lo {
            Bound::Included(t) => Some(t),
            Bound::Excluded(t) => t.checked_add(1),
            Bound::Unbounded => Some(Micros::MIN),
        };
        let last = match hi {
            Bound::Included(t) => Some(t),
            Bound::Excluded(t) => t.checked_sub(1),
            Bound::Unbounded => Some(Micros::MAX),
        };
        match (first, last) {
            (Some(a), Some(b)) => a > b,
            _ => true,
        }
    }

    /// The tightest lower and upper bounds, for `Table::range_updated`.
    pub fn bounds(&self) -> (Bound<Micros>, Bound<Micros>) {
        let lo = match (self.gt, self.gte) {
            (Some(gt), Some(gte)) if gte > gt => Bound::Included(gte),
            (Some(gt), _) => Bound::Excluded(gt),
            (None, Some(gte)) => Bound::Included(gte),
            (None, None) => Bound::Unbounded,
        };
        let hi = match (self.lt, self.lte) {
            (Some(lt), Some(lte)) if lte < lt => Bound::Included(lte),
            (Some(lt), _) => Bound::Excluded(lt),
            (None, Some(lte)) => Bound::Included(lte),
            (None, None) => Bound::Unbounded,
        };
        (lo, hi)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_keep_micros_and_offsets() {
        let a = parse_ts("2024-06-07T10:51:20.851224-04:00").unwrap();
        let b = parse_ts("2024-06-07T14:51:20.851224Z").unwrap();
        assert_eq!(a, b);
        assert_eq!(utc_z(a), "2024-06-07T14:51:20.851224Z");
        let c = parse_ts("2024-06-07T16:51:20.851224 02:00").unwrap();
        assert_eq!(a, c);
        assert_eq!(parse_ts("2024-06-07T14:51:20Z").unwrap() + 851_224, a);
        assert!(parse_ts("2024-06-07").is_some());
        assert!(parse_ts("yesterday").is_none());
    }

    #[test]
    fn range_bounds_pick_the_tightest() {
        let r = TimeRange {
            gt: Some(10),
            gte: Some(12),
            lt: Some(20),
            lte: Some(20),
        };
        assert_eq!(r.bounds(), (Bound::Included(12), Bound::Excluded(20)));
        assert!(r.contains(12) && !r.contains(20) && !r.contains(11));
        assert!(!r.holds_no_instant());
        let at = |gt, lt| TimeRange {
            gt,
            lt,
            ..TimeRange::default()
        };
        // No instant strictly between T and T + 1 µs, nor between T and T.
        assert!(at(Some(10), Some(11)).holds_no_instant());
        assert!(at(Some(10), Some(10)).holds_no_instant());
        assert!(at(Some(10), Some(3)).holds_no_instant());
        assert!(!at(Some(10), Some(12)).holds_no_instant());
        assert!(!at(Some(10), None).holds_no_instant());
        assert!(!TimeRange::default().holds_no_instant());
        let one = TimeRange {
            gte: Some(10),
            lte: Some(10),
            ..TimeRange::default()
        };
        assert!(!one.holds_no_instant(), "[T, T] holds T");
    }
}
