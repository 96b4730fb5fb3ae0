//! Methods of one type defined in `impl` blocks spread over several files: a call
//! `index.prepare()` uses the file whose `impl PeopleIndex` defines `prepare`, not
//! only the file that defines `PeopleIndex` (tests/circles.rs, tests/layers.rs).
//!
//! A path `Type::m` is exact, and so are `self.m(..)` and `Self::m` inside an `impl`
//! of a type (trait impls too). A receiver whose type the source says (typing.rs:
//! `self`, a parameter `t: &Table`, a `let t: Table`, a closure's `|t: Table|`, a
//! `let t = Table::new()` or `= open_table()` whose return type is written, the
//! fields of those, a chain `h.table().get()`, through `Box`, `Arc`, `Rc`, `?`,
//! `.unwrap()`, `if let Some(t)`, an item of a `Vec<Table>` in a `for` or a
//! `.map(|t| ..)`) is exact too when that type has an inherent `m`,
//! whatever `m` is called: `t.get()` is `Table.get`, and never std's `get` on a std
//! type; a method such a type lacks is none of the crate's types' (a trait's). Other
//! receivers' types are not known without a compiler, so another call `.m(..)` (or
//! `.m::<T>(..)`) is taken to every `impl` of a type the file names (by a `use`, a
//! path, a glob, or by defining it) that defines an inherent method `m`, unless `m`
//! is one of std's common methods (`len`, `get`, `parse`, ..): `s.parse()` on a
//! `&str` is not `CadenceState::parse`. Types are told apart by the crate path they
//! resolve to, looked up in the module the `impl` is written in (an inline `mod`'s
//! own `use`s and items first), so a file's own `struct PeopleIndex` is not
//! search's. Methods trait impls define are not followed: a call goes through the
//! trait. An associated function (no `self`) is reached by its path alone, never
//! by a `.m()`.

use std::collections::{BTreeMap, BTreeSet};

use super::names::{CrateNames, File};
use super::paths::locals::word;
use super::paths::visible::{module_at, module_level};
use super::paths::{Tok, resolve_with};
#[path = "receivers.rs"]
mod receivers;
#[path = "types.rs"]
mod types;
use types::{Ty, fields, return_at};
#[path = "typing.rs"]
mod typing;
use typing::{Known, PTR_METHODS, Place, Typer};

/// Methods std's collections, strings, iterators, `Option`, `Result` and I/O have:
/// a call of one on a receiver of unknown type is taken for std's.
#[rustfmt::skip]
const STD_METHODS: &[&str] = &[
    "all", "any", "as_bytes", "as_ref", "as_slice", "as_str", "chars", "clear", "clone",
    "cloned", "cmp", "collect", "contains", "contains_key", "copied", "count", "default",
    "drain", "ends_with", "entry", "eq", "extend", "filter", "filter_map", "find", "find_map",
    "first", "flush", "fold", "get", "get_mut", "insert", "into_iter", "is_empty", "is_none",
    "is_some", "iter", "iter_mut", "join", "keys", "last", "len", "lines", "lock", "map",
    "max", "min", "new", "next", "ok", "parse", "partial_cmp", "pop", "position", "push",
    "read", "recv", "remove", "retain", "rev", "send", "sort", "sort_by", "split",
    "starts_with", "sum", "take", "to_owned", "to_string", "trim", "truncate", "unwrap",
    "values", "write", "zip",
];

/// The inherent methods of the crate's types: by type (its defining crate path),
/// by method name, the files whose `impl` blocks define it.
pub struct Methods {
    by_type: BTreeMap<Vec<String>, BTreeMap<String, BTreeSet<String>>>,
    /// The associated functions among them (no `self`): a path calls them, a
    /// `.m()` cannot.
    no_self: BTreeSet<(Vec<String>, String)>,
    /// The crate's types, their fields' types, its functions' return types.
    known: Known,
}

