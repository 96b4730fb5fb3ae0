//! The terminal dashboard: terminal lifecycle, the event loop, state and `update`,
//! views, widgets and popups. See ARCHITECTURE.md: one task owns the state, the
//! worker does all network work, the screen redraws on change.

pub mod alerts;
pub mod app;
pub mod auth;
pub mod auth_text;
pub mod cadence_list;
pub mod choices;
pub mod context;
pub mod cost;
pub mod enroll;
pub mod export;
pub mod fetch;
pub mod funnel;
pub mod hits;
pub mod hub;
pub mod msg;
pub mod pages;
pub mod palette;
pub mod parts;
pub mod popups;
pub mod saved_held;
pub mod saved_views;
pub mod setup;
pub mod state;
pub mod store_status;
pub mod stored;
pub mod style;
pub mod task;
pub mod terminal;
pub mod text;
pub mod text_input;
pub mod trends;
pub mod update;
pub mod views;
pub mod widgets;
pub mod yank;

pub use context::DashboardContext;

/// Runs the dashboard until the user quits. The terminal is always restored: on
/// return, on error, on panic (the hook is installed before the terminal is touched)
/// and on SIGINT/SIGTERM/SIGHUP.
pub async fn run(ctx: DashboardContext) -> anyhow::Result<()> {
    terminal::install_panic_hook();
    let mut tui = terminal::Tui::enter(ctx.mouse)?;
    let result = app::run(&mut tui, ctx).await;
    drop(tui);
    result
}
