//! Sections of the file (`[ui]`, `[webhooks]`, `[profiles.NAME]`,
//! `[profiles.NAME.oauth]`) are read from TOML tables only.
//!
//! serde also reads a struct from an array, field by field in declaration order, and
//! fills the fields an array lacks with their defaults: `ui = []` would silently be
//! the defaults and `ui = [7]` would set `refresh_secs = 7`. Here an array (or any
//! other value that is not a table) is refused, naming the section.

use std::collections::BTreeMap;
use std::fmt;
use std::marker::PhantomData;

use serde::Deserialize;
use serde::de::{self, Deserializer, MapAccess, Visitor};

/// A struct that is a section of the config file.
pub(super) trait Section {
    /// How the file names the section: `ui`, `profiles.NAME`, ...
    const NAME: &'static str;
}

/// A `T` read from a table only.
struct Table<T>(T);

impl<'de, T: Section + Deserialize<'de>> Deserialize<'de> for Table<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct TableOnly<T>(PhantomData<T>);

        impl<'de, T: Section + Deserialize<'de>> Visitor<'de> for TableOnly<T> {
            type Value = T;

            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                write!(f, "the [{}] table", T::NAME)
            }

            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<T, A::Error> {
                T::deserialize(de::value::MapAccessDeserializer::new(map))
            }
        }

        d.deserialize_map(TableOnly(PhantomData)).map(Table)
    }
}

/// `deserialize_with` for a section.
pub(super) fn section<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Section + Deserialize<'de>,
{
    Table::<T>::deserialize(d).map(|t| t.0)
}

/// `deserialize_with` for an optional section (with `#[serde(default)]`).
pub(super) fn optional_section<'de, D, T>(d: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Section + Deserialize<'de>,
{
    section(d).map(Some)
}

/// `deserialize_with` for a table of named sections (`[profiles.NAME]`).
pub(super) fn sections<'de, D, T>(d: D) -> Result<BTreeMap<String, T>, D::Error>
where
    D: Deserializer<'de>,
    T: Section + Deserialize<'de>,
{
    let tables = BTreeMap::<String, Table<T>>::deserialize(d)?;
    Ok(tables.into_iter().map(|(name, t)| (name, t.0)).collect())
}

impl Section for super::UiConfig {
    const NAME: &'static str = "ui";
}

impl Section for super::WebhooksConfig {
    const NAME: &'static str = "webhooks";
}

impl Section for super::ProfileConfig {
    const NAME: &'static str = "profiles.NAME";
}

impl Section for super::OAuthProfile {
    const NAME: &'static str = "profiles.NAME.oauth";
}
