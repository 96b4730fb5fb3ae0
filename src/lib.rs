//! sltui: a terminal dashboard for SalesLoft, with an embedded SalesLoft simulator.
//!
//! Layers (see ARCHITECTURE.md): `api` is the SalesLoft v2 client and never imports
//! the TUI or the simulator; `sim` is the simulator and never imports `api::models`.

pub mod api;
pub mod budget;
pub mod cli;
pub mod config;
pub mod hub;
pub mod metrics;
pub mod redact;
pub mod search;
pub mod serve;
pub mod sim;
pub mod store;
pub mod sync;
pub mod tui;
pub mod webhooks;
pub mod worker;
