//! Query strings for SalesLoft list endpoints.
//!
//! SalesLoft uses Rails conventions: arrays repeat a bracketed key
//! (`ids[]=1&ids[]=2`) and ranges use nested keys (`updated_at[gte]=...`).
//! [`Query`] keeps pairs in insertion order and percent-encodes every byte
//! outside the RFC 3986 unreserved set, so `+` in a UTC offset becomes `%2B`
//! (a literal `+` would be read back as a space) and `[]` becomes `%5B%5D`,
//! the same form SalesLoft itself emits in `_links`.

use chrono::{DateTime, FixedOffset};

/// Ordered key/value pairs of a query string.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Query {
    pairs: Vec<(String, String)>,
}

impl Query {
    pub fn new() -> Self {
        Self::default()
    }

    /// Appends a pair; repeating a key (e.g. `"ids[]"`) builds an array.
    pub fn push(mut self, k: &str, v: impl ToString) -> Self {
        self.pairs.push((k.to_string(), v.to_string()));
        self
    }

    /// Replaces every pair with key `k` by a single `k=v`, keeping the
    /// position of the first occurrence (or appending when absent).
    pub fn set(mut self, k: &str, v: impl ToString) -> Self {
        let v = v.to_string();
        match self.pairs.iter().position(|(key, _)| key == k) {
            Some(first) => {
                self.pairs[first].1 = v;
                let mut i = 0;
                self.pairs.retain(|(key, _)| {
                    let keep = key != k || i == first;
                    i += 1;
                    keep
                });
            }
            None => self.pairs.push((k.to_string(), v)),
        }
        self
    }

    /// Removes every pair with key `k`.
    pub fn remove(mut self, k: &str) -> Self {
        self.pairs.retain(|(key, _)| key != k);
        self
    }

    /// The first value stored under `k`.
    pub fn get(&self, k: &str) -> Option<&str> {
        self.pairs
            .iter()
            .find(|(key, _)| key == k)
            .map(|(_, v)| v.as_str())
    }

    pub fn pairs(&self) -> &[(String, String)] {
        &self.pairs
    }

    pub fn is_empty(&self) -> bool {
        self.pairs.is_empty()
    }

    /// `k1=v1&k2=v2`, percent-encoded, without a leading `?`.
    pub fn to_query_string(&self) -> String {
        let mut out = String::new();
        for (i, (k, v)) in self.pairs.iter().enumerate() {
            if i > 0 {
                out.push('&');
            }
            encode_into(&mut out, k);
            out.push('=');
            encode_into(&mut out, v);
        }
        out
    }
}

/// Formats a timestamp the way SalesLoft filters expect: microseconds and
/// the original UTC offset, e.g. `2021-09-16T10:02:20.479210-04:00`.
pub fn format_timestamp(t: &DateTime<FixedOffset>) -> String {
    t.format("%Y-%m-%dT%H:%M:%S%.6f%:z").to_string()
}

fn encode_into(out: &mut String, s: &str) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push('%');
            out.push(HEX[(b >> 4) as usize] as char);
            out.push(HEX[(b & 0x0f) as usize] as char);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn brackets_repeat_and_are_encoded() {
        let q = Query::new()
            .push("ids[]", 1)
            .push("ids[]", 2)
            .push("per_page", 100);
        assert_eq!(q.to_query_string(), "ids%5B%5D=1&ids%5B%5D=2&per_page=100");
    }

    #[test]
    fn timestamps_keep_offset_and_plus_is_encoded() {
        let t = DateTime::parse_from_rfc3339("2021-09-16T10:02:20.479210+05:30").unwrap();
        let q = Query::new().push("updated_at[gt]", format_timestamp(&t));
        assert_eq!(
            q.to_query_string(),
            "updated_at%5Bgt%5D=2021-09-16T10%3A02%3A20.479210%2B05%3A30"
        );
        let neg = DateTime::parse_from_rfc3339("2021-09-16T10:02:20-04:00").unwrap();
        assert_eq!(format_timestamp(&neg), "2021-09-16T10:02:20.000000-04:00");
    }

    #[test]
    fn spaces_ampersands_and_unicode_are_encoded() {
        let q = Query::new().push("search", "a b&c=d ü");
        assert_eq!(q.to_query_string(), "search=a%20b%26c%3Dd%20%C3%BC");
    }

    #[test]
    fn set_replaces_all_and_keeps_first_position() {
        let q = Query::new()
            .push("page", 1)
            .push("x", "a")
            .push("page", 2)
            .set("page", 7);
        assert_eq!(q.to_query_string(), "page=7&x=a");
        let q = q.set("new", "v").remove("x");
        assert_eq!(q.get("page"), Some("7"));
        assert_eq!(q.get("x"), None);
        assert_eq!(q.pairs().len(), 2);
        assert_eq!(Query::new().to_query_string(), "");
    }
}
