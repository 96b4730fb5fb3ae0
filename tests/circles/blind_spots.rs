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
