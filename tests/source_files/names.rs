//! What the crate's names stand for: each file's module, the names it defines, the
//! names its `use`s bring in and the modules it globs, so a path into the crate is
//! taken to the file that defines what it names (tests/circles.rs, tests/layers.rs).
//!
//! `crate::worker::Request`, re-exported by `pub use protocol::*;` in `worker/mod.rs`,
//! is `worker::protocol::Request`; `super::Envelope`, imported by the parent from a
//! sibling, is the sibling's; a bare `Shared` a `use super::*;` brings in is the
//! parent's, or where the parent's own `use` takes it. A glob brings in only what
//! the globbing module may see (visible.rs): a `pub`, `pub(crate)`, `pub(super)` or
//! `pub(in ..)` item or `use` that reaches it, or a private one of an ancestor.

use std::collections::{BTreeMap, BTreeSet};

use super::paths::locals::{ITEMS, word};
use super::paths::visible::{Item, module_items};
use super::paths::{Parsed, Tok, group_end, opens, parse, resolve, resolve_with};

/// One file of the crate: its label (`src/sim/server.rs`), module path and source
/// read.
pub struct File {
    pub label: String,
    pub module: Vec<String>,
    pub parsed: Parsed,
}

impl File {
    pub fn new(label: &str, module: Vec<String>, src: &str) -> File {
        File {
            label: label.to_string(),
            parsed: parse(src, &module),
            module,
        }
    }
}

/// The names a file's macros define: each `macro_rules!`, and the names a
/// `macro_rules!` whose body names an item by a fragment (`struct $name`) makes:
/// the capitalised names its invocations in the file are given
/// (`person_body!(#[doc] PersonUpdate)`), attributes left out.
pub fn macro_names(toks: &[(Tok, usize)]) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut makers = BTreeSet::new();
    for i in 0..toks.len() {
        if word(toks, i) != Some("macro_rules") {
            continue;
        }
        let Some(name) = word(toks, i + 2) else {
            continue;
        };
        out.insert(name.to_string());
        let body = (i + 3)..group_end(toks, i + 3).min(toks.len());
        if body.clone().any(|j| {
            word(toks, j).is_some_and(|w| ITEMS.contains(&w))
                && toks.get(j + 1).is_some_and(|t| t.0 == Tok::Other('$'))
        }) {
            makers.insert(name);
        }
    }
    for i in 0..toks.len() {
        let invoked = word(toks, i).is_some_and(|w| makers.contains(w))
            && toks.get(i + 1).is_some_and(|t| t.0 == Tok::Other('!'))
            && toks.get(i + 2).is_some_and(|t| opens(&t.0));
        if !invoked {
            continue;
        }
        let end = group_end(toks, i + 2);
        let mut j = i + 3;
        while j < end {
            if toks[j].0 == Tok::Other('#') && toks.get(j + 1).is_some_and(|t| opens(&t.0)) {
                j = group_end(toks, j + 1); // an attribute
            } else if let Some(w) = word(toks, j).filter(|w| w.starts_with(char::is_uppercase)) {
                out.insert(w.to_string());
            }
            j += 1;
        }
    }
    out
}

/// By module, the modules it globs, each with the prefix of the modules that see
/// what the glob brings in.
type Globs = BTreeMap<Vec<String>, Vec<(Vec<String>, Vec<String>)>>;

/// The crate's modules, names and globs.
pub struct CrateNames {
    by_module: BTreeMap<Vec<String>, String>,
    /// By file, the items its modules declare (visible.rs).
    items: BTreeMap<String, BTreeMap<String, Vec<Item>>>,
    /// By file, the names its macros define (seen from anywhere).
    made: BTreeMap<String, BTreeSet<String>>,
    /// Each name a `use` brings in (`worker::Envelope`): the crate path it stands
    /// for (`worker::envelope::Envelope`), and the prefix of the modules that see it.
    imports: BTreeMap<Vec<String>, (Vec<String>, Vec<String>)>,
    /// The modules each module (a file's, an inline block's) globs, and the
    /// prefix of the modules that see what the glob brings in.
    globs: Globs,
}

impl CrateNames {
    pub fn new(files: &[File]) -> CrateNames {
        let mut globs = Globs::new();
        for f in files {
            for w in &f.parsed.written {
                if w.glob
                    && let Some(Ok(m)) = resolve(w)
                {
                    globs
                        .entry(w.module.clone())
                        .or_default()
                        .push((m, w.seen_from.clone()));
                }
            }
        }
        CrateNames {
            by_module: (files.iter())
                .map(|f| (f.module.clone(), f.label.clone()))
                .collect(),
            items: (files.iter())
                .map(|f| (f.label.clone(), module_items(&f.parsed.toks, &f.module)))
                .collect(),
            made: (files.iter())
                .map(|f| (f.label.clone(), macro_names(&f.parsed.toks)))
                .collect(),
            imports: (files.iter())
                .flat_map(|f| f.parsed.imports.iter())
                .map(|(from, to, seen)| (from.clone(), (to.clone(), seen.clone())))
                .collect(),
            globs,
        }
    }

