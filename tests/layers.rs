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
//! names a glob brings in (`use crate::*; tui::draw()`, or a bare `App` that
//! `lib.rs` re-exports from `tui`), as in tests/source_files/paths.rs; paths inside
//! macro invocations and `macro_rules!` bodies (`$crate::hub::x`). A path is checked
//! as written and where it is defined (tests/source_files/names.rs), and a method
//! an `impl` block of an upper layer adds to a lower type, called from below, is
//! caught (tests/source_files/methods.rs), even one named like std's (`get`) when
//! the receiver's type is known (`s: &Store`, `self.store`, `let s =
//! Store::open(..)?`, `self.store()`, `Arc<Store>`). Comments and string literals are skipped.

use std::path::Path;

#[path = "source_files/mod.rs"]
mod source_files;
use source_files::rust_files;
#[path = "source_files/paths.rs"]
mod paths;
use paths::{module_of, resolve_with};
#[path = "source_files/names.rs"]
mod names;
use names::{CrateNames, File};
#[path = "source_files/methods.rs"]
mod methods;
use methods::Methods;

/// The layers below the UI.
const LOWER: &[&str] = &[
    "api", "store", "sync", "metrics", "budget", "search", "sim", "config", "redact",
];
/// What no lower layer may reach.
const UPPER: &[&str] = &["worker", "tui", "cli", "hub"];

/// What is wrong with a file of `layer` reaching `target` (a crate path).
fn wrong_way(layer: &str, target: &[String]) -> Option<String> {
    let top = target.first().map(String::as_str).unwrap_or("");
    if UPPER.contains(&top) {
        Some(format!(
            "reaches crate::{top}; {layer} sits below worker, tui, cli and hub (move what both need below both)"
        ))
    } else if layer == "config" && top == "store" {
        Some(
            "reaches crate::store; config sits below the store (move what both need below both)"
                .into(),
        )
    } else if layer == "redact" && top != "redact" {
        Some(format!(
            "reaches crate::{top}; redact imports nothing of the crate"
        ))
    } else if layer == "sim" && target.starts_with(&["api".to_string(), "models".to_string()]) {
        Some("reaches crate::api::models; the simulator keeps its own data model".into())
    } else {
        None
    }
}

/// The top module of a file label (`src/tui/app.rs` is `tui`).
fn layer_of(label: &str) -> Vec<String> {
    let top = label.split('/').nth(1).unwrap_or("");
    vec![top.trim_end_matches(".rs").to_string()]
}

/// What is wrong with one file's paths and method calls, one line per problem:
/// `file:line: ...`. `names` and `methods` know the crate.
fn violations(f: &File, names: &CrateNames, methods: &Methods) -> Vec<String> {
    let layer = f.module.first().map(String::as_str).unwrap_or("");
    let label = &f.label;
    let mut out = Vec::new();
    for w in &f.parsed.written {
        let target = match resolve_with(w, &|p, from| names.provides(p, from)) {
            None => continue,
            Some(Err(e)) => {
                out.push(format!("{label}:{}: {e}", w.line));
                continue;
            }
            Some(Ok(t)) => t,
        };
        let written = w.path.join("::");
        // As written, then where it is defined (through re-exports and globs).
        let defined = names.canonical(target.clone(), &w.module);
        if let Some(why) = wrong_way(layer, &target) {
            out.push(format!("{label}:{}: `{written}` {why}", w.line));
        } else if let Some(why) = wrong_way(layer, &defined) {
            let at = defined.join("::");
            out.push(format!(
                "{label}:{}: `{written}` (crate::{at}) {why}",
                w.line
            ));
        }
        for m in methods.of_path(&defined, label, w.line) {
            if let Some(why) = wrong_way(layer, &layer_of(&m.file)) {
                out.push(format!(
                    "{label}:{}: `{written}` is in {} and {why}",
                    w.line, m.file
                ));
            }
        }
    }
    for m in methods.calls(f, names) {
        if let Some(why) = wrong_way(layer, &layer_of(&m.file)) {
            let name = m.name();
            out.push(format!(
                "{label}:{}: `{name}` is in {} and {why}",
                m.line, m.file
            ));
        }
    }
    out
}

