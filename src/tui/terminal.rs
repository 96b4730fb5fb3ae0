//! Terminal lifecycle: raw mode and the alternate screen on the way in, and a restore
//! that runs on every way out: normal return, `?` error, panic (a hook installed
//! before the terminal is touched) and SIGINT/SIGTERM/SIGHUP (see [`Signals`]).

use std::io::{self, Stdout, Write};
use std::sync::atomic::{AtomicBool, AtomicI32, Ordering};
use std::sync::{Mutex, Once};
use std::thread::{self, ThreadId};

use crossterm::event::{
    DisableBracketedPaste, DisableMouseCapture, EnableBracketedPaste, EnableMouseCapture,
};
use crossterm::terminal::{EnterAlternateScreen, LeaveAlternateScreen};
use crossterm::{cursor, execute, terminal};
use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;

/// Whether our setup is in effect, so a restore runs once and only when needed.
static ACTIVE: AtomicBool = AtomicBool::new(false);
/// Mouse capture is on (turned off again with the rest, whatever ends the run).
static MOUSE: AtomicBool = AtomicBool::new(false);
static HOOK: Once = Once::new();
/// The thread that set the terminal up and runs the event loop.
static OWNER: Mutex<Option<ThreadId>> = Mutex::new(None);
/// The number of the termination signal that ended the dashboard (0: none).
static ENDED_BY: AtomicI32 = AtomicI32::new(0);

/// The exit status a process ended by a signal reports, `128 + signal` (143
/// for SIGTERM, 130 for SIGINT, 129 for SIGHUP), when a signal ended the
/// dashboard. `main` exits with it once the terminal is restored.
pub fn signal_exit_status() -> Option<i32> {
    match ENDED_BY.load(Ordering::SeqCst) {
        0 => None,
        n => Some(128 + n),
    }
}

/// Puts the terminal back: ends mouse capture, leaves the alternate screen, shows
/// the cursor, ends raw mode. Safe to call from anywhere, any number of times.
pub fn restore() {
    if ACTIVE.swap(false, Ordering::SeqCst) {
        let mut out = io::stdout();
        if MOUSE.swap(false, Ordering::SeqCst) {
            let _ = execute!(out, DisableMouseCapture);
        }
        // Best effort: on the way out there is nobody left to tell.
        let _ = execute!(
            out,
            DisableBracketedPaste,
            LeaveAlternateScreen,
            cursor::Show
        );
        let _ = terminal::disable_raw_mode();
        let _ = out.flush();
    }
}

/// Installs (once) a panic hook that restores the terminal before the default hook
/// prints the panic, so the message lands on a usable screen.
///
/// Only a panic on the thread that owns the terminal ends the dashboard. A panic
/// in a background task is caught by tokio (the worker reports the failed job) and
/// the dashboard keeps running: restoring the terminal then would leave it drawing
/// in cooked mode on the normal screen, and printing the message would scribble
/// over it, so such a panic goes to the log file only.
pub fn install_panic_hook() {
    HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let owner = *OWNER.lock().unwrap_or_else(|e| e.into_inner());
            let elsewhere = owner.is_some_and(|id| id != thread::current().id());
            if elsewhere && ACTIVE.load(Ordering::SeqCst) {
                tracing::error!(panic = %info, "a background task panicked");
                return;
            }
            restore();
            previous(info);
        }));
    });
}

/// For tests only, and only when `SLTUI_TEST_PANIC` is set: `ui` panics on the
/// event loop's thread, `task` in a background task, right after the first frame.
/// `tests/e2e_restore.rs` uses it to check that the terminal is restored after a
/// panic that ends the dashboard, and left alone after one that does not.
pub fn panic_for_tests() {
    let Some(what) = std::env::var_os("SLTUI_TEST_PANIC") else {
        return;
    };
    if what == "ui" {
        panic!("SLTUI_TEST_PANIC=ui: a deliberate panic on the UI thread");
    }
    if what == "task" {
        tokio::spawn(async {
            panic!("SLTUI_TEST_PANIC=task: a deliberate panic in a background task");
        });
    }
}

pub type Backend = CrosstermBackend<Stdout>;

/// The terminal while the dashboard owns it; dropping it restores the terminal.
pub struct Tui {
    pub terminal: Terminal<Backend>,
    /// Listening since before raw mode began, so no signal can end the process
    /// with the terminal left raw.
    pub signals: Signals,
}

impl Tui {
    /// Enters raw mode and the alternate screen, with mouse capture when `mouse`
    /// (clicks and the wheel reach the dashboard; the terminal's own text
    /// selection then needs shift on most terminals). Call
    /// [`install_panic_hook`] first.
    pub fn enter(mouse: bool) -> anyhow::Result<Tui> {
        let signals = Signals::new()?;
        terminal::enable_raw_mode()?;
        *OWNER.lock().unwrap_or_else(|e| e.into_inner()) = Some(thread::current().id());
        ACTIVE.store(true, Ordering::SeqCst);
        let mut out = io::stdout();
        if let Err(e) = execute!(
            out,
            EnterAlternateScreen,
            EnableBracketedPaste,
            cursor::Hide
        ) {
            restore();
            return Err(e.into());
        }
        if mouse {
            MOUSE.store(true, Ordering::SeqCst);
            if let Err(e) = execute!(out, EnableMouseCapture) {
                restore();
                return Err(e.into());
            }
        }
        let terminal = Terminal::new(CrosstermBackend::new(out)).and_then(|mut t| {
            t.clear()?;
            Ok(t)
        });
        match terminal {
            Ok(terminal) => Ok(Tui { terminal, signals }),
            Err(e) => {
                restore();
                Err(e.into())
            }
        }
    }
}

impl Drop for Tui {
    fn drop(&mut self) {
        restore();
    }
}

/// Termination signals as a stream the event loop can `select!` on. In raw mode
/// ctrl-c arrives as a key, but `kill`, a closing terminal or a process manager
/// still send signals, and the terminal must be restored for those too.
pub struct Signals {
    #[cfg(unix)]
    inner: [tokio::signal::unix::Signal; 3],
}

impl Signals {
    pub fn new() -> io::Result<Signals> {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{SignalKind, signal};
            Ok(Signals {
                inner: [
                    signal(SignalKind::interrupt())?,
                    signal(SignalKind::terminate())?,
                    signal(SignalKind::hangup())?,
                ],
            })
        }
        #[cfg(not(unix))]
        {
            Ok(Signals {})
        }
    }

    /// Resolves with the signal's name when one arrives, and records it for
    /// [`signal_exit_status`].
    pub async fn recv(&mut self) -> &'static str {
        #[cfg(unix)]
        let (name, number) = {
            let [int, term, hup] = &mut self.inner;
            tokio::select! {
                _ = int.recv() => ("SIGINT", 2),
                _ = term.recv() => ("SIGTERM", 15),
                _ = hup.recv() => ("SIGHUP", 1),
            }
        };
        #[cfg(not(unix))]
        let (name, number) = {
            let _ = tokio::signal::ctrl_c().await;
            ("ctrl-c", 2)
        };
        ENDED_BY.store(number, Ordering::SeqCst);
        name
    }
}
