//! Where a binding that a method call's receiver reads gets its type, where the
//! source says it without a compiler (typing.rs reads the type): a parameter
//! `x: &Type`, a `let x: Type`, a closure's `|x: Type|`, a `let x = <expr>`, and
//! what `if let Some(x) = <expr>` (or `Ok(x)`, `while let`, `let .. else`) takes
//! out of its expression.
//!
//! The binding found is the nearest one before the use whose scope holds it: a
//! `let` whose block is still open (and whose own initializer the use is not
//! in), an `if let` whose block holds the use, a closure whose body does, else a
//! parameter of the function around the use. Any other use of the name in between
//! that may bind it again (a pattern: `Some(x)` in a `match`, `|x|`, `for x`,
//! `x @`, a match arm `x =>`, a struct field `x:` or shorthand) leaves the type
//! unknown, so a wrong type is never taken.

use super::super::paths::locals::{is, word};
use super::super::paths::{Tok, closes, group_end, opens};

/// Where a binding's type comes from.
#[derive(Debug, PartialEq)]
pub enum Binding {
    /// Written, starting at this token (`x: Type`, `let x: Type`, `|x: Type|`).
    Written(usize),
    /// `let x = <expr>;`: the expression's tokens (`from..to`).
    Init(usize, usize),
    /// `if let Some(x) = <expr>` and the like: what `?` takes out of the
    /// expression's value (`from..to`).
    Unwrapped(usize, usize),
    /// `for x in <expr>`: an item of the expression's value (`from..to`).
    Item(usize, usize),
    /// `<recv>.m(|x| ..)`: what the adapter `m` (`map`, `filter`, ..) hands its
    /// closure, the receiver ending at this token.
    ItemOf(usize, String),
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
        let Some(po) = params_at(toks, i + 2) else {
            continue;
        };
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

/// The `(` opening the parameters of a `fn` whose generics (if any) start at
/// `toks[at]`: the first one outside `<..>` (`fn f<F: Fn(u8)>(f: F)`).
fn params_at(toks: &[(Tok, usize)], at: usize) -> Option<usize> {
    let mut angle = 0;
    for k in at..toks.len() {
        match &toks[k].0 {
            Tok::Other('<') => angle += 1,
            Tok::Other('>') if !is(toks, k - 1, '-') => angle -= 1,
            Tok::Other('(') if angle == 0 => return Some(k),
            Tok::Open | Tok::Semi => return None,
            _ => (),
        }
    }
    None
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
    /// `let x: Type` (the type's first token) or `let x = <expr>` (its tokens),
    /// and the `;` ending the statement.
    Let {
        ty: Option<usize>,
        init: Option<(usize, usize)>,
        end: usize,
    },
    /// `if let Some(x) = <expr> { .. }` (or `Ok(x)`, `while let`): the
    /// expression's tokens and the block's braces.
    IfLet {
        expr: (usize, usize),
        block: (usize, usize),
    },
    /// `let Some(x) = <expr> else { .. };`: the expression's tokens and the last
    /// token of the statement.
    LetElse { expr: (usize, usize), end: usize },
    /// A closure's `|x: Type|`: the type's first token and the closing `|`.
    Closure { ty: usize, close: usize },
    /// `for x in <expr> { .. }`: the expression's tokens and the body's braces.
    For {
        expr: (usize, usize),
        body: (usize, usize),
    },
    /// `<recv>.m(|x| ..)`: the token ending the receiver, `m`, the closing `|`.
    Adapter {
        recv: usize,
        method: String,
        close: usize,
    },
    /// A binding or maybe one (a pattern).
    Binds,
    /// A use of the value bound before.
    Reads,
}

/// The first token from `toks[from]` on, at the depth of `from`, that `stop`
/// accepts (`Ok`), or the one closing the group around `from` if it comes first
/// (`Err`; the end when none does).
fn at_depth(
    toks: &[(Tok, usize)],
    from: usize,
    stop: impl std::ops::Fn(&Tok) -> bool,
) -> Result<usize, usize> {
    let mut depth = 0;
    for (k, (t, _)) in toks.iter().enumerate().skip(from) {
        if depth == 0 && stop(t) {
            return Ok(k);
        }
        if opens(t) {
            depth += 1;
        } else if closes(t) {
            depth -= 1;
            if depth < 0 {
                return Err(k);
            }
        }
    }
    Err(toks.len())
}

/// Whether `toks[k]` is a lone `=` (not `==`, `=>`, `<=`, ..).
fn assigns(toks: &[(Tok, usize)], k: usize) -> bool {
    is(toks, k, '=')
        && !is(toks, k + 1, '=')
        && !is(toks, k + 1, '>')
        && !toks
            .get(k - 1)
            .is_some_and(|t| matches!(t.0, Tok::Other('=' | '<' | '>' | '!')))
}

/// `let x: Type`, `let x = ..`, `if let Some(x) = ..`, `let Ok(x) = .. else`: what
/// the `let` binding the name at `toks[j]` is.
fn let_at(toks: &[(Tok, usize)], j: usize) -> Option<Use> {
    let after_let = word(toks, j.wrapping_sub(1)) == Some("let")
        || (word(toks, j.wrapping_sub(1)) == Some("mut")
            && word(toks, j.wrapping_sub(2)) == Some("let"));
    if after_let {
        let end = at_depth(toks, j, |t| *t == Tok::Semi).ok()?;
        if is(toks, j + 1, ':') && !is(toks, j + 2, ':') {
            return Some(Use::Let {
                ty: Some(j + 2),
                init: None,
                end,
            });
        }
        return assigns(toks, j + 1).then_some(Use::Let {
            ty: None,
            init: Some((j + 2, end)),
            end,
        });
    }
    let unwraps = is(toks, j.wrapping_sub(1), '(')
        && matches!(word(toks, j.wrapping_sub(2)), Some("Some" | "Ok"))
        && word(toks, j.wrapping_sub(3)) == Some("let")
        && is(toks, j + 1, ')')
        && assigns(toks, j + 2);
    if !unwraps {
        return None;
    }
    let from = j + 3;
    if matches!(word(toks, j.wrapping_sub(4)), Some("if" | "while")) {
        let open = at_depth(toks, from, |t| *t == Tok::Open).ok()?;
        return Some(Use::IfLet {
            expr: (from, open),
            block: (open, group_end(toks, open)),
        });
    }
    let to = at_depth(toks, from, |t| {
        *t == Tok::Semi || *t == Tok::Word("else".to_string())
    })
    .ok()?;
    let end = match toks[to].0 {
        Tok::Semi => to,
        _ => group_end(toks, to + 1),
    };
    Some(Use::LetElse {
        expr: (from, to),
        end,
    })
}

/// The closing `|` of the closure whose parameter `x: Type` the name at
/// `toks[j]` is, when it is one.
fn closure_param(toks: &[(Tok, usize)], j: usize) -> Option<usize> {
    if !is(toks, j + 1, ':') || is(toks, j + 2, ':') {
        return None;
    }
    // Back to the opening `|` over earlier parameters (`|a, b: u8, x: Type|`).
    let mut k = j.checked_sub(1)?;
    loop {
        match &toks[k].0 {
            Tok::Other('|') => break,
            Tok::Word(_) | Tok::Comma | Tok::Sep => (),
            Tok::Other(':' | '&' | '<' | '>' | '\'' | '(' | ')') => (),
            _ => return None,
        }
        k = k.checked_sub(1)?;
    }
    let mut depth = 0;
    for (k, (t, _)) in toks.iter().enumerate().skip(j + 2) {
        match t {
            Tok::Other('|') if depth == 0 => return Some(k),
            Tok::Other('<' | '(' | '[') => depth += 1,
            Tok::Other('>') if !is(toks, k - 1, '-') => depth -= 1,
            Tok::Other(')' | ']') => depth -= 1,
            Tok::Open | Tok::Close | Tok::Semi => return None,
            _ => (),
        }
    }
    None
}

/// Whether the body of the closure whose parameters close at `toks[close]` holds
/// `toks[at]`: no `,` or `;` of the closure's own depth, nor the end of the group
/// around it, in between.
fn in_closure(toks: &[(Tok, usize)], close: usize, at: usize) -> bool {
    let (Ok(end) | Err(end)) = at_depth(toks, close + 1, |t| matches!(t, Tok::Comma | Tok::Semi));
    at < end
}

fn use_at(toks: &[(Tok, usize)], j: usize) -> Use {
    let prev = j.checked_sub(1).map(|p| &toks[p].0);
    if let Some(found) = let_at(toks, j) {
        return found;
    }
    if let Some(close) = closure_param(toks, j) {
        return Use::Closure { ty: j + 2, close };
    }
    let after_for = word(toks, j.wrapping_sub(1)) == Some("for")
        || (word(toks, j.wrapping_sub(1)) == Some("mut")
            && word(toks, j.wrapping_sub(2)) == Some("for"));
    if after_for && word(toks, j + 1) == Some("in") {
        return match at_depth(toks, j + 2, |t| *t == Tok::Open) {
            Ok(open) => Use::For {
                expr: (j + 2, open),
                body: (open, group_end(toks, open)),
            },
            Err(_) => Use::Binds,
        };
    }
    // `recv.m(|x| ..)`: a closure's one parameter, untyped.
    if j >= 5
        && is(toks, j - 1, '|')
        && is(toks, j + 1, '|')
        && is(toks, j - 2, '(')
        && toks[j - 4].0 == Tok::Dot
        && toks[j - 5].0 != Tok::Dot
        && let Some(m) = word(toks, j - 3)
    {
        return Use::Adapter {
            recv: j - 5,
            method: m.to_string(),
            close: j + 1,
        };
    }
    let colon = is(toks, j + 1, ':') && !is(toks, j + 2, ':');
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
    let untyped_param = matches!(prev, Some(Tok::Other('|')))
        && matches!(toks.get(j + 1).map(|t| &t.0), Some(Tok::Comma));
    if pattern_word || next_binds || untyped_param || matches!(prev, Some(Tok::Other('@'))) {
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

/// Where the binding of `name` that the use at `toks[at]` (in `f`'s body) reads
/// gets its type, if anywhere.
pub fn binding(toks: &[(Tok, usize)], f: &Fn, at: usize, name: &str) -> Option<Binding> {
    for j in (f.body.0 + 1..at).rev() {
        if word(toks, j) != Some(name) || matches!(toks[j - 1].0, Tok::Dot | Tok::Sep) {
            continue;
        }
        // A pattern may bind it again, even one whose braces closed since
        // (`let Pair { t, .. } = x;`): the type is not known. A binding whose
        // scope does not hold the use is passed.
        match use_at(toks, j) {
            Use::Reads => (),
            Use::Let { end, .. } if at <= end || !still_open(toks, j, at) => (),
            Use::Let { ty: Some(ty), .. } => return Some(Binding::Written(ty)),
            Use::Let {
                init: Some((from, to)),
                ..
            } => return Some(Binding::Init(from, to)),
            Use::Let { .. } => return None,
            Use::IfLet { expr, block } => {
                if block.0 < at && at < block.1 {
                    return Some(Binding::Unwrapped(expr.0, expr.1));
                }
            }
            Use::LetElse { expr, end } => {
                if at > end && still_open(toks, j, at) {
                    return Some(Binding::Unwrapped(expr.0, expr.1));
                }
            }
            Use::Closure { ty, close } => {
                if at > close && in_closure(toks, close, at) {
                    return Some(Binding::Written(ty));
                }
            }
            Use::For { expr, body } => {
                if body.0 < at && at < body.1 {
                    return Some(Binding::Item(expr.0, expr.1));
                }
            }
            Use::Adapter {
                recv,
                method,
                close,
            } => {
                if at > close && in_closure(toks, close, at) {
                    return Some(Binding::ItemOf(recv, method));
                }
            }
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
            return Some(Binding::Written(k + 2));
        }
    }
    None
}

/// Whether `f` binds `name` as a local (a `let`, a parameter, a pattern, a
/// closure's parameter) before `toks[at]`: a call `name(..)` there may call that
/// local, not the item of that name.
pub fn shadowed(toks: &[(Tok, usize)], f: &Fn, at: usize, name: &str) -> bool {
    let binds = |j: usize| {
        word(toks, j) == Some(name)
            && !matches!(toks[j - 1].0, Tok::Dot | Tok::Sep)
            && !is(toks, j + 1, '(')
            && !in_use(toks, j)
            && !matches!(use_at(toks, j), Use::Reads)
    };
    (f.params.0 + 1..at.min(f.body.1)).any(binds)
}

/// Whether `toks[j]` is in a `use` (`use a::{b, name};`), which names the item.
fn in_use(toks: &[(Tok, usize)], j: usize) -> bool {
    let mut depth = 0;
    for k in (0..j).rev() {
        match &toks[k].0 {
            Tok::Close => depth += 1,
            Tok::Open if depth > 0 => depth -= 1,
            Tok::Open if k > 0 && toks[k - 1].0 == Tok::Sep => (),
            Tok::Word(w) if depth == 0 && w == "use" => return true,
            Tok::Open | Tok::Semi => return false,
            _ => (),
        }
    }
    false
}
