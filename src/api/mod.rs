//! The SalesLoft REST API v2 client.
//!
//! Typed models, the list envelope with page and keyset (cursor) walks, the
//! rate-limit budget read from every response, the retry policy, and typed
//! errors whose text tells the user what to do. This layer never imports the
//! TUI, the simulator or the config module.

pub mod auth;
pub mod auth_gate;
pub mod budget;
pub mod client;
mod decode;
pub mod error;
mod error_body;
pub mod health;
pub mod models;
pub mod paging;
pub mod query;
mod resources;
mod retry;
pub mod spend;
pub mod subscriptions;

pub use auth::{Grant, OAuthSettings, TokenProvider};
pub use auth_gate::Refusal as AuthRefusal;
pub use budget::{Budget, BudgetSnapshot, SpendSample};
pub use client::{ApiClient, ApiConfig, ProbeResult};
pub use error::{ApiError, NetworkKind, OAuthRefusal};
pub use health::{Health, HealthSnapshot};
pub use paging::{CursorPosition, CursorStream, PageWalk};
pub use query::Query;
pub use spend::Account;
pub use subscriptions::{NewWebhookSubscription, WebhookSubscription};

pub type ApiResult<T> = Result<T, ApiError>;
