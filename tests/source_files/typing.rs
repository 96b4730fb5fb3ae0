//! The type of a method call's receiver, where the source says it without a
//! compiler (methods.rs): `self`, a binding whose type is written or whose `let`
//! takes a value of a known type (receivers.rs), the fields of those, and what a
//! constructor or a function whose return type is written gives:
//! `Type::new(..)`, `Type::anything(..)`, `Self::open(..)?`, `Type { .. }`,
//! `Type(..)`, `open_db(..)`, `self.store()`, `x.index().get(..)`, `.await`,
//! `.unwrap()`. A `Box`, `Arc`, `Rc`, guard or reference derefs to its target; an
//! `Option` or a `Result` gives its value after `?`, `.unwrap()`, `.expect(..)` or
//! an `if let Some(x)`, and to `.map(|x| ..)`; a collection (`Vec<T>`, `[T]`, a
//! set, a map's values) gives an item to a `for`, to `.iter().map(|x| ..)` and
//! the like, and maybe one from `.first()`, `.next()`, a map's `.get(..)`.
//! Anything else leaves the type unknown.
//!
//! Items declared inside a function's body are that body's, not the module's: a
//! `struct Table` inside a test is not the `Table` a glob brings in. A generic
//! parameter (`fn f<Table>`, `struct S<T>`) is none of the crate's types.

use std::collections::{BTreeMap, BTreeSet};

use super::super::names::{CrateNames, File};
use super::super::paths::locals::{ITEMS, generics, is, word};
use super::super::paths::visible::module_at;
use super::super::paths::{Tok, closes, group_end, opens};
use super::Impl;
use super::receivers::{Binding, Fn, binding, functions, shadowed};
use super::types::{Ty, resolved, spelled};

/// What the checks know of the crate's types.
#[derive(Default)]
pub struct Known {
    /// Every struct, enum and union (one declared in a function under it).
    pub types: BTreeSet<Vec<String>>,
    /// By struct, by field, the field's type (when the crate's, maybe behind a
    /// pointer or in an `Option`).
    pub fields: BTreeMap<Vec<String>, BTreeMap<String, Ty>>,
    /// By function (`store::open`) or method (`store::Store::get`), what it
    /// returns.
    pub returns: BTreeMap<Vec<String>, Ty>,
}

/// What names stand for at a place of a file: its modules, the `impl` around
/// it (`Self`), the items the function bodies around it declare.
pub struct Place<'a> {
    pub f: &'a File,
    names: &'a CrateNames,
    pub fns: Vec<Fn>,
    /// The items declared in a function's body: the name, the body's braces.
    locals: Vec<(String, (usize, usize))>,
    /// The `impl` blocks whose type is known: the type, the body's braces.
    pub impls: Vec<(Vec<String>, (usize, usize))>,
    /// The generic parameters of items: the name, the item's tokens.
    generics: Vec<(String, (usize, usize))>,
}

impl<'a> Place<'a> {
    pub fn new(f: &'a File, names: &'a CrateNames, impls: &[Impl]) -> Place<'a> {
        let toks = &f.parsed.toks;
        let fns = functions(toks);
        let mut locals = Vec::new();
        for body in fns.iter().map(|f| f.body) {
            for k in body.0 + 1..body.1 {
                if word(toks, k).is_some_and(|w| ITEMS.contains(&w))
                    && !is(toks, k - 1, '\'')
                    && let Some(name) = word(toks, k + 1).filter(|n| *n != "fn")
                {
                    locals.push((name.to_string(), body));
                }
            }
        }
        let mut place = Place {
            f,
            names,
            fns,
            locals,
            impls: Vec::new(),
            generics: generic_params(toks),
        };
        place.impls = (impls.iter())
            .filter_map(|imp| Some((place.crate_type(imp.body.0, &imp.ty)?, imp.body)))
            .collect();
        place
    }

    /// The type of the innermost `impl` around `toks[at]`.
    pub fn own(&self, at: usize) -> Option<Vec<String>> {
        (self.impls.iter())
            .filter(|(_, (from, to))| (*from..*to).contains(&at))
            .min_by_key(|(_, (from, to))| to - from)
            .map(|(ty, _)| ty.clone())
    }

    /// The crate path of the type (or other item) `path` written at `toks[at]`:
    /// `Self`'s, a function body's own item (under that body: `m::fn@12::Table`),
    /// or what its module sees; `None` for std's, a generic's (`T`), an unknown.
    pub fn crate_type(&self, at: usize, path: &[String]) -> Option<Vec<String>> {
        let first = path.first()?;
        if first == "Self" {
            let mut ty = self.own(at)?;
            ty.extend(path[1..].iter().cloned());
            return Some(ty);
        }
        let generic =
            (self.generics.iter()).any(|(n, (from, to))| n == first && *from < at && at < *to);
        if generic {
            return None; // `T`, `T::Item`: a generic parameter's
        }
        let module = module_at(&self.f.parsed.mods, &self.f.module, at);
        let local = (self.locals.iter())
            .filter(|(n, (from, to))| n == first && *from < at && at < *to)
            .max_by_key(|(_, (from, _))| *from);
        if let Some((_, (from, _))) = local {
            let mut ty = module;
            ty.push(format!("fn@{from}"));
            ty.extend(path.iter().cloned());
            return Some(ty);
        }
        self.names.type_at(self.f, &module, path.to_vec())
    }

    /// The type written at `toks[at]`, when the checks know it.
    pub fn written(&self, at: usize) -> Option<Ty> {
        let s = spelled(&self.f.parsed.toks, at)?;
        resolved(&s, &|p| self.crate_type(at, p))
    }
}

