//! The paths a source file writes into the crate, found without comments and string
//! literals, and resolved to the module they name. Shared by tests/layers.rs and
//! tests/circles.rs.
//!
//! Every path counts: `use` trees (groups, `self`, `as`, globs), inline paths that
//! start with `crate::`, `super::` or `self::`, and inline or `use` paths that start
//! with a name (`update::foo()`, `use kid::X`). A name is looked up in the module it
//! is written in (its own file's, or an inline `mod` block's), as Rust does: a `mod`
//! declared there, or a name a `use` there brings in (followed through further
//! `use`s). A name found in neither may come from a module that module globs
//! (`use super::*;`): [`resolve_with`] takes it into the first globbed module that
//! has it (a child module, an item, an imported name). A name that stands for something outside the
//! crate (`use std::sync;`, `serde::Deserialize`) is no path into the crate.
//!
//! A bare name (a capital, a call `f(..)`, a macro `m!(..)`) that its module
//! neither declares nor imports, nor the file binds itself (locals.rs), is a path
//! of one segment when the module globs something: [`resolve_with`] takes it into
//! the globbed module that has it.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

#[path = "tokens.rs"]
mod tokens;
pub use tokens::{Tok, closes, code_only, group_end, opens, tokens};
#[path = "locals.rs"]
pub mod locals;
#[path = "visible.rs"]
pub mod visible;

/// One path written in the code, as written, with its line.
#[derive(Debug, Clone, PartialEq)]
pub struct Written {
    pub path: Vec<String>,
    pub line: usize,
    /// The module it is written in (`["store", "records", "tests"]`).
    pub module: Vec<String>,
    /// Written in a `pub use` (any `pub(..)` too): a re-export.
    pub reexport: bool,
    /// The prefix of the modules that see what its `use` brings in
    /// (visible.rs: `[]` for `pub`, its module for a private `use`).
    pub seen_from: Vec<String>,
    /// Written as `use path::*`: everything the module names is brought in.
    pub glob: bool,
    /// A bare name (`Shared`, `helper(..)`) its module neither binds nor imports:
    /// one a glob brings in, or none of the crate's.
    pub bare: bool,
    /// For a path that starts with a name (not `crate`, `super`, `self`): the crate
    /// path the name stands for where it is written, when it is one of the crate's.
    pub base: Option<Vec<String>>,
    /// For a path whose first name nothing in its module declares or imports: the
    /// crate paths of the modules that module globs, where the name may come from.
    pub globs: Vec<Vec<String>>,
}

impl Written {
    /// `path` as written in `module`, outside any `use`.
    pub fn at(path: Vec<String>, module: &[String]) -> Written {
        Written {
            path,
            line: 0,
            module: module.to_vec(),
            reexport: false,
            seen_from: module.to_vec(),
            glob: false,
            bare: false,
            base: None,
            globs: Vec::new(),
        }
    }
}

/// One path of a `use` tree: the path, the name it brings in (`as` or its last
/// segment), and whether it ends in `*`.
#[derive(Debug, Clone, PartialEq)]
pub struct UsePath {
    pub path: Vec<String>,
    pub name: Option<String>,
    pub glob: bool,
}

/// Expands a `use` tree starting at `toks[*i]` into its paths (after `prefix`);
/// stops after the tree (at `,`, `}` or `;`).
pub fn use_tree(toks: &[(Tok, usize)], i: &mut usize, prefix: Vec<String>, out: &mut Vec<UsePath>) {
    let mut path = prefix;
    loop {
        match toks.get(*i).map(|t| &t.0) {
            Some(Tok::Word(w)) if w == "as" => {
                let name = match toks.get(*i + 1) {
                    Some((Tok::Word(n), _)) if n != "_" => Some(n.clone()),
                    _ => None,
                };
                *i += 2; // `as name`
                out.push(UsePath {
                    path,
                    name,
                    glob: false,
                });
                return;
            }
            Some(Tok::Word(w)) => {
                // `self` inside a group names the group's prefix itself.
                if w != "self" || path.is_empty() {
                    path.push(w.clone());
                }
                *i += 1;
            }
            Some(Tok::Sep) => *i += 1,
            Some(Tok::Open) => {
                *i += 1;
                loop {
                    match toks.get(*i).map(|t| &t.0) {
                        Some(Tok::Close) => {
                            *i += 1;
                            return;
                        }
                        Some(Tok::Comma) => *i += 1,
                        None => return,
                        _ => use_tree(toks, i, path.clone(), out),
                    }
                }
            }
            _ => {
                // `*`, `,`, `}`, `;` or the end.
                let glob = matches!(toks.get(*i).map(|t| &t.0), Some(Tok::Other('*')));
                if glob {
                    *i += 1; // the `*` of a glob
                }
                if !path.is_empty() {
                    let name = (!glob).then(|| path.last().cloned()).flatten();
                    out.push(UsePath { path, name, glob });
                }
                return;
            }
        }
    }
}

