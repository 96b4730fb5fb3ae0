//! The layers of ARCHITECTURE.md, checked on the source: the lower layers (`api`,
//! `store`, `sync`, `metrics`, `budget`, `search`, `sim`, `config`, `redact`) import
//! nothing from `worker`, `tui`, `cli` or `hub`; `sim` does not import `api::models`
//! (a struct shared with the client would let a wrong field name pass every test);
//! `config` imports nothing from `store` (what both need, the URL redaction, sits
//! below both in `redact`, which imports nothing of the crate).
//!
//! Every path in the code is checked, not only `use` lines: `use` trees with groups
//! (`use crate::{api, worker::X}`), inline paths (`crate::worker::f()`), and `super`
//! chains resolved against the module they are written in (inline `mod` blocks
//! included), so `super::super::tui` cannot slip past; paths that start with a name
//! the module declares or imports (`use crate::hub as lead; lead::elect()`), and
//! names a glob brings in (`use crate::*; tui::draw()`), as in
//! tests/source_files/paths.rs. Comments and string literals are skipped.

use std::collections::BTreeSet;
use std::path::Path;

#[path = "source_files/mod.rs"]
mod source_files;
use source_files::rust_files;
#[path = "source_files/paths.rs"]
#[allow(dead_code)] // following re-exports (`imported_names`) is tests/circles.rs's
mod paths;
use paths::{module_of, resolve_with, written_paths};

/// The layers below the UI.
const LOWER: &[&str] = &[
    "api", "store", "sync", "metrics", "budget", "search", "sim", "config", "redact",
];
/// What no lower layer may reach.
const UPPER: &[&str] = &["worker", "tui", "cli", "hub"];

/// What is wrong with one file's paths, one line per problem: `file:line: ...`.
/// `is_module` knows the crate's modules (for names a glob brings in).
fn violations(
    label: &str,
    src: &str,
    module: &[String],
    is_module: &dyn Fn(&[String]) -> bool,
) -> Vec<String> {
    let layer = module.first().map(String::as_str).unwrap_or("");
    let mut out = Vec::new();
    for w in written_paths(src, module) {
        let target = match resolve_with(&w, is_module) {
            None => continue,
            Some(Err(e)) => {
                out.push(format!("{label}:{}: {e}", w.line));
                continue;
            }
            Some(Ok(t)) => t,
        };
        let top = target.first().map(String::as_str).unwrap_or("");
        let written = w.path.join("::");
        if UPPER.contains(&top) {
            out.push(format!(
                "{label}:{}: `{written}` reaches crate::{top}; {layer} sits below worker, tui, cli and hub (move what both need below both)",
                w.line
            ));
        }
        if layer == "config" && top == "store" {
            out.push(format!(
                "{label}:{}: `{written}` reaches crate::store; config sits below the store (move what both need below both)",
                w.line
            ));
        }
        if layer == "redact" && top != "redact" {
            out.push(format!(
                "{label}:{}: `{written}` reaches crate::{top}; redact imports nothing of the crate",
                w.line
            ));
        }
        if layer == "sim" && target.starts_with(&["api".to_string(), "models".to_string()]) {
            out.push(format!(
                "{label}:{}: `{written}` reaches crate::api::models; the simulator keeps its own data model",
                w.line
            ));
        }
    }
    out
}

#[test]
fn lower_layers_import_nothing_from_above() {
    let src_dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut all = Vec::new();
    rust_files(&src_dir, &mut all);
    let modules: BTreeSet<Vec<String>> = all.iter().map(|f| module_of(&src_dir, f)).collect();
    let is_module = |m: &[String]| modules.contains(m);
    let mut files = Vec::new();
    for layer in LOWER {
        let dir = src_dir.join(layer);
        if dir.is_dir() {
            rust_files(&dir, &mut files);
        }
        let file = src_dir.join(format!("{layer}.rs"));
        if file.is_file() {
            files.push(file);
        }
    }
    assert!(
        files.len() > 50,
        "only {} files found under src",
        files.len()
    );
    let mut problems = Vec::new();
    let mut checked = 0;
    for file in &files {
        let src = std::fs::read_to_string(file).unwrap();
        let module = module_of(&src_dir, file);
        let label = file
            .strip_prefix(env!("CARGO_MANIFEST_DIR"))
            .unwrap()
            .display()
            .to_string();
        checked += written_paths(&src, &module).len();
        problems.extend(violations(&label, &src, &module, &is_module));
    }
    assert!(
        checked > 500,
        "only {checked} paths seen: is the parser broken?"
    );
    assert!(
        problems.is_empty(),
        "arrows against the layers:\n{}",
        problems.join("\n")
    );
}

fn m(path: &str) -> Vec<String> {
    path.split("::").map(str::to_string).collect()
}

