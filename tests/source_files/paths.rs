//! The paths a source file writes into the crate (`use` trees, inline `crate::`,
//! `super::` and `self::` paths), found without comments and string literals, and
//! resolved to the module they name. Shared by tests/layers.rs and tests/circles.rs.

use std::path::Path;

/// The code without comments, string literals and char literals (each string becomes
/// `""`, each char `' '`); newlines are kept so line numbers still hold.
pub fn code_only(src: &str) -> String {
    let c: Vec<char> = src.chars().collect();
    let ident = |ch: char| ch.is_alphanumeric() || ch == '_';
    let mut out = String::with_capacity(src.len());
    let mut i = 0;
    // Skips `c[from..to]`, keeping its newlines.
    let skip = |out: &mut String, from: usize, to: usize| {
        out.extend(c[from..to.min(c.len())].iter().filter(|&&ch| ch == '\n'));
    };
    while i < c.len() {
        let ch = c[i];
        let next = c.get(i + 1).copied();
        if ch == '/' && next == Some('/') {
            while i < c.len() && c[i] != '\n' {
                i += 1;
            }
        } else if ch == '/' && next == Some('*') {
            let (start, mut depth) = (i, 0);
            while i < c.len() {
                if c[i] == '/' && c.get(i + 1) == Some(&'*') {
                    depth += 1;
                    i += 2;
                } else if c[i] == '*' && c.get(i + 1) == Some(&'/') {
                    depth -= 1;
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    i += 1;
                }
            }
            skip(&mut out, start, i);
        } else if ch == '"' || (ch == 'r' && raw_string_at(&c, i)) {
            // "...", r"...", r#"..."# (a `b` prefix stays behind as a harmless word).
            let start = i;
            if ch == 'r' {
                let hashes = c[i + 1..].iter().take_while(|&&h| h == '#').count();
                i += hashes + 2;
                while i < c.len() {
                    if c[i] == '"' && c[i + 1..].iter().take(hashes).all(|&h| h == '#') {
                        i += 1 + hashes;
                        break;
                    }
                    i += 1;
                }
            } else {
                i += 1;
                while i < c.len() && c[i] != '"' {
                    i += if c[i] == '\\' { 2 } else { 1 };
                }
                i += 1;
            }
            skip(&mut out, start, i);
            out.push_str("\"\"");
        } else if ch == '\'' && next == Some('\\') {
            // '\n', '\'', '\u{1F600}'
            i += 3;
            while i < c.len() && c[i] != '\'' {
                i += 1;
            }
            i += 1;
            out.push_str("' '");
        } else if ch == '\'' && c.get(i + 2) == Some(&'\'') {
            // 'a', '"'; a lifetime or label ('a) falls through as code.
            i += 3;
            out.push_str("' '");
        } else if ch == 'b' && raw_string_at(&c, i + 1) {
            // br"...": the `r` starts the raw string next round.
            out.push(ch);
            i += 1;
        } else if ident(ch) {
            while i < c.len() && ident(c[i]) {
                out.push(c[i]);
                i += 1;
            }
        } else {
            out.push(ch);
            i += 1;
        }
    }
    out
}

/// Whether a raw string (`r"`, `r#"`, `br"`) starts at the `r` at `i`.
fn raw_string_at(c: &[char], i: usize) -> bool {
    let ident = |ch: char| ch.is_alphanumeric() || ch == '_';
    let word_start =
        i == 0 || !ident(c[i - 1]) || (c[i - 1] == 'b' && (i == 1 || !ident(c[i - 2])));
    let hashes = c[i + 1..].iter().take_while(|&&h| h == '#').count();
    word_start && c.get(i + 1 + hashes) == Some(&'"')
}

#[derive(Debug, Clone, PartialEq)]
pub enum Tok {
    Word(String),
    /// `::`
    Sep,
    Open,
    Close,
    Comma,
    Semi,
    Other,
}

