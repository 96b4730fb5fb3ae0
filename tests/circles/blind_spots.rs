//! The checker's former blind spots, each with a tiny crate that must give the
//! arrow, and the look-alikes that must not: methods of `impl` blocks spread over
//! files, paths inside macro invocations, bare names a glob brings in.

use super::{circles, file, graph, one_circle};

/// A type defined in `index.rs` whose methods are spread over `prepare.rs` (which
/// leans on `user.rs`) and `query.rs`, and a `user.rs` written as `user`.
fn spread(user: &str) -> super::Graph {
    graph(&[
        file(
            "src/s/mod.rs",
            "s",
            "mod index;\nmod prepare;\nmod query;\npub use index::PeopleIndex;",
        ),
        file(
            "src/s/index.rs",
            "s::index",
            "pub struct PeopleIndex;\nimpl Default for PeopleIndex { fn default() -> Self { PeopleIndex } }",
        ),
        file(
            "src/s/prepare.rs",
            "s::prepare",
            "use super::PeopleIndex;\nuse crate::t::user::helper;\n\
             impl PeopleIndex {\n    pub fn prepare(&self) { helper(); }\n}",
        ),
        file(
            "src/s/query.rs",
            "s::query",
            "impl super::PeopleIndex { pub fn query<T>(&self) {} }\n\
             impl std::fmt::Display for super::PeopleIndex { fn fmt(&self) {} }",
        ),
        file("src/t/mod.rs", "t", "pub mod user;"),
        file("src/t/user.rs", "t::user", user),
    ])
}

#[test]
fn a_method_of_an_impl_in_another_file_is_an_arrow_to_that_file() {
    // A call on a value of the type the file imports.
    let g = spread(
        "use crate::s::PeopleIndex;\npub fn helper() {}\n\
         fn f(index: &PeopleIndex) { index.prepare(); index.query::<u8>(); }",
    );
    let told = one_circle(&g);
    assert!(
        told.contains("src/t/user.rs -> src/s/prepare.rs (PeopleIndex.prepare)"),
        "{told}"
    );
    assert!(
        told.contains("src/s/prepare.rs -> src/t/user.rs (helper)"),
        "{told}"
    );
    assert!(
        g["src/t/user.rs"]["src/s/query.rs"].contains("PeopleIndex.query"),
        "{g:?}"
    );
    // The impl file leans on the type's own file, not the face re-exporting it.
    assert!(
        g["src/s/prepare.rs"].contains_key("src/s/index.rs"),
        "{g:?}"
    );
    // A path `Type::method`, the type reached through the face.
    let g = spread("pub fn helper() {}\nfn f() { crate::s::PeopleIndex::prepare(&x); }");
    let told = one_circle(&g);
    assert!(told.contains("(PeopleIndex.prepare)"), "{told}");
}

#[test]
fn a_method_of_another_type_of_the_same_name_is_no_arrow() {
    // The file's own `PeopleIndex`, with its own `prepare`.
    let g = spread(
        "pub fn helper() {}\nstruct PeopleIndex;\n\
         impl PeopleIndex { fn prepare(&self) {} }\nfn f(i: PeopleIndex) { i.prepare(); }",
    );
    assert!(circles(&g).is_empty(), "{:?}", circles(&g));
    assert!(
        !g["src/t/user.rs"].contains_key("src/s/prepare.rs"),
        "{g:?}"
    );
    // A file that names no such type; a field, a trait method, a free function.
    let g = spread(
        "pub fn helper() {}\nfn f(x: X) { x.prepare(); let _ = x.query; x.fmt(); query(); }",
    );
    assert!(g["src/t/user.rs"].is_empty(), "{g:?}");
}

