//! Query-string parsing the way a Rails API sees it (salesloft-api.md §2, §2.3):
//! bracket arrays (`ids[]=1&ids[]=2`, also the plain scalar `ids=1`), timestamp
//! ranges (`updated_at[gte]=...`), paging and sorting, with the `metadata.filtering`
//! echo built as filters are read and invalid values collected as 422 field errors.

use std::collections::{BTreeMap, HashSet};

use serde_json::{Map, Value, json};

pub use super::error::ApiError;
pub use super::iso::{TimeRange, parse_ts, utc_z};

/// Rails-style boolean casting.
pub fn parse_bool(s: &str) -> Option<bool> {
    match s.trim().to_ascii_lowercase().as_str() {
        "true" | "1" | "t" | "yes" | "on" => Some(true),
        "false" | "0" | "f" | "no" | "off" => Some(false),
        _ => None,
    }
}

/// Paging parameters, already corrected into range.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Paging {
    pub per_page: u64,
    pub page: u64,
    /// `include_paging_counts=true`: add `total_pages` and `total_count`.
    pub counts: bool,
    /// `limit_paging_counts=true`: cap the counts at 10,000 records.
    pub limit_counts: bool,
    /// False only for `/v2/users` without a `page` parameter: everything, no `paging` key.
    pub paginate: bool,
}

impl Paging {
    pub fn offset(&self) -> usize {
        let skip = self.page.saturating_sub(1).saturating_mul(self.per_page);
        usize::try_from(skip).unwrap_or(usize::MAX)
    }

    pub fn limit(&self) -> usize {
        if self.paginate {
            usize::try_from(self.per_page).unwrap_or(usize::MAX)
        } else {
            usize::MAX
        }
    }
}

/// The sort requested, validated against the resource's list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sorting {
    pub by: String,
    pub desc: bool,
}

impl Sorting {
    pub fn echo(&self) -> Value {
        let dir = if self.desc {
            "DESC NULLS LAST"
        } else {
            "ASC NULLS FIRST"
        };
        json!({"sort_by": self.by, "sort_direction": dir})
    }
}

/// The query string of one request, read filter by filter.
#[derive(Debug, Default)]
pub struct Query {
    /// (name, bracket key, value): `ids[]` -> ("ids", Some("")), `page` -> ("page", None).
    pairs: Vec<(String, Option<String>, String)>,
    echo: Map<String, Value>,
    errors: BTreeMap<String, Vec<String>>,
}

/// Splits `updated_at[gt]` into (`updated_at`, Some(`gt`)).
fn split_key(key: &str) -> (String, Option<String>) {
    match key.find('[') {
        Some(open) if key.ends_with(']') && open > 0 => {
            let name = &key[..open];
            let inner = &key[open + 1..key.len() - 1];
            (name.to_string(), Some(inner.to_string()))
        }
        _ => (key.to_string(), None),
    }
}

/// Raw `a=1&b[]=2` pairs, in order.
pub fn raw_pairs(raw: &str) -> Result<Vec<(String, String)>, ApiError> {
    serde_urlencoded::from_str::<Vec<(String, String)>>(raw)
        .map_err(|e| ApiError::BadRequest(format!("Malformed query string: {e}")))
}

impl Query {
    pub fn parse(raw: Option<&str>) -> Result<Self, ApiError> {
        let pairs = raw_pairs(raw.unwrap_or(""))?
            .into_iter()
            .map(|(k, v)| {
                let (name, sub) = split_key(&k);
                (name, sub, v)
            })
            .collect();
        Ok(Self {
            pairs,
            ..Self::default()
        })
    }

    /// Drops every form of the parameter, as a server that does not know it would.
    pub fn ignore(&mut self, name: &str) {
        self.pairs.retain(|(n, _, _)| n != name);
    }

    /// Whether the parameter was given at all (any form).
    pub fn has(&self, name: &str) -> bool {
        self.pairs.iter().any(|(n, _, _)| n == name)
    }

    /// Values of `name` and `name[]`, empty strings dropped.
    fn values(&self, name: &str) -> Vec<&str> {
        self.pairs
            .iter()
            .filter(|(n, sub, v)| {
                n == name && sub.as_deref().is_none_or(str::is_empty) && !v.is_empty()
            })
            .map(|(_, _, v)| v.trim())
            .collect()
    }

    /// The last scalar value of `name`, echo-free (paging and sorting use it).
    pub fn raw(&self, name: &str) -> Option<&str> {
        self.values(name).last().copied()
    }

    pub fn error(&mut self, field: &str, msg: &str) {
        self.errors
            .entry(field.to_string())
            .or_default()
            .push(msg.to_string());
    }

    /// Records an applied filter in the `metadata.filtering` echo.
    pub fn echo(&mut self, name: &str, value: Value) {
        self.echo.insert(name.to_string(), value);
    }

    /// A string-array filter (`name[]=a&name[]=b` or `name=a`).
    pub fn strings(&mut self, name: &str) -> Option<Vec<String>> {
        let vals: Vec<String> = self.values(name).into_iter().map(String::from).collect();
        if vals.is_empty() {
            return None;
        }
        self.echo(name, json!(vals));
        Some(vals)
    }

    /// A lower-cased string set (case-insensitive matching).
    pub fn lower_set(&mut self, name: &str) -> Option<HashSet<String>> {
        self.strings(name)
            .map(|v| v.into_iter().map(|s| s.to_lowercase()).collect())
    }

    /// An integer-id filter, array or scalar form; a non-integer is a 422.
    pub fn ids(&mut self, name: &str) -> Option<HashSet<u64>> {
        let vals = self.values(name);
        if vals.is_empty() {
            return None;
        }
        let parsed: Result<Vec<u64>, _> = vals.iter().map(|v| v.parse::<u64>()).collect();
        match parsed {
            Ok(ids) => {
                self.echo(name, json!(ids));
                Some(ids.into_iter().collect())
            }
            Err(_) => {
                self.error(name, "is invalid");
                None
            }
        }
    }

