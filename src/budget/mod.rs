//! The team's rate-limit budget, below every layer that spends it: the page-cost
//! table of SalesLoft's cost-based limit ([`cost`]) and the governor that decides,
//! before each read, whether the budget can afford it ([`governor`]). Pure: no
//! network, no terminal. Used by the worker, the sync engine and the CLI.

pub mod cost;
pub mod governor;

pub use cost::{ReadCost, cursor_walk, cursor_walks, page_cost, page_walk};
pub use governor::{BudgetView, Decision, Governor, Priority};