/// What one module (a file's, or an inline `mod` block's) names: its `mod`
/// children, the names its `use`s bring in (with the path written), its globs.
#[derive(Debug, Default)]
pub struct Scope {
    mods: BTreeSet<String>,
    names: BTreeMap<String, Vec<String>>,
    /// The prefix of the modules that see each name a `use` brings in.
    seen_from: BTreeMap<String, Vec<String>>,
    globs: Vec<Vec<String>>,
}

pub type Scopes = BTreeMap<Vec<String>, Scope>;

/// A file read once: its tokens, the paths it writes, the names it imports.
pub struct Parsed {
    pub toks: Vec<(Tok, usize)>,
    /// Every path the file writes (see the module's text), with the module each
    /// is written in.
    pub written: Vec<Written>,
    /// The names its `use`s bring into its modules (its own, its inline `mod`
    /// blocks'), each as the crate path it is reached by (`worker::Envelope`), the
    /// crate path it stands for (`worker::envelope::Envelope`), and whether a
    /// prefix of the modules that see it: a path that reaches a module's name
    /// reaches what the name stands for.
    pub imports: Vec<(Vec<String>, Vec<String>, Vec<String>)>,
    /// What each of its modules declares and imports.
    pub scopes: Scopes,
    /// Its inline `mod` blocks (visible.rs).
    pub mods: Vec<(Vec<String>, (usize, usize))>,
}

/// Reads a file whose module is `module`.
pub fn parse(src: &str, module: &[String]) -> Parsed {
    let toks = tokens(&code_only(src));
    let (written, scopes) = scan(&toks, module);
    Parsed {
        written,
        imports: imports_of(&scopes),
        mods: visible::inline_mods(&toks, module),
        scopes,
        toks,
    }
}

impl Parsed {
    /// A path that starts with a name (`Type`, `kid::Type`), as written in
    /// `module` of this file: its `base` when its module declares or imports the
    /// name, else the modules its module globs (see [`resolve_with`]).
    pub fn written_at(&self, path: Vec<String>, module: &[String]) -> Written {
        let mut w = Written::at(path, module);
        if !matches!(w.path[0].as_str(), "crate" | "super" | "self") {
            based(&mut w, &self.scopes);
        }
        w
    }

    /// Whether `module` of this file declares or imports `name` (a crate's or not).
    pub fn names(&self, module: &[String], name: &str) -> bool {
        (self.scopes.get(module))
            .is_some_and(|s| s.mods.contains(name) || s.names.contains_key(name))
    }
}

fn imports_of(scopes: &Scopes) -> Vec<(Vec<String>, Vec<String>, Vec<String>)> {
    let mut out = Vec::new();
    for (at, scope) in scopes {
        for (name, path) in &scope.names {
            if let Some(to) = absolute(path, at, scopes, 0) {
                let mut from = at.clone();
                from.push(name.clone());
                let seen = scope
                    .seen_from
                    .get(name)
                    .cloned()
                    .unwrap_or_else(|| at.clone());
                out.push((from, to, seen));
            }
        }
    }
    out
}

