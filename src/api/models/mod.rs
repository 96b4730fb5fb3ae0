//! Typed SalesLoft v2 resources (see `salesloft-api.md` §1-§3).
//!
//! Parsing is lenient where real data is: unknown fields are ignored, absent
//! fields take defaults, `null` in counts, flags, lists and strings reads as
//! the empty value, and embedded references may lack `_href` or carry string
//! ids. Timestamps keep their microseconds and UTC offset.

mod activities;
mod cadences;
mod people;
mod requests;
mod templates;
#[cfg(test)]
mod tests;

use std::fmt;

use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Deserializer, Serialize};

pub use activities::{Call, Email, EmailCounts};
pub use cadences::{Cadence, CadenceCounts, CadenceState, Membership, MembershipCounts, Step};
pub use people::{Person, PersonCounts, Team, User};
pub use requests::{NewCall, NewMembership, NewPerson, PersonUpdate};
pub use templates::{CadenceImport, EmailTemplate, EmailTemplateCounts};

/// An id inside an embedded reference: usually an integer, sometimes a
/// string such as `"Admin"` (roles) or a GUID (users, team templates). An
/// integer sent as a string (`"25591"`) reads as the integer, so the same
/// reference compares equal however the server spelled it.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(untagged)]
pub enum RefId {
    Int(u64),
    Str(String),
}

impl<'de> Deserialize<'de> for RefId {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Wire {
            Int(u64),
            Str(String),
        }
        Ok(match Wire::deserialize(d)? {
            Wire::Int(n) => RefId::Int(n),
            Wire::Str(s) => match canonical_u64(&s) {
                Some(n) => RefId::Int(n),
                None => RefId::Str(s),
            },
        })
    }
}

/// `s` as an integer when it is exactly how that integer is written (no sign,
/// spaces or leading zeros), so a GUID or `"007"` stays a string.
fn canonical_u64(s: &str) -> Option<u64> {
    let digits = !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !digits || (s.len() > 1 && s.starts_with('0')) {
        return None;
    }
    s.parse().ok()
}

impl RefId {
    /// The numeric id, also when it was sent as a numeric string.
    pub fn as_u64(&self) -> Option<u64> {
        match self {
            RefId::Int(n) => Some(*n),
            RefId::Str(s) => s.trim().parse().ok(),
        }
    }
}

impl fmt::Display for RefId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RefId::Int(n) => write!(f, "{n}"),
            RefId::Str(s) => f.write_str(s),
        }
    }
}

/// An embedded reference `{"_href": "...", "id": ...}`; `_href` is present
/// only for resources exposed in the API.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ref {
    pub id: RefId,
    #[serde(rename = "_href", default, skip_serializing_if = "Option::is_none")]
    pub href: Option<String>,
}

impl Ref {
    pub fn id_u64(&self) -> Option<u64> {
        self.id.as_u64()
    }
}

/// `{"metadata": {...}, "data": [...]}`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ListEnvelope<T> {
    #[serde(default, deserialize_with = "null_default")]
    pub metadata: Metadata,
    pub data: Vec<T>,
}

/// `{"data": {...}}`, the wrapper of single-object responses.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Single<T> {
    pub data: T,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Metadata {
    /// Absent on un-paginated responses (`/v2/users` without `page`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub paging: Option<Paging>,
    #[serde(default)]
    pub filtering: serde_json::Value,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sorting: Option<Sorting>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Paging {
    #[serde(default, deserialize_with = "lenient_u32")]
    pub per_page: u32,
    #[serde(default, deserialize_with = "lenient_u32")]
    pub current_page: u32,
    #[serde(
        default,
        deserialize_with = "lenient_opt_u32",
        skip_serializing_if = "Option::is_none"
    )]
    pub next_page: Option<u32>,
    #[serde(
        default,
        deserialize_with = "lenient_opt_u32",
        skip_serializing_if = "Option::is_none"
    )]
    pub prev_page: Option<u32>,
    /// Only with `include_paging_counts=true`.
    #[serde(
        default,
        deserialize_with = "lenient_opt_u64",
        skip_serializing_if = "Option::is_none"
    )]
    pub total_pages: Option<u64>,
    #[serde(
        default,
        deserialize_with = "lenient_opt_u64",
        skip_serializing_if = "Option::is_none"
    )]
    pub total_count: Option<u64>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Sorting {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sort_by: Option<String>,
    /// e.g. `"DESC NULLS LAST"`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sort_direction: Option<String>,
}