/// One use of a method another file defines: the type, the method, the file, the
/// line it is used on.
#[derive(Debug, PartialEq)]
pub struct MethodUse {
    pub ty: Vec<String>,
    pub method: String,
    pub file: String,
    pub line: usize,
}

impl MethodUse {
    /// `PeopleIndex.prepare`.
    pub fn name(&self) -> String {
        format!(
            "{}.{}",
            self.ty.last().map_or("", String::as_str),
            self.method
        )
    }
}

impl Methods {
    pub fn new(files: &[File], names: &CrateNames) -> Methods {
        let mut by_type: BTreeMap<Vec<String>, BTreeMap<String, BTreeSet<String>>> =
            BTreeMap::new();
        let mut no_self = BTreeSet::new();
        let mut known = Known::default();
        // What trait impls' methods return; `None` where two impls differ.
        let mut by_traits: BTreeMap<Vec<String>, Option<Ty>> = BTreeMap::new();
        for f in files {
            let toks = &f.parsed.toks;
            let impls = impls(toks);
            let place = Place::new(f, names, &impls);
            for imp in &impls {
                let Some(ty) = place.crate_type(imp.body.0, &imp.ty) else {
                    continue;
                };
                for m in &imp.methods {
                    let mut path = ty.clone();
                    path.push(m.name.clone());
                    let ret = return_at(toks, m.at).and_then(|r| place.written(r));
                    if !imp.inherent {
                        let seen = by_traits.entry(path).or_insert_with(|| ret.clone());
                        if *seen != ret {
                            *seen = None;
                        }
                        continue;
                    }
                    if !m.takes_self {
                        no_self.insert((ty.clone(), m.name.clone()));
                    }
                    (by_type.entry(ty.clone()).or_default())
                        .entry(m.name.clone())
                        .or_default()
                        .insert(f.label.clone());
                    if let Some(ret) = ret {
                        known.returns.insert(path, ret);
                    }
                }
            }
            let top = module_level(toks, &f.parsed.mods);
            for (i, at_top) in top.iter().enumerate() {
                let (Some(kw), Some(name)) = (word(toks, i), word(toks, i + 1)) else {
                    continue;
                };
                if kw == "fn" && *at_top {
                    let mut path = module_at(&f.parsed.mods, &f.module, i);
                    path.push(name.to_string());
                    if let Some(ret) = return_at(toks, i).and_then(|r| place.written(r)) {
                        known.returns.insert(path, ret);
                    }
                }
                if !matches!(kw, "struct" | "enum" | "union") {
                    continue;
                }
                let Some(ty) = place.crate_type(i + 1, &[name.to_string()]) else {
                    continue;
                };
                known.types.insert(ty.clone());
                for (field, at) in fields(toks, i + 1).into_iter().filter(|_| kw == "struct") {
                    if let Some(t) = place.written(at) {
                        known.fields.entry(ty.clone()).or_default().insert(field, t);
                    }
                }
            }
        }
        for (path, ret) in by_traits {
            if let Some(ret) = ret {
                known.returns.entry(path).or_insert(ret);
            }
        }
        Methods {
            by_type,
            no_self,
            known,
        }
    }

