//! No import circles between the crate's files. tests/layers.rs keeps the top-level
//! modules pointing one way; this keeps the files inside a module from leaning on each
//! other in a ring (a.rs takes from b.rs, b.rs from c.rs, c.rs from a.rs), where no
//! file can be read, tested or moved alone. What two files both need moves down into
//! a leaf file both import.
//!
//! Every path the code writes into the crate counts (`use crate::..`, `use super::..`,
//! `use child::..` naming a child module, inline `super::x::y` and `child::f()`,
//! groups, globs: `use super::*;` is an edge to the parent, and a name it brings in,
//! `sibling::f()`, one to that sibling), resolved as in tests/source_files/paths.rs,
//! then taken to the file that holds the module it names: the longest module prefix that is a file
//! (`src/sim/mod.rs` is `sim`, `src/sim/dataset.rs` is `sim::dataset`,
//! `src/sim/dataset/engage.rs` is `sim::dataset::engage`). Paths into a file's own
//! module (its inline `mod tests` too) are not edges.
//!
//! A name is taken to the file that defines it (tests/source_files/names.rs): a
//! name a face re-exports by a glob (`pub use protocol::*;` in `worker/mod.rs`) or
//! imports is followed, so `crate::worker::Request` is an edge to
//! `worker/protocol.rs`. Paths inside macro invocations count like any other
//! (`matches!(x, crate::m::Kind::A)`); strings do not. A bare name a glob brings in
//! (`use super::*;` then `Shared`, `helper()`, `shout!()`) is an edge to the file
//! that defines it, unless the file binds that name itself (an item, a variant, a
//! generic, a `let`, a parameter). A method that an `impl` block in another file
//! adds to a type is an edge to that file (tests/source_files/methods.rs):
//! `Type::m`, `self.m()` / `Self::m` inside an `impl Type` (an `impl` in an inline
//! `mod` names the type that mod sees), `x.m()` when `x`'s type is known and is
//! `Type` (a parameter, a typed `let` or closure parameter, a field, a `let` of a
//! constructor or of a call whose return type is written, through `Box`, `Arc`,
//! `Rc`, `?`, `if let Some`, an item of a known collection; an item declared in a function is that function's,
//! not the module's), and `x.m()` in a file
//! that names `Type` (unless `m` is one of std's common methods), told as
//! `Type.m`. A glob brings in only what the globbing module may see (`pub`,
//! `pub(crate)`, `pub(super)`, `pub(in ..)`, a private item of an ancestor).
//!
//! The rule for a folder's face (`mod.rs`, or `x.rs` beside an `x/` folder, or
//! `lib.rs`): a `pub use` in it that names one of its own descendants is a re-export,
//! the folder showing its children's items, and is not an edge. Anything else it takes
//! from a child (a plain `use`, an inline path) is an edge like any other, so a parent
//! whose code uses a child that uses the parent is reported.

use std::collections::{BTreeMap, BTreeSet};
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

#[path = "circles/allowed.rs"]
mod allowed;
use allowed::ALLOWED;
#[path = "circles/rings.rs"]
mod rings;
use rings::{Graph, allowed_by, circles, describe, stale};
#[path = "circles/blind_spots.rs"]
#[cfg(test)]
mod blind_spots;
#[path = "circles/receiver_types.rs"]
#[cfg(test)]
mod receiver_types;

