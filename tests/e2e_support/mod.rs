//! Helpers for the end-to-end tests that run the real `sltui` binary: a private
//! home directory per child, guards that kill children on drop, commands with a
//! deadline, `sltui sim` as a child, the simulator's API, and a tmux pane to drive
//! the dashboard in a real pseudo-terminal.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use serde_json::Value;

/// How long any one wait may take before the test fails (generous: no timing
/// assertions, only a guard against hangs).
pub const DEADLINE: Duration = Duration::from_secs(60);

/// The binary under test.
pub fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_sltui")
}

/// A fresh directory used as HOME and as every XDG base directory of a child, so a
/// test never reads or writes the user's real config, data, state or cache.
/// Removed on drop.
pub struct TempHome {
    /// Removed (recursively) when dropped.
    root: tempfile::TempDir,
}

impl TempHome {
    pub fn new(tag: &str) -> TempHome {
        // Short: a tmux socket lives inside and socket paths are limited (~100 bytes).
        let root = tempfile::Builder::new()
            .prefix(&format!("sltui-e2e-{tag}-"))
            .tempdir()
            .expect("create the temporary home");
        for sub in Self::SUBDIRS {
            std::fs::create_dir_all(root.path().join(sub)).expect("create an XDG directory");
        }
        TempHome { root }
    }

    const SUBDIRS: [&'static str; 4] = ["config", "data", "state", "cache"];

    pub fn path(&self) -> &Path {
        self.root.path()
    }

    /// The variables every child gets: HOME and the XDG base directories.
    pub fn vars(&self) -> Vec<(&'static str, PathBuf)> {
        vec![
            ("HOME", self.path().to_path_buf()),
            ("XDG_CONFIG_HOME", self.path().join("config")),
            ("XDG_DATA_HOME", self.path().join("data")),
            ("XDG_STATE_HOME", self.path().join("state")),
            ("XDG_CACHE_HOME", self.path().join("cache")),
        ]
    }

    /// Points the command at this home and drops the variables that would let the
    /// user's environment leak into the test.
    pub fn apply<'c>(&self, cmd: &'c mut Command) -> &'c mut Command {
        for (k, v) in self.vars() {
            cmd.env(k, v);
        }
        for k in [
            "SALESLOFT_API_KEY",
            "SALESLOFT_BASE_URL",
            "TMUX",
            "TMUX_PANE",
        ] {
            cmd.env_remove(k);
        }
        cmd
    }

    /// `sltui` with this home.
    pub fn sltui(&self) -> Command {
        let mut cmd = Command::new(bin());
        self.apply(&mut cmd);
        cmd
    }

    /// Every regular file under the home, recursively.
    pub fn files(&self) -> Vec<PathBuf> {
        files_under(self.path())
    }
}

pub fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in entries.flatten() {
            let p = e.path();
            match e.file_type() {
                Ok(t) if t.is_dir() => stack.push(p),
                Ok(t) if t.is_file() => out.push(p),
                _ => {}
            }
        }
    }
    out.sort();
    out
}

/// A child process that is killed (and reaped) when the guard is dropped.
pub struct ChildGuard {
    pub child: Child,
    what: String,
}

impl ChildGuard {
    pub fn new(child: Child, what: impl Into<String>) -> ChildGuard {
        ChildGuard {
            child,
            what: what.into(),
        }
    }
}

impl Drop for ChildGuard {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait()
            && let Err(e) = self.child.kill()
        {
            eprintln!("could not kill {}: {e}", self.what);
        }
        let _ = self.child.wait();
    }
}

/// What a finished command printed.
pub struct Output {
    pub status: ExitStatus,
    pub stdout: String,
    pub stderr: String,
}

impl Output {
    pub fn ok(&self) -> bool {
        self.status.success()
    }

    /// Both streams, for failure messages and for checks that do not care which.
    pub fn all(&self) -> String {
        format!("{}{}", self.stdout, self.stderr)
    }

    pub fn describe(&self) -> String {
        format!(
            "status: {}\n--- stdout ---\n{}\n--- stderr ---\n{}",
            self.status, self.stdout, self.stderr
        )
    }
}

fn drain(mut r: impl Read + Send + 'static) -> std::thread::JoinHandle<String> {
    std::thread::spawn(move || {
        let mut bytes = Vec::new();
        let _ = r.read_to_end(&mut bytes);
        String::from_utf8_lossy(&bytes).into_owned()
    })
}