    /// The file holding the longest module prefix of `target`, and that prefix's
    /// length.
    pub fn file_of(&self, target: &[String]) -> Option<(usize, &str)> {
        (0..=target.len())
            .rev()
            .find_map(|n| self.by_module.get(&target[..n]).map(|l| (n, l.as_str())))
    }

    /// Whether `path` is one of the crate's and seen from the module `from`: a
    /// module, an item its module declares, a name a `use` there brings in, or one
    /// a module it globs has; each only if its visibility lets `from` see it (a
    /// private one only inside its module).
    pub fn provides(&self, path: &[String], from: &[String]) -> bool {
        self.provides_within(path, from, 0)
    }

    /// Whether the item `name` of `module` is declared there and seen from `from`
    /// (`None` when no module of the crate declares it).
    fn declared(&self, module: &[String], name: &str, from: &[String]) -> Option<bool> {
        let (len, file) = self.file_of(module)?;
        let items = self.items[file].get(name).into_iter().flatten();
        let at: Vec<&Item> = items.filter(|it| it.module == module).collect();
        if at.is_empty() {
            return (len == module.len() && self.made[file].contains(name)).then_some(true);
        }
        Some(at.iter().any(|it| from.starts_with(&it.seen_from)))
    }

    fn provides_within(&self, path: &[String], from: &[String], depth: usize) -> bool {
        let Some((name, module)) = path.split_last() else {
            return true; // the crate's root
        };
        if self.by_module.contains_key(path) {
            return self.declared(module, name, from).unwrap_or(true);
        }
        let seen = |prefix: &Vec<String>| from.starts_with(prefix);
        self.declared(module, name, from) == Some(true)
            || self.imports.get(path).is_some_and(|(_, s)| seen(s))
            || (depth < 8
                && self.globs.get(module).into_iter().flatten().any(|(g, s)| {
                    seen(s) && self.provides_within(&joined(g, name), from, depth + 1)
                }))
    }

    /// The crate path where the type (or other item) `path`, written in `module`
    /// of `f`, is defined; `None` when it is none of the crate's (std's, a
    /// generic). A name its module declares or imports comes first, then one a
    /// glob brings in.
    pub fn type_at(&self, f: &File, module: &[String], path: Vec<String>) -> Option<Vec<String>> {
        let w = f.parsed.written_at(path, module);
        let imported = w.base.is_some() || f.parsed.names(module, &w.path[0]);
        let at = if imported || matches!(w.path[0].as_str(), "crate" | "super" | "self") {
            resolve(&w)?.ok()?
        } else if self.declared(module, &w.path[0], module).is_some() {
            let mut at = module.to_vec();
            at.extend(w.path.iter().cloned());
            at
        } else {
            resolve_with(&w, &|p, from| self.provides(p, from))?.ok()?
        };
        Some(self.canonical(at, module))
    }

    /// `target` with a module's imported name it goes through replaced by what the
    /// name stands for, again until it names no imported name.
    pub fn through_imports(&self, mut target: Vec<String>) -> Vec<String> {
        for _ in 0..8 {
            let Some(len) = (1..=target.len())
                .rev()
                .find(|&n| self.imports.contains_key(&target[..n]))
            else {
                break;
            };
            let mut to = self.imports[&target[..len]].0.clone();
            to.extend(target[len..].iter().cloned());
            if to == target {
                break;
            }
            target = to;
        }
        target
    }

    /// Where `target`, written in the module `from`, is defined: followed through
    /// the `use`s it goes through and, for a name its module's file does not
    /// define, into the globbed module that has it.
    pub fn canonical(&self, mut target: Vec<String>, from: &[String]) -> Vec<String> {
        for _ in 0..8 {
            target = self.through_imports(target);
            let Some((len, file)) = self.file_of(&target) else {
                break;
            };
            let Some(name) = target.get(len) else {
                break;
            };
            if self.items[file].contains_key(name) || self.made[file].contains(name) {
                break;
            }
            let module = &target[..len];
            let Some((g, _)) = (self.globs.get(module).into_iter().flatten())
                .find(|(g, s)| from.starts_with(s) && self.provides(&joined(g, name), from))
            else {
                break;
            };
            let mut to = g.clone();
            to.extend(target[len..].iter().cloned());
            target = to;
        }
        target
    }
}

fn joined(module: &[String], name: &str) -> Vec<String> {
    let mut at = module.to_vec();
    at.push(name.to_string());
    at
}
