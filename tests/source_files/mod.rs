//! The source checks' walk over the crate's files (tests/layers.rs,
//! tests/tui_writes.rs).

use std::path::{Path, PathBuf};

/// Every `.rs` file under `dir`, at any depth, appended to `out`.
pub fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}