/// Runs a command to completion (stdin closed), failing the test when it takes
/// longer than [`DEADLINE`].
pub fn run(cmd: &mut Command) -> Output {
    let shown = format!("{cmd:?}");
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {shown}: {e}"));
    let out = drain(child.stdout.take().expect("piped stdout"));
    let err = drain(child.stderr.take().expect("piped stderr"));
    let mut guard = ChildGuard::new(child, shown.clone());
    let start = Instant::now();
    let status = loop {
        match guard.child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if start.elapsed() > DEADLINE => {
                drop(guard);
                panic!(
                    "{shown} did not finish within {DEADLINE:?}\n--- stdout ---\n{}\n--- stderr ---\n{}",
                    out.join().unwrap_or_default(),
                    err.join().unwrap_or_default()
                );
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(20)),
            Err(e) => panic!("waiting for {shown}: {e}"),
        }
    };
    Output {
        status,
        stdout: out.join().unwrap_or_default(),
        stderr: err.join().unwrap_or_default(),
    }
}

/// `sltui sim` running as a child on a free loopback port.
pub struct SimChild {
    pub base_url: String,
    pub api_key: String,
    _guard: ChildGuard,
}

impl SimChild {
    pub fn start(home: &TempHome, api_key: &str) -> SimChild {
        Self::start_with(home, api_key, &[])
    }

    /// Like [`Self::start`], with more `sltui sim` flags (`--non-admin`).
    pub fn start_with(home: &TempHome, api_key: &str, extra: &[&str]) -> SimChild {
        let mut cmd = home.sltui();
        cmd.args([
            "sim",
            "--addr",
            "127.0.0.1:0",
            "--people",
            "300",
            "--cadences",
            "10",
            "--api-key",
            api_key,
        ])
        .args(extra)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
        let mut child = cmd.spawn().expect("start `sltui sim`");
        let stdout = child.stdout.take().expect("piped stdout");
        let stderr = child.stderr.take().expect("piped stderr");
        let guard = ChildGuard::new(child, "sltui sim");
        let (tx, rx) = mpsc::channel::<String>();
        // Keep reading (and so keep the pipe open) for the life of the child.
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                // After the URL nobody listens any more: keep draining anyway.
                let _ = tx.send(line);
            }
        });
        let err = drain(stderr);
        let deadline = Instant::now() + DEADLINE;
        let mut seen = Vec::new();
        let base_url = loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match rx.recv_timeout(left) {
                Ok(line) => {
                    if let Some(url) = line
                        .strip_prefix("SalesLoft simulator listening on ")
                        .map(|u| u.trim().to_string())
                    {
                        break url;
                    }
                    seen.push(line);
                }
                Err(_) => {
                    drop(guard);
                    panic!(
                        "`sltui sim` never said where it listens\n--- stdout ---\n{}\n--- stderr ---\n{}",
                        seen.join("\n"),
                        err.join().unwrap_or_default()
                    );
                }
            }
        };
        assert!(
            base_url.starts_with("http://127.0.0.1:") && base_url.ends_with("/v2"),
            "unexpected simulator URL {base_url:?}"
        );
        SimChild {
            base_url,
            api_key: api_key.to_string(),
            _guard: guard,
        }
    }
}

/// The simulator's HTTP API, from the test's side (async client on a runtime the
/// test owns).
pub struct Api {
    pub base_url: String,
    pub api_key: String,
    client: reqwest::Client,
}

impl Api {
    pub fn new(base_url: &str, api_key: &str) -> Api {
        Api {
            base_url: base_url.trim_end_matches('/').to_string(),
            api_key: api_key.to_string(),
            client: reqwest::Client::builder()
                .timeout(Duration::from_secs(30))
                .build()
                .expect("an HTTP client"),
        }
    }

    /// GET `path` (relative to `/v2`) with the bearer key; panics unless 2xx.
    pub fn get(&self, rt: &tokio::runtime::Runtime, path: &str) -> Value {
        let url = format!("{}/{}", self.base_url, path.trim_start_matches('/'));
        rt.block_on(async {
            let resp = self
                .client
                .get(&url)
                .bearer_auth(&self.api_key)
                .send()
                .await
                .unwrap_or_else(|e| panic!("GET {url}: {e}"));
            let status = resp.status();
            let body = resp.text().await.unwrap_or_default();
            assert!(status.is_success(), "GET {url}: {status}: {body}");
            serde_json::from_str(&body).unwrap_or_else(|e| panic!("GET {url}: {e}: {body}"))
        })
    }