/// A record that can be walked with a keyset cursor on `updated_at`.
pub trait Timestamped {
    fn record_id(&self) -> u64;
    fn updated_at(&self) -> DateTime<FixedOffset>;
}

macro_rules! timestamped {
    ($($t:ty),*) => {$(
        impl Timestamped for $t {
            fn record_id(&self) -> u64 {
                self.id
            }
            fn updated_at(&self) -> DateTime<FixedOffset> {
                self.updated_at
            }
        }
    )*};
}
timestamped!(Person, Cadence, Step, Membership, Email, Call);

/// A template without `updated_at` sorts as of its creation (or the epoch).
impl Timestamped for EmailTemplate {
    fn record_id(&self) -> u64 {
        self.id
    }
    fn updated_at(&self) -> DateTime<FixedOffset> {
        self.updated_at
            .or(self.created_at)
            .unwrap_or_else(|| DateTime::UNIX_EPOCH.fixed_offset())
    }
}

/// Reads `null` as `T::default()`.
pub(crate) fn null_default<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Default + Deserialize<'de>,
{
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}

/// A count: integer, integral float, numeric string or `null` (read as None).
fn count_value<E: serde::de::Error>(v: serde_json::Value) -> Result<Option<u64>, E> {
    use serde_json::Value;
    match v {
        Value::Null => Ok(None),
        Value::Number(n) => {
            if let Some(u) = n.as_u64() {
                Ok(Some(u))
            } else {
                match n.as_f64() {
                    Some(f) if f >= 0.0 && f.fract() == 0.0 && f <= u64::MAX as f64 => {
                        Ok(Some(f as u64))
                    }
                    _ => Err(E::custom(format!("expected a non-negative count, got {n}"))),
                }
            }
        }
        Value::String(s) if s.trim().is_empty() => Ok(None),
        Value::String(s) => s
            .trim()
            .parse()
            .map(Some)
            .map_err(|_| E::custom(format!("expected a count, got string {s:?}"))),
        other => Err(E::custom(format!("expected a count, got {other}"))),
    }
}

pub(crate) fn lenient_opt_u64<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u64>, D::Error> {
    count_value(serde_json::Value::deserialize(d)?)
}

/// A count where `null` means 0.
pub(crate) fn lenient_u64<'de, D: Deserializer<'de>>(d: D) -> Result<u64, D::Error> {
    Ok(lenient_opt_u64(d)?.unwrap_or(0))
}

pub(crate) fn lenient_opt_u32<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u32>, D::Error> {
    match lenient_opt_u64(d)? {
        None => Ok(None),
        Some(v) => u32::try_from(v)
            .map(Some)
            .map_err(|_| serde::de::Error::custom(format!("{v} is out of range"))),
    }
}

pub(crate) fn lenient_u32<'de, D: Deserializer<'de>>(d: D) -> Result<u32, D::Error> {
    Ok(lenient_opt_u32(d)?.unwrap_or(0))
}

/// A string that real data sometimes sends as a number (`"100.0"` vs 100).
pub(crate) fn lenient_opt_string<'de, D: Deserializer<'de>>(
    d: D,
) -> Result<Option<String>, D::Error> {
    use serde_json::Value;
    Ok(match Value::deserialize(d)? {
        Value::Null => None,
        Value::String(s) => Some(s),
        other => Some(other.to_string()),
    })
}
