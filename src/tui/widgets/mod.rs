//! Small widgets shared by the views.

pub mod budget_gauge;
pub mod input_line;
pub mod live_chart;
pub mod rate_bar;
pub mod status_bar;
pub mod table;
pub mod trend_chart;