fn graph(files: &[File]) -> Graph {
    let names = CrateNames::new(files);
    let methods = Methods::new(files, &names);
    let provides = |p: &[String], from: &[String]| names.provides(p, from);
    let mut g = Graph::new();
    for f in files {
        let mut edge = |to: &str, name: String| {
            g.entry(f.label.clone())
                .or_default()
                .entry(to.to_string())
                .or_default()
                .insert(name);
        };
        for w in &f.parsed.written {
            let Some(Ok(target)) = resolve_with(w, &provides) else {
                continue;
            };
            let target = names.canonical(target, &w.module);
            // The file holding the longest module prefix of the target.
            let Some((len, to)) = names.file_of(&target) else {
                continue;
            };
            if w.reexport && target[..len].starts_with(&f.module) {
                continue; // a face re-exporting its own descendant
            }
            for m in methods.of_path(&target, &f.label, w.line) {
                edge(&m.file, m.name());
            }
            if to == f.label {
                continue;
            }
            let name = target.get(len).cloned();
            edge(to, name.unwrap_or_else(|| "(module)".to_string()));
        }
        for m in methods.calls(f, &names) {
            edge(&m.file, m.name());
        }
        g.entry(f.label.clone()).or_default();
    }
    g
}

fn allowed(circle: &[String]) -> Option<&'static str> {
    allowed_by(ALLOWED, circle)
}

fn crate_files() -> Vec<File> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let src_dir = root.join("src");
    let mut paths = Vec::new();
    rust_files(&src_dir, &mut paths);
    paths
        .into_iter()
        .filter(|p| !p.ends_with("main.rs"))
        .map(|p| {
            let label = p.strip_prefix(root).unwrap().display().to_string();
            File::new(
                &label,
                module_of(&src_dir, &p),
                &std::fs::read_to_string(&p).unwrap(),
            )
        })
        .collect()
}

#[test]
fn the_crate_files_form_no_import_circle() {
    let files = crate_files();
    assert!(files.len() > 100, "only {} files found", files.len());
    let g = graph(&files);
    let edges: usize = g.values().map(BTreeMap::len).sum();
    assert!(
        edges > 300,
        "only {edges} file edges: is the parser broken?"
    );
    let found = circles(&g);
    let (ok, bad): (Vec<_>, Vec<_>) = found.iter().partition(|c| allowed(c).is_some());
    for c in &ok {
        eprintln!("allowed ({}): {}", allowed(c).unwrap(), describe(&g, c));
    }
    let fixed = stale(ALLOWED, &found);
    assert!(
        fixed.is_empty(),
        "allowed circles that are gone (remove them from tests/circles/allowed.rs): {fixed:?}"
    );
    assert!(
        bad.is_empty(),
        "import circles between files (move what they share down into a leaf file):\n{}",
        bad.iter()
            .map(|c| describe(&g, c))
            .collect::<Vec<_>>()
            .join("\n")
    );
}

fn file(label: &str, module: &str, src: &str) -> File {
    let module = module.split("::").map(str::to_string).collect();
    File::new(label, module, src)
}

#[test]
fn the_finder_names_each_circle_and_what_ties_it() {
    let files = [
        // a -> b -> c -> a, through a group, an inline path and a super chain.
        file("a.rs", "m::a", "use super::{b::{Bee, Bop}, leaf::L};"),
        file("b.rs", "m::b", "fn f() { crate::m::c::see(); }"),
        file("c.rs", "m::c", "mod tests { use super::super::a::A; }"),
        // A leaf both use: no circle.
        file("leaf.rs", "m::leaf", "use std::fmt;\n// use super::a::A;\n"),
        // d <-> e, with the module named itself on one side.
        file("d.rs", "n::d", "use crate::n::e;"),
        file("e.rs", "n::e", "fn g() -> super::d::D { todo!() }"),
    ];
    let g = graph(&files);
    let found = circles(&g);
    assert_eq!(
        found,
        vec![
            vec!["a.rs".to_string(), "b.rs".into(), "c.rs".into()],
            vec!["d.rs".to_string(), "e.rs".into()],
        ]
    );
    let told = describe(&g, &found[0]);
    assert!(told.contains("a.rs -> b.rs (Bee, Bop)"), "{told}");
    assert!(told.contains("b.rs -> c.rs (see)"), "{told}");
    assert!(told.contains("c.rs -> a.rs (A)"), "{told}");
    assert!(!told.contains("leaf"), "{told}");
    let told = describe(&g, &found[1]);
    assert!(told.contains("d.rs -> e.rs ((module))"), "{told}");
    assert!(told.contains("e.rs -> d.rs (D)"), "{told}");
}

