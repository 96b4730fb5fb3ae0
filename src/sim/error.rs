//! Error answers rendered the way the real API does (salesloft-api.md §5):
//! 401/403/404 as `{"error": "..."}`, 422 as `{"errors": {field: [messages]}}`.

use std::collections::BTreeMap;

use serde_json::{Value, json};

/// An error answer from the simulator, rendered the way the real API does (§5).
#[derive(Debug, Clone, PartialEq)]
pub enum ApiError {
    /// 404 `{"error": "Not Found"}`
    NotFound,
    /// 400 `{"error": msg}` (malformed body or query)
    BadRequest(String),
    /// 422 `{"errors": {field: [messages]}}`
    Fields(BTreeMap<String, Vec<String>>),
}

impl ApiError {
    /// A 422 with one field error.
    pub fn field(name: &str, msg: &str) -> Self {
        let mut m = BTreeMap::new();
        m.insert(name.to_string(), vec![msg.to_string()]);
        ApiError::Fields(m)
    }

    pub fn status(&self) -> u16 {
        match self {
            ApiError::NotFound => 404,
            ApiError::BadRequest(_) => 400,
            ApiError::Fields(_) => 422,
        }
    }

    pub fn body(&self) -> Value {
        match self {
            ApiError::NotFound => json!({"error": "Not Found"}),
            ApiError::BadRequest(msg) => json!({"error": msg}),
            ApiError::Fields(map) => json!({"errors": map}),
        }
    }
}
