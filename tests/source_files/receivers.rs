//! The type of a method call's receiver, where the source says it without a
//! compiler: `self` (and `Self`), a parameter `x: &Type`, a `let x: Type`, and
//! the fields of those (`self.index.get(..)`, a field `index: PeopleIndex`), so a
//! method whose name std uses too (`get`, `len`) is still followed when the
//! receiver is one of the crate's types (methods.rs).
//!
//! The binding found is the nearest one before the call: a `let` whose block is
//! still open, else a parameter of the function around the call. Any other use of
//! the name in between that may bind it again (a pattern: `Some(x)`, `|x|`,
//! `for x`, `x @`, a match arm `x =>`, a struct field `x:` or shorthand) leaves
//! the type unknown, so a wrong type is never taken.

use super::super::paths::locals::{is, word};
use super::super::paths::{Tok, closes, group_end, opens};

/// A receiver: a base and the fields read off it (`self.a.b` is `Self_`, `[a, b]`).
#[derive(Debug, PartialEq)]
pub enum Base {
    /// `self`.
    SelfValue,
    /// A binding whose type is written: the type's path (`Self` possible).
    Typed(Vec<String>),
}

/// The receiver of the method call whose `.` is at `dot`, when its type is
/// written somewhere: its base and the fields read off it, in order.
pub fn receiver(toks: &[(Tok, usize)], fns: &[Fn], dot: usize) -> Option<(Base, Vec<String>)> {
    let mut fields = Vec::new();
    let mut j = dot.checked_sub(1)?;
    while j >= 2
        && toks[j - 1].0 == Tok::Dot
        && toks[j - 2].0 != Tok::Dot
        && word(toks, j).is_some()
    {
        fields.push(word(toks, j)?.to_string());
        j -= 2;
    }
    fields.reverse();
    let name = word(toks, j)?;
    if j > 0 && matches!(toks[j - 1].0, Tok::Dot | Tok::Sep) {
        return None;
    }
    if name == "self" {
        return Some((Base::SelfValue, fields));
    }
    if !name.starts_with(|c: char| c.is_ascii_lowercase() || c == '_') {
        return None;
    }
    let f = fns
        .iter()
        .filter(|f| f.body.0 < j && j < f.body.1)
        .max_by_key(|f| f.body.0)?;
    binding_type(toks, f, j, name).map(|t| (Base::Typed(t), fields))
}

/// One function: its parameters' and its body's tokens (the brackets).
#[derive(Debug)]
pub struct Fn {
    pub params: (usize, usize),
    pub body: (usize, usize),
}

/// The functions of a source with a body.
pub fn functions(toks: &[(Tok, usize)]) -> Vec<Fn> {
    let mut out = Vec::new();
    for i in 0..toks.len() {
        if word(toks, i) != Some("fn") || word(toks, i + 1).is_none() {
            continue;
        }
        let Some(po) = (i + 2..toks.len()).find(|&k| is(toks, k, '(') || toks[k].0 == Tok::Semi)
        else {
            continue;
        };
        if !is(toks, po, '(') {
            continue;
        }
        let pc = group_end(toks, po);
        let Some(bo) = (pc..toks.len()).find(|&k| matches!(toks[k].0, Tok::Open | Tok::Semi))
        else {
            continue;
        };
        if toks[bo].0 == Tok::Open {
            out.push(Fn {
                params: (po, pc),
                body: (bo, group_end(toks, bo)),
            });
        }
    }
    out
}

/// The path of the type written at `toks[at]` (`&'a mut Type<T>` is `Type`);
/// `None` for a trait object, an `impl Trait`, a tuple, a slice or a `fn`.
pub fn type_written(toks: &[(Tok, usize)], mut at: usize) -> Option<Vec<String>> {
    loop {
        match toks.get(at).map(|t| &t.0) {
            Some(Tok::Other('&')) => at += 1,
            Some(Tok::Other('\'')) => at += 2,
            Some(Tok::Word(w)) if w == "mut" => at += 1,
            _ => break,
        }
    }
    let mut path = Vec::new();
    while let Some(w) = word(toks, at) {
        if matches!(w, "dyn" | "impl" | "fn") {
            return None;
        }
        path.push(w.to_string());
        if toks.get(at + 1).map(|t| &t.0) != Some(&Tok::Sep) || word(toks, at + 2).is_none() {
            break;
        }
        at += 2;
    }
    (!path.is_empty()).then_some(path)
}

/// Whether the block around `toks[from]` is still open at `to`.
fn still_open(toks: &[(Tok, usize)], from: usize, to: usize) -> bool {
    let mut depth = 0i32;
    for t in &toks[from..to] {
        match t.0 {
            Tok::Open => depth += 1,
            Tok::Close => {
                depth -= 1;
                if depth < 0 {
                    return false;
                }
            }
            _ => (),
        }
    }
    true
}

