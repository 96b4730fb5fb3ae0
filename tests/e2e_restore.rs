//! End-to-end: the terminal comes back after the dashboard is ended by a signal
//! or a panic. The real binary runs `--demo` in a tmux pseudo-terminal; after it
//! exits, the pane's script reports `stty` (canonical mode and echo must be on),
//! and tmux says whether the alternate screen is still on, the cursor hidden and
//! the mouse captured.

mod e2e_support;

use std::process::Command;
use std::time::{Duration, Instant};

use e2e_support::{DEADLINE, TempHome, Tmux, run};

const WIDTH: u16 = 100;
const HEIGHT: u16 = 30;

/// `sltui --demo` in a tmux pane, with `env` set for it.
fn dashboard(tag: &str, env: &[(&str, &str)]) -> (TempHome, Tmux) {
    let home = TempHome::new(tag);
    let tmux = Tmux::start_with_env(&home, env, &["--demo"], WIDTH, HEIGHT);
    (home, tmux)
}

/// The pid of the `sltui` process running in the pane.
fn sltui_pid(tmux: &Tmux) -> u32 {
    let shell: u32 = tmux
        .format("#{pane_pid}")
        .parse()
        .expect("tmux gives the pane's pid");
    let start = Instant::now();
    loop {
        if let Some(pid) = descendant_named(shell, "sltui") {
            return pid;
        }
        assert!(start.elapsed() < DEADLINE, "no sltui process under {shell}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// A process named `name` among the descendants of `root`, from /proc.
fn descendant_named(root: u32, name: &str) -> Option<u32> {
    let mut parents = vec![root];
    let mut seen = Vec::new();
    while let Some(parent) = parents.pop() {
        for entry in std::fs::read_dir("/proc").ok()?.flatten() {
            let Some(pid) = entry
                .file_name()
                .to_str()
                .and_then(|s| s.parse::<u32>().ok())
            else {
                continue;
            };
            let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
                continue;
            };
            // `pid (comm) state ppid ...`; comm may hold spaces and parentheses.
            let Some((head, rest)) = stat.rsplit_once(')') else {
                continue;
            };
            let comm = head.split_once('(').map_or("", |(_, c)| c);
            let ppid = rest.split_whitespace().nth(1).and_then(|p| p.parse().ok());
            if ppid != Some(parent) || seen.contains(&pid) {
                continue;
            }
            if comm == name {
                return Some(pid);
            }
            seen.push(pid);
            parents.push(pid);
        }
    }
    None
}

fn signal(pid: u32, name: &str) {
    let out = run(Command::new("kill")
        .arg(format!("-{name}"))
        .arg(pid.to_string()));
    assert!(out.ok(), "kill -{name} {pid}\n{}", out.describe());
}

/// Checks the terminal is back to normal after sltui exited; returns (exit
/// status, screen).
fn assert_restored(tmux: &Tmux, what: &str) -> (String, String) {
    let (status, tty, screen) = tmux.wait_for_exit();
    assert_eq!(
        tty, "icanon echo",
        "{what}: the tty must be back in canonical mode with echo; the screen:\n{screen}"
    );
    assert_eq!(
        tmux.format("#{alternate_on}"),
        "0",
        "{what}: the alternate screen must be left; the screen:\n{screen}"
    );
    assert_eq!(
        tmux.format("#{cursor_flag}"),
        "1",
        "{what}: the cursor must be visible"
    );
    assert_eq!(
        tmux.format("#{mouse_any_flag}"),
        "0",
        "{what}: mouse capture must be off again"
    );
    assert!(
        !screen.contains("1 Cadences"),
        "{what}: the dashboard must not be left on the normal screen:\n{screen}"
    );
    (status, screen)
}

fn ended_by(signal_name: &str, number: i32) {
    let (_home, tmux) = dashboard(&signal_name.to_lowercase(), &[]);
    tmux.wait_text(&["DEMO", "1 Cadences"]);
    assert_eq!(tmux.format("#{alternate_on}"), "1", "the dashboard is up");
    assert_eq!(
        tmux.format("#{mouse_any_flag}"),
        "1",
        "the dashboard captures the mouse"
    );
    signal(sltui_pid(&tmux), signal_name);
    let (status, screen) = assert_restored(&tmux, signal_name);
    assert_eq!(
        status,
        (128 + number).to_string(),
        "{signal_name}: the exit status is 128 + the signal's number, after the \
         restore; the screen:\n{screen}"
    );
}

#[test]
fn sigterm_restores_the_terminal() {
    ended_by("TERM", 15);
}

#[test]
fn sigint_restores_the_terminal() {
    ended_by("INT", 2);
}

#[test]
fn sighup_restores_the_terminal() {
    ended_by("HUP", 1);
}

#[test]
fn a_panic_on_the_ui_thread_restores_the_terminal_then_reports() {
    let (_home, tmux) = dashboard(
        "panic-ui",
        &[("SLTUI_TEST_PANIC", "ui"), ("RUST_BACKTRACE", "0")],
    );
    let (status, screen) = assert_restored(&tmux, "panic");
    assert_eq!(status, "101", "a panic exits 101; the screen:\n{screen}");
    // The message was printed after the restore, so it is on the normal screen.
    assert!(
        screen.contains("SLTUI_TEST_PANIC=ui: a deliberate panic"),
        "the panic message must be readable:\n{screen}"
    );
}

#[test]
fn a_panic_in_a_background_task_leaves_the_dashboard_running() {
    let (home, tmux) = dashboard("panic-task", &[("SLTUI_TEST_PANIC", "task")]);
    tmux.wait_text(&["DEMO", "1 Cadences"]);
    // Give the task time to panic, then check nothing changed.
    std::thread::sleep(Duration::from_millis(800));
    let screen = tmux.screen();
    assert!(
        screen.contains("DEMO") && screen.contains("1 Cadences"),
        "the dashboard must stay as it was:\n{screen}"
    );
    assert!(
        !screen.contains("panicked"),
        "printed over the dashboard:\n{screen}"
    );
    assert_eq!(tmux.format("#{alternate_on}"), "1", "still the dashboard");
    // Still in raw mode: a single `q` (no Enter) quits.
    tmux.keys(&["q"]);
    let (status, _) = assert_restored(&tmux, "quit after a task panic");
    assert_eq!(status, "0");
    // The panic went to the log file.
    let log = home.path().join("state").join("sltui").join("sltui.log");
    let text = std::fs::read_to_string(&log).unwrap_or_default();
    assert!(
        text.contains("SLTUI_TEST_PANIC=task"),
        "the background panic is logged in {}:\n{text}",
        log.display()
    );
}

#[test]
fn sigterm_during_startup_restores_the_terminal() {
    // As soon as the process exists: before, while or just after the terminal is
    // set up (the handler is installed before raw mode begins).
    let (_home, tmux) = dashboard("term-early", &[]);
    signal(sltui_pid(&tmux), "TERM");
    let (status, screen) = assert_restored(&tmux, "early TERM");
    assert_eq!(status, "143", "the screen:\n{screen}");
}

#[test]
fn the_webhook_receiver_shows_in_the_status_bar_and_term_still_exits_143() {
    let home = TempHome::new("hooks");
    let config = home.path().join("config/sltui/config.toml");
    std::fs::create_dir_all(config.parent().unwrap()).unwrap();
    std::fs::write(
        &config,
        "[webhooks]\nlisten = \"127.0.0.1:0\"\ntoken_env = \"SLTUI_TEST_HOOK_TOKEN\"\n",
    )
    .unwrap();
    let tmux = Tmux::start_with_env(&home, &[("NO_COLOR", "1")], &["--demo"], 80, 24);
    let screen = tmux.wait_text(&["DEMO", "1 Cadences", "● LIVE +hooks"]);
    assert!(screen.contains("budget"), "{screen}");
    signal(sltui_pid(&tmux), "TERM");
    let (status, screen) = assert_restored(&tmux, "TERM with webhooks");
    assert_eq!(status, "143", "the screen:\n{screen}");
}