#[test]
fn a_face_re_exporting_its_children_is_no_circle_but_using_them_is() {
    let face = |src: &str| {
        [
            file("src/x/mod.rs", "x", src),
            file("src/x/kid.rs", "x::kid", "use super::Shared;"),
            file("src/x/own.rs", "x::own", "use crate::x::kid::Kid;"),
        ]
    };
    // Declares and re-exports its children, owns `Shared`: the children lean on it.
    let g = graph(&face(
        "mod kid;\nmod own;\npub use kid::Kid;\npub(crate) use self::own::{Own, Other};\npub struct Shared;",
    ));
    assert!(circles(&g).is_empty(), "{:?}", circles(&g));
    // Its own code takes a child's item: a real circle with that child.
    let g = graph(&face(
        "mod kid;\npub use kid::Kid;\nuse kid::helper;\npub struct Shared;\nfn f() { let _ = self::kid::Kid; }",
    ));
    let found = circles(&g);
    assert_eq!(
        found,
        vec![vec!["src/x/kid.rs".to_string(), "src/x/mod.rs".into()]]
    );
    let told = describe(&g, &found[0]);
    assert!(
        told.contains("src/x/mod.rs -> src/x/kid.rs (Kid, helper)"),
        "{told}"
    );
}

#[test]
fn a_circle_on_an_allowed_list_is_allowed_and_one_that_grew_is_not() {
    let list: [(&[&str], &str); 1] = [(&["src/a.rs", "src/b.rs", "src/c.rs"], "being reworked")];
    let inside = ["src/a.rs".to_string(), "src/b.rs".into()];
    assert_eq!(allowed_by(&list, &inside), Some("being reworked"));
    let grown = ["src/a.rs".to_string(), "src/b.rs".into(), "src/d.rs".into()];
    assert!(allowed_by(&list, &grown).is_none());
    assert!(stale(&list, &[inside.to_vec()]).is_empty());
    let other = vec!["src/d.rs".to_string(), "src/e.rs".into()];
    assert_eq!(
        stale(&list, &[other]).len(),
        1,
        "an entry no circle matches is stale"
    );
}

/// The one circle of `g`, told.
fn one_circle(g: &Graph) -> String {
    let found = circles(g);
    assert_eq!(found.len(), 1, "{found:?}");
    describe(g, &found[0])
}

#[test]
fn a_name_the_module_declares_or_imports_is_followed() {
    // A face globbing a child it declares, the child leaning on the face.
    let g = graph(&[
        file(
            "src/x/mod.rs",
            "x",
            "mod kid;\nuse kid::*;\npub struct Shared;",
        ),
        file("src/x/kid.rs", "x::kid", "use super::Shared;"),
    ]);
    let told = one_circle(&g);
    assert!(
        told.contains("src/x/mod.rs -> src/x/kid.rs ((module))"),
        "{told}"
    );
    // A face calling its child inline.
    let g = graph(&[
        file(
            "src/x/mod.rs",
            "x",
            "mod kid;\npub struct Shared;\nfn f() { kid::helper(); }",
        ),
        file("src/x/kid.rs", "x::kid", "use super::Shared;"),
    ]);
    let told = one_circle(&g);
    assert!(
        told.contains("src/x/mod.rs -> src/x/kid.rs (helper)"),
        "{told}"
    );
    // A name a `use` brings in, followed deeper inline and by another `use`.
    let deep = |a: &str| {
        graph(&[
            file("src/m/a.rs", "m::a", a),
            file("src/m/deep/mod.rs", "m::deep", "pub mod inner;"),
            file(
                "src/m/deep/inner.rs",
                "m::deep::inner",
                "use crate::m::a::A;",
            ),
        ])
    };
    let g = deep("use super::deep;\npub struct A;\nfn f() { deep::inner::go(); }");
    let told = one_circle(&g);
    assert!(
        told.contains("src/m/a.rs -> src/m/deep/inner.rs (go)"),
        "{told}"
    );
    let g = deep("use super::deep as d;\nuse d::inner::Go;\npub struct A;");
    let told = one_circle(&g);
    assert!(
        told.contains("src/m/a.rs -> src/m/deep/inner.rs (Go)"),
        "{told}"
    );
}