    /// Every record of a list endpoint, page by page (`query` without `page`).
    pub fn all(&self, rt: &tokio::runtime::Runtime, path: &str, query: &str) -> Vec<Value> {
        let mut out = Vec::new();
        let mut page = 1;
        loop {
            let sep = if query.is_empty() { "" } else { "&" };
            let v = self.get(rt, &format!("{path}?{query}{sep}per_page=100&page={page}"));
            out.extend(data(&v).iter().cloned());
            match v
                .pointer("/metadata/paging/next_page")
                .and_then(Value::as_u64)
            {
                Some(next) if next > page => page = next,
                _ => break,
            }
            assert!(page < 1000, "runaway paging on {path}");
        }
        out
    }
}

/// The `data` array of a list answer.
pub fn data(v: &Value) -> &[Value] {
    v.get("data")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_else(|| panic!("no data array in {v}"))
}

/// Whether the `tmux` binary can be run; the TUI tests fail (never skip) without it.
pub fn require_tmux() {
    let found = Command::new("tmux")
        .arg("-V")
        .stdin(Stdio::null())
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false);
    assert!(
        found,
        "tmux is required by the end-to-end TUI tests (they run sltui in a real pseudo-terminal) \
         but `tmux -V` failed: install it (Debian/Ubuntu: apt-get install -y tmux; macOS: brew \
         install tmux). .ci/run installs it when missing."
    );
}

/// Quotes a string for `sh`.
pub fn sh_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

/// Marks the script prints after sltui exits.
pub const EXITED: &str = "[e2e] sltui exited with status";
pub const TTY: &str = "[e2e] tty:";

/// A private tmux server (its socket inside the test's temporary home) running one
/// pane: a small script that runs sltui with the temporary home, then reports the
/// exit status and whether the tty came back in canonical mode with echo, then
/// waits. The server (and everything in it) is killed on drop.
pub struct Tmux {
    socket: PathBuf,
    pub width: u16,
    pub height: u16,
}

impl Tmux {
    pub fn start(home: &TempHome, args: &[&str], width: u16, height: u16) -> Tmux {
        Tmux::start_with_env(home, &[], args, width, height)
    }

    /// Like [`Tmux::start`], with extra environment variables for sltui.
    pub fn start_with_env(
        home: &TempHome,
        env: &[(&str, &str)],
        args: &[&str],
        width: u16,
        height: u16,
    ) -> Tmux {
        require_tmux();
        let script = home.path().join("run.sh");
        let mut text = String::from("#!/bin/sh\n");
        for (k, v) in home.vars() {
            text.push_str(&format!(
                "export {k}={}\n",
                sh_quote(&v.display().to_string())
            ));
        }
        for (k, v) in env {
            text.push_str(&format!("export {k}={}\n", sh_quote(v)));
        }
        text.push_str("unset SALESLOFT_API_KEY SALESLOFT_BASE_URL TMUX TMUX_PANE\n");
        let mut line = sh_quote(bin());
        for a in args {
            line.push(' ');
            line.push_str(&sh_quote(a));
        }
        text.push_str(&line);
        text.push('\n');
        text.push_str(&format!(
            "status=$?\nprintf '\\n%s %s\\n' {} \"$status\"\n",
            sh_quote(EXITED)
        ));
        // `icanon echo` when the terminal was restored; `-icanon -echo` in raw mode.
        text.push_str(&format!(
            "printf '%s %s\\n' {} \"$(stty -a | tr ' ;' '\\n\\n' | grep -E -x -e '-?icanon' -e '-?echo' | tr '\\n' ' ')\"\n",
            sh_quote(TTY)
        ));
        text.push_str("exec sleep 3600\n");
        std::fs::write(&script, text).expect("write the pane script");

        let tmux = Tmux {
            socket: home.path().join("tmux.sock"),
            width,
            height,
        };
        let out = tmux.cmd(
            home,
            &[
                "new-session",
                "-d",
                "-s",
                "e2e",
                "-x",
                &width.to_string(),
                "-y",
                &height.to_string(),
                &format!("sh {}", sh_quote(&script.display().to_string())),
            ],
        );
        assert!(out.ok(), "tmux new-session failed\n{}", out.describe());
        tmux
    }

