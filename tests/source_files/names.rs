//! What the crate's names stand for: each file's module, the names it defines, the
//! names its `use`s bring in and the modules it globs, so a path into the crate is
//! taken to the file that defines what it names (tests/circles.rs, tests/layers.rs).
//!
//! `crate::worker::Request`, re-exported by `pub use protocol::*;` in `worker/mod.rs`,
//! is `worker::protocol::Request`; `super::Envelope`, imported by the parent from a
//! sibling, is the sibling's; a bare `Shared` a `use super::*;` brings in is the
//! parent's, or where the parent's own `use` takes it.

use std::collections::{BTreeMap, BTreeSet};

use super::paths::locals::{ITEMS, word};
use super::paths::{Parsed, Tok, parse, resolve};

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

fn opens(t: &Tok) -> bool {
    matches!(t, Tok::Open | Tok::Other('(' | '['))
}

fn closes(t: &Tok) -> bool {
    matches!(t, Tok::Close | Tok::Other(')' | ']'))
}

/// The end of the group opening at `toks[open]`: the index of its closing token.
fn group_end(toks: &[(Tok, usize)], open: usize) -> usize {
    let mut depth = 0;
    for (i, (t, _)) in toks.iter().enumerate().skip(open) {
        if opens(t) {
            depth += 1;
        } else if closes(t) {
            depth -= 1;
            if depth == 0 {
                return i;
            }
        }
    }
    toks.len()
}

/// The names a file's tokens define at any depth (`fn`, `struct`, `enum`,
/// `trait`, `type`, `const`, `static`, `union`, `mod`, `macro_rules!`), and those
/// its macros make: a `macro_rules!` whose body names an item by a fragment
/// (`struct $name`) defines the capitalised names its invocations in the file are
/// given (`person_body!(#[doc] PersonUpdate)`), attributes left out.
pub fn defined_names(toks: &[(Tok, usize)]) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut makers = BTreeSet::new();
    for i in 0..toks.len() {
        match word(toks, i) {
            Some(w) if ITEMS.contains(&w) => out.extend(word(toks, i + 1).map(str::to_string)),
            Some("macro_rules") => {
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
            _ => (),
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

/// The crate's modules, names and globs.
pub struct CrateNames {
    by_module: BTreeMap<Vec<String>, String>,
    defined: BTreeMap<String, BTreeSet<String>>,
    /// Each name a `use` brings in (`worker::Envelope`): the crate path it stands
    /// for (`worker::envelope::Envelope`), and whether a `pub use` brings it.
    imports: BTreeMap<Vec<String>, (Vec<String>, bool)>,
    /// The modules each module (a file's, an inline block's) globs, and whether
    /// by a `pub use`.
    globs: BTreeMap<Vec<String>, Vec<(Vec<String>, bool)>>,
}

impl CrateNames {
    pub fn new(files: &[File]) -> CrateNames {
        let mut globs: BTreeMap<Vec<String>, Vec<(Vec<String>, bool)>> = BTreeMap::new();
        for f in files {
            for w in &f.parsed.written {
                if w.glob
                    && let Some(Ok(m)) = resolve(w)
                {
                    globs
                        .entry(w.module.clone())
                        .or_default()
                        .push((m, w.reexport));
                }
            }
        }
        CrateNames {
            by_module: (files.iter())
                .map(|f| (f.module.clone(), f.label.clone()))
                .collect(),
            defined: (files.iter())
                .map(|f| (f.label.clone(), defined_names(&f.parsed.toks)))
                .collect(),
            imports: (files.iter())
                .flat_map(|f| f.parsed.imports.iter())
                .map(|(from, to, public)| (from.clone(), (to.clone(), *public)))
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

    /// Whether `path` is one of the crate's, seen from the module `from`: a module,
    /// a name its module's file defines, one a `use` there brings in (a private
    /// one only inside that module), or one a module it globs has.
    pub fn provides(&self, path: &[String], from: &[String]) -> bool {
        self.provides_within(path, from, 0)
    }

    fn provides_within(&self, path: &[String], from: &[String], depth: usize) -> bool {
        if self.by_module.contains_key(path) {
            return true;
        }
        let Some((name, module)) = path.split_last() else {
            return false;
        };
        let seen = |public: bool| public || from.starts_with(module);
        (self.by_module.get(module)).is_some_and(|f| self.defined[f].contains(name))
            || self.imports.get(path).is_some_and(|(_, p)| seen(*p))
            || (depth < 8
                && self.globs.get(module).into_iter().flatten().any(|(g, p)| {
                    seen(*p) && self.provides_within(&joined(g, name), from, depth + 1)
                }))
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
            if self.defined[file].contains(name) {
                break;
            }
            let module = &target[..len];
            let seen = |public: bool| public || from.starts_with(module);
            let Some((g, _)) = (self.globs.get(module).into_iter().flatten())
                .find(|(g, p)| seen(*p) && self.provides(&joined(g, name), from))
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