    /// The files other than `from` whose `impl` of `ty` defines `method`.
    pub fn defining<'a>(
        &'a self,
        ty: &[String],
        method: &str,
        from: &'a str,
    ) -> impl Iterator<Item = &'a str> + 'a {
        (self.by_type.get(ty).and_then(|m| m.get(method)))
            .into_iter()
            .flatten()
            .map(String::as_str)
            .filter(move |f| *f != from)
    }

    /// A resolved path `Type::method` (or longer): the method use it is, for each
    /// file other than `from` that defines it.
    pub fn of_path(&self, target: &[String], from: &str, line: usize) -> Vec<MethodUse> {
        let mut out = Vec::new();
        for n in 1..target.len() {
            for file in self.defining(&target[..n], &target[n], from) {
                out.push(MethodUse {
                    ty: target[..n].to_vec(),
                    method: target[n].clone(),
                    file: file.to_string(),
                    line,
                });
            }
        }
        out
    }

    /// The method calls (`.m(..)`, `.m::<T>(..)`, `Self::m`) of `f` on the types it
    /// names, each to a file other than `f` whose `impl` defines the method.
    pub fn calls(&self, f: &File, names: &CrateNames) -> Vec<MethodUse> {
        let toks = &f.parsed.toks;
        let typer = Typer::new(Place::new(f, names, &impls(toks)), &self.known);
        let known = self.types_named(f, names, &typer.place.impls);
        let spread: BTreeSet<&String> = self.by_type.values().flat_map(|m| m.keys()).collect();
        let mut out = Vec::new();
        for i in 1..toks.len() {
            let Tok::Word(m) = &toks[i].0 else {
                continue;
            };
            let next = toks.get(i + 1).map(|t| &t.0);
            let call = matches!(next, Some(Tok::Other('(')))
                || (next == Some(&Tok::Sep)
                    && toks.get(i + 2).is_some_and(|t| t.0 == Tok::Other('<')));
            let before = |w: &str| i >= 2 && toks[i - 2].0 == Tok::Word(w.to_string());
            let (method, on_self) = match &toks[i - 1].0 {
                Tok::Dot => (call && (i < 2 || toks[i - 2].0 != Tok::Dot), before("self")),
                Tok::Sep => (before("Self"), true),
                _ => (false, false),
            };
            if !method || !spread.contains(m) {
                continue;
            }
            // The innermost `impl` around the call names `self`'s and `Self`'s type.
            let own = typer.place.own(i);
            // A receiver of a known type: its target's method if it has one (not
            // through a pointer whose own method it is), else none of the
            // crate's types' (std's, a trait's; the crate derefs to nothing).
            let recv = (toks[i - 1].0 == Tok::Dot && !on_self)
                .then(|| typer.receiver(i - 1))
                .flatten();
            let exact = recv.as_ref().is_some_and(|ty| match ty.deref() {
                Ty::Maybe(_) | Ty::Items(_) | Ty::Map(_) => true,
                Ty::Crate(t) => self.known.types.contains(t),
                Ty::Ptr(_) => false,
            });
            let typed = recv
                .filter(|ty| !(ty.behind_ptr() && PTR_METHODS.contains(&m.as_str())))
                .and_then(|ty| ty.target().cloned())
                .filter(|t| self.by_type.get(t).is_some_and(|ms| ms.contains_key(m)));
            let types = match (own.filter(|_| on_self), typed) {
                (Some(ty), _) | (None, Some(ty)) => BTreeSet::from([ty]),
                _ if exact || STD_METHODS.contains(&m.as_str()) => BTreeSet::new(),
                _ => known.clone(),
            };
            let dot = toks[i - 1].0 == Tok::Dot;
            for ty in &types {
                if dot && self.no_self.contains(&(ty.clone(), m.clone())) {
                    continue;
                }
                for file in self.defining(ty, m, &f.label) {
                    out.push(MethodUse {
                        ty: ty.clone(),
                        method: m.clone(),
                        file: file.to_string(),
                        line: toks[i].1,
                    });
                }
            }
        }
        out
    }

    /// The types with methods that `f` names: those it defines, imports, or
    /// writes a path (or a bare name from a glob) to.
    fn types_named(
        &self,
        f: &File,
        names: &CrateNames,
        impls: &[(Vec<String>, (usize, usize))],
    ) -> BTreeSet<Vec<String>> {
        let mut seen: Vec<Vec<String>> = (f.parsed.imports.iter())
            .map(|(_, to, _)| names.canonical(to.clone(), &f.module))
            .collect();
        for w in &f.parsed.written {
            if let Some(Ok(t)) = resolve_with(w, &|p, from| names.provides(p, from)) {
                seen.push(names.canonical(t, &w.module));
            }
        }
        seen.extend(impls.iter().map(|(ty, _)| ty.clone()));
        let mut out = BTreeSet::new();
        for path in seen {
            for n in 1..=path.len() {
                if self.by_type.contains_key(&path[..n]) {
                    out.insert(path[..n].to_vec());
                }
            }
        }
        out
    }
}

