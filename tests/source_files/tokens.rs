//! A source file's code without comments and literals, and its tokens: what
//! `paths` reads the written paths from.

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
    /// `.` (a field or a method follows)
    Dot,
    /// Any other character: `(`, `<`, `!`, `:`, `*`, ...
    Other(char),
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
                '.' => Tok::Dot,
                _ => Tok::Other(ch),
            }
        };
        out.push((tok, line));
        i += 1;
    }
    out
}

/// Whether `t` opens a bracket: `{`, `(` or `[`.
pub fn opens(t: &Tok) -> bool {
    matches!(t, Tok::Open | Tok::Other('(' | '['))
}

/// Whether `t` closes a bracket: `}`, `)` or `]`.
pub fn closes(t: &Tok) -> bool {
    matches!(t, Tok::Close | Tok::Other(')' | ']'))
}

/// The end of the group opening at `toks[open]`: the index of its closing token.
pub fn group_end(toks: &[(Tok, usize)], open: usize) -> usize {
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