/// [`violations`] in a crate whose modules are the layers.
fn check(label: &str, src: &str, module: &[String]) -> Vec<String> {
    let is_module = |m: &[String]| {
        m.len() == 1 && (LOWER.contains(&m[0].as_str()) || UPPER.contains(&m[0].as_str()))
    };
    violations(label, src, module, &is_module)
}

#[test]
fn groups_inline_paths_and_super_chains_are_caught() {
    let src = r#"
use crate::{api, worker::Priority};
use crate::api::{self, models::{Cadence as C, Person}};
use super::super::tui::state;
pub(crate) use self::inner::*;
fn f() { let _ = crate::cli::run(); let s = "crate::hub::x"; }
// use crate::tui::gone;
/* use crate::hub::gone; /* nested */ crate::tui */
mod tests {
    use super::super::Store;
    use super::super::super::worker::X;
}
"#;
    let got = check("src/store/records.rs", src, &m("store::records"));
    assert_eq!(got.len(), 4, "{got:#?}");
    assert!(
        got[0].starts_with("src/store/records.rs:2: `crate::worker::Priority`"),
        "{}",
        got[0]
    );
    assert!(
        got[1].starts_with("src/store/records.rs:4: `super::super::tui::state`"),
        "{}",
        got[1]
    );
    assert!(
        got[2].starts_with("src/store/records.rs:6: `crate::cli::run`"),
        "{}",
        got[2]
    );
    assert!(
        got[3].starts_with("src/store/records.rs:11: `super::super::super::worker::X`"),
        "{}",
        got[3]
    );
    // The same from the simulator also flags the models.
    let sim = check("src/sim/model.rs", src, &m("sim::model"));
    assert!(
        sim.iter()
            .any(|v| v.contains(":3: `crate::api::models::Cadence`")),
        "{sim:#?}"
    );
    assert!(
        sim.iter()
            .any(|v| v.contains(":3: `crate::api::models::Person`")),
        "{sim:#?}"
    );
}

#[test]
fn strings_chars_and_lifetimes_do_not_confuse_the_scan() {
    let src = "fn f<'a>(x: &'a str) -> char {\n    let _ = r#\"use crate::tui::x; \"\"#;\n    let _ = '\"';\n    let _ = b\"crate::cli\";\n    crate::worker::go();\n    '{'\n}\n";
    let got = check("src/api/x.rs", src, &m("api::x"));
    assert_eq!(got.len(), 1, "{got:#?}");
    assert!(
        got[0].starts_with("src/api/x.rs:5: `crate::worker::go`"),
        "{}",
        got[0]
    );
}

#[test]
fn super_past_the_root_is_reported() {
    let got = check("src/api/mod.rs", "use super::super::x;", &m("api"));
    assert_eq!(got.len(), 1);
    assert!(got[0].contains("climbs past the crate root"));
}

#[test]
fn config_reaches_nothing_of_the_store() {
    let src =
        "fn f() { let _ = crate::store::pg::redact(u); let _ = crate::redact::database_url(u); }\n";
    let got = check("src/config/mod.rs", src, &m("config"));
    assert_eq!(got.len(), 1, "{got:#?}");
    assert!(got[0].contains("`crate::store::pg::redact` reaches crate::store"));
    let got = check(
        "src/redact.rs",
        "use crate::api::x;\nuse std::fmt;\n",
        &m("redact"),
    );
    assert_eq!(got.len(), 1, "{got:#?}");
}

#[test]
fn globs_and_names_brought_in_are_caught() {
    let at = m("store::x");
    // A glob of an upper layer.
    let got = check("src/store/x.rs", "use crate::worker::*;\n", &at);
    assert_eq!(got.len(), 1, "{got:#?}");
    assert!(
        got[0].contains(":1: `crate::worker` reaches crate::worker"),
        "{got:#?}"
    );
    // A name a glob of the crate root brings in.
    let got = check(
        "src/store/x.rs",
        "use crate::*;\nfn f() { tui::draw(); }\n",
        &at,
    );
    assert_eq!(got.len(), 1, "{got:#?}");
    assert!(
        got[0].contains(":2: `tui::draw` reaches crate::tui"),
        "{got:#?}"
    );
    // Names a `use` brings in (renamed, or followed by another `use`).
    let src = "use crate::hub as lead;\nuse super::super::cli;\nuse cli::run;\nfn f() { lead::elect(); }\n";
    let got = check("src/store/x.rs", src, &at);
    assert_eq!(got.len(), 4, "{got:#?}");
    assert!(
        got[2].contains(":3: `cli::run` reaches crate::cli"),
        "{got:#?}"
    );
    assert!(
        got[3].contains(":4: `lead::elect` reaches crate::hub"),
        "{got:#?}"
    );
    // Names outside the crate, the file's own modules and methods are not.
    let src = "use std::sync;\nmod tui { pub fn f() {} }\nfn f() { sync::Arc::new(1); tui::f(); x.worker::<u8>(); }\n";
    let got = check("src/store/x.rs", src, &at);
    assert!(got.is_empty(), "{got:#?}");
}