/// One `impl` block: the type it is for (its path as written, generic arguments
/// left out), whether it is inherent (not `impl Trait for`), the methods (`fn`s
/// directly in its body) and the tokens of its body.
pub struct Impl {
    pub ty: Vec<String>,
    pub inherent: bool,
    pub methods: Vec<Method>,
    pub body: (usize, usize),
}

/// A `fn` directly in an `impl`'s body: its name, whether it takes `self`, its
/// `fn` keyword's token.
pub struct Method {
    pub name: String,
    pub takes_self: bool,
    pub at: usize,
}

/// The `impl` blocks of a source's tokens.
pub fn impls(toks: &[(Tok, usize)]) -> Vec<Impl> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < toks.len() {
        let item = i == 0
            || matches!(
                &toks[i - 1].0,
                Tok::Open | Tok::Close | Tok::Semi | Tok::Other(']')
            )
            || toks[i - 1].0 == Tok::Word("unsafe".to_string());
        if !(item && toks[i].0 == Tok::Word("impl".to_string())) {
            i += 1;
            continue;
        }
        i += 1;
        let (mut angle, mut ty, mut inherent) = (0, Vec::new(), true);
        while i < toks.len() && toks[i].0 != Tok::Open && toks[i].0 != Tok::Semi {
            match &toks[i].0 {
                Tok::Other('<') => angle += 1,
                Tok::Other('>') if toks[i - 1].0 != Tok::Other('-') => angle -= 1,
                Tok::Word(w) if angle == 0 && w == "for" => {
                    inherent = false;
                    ty.clear(); // the trait's path; the type's follows
                }
                Tok::Word(w) if angle == 0 && w == "where" => break,
                Tok::Word(w) if angle == 0 && w != "dyn" => ty.push(w.clone()),
                _ => (),
            }
            i += 1;
        }
        while i < toks.len() && toks[i].0 != Tok::Open {
            i += 1; // a `where` clause
        }
        let (start, mut depth) = (i, 0);
        let mut methods = Vec::new();
        while i < toks.len() {
            match &toks[i].0 {
                Tok::Open => depth += 1,
                Tok::Close => {
                    depth -= 1;
                    if depth == 0 {
                        break;
                    }
                }
                Tok::Word(w) if depth == 1 && w == "fn" => {
                    if let Some((Tok::Word(name), _)) = toks.get(i + 1) {
                        methods.push(Method {
                            name: name.clone(),
                            takes_self: takes_self(toks, i + 2),
                            at: i,
                        });
                    }
                }
                _ => (),
            }
            i += 1;
        }
        if !ty.is_empty() {
            out.push(Impl {
                ty,
                inherent,
                methods,
                body: (start, i),
            });
        }
        // Back into the body: an `impl` inside a function is found too.
        i = start + 1;
    }
    out
}

/// Whether the `fn` whose generics or parameters start at `toks[at]` takes
/// `self` (`self`, `&self`, `&'a mut self`, `mut self`, `self: Box<Self>`).
fn takes_self(toks: &[(Tok, usize)], mut at: usize) -> bool {
    let mut angle = 0;
    while let Some((t, _)) = toks.get(at) {
        match t {
            Tok::Other('<') => angle += 1,
            Tok::Other('>') if toks[at - 1].0 != Tok::Other('-') => angle -= 1,
            Tok::Other('(') if angle == 0 => break,
            Tok::Open | Tok::Semi => return false,
            _ => (),
        }
        at += 1;
    }
    for k in at + 1..(at + 6).min(toks.len()) {
        let lifetime = toks[k - 1].0 == Tok::Other('\'');
        match &toks[k].0 {
            Tok::Other('&' | '\'') => (),
            Tok::Word(w) if w == "self" => return true,
            Tok::Word(w) if w == "mut" || lifetime => (),
            _ => return false,
        }
    }
    false
}