/// The generic parameters of the items of a source (`fn f<T>`, `impl<T>`,
/// `struct S<T>`, ..), each with the tokens of its item: from its keyword to the
/// end of its body (or its `;`).
fn generic_params(toks: &[(Tok, usize)]) -> Vec<(String, (usize, usize))> {
    let mut out = Vec::new();
    for i in 0..toks.len() {
        let open = match word(toks, i) {
            Some("impl") => i + 1,
            Some(w) if ITEMS.contains(&w) && word(toks, i + 1).is_some() => i + 2,
            _ => continue,
        };
        if !is(toks, open, '<') {
            continue;
        }
        let mut names = Vec::new();
        generics(toks, open, &mut |n: Option<&str>| {
            names.extend(n.map(str::to_string))
        });
        // The item's body: its first `{ .. }` outside brackets, or its `;`.
        let mut depth = 0;
        let mut end = toks.len();
        for (k, (t, _)) in toks.iter().enumerate().skip(open) {
            match t {
                Tok::Other('(' | '[') => depth += 1,
                Tok::Other(')' | ']') => depth -= 1,
                Tok::Open if depth == 0 => {
                    end = group_end(toks, k);
                    break;
                }
                Tok::Semi if depth == 0 => {
                    end = k;
                    break;
                }
                _ => (),
            }
        }
        out.extend(names.into_iter().map(|n| (n, (i, end))));
    }
    out
}

/// Methods a pointer (`Box`, `Arc`, `Rc`) has itself: a call of one on a pointer
/// is not its target's.
pub const PTR_METHODS: &[&str] = &["as_ref", "borrow", "clone", "eq", "cmp", "fmt", "to_string"];

/// Methods of a collection or an iterator that give an iterator over the same
/// items.
#[rustfmt::skip]
const SAME_ITEMS: &[&str] = &[
    "by_ref", "cloned", "copied", "drain", "filter", "inspect", "into_iter", "iter",
    "iter_mut", "peekable", "rev", "skip", "skip_while", "take", "take_while",
];

/// Methods of a collection or an iterator that give one of its items, maybe.
#[rustfmt::skip]
const ONE_ITEM: &[&str] = &[
    "back", "find", "first", "front", "last", "max", "max_by_key", "min", "min_by_key",
    "next", "next_back", "peek", "pop", "pop_back", "pop_front",
];

/// Methods of a collection or an iterator whose closure takes one item.
#[rustfmt::skip]
const ITEM_ADAPTERS: &[&str] = &[
    "all", "any", "filter", "filter_map", "find", "find_map", "flat_map", "for_each",
    "inspect", "map", "map_while", "max_by_key", "min_by_key", "partition", "position",
    "retain", "skip_while", "sort_by_key", "take_while",
];

/// Methods of an `Option` or a `Result` whose closure takes its value.
const MAYBE_ADAPTERS: &[&str] = &[
    "and_then",
    "filter",
    "inspect",
    "is_none_or",
    "is_ok_and",
    "is_some_and",
    "map",
];

/// Words that end an expression on their left, never a binding.
const NOT_BINDINGS: &[&str] = &[
    "as", "else", "if", "in", "let", "match", "move", "mut", "ref", "return", "while",
];

/// Types the expressions of one file.
pub struct Typer<'a> {
    pub place: Place<'a>,
    known: &'a Known,
}