    /// A boolean filter; a value that is not a boolean is a 422.
    pub fn flag(&mut self, name: &str) -> Option<bool> {
        let v = self.raw(name)?;
        match parse_bool(v) {
            Some(b) => {
                self.echo(name, json!(b));
                Some(b)
            }
            None => {
                self.error(name, "is invalid");
                None
            }
        }
    }

    /// A `name[gt|gte|lt|lte]` range; unknown operators are ignored.
    pub fn range(&mut self, name: &str) -> TimeRange {
        let mut r = TimeRange::default();
        let mut echo = Map::new();
        let mut bad = false;
        for (n, sub, v) in &self.pairs {
            let Some(op) = sub.as_deref() else { continue };
            if n != name || !matches!(op, "gt" | "gte" | "lt" | "lte") {
                continue;
            }
            let Some(t) = parse_ts(v) else {
                bad = true;
                continue;
            };
            match op {
                "gt" => r.gt = Some(t),
                "gte" => r.gte = Some(t),
                "lt" => r.lt = Some(t),
                _ => r.lte = Some(t),
            }
            echo.insert(op.to_string(), json!(utc_z(t)));
        }
        if bad {
            self.error(name, "is invalid");
            return TimeRange::default();
        }
        if !echo.is_empty() {
            self.echo(name, Value::Object(echo));
        }
        r
    }

    /// `per_page` (1-100, default 25, clamped) and `page` (default 1).
    /// `always` is false only for `/v2/users`, which pages only when asked.
    pub fn paging(&self, always: bool) -> Paging {
        let num = |name: &str| self.raw(name).and_then(|v| v.parse::<i64>().ok());
        let per_page = num("per_page").unwrap_or(25).clamp(1, 100);
        let page = num("page").unwrap_or(1).max(1);
        let flag = |name: &str| self.raw(name).and_then(parse_bool).unwrap_or(false);
        Paging {
            per_page: u64::try_from(per_page).unwrap_or(25),
            page: u64::try_from(page).unwrap_or(1),
            counts: flag("include_paging_counts"),
            limit_counts: flag("limit_paging_counts"),
            paginate: always || self.has("page"),
        }
    }

    /// `sort_by` (must be one of `allowed`) and `sort_direction` (ASC/DESC, default DESC).
    pub fn sorting(&mut self, allowed: &[&str], default: &str) -> Sorting {
        let by = match self.raw("sort_by") {
            None => default.to_string(),
            Some(s) if allowed.contains(&s) => s.to_string(),
            Some(_) => {
                self.error("sort_by", "is not included in the list");
                default.to_string()
            }
        };
        let desc = match self.raw("sort_direction").map(str::to_ascii_uppercase) {
            None => true,
            Some(d) if d == "DESC" => true,
            Some(d) if d == "ASC" => false,
            Some(_) => {
                self.error("sort_direction", "is not included in the list");
                true
            }
        };
        Sorting { by, desc }
    }

    /// The filtering echo, or the collected field errors as a 422.
    pub fn finish(self) -> Result<Map<String, Value>, ApiError> {
        if self.errors.is_empty() {
            Ok(self.echo)
        } else {
            Err(ApiError::Fields(self.errors))
        }
    }
}

/// The cost-relevant `page` of a request, read before anything else.
pub fn page_param(raw: Option<&str>) -> Option<u64> {
    let pairs = raw_pairs(raw.unwrap_or("")).ok()?;
    let v = pairs.iter().rev().find(|(k, _)| k == "page")?;
    v.1.trim()
        .parse::<i64>()
        .ok()
        .map(|p| p.max(1).unsigned_abs())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bracket_arrays_scalars_and_echo() {
        let mut q = Query::parse(Some(
            "ids[]=3&ids[]=1&cadence_id=5&updated_at[gte]=2024-06-07T10:51:20.851224-04:00&x=1",
        ))
        .unwrap();
        let ids = q.ids("ids").unwrap();
        assert!(ids.contains(&3) && ids.contains(&1));
        assert_eq!(q.ids("cadence_id").unwrap().len(), 1);
        let r = q.range("updated_at");
        assert!(r.gte.is_some());
        let echo = q.finish().unwrap();
        assert_eq!(
            echo["updated_at"]["gte"],
            json!("2024-06-07T14:51:20.851224Z")
        );
        assert!(!echo.contains_key("x"));
    }

    #[test]
    fn invalid_values_are_field_errors() {
        let mut q = Query::parse(Some("ids[]=abc&updated_at[gt]=nope&sort_by=zzz")).unwrap();
        q.ids("ids");
        q.range("updated_at");
        q.sorting(&["updated_at"], "updated_at");
        let Err(ApiError::Fields(errs)) = q.finish() else {
            panic!("expected field errors")
        };
        assert!(errs.contains_key("ids"));
        assert!(errs.contains_key("updated_at"));
        assert_eq!(errs["sort_by"], vec!["is not included in the list"]);
    }

    #[test]
    fn paging_is_clamped() {
        let q = Query::parse(Some("per_page=500&page=-3")).unwrap();
        let p = q.paging(true);
        assert_eq!((p.per_page, p.page), (100, 1));
        let q = Query::parse(Some("per_page=0&include_paging_counts=1")).unwrap();
        let p = q.paging(false);
        assert_eq!(p.per_page, 1);
        assert!(p.counts && !p.paginate);
        assert_eq!(page_param(Some("page=151&per_page=1")), Some(151));
    }
}
