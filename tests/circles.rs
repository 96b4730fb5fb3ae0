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
//! A name a face re-exports by a glob (`pub use protocol::*;` in `worker/mod.rs`)
//! and does not define itself is taken to the globbed file that defines it:
//! `crate::worker::Request` is an edge to `worker/protocol.rs`.
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
use paths::{Tok, code_only, imported_names, module_of, resolve_with, tokens, written_paths};

#[path = "circles/allowed.rs"]
mod allowed;
use allowed::ALLOWED;

/// One file of the crate: its label (`src/sim/server.rs`), module path and source.
struct File {
    label: String,
    module: Vec<String>,
    src: String,
}

/// The file -> file edges, each with the names that tie them (the first segment
/// after the target file's module, or `(module)` when the path names the module
/// itself).
type Graph = BTreeMap<String, BTreeMap<String, BTreeSet<String>>>;

/// Each name a module's `use` brings in (`worker::Envelope`), and the crate path
/// it stands for (`worker::envelope::Envelope`).
type Imports = BTreeMap<Vec<String>, Vec<String>>;

/// `target` with a module's imported name it goes through replaced by what the
/// name stands for, again until it names no imported name: `super::Envelope`,
/// re-exported by the parent from a sibling, is the sibling's.
fn through_imports(imports: &Imports, mut target: Vec<String>) -> Vec<String> {
    for _ in 0..8 {
        let Some(len) = (1..=target.len())
            .rev()
            .find(|&n| imports.contains_key(&target[..n]))
        else {
            break;
        };
        let mut to = imports[&target[..len]].clone();
        to.extend(target[len..].iter().cloned());
        if to == target {
            break;
        }
        target = to;
    }
    target
}

/// The names a file's source defines at any depth (`fn`, `struct`, `enum`,
/// `trait`, `type`, `const`, `static`, `union`, `mod`, `macro_rules!`).
fn defined_names(src: &str) -> BTreeSet<String> {
    let toks = tokens(&code_only(src));
    let word = |i: usize| match toks.get(i) {
        Some((Tok::Word(w), _)) => Some(w.as_str()),
        _ => None,
    };
    let mut out = BTreeSet::new();
    for i in 0..toks.len() {
        let name = match word(i) {
            Some(
                "fn" | "struct" | "enum" | "trait" | "type" | "const" | "static" | "union" | "mod",
            ) => word(i + 1),
            Some("macro_rules") => word(i + 2),
            _ => None,
        };
        out.extend(name.map(str::to_string));
    }
    out
}

/// What each file defines itself, and the modules it re-exports by a glob.
struct Owners<'a> {
    by_module: BTreeMap<&'a [String], &'a str>,
    defined: BTreeMap<&'a str, BTreeSet<String>>,
    glob_reexports: BTreeMap<&'a str, Vec<Vec<String>>>,
}