fn scan(toks: &[(Tok, usize)], module: &[String]) -> (Vec<Written>, Scopes) {
    let word = |i: usize| locals::word(toks, i);
    let locals = locals::local_names(toks);
    let mut out = Vec::new();
    let mut scopes = Scopes::new();
    // Inline `mod name { .. }` blocks: (name, brace depth inside it).
    let mut mods: Vec<(String, usize)> = Vec::new();
    let mut depth = 0;
    let mut i = 0;
    while i < toks.len() {
        let here = || {
            let mut m = module.to_vec();
            m.extend(mods.iter().map(|(n, _)| n.clone()));
            m
        };
        let written = |path, line, reexport, glob| Written {
            line,
            reexport,
            glob,
            ..Written::at(path, &here())
        };
        match &toks[i].0 {
            Tok::Open => depth += 1,
            Tok::Close => {
                if mods.last().is_some_and(|(_, d)| *d == depth) {
                    mods.pop();
                }
                depth -= 1;
            }
            Tok::Word(w) if w == "mod" => match (word(i + 1), toks.get(i + 2)) {
                (Some(name), Some((Tok::Open, _))) => {
                    scopes.entry(here()).or_default().mods.insert(name.into());
                    mods.push((name.to_string(), depth + 1));
                    depth += 1;
                    i += 3;
                    continue;
                }
                (Some(name), Some((Tok::Semi, _))) => {
                    scopes.entry(here()).or_default().mods.insert(name.into());
                }
                _ => (),
            },
            Tok::Word(w) if w == "use" => {
                let line = toks[i].1;
                let is_pub = |at: Option<usize>| {
                    at.and_then(|a| toks.get(a))
                        .is_some_and(|t| t.0 == Tok::Word("pub".to_string()))
                };
                // `pub use` or `pub(crate) use` / `pub(super) use` / `pub(in a::b) use`.
                let reexport = is_pub(i.checked_sub(1))
                    || (i > 0
                        && toks[i - 1].0 == Tok::Other(')')
                        && (2..=8).any(|back| {
                            is_pub(i.checked_sub(back))
                                && toks
                                    .get(i + 1 - back)
                                    .is_some_and(|t| t.0 == Tok::Other('('))
                        }));
                let seen_from = visible::scope_of(toks, i, &here());
                i += 1;
                let mut paths = Vec::new();
                use_tree(toks, &mut i, Vec::new(), &mut paths);
                let scope = scopes.entry(here()).or_default();
                for p in &paths {
                    if p.glob {
                        scope.globs.push(p.path.clone());
                    } else if let Some(name) = &p.name {
                        scope.names.insert(name.clone(), p.path.clone());
                        scope.seen_from.insert(name.clone(), seen_from.clone());
                    }
                }
                out.extend(paths.into_iter().map(|p| Written {
                    seen_from: seen_from.clone(),
                    ..written(p.path, line, reexport, p.glob)
                }));
                continue;
            }
            // A path's start: a word before `::`, not after `::` (`a::self::b` is
            // not a start; `$crate` is), nor after one `.` (`x.f::<T>()` is a
            // method; `..a::B::default()` is a path).
            // `pub(in crate::x)` names where an item is seen, not what it uses.
            Tok::Word(w)
                if w == "in"
                    && i >= 2
                    && toks[i - 1].0 == Tok::Other('(')
                    && toks[i - 2].0 == Tok::Word("pub".to_string()) =>
            {
                i += 1;
                while matches!(toks.get(i).map(|t| &t.0), Some(Tok::Word(_) | Tok::Sep)) {
                    i += 1;
                }
                continue;
            }
            Tok::Word(w)
                if toks.get(i + 1).map(|t| &t.0) == Some(&Tok::Sep)
                    && !(i >= 1 && toks[i - 1].0 == Tok::Sep)
                    && !(i >= 1
                        && toks[i - 1].0 == Tok::Dot
                        && (i < 2 || toks[i - 2].0 != Tok::Dot)) =>
            {
                let line = toks[i].1;
                let mut path = vec![w.clone()];
                i += 1;
                while toks.get(i).map(|t| &t.0) == Some(&Tok::Sep) {
                    match word(i + 1) {
                        Some(next) => path.push(next.to_string()),
                        None => break, // `::<T>` or `::{`
                    }
                    i += 2;
                }
                out.push(written(path, line, false, false));
                continue;
            }
            Tok::Word(w) if !locals.contains(w) && locals::bare_at(toks, i) => {
                out.push(Written {
                    bare: true,
                    ..written(vec![w.clone()], toks[i].1, false, false)
                });
            }
            _ => (),
        }
        i += 1;
    }
    for w in &mut out {
        if !matches!(w.path[0].as_str(), "crate" | "super" | "self") && based(w, &scopes) && w.bare
        {
            w.path.clear(); // brought in by name: its `use` or `mod` is the path
        }
    }
    // A bare name no glob may bring in is a local's, a prelude's or a macro's.
    out.retain(|w| !(w.path.is_empty() || (w.bare && w.globs.is_empty())));
    (out, scopes)
}

