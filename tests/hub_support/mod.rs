//! A `sltui hub` process for the tests that run the real binary: a private home,
//! no SalesLoft key or database URL from the caller's environment, its stderr
//! kept to wait on, killed when dropped.
#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use sltui::sim::SimHandle;

/// Stops a hung test; never a performance threshold.
pub const HANG_GUARD: Duration = Duration::from_secs(180);

pub struct Hub {
    pub child: Child,
    said: Arc<Mutex<Vec<String>>>,
    _home: tempfile::TempDir,
}

impl Hub {
    /// `sltui hub` against `sim` with `key` on the database `db`, as `name`,
    /// with `extra` flags.
    pub fn spawn(sim: &SimHandle, key: &str, db: &str, name: &str, extra: &[String]) -> Hub {
        let target = [
            "--base-url".to_string(),
            sim.base_url(),
            "--api-key".into(),
            key.into(),
        ];
        Hub::spawn_on(&target, db, name, extra)
    }

    /// `sltui hub` with `target` flags (`--base-url …`, or `--demo`) on `db`.
    pub fn spawn_on(target: &[String], db: &str, name: &str, extra: &[String]) -> Hub {
        let home = tempfile::tempdir().expect("home");
        let h = home.path();
        let mut child = Command::new(env!("CARGO_BIN_EXE_sltui"))
            .arg("hub")
            .args(target)
            .args(["--db", db, "--name", name])
            .args(extra)
            .env("HOME", h)
            .env("XDG_CONFIG_HOME", h.join("config"))
            .env("XDG_DATA_HOME", h.join("data"))
            .env("XDG_STATE_HOME", h.join("state"))
            .env_remove("SALESLOFT_API_KEY")
            .env_remove("SLTUI_DATABASE_URL")
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("the hub starts");
        let said = Arc::new(Mutex::new(Vec::new()));
        let stderr = child.stderr.take().expect("stderr");
        let lines = said.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                lines.lock().unwrap().push(line);
            }
        });
        Hub {
            child,
            said,
            _home: home,
        }
    }

    /// Everything the hub said on stderr so far.
    pub fn said(&self) -> String {
        self.said.lock().unwrap().join("\n")
    }

    /// Waits until the hub said `what`; returns how long it took.
    pub fn wait_for(&self, what: &str) -> Duration {
        let start = Instant::now();
        loop {
            if self.said().contains(what) {
                return start.elapsed();
            }
            assert!(
                start.elapsed() < HANG_GUARD,
                "no {what:?} from the hub; it said:\n{}",
                self.said()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// SIGKILL, as a crash.
    pub fn kill(mut self) {
        self.child.kill().expect("SIGKILL");
        let _ = self.child.wait();
    }
}

impl Drop for Hub {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A runtime of two worker threads for the simulator beside blocking test code.
pub fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime")
}
