//! The commented default config file, written on first run, and a permissions check.

use std::fs;
use std::io::Write;
use std::path::Path;

use anyhow::Context;

/// The shipped, fully commented config file; it parses to [`super::Config::default`].
pub const DEFAULT_CONFIG: &str = include_str!("../../assets/config.toml");

/// Writes [`DEFAULT_CONFIG`] to `path` unless a file is already there, creating parent
/// directories (mode 0700 on unix) and the file with mode 0600. True if it wrote the file.
pub fn write_default_if_missing(path: &Path) -> anyhow::Result<bool> {
    if path.exists() {
        return Ok(false);
    }
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        let mut builder = fs::DirBuilder::new();
        builder.recursive(true);
        #[cfg(unix)]
        std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
        builder
            .create(dir)
            .with_context(|| format!("cannot create the config directory {}", dir.display()))?;
    }
    let mut options = fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = match options.open(path) {
        Ok(f) => f,
        // Another sltui wrote it in the meantime: theirs is as good as ours.
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => return Ok(false),
        Err(e) => {
            return Err(e)
                .with_context(|| format!("cannot create the config file {}", path.display()));
        }
    };
    file.write_all(DEFAULT_CONFIG.as_bytes())
        .and_then(|()| file.sync_all())
        .with_context(|| format!("cannot write the config file {}", path.display()))?;
    Ok(true)
}

/// A warning when other users can read the config file (it may name commands that print
/// secrets); `None` when it is private, missing, or not on unix.
pub fn warn_if_world_readable(path: &Path) -> Option<String> {
    warn_if_world_readable_as(path, "config file")
}

/// Like [`warn_if_world_readable`] for another private file, named `what` in the
/// warning (e.g. "OAuth token file").
pub fn warn_if_world_readable_as(path: &Path, what: &str) -> Option<String> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = fs::metadata(path).ok()?.permissions().mode() & 0o777;
        if mode & 0o004 != 0 {
            return Some(format!(
                "the {what} {} is readable by every user (mode {mode:03o}); \
                 run `chmod 600 {}`",
                path.display(),
                path.display()
            ));
        }
    }
    #[cfg(not(unix))]
    let _ = (path, what);
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_once_creating_directories() {
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("a/b/config.toml");
        assert!(write_default_if_missing(&path).unwrap());
        assert_eq!(fs::read_to_string(&path).unwrap(), DEFAULT_CONFIG);
        fs::write(&path, "default_profile = \"mine\"\n").unwrap();
        assert!(
            !write_default_if_missing(&path).unwrap(),
            "an existing file is kept"
        );
        assert!(fs::read_to_string(&path).unwrap().contains("mine"));
    }

    #[cfg(unix)]
    #[test]
    fn written_file_is_private_and_readable_files_are_reported() {
        use std::os::unix::fs::PermissionsExt;
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("config.toml");
        write_default_if_missing(&path).unwrap();
        assert_eq!(
            fs::metadata(&path).unwrap().permissions().mode() & 0o777,
            0o600
        );
        assert_eq!(warn_if_world_readable(&path), None);
        fs::set_permissions(&path, fs::Permissions::from_mode(0o644)).unwrap();
        let warning = warn_if_world_readable(&path).unwrap();
        assert!(
            warning.contains("644") && warning.contains("chmod 600"),
            "{warning}"
        );
        assert_eq!(
            warn_if_world_readable(&tmp.path().join("missing.toml")),
            None
        );
    }
}
