//! Only `update` writes the dashboard's state (ARCHITECTURE.md: one owner, messages
//! in, effects out): outside `src/tui/update/` no function takes `&mut AppState`
//! and no `impl AppState` has a `&mut self` method; views, widgets, popups and
//! the export read it through `&AppState`. The loop (`src/tui/app.rs`) builds
//! the state (`tui::setup::StateSetup`) and hands it to `update`. Tests and
//! benches do the same: they build a state with `StateSetup` and change it
//! through `update`, never by writing its fields (only the clock, an input the
//! loop sets before each message); `update` starts no thread.

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

/// The state's fields (`AppState`'s, but `clock`: the loop sets the time before
/// each message, and tests set it as the loop does).
const FIELDS: &[&str] = &[
    "session",
    "keymap",
    "styles",
    "view",
    "popup",
    "tab_views",
    "cadences",
    "people",
    "activity",
    "team",
    "metrics",
    "analytics",
    "conn",
    "tasks",
    "saved",
    "screen",
    "next_id",
    "quit",
];
/// What tests call their state.
const STATES: &[&str] = &["s", "s2", "state", "full"];
/// Methods that change what they are called on.
const CHANGERS: &[&str] = &[
    "push", "insert", "remove", "clear", "replace", "extend", "retain", "upsert", "take",
    "truncate", "swap",
];
/// Writes a test may keep, with why no message can make them.
const KEPT: &[(&str, &str)] = &[
    (
        "tests/tui_counts.rs",
        // A cadence whose range was not read after it was: no message unreads one.
        "s.metrics.loaded.remove",
    ),
    (
        "tests/tui_export.rs",
        // The same: a cadence whose range was not read.
        "s.metrics.loaded.remove",
    ),
    (
        "tests/tui_export.rs",
        // And put back as it was, after the check.
        "s.metrics.loaded.insert",
    ),
];

/// Where `code` (a test's) writes a state's field: `s.field... = `, `+=`, `-=`,
/// `&mut s.field`, or `s.field....push(` and the like.
fn test_writes(code: &str) -> Vec<String> {
    let ident = |c: char| c.is_alphanumeric() || c == '_';
    let mut found = Vec::new();
    for (i, _) in code.match_indices('.') {
        let before = &code[..i];
        let Some(var) = STATES.iter().find(|v| {
            before.ends_with(*v)
                && !before[..before.len() - v.len()]
                    .chars()
                    .next_back()
                    .is_some_and(|c| ident(c) || c == '.')
        }) else {
            continue;
        };
        let rest = &code[i + 1..];
        let path: String = rest.chars().take_while(|&c| ident(c) || c == '.').collect();
        let mut segments = path.split('.').filter(|s| !s.is_empty());
        let Some(field) = segments.next() else {
            continue;
        };
        if !FIELDS.contains(&field) {
            continue;
        }
        let written = format!("{var}.{}", path.trim_end_matches('.'));
        let mut after = rest[path.len()..].trim_start();
        // An index, and the path on from it: `s.tasks.list[0].note`.
        while after.starts_with('[')
            && let Some(close) = after.find(']')
        {
            after = &after[close + 1..];
            let on: usize = after
                .chars()
                .take_while(|&c| ident(c) || c == '.')
                .map(char::len_utf8)
                .sum();
            after = after[on..].trim_start();
        }
        let last = path.trim_end_matches('.').rsplit('.').next().unwrap_or("");
        let assigned = (after.starts_with('=') && !after.starts_with("=="))
            || after.starts_with("+=")
            || after.starts_with("-=");
        let changed = path.contains('.') && CHANGERS.contains(&last) && after.starts_with('(');
        let borrowed = before[..before.len() - var.len()]
            .trim_end()
            .ends_with("&mut");
        if assigned || changed || borrowed {
            found.push(written);
        }
    }
    found
}

/// Tests set a state up through `StateSetup` and change it through `update`
/// (messages, as the loop sends them), not by writing its fields.
#[test]
fn tests_and_benches_change_the_state_through_update() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    rust_files(&root.join("tests"), &mut files);
    rust_files(&root.join("benches"), &mut files);
    assert!(files.len() > 40, "only {} test files", files.len());
    let mut problems = Vec::new();
    for file in &files {
        let label = file.strip_prefix(root).unwrap().display().to_string();
        // This file's own examples.
        if label.ends_with("tui_writes.rs") {
            continue;
        }
        for w in test_writes(&code(&std::fs::read_to_string(file).unwrap())) {
            if !KEPT.contains(&(label.as_str(), w.as_str())) {
                problems.push(format!("{label}: {w}"));
            }
        }
    }
    assert!(
        problems.is_empty(),
        "tests write the state's fields (build it with StateSetup, or send \
         update the message that makes the change):\n{}",
        problems.join("\n")
    );
}

#[test]
fn the_test_scan_sees_assignments_borrows_and_changing_calls() {
    let src = "let mut s = loaded();\ns.session.demo = false;\nif s.view == View::People {}\n\
               s.screen.size = (80, 24);\nstd::mem::swap(&mut s.people.search, &mut x);\n\
               s.cadences.list.replace(vec![]);\nlet n = s.people.search.index.len();\n\
               state.clock.now += by;\ns.metrics.loaded.remove(&2);\ns.tasks.list[0].note = None;\n\
               s.next_id += 1;\nlet s2 = s.people.search.hits.hits.iter();\n";
    assert_eq!(
        test_writes(&code(src)),
        [
            "s.session.demo",
            "s.screen.size",
            "s.people.search",
            "s.cadences.list.replace",
            "s.metrics.loaded.remove",
            "s.tasks.list",
            "s.next_id",
        ]
    );
}
