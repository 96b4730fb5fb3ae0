//! Types as the source writes them (`&'a Arc<Store>`, `Result<Self, E>`) and as
//! the checks resolve them (methods.rs): one of the crate's types, maybe behind a
//! pointer that derefs to it (`Box`, `Arc`, `Rc`, a lock's guard; a reference is
//! its target) or
//! inside an `Option` or a `Result` (its value after `?`, `.unwrap()`).

use super::super::paths::locals::{is, word};
use super::super::paths::{Tok, closes, group_end, opens};

/// A type as written: its path (`Self`, `store::Store`, `Arc`) and its generic
/// arguments (`Arc<Store>` has `Store`); lifetimes, `&` and `mut` left out.
#[derive(Debug, Clone, PartialEq)]
pub struct Spelled {
    pub path: Vec<String>,
    pub args: Vec<Spelled>,
}

/// The type written at `toks[at]` (a slice or an array as `[]`, its item its
/// argument); `None` for a trait object, an `impl Trait`, a tuple or a `fn`.
pub fn spelled(toks: &[(Tok, usize)], at: usize) -> Option<Spelled> {
    let mut at = at;
    spelled_from(toks, &mut at)
}

fn spelled_from(toks: &[(Tok, usize)], at: &mut usize) -> Option<Spelled> {
    loop {
        match toks.get(*at).map(|t| &t.0) {
            Some(Tok::Other('&')) => *at += 1,
            Some(Tok::Other('\'')) => *at += 2,
            Some(Tok::Word(w)) if w == "mut" => *at += 1,
            _ => break,
        }
    }
    if is(toks, *at, '[') {
        // A slice `[T]` or an array `[T; N]`.
        let close = group_end(toks, *at);
        let inner = spelled_from(toks, &mut (*at + 1));
        *at = close + 1;
        return Some(Spelled {
            path: vec!["[]".to_string()],
            args: inner.into_iter().collect(),
        });
    }
    let (mut path, mut args) = (Vec::new(), Vec::new());
    while let Some(w) = word(toks, *at) {
        if matches!(w, "dyn" | "impl" | "fn") {
            return None;
        }
        path.push(w.to_string());
        *at += 1;
        if is(toks, *at, '<') {
            args = generic_args(toks, at);
        }
        if toks.get(*at).map(|t| &t.0) != Some(&Tok::Sep) || word(toks, *at + 1).is_none() {
            break;
        }
        *at += 1;
    }
    (!path.is_empty()).then_some(Spelled { path, args })
}

/// The types of the generic arguments opening at `toks[*at]` (`<`), leaving `*at`
/// after the closing `>`; lifetimes, bindings (`Item = T`) and what cannot be read
/// are left out.
fn generic_args(toks: &[(Tok, usize)], at: &mut usize) -> Vec<Spelled> {
    let mut out = Vec::new();
    *at += 1;
    loop {
        let start = *at;
        let skip_binding = word(toks, start).is_some() && is(toks, start + 1, '=');
        let lifetime = is(toks, start, '\'');
        if !skip_binding
            && !lifetime
            && let Some(t) = spelled_from(toks, &mut start.clone())
        {
            out.push(t);
        }
        // On to the `,` or `>` that ends this argument.
        let mut depth = 0;
        while let Some((t, _)) = toks.get(*at) {
            let arrow = *at > 0 && is(toks, *at - 1, '-');
            match t {
                Tok::Other('<') => depth += 1,
                Tok::Other('>') if !arrow && depth == 0 => {
                    *at += 1;
                    return out;
                }
                Tok::Other('>') if !arrow => depth -= 1,
                Tok::Comma if depth == 0 => break,
                t if opens(t) => *at = group_end(toks, *at),
                t if closes(t) || *t == Tok::Semi => return out,
                _ => (),
            }
            *at += 1;
        }
        if toks.get(*at).is_none() {
            return out;
        }
        *at += 1; // the `,`
    }
}

/// A type the checks know: one of the crate's, behind a pointer, or maybe there.
#[derive(Debug, Clone, PartialEq)]
pub enum Ty {
    /// One of the crate's types: its defining crate path.
    Crate(Vec<String>),
    /// `Box<T>`, `Arc<T>`, `Rc<T>`, `Cow<T>` and the guards (`Ref<T>`,
    /// `MutexGuard<T>`, `RwLockReadGuard<T>`, ..): a method call or a field read
    /// reaches `T`.
    Ptr(Box<Ty>),
    /// `Option<T>`, `Result<T, E>`: `T` after `?`, `.unwrap()` or `.expect(..)`.
    Maybe(Box<Ty>),
    /// A collection of `T` (`Vec`, `VecDeque`, a set, a slice, an array) or an
    /// iterator over them: a `for` or an adapter's closure (`.map(|t| ..)`) gets `T`.
    Items(Box<Ty>),
    /// A map (`HashMap`, `BTreeMap`) whose values are `T`.
    Map(Box<Ty>),
}