impl<'a> Typer<'a> {
    pub fn new(place: Place<'a>, known: &'a Known) -> Typer<'a> {
        Typer { place, known }
    }

    fn toks(&self) -> &'a [(Tok, usize)] {
        &self.place.f.parsed.toks
    }

    /// The type of the receiver of the method call whose `.` is at `dot`.
    pub fn receiver(&self, dot: usize) -> Option<Ty> {
        self.expr(dot.checked_sub(1)?, 0).map(|(ty, _)| ty)
    }

    /// The type of the expression that ends at `toks[end]`, and where it starts.
    fn expr(&self, end: usize, depth: usize) -> Option<(Ty, usize)> {
        if depth > 8 {
            return None;
        }
        let toks = self.toks();
        // A field or a method: one `.` before, not a range's `..`.
        let dot_before =
            |k: usize| k >= 1 && toks[k - 1].0 == Tok::Dot && (k < 2 || toks[k - 2].0 != Tok::Dot);
        match &toks.get(end)?.0 {
            Tok::Other('?') => {
                let (ty, start) = self.expr(end.checked_sub(1)?, depth + 1)?;
                Some((ty.unwrapped()?, start))
            }
            Tok::Other(')') => {
                let open = group_start(toks, end)?;
                let mut k = open.checked_sub(1)?;
                if is(toks, k, '>') {
                    k = angle_start(toks, k)?.checked_sub(1)?; // `::<T>`
                    if toks[k].0 != Tok::Sep {
                        return None;
                    }
                    k = k.checked_sub(1)?;
                }
                let name = word(toks, k)?;
                if dot_before(k) {
                    let (recv, start) = self.expr(k - 2, depth + 1)?;
                    return Some((self.method_return(&recv, name)?, start));
                }
                let (path, start) = path_back(toks, k)?;
                Some((self.call(k, &path)?, start))
            }
            Tok::Close => {
                // A struct literal `Type { .. }`.
                let k = group_start(toks, end)?.checked_sub(1)?;
                let (path, start) = path_back(toks, k)?;
                let capital = path.last()?.starts_with(|c: char| c.is_ascii_uppercase());
                (capital && !dot_before(start)).then_some(())?;
                Some((self.value(k, &path)?, start))
            }
            Tok::Word(w) => {
                if dot_before(end) {
                    let (recv, start) = self.expr(end - 2, depth + 1)?;
                    if w == "await" {
                        return Some((recv, start));
                    }
                    let field = self.known.fields.get(recv.target()?)?.get(w)?;
                    return Some((field.clone(), start));
                }
                let (path, start) = path_back(toks, end)?;
                if path.len() > 1 || w.starts_with(|c: char| c.is_ascii_uppercase()) {
                    return Some((self.value(end, &path)?, start));
                }
                if w == "self" {
                    return Some((Ty::Crate(self.place.own(end)?), end));
                }
                if NOT_BINDINGS.contains(&w.as_str()) {
                    return None;
                }
                Some((self.binding(w, end, depth)?, end))
            }
            _ => None,
        }
    }

    /// The type of the binding `name` that the use at `toks[at]` reads.
    fn binding(&self, name: &str, at: usize, depth: usize) -> Option<Ty> {
        let f = (self.place.fns.iter())
            .filter(|f| f.body.0 < at && at < f.body.1)
            .max_by_key(|f| f.body.0)?;
        match binding(self.toks(), f, at, name)? {
            Binding::Written(k) => self.place.written(k),
            Binding::Init(from, to) => self.whole(from, to, depth),
            Binding::Unwrapped(from, to) => self.whole(from, to, depth)?.unwrapped(),
            Binding::Item(from, to) => self.whole(from, to, depth)?.item(),
            Binding::ItemOf(end, m) => {
                let (recv, _) = self.expr(end, depth + 1)?;
                match recv.deref() {
                    Ty::Items(t) if ITEM_ADAPTERS.contains(&m.as_str()) => Some((**t).clone()),
                    Ty::Maybe(t) if MAYBE_ADAPTERS.contains(&m.as_str()) => Some((**t).clone()),
                    _ => None,
                }
            }
        }
    }

    /// The type of the expression `toks[from..to]` when it is all one the
    /// checks read (behind a `&`, `&mut` or `*`).
    fn whole(&self, from: usize, to: usize, depth: usize) -> Option<Ty> {
        let (ty, start) = self.expr(to.checked_sub(1).filter(|&e| e >= from)?, depth + 1)?;
        let toks = self.toks();
        (from..start)
            .all(|k| is(toks, k, '&') || is(toks, k, '*') || word(toks, k) == Some("mut"))
            .then_some(ty)
    }

    /// What the method `m` called on a value of type `recv` returns.
    fn method_return(&self, recv: &Ty, m: &str) -> Option<Ty> {
        match recv.deref() {
            Ty::Items(_) if SAME_ITEMS.contains(&m) => return Some(recv.deref().clone()),
            Ty::Items(t) if ONE_ITEM.contains(&m) => return Some(Ty::Maybe(t.clone())),
            Ty::Map(t) if matches!(m, "values" | "values_mut" | "into_values") => {
                return Some(Ty::Items(t.clone()));
            }
            Ty::Map(t) if matches!(m, "get" | "get_mut" | "remove") => {
                return Some(Ty::Maybe(t.clone()));
            }
            Ty::Items(_) | Ty::Map(_) => return None,
            _ => (),
        }
        if matches!(m, "unwrap" | "expect")
            && let Some(ty) = recv.unwrapped()
        {
            return Some(ty);
        }
        let mut path = recv.target()?.clone();
        path.push(m.to_string());
        if recv.behind_ptr() && PTR_METHODS.contains(&m) {
            return (m == "clone").then(|| recv.clone());
        }
        if let Some(ty) = self.known.returns.get(&path) {
            return Some(ty.clone());
        }
        matches!(m, "clone" | "to_owned").then(|| recv.clone())
    }

    /// What the call of the function (or constructor) `path` written at
    /// `toks[at]` returns: its written return type, or its type for a tuple
    /// struct's constructor, `Type::default()` and `Type::from(..)`.
    fn call(&self, at: usize, path: &[String]) -> Option<Ty> {
        if let [name] = path
            && (self.place.fns.iter())
                .filter(|f| f.body.0 < at && at < f.body.1)
                .any(|f| shadowed(self.toks(), f, at, name))
        {
            return None; // a local closure's call
        }
        let target = self.place.crate_type(at, path)?;
        if let Some(ty) = self.known.returns.get(&target) {
            return Some(ty.clone());
        }
        if let Some((name, ty)) = target.split_last()
            && matches!(name.as_str(), "default" | "from")
            && self.known.types.contains(ty)
        {
            return Some(Ty::Crate(ty.to_vec()));
        }
        self.value(at, path)
    }

    /// The type `path` written at `toks[at]` is as a value (a unit or tuple
    /// struct, a struct literal's path), when it is one of the crate's types.
    fn value(&self, at: usize, path: &[String]) -> Option<Ty> {
        let ty = self.place.crate_type(at, path)?;
        self.known.types.contains(&ty).then_some(Ty::Crate(ty))
    }
}