#[test]
fn lower_layers_import_nothing_from_above() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let src_dir = root.join("src");
    let mut all = Vec::new();
    rust_files(&src_dir, &mut all);
    let files: Vec<File> = (all.iter())
        .filter(|p| !p.ends_with("main.rs"))
        .map(|p| {
            let label = p.strip_prefix(root).unwrap().display().to_string();
            File::new(
                &label,
                module_of(&src_dir, p),
                &std::fs::read_to_string(p).unwrap(),
            )
        })
        .collect();
    let names = CrateNames::new(&files);
    let methods = Methods::new(&files, &names);
    let lower: Vec<&File> = (files.iter())
        .filter(|f| {
            f.module
                .first()
                .is_some_and(|l| LOWER.contains(&l.as_str()))
        })
        .collect();
    assert!(
        lower.len() > 50,
        "only {} files found under src",
        lower.len()
    );
    let mut problems = Vec::new();
    let mut checked = 0;
    for f in lower {
        checked += f.parsed.written.len();
        problems.extend(violations(f, &names, &methods));
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

/// [`violations`] of `src` in a crate whose modules are the layers (one empty
/// file each) and the `extra` files.
fn check_in(
    extra: &[(&str, &str, &str)],
    label: &str,
    src: &str,
    module: &[String],
) -> Vec<String> {
    let file = |label: &str, module: Vec<String>, src: &str| File::new(label, module, src);
    let mut files: Vec<File> = (LOWER.iter().chain(UPPER))
        .filter(|l| !extra.iter().any(|(x, ..)| *x == format!("src/{l}.rs")))
        .map(|l| file(&format!("src/{l}.rs"), vec![l.to_string()], ""))
        .collect();
    files.extend(
        (extra.iter())
            .map(|(l, at, s)| file(l, m(at).into_iter().filter(|x| !x.is_empty()).collect(), s)),
    );
    files.push(file(label, module.to_vec(), src));
    let names = CrateNames::new(&files);
    let methods = Methods::new(&files, &names);
    violations(files.last().unwrap(), &names, &methods)
}

fn check(label: &str, src: &str, module: &[String]) -> Vec<String> {
    check_in(&[], label, src, module)
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

#[test]
fn a_method_an_upper_layer_adds_to_a_lower_type_is_caught() {
    let extra = [
        ("src/store.rs", "store", "mod x;\npub struct Store;"),
        (
            "src/tui.rs",
            "tui",
            "impl crate::store::Store {\n    pub fn draw(&self) {}\n    pub fn get(&self) {}\n}",
        ),
    ];
    let at = m("store::x");
    let src = "use super::Store;\nfn f(s: &Store) {\n    s.draw();\n    Store::draw(s);\n}\n";
    let got = check_in(&extra, "src/store/x.rs", src, &at);
    assert_eq!(got.len(), 2, "{got:#?}");
    assert!(
        got[0].contains(":4: `Store::draw` is in src/tui.rs and reaches crate::tui"),
        "{got:#?}"
    );
    assert!(
        got[1].contains(":3: `Store.draw` is in src/tui.rs and reaches crate::tui"),
        "{got:#?}"
    );
    // A file naming no such type, or its own `Store`, calls something else.
    for src in [
        "fn f(s: &S) { s.draw(); }",
        "struct Store;\nimpl Store { fn draw(&self) {} }\nfn f(s: &Store) { s.draw(); }",
    ] {
        let got = check_in(&extra, "src/store/x.rs", src, &at);
        assert!(got.is_empty(), "{src}\n{got:#?}");
    }
    // A method named like std's, on a receiver whose type is written.
    let src = "use super::Store;\nfn f(s: &Store, v: Vec<u8>) {\n    v.get(0);\n    s.get();\n}\n";
    let got = check_in(&extra, "src/store/x.rs", src, &at);
    assert_eq!(got.len(), 1, "{got:#?}");
    assert!(
        got[0].contains(":4: `Store.get` is in src/tui.rs and reaches crate::tui"),
        "{got:#?}"
    );
}

#[test]
fn a_bare_name_a_glob_brings_in_from_above_is_caught() {
    let extra = [
        ("src/lib.rs", "", "pub mod tui;\npub use tui::App;"),
        ("src/tui.rs", "tui", "pub struct App;"),
    ];
    let at = m("store::x");
    let got = check_in(
        &extra,
        "src/store/x.rs",
        "use crate::*;\nfn f(a: App) {}\n",
        &at,
    );
    assert_eq!(got.len(), 1, "{got:#?}");
    assert!(
        got[0].contains(":2: `App` (crate::tui::App) reaches crate::tui"),
        "{got:#?}"
    );
    // The file's own `App`, a parameter, a generic of that name are not it.
    for src in [
        "use crate::*;\nstruct App;\nfn f(a: App) {}\n",
        "use crate::*;\nfn f<App>(a: App) {}\n",
        "use crate::*;\nfn f(App: u8) { let _ = App; }\n",
    ] {
        let got = check_in(&extra, "src/store/x.rs", src, &at);
        assert!(got.is_empty(), "{src}\n{got:#?}");
    }
}

#[test]
fn paths_inside_macro_invocations_are_caught() {
    let src = "fn f(x: u8) {\n    assert!(matches!(x, crate::worker::Kind::A));\n    \
               let _ = format!(\"{}\", crate::tui::name());\n    println!(\"crate::cli::x\");\n}\n\
               macro_rules! m { () => { $crate::hub::elect() } }\n";
    let got = check("src/sync/x.rs", src, &m("sync::x"));
    assert_eq!(got.len(), 3, "{got:#?}");
    assert!(got[0].contains(":2: `crate::worker::Kind::A`"), "{got:#?}");
    assert!(got[1].contains(":3: `crate::tui::name`"), "{got:#?}");
    assert!(got[2].contains(":6: `crate::hub::elect`"), "{got:#?}");
}

#[test]
fn a_method_an_upper_layer_adds_on_a_made_receiver_is_caught() {
    let extra = [
        (
            "src/store.rs",
            "store",
            "mod x;\npub struct Store;\nimpl Store {\n    pub fn open() -> Result<Self, String> { Ok(Store) }\n}\n\
             pub fn shared() -> std::sync::Arc<Store> { todo!() }",
        ),
        (
            "src/tui.rs",
            "tui",
            "impl crate::store::Store {\n    pub fn get(&self) {}\n}",
        ),
    ];
    let at = m("store::x");
    for src in [
        "use super::Store;\nfn f() -> Result<(), String> {\n    let s = Store::open()?;\n    s.get();\n    Ok(())\n}\n",
        "use super::shared;\nfn f() {\n    let s = shared();\n    s.get();\n}\n",
        "use super::Store;\nfn f() {\n    run(|s: &Store| ());\n    xs.map(|s: &Store| s.get());\n}\n",
    ] {
        let got = check_in(&extra, "src/store/x.rs", src, &at);
        assert_eq!(got.len(), 1, "{src}\n{got:#?}");
        assert!(
            got[0].contains(":4: `Store.get` is in src/tui.rs and reaches crate::tui"),
            "{src}\n{got:#?}"
        );
    }
    // Still in its `Result`, or a closure's parameter out of its closure.
    for src in [
        "use super::Store;\nfn f() {\n    let s = Store::open();\n    s.get();\n}\n",
        "use super::Store;\nfn f() {\n    run(|s: &Store| ());\n    s.get();\n}\n",
    ] {
        let got = check_in(&extra, "src/store/x.rs", src, &at);
        assert!(got.is_empty(), "{src}\n{got:#?}");
    }
}