/// What the use of `name` at `toks[j]` is.
enum Use {
    /// `let x: Type`, the type's first token.
    Typed(usize),
    /// A binding or maybe one (a pattern).
    Binds,
    /// A use of the value bound before.
    Reads,
}

fn use_at(toks: &[(Tok, usize)], j: usize) -> Use {
    let prev = j.checked_sub(1).map(|p| &toks[p].0);
    let after_let = word(toks, j.wrapping_sub(1)) == Some("let")
        || (word(toks, j.wrapping_sub(1)) == Some("mut")
            && word(toks, j.wrapping_sub(2)) == Some("let"));
    let colon = is(toks, j + 1, ':') && !is(toks, j + 2, ':');
    if after_let && colon {
        return Use::Typed(j + 2);
    }
    if toks.get(j + 1).is_some_and(|t| t.0 == Tok::Dot)
        && toks.get(j + 2).is_some_and(|t| t.0 != Tok::Dot)
    {
        return Use::Reads; // `x.field`, `x.m()`, never a pattern
    }
    // `let x`, `for x`, `ref x`, `mut x` (not `&mut x`), `x @`, `|x,`, a match
    // arm `x =>` or `x if`, a closure's `|x|`.
    let borrowed = word(toks, j.wrapping_sub(1)) == Some("mut") && is(toks, j.wrapping_sub(2), '&');
    let pattern_word = !borrowed
        && matches!(
            prev,
            Some(Tok::Word(w)) if matches!(w.as_str(), "let" | "mut" | "ref" | "for")
        );
    let next_binds = colon
        || is(toks, j + 1, '@')
        || is(toks, j + 1, '|')
        || (is(toks, j + 1, '=') && is(toks, j + 2, '>'))
        || word(toks, j + 1) == Some("if");
    let closure_param = matches!(prev, Some(Tok::Other('|')))
        && matches!(toks.get(j + 1).map(|t| &t.0), Some(Tok::Comma));
    if pattern_word || next_binds || closure_param || matches!(prev, Some(Tok::Other('@'))) {
        return Use::Binds;
    }
    // What the use sits in: the nearest open bracket, `=`, `;` or `|` before it.
    let mut depth = 0;
    for k in (j.saturating_sub(200)..j).rev() {
        let t = &toks[k].0;
        if closes(t) {
            depth += 1;
        } else if opens(t) && depth > 0 {
            depth -= 1;
        } else if opens(t) {
            let before = k.checked_sub(1).map(|b| &toks[b].0);
            return match t {
                // A call `f(x)` or a macro `m!(x)`, not a pattern `Some(x)`.
                Tok::Other('(' | '[') => match before {
                    Some(Tok::Other('!')) => Use::Reads,
                    Some(Tok::Word(w))
                        if *t == Tok::Other('(')
                            && w.starts_with(|c: char| c.is_ascii_lowercase())
                            && !matches!(
                                w.as_str(),
                                "let" | "for" | "in" | "match" | "if" | "while"
                            ) =>
                    {
                        Use::Reads
                    }
                    _ => Use::Binds,
                },
                // A block's statement, not a struct's field shorthand.
                _ if matches!(toks.get(j + 1).map(|t| &t.0), Some(Tok::Comma | Tok::Close)) => {
                    Use::Binds
                }
                _ => Use::Reads,
            };
        } else if depth == 0 {
            match t {
                Tok::Semi | Tok::Other('=') => return Use::Reads,
                Tok::Other('|') => return Use::Binds,
                Tok::Word(w) if matches!(w.as_str(), "let" | "for") => return Use::Binds,
                _ => (),
            }
        }
    }
    Use::Binds
}

/// The type written for the binding of `name` that the use at `toks[at]` (in
/// `f`'s body) reads, if any.
fn binding_type(toks: &[(Tok, usize)], f: &Fn, at: usize, name: &str) -> Option<Vec<String>> {
    for j in (f.body.0 + 1..at).rev() {
        if word(toks, j) != Some(name) || matches!(toks[j - 1].0, Tok::Dot | Tok::Sep) {
            continue;
        }
        // A pattern may bind it again, even one whose braces closed since
        // (`let Pair { t, .. } = x;`): the type is not known.
        match use_at(toks, j) {
            Use::Reads => (),
            Use::Typed(_) if !still_open(toks, j, at) => (),
            Use::Typed(ty) => return type_written(toks, ty),
            Use::Binds => return None,
        }
    }
    // A parameter `name: Type` (or `mut name: Type`).
    let (po, pc) = f.params;
    let mut depth = 0;
    for k in po..pc {
        let t = &toks[k].0;
        if opens(t) {
            depth += 1;
        } else if closes(t) {
            depth -= 1;
        } else if depth == 1
            && word(toks, k) == Some(name)
            && (is(toks, k - 1, '(')
                || toks[k - 1].0 == Tok::Comma
                || word(toks, k - 1) == Some("mut"))
            && is(toks, k + 1, ':')
            && !is(toks, k + 2, ':')
        {
            return type_written(toks, k + 2);
        }
    }
    None
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