    fn base(&self) -> Command {
        let mut cmd = Command::new("tmux");
        // -f /dev/null: neither the user's nor the system's tmux.conf.
        cmd.arg("-f").arg("/dev/null").arg("-S").arg(&self.socket);
        cmd.env_remove("TMUX").env_remove("TMUX_PANE");
        cmd
    }

    fn cmd(&self, home: &TempHome, args: &[&str]) -> Output {
        let mut cmd = self.base();
        home.apply(&mut cmd);
        cmd.args(args);
        run(&mut cmd)
    }

    fn tmux(&self, args: &[&str]) -> Output {
        let mut cmd = self.base();
        cmd.args(args);
        run(&mut cmd)
    }

    /// Named keys (`Enter`, `Escape`, `Tab`, `Space`, `Up`...) or single characters.
    pub fn keys(&self, keys: &[&str]) {
        let mut args = vec!["send-keys", "-t", "e2e"];
        args.extend_from_slice(keys);
        let out = self.tmux(&args);
        assert!(out.ok(), "tmux send-keys {keys:?}\n{}", out.describe());
    }

    /// Types text literally.
    pub fn type_text(&self, text: &str) {
        let out = self.tmux(&["send-keys", "-t", "e2e", "-l", text]);
        assert!(out.ok(), "tmux send-keys -l {text:?}\n{}", out.describe());
    }

    /// The visible screen, as plain text.
    pub fn screen(&self) -> String {
        let out = self.tmux(&["capture-pane", "-p", "-t", "e2e"]);
        assert!(out.ok(), "tmux capture-pane\n{}", out.describe());
        out.stdout
    }

    /// A tmux format for the pane, e.g. `#{alternate_on}`.
    pub fn format(&self, f: &str) -> String {
        let out = self.tmux(&["display-message", "-p", "-t", "e2e", f]);
        assert!(out.ok(), "tmux display-message {f}\n{}", out.describe());
        out.stdout.trim().to_string()
    }

    /// Polls the screen until `pred` holds; fails with the screen after
    /// [`DEADLINE`], or at once if sltui exits first.
    pub fn wait_for(&self, what: &str, pred: impl Fn(&str) -> bool) -> String {
        self.poll(what, pred, true)
    }

    fn poll(&self, what: &str, pred: impl Fn(&str) -> bool, fail_on_exit: bool) -> String {
        let start = Instant::now();
        loop {
            let screen = self.screen();
            if pred(&screen) {
                return screen;
            }
            if fail_on_exit && screen.contains(EXITED) {
                panic!("sltui exited while waiting for {what}; the screen:\n{screen}");
            }
            if start.elapsed() > DEADLINE {
                panic!("timed out after {DEADLINE:?} waiting for {what}; the screen:\n{screen}");
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Waits until sltui has exited and the script reported the tty state; returns
    /// (exit status, the stty flags line, the screen).
    pub fn wait_for_exit(&self) -> (String, String, String) {
        let screen = self.poll(
            "sltui to exit",
            |s| s.lines().any(|l| l.starts_with(TTY)),
            false,
        );
        let find = |prefix: &str| {
            screen
                .lines()
                .find_map(|l| l.strip_prefix(prefix))
                .map(|v| v.trim().to_string())
                .unwrap_or_default()
        };
        (find(EXITED), find(TTY), screen.clone())
    }

    /// Waits until the screen contains every one of `needles`.
    pub fn wait_text(&self, needles: &[&str]) -> String {
        self.wait_for(&format!("{needles:?}"), |s| {
            needles.iter().all(|n| s.contains(n))
        })
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        // Kills the pane's processes (sltui, the script) with the server.
        let _ = self
            .base()
            .arg("kill-server")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
    }
}

/// The line of `screen` holding the selection marker `▶` inside a bordered box
/// (not the tab bar), if any: (line number, line).
pub fn selected_row(screen: &str) -> Option<(usize, &str)> {
    screen
        .lines()
        .enumerate()
        .find(|(_, l)| l.starts_with("│▶") || l.contains("│▶"))
}