/// The path ending with the word at `toks[k]` (`a::B::<T>::c`, generic arguments
/// left out), and the token it starts at; `None` for one that starts with a
/// `<T as Trait>`.
fn path_back(toks: &[(Tok, usize)], k: usize) -> Option<(Vec<String>, usize)> {
    let mut path = vec![word(toks, k)?.to_string()];
    let mut j = k;
    while j >= 2 && toks[j - 1].0 == Tok::Sep {
        let mut before = j - 2;
        if is(toks, before, '>') {
            let open = angle_start(toks, before)?;
            if open < 2 || toks[open - 1].0 != Tok::Sep {
                return None;
            }
            before = open - 2;
        }
        path.push(word(toks, before)?.to_string());
        j = before;
    }
    path.reverse();
    Some((path, j))
}

/// The token opening the group that `toks[close]` closes.
fn group_start(toks: &[(Tok, usize)], close: usize) -> Option<usize> {
    let mut depth = 0;
    for k in (0..=close).rev() {
        let t = &toks[k].0;
        if closes(t) {
            depth += 1;
        } else if opens(t) {
            depth -= 1;
            if depth == 0 {
                return Some(k);
            }
        }
    }
    None
}

/// The `<` opening the generic arguments that the `>` at `toks[close]` closes.
fn angle_start(toks: &[(Tok, usize)], close: usize) -> Option<usize> {
    let mut depth = 0;
    for k in (0..=close).rev() {
        match &toks[k].0 {
            Tok::Other('>') if k == 0 || !is(toks, k - 1, '-') => depth += 1,
            Tok::Other('<') => {
                depth -= 1;
                if depth == 0 {
                    return Some(k);
                }
            }
            Tok::Open | Tok::Close | Tok::Semi => return None,
            _ => (),
        }
    }
    None
}
