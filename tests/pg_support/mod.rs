//! A throwaway PostgreSQL for the tests: one cluster per test binary (started on
//! first use, stopped when the binary exits), and a fresh database per test, so
//! tests are isolated and run in parallel.
//!
//! * The cluster: `initdb` (trust auth, UTF8) into a temporary directory, then
//!   `pg_ctl start` of `postgres` on a free loopback port with its unix socket
//!   inside that directory. The programs come from PATH, else from
//!   `/usr/lib/postgresql/*/bin` (where Debian's package puts them). As root they
//!   run as the `postgres` user (`runuser -u postgres -- ...`): postgres refuses root.
//! * At exit (also after failed tests: the harness catches their panics) the cluster
//!   is stopped (fast shutdown) and its directory removed. A cluster left by a run
//!   that was killed is stopped and removed by the next run.
//! * `SLTUI_TEST_DATABASE_URL=postgres://...` uses that server instead (still a
//!   fresh database per test, dropped afterwards).
//! * Without PostgreSQL a test fails with one line saying how to install it; it is
//!   never skipped.
//!
//! Use from a test binary with `#[path = "pg_support/mod.rs"] mod pg_support;`.
#![allow(dead_code)]

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// Where a test points at an existing server instead of starting its own.
pub const URL_ENV: &str = "SLTUI_TEST_DATABASE_URL";

/// The one line a developer without PostgreSQL reads.
pub const MISSING: &str = "PostgreSQL is needed by this test and was not found (no initdb on \
     PATH or under /usr/lib/postgresql/*/bin): install it with `sudo apt-get install postgresql` \
     (Debian/Ubuntu), or set SLTUI_TEST_DATABASE_URL=postgres://user@host:port/db to use a \
     running server";

/// All the clusters of this user's test runs live under this directory.
fn clusters_root() -> PathBuf {
    std::env::temp_dir().join("sltui-pg-tests")
}

/// A database of its own for one test, dropped when the test ends.
pub struct TestDb {
    /// `postgres://` URL of the test's database.
    pub url: String,
    pub name: String,
    /// A URL of the server's maintenance database (for admin statements).
    admin_url: String,
}

impl TestDb {
    /// A URL of the same database for another role or options (not needed by most tests).
    pub fn admin_url(&self) -> &str {
        &self.admin_url
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        let admin = self.admin_url.clone();
        let name = self.name.clone();
        // Off any async runtime (the blocking client runs one of its own).
        let _ = std::thread::spawn(move || {
            if let Ok(mut c) = postgres::Client::connect(&admin, postgres::NoTls) {
                let _ = c.batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
            }
        })
        .join();
    }
}

/// A fresh, empty database for this test, on the shared cluster (started on first
/// use) or on the server of `SLTUI_TEST_DATABASE_URL`. Panics with one clear line
/// when there is no PostgreSQL.
pub fn test_db() -> TestDb {
    let admin_url = match std::env::var(URL_ENV) {
        Ok(url) if !url.trim().is_empty() => url,
        _ => match cluster() {
            Ok(c) => c.url("postgres"),
            Err(e) => panic!("{e}"),
        },
    };
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    let name = format!(
        "t_{}_{}_{nanos}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    );
    let url = with_database(&admin_url, &name);
    let (admin, db) = (admin_url.clone(), name.clone());
    std::thread::spawn(move || -> Result<(), String> {
        let mut c = postgres::Client::connect(&admin, postgres::NoTls)
            .map_err(|e| format!("cannot connect to the test server: {e}"))?;
        c.batch_execute(&format!(
            "CREATE DATABASE {db} ENCODING 'UTF8' TEMPLATE template0"
        ))
        .map_err(|e| format!("cannot create the test database {db}: {e}"))
    })
    .join()
    .expect("the database set-up thread does not panic")
    .unwrap_or_else(|e| panic!("{e}"));
    TestDb {
        url,
        name,
        admin_url,
    }
}

/// `url` with its database (the path) replaced by `db`.
pub fn with_database(url: &str, db: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (url, None),
    };
    let scheme_end = base.find("://").map_or(0, |i| i + 3);
    let host_end = base[scheme_end..]
        .find('/')
        .map_or(base.len(), |i| scheme_end + i);
    let mut out = format!("{}/{db}", &base[..host_end]);
    if let Some(q) = query {
        out.push('?');
        out.push_str(q);
    }
    out
}

/// The cluster of this test binary.
pub fn cluster() -> Result<&'static Cluster, String> {
    static CLUSTER: OnceLock<Result<Cluster, String>> = OnceLock::new();
    CLUSTER
        .get_or_init(|| {
            let c = Cluster::start()?;
            stop_at_exit();
            Ok(c)
        })
        .as_ref()
        .map_err(Clone::clone)
}

