//! Receivers whose type the checker reads off what made them (issue 12, ninth
//! stop): a constructor, a function's or a method's written return type, a
//! closure's typed parameter, a pointer that derefs to the type, an item of a
//! known collection (`for`, `.map(|t| ..)`); and items declared inside a
//! function, which are not the module's. Each with a tiny crate
//! that must give the arrow and look-alikes that must not.

use super::blind_spots::std_named;
use super::{circles, file, graph, one_circle};

/// `Table`'s `get` and `clone` (names std uses too) are added by `ops.rs`, which
/// leans on `user.rs`; `table.rs` has its constructors and `Holder`, `Wrap`.
fn made(user: &str) -> super::Graph {
    graph(&[
        file(
            "src/s/mod.rs",
            "s",
            "mod table;\nmod ops;\npub use table::{Holder, Index, Table, Wrap, open_table};",
        ),
        file(
            "src/s/table.rs",
            "s::table",
            "use std::sync::Arc;\npub struct Table { pub n: u8 }\npub struct Wrap(pub Table);\n\
             pub struct Index;\n\
             pub struct Holder { pub table: Arc<Table>, pub spare: Option<Table>, \
             pub all: Vec<Table>, pub by_id: std::collections::HashMap<u64, Table> }\n\
             impl Table {\n    pub fn new() -> Self { Table { n: 0 } }\n    \
             pub fn open(n: u8) -> Result<Table, String> { Ok(Table { n }) }\n    \
             pub fn maybe() -> Option<Self> { None }\n    \
             pub fn boxed() -> Box<Table> { Box::new(Table::new()) }\n    \
             pub fn count() -> usize { 0 }\n    pub fn same(&self) -> &Table { self }\n}\n\
             impl Holder {\n    pub fn table(&self) -> &Table { &self.table }\n    \
             pub fn guard(&self) -> std::sync::MutexGuard<'_, Table> { todo!() }\n}\n\
             impl Default for Table { fn default() -> Self { Table::new() } }\n\
             pub fn open_table() -> Table { Table::new() }",
        ),
        file(
            "src/s/ops.rs",
            "s::ops",
            "use super::Table;\nuse crate::t::user::helper;\n\
             impl Table {\n    pub fn get(&self) -> u8 { helper(); 0 }\n    \
             pub fn clone(&self) -> Self { Table::new() }\n}\n\
             impl super::Index { pub fn prepare(&self) {} }",
        ),
        file("src/t/mod.rs", "t", "pub mod user;"),
        file("src/t/user.rs", "t::user", user),
    ])
}

const HEAD: &str = "use std::sync::Arc;\nuse std::rc::Rc;\n\
                    use crate::s::{Holder, Table, Wrap, open_table};\npub fn helper() {}\n";

/// Whether `user.rs` (`HEAD`, then `body`) leans on `ops.rs` for `name`
/// (`Table.get`).
fn leans(name: &str, body: &str) -> bool {
    let g = made(&format!("{HEAD}{body}"));
    g["src/t/user.rs"]
        .get("src/s/ops.rs")
        .is_some_and(|names| names.contains(name))
}

/// Asserts that each of `bodies` calls `Table.get` (or, `calls` false, not).
fn each_calls_get(bodies: &[&str], calls: bool) {
    for body in bodies {
        assert_eq!(leans("Table.get", body), calls, "{body}");
    }
}

#[test]
fn a_receiver_a_constructor_makes_has_the_constructor_s_type() {
    each_calls_get(
        &[
            "fn f() { let t = Table::new(); t.get(); }",
            "fn f() -> Result<(), String> { let mut t = Table::open(1)?; t.get(); Ok(()) }",
            "fn f() { let t = Table { n: 1 }; t.get(); }",
            "fn f() { let t = &Table::default(); t.get(); }",
            "fn f() { let w = Wrap(Table::new()); w.0.get(); }",
            "fn f() { Table::new().get(); }",
            "fn f() { Table::new().same().get(); }",
            "impl Table { fn g() { let t = Self::new(); t.get(); } }",
        ],
        true,
    );
}