/// The tokens of comment- and string-free code, each with its line.
pub fn tokens(code: &str) -> Vec<(Tok, usize)> {
    let c: Vec<char> = code.chars().collect();
    let ident = |ch: char| ch.is_alphanumeric() || ch == '_';
    let (mut out, mut i, mut line) = (Vec::new(), 0, 1);
    while i < c.len() {
        let ch = c[i];
        if ch == '\n' {
            line += 1;
            i += 1;
            continue;
        }
        if ch.is_whitespace() {
            i += 1;
            continue;
        }
        let tok = if ident(ch) {
            let start = i;
            while i < c.len() && ident(c[i]) {
                i += 1;
            }
            out.push((Tok::Word(c[start..i].iter().collect()), line));
            continue;
        } else if ch == ':' && c.get(i + 1) == Some(&':') {
            i += 1;
            Tok::Sep
        } else {
            match ch {
                '{' => Tok::Open,
                '}' => Tok::Close,
                ',' => Tok::Comma,
                ';' => Tok::Semi,
                _ => Tok::Other,
            }
        };
        out.push((tok, line));
        i += 1;
    }
    out
}

/// One path written in the code, as written, with its line.
#[derive(Debug, Clone, PartialEq)]
pub struct Written {
    pub path: Vec<String>,
    pub line: usize,
    /// The module it is written in (`["store", "records", "tests"]`).
    pub module: Vec<String>,
    /// Written in a `pub use` (any `pub(..)` too): a re-export.
    pub reexport: bool,
}

/// Expands a `use` tree starting at `toks[*i]` into its paths (after `prefix`);
/// stops after the tree (at `,`, `}` or `;`).
pub fn use_tree(
    toks: &[(Tok, usize)],
    i: &mut usize,
    prefix: Vec<String>,
    out: &mut Vec<Vec<String>>,
) {
    let mut path = prefix;
    loop {
        match toks.get(*i).map(|t| &t.0) {
            Some(Tok::Word(w)) if w == "as" => {
                *i += 2; // `as name`
                out.push(path);
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
                if !path.is_empty() {
                    out.push(path);
                }
                if matches!(toks.get(*i).map(|t| &t.0), Some(Tok::Other)) {
                    *i += 1; // the `*` of a glob
                }
                return;
            }
        }
    }
}

/// Every path in a file that starts with `crate`, `super` or `self`, with the module
/// it is written in (`module` is the file's own module).
pub fn written_paths(src: &str, module: &[String]) -> Vec<Written> {
    let toks = tokens(&code_only(src));
    let word = |i: usize| match toks.get(i) {
        Some((Tok::Word(w), _)) => Some(w.as_str()),
        _ => None,
    };
    let mut out = Vec::new();
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
        match &toks[i].0 {
            Tok::Open => depth += 1,
            Tok::Close => {
                if mods.last().is_some_and(|(_, d)| *d == depth) {
                    mods.pop();
                }
                depth -= 1;
            }
            Tok::Word(w) if w == "mod" => {
                if let (Some(name), Some((Tok::Open, _))) = (word(i + 1), toks.get(i + 2)) {
                    mods.push((name.to_string(), depth + 1));
                    depth += 1;
                    i += 3;
                    continue;
                }
            }
            Tok::Word(w) if w == "use" => {
                let line = toks[i].1;
                let is_pub = |at: Option<usize>| {
                    at.and_then(|a| toks.get(a))
                        .is_some_and(|t| t.0 == Tok::Word("pub".to_string()))
                };
                // `pub use` or `pub(crate) use` / `pub(super) use` / `pub(in a::b) use`.
                let reexport = is_pub(i.checked_sub(1))
                    || (i > 0
                        && toks[i - 1].0 == Tok::Other
                        && (2..=8).any(|back| {
                            is_pub(i.checked_sub(back))
                                && toks.get(i + 1 - back).is_some_and(|t| t.0 == Tok::Other)
                        }));
                i += 1;
                let mut paths = Vec::new();
                use_tree(&toks, &mut i, Vec::new(), &mut paths);
                let module = here();
                out.extend(paths.into_iter().map(|path| Written {
                    path,
                    line,
                    module: module.clone(),
                    reexport,
                }));
                continue;
            }
            Tok::Word(w)
                if matches!(w.as_str(), "crate" | "super" | "self")
                    && toks.get(i + 1).map(|t| &t.0) == Some(&Tok::Sep)
                    // `a::self::b` is not a start; `$crate` is.
                    && (i == 0 || toks[i - 1].0 != Tok::Sep) =>
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
                out.push(Written {
                    path,
                    line,
                    module: here(),
                    reexport: false,
                });
                continue;
            }
            _ => (),
        }
        i += 1;
    }
    out
}

/// A written path from the crate root, or `None` when it is not a path into this
/// crate (an external crate, `std`, a local name); `Err` when `super` climbs past the
/// root.
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
        _ => return None,
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