impl<'a> Owners<'a> {
    fn new(files: &'a [File], is_module: &dyn Fn(&[String]) -> bool) -> Owners<'a> {
        let mut glob_reexports: BTreeMap<&str, Vec<Vec<String>>> = BTreeMap::new();
        for f in files {
            for w in written_paths(&f.src, &f.module) {
                if w.glob
                    && w.reexport
                    && w.module == f.module
                    && let Some(Ok(m)) = resolve_with(&w, is_module)
                {
                    glob_reexports.entry(f.label.as_str()).or_default().push(m);
                }
            }
        }
        Owners {
            by_module: files
                .iter()
                .map(|f| (f.module.as_slice(), f.label.as_str()))
                .collect(),
            defined: files
                .iter()
                .map(|f| (f.label.as_str(), defined_names(&f.src)))
                .collect(),
            glob_reexports,
        }
    }

    /// `target` with a name a face re-exports by a glob, and does not define,
    /// taken into the globbed module that defines or imports it (followed
    /// through that module's imports and further globs): `worker::Request` is
    /// `worker::protocol::Request`.
    fn through_globs(&self, imports: &Imports, mut target: Vec<String>) -> Vec<String> {
        for _ in 0..8 {
            let Some((len, file)) = (0..=target.len())
                .rev()
                .find_map(|n| self.by_module.get(&target[..n]).map(|l| (n, *l)))
            else {
                break;
            };
            let Some(name) = target.get(len) else {
                break;
            };
            if self.defined[file].contains(name) {
                break;
            }
            let has = |m: &Vec<String>| {
                let mut named = m.clone();
                named.push(name.clone());
                imports.contains_key(&named)
                    || (self.by_module.get(m.as_slice()))
                        .is_some_and(|f| self.defined[f].contains(name))
            };
            let Some(m) = self
                .glob_reexports
                .get(file)
                .into_iter()
                .flatten()
                .find(|m| has(m))
            else {
                break;
            };
            let mut to = m.clone();
            to.extend(target[len..].iter().cloned());
            target = through_imports(imports, to);
        }
        target
    }
}

fn graph(files: &[File]) -> Graph {
    let by_module: BTreeMap<&[String], &str> = files
        .iter()
        .map(|f| (f.module.as_slice(), f.label.as_str()))
        .collect();
    let is_module = |m: &[String]| by_module.contains_key(m);
    let imports: Imports = files
        .iter()
        .flat_map(|f| imported_names(&f.src, &f.module))
        .collect();
    let owners = Owners::new(files, &is_module);
    let mut g = Graph::new();
    for f in files {
        g.entry(f.label.clone()).or_default();
        for w in written_paths(&f.src, &f.module) {
            let Some(Ok(target)) = resolve_with(&w, &is_module) else {
                continue;
            };
            let target = owners.through_globs(&imports, through_imports(&imports, target));
            // The file holding the longest module prefix of the target.
            let Some((len, to)) = (0..=target.len())
                .rev()
                .find_map(|n| by_module.get(&target[..n]).map(|l| (n, *l)))
            else {
                continue;
            };
            let to_module = &target[..len];
            if w.reexport && to_module.starts_with(&f.module) {
                continue; // a face re-exporting its own descendant
            }
            if to == f.label {
                continue;
            }
            let name = target
                .get(len)
                .cloned()
                .unwrap_or_else(|| "(module)".to_string());
            g.entry(f.label.clone())
                .or_default()
                .entry(to.to_string())
                .or_default()
                .insert(name);
        }
    }
    g
}

/// The circles: every strongly connected set of two or more files (Tarjan), each
/// as its sorted files.
fn circles(g: &Graph) -> Vec<Vec<String>> {
    struct Walk<'a> {
        g: &'a Graph,
        index: BTreeMap<&'a str, usize>,
        low: BTreeMap<&'a str, usize>,
        stack: Vec<&'a str>,
        on_stack: BTreeSet<&'a str>,
        out: Vec<Vec<String>>,
    }
    fn visit<'a>(w: &mut Walk<'a>, v: &'a str) {
        let n = w.index.len();
        w.index.insert(v, n);
        w.low.insert(v, n);
        w.stack.push(v);
        w.on_stack.insert(v);
        let g = w.g;
        for to in g.get(v).into_iter().flat_map(|e| e.keys()) {
            let to = to.as_str();
            if !w.index.contains_key(to) {
                visit(w, to);
                let low = w.low[v].min(w.low[to]);
                w.low.insert(v, low);
            } else if w.on_stack.contains(to) {
                let low = w.low[v].min(w.index[to]);
                w.low.insert(v, low);
            }
        }
        if w.low[v] == w.index[v] {
            let mut set = Vec::new();
            while let Some(top) = w.stack.pop() {
                w.on_stack.remove(top);
                set.push(top.to_string());
                if top == v {
                    break;
                }
            }
            if set.len() > 1 {
                set.sort();
                w.out.push(set);
            }
        }
    }
    let mut w = Walk {
        g,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on_stack: BTreeSet::new(),
        out: Vec::new(),
    };
    for v in g.keys() {
        if !w.index.contains_key(v.as_str()) {
            visit(&mut w, v);
        }
    }
    w.out.sort();
    w.out
}

/// One circle told: its files, then each edge inside it with the names taken.
fn describe(g: &Graph, circle: &[String]) -> String {
    let mut s = format!("circle of {} files: {}", circle.len(), circle.join(", "));
    for from in circle {
        for (to, names) in &g[from] {
            if circle.contains(to) {
                let names: Vec<&str> = names.iter().map(String::as_str).collect();
                s.push_str(&format!("\n    {from} -> {to} ({})", names.join(", ")));
            }
        }
    }
    s
}

fn allowed(circle: &[String]) -> Option<&'static str> {
    allowed_by(ALLOWED, circle)
}

/// The reason of the entry of `list` holding every file of `circle`.
fn allowed_by(list: &[(&[&str], &'static str)], circle: &[String]) -> Option<&'static str> {
    list.iter()
        .find(|(files, _)| circle.iter().all(|f| files.contains(&f.as_str())))
        .map(|(_, why)| *why)
}

/// The entries of `list` that hold no circle of `found` (fixed: remove them).
fn stale<'a>(list: &[(&'a [&'a str], &str)], found: &[Vec<String>]) -> Vec<&'a [&'a str]> {
    list.iter()
        .map(|(files, _)| *files)
        .filter(|files| {
            !found
                .iter()
                .any(|c| allowed_by(&[(*files, "")], c).is_some())
        })
        .collect()
}

fn crate_files() -> Vec<File> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let src_dir = root.join("src");
    let mut paths = Vec::new();
    rust_files(&src_dir, &mut paths);
    paths
        .into_iter()
        .filter(|p| !p.ends_with("main.rs"))
        .map(|p| File {
            label: p.strip_prefix(root).unwrap().display().to_string(),
            module: module_of(&src_dir, &p),
            src: std::fs::read_to_string(&p).unwrap(),
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
    File {
        label: label.to_string(),
        module: module.split("::").map(str::to_string).collect(),
        src: src.to_string(),
    }
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
