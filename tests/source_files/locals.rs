//! The bare names a file may use without a path: what it binds itself, so a bare
//! name it uses is not taken for one a glob brings in (`paths` reads them).

use std::collections::BTreeSet;

use super::tokens::Tok;

/// Rust's keywords and the names no glob can bring in.
#[rustfmt::skip]
const KEYWORDS: &[&str] = &[
    "as", "async", "await", "break", "const", "continue", "crate", "dyn", "else", "enum",
    "extern", "false", "fn", "for", "if", "impl", "in", "let", "loop", "match", "mod", "move",
    "mut", "pub", "ref", "return", "self", "Self", "static", "struct", "super", "trait",
    "true", "type", "unsafe", "use", "where", "while", "union", "macro_rules", "yield", "_",
];

/// The words that open an item's name.
pub const ITEMS: &[&str] = &[
    "fn", "struct", "enum", "trait", "type", "const", "static", "union", "mod",
];

/// The word at `toks[i]`, if it is one.
pub fn word(toks: &[(Tok, usize)], i: usize) -> Option<&str> {
    match toks.get(i) {
        Some((Tok::Word(w), _)) => Some(w.as_str()),
        _ => None,
    }
}

/// Whether `toks[i]` is the character `ch`.
pub fn is(toks: &[(Tok, usize)], i: usize, ch: char) -> bool {
    toks.get(i).is_some_and(|t| t.0 == Tok::Other(ch))
}

/// Whether the word at `i` is a bare name that could come from elsewhere: not a
/// keyword, not a segment of a path, a field or a method, not a macro's `$var`, and
/// named like an item (a capital, a call `f(..)` or a macro `m!(..)`).
pub fn bare_at(toks: &[(Tok, usize)], i: usize) -> bool {
    let Some(w) = word(toks, i) else {
        return false;
    };
    let prev = i.checked_sub(1).map(|p| &toks[p].0);
    if KEYWORDS.contains(&w)
        || matches!(prev, Some(Tok::Sep | Tok::Dot | Tok::Other('$' | '\'')))
        || toks.get(i + 1).is_some_and(|t| t.0 == Tok::Sep)
    {
        return false;
    }
    let called = is(toks, i + 1, '(');
    let macro_call = is(toks, i + 1, '!')
        && (is(toks, i + 2, '(')
            || is(toks, i + 2, '[')
            || matches!(toks.get(i + 2), Some((Tok::Open, _))));
    w.starts_with(|c: char| c.is_ascii_uppercase()) || called || macro_call
}

/// The names a file binds itself, at any depth: items (`fn`, `struct`, ..,
/// `macro_rules!`), enum variants, generic parameters, `let`, `for` and closure
/// bindings, and names before a single `:` (parameters, fields, `$x:ident`).
pub fn local_names(toks: &[(Tok, usize)]) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut add = |name: Option<&str>| {
        if let Some(n) = name.filter(|n| !KEYWORDS.contains(n)) {
            out.insert(n.to_string());
        }
    };
    for i in 0..toks.len() {
        match word(toks, i) {
            Some(w) if ITEMS.contains(&w) => {
                add(word(toks, i + 1));
                if is(toks, i + 2, '<') {
                    generics(toks, i + 2, &mut add);
                }
                if w == "enum" {
                    variants(toks, i + 2, &mut add);
                }
            }
            Some("impl") if is(toks, i + 1, '<') => generics(toks, i + 1, &mut add),
            Some("macro_rules") => add(word(toks, i + 2)),
            Some("let") => add(word(toks, i + 1)
                .filter(|w| *w != "mut")
                .or(word(toks, i + 2))),
            Some("for") if word(toks, i + 2) == Some("in") => add(word(toks, i + 1)),
            Some(w) => {
                let colon = is(toks, i + 1, ':') && !is(toks, i + 2, ':');
                if colon || is(toks, i.wrapping_sub(1), '|') {
                    add(Some(w));
                }
            }
            None => (),
        }
    }
    out
}

/// The parameters of the generic list opening at `toks[open]` (`<`): each word
/// first at its depth or after a `,` (lifetimes and `const` skipped).
pub fn generics(toks: &[(Tok, usize)], open: usize, add: &mut impl FnMut(Option<&str>)) {
    let (mut depth, mut start) = (0, false);
    for i in open..toks.len() {
        match &toks[i].0 {
            Tok::Other('<') => {
                depth += 1;
                start = depth == 1;
            }
            Tok::Other('>') if !is(toks, i.wrapping_sub(1), '-') => {
                depth -= 1;
                if depth == 0 {
                    return;
                }
            }
            Tok::Comma => start = depth == 1,
            Tok::Word(w) if w == "const" => (),
            Tok::Word(w) => {
                if start && !is(toks, i.wrapping_sub(1), '\'') {
                    add(Some(w));
                }
                start = false;
            }
            Tok::Other('\'') => (),
            Tok::Open | Tok::Semi => return,
            _ => start = false,
        }
    }
}

/// The variants of the enum whose body opens at or after `toks[from]`: the words
/// first in the body or after a `,` or an attribute's `]`, at the body's depth.
fn variants(toks: &[(Tok, usize)], from: usize, add: &mut impl FnMut(Option<&str>)) {
    let Some(open) = (from..toks.len()).find(|&i| matches!(toks[i].0, Tok::Open | Tok::Semi))
    else {
        return;
    };
    if toks[open].0 != Tok::Open {
        return;
    }
    let mut depth = 0;
    for i in open..toks.len() {
        match &toks[i].0 {
            Tok::Open | Tok::Other('(' | '[') => depth += 1,
            Tok::Close | Tok::Other(')' | ']') => {
                depth -= 1;
                if depth == 0 {
                    return;
                }
            }
            Tok::Word(w) if depth == 1 => {
                let prev = &toks[i - 1].0;
                if matches!(prev, Tok::Open | Tok::Comma | Tok::Other(']')) {
                    add(Some(w));
                }
            }
            _ => (),
        }
    }
}