#[test]
fn a_receiver_a_function_returns_has_its_written_return_type() {
    each_calls_get(
        &[
            "fn f() { let t = open_table(); t.get(); }",
            "fn f() { let t = crate::s::open_table(); t.get(); }",
            "fn f() { use crate::s::{Wrap, open_table}; let t = open_table(); t.get(); }",
            "fn f(h: &Holder) { h.table().get(); }",
            "struct Mine { h: Holder }\n\
             impl Mine { fn holder(&self) -> &Holder { &self.h } fn g(&self) { self.holder().table().get(); } }",
            "fn f() { let t = Table::maybe().unwrap(); t.get(); }",
            "fn f() { let t = Table::open(1).expect(\"open\"); t.get(); }",
            "fn f() { if let Some(t) = Table::maybe() { t.get(); } }",
            "fn f(h: Holder) { while let Some(t) = h.spare { t.get(); } }",
            "fn f() { let Ok(t) = Table::open(1) else { return }; t.get(); }",
            "async fn load() -> Table { Table::new() }\nasync fn f() { let t = load().await; t.get(); }",
        ],
        true,
    );
}

#[test]
fn a_closure_s_typed_parameter_has_its_written_type() {
    each_calls_get(
        &[
            "fn f(xs: Vec<u8>) { xs.iter().map(|t: &Table| t.get()); }",
            "fn f() { run(|n: u8, t: Table| { t.get(); }); }",
            "fn f(t: u8) { run(move |t: Table| t.get()); }",
        ],
        true,
    );
}

#[test]
fn a_pointer_derefs_to_its_target() {
    each_calls_get(
        &[
            "fn f(t: Arc<Table>) { t.get(); }",
            "fn f(t: &Box<Table>) { t.get(); }",
            "fn f(t: std::rc::Rc<Table>) { t.get(); }",
            "fn f(h: &Holder) { h.table.get(); }",
            "fn f() { let t: Rc<Table> = make(); t.get(); }",
            "fn f() { let t = Table::boxed(); t.get(); }",
            "fn f(t: &Table) { t.clone().get(); }",
            "fn f(h: &Holder) { let t = h.guard(); t.get(); }",
            "fn f(t: std::borrow::Cow<'_, Table>) { t.get(); }",
        ],
        true,
    );
}

#[test]
fn an_item_of_a_known_collection_has_the_item_s_type() {
    each_calls_get(
        &[
            "fn f(h: &Holder) { for t in &h.all { t.get(); } }",
            "fn f(h: &Holder) { for mut t in h.all.iter().rev() { t.get(); } }",
            "fn f(ts: &[Table]) { for t in ts { t.get(); } }",
            "fn f(h: &Holder) { h.all.iter().map(|t| t.get()); }",
            "fn f(h: &Holder) { h.by_id.values().filter(|t| t.get() > 0); }",
            "fn f(h: &Holder) { if let Some(t) = h.by_id.get(&1) { t.get(); } }",
            "fn f(h: &Holder) { h.spare.map(|t| t.get()); }",
            "fn f(h: &Holder) { let t = h.all.first().unwrap(); t.get(); }",
        ],
        true,
    );
    each_calls_get(
        &[
            "fn f(h: &Holder) { for t in h.all.iter().enumerate() { t.get(); } }",
            "fn f(h: &Holder) { for t in &h.all {} t.get(); }",
            "fn f(h: &Holder) { h.all.iter().fold(0, |t, x| t.get()); }",
            "fn f(h: &Holder) { h.all.get(0..2).unwrap().get(); }",
            "fn f(h: &Holder) { h.spare.map_err(|t| t.get()); }",
            "fn f(h: &Holder) { h.by_id.iter().map(|t| t.get()); }",
            "fn f(h: &Holder) { h.all.iter().map(|t| 0); t.get(); }",
        ],
        false,
    );
}