/// Sets the `base` of `w` (a path starting with a name) when its module declares
/// or imports the name (and says so), else the `globs` it may come from.
fn based(w: &mut Written, scopes: &Scopes) -> bool {
    let first = &w.path[0];
    let scope = scopes.get(&w.module);
    if scope.is_some_and(|s| s.mods.contains(first) || s.names.contains_key(first)) {
        w.base = absolute(std::slice::from_ref(first), &w.module, scopes, 0);
        return true;
    }
    if let Some(scope) = scope {
        w.globs = (scope.globs.iter())
            .filter_map(|g| absolute(g, &w.module, scopes, 0))
            .collect();
    }
    false
}

/// The crate path `path` (written in `module`) stands for, when it is one of the
/// crate's; `depth` bounds the `use`s followed (`use a as b; use b as a;`).
fn absolute(
    path: &[String],
    module: &[String],
    scopes: &Scopes,
    depth: usize,
) -> Option<Vec<String>> {
    let (first, rest) = path.split_first()?;
    let mut at = match first.as_str() {
        "crate" | "super" | "self" => return resolve(&Written::at(path.to_vec(), module))?.ok(),
        _ => {
            let scope = scopes.get(module)?;
            if scope.mods.contains(first) {
                let mut m = module.to_vec();
                m.push(first.clone());
                m
            } else {
                let named = scope.names.get(first)?;
                if depth > 8 || named.as_slice() == std::slice::from_ref(first) {
                    return None; // `use serde;`, or a ring of renames
                }
                absolute(named, module, scopes, depth + 1)?
            }
        }
    };
    at.extend(rest.iter().cloned());
    Some(at)
}

/// A written path from the crate root, or `None` when it is not a path into this
/// crate (an external crate, `std`, a local name); `Err` when `super` climbs past the
/// root. A name only a glob may bring in is not followed here: see [`resolve_with`].
pub fn resolve(w: &Written) -> Option<Result<Vec<String>, String>> {
    let mut segs = w.path.iter().peekable();
    let mut at: Vec<String> = match segs.peek()?.as_str() {
        "crate" => {
            segs.next();
            Vec::new()
        }
        "self" => {
            segs.next();
            w.module.clone()
        }
        "super" => w.module.clone(),
        _ => {
            let mut at = w.base.clone()?;
            at.extend(w.path[1..].iter().cloned());
            return Some(Ok(at));
        }
    };
    while segs.peek().is_some_and(|s| *s == "super") {
        segs.next();
        if at.pop().is_none() {
            return Some(Err(format!(
                "{} climbs past the crate root",
                w.path.join("::")
            )));
        }
    }
    at.extend(segs.cloned());
    Some(Ok(at))
}

/// [`resolve`], and a first name only a glob brings in taken into the first globbed
/// module that has it: `provides(path, from)` says whether the crate has `path` (a
/// module, or an item its module defines or imports) seen from the module `from`.
pub fn resolve_with(
    w: &Written,
    provides: &dyn Fn(&[String], &[String]) -> bool,
) -> Option<Result<Vec<String>, String>> {
    if let Some(found) = resolve(w) {
        return Some(found);
    }
    w.globs.iter().find_map(|g| {
        let mut at = g.clone();
        at.push(w.path[0].clone());
        provides(&at, &w.module).then(|| {
            at.extend(w.path[1..].iter().cloned());
            Ok(at)
        })
    })
}

/// The module of a source file: `src/store/mod.rs` is `store`, `src/store/tests.rs`
/// is `store::tests`.
pub fn module_of(src_dir: &Path, file: &Path) -> Vec<String> {
    let rel = file.strip_prefix(src_dir).expect("under src");
    let mut parts: Vec<String> = rel
        .iter()
        .map(|p| p.to_string_lossy().trim_end_matches(".rs").to_string())
        .collect();
    if parts.last().is_some_and(|p| p == "mod" || p == "lib") {
        parts.pop();
    }
    parts
}