#[test]
fn the_type_s_own_file_calling_its_spread_methods_leans_on_them() {
    let g = graph(&[
        file("src/s/mod.rs", "s", "mod index;\nmod prepare;"),
        file(
            "src/s/index.rs",
            "s::index",
            "pub struct PeopleIndex;\nimpl PeopleIndex { pub fn new() -> Self { Self::prepare(); PeopleIndex } }",
        ),
        file(
            "src/s/prepare.rs",
            "s::prepare",
            "use super::index::PeopleIndex;\nimpl PeopleIndex { fn prepare() {} }",
        ),
    ]);
    let told = one_circle(&g);
    assert!(
        told.contains("src/s/index.rs -> src/s/prepare.rs (PeopleIndex.prepare)"),
        "{told}"
    );
}

#[test]
fn paths_inside_macro_invocations_count_and_strings_do_not() {
    let g = graph(&[
        file("src/m/mod.rs", "m", "mod a;\nmod b;\nmod c;"),
        file(
            "src/m/a.rs",
            "m::a",
            "pub struct A;\nfn f(x: u8) {\n    assert!(matches!(x, crate::m::b::Kind::One));\n    \
             let _ = vec![super::c::C];\n    println!(\"{}\", \"crate::m::d::D\");\n}",
        ),
        file("src/m/b.rs", "m::b", "use super::a::A;"),
        file("src/m/c.rs", "m::c", "use super::a::A;"),
    ]);
    let told = one_circle(&g);
    assert!(told.contains("src/m/a.rs -> src/m/b.rs (Kind)"), "{told}");
    assert!(told.contains("src/m/a.rs -> src/m/c.rs (C)"), "{told}");
    assert_eq!(g["src/m/a.rs"].len(), 2, "the string names nothing: {g:?}");
}

#[test]
fn a_macro_a_glob_brings_in_is_an_arrow_to_its_file() {
    let g = graph(&[
        file(
            "src/m/mod.rs",
            "m",
            "mod a;\n#[macro_use]\nmod b;\npub(crate) use b::shout;",
        ),
        file(
            "src/m/a.rs",
            "m::a",
            "use super::*;\npub struct A;\nfn f() { shout!(1); }",
        ),
        file(
            "src/m/b.rs",
            "m::b",
            "macro_rules! shout { ($x:expr) => { $crate::m::a::A } }\npub(crate) use shout;",
        ),
    ]);
    let told = one_circle(&g);
    assert!(told.contains("src/m/a.rs -> src/m/b.rs (shout)"), "{told}");
    assert!(told.contains("src/m/b.rs -> src/m/a.rs (A)"), "{told}");
}

/// `mod.rs` brings `Thing` and `helper` in from `b.rs`, which leans on `a.rs`.
fn glob_of_parent(a: &str) -> super::Graph {
    graph(&[
        file(
            "src/m/mod.rs",
            "m",
            "mod a;\nmod b;\nmod c;\nuse b::Thing;\npub(crate) use b::helper;",
        ),
        file("src/m/a.rs", "m::a", a),
        file(
            "src/m/b.rs",
            "m::b",
            "use super::a::A;\npub struct Thing;\npub fn helper() {}",
        ),
        file(
            "src/m/c.rs",
            "m::c",
            "use crate::z::Z;\npub use crate::z::Far;",
        ),
        file("src/z.rs", "z", "pub struct Z;\npub struct Far;"),
    ])
}

#[test]
fn a_bare_name_a_glob_brings_in_is_an_arrow_to_its_file() {
    let g = glob_of_parent("use super::*;\npub struct A;\nfn f(t: Thing) { helper(); }");
    let told = one_circle(&g);
    assert!(
        told.contains("src/m/a.rs -> src/m/b.rs (Thing, helper)"),
        "{told}"
    );
    // Through a sibling's glob: only what it shows (`pub use`), not its own imports.
    let g = glob_of_parent("use super::c::*;\npub struct A;\nfn f(x: Far) -> Z { todo!() }");
    assert_eq!(
        g["src/m/a.rs"].keys().collect::<Vec<_>>(),
        ["src/m/c.rs", "src/z.rs"],
        "{g:?}"
    );
    assert!(g["src/m/a.rs"]["src/z.rs"].contains("Far"), "{g:?}");
}