#[test]
fn a_receiver_of_no_known_type_is_no_arrow() {
    each_calls_get(
        &[
            // Made by what is not the crate's, or returns what is not.
            "fn f() { let t = Other::new(); t.get(); }",
            "fn f() { let t = Table::count(); t.get(); }",
            "fn f() { let t = vec![Table::new()]; t.get(0); }",
            "fn f() { let t = Table::new; t.get(); }",
            "fn f() { let open_table = || 1; let t = open_table(); t.get(); }",
            "fn f(open_table: impl Fn() -> u8) { let t = open_table(); t.get(); }",
            // Still in its `Option` or `Result`.
            "fn f() { let t = Table::open(1); t.get(); }",
            "fn f() { let t = Table::maybe(); t.get(); }",
            "fn f(h: &Holder) { h.spare.get(); }",
            // More than the constructor, or bound again since.
            "fn f() { let t = Table::new() + 1; t.get(); }",
            "fn f(c: bool) { let t = if c { Table::new() } else { x }; t.get(); }",
            "fn f() { let t = Table::new(); let t = t.len(); t.get(); }",
            "fn f() { let t = Table::new(); match x { Some(t) => t.get(), _ => 0 }; }",
            // Out of the scope of the binding with the type.
            "fn f() { if let Some(t) = Table::maybe() {} t.get(); }",
            "fn f(xs: Vec<u8>) { xs.iter().map(|t: &Table| 0); t.get(); }",
            "fn f() { run(|t: Table| 0, t.get()); }",
            "fn f() { { let t = Table::new(); } t.get(); }",
            "fn f() { let t = t.get(); }",
            // A trait object, a std type, a generic parameter named like the type.
            "fn f(t: Box<dyn Any>) { t.get(); }",
            "fn f(t: Arc<Vec<Table>>) { t.get(0); }",
            "fn f<Table: Copy>(t: Table) { t.get(); }",
            "struct S<Table> { t: Table }\nfn f(s: S<u8>) { s.t.get(); }",
        ],
        false,
    );
    // A pointer's own `clone` is not its target's.
    assert!(leans("Table.clone", "fn f(t: &Table) { t.clone(); }"));
    assert!(!leans("Table.clone", "fn f(t: Arc<Table>) { t.clone(); }"));
    // A method a known type lacks is none of the crate's types' (a trait's), while
    // on an unknown receiver it may be any the file names.
    let prepares = |body: &str| leans("Index.prepare", &format!("use crate::s::Index;\n{body}"));
    assert!(prepares("fn f(t: &Other) { t.prepare(); }"));
    for body in [
        "fn f(t: &Table) { t.prepare(); }",
        "fn f() { Table::maybe().prepare(); }",
    ] {
        assert!(!prepares(body), "{body}");
    }
}

#[test]
fn an_item_declared_in_a_function_is_not_the_module_s() {
    // `user.rs` globs `s`, whose `Table` `ops.rs` adds `get` to and calls it on;
    // a test's own `Table` with its own `get` is neither that `Table` nor adds to it.
    let user = "use crate::s::*;\npub fn helper() {}\n\
                fn f() {\n    struct Table { n: u8 }\n    \
                impl Table { fn get(&self) -> u8 { self.n } }\n    \
                let t = Table { n: 1 };\n    t.get();\n}";
    let g = std_named(user);
    assert!(circles(&g).is_empty(), "{:?}", circles(&g));
    assert!(!g["src/t/user.rs"].contains_key("src/s/ops.rs"), "{g:?}");
    assert!(
        !g["src/s/ops.rs"]["src/t/user.rs"]
            .iter()
            .any(|n| n.contains('.')),
        "{g:?}"
    );
    // The module's `Table`, used beside the function, still is.
    let told = one_circle(&std_named(&format!(
        "{user}\nfn g() {{ let t = Table; t.get(); }}"
    )));
    assert!(
        told.contains("src/t/user.rs -> src/s/ops.rs (Table.get)"),
        "{told}"
    );
}
