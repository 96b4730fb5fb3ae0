//! The embedded SalesLoft simulator.
pub mod model;
