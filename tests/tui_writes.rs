//! Only `update` writes the dashboard's state (ARCHITECTURE.md: one owner, messages
//! in, effects out): outside `src/tui/update/` no function takes `&mut AppState`
//! and no `impl AppState` has a `&mut self` method; views, widgets, popups and
//! the export read it through `&AppState`. The loop (`src/tui/app.rs`) builds
//! the state and hands it to `update`.

use std::path::Path;

#[path = "source_files/mod.rs"]
mod source_files;
use source_files::rust_files;

/// The code without `//` comments (doc comments included), whitespace runs
/// collapsed to one space.
fn code(src: &str) -> String {
    let mut out = String::new();
    for line in src.lines() {
        let line = match line.find("//") {
            Some(i) => &line[..i],
            None => line,
        };
        out.push_str(line);
        out.push(' ');
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Where `code` takes the state mutably: `&mut AppState` (any path to it, any
/// lifetime) and `&mut self` inside `impl AppState`.
fn writes(code: &str) -> Vec<String> {
    let mut found = Vec::new();
    let path_char = |c: char| c.is_alphanumeric() || c == '_' || c == ':';
    for (i, _) in code.match_indices("&mut ") {
        let rest = &code[i + 5..];
        let path: String = rest.chars().take_while(|&c| path_char(c)).collect();
        if path == "AppState" || path.ends_with("::AppState") {
            found.push(format!("takes &mut {path}"));
        }
    }
    let mut from = 0;
    while let Some(i) = code[from..].find("impl AppState") {
        let start = from + i;
        let Some(open) = code[start..].find('{').map(|o| start + o) else {
            break;
        };
        let mut depth = 0;
        let mut end = code.len();
        for (j, c) in code[open..].char_indices() {
            match c {
                '{' => depth += 1,
                '}' => {
                    depth -= 1;
                    if depth == 0 {
                        end = open + j;
                        break;
                    }
                }
                _ => {}
            }
        }
        if code[open..end].contains("&mut self") {
            found.push("impl AppState has a &mut self method".to_string());
        }
        from = end;
    }
    found
}

#[test]
fn only_update_writes_the_app_state() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    rust_files(&root.join("src"), &mut files);
    let update = root.join("src/tui/update");
    let mut problems = Vec::new();
    let mut in_update = 0;
    for file in &files {
        let found = writes(&code(&std::fs::read_to_string(file).unwrap()));
        if file.starts_with(&update) {
            in_update += found.len();
            continue;
        }
        let label = file.strip_prefix(root).unwrap().display().to_string();
        problems.extend(found.into_iter().map(|w| format!("{label}: {w}")));
    }
    assert!(
        in_update > 50,
        "only {in_update} writers seen in src/tui/update: is the scan broken?"
    );
    assert!(
        problems.is_empty(),
        "the state is written outside src/tui/update (move the function there, or \
         take &AppState):\n{}",
        problems.join("\n")
    );
}

#[test]
fn the_scan_sees_every_way_of_taking_the_state_mutably() {
    let src = "use x;\n/// fn doc(s: &mut AppState)\npub fn a(state: &mut AppState) {}\n\
               fn b(s: &mut crate::tui::state::AppState, n: &mut u32) {}\n\
               fn c(s: &AppState, t: &mut AppStateView) {}\n\
               impl AppState {\n    pub fn read(&self) -> u32 { if x { 1 } else { 2 } }\n    \
               pub fn write(&mut self) {}\n}\nimpl Other { fn w(&mut self) {} }\n";
    let found = writes(&code(src));
    assert_eq!(
        found,
        [
            "takes &mut AppState",
            "takes &mut crate::tui::state::AppState",
            "impl AppState has a &mut self method",
        ]
    );
    let clean = "impl AppState {\n    fn read(&self) {}\n}\nimpl Other { fn w(&mut self) {} }\n";
    assert!(writes(&code(clean)).is_empty());
}

/// `update` starts no thread or task: what is freed, fetched or laid out off the
/// UI task leaves it as an effect (`Effect::Free`, `Effect::Send`).
#[test]
fn update_starts_no_thread() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    rust_files(&root.join("src/tui/update"), &mut files);
    assert!(
        files.len() > 10,
        "only {} files in src/tui/update",
        files.len()
    );
    let mut problems = Vec::new();
    for file in &files {
        let code = code(&std::fs::read_to_string(file).unwrap());
        for starts in ["thread::", "spawn(", "spawn_blocking", "Builder::new"] {
            if code.contains(starts) {
                let label = file.strip_prefix(root).unwrap().display().to_string();
                problems.push(format!("{label}: {starts}"));
            }
        }
    }
    assert!(
        problems.is_empty(),
        "update starts threads (return an effect instead):\n{}",
        problems.join("\n")
    );
}
