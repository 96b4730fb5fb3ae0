//! POST/PUT parameters. The spec models them as query or form parameters, many
//! clients send JSON (salesloft-api.md §1, §3.4): all three are accepted and
//! merged, the body winning over the query string.

use std::collections::BTreeMap;

use serde_json::Value;

use super::query::{ApiError, parse_bool, raw_pairs};

/// The merged parameters of one mutation request.
#[derive(Debug, Default, Clone)]
pub struct Fields {
    map: BTreeMap<String, Value>,
}

/// What a field held, read as a given type.
#[derive(Debug, Clone, PartialEq)]
pub enum Got<T> {
    /// Not given.
    Absent,
    /// Given as null or an empty string.
    Null,
    Value(T),
    /// Given, but not readable as that type.
    Invalid,
}

impl<T> Got<T> {
    /// The value, treating absent and null alike.
    pub fn value(self) -> Option<T> {
        match self {
            Got::Value(v) => Some(v),
            _ => None,
        }
    }
}

impl Fields {
    /// Merges query-string, form and JSON parameters.
    pub fn parse(
        query: Option<&str>,
        content_type: Option<&str>,
        body: &[u8],
    ) -> Result<Self, ApiError> {
        let mut fields = Fields::default();
        fields.merge_pairs(raw_pairs(query.unwrap_or(""))?);
        let ct = content_type.unwrap_or("").to_ascii_lowercase();
        let text = std::str::from_utf8(body)
            .map_err(|_| ApiError::BadRequest("Request body is not valid UTF-8".into()))?;
        if text.trim().is_empty() {
            return Ok(fields);
        }
        let json =
            ct.contains("json") || (!ct.contains("form") && text.trim_start().starts_with('{'));
        if json {
            let v: Value = serde_json::from_str(text)
                .map_err(|e| ApiError::BadRequest(format!("Malformed JSON body: {e}")))?;
            let Value::Object(obj) = v else {
                return Err(ApiError::BadRequest(
                    "Malformed JSON body: expected an object".into(),
                ));
            };
            for (k, v) in obj {
                let k = k.strip_suffix("[]").map(str::to_string).unwrap_or(k);
                fields.map.insert(k, v);
            }
        } else {
            fields.merge_pairs(raw_pairs(text)?);
        }
        Ok(fields)
    }

    fn merge_pairs(&mut self, pairs: Vec<(String, String)>) {
        let mut arrays: BTreeMap<String, Vec<Value>> = BTreeMap::new();
        for (k, v) in pairs {
            match k.strip_suffix("[]") {
                Some(name) => arrays
                    .entry(name.to_string())
                    .or_default()
                    .push(Value::String(v)),
                None => {
                    self.map.insert(k, Value::String(v));
                }
            }
        }
        for (k, v) in arrays {
            self.map.insert(k, Value::Array(v));
        }
    }

    pub fn has(&self, name: &str) -> bool {
        self.map.contains_key(name)
    }

    /// A field as given (objects and arrays included).
    pub fn raw(&self, name: &str) -> Option<&Value> {
        self.map.get(name)
    }

    /// A string field; numbers and booleans are read as their text.
    pub fn text(&self, name: &str) -> Got<String> {
        match self.map.get(name) {
            None => Got::Absent,
            Some(Value::Null) => Got::Null,
            Some(Value::String(s)) if s.trim().is_empty() => Got::Null,
            Some(Value::String(s)) => Got::Value(s.trim().to_string()),
            Some(Value::Number(n)) => Got::Value(n.to_string()),
            Some(Value::Bool(b)) => Got::Value(b.to_string()),
            Some(_) => Got::Invalid,
        }
    }

    /// A positive integer id.
    pub fn id(&self, name: &str) -> Got<u64> {
        match self.map.get(name) {
            None => Got::Absent,
            Some(Value::Null) => Got::Null,
            Some(Value::String(s)) if s.trim().is_empty() => Got::Null,
            Some(Value::String(s)) => s.trim().parse().map_or(Got::Invalid, Got::Value),
            Some(Value::Number(n)) => n.as_u64().map_or(Got::Invalid, Got::Value),
            Some(_) => Got::Invalid,
        }
    }

    /// A non-negative integer (e.g. a call's duration).
    pub fn uint(&self, name: &str) -> Got<u32> {
        match self.id(name) {
            Got::Value(v) => u32::try_from(v).map_or(Got::Invalid, Got::Value),
            Got::Absent => Got::Absent,
            Got::Null => Got::Null,
            Got::Invalid => Got::Invalid,
        }
    }

    pub fn boolean(&self, name: &str) -> Got<bool> {
        match self.map.get(name) {
            None => Got::Absent,
            Some(Value::Null) => Got::Null,
            Some(Value::Bool(b)) => Got::Value(*b),
            Some(Value::String(s)) if s.trim().is_empty() => Got::Null,
            Some(Value::String(s)) => parse_bool(s).map_or(Got::Invalid, Got::Value),
            Some(Value::Number(n)) => match n.as_u64() {
                Some(0) => Got::Value(false),
                Some(1) => Got::Value(true),
                _ => Got::Invalid,
            },
            Some(_) => Got::Invalid,
        }
    }

    /// A string array (`tags[]=a&tags[]=b`, a JSON array, or one string).
    pub fn strings(&self, name: &str) -> Got<Vec<String>> {
        match self.map.get(name) {
            None => Got::Absent,
            Some(Value::Null) => Got::Null,
            Some(Value::String(s)) => Got::Value(vec![s.clone()]),
            Some(Value::Array(items)) => {
                let mut out = Vec::with_capacity(items.len());
                for item in items {
                    match item {
                        Value::String(s) if s.trim().is_empty() => {}
                        Value::String(s) => out.push(s.trim().to_string()),
                        Value::Number(n) => out.push(n.to_string()),
                        _ => return Got::Invalid,
                    }
                }
                Got::Value(out)
            }
            Some(_) => Got::Invalid,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_form_and_query_merge() {
        let f = Fields::parse(
            Some("person_id=1&cadence_id=2"),
            Some("application/json"),
            br#"{"cadence_id": 3, "tags": ["a", "b"], "do_not_contact": true}"#,
        )
        .unwrap();
        assert_eq!(f.id("person_id"), Got::Value(1));
        assert_eq!(f.id("cadence_id"), Got::Value(3));
        assert_eq!(f.strings("tags"), Got::Value(vec!["a".into(), "b".into()]));
        assert_eq!(f.boolean("do_not_contact"), Got::Value(true));

        let f = Fields::parse(
            None,
            Some("application/x-www-form-urlencoded"),
            b"email_address=a%40b.com&tags[]=x&last_name=",
        )
        .unwrap();
        assert_eq!(f.text("email_address"), Got::Value("a@b.com".into()));
        assert_eq!(f.text("last_name"), Got::Null);
        assert_eq!(f.text("first_name"), Got::Absent);
        assert_eq!(f.id("email_address"), Got::Invalid);
    }

    #[test]
    fn malformed_json_is_a_400() {
        let e = Fields::parse(None, Some("application/json"), b"{nope").unwrap_err();
        assert_eq!(e.status(), 400);
        let e = Fields::parse(None, Some("application/json"), b"[1]").unwrap_err();
        assert_eq!(e.status(), 400);
    }
}
