//! What goes into `update` and what comes out of it.

use crossterm::event::{KeyEvent, MouseEvent};

use crate::api::BudgetSnapshot;
use crate::config::keymap::Action;
use crate::worker::Parcel;
use crate::worker::protocol::{Priority, Request, RequestId, WorkerEvent};

/// An input to `update`. Moved once per event, so the size of the worker's
/// variant does not matter.
#[derive(Debug)]
#[allow(clippy::large_enum_variant)]
pub enum Msg {
    /// A key press; `update` decides whether it edits a focused input or goes
    /// through the keymap.
    Key(KeyEvent),
    /// An action, as the keymap would produce it (tests use this directly).
    Action(Action),
    /// A click or a wheel notch (when mouse capture is on).
    Mouse(MouseEvent),
    /// Bracketed paste into the focused input.
    Paste(String),
    Resize(u16, u16),
    /// The 4 Hz tick: spinners, "updated N s ago", message expiry, email lookup.
    Tick,
    Worker(WorkerEvent),
    Budget(BudgetSnapshot),
    /// What the local store held at start, before the first frame and before
    /// any request.
    Stored(Box<crate::store::start::StoreLoad>),
    /// The loop wrote a saved view into the config file (`error`: it did not).
    ViewSaved {
        view: crate::config::views::SavedView,
        error: Option<String>,
    },
    /// Something the loop has to say (a file written or not, the worker gone).
    Note(super::state::Level, String),
    /// A termination signal arrived.
    Signal(&'static str),
}

/// An output of `update`, carried out by the loop.
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    /// Send a request to the worker.
    Send {
        id: RequestId,
        priority: Priority,
        request: Request,
    },
    Quit,
    /// Put this text on the system clipboard (OSC 52).
    Copy(String),
    /// Write an export to `file_name` in the directory sltui was started from,
    /// then say where (`what`: "40 cadences").
    Save {
        file_name: String,
        contents: String,
        what: String,
    },
    /// Free a large value the state let go of (a replaced people index or
    /// aggregator) off the UI task: dropping 100k people or a million facts
    /// takes tens of milliseconds. The loop drops it on a blocking thread.
    Free(Parcel<Box<dyn std::any::Any + Send>>),
    /// Write a saved view into the config file at `path` (its other content
    /// and comments kept), then tell `update` with [`Msg::ViewSaved`].
    SaveView {
        path: std::path::PathBuf,
        view: crate::config::views::SavedView,
    },
}

impl Effect {
    /// The request, when this effect sends one.
    pub fn request(&self) -> Option<&Request> {
        match self {
            Effect::Send { request, .. } => Some(request),
            Effect::Quit
            | Effect::Copy(_)
            | Effect::Save { .. }
            | Effect::SaveView { .. }
            | Effect::Free(_) => None,
        }
    }
}
