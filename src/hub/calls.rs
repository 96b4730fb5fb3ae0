//! What every part of the hub does alike: say what happened, and run a
//! blocking database call off the async workers.

use crate::store::StoreError;

/// What happened, for the log and the terminal.
pub(super) fn say(name: &str, text: impl AsRef<str>) {
    let text = text.as_ref();
    tracing::info!(hub = name, "{text}");
    eprintln!("hub {name}: {text}");
}

/// Runs a blocking database call off the async workers; a stopped call is an error.
pub(super) async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, StoreError> + Send + 'static,
) -> Result<T, String> {
    match tokio::task::spawn_blocking(f).await {
        Ok(r) => r.map_err(|e| e.to_string()),
        Err(e) => Err(format!("a database call stopped: {e}")),
    }
}