impl Ty {
    /// The crate type a method call or a field read on a value of this type
    /// reaches (through pointers); `None` inside an `Option` or a `Result`.
    pub fn target(&self) -> Option<&Vec<String>> {
        match self.deref() {
            Ty::Crate(p) => Some(p),
            _ => None,
        }
    }

    /// What it derefs to: itself but for a pointer, the pointer's target.
    pub fn deref(&self) -> &Ty {
        match self {
            Ty::Ptr(t) => t.deref(),
            t => t,
        }
    }

    /// An item of a collection or an iterator (`Vec<T>`, `[T]`, `map.values()`),
    /// what a `for` over it binds.
    pub fn item(&self) -> Option<Ty> {
        match self.deref() {
            Ty::Items(t) => Some((**t).clone()),
            _ => None,
        }
    }

    /// Whether a method call on it goes through a pointer first (where the
    /// pointer's own methods, `clone`, `as_ref`, .., come before the target's).
    pub fn behind_ptr(&self) -> bool {
        matches!(self, Ty::Ptr(_))
    }

    /// The value `?` takes out of an `Option` or a `Result`.
    pub fn unwrapped(&self) -> Option<Ty> {
        match self {
            Ty::Maybe(t) => Some((**t).clone()),
            _ => None,
        }
    }
}

/// What `s` stands for; `crate_type` takes a written path to the crate type it
/// names (`Self` too), `None` for std's, a generic's, an unknown one.
pub fn resolved(s: &Spelled, crate_type: &dyn Fn(&[String]) -> Option<Vec<String>>) -> Option<Ty> {
    let inner = || {
        let arg = s.args.first()?;
        resolved(arg, crate_type).map(Box::new)
    };
    match s.path.last()?.as_str() {
        "Box" | "Arc" | "Rc" | "Cow" | "Ref" | "RefMut" | "MutexGuard" | "RwLockReadGuard"
        | "RwLockWriteGuard" => Some(Ty::Ptr(inner()?)),
        "Option" | "Result" => Some(Ty::Maybe(inner()?)),
        "Vec" | "VecDeque" | "HashSet" | "BTreeSet" | "BinaryHeap" | "[]" => {
            Some(Ty::Items(inner()?))
        }
        "HashMap" | "BTreeMap" => {
            let value = resolved(s.args.get(1)?, crate_type)?;
            Some(Ty::Map(Box::new(value)))
        }
        _ => crate_type(&s.path).map(Ty::Crate),
    }
}

/// The token a `fn`'s written return type starts at (after `->`), the `fn`
/// keyword at `toks[at]`; `None` when it returns `()`.
pub fn return_at(toks: &[(Tok, usize)], at: usize) -> Option<usize> {
    let mut k = at + 2;
    let mut angle = 0;
    loop {
        match &toks.get(k)?.0 {
            Tok::Other('<') => angle += 1,
            Tok::Other('>') if !is(toks, k - 1, '-') => angle -= 1,
            Tok::Other('(') if angle == 0 => break,
            Tok::Open | Tok::Semi => return None,
            _ => (),
        }
        k += 1;
    }
    let close = group_end(toks, k);
    (is(toks, close + 1, '-') && is(toks, close + 2, '>')).then_some(close + 3)
}

/// The fields of the struct whose name is at `toks[at]` (after `struct`): each
/// name (`0`, `1`, .. for a tuple struct) and the token its type starts at.
pub fn fields(toks: &[(Tok, usize)], at: usize) -> Vec<(String, usize)> {
    let Some(open) = (at + 1..toks.len())
        .find(|&k| matches!(toks[k].0, Tok::Open | Tok::Semi) || is(toks, k, '('))
    else {
        return Vec::new();
    };
    if toks[open].0 == Tok::Semi {
        return Vec::new();
    }
    let close = group_end(toks, open);
    let tuple = is(toks, open, '(');
    let mut out = Vec::new();
    let (mut depth, mut start) = (0, true);
    let mut k = open + 1;
    while k < close {
        let t = &toks[k].0;
        if depth == 0 && start {
            if is(toks, k, '#') {
                k = group_end(toks, k + 1) + 1; // an attribute
                continue;
            }
            if word(toks, k) == Some("pub") {
                k += 1;
                if is(toks, k, '(') {
                    k = group_end(toks, k) + 1; // `pub(crate)`
                }
                continue;
            }
            if tuple {
                out.push((out.len().to_string(), k));
            } else if let Some(w) = word(toks, k)
                && is(toks, k + 1, ':')
                && !is(toks, k + 2, ':')
            {
                out.push((w.to_string(), k + 2));
            }
            start = false;
        }
        if opens(t) || is(toks, k, '<') {
            depth += 1;
        } else if closes(t) || (is(toks, k, '>') && !is(toks, k - 1, '-')) {
            depth -= 1;
        } else if depth == 0 && *t == Tok::Comma {
            start = true;
        }
        k += 1;
    }
    out
}