#[test]
fn a_local_of_the_same_name_as_a_globbed_one_is_no_arrow() {
    for a in [
        "use super::*;\npub struct A;\nstruct Thing;\nfn f() { let helper = || (); helper(); }",
        "use super::*;\npub struct A;\nfn f<Thing>(helper: impl Fn()) { helper(); }",
        "use super::*;\npub struct A;\nenum E { Thing, Other(u8) }\nfn helper() {}\nfn f() { helper() }",
        "use super::*;\nuse crate::z::Z as Thing;\npub struct A;\nfn f(t: Thing, x: X) { x.helper(); }",
    ] {
        let g = glob_of_parent(a);
        assert!(!g["src/m/a.rs"].contains_key("src/m/b.rs"), "{a}\n{g:?}");
    }
}

#[test]
fn a_name_a_macro_makes_is_its_file_s() {
    let g = graph(&[
        file("src/x/mod.rs", "x", "mod kid;\nmod other;\npub use kid::*;"),
        file(
            "src/x/kid.rs",
            "x::kid",
            "macro_rules! body { ($(#[$m:meta])* $name:ident) => { $(#[$m])* pub struct $name; } }\n\
             body!(#[derive(Debug)] PersonUpdate);\nbody! { NewPerson }",
        ),
        file(
            "src/x/other.rs",
            "x::other",
            "use crate::x::{Debug, NewPerson, PersonUpdate};",
        ),
    ]);
    let names = |to: &str| g["src/x/other.rs"][to].iter().cloned().collect::<Vec<_>>();
    assert_eq!(
        names("src/x/kid.rs"),
        ["NewPerson", "PersonUpdate"],
        "{g:?}"
    );
    assert_eq!(
        names("src/x/mod.rs"),
        ["Debug"],
        "an attribute's word: {g:?}"
    );
}

/// A `Table` whose `get` (a name std uses too) an `impl` in `ops.rs` adds (and
/// calls), `ops.rs` leaning on `user.rs`, written as `user`.
pub(super) fn std_named(user: &str) -> super::Graph {
    graph(&[
        file(
            "src/s/mod.rs",
            "s",
            "mod table;\nmod ops;\npub use table::Table;",
        ),
        file("src/s/table.rs", "s::table", "pub struct Table;"),
        file(
            "src/s/ops.rs",
            "s::ops",
            "use super::Table;\nuse crate::t::user::helper;\n\
             impl Table {\n    pub fn get(&self) -> u8 { helper(); 0 }\n}\n\
             fn g(t: &Table) { t.get(); }",
        ),
        file("src/t/mod.rs", "t", "pub mod user;"),
        file("src/t/user.rs", "t::user", user),
    ])
}

#[test]
fn a_std_named_method_on_a_receiver_of_a_written_type_is_an_arrow() {
    let head = "use crate::s::Table;\npub fn helper() {}\n";
    for body in [
        "fn f(n: u8, t: &Table) { t.get(); }",
        "fn f(mut t: Table) { t.get(); }",
        "fn f(t: &mut Table) { let r = &mut t.rows; show(&mut t, |x| x); xs.map(|id| t.get()); }",
        "fn f() { let mut t: Table = make(); show(&t); t.clear = 1; t.get(); }",
        "struct Holder { pub(crate) rows: Table }\nimpl Holder { fn g(&self) { self.rows.get(); } }",
        "struct Holder(u8, Table);\nfn f(h: &Holder) { h.1.get(); }",
        "struct Holder { #[serde(skip)] n: u8, rows: Table }\nimpl Holder { fn g(h: &Self) { h.rows.get(); } }",
    ] {
        let g = std_named(&format!("{head}{body}"));
        let told = one_circle(&g);
        assert!(
            told.contains("src/t/user.rs -> src/s/ops.rs (Table.get)"),
            "{body}\n{told}"
        );
    }
}

