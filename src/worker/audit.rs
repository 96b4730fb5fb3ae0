//! The audit log: every mutation sltui attempts is appended as one JSON line to
//! `audit.log` in the data directory (time, profile, action, ids, outcome, cost).
//! The file is created with mode 0600 and tightened to it if it was looser; a
//! line is written with one `write` in append mode, so lines of concurrent
//! processes (the dashboard and `sltui enroll`) do not interleave. Nothing in a
//! line comes from the credentials: ids, outcome words built from status codes
//! and response bodies, and the profile's name.

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::{Value, json};

use super::protocol::EnrollOutcome;

/// One mutation as the audit log records it. Never holds a secret.
#[derive(Debug, Clone)]
pub struct MutationRecord {
    pub at: DateTime<Utc>,
    pub action: &'static str,
    pub person_id: u64,
    pub cadence_id: u64,
    pub step_id: Option<u64>,
    /// On whose behalf (`None`: the key's user).
    pub user_id: Option<u64>,
    pub outcome: EnrollOutcome,
    /// Requests made to SalesLoft for it (each costs one point; the client's own
    /// retries of a failed read are not counted).
    pub cost: u32,
}

/// The JSON line for a record (without the newline).
pub fn line(profile: &str, m: &MutationRecord) -> String {
    let (outcome, membership_id, reason) = match &m.outcome {
        EnrollOutcome::Enrolled { membership_id } => ("enrolled", Some(*membership_id), None),
        EnrollOutcome::AlreadyOnCadence { membership_id } => {
            ("already_on_cadence", Some(*membership_id), None)
        }
        EnrollOutcome::Failed { reason } => ("failed", None, Some(reason.as_str())),
    };
    let v: Value = json!({
        "time": m.at.to_rfc3339_opts(SecondsFormat::Millis, true),
        "profile": profile,
        "action": m.action,
        "person_id": m.person_id,
        "cadence_id": m.cadence_id,
        "step_id": m.step_id,
        "on_behalf_of": m.user_id,
        "outcome": outcome,
        "membership_id": membership_id,
        "reason": reason,
        "cost": m.cost,
    });
    v.to_string()
}

/// Where mutations are recorded; `path: None` records nothing.
#[derive(Debug)]
pub struct AuditLog {
    path: Option<PathBuf>,
    profile: String,
    /// One writer at a time within the process.
    file: Mutex<Option<File>>,
    /// A failure to write was already reported.
    failed: AtomicBool,
}

fn open(path: &Path) -> std::io::Result<File> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    let mut opts = OpenOptions::new();
    opts.create(true).append(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
        opts.mode(0o600);
        let file = opts.open(path)?;
        let mode = file.metadata()?.permissions().mode() & 0o777;
        if mode != 0o600 {
            file.set_permissions(std::fs::Permissions::from_mode(0o600))?;
        }
        Ok(file)
    }
    #[cfg(not(unix))]
    {
        opts.open(path)
    }
}

impl AuditLog {
    pub fn new(path: Option<PathBuf>, profile: impl Into<String>) -> Self {
        Self {
            path,
            profile: profile.into(),
            file: Mutex::new(None),
            failed: AtomicBool::new(false),
        }
    }

    /// Appends one line. On failure returns the words to show the user, once
    /// (later failures are only logged).
    pub fn append(&self, m: &MutationRecord) -> Result<(), Option<String>> {
        let Some(path) = &self.path else {
            return Ok(());
        };
        let mut text = line(&self.profile, m);
        text.push('\n');
        let mut file = self.file.lock().unwrap_or_else(|e| e.into_inner());
        let written = match &mut *file {
            Some(f) => f.write_all(text.as_bytes()),
            None => open(path).and_then(|mut f| {
                f.write_all(text.as_bytes())?;
                *file = Some(f);
                Ok(())
            }),
        };
        match written {
            Ok(()) => Ok(()),
            Err(e) => {
                // Try a fresh open next time (the file may have been moved).
                *file = None;
                let words = format!("could not write the audit log {}: {e}", path.display());
                tracing::warn!("{words}");
                let first = !self.failed.swap(true, Ordering::Relaxed);
                Err(first.then_some(words))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(outcome: EnrollOutcome) -> MutationRecord {
        MutationRecord {
            at: DateTime::parse_from_rfc3339("2025-03-04T05:06:07Z")
                .map(|t| t.with_timezone(&Utc))
                .unwrap_or_default(),
            action: "enroll",
            person_id: 7,
            cadence_id: 9,
            step_id: None,
            user_id: Some(5),
            outcome,
            cost: 2,
        }
    }

    #[test]
    fn a_line_per_mutation_with_every_field() {
        let l = line(
            "work",
            &record(EnrollOutcome::Enrolled { membership_id: 44 }),
        );
        let v: Value = serde_json::from_str(&l).unwrap();
        assert_eq!(v["time"], "2025-03-04T05:06:07.000Z");
        assert_eq!(v["profile"], "work");
        assert_eq!(v["action"], "enroll");
        assert_eq!(
            (v["person_id"].clone(), v["cadence_id"].clone()),
            (json!(7), json!(9))
        );
        assert_eq!(v["step_id"], Value::Null);
        assert_eq!(v["on_behalf_of"], 5);
        assert_eq!(v["outcome"], "enrolled");
        assert_eq!(v["membership_id"], 44);
        assert_eq!(v["cost"], 2);
        let f = line(
            "work",
            &record(EnrollOutcome::Failed {
                reason: "cadence is archived".into(),
            }),
        );
        let v: Value = serde_json::from_str(&f).unwrap();
        assert_eq!(
            (v["outcome"].as_str(), v["reason"].as_str()),
            (Some("failed"), Some("cadence is archived"))
        );
        assert!(!l.contains('\n'));
    }

    #[test]
    fn appends_with_mode_0600_and_reports_a_failure_once() {
        let dir = std::env::temp_dir().join(format!("sltui-audit-{}", std::process::id()));
        let path = dir.join("sub").join("audit.log");
        let log = AuditLog::new(Some(path.clone()), "p");
        let r = record(EnrollOutcome::AlreadyOnCadence { membership_id: 3 });
        log.append(&r).unwrap();
        log.append(&r).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert_eq!(text.lines().count(), 2);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600);
        }
        // A directory where the file should be: an error, said once.
        let bad = AuditLog::new(Some(dir.clone()), "p");
        assert!(matches!(bad.append(&r), Err(Some(w)) if w.contains("audit log")));
        assert_eq!(bad.append(&r), Err(None));
        assert_eq!(AuditLog::new(None, "p").append(&r), Ok(()));
        let _ = std::fs::remove_dir_all(&dir);
    }
}
