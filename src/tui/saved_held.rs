//! What the dashboard holds of the saved views (`[[views]]` in config.toml) and
//! the save key's name prompt: plain data, kept apart from `saved_views` (which
//! reads a view off the screen) so the state, the palette and `saved_views` all
//! import it and none of them imports another in a ring.

use std::path::PathBuf;

use crate::config::views::{SavedView, SkippedView};

use super::text_input::TextInput;

#[derive(Debug, Default)]
pub struct SavedViews {
    pub views: Vec<SavedView>,
    /// The config's entries that were skipped (the palette says why).
    pub skipped: Vec<SkippedView>,
    /// The config file a saved view goes into (`None`: nowhere to save).
    pub config_path: Option<PathBuf>,
    /// The view applied or saved last (its name is offered when saving again).
    pub current: Option<String>,
}

/// The name prompt of the save key.
#[derive(Debug, Default)]
pub struct SavePrompt {
    pub input: TextInput,
}