#[test]
fn a_name_a_glob_brings_in_is_followed() {
    let files = |a: &str| {
        graph(&[
            file("src/m/mod.rs", "m", "mod a;\nmod b;\nmod fmt;"),
            file("src/m/a.rs", "m::a", a),
            file("src/m/b.rs", "m::b", "use super::a::A;"),
            file("src/m/fmt.rs", "m::fmt", "use super::a::A;"),
        ])
    };
    // `use super::*;` brings the sibling `b` in.
    let g = files("use super::*;\npub struct A;\nfn f() { b::go(); }");
    let told = one_circle(&g);
    assert!(told.contains("src/m/a.rs -> src/m/b.rs (go)"), "{told}");
    assert!(
        g["src/m/a.rs"].contains_key("src/m/mod.rs"),
        "the glob itself"
    );
    // Not a name imported from elsewhere (`fmt` is std's), a method or a type.
    let g = files(
        "use std::fmt;\nuse super::*;\npub struct A;\n\
         fn f(x: X) { let _ = fmt::Display; x.b::<u8>(); Vec::<u8>::new(); }",
    );
    assert!(circles(&g).is_empty(), "{:?}", circles(&g));
    // Nor a visibility: `pub(in crate::m)` uses nothing of `m`.
    let g = graph(&[
        file("src/m/mod.rs", "m", "mod a;\nfn f() { a::go(); }"),
        file("src/m/a.rs", "m::a", "pub(in crate::m) fn go() {}"),
    ]);
    assert!(circles(&g).is_empty(), "{:?}", circles(&g));
    // Nor a range: `..b::B::default()` is a path.
    let g = files("use super::*;\npub struct A;\nfn f() { S { ..b::B::default() }; }");
    let told = one_circle(&g);
    assert!(told.contains("src/m/a.rs -> src/m/b.rs (B)"), "{told}");
}

#[test]
fn a_name_a_face_re_exports_by_a_glob_is_its_defining_file() {
    let files = |other: &str| {
        [
            file(
                "src/x/mod.rs",
                "x",
                "mod kid;\nmod other;\npub use kid::*;\npub struct Shared;",
            ),
            file(
                "src/x/kid.rs",
                "x::kid",
                "use super::other::O;\npub use crate::y::Far;\npub struct Kid;\npub fn make() {}",
            ),
            file("src/x/other.rs", "x::other", other),
            file("src/y.rs", "y", "pub struct Far;"),
        ]
    };
    // `Kid` and `make` reached through the face are kid.rs's: a circle with it.
    let g = graph(&files(
        "use crate::x::Kid;\npub struct O;\nfn f() { super::make(); }",
    ));
    let told = one_circle(&g);
    assert!(
        told.contains("src/x/other.rs -> src/x/kid.rs (Kid, make)"),
        "{told}"
    );
    // A name the globbed file imports is followed on to where it stands.
    let g = graph(&files("use super::Far;\npub struct O;"));
    assert!(circles(&g).is_empty(), "{:?}", circles(&g));
    assert_eq!(
        g["src/x/other.rs"].keys().collect::<Vec<_>>(),
        ["src/y.rs"],
        "{g:?}"
    );
    // What the face defines itself stays the face's, and so does a name no
    // globbed file defines (a macro's, say).
    let g = graph(&files("use super::{Shared, Unknown};\npub struct O;"));
    assert!(circles(&g).is_empty(), "{:?}", circles(&g));
    assert_eq!(
        g["src/x/other.rs"]["src/x/mod.rs"],
        BTreeSet::from(["Shared".to_string(), "Unknown".into()])
    );
}
