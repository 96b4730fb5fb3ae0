//! Where a file's items and `use`s can be seen from: the inline `mod` blocks a
//! token is in, and the visibility (`pub`, `pub(crate)`, `pub(super)`,
//! `pub(in path)`, private) of each item a module declares, so a glob brings in
//! only what the globbing module may name (`paths`, `names` read them).

use std::collections::BTreeMap;

use super::locals::{is, word};
use super::tokens::Tok;

/// The module prefix whose modules (it and its descendants) see what is declared
/// with the visibility written before `toks[at]` (an item's keyword or `use`) in
/// `module`: `[]` for `pub` and `pub(crate)`, the parent for `pub(super)`, the
/// path for `pub(in path)`, `module` itself when private.
pub fn scope_of(toks: &[(Tok, usize)], at: usize, module: &[String]) -> Vec<String> {
    let mut j = at;
    // Qualifiers between the visibility and the keyword (`pub const unsafe fn`,
    // `pub extern "C" fn`, the string a `""`).
    while j > 0
        && (matches!(
            word(toks, j - 1),
            Some("async" | "unsafe" | "const" | "extern" | "default")
        ) || is(toks, j - 1, '"'))
    {
        j -= 1;
    }
    if word(toks, j.wrapping_sub(1)) == Some("pub") {
        return Vec::new();
    }
    if !is(toks, j.wrapping_sub(1), ')') {
        return module.to_vec();
    }
    let Some(open) = (j.saturating_sub(12)..j - 1)
        .rev()
        .find(|&k| is(toks, k, '('))
    else {
        return module.to_vec();
    };
    if open == 0 || word(toks, open - 1) != Some("pub") {
        return module.to_vec();
    }
    let inside: Vec<&str> = (open + 1..j - 1).filter_map(|k| word(toks, k)).collect();
    let parent = || module[..module.len().saturating_sub(1)].to_vec();
    match inside.as_slice() {
        ["crate"] => Vec::new(),
        ["super"] => parent(),
        ["self"] => module.to_vec(),
        ["in", "crate", rest @ ..] => rest.iter().map(|s| s.to_string()).collect(),
        ["in", "self", rest @ ..] => {
            let mut m = module.to_vec();
            m.extend(rest.iter().map(|s| s.to_string()));
            m
        }
        ["in", "super", rest @ ..] => {
            let mut m = parent();
            m.extend(rest.iter().map(|s| s.to_string()));
            m
        }
        _ => Vec::new(),
    }
}

/// The inline `mod name { .. }` blocks of a file whose module is `module`: each
/// block's module path and the tokens of its body (its braces).
pub fn inline_mods(toks: &[(Tok, usize)], module: &[String]) -> Vec<(Vec<String>, (usize, usize))> {
    let mut out = Vec::new();
    let mut open: Vec<(Vec<String>, usize, usize)> = Vec::new(); // module, start, depth
    let mut depth = 0;
    for i in 0..toks.len() {
        match &toks[i].0 {
            Tok::Open => {
                depth += 1;
                if i >= 2
                    && word(toks, i - 2) == Some("mod")
                    && let Some(name) = word(toks, i - 1)
                {
                    let mut m = open.last().map_or_else(|| module.to_vec(), |o| o.0.clone());
                    m.push(name.to_string());
                    open.push((m, i, depth));
                }
            }
            Tok::Close => {
                if open.last().is_some_and(|o| o.2 == depth) {
                    let (m, start, _) = open.pop().unwrap();
                    out.push((m, (start, i)));
                }
                depth -= 1;
            }
            _ => (),
        }
    }
    out
}

/// The module the token `i` is written in: the innermost inline block around it,
/// or the file's `module`.
pub fn module_at(
    mods: &[(Vec<String>, (usize, usize))],
    module: &[String],
    i: usize,
) -> Vec<String> {
    (mods.iter())
        .filter(|(_, (from, to))| (*from..*to).contains(&i))
        .max_by_key(|(m, _)| m.len())
        .map_or_else(|| module.to_vec(), |(m, _)| m.clone())
}

/// Whether each token sits directly in a module (every brace around it a `mod`'s,
/// a `macro_rules!` body or one of its transcribers `=> { .. }`: what they
/// declare is the module's), not in a function, an `impl` or a trait; `mods` are
/// the file's inline `mod` blocks.
pub fn module_level(toks: &[(Tok, usize)], mods: &[(Vec<String>, (usize, usize))]) -> Vec<bool> {
    let mut in_module = vec![true; toks.len()];
    let mut stack: Vec<bool> = Vec::new();
    for i in 0..toks.len() {
        in_module[i] = stack.iter().all(|m| *m);
        match &toks[i].0 {
            Tok::Open => stack.push(
                mods.iter().any(|(_, (from, _))| *from == i)
                    || (i >= 3 && word(toks, i - 3) == Some("macro_rules"))
                    || (i >= 2
                        && is(toks, i - 1, '>')
                        && is(toks, i - 2, '=')
                        && stack.last() == Some(&true)),
            ),
            Tok::Close => {
                stack.pop();
            }
            _ => (),
        }
    }
    in_module
}

/// Where one item is declared, and the prefix of the modules that see it.
#[derive(Debug, Clone, PartialEq)]
pub struct Item {
    pub module: Vec<String>,
    pub seen_from: Vec<String>,
}

/// The items a file declares in its modules (its own, its inline `mod` blocks'),
/// or in the bodies of its `macro_rules!` (made where the macro is invoked), not
/// those inside functions, `impl`s or traits (no path names those): by name,
/// where each is declared and seen from.
pub fn module_items(toks: &[(Tok, usize)], module: &[String]) -> BTreeMap<String, Vec<Item>> {
    let mods = inline_mods(toks, module);
    let in_module = module_level(toks, &mods);
    let mut out: BTreeMap<String, Vec<Item>> = BTreeMap::new();
    for (i, inside) in in_module.into_iter().enumerate() {
        let Some(w) = word(toks, i) else { continue };
        if !inside || !super::locals::ITEMS.contains(&w) {
            continue;
        }
        let Some(name) = word(toks, i + 1).filter(|n| *n != "fn") else {
            continue; // `const fn`: the `fn` names it
        };
        let at = module_at(&mods, module, i);
        out.entry(name.to_string()).or_default().push(Item {
            seen_from: scope_of(toks, i, &at),
            module: at,
        });
    }
    out
}
