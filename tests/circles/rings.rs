//! The circles of a file graph (Tarjan), told with what ties them, and the list
//! of those allowed for now.

use std::collections::{BTreeMap, BTreeSet};

/// The file -> file edges, each with the names that tie them (the first segment
/// after the target file's module, `(module)` when the path names the module
/// itself, `Type.method` for a method its `impl` there defines).
pub type Graph = BTreeMap<String, BTreeMap<String, BTreeSet<String>>>;

/// The circles: every strongly connected set of two or more files (Tarjan), each
/// as its sorted files.
pub fn circles(g: &Graph) -> Vec<Vec<String>> {
    struct Walk<'a> {
        g: &'a Graph,
        index: BTreeMap<&'a str, usize>,
        low: BTreeMap<&'a str, usize>,
        stack: Vec<&'a str>,
        on_stack: BTreeSet<&'a str>,
        out: Vec<Vec<String>>,
    }
    fn visit<'a>(w: &mut Walk<'a>, v: &'a str) {
        let n = w.index.len();
        w.index.insert(v, n);
        w.low.insert(v, n);
        w.stack.push(v);
        w.on_stack.insert(v);
        let g = w.g;
        for to in g.get(v).into_iter().flat_map(|e| e.keys()) {
            let to = to.as_str();
            if !w.index.contains_key(to) {
                visit(w, to);
                let low = w.low[v].min(w.low[to]);
                w.low.insert(v, low);
            } else if w.on_stack.contains(to) {
                let low = w.low[v].min(w.index[to]);
                w.low.insert(v, low);
            }
        }
        if w.low[v] == w.index[v] {
            let mut set = Vec::new();
            while let Some(top) = w.stack.pop() {
                w.on_stack.remove(top);
                set.push(top.to_string());
                if top == v {
                    break;
                }
            }
            if set.len() > 1 {
                set.sort();
                w.out.push(set);
            }
        }
    }
    let mut w = Walk {
        g,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on_stack: BTreeSet::new(),
        out: Vec::new(),
    };
    for v in g.keys() {
        if !w.index.contains_key(v.as_str()) {
            visit(&mut w, v);
        }
    }
    w.out.sort();
    w.out
}

/// One circle told: its files, then each edge inside it with the names taken.
pub fn describe(g: &Graph, circle: &[String]) -> String {
    let mut s = format!("circle of {} files: {}", circle.len(), circle.join(", "));
    for from in circle {
        for (to, names) in &g[from] {
            if circle.contains(to) {
                let names: Vec<&str> = names.iter().map(String::as_str).collect();
                s.push_str(&format!("\n    {from} -> {to} ({})", names.join(", ")));
            }
        }
    }
    s
}

/// The reason of the entry of `list` holding every file of `circle`.
pub fn allowed_by(list: &[(&[&str], &'static str)], circle: &[String]) -> Option<&'static str> {
    list.iter()
        .find(|(files, _)| circle.iter().all(|f| files.contains(&f.as_str())))
        .map(|(_, why)| *why)
}

/// The entries of `list` that hold no circle of `found` (fixed: remove them).
pub fn stale<'a>(list: &[(&'a [&'a str], &str)], found: &[Vec<String>]) -> Vec<&'a [&'a str]> {
    list.iter()
        .map(|(files, _)| *files)
        .filter(|files| {
            !found
                .iter()
                .any(|c| allowed_by(&[(*files, "")], c).is_some())
        })
        .collect()
}