#[test]
fn a_std_named_method_on_a_std_or_unknown_receiver_is_no_arrow() {
    let head = "use crate::s::Table;\npub fn helper() {}\n";
    for body in [
        // std types, and a type the file's own `Table` is.
        "fn f(t: &Table, v: Vec<u8>) { v.get(0); }",
        "fn f(t: Option<Table>) { t.get(); }",
        "fn f(t: Table) {}\nfn g(t: &[u8]) { t.get(0); }",
        // Bound again, or bound with no type written.
        "fn f(t: Table) { if let Some(t) = other() { t.get(); } }",
        "fn f(t: Table) { xs.iter().map(|t| t.get()); }",
        "fn f(t: Table) { xs.iter().map(|(a, t)| t.get()); }",
        "fn f(t: Table) { let t = other(); t.get(); }",
        "fn f(t: Table) { for t in xs { t.get(); } }",
        "fn f(t: Table) { match x { t => t.get() }; }",
        "fn f(t: Table) { match x { Some(t) => t.get(), _ => 0 }; }",
        "fn f(t: Table) { let Pair { t, .. } = x; t.get(); }",
        "fn f(t: Table) { let (a, t) = x; t.get(); }",
        "fn f() { let t = make(); t.get(); }",
        // A field of a type the crate does not know.
        "struct Holder { rows: Vec<Table> }\nimpl Holder { fn g(&self) { self.rows.get(0); } }",
    ] {
        let g = std_named(&format!("{head}{body}"));
        assert!(
            !g["src/t/user.rs"].contains_key("src/s/ops.rs"),
            "{body}\n{g:?}"
        );
    }
    // The file's own `Table`, with its own `get`.
    let g = std_named(
        "pub fn helper() {}\nstruct Table;\nimpl Table { fn get(&self) {} }\nfn f(t: &Table) { t.get(); }",
    );
    assert!(!g["src/t/user.rs"].contains_key("src/s/ops.rs"), "{g:?}");
}

/// `b.rs` calls `Thing.extra`, which `x.rs` adds to `Thing` in the `impl`
/// inside its inline `mod more`, written as `x`.
fn inline_impl(x: &str) -> super::Graph {
    graph(&[
        file("src/m/mod.rs", "m", "mod b;\nmod x;"),
        file(
            "src/m/b.rs",
            "m::b",
            "pub struct Thing;\nfn f(t: &Thing) { t.extra(); }",
        ),
        file("src/m/x.rs", "m::x", x),
    ])
}

#[test]
fn an_impl_inside_an_inline_mod_names_the_type_that_mod_sees() {
    // The inline mod imports `Thing`; the file does not.
    let g = inline_impl(
        "pub struct X;\nmod more {\n    use super::super::b::Thing;\n    \
         impl Thing { pub fn extra(&self) {} }\n}",
    );
    let told = one_circle(&g);
    assert!(
        told.contains("src/m/b.rs -> src/m/x.rs (Thing.extra)"),
        "{told}"
    );
    // Through the inline mod's glob of the parent, which imports it.
    let g = inline_impl(
        "use super::b::Thing;\nmod more {\n    use super::*;\n    \
         impl Thing { pub fn extra(&self) {} }\n}",
    );
    assert!(
        g["src/m/b.rs"]["src/m/x.rs"].contains("Thing.extra"),
        "{g:?}"
    );
    // The file imports `b`'s `Thing`, but the inline mod has its own.
    let g = inline_impl(
        "use super::b::Thing;\nfn g(_: Thing) {}\nmod more {\n    struct Thing;\n    \
         impl Thing { pub fn extra(&self) {} }\n}",
    );
    assert!(circles(&g).is_empty(), "{:?}", circles(&g));
    assert!(!g["src/m/b.rs"].contains_key("src/m/x.rs"), "{g:?}");
}