/// A running throwaway cluster.
pub struct Cluster {
    dir: PathBuf,
    bin: PathBuf,
    pub port: u16,
    as_postgres: bool,
}

impl Cluster {
    /// Starts a new cluster (most tests want the shared one: [`test_db`]).
    pub fn start() -> Result<Cluster, String> {
        let bin = find_bin().ok_or_else(|| MISSING.to_string())?;
        let as_postgres = is_root();
        reap_stale(&bin, as_postgres);
        let root = clusters_root();
        std::fs::create_dir_all(&root)
            .map_err(|e| format!("cannot create {}: {e}", root.display()))?;
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        let dir = root.join(format!("{}-{nanos}", std::process::id()));
        std::fs::create_dir(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        // From here on, dropping `cluster` removes the directory (and stops a server).
        let mut cluster = Cluster {
            dir,
            bin,
            port: 0,
            as_postgres,
        };
        if as_postgres {
            cluster.give_to_postgres()?;
        }
        cluster.initdb()?;
        let mut last = String::new();
        // A free port may be taken between our probe and postgres' bind: try again.
        for _ in 0..5 {
            cluster.port = free_port()?;
            match cluster.pg_ctl_start() {
                Ok(()) => return Ok(cluster),
                Err(e) => last = e,
            }
        }
        Err(last)
    }

    pub fn url(&self, db: &str) -> String {
        format!("postgres://postgres@127.0.0.1:{}/{db}", self.port)
    }

    pub fn socket_dir(&self) -> PathBuf {
        self.dir.join("sock")
    }

    fn data_dir(&self) -> PathBuf {
        self.dir.join("data")
    }

    fn log_file(&self) -> PathBuf {
        self.dir.join("postgres.log")
    }

    /// `runuser -u postgres -- prog args` as root, else `prog args`.
    fn command(&self, prog: &str) -> Command {
        command(&self.bin, prog, self.as_postgres)
    }

    /// Makes the cluster's directory (and its socket directory) the `postgres` user's.
    fn give_to_postgres(&self) -> Result<(), String> {
        let out = Command::new("id")
            .args(["-u", "postgres"])
            .output()
            .map_err(|e| format!("cannot run `id`: {e}"))?;
        let uid: u32 = String::from_utf8_lossy(&out.stdout)
            .trim()
            .parse()
            .map_err(|_| {
                "running as root, PostgreSQL must run as the `postgres` user, which does not \
                 exist: install it with `sudo apt-get install postgresql` (Debian/Ubuntu), or \
                 set SLTUI_TEST_DATABASE_URL"
                    .to_string()
            })?;
        std::fs::create_dir_all(self.socket_dir())
            .map_err(|e| format!("cannot create {}: {e}", self.socket_dir().display()))?;
        for d in [self.dir.clone(), self.socket_dir()] {
            std::os::unix::fs::chown(&d, Some(uid), None)
                .map_err(|e| format!("cannot give {} to postgres: {e}", d.display()))?;
        }
        Ok(())
    }

    fn initdb(&self) -> Result<(), String> {
        std::fs::create_dir_all(self.socket_dir())
            .map_err(|e| format!("cannot create {}: {e}", self.socket_dir().display()))?;
        let out = self
            .command("initdb")
            .arg("-D")
            .arg(self.data_dir())
            .args([
                "-U",
                "postgres",
                "--auth=trust",
                "--encoding=UTF8",
                "--locale=C",
                "--no-sync",
            ])
            .stdin(Stdio::null())
            .output()
            .map_err(|e| format!("cannot run initdb: {e}"))?;
        if !out.status.success() {
            return Err(format!(
                "initdb failed: {}",
                last_lines(&String::from_utf8_lossy(&out.stderr), 3)
            ));
        }
        Ok(())
    }

    fn pg_ctl_start(&self) -> Result<(), String> {
        // Durability off: the data is thrown away; speed matters.
        let opts = format!(
            "-p {} -c listen_addresses=127.0.0.1 -k {} -c fsync=off -c synchronous_commit=off \
             -c full_page_writes=off -c max_connections=200",
            self.port,
            self.socket_dir().display()
        );
        let status = self
            .command("pg_ctl")
            .arg("start")
            .arg("-D")
            .arg(self.data_dir())
            .arg("-l")
            .arg(self.log_file())
            .args(["-w", "-t", "60", "-o", &opts])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .map_err(|e| format!("cannot run pg_ctl: {e}"))?;
        let log = std::fs::read_to_string(self.log_file()).unwrap_or_default();
        if !status.success() {
            return Err(format!(
                "postgres did not start on port {}: {}",
                self.port,
                last_lines(&log, 3)
            ));
        }
        // pg_ctl -w waited for the socket; make sure TCP answers too.
        let deadline = Instant::now() + Duration::from_secs(30);
        let url = self.url("postgres");
        loop {
            let u = url.clone();
            // The client is dropped on its thread: dropping it on an async
            // runtime's thread (a test that starts the cluster) would panic.
            let ok = std::thread::spawn(move || {
                postgres::Client::connect(&u, postgres::NoTls)
                    .map(|_| ())
                    .map_err(|e| e.to_string())
            })
            .join();
            match ok {
                Ok(Ok(())) => return Ok(()),
                Ok(Err(e)) if Instant::now() >= deadline => {
                    self.stop();
                    return Err(format!("postgres does not accept connections: {e}"));
                }
                _ => std::thread::sleep(Duration::from_millis(50)),
            }
        }
    }

    /// Fast shutdown (ends the sessions), waiting for it.
    fn stop(&self) {
        if self.data_dir().join("postmaster.pid").exists() {
            let _ = self
                .command("pg_ctl")
                .arg("stop")
                .arg("-D")
                .arg(self.data_dir())
                .args(["-m", "fast", "-w", "-t", "30"])
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status();
        }
    }

    fn remove(&self) {
        self.stop();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        self.remove();
    }
}

/// Stops the shared cluster when the test binary exits (a `static` is never dropped).
fn stop_at_exit() {
    extern "C" fn at_exit() {
        if let Ok(c) = cluster() {
            c.remove();
        }
    }
    unsafe extern "C" {
        fn atexit(cb: extern "C" fn()) -> std::os::raw::c_int;
    }
    // SAFETY: registers a plain function with the C library, once per process.
    unsafe {
        atexit(at_exit);
    }
}

/// Stops and removes clusters of test runs whose process is gone (killed runs).
fn reap_stale(bin: &Path, as_postgres: bool) {
    let Ok(entries) = std::fs::read_dir(clusters_root()) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let Some(pid) = name.split('-').next().and_then(|p| p.parse::<u32>().ok()) else {
            continue;
        };
        if pid == std::process::id() || is_running(pid) {
            continue;
        }
        let data = entry.path().join("data");
        if data.join("postmaster.pid").exists() {
            let _ = command(bin, "pg_ctl", as_postgres)
                .arg("stop")
                .arg("-D")
                .arg(&data)
                .args(["-m", "immediate", "-w", "-t", "30"])
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status();
        }
        let _ = std::fs::remove_dir_all(entry.path());
    }
}