/// `mod.rs` re-exports all `b.rs` shows by a glob, `b.rs` leans on `a.rs`, and
/// `a.rs` calls the `helper` of `b.rs` (declared `vis fn helper`) through the
/// parent's glob.
fn glob_of_visibility(vis: &str) -> super::Graph {
    graph(&[
        file("src/m/mod.rs", "m", "mod a;\nmod b;\npub use b::*;"),
        file(
            "src/m/a.rs",
            "m::a",
            "use super::*;\npub struct A;\nfn f() { helper(); }",
        ),
        file(
            "src/m/b.rs",
            "m::b",
            &format!(
                "use super::a::A;\n{vis} fn helper() {{}}\nmod kid {{ use super::*; fn g() {{ helper(); }} }}"
            ),
        ),
    ])
}

#[test]
fn a_glob_brings_in_only_what_its_module_may_see() {
    for vis in ["pub", "pub(crate)", "pub(super)", "pub(in crate::m)"] {
        let g = glob_of_visibility(vis);
        let told = one_circle(&g);
        assert!(
            told.contains("src/m/a.rs -> src/m/b.rs (helper)"),
            "{vis}\n{told}"
        );
    }
    for vis in ["", "pub(self)", "pub(in crate::m::b)"] {
        let g = glob_of_visibility(vis);
        assert!(circles(&g).is_empty(), "{vis}\n{:?}", circles(&g));
        assert!(!g["src/m/a.rs"].contains_key("src/m/b.rs"), "{vis}\n{g:?}");
    }
    // A private `use` is not shown by the glob either, a `pub(super)` one is.
    let g = graph(&[
        file("src/m/mod.rs", "m", "mod a;\nmod b;\nmod c;\npub use b::*;"),
        file(
            "src/m/a.rs",
            "m::a",
            "use super::*;\npub struct A;\nfn f(_: C) {}",
        ),
        file("src/m/b.rs", "m::b", "use super::c::C;"),
        file("src/m/c.rs", "m::c", "use super::a::A;\npub struct C;"),
    ]);
    assert!(circles(&g).is_empty(), "{:?}", circles(&g));
    let g = graph(&[
        file("src/m/mod.rs", "m", "mod a;\nmod b;\nmod c;\npub use b::*;"),
        file(
            "src/m/a.rs",
            "m::a",
            "use super::*;\npub struct A;\nfn f(_: C) {}",
        ),
        file("src/m/b.rs", "m::b", "pub(super) use super::c::C;"),
        file("src/m/c.rs", "m::c", "use super::a::A;\npub struct C;"),
    ]);
    let told = one_circle(&g);
    assert!(told.contains("src/m/a.rs -> src/m/c.rs (C)"), "{told}");
}

#[test]
fn an_associated_function_is_reached_by_its_path_not_by_a_dot() {
    let g = |user: &str| {
        graph(&[
            file(
                "src/s/mod.rs",
                "s",
                "mod table;\nmod ops;\npub use table::Table;",
            ),
            file("src/s/table.rs", "s::table", "pub struct Table;"),
            file(
                "src/s/ops.rs",
                "s::ops",
                "use super::Table;\nuse crate::t::user::helper;\nimpl Table {\n    \
                 pub fn build<F: Fn(u8)>(f: F) -> Self { helper(); Table }\n    \
                 pub fn share<'a>(&'a mut self) {}\n}",
            ),
            file("src/t/mod.rs", "t", "pub mod user;"),
            file("src/t/user.rs", "t::user", user),
        ])
    };
    let head = "use crate::s::Table;\npub fn helper() {}\n";
    let found = g(&format!("{head}fn f(t: &Table) {{ t.build(); }}"));
    assert!(
        !found["src/t/user.rs"].contains_key("src/s/ops.rs"),
        "{found:?}"
    );
    for body in [
        "fn f() { Table::build(|_| ()); }",
        "fn f(t: &mut Table) { t.share(); }",
    ] {
        let told = one_circle(&g(&format!("{head}{body}")));
        assert!(
            told.contains("src/t/user.rs -> src/s/ops.rs (Table."),
            "{body}\n{told}"
        );
    }
}