/// Whether process `pid` runs (a zombie, killed and not yet reaped, does not).
fn is_running(pid: u32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Ok(stat) => stat
            .rsplit_once(')')
            .is_none_or(|(_, rest)| !rest.trim_start().starts_with('Z')),
        Err(_) => false,
    }
}

fn command(bin: &Path, prog: &str, as_postgres: bool) -> Command {
    let path = bin.join(prog);
    if as_postgres {
        let mut c = Command::new(runuser());
        c.args(["-u", "postgres", "--"]).arg(path);
        c
    } else {
        Command::new(path)
    }
}

/// The directory holding initdb, pg_ctl and postgres: PATH first, then Debian's
/// `/usr/lib/postgresql/<version>/bin` (the newest version).
pub fn find_bin() -> Option<PathBuf> {
    let complete = |d: &Path| {
        ["initdb", "pg_ctl", "postgres"]
            .iter()
            .all(|p| d.join(p).is_file())
    };
    if let Some(path) = std::env::var_os("PATH") {
        for d in std::env::split_paths(&path) {
            if complete(&d) {
                return Some(d);
            }
        }
    }
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .flatten()
        .filter_map(|e| {
            let v = e.file_name().to_string_lossy().parse::<u32>().ok()?;
            Some((v, e.path().join("bin")))
        })
        .filter(|(_, d)| complete(d))
        .collect();
    versions.sort();
    versions.pop().map(|(_, d)| d)
}

/// `runuser` (util-linux), often in an sbin directory that is not on PATH.
fn runuser() -> PathBuf {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .chain(["/usr/sbin", "/sbin", "/usr/bin", "/bin"].map(PathBuf::from))
        .map(|d| d.join("runuser"))
        .find(|p| p.is_file())
        .unwrap_or_else(|| PathBuf::from("runuser"))
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}

fn free_port() -> Result<u16, String> {
    TcpListener::bind(("127.0.0.1", 0))
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .map_err(|e| format!("no free loopback port: {e}"))
}

fn last_lines(text: &str, n: usize) -> String {
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    lines[lines.len().saturating_sub(n)..].join(" / ")
}
