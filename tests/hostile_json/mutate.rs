//! Deterministic JSON damage: tree mutations on a parsed fixture, then
//! byte-level ones (truncation, invalid UTF-8, random bytes).
//!
//! Placeholders stand for what `serde_json::Value` cannot hold (a 10k-deep
//! value would be slow to build and print, duplicated keys cannot exist in a
//! map). Each placeholder is replaced once, by exact match, so the
//! replacement can never reintroduce it (the old draft's duplicate-key loop
//! could rewrite `"dup":"dup"` into itself forever).

use serde_json::{Value, json};

use super::{Fixture, Kind};

/// The mutations' choices: `fastrand` from a fixed seed, so a failing seed replays.
pub struct Rng(fastrand::Rng);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(fastrand::Rng::with_seed(seed))
    }

    pub fn next(&mut self) -> u64 {
        self.0.u64(..)
    }

    /// In `0..n`; 0 when `n` is 0 (callers index possibly empty lists with `get`).
    pub fn below(&mut self, n: usize) -> usize {
        if n == 0 { 0 } else { self.0.usize(..n) }
    }

    pub fn chance(&mut self, percent: u64) -> bool {
        self.0.u64(..100) < percent
    }
}

const DEEP: &str = "__hostile_deep__";
const HUGE: &str = "__hostile_huge__";
const DUP_PREFIX: &str = "__hostile_dup_";

/// `depth` nested arrays (`[[[...]]]`) or objects (`{"id":{"id":...}}`).
pub fn nested(depth: usize, arrays: bool) -> Value {
    let mut v = Value::Null;
    for _ in 0..depth {
        v = if arrays {
            Value::Array(vec![v])
        } else {
            json!({ "id": v })
        };
    }
    v
}

/// JSON pointers of every value in `v` (the root included), and whether
/// each is an object.
fn pointers(v: &Value, at: String, out: &mut Vec<(String, bool)>) {
    match v {
        Value::Object(m) => {
            for (k, child) in m {
                let key = k.replace('~', "~0").replace('/', "~1");
                pointers(child, format!("{at}/{key}"), out);
            }
        }
        Value::Array(a) => {
            for (i, child) in a.iter().enumerate() {
                pointers(child, format!("{at}/{i}"), out);
            }
        }
        _ => {}
    }
    out.push((at, v.is_object()));
}

fn random_value(rng: &mut Rng) -> Value {
    match rng.below(13) {
        0 => Value::Null,
        1 => Value::Bool(rng.chance(50)),
        2 => Value::from(rng.next() % 1000),
        3 => Value::from(-((rng.next() % 1000) as i64) - 1),
        4 => json!(1.5e300),
        5 => json!(u64::MAX),
        6 => Value::from("12"),
        7 => Value::from(""),
        8 => Value::from("not a date or a number \u{1F600}\u{0}"),
        9 => json!([1, "two", null]),
        10 => json!({"id": "x", "_href": 5}),
        11 => Value::from("2024-13-45T99:99:99Z"),
        _ => json!([]),
    }
}

/// What the byte-level pass must still do to the serialized tree.
#[derive(Default)]
struct Pending {
    /// `(placeholder key, key it becomes)`.
    dups: Vec<(String, String)>,
}

/// Applies one structural mutation; returns its description.
fn mutate_tree(v: &mut Value, kind: Kind, rng: &mut Rng, pending: &mut Pending) -> String {
    let mut all = Vec::new();
    pointers(v, String::new(), &mut all);
    let objects: Vec<&String> = all.iter().filter(|(_, o)| *o).map(|(p, _)| p).collect();
    let target = all[rng.below(all.len())].0.clone();
    let object = objects
        .get(rng.below(objects.len()))
        .map(|p| (*p).clone())
        .unwrap_or_default();
    match rng.below(11) {
        0 | 1 => {
            let Some(map) = v.pointer_mut(&object).and_then(Value::as_object_mut) else {
                return "delete (no object)".into();
            };
            if map.is_empty() {
                return "delete (empty object)".into();
            }
            let k = map.keys().nth(rng.below(map.len())).unwrap().clone();
            map.remove(&k);
            format!("delete {object}/{k}")
        }
        2 => {
            *v.pointer_mut(&target).unwrap() = Value::Null;
            format!("null {target}")
        }
        3 | 4 => {
            let new = random_value(rng);
            let shown = new.to_string();
            *v.pointer_mut(&target).unwrap() = new;
            format!("retype {target} = {shown}")
        }
        5 => {
            // Ids and counts as strings.
            let numbers: Vec<&String> = all
                .iter()
                .map(|(p, _)| p)
                .filter(|p| v.pointer(p).is_some_and(Value::is_number))
                .collect();
            match numbers.get(rng.below(numbers.len())) {
                Some(p) => {
                    let p = (*p).clone();
                    let t = v.pointer(&p).unwrap().to_string();
                    *v.pointer_mut(&p).unwrap() = Value::from(t);
                    format!("stringify {p}")
                }
                None => "stringify (no number)".into(),
            }
        }
        6 => {
            let huge = rng.chance(5);
            *v.pointer_mut(&target).unwrap() = if huge {
                Value::from(HUGE)
            } else {
                Value::from("x".repeat(rng.below(5000)))
            };
            format!("{} string at {target}", if huge { "1 MB" } else { "long" })
        }
        7 => {
            let deep = rng.chance(20);
            *v.pointer_mut(&target).unwrap() = if deep {
                Value::from(DEEP)
            } else {
                nested(rng.below(200), rng.chance(50))
            };
            format!(
                "{} nesting at {target}",
                if deep { "10k-deep" } else { "some" }
            )
        }
        8 => {
            let Some(map) = v.pointer_mut(&object).and_then(Value::as_object_mut) else {
                return "unknown field (no object)".into();
            };
            map.insert(format!("zz_unknown_{}", rng.below(100)), random_value(rng));
            format!("unknown field in {object}")
        }
        9 => {
            let Some(map) = v.pointer_mut(&object).and_then(Value::as_object_mut) else {
                return "duplicate (no object)".into();
            };
            let Some(k) = map
                .keys()
                .filter(|k| !k.starts_with("__hostile"))
                .nth(rng.below(map.len()))
                .cloned()
            else {
                return "duplicate (no key)".into();
            };
            let placeholder = format!("{DUP_PREFIX}{}__", pending.dups.len());
            map.insert(placeholder.clone(), random_value(rng));
            pending.dups.push((placeholder, k.clone()));
            format!("duplicate {object}/{k}")
        }
        _ if kind.is_list() => envelope(v, rng),
        _ => {
            if let Some(m) = v.as_object_mut() {
                m.insert("data".into(), random_value(rng));
            }
            "data replaced".into()
        }
    }
}

/// Damage to the list envelope: `metadata` and `paging`.
fn envelope(v: &mut Value, rng: &mut Rng) -> String {
    let garbage = random_value(rng);
    let shown = garbage.to_string();
    let Some(root) = v.as_object_mut() else {
        return "envelope (root is not an object)".into();
    };
    let choice = rng.below(6);
    let meta = root.get_mut("metadata").and_then(Value::as_object_mut);
    match (choice, meta) {
        (0, Some(m)) => {
            m.remove("paging");
            "paging missing".into()
        }
        (1, Some(m)) => {
            m.insert("paging".into(), Value::Null);
            "paging null".into()
        }
        (2, Some(m)) => {
            m.insert("paging".into(), garbage);
            format!("paging = {shown}")
        }
        (3, Some(m)) => match m.get_mut("paging").and_then(Value::as_object_mut) {
            Some(p) => {
                let k = ["next_page", "per_page", "current_page", "total_count"][rng.below(4)];
                p.insert(k.into(), garbage);
                format!("paging.{k} = {shown}")
            }
            None => "paging (absent)".into(),
        },
        (4, _) => {
            root.insert("metadata".into(), garbage);
            format!("metadata = {shown}")
        }
        _ => {
            root.remove("metadata");
            "metadata missing".into()
        }
    }
}

/// One damaged body of `fixture` and the list of what was done to it.
pub fn mutant(fixture: &Fixture, rng: &mut Rng) -> (Vec<u8>, Vec<String>) {
    let mut v = fixture.value.clone();
    let mut log = Vec::new();
    let mut pending = Pending::default();
    for _ in 0..1 + rng.below(3) {
        log.push(mutate_tree(&mut v, fixture.kind, rng, &mut pending));
    }
    let mut text = serde_json::to_string(&v).unwrap();
    let quoted = |s: &str| format!("\"{s}\"");
    if text.contains(&quoted(DEEP)) {
        let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
        text = text.replacen(&quoted(DEEP), &deep, 1);
    }
    if text.contains(&quoted(HUGE)) {
        let huge = format!("\"{}\"", "\u{e9}abc".repeat(1 << 18));
        text = text.replacen(&quoted(HUGE), &huge, 1);
    }
    for (placeholder, key) in &pending.dups {
        text = text.replacen(
            &quoted(placeholder),
            &Value::from(key.as_str()).to_string(),
            1,
        );
    }
    let mut bytes = text.into_bytes();
    match rng.below(8) {
        0 => {
            let at = rng.below(bytes.len() + 1);
            bytes.truncate(at);
            log.push(format!("truncated at byte {at}"));
        }
        1 => {
            let at = rng.below(bytes.len() + 1);
            let bad: &[u8] = [
                &[0xff][..],
                &[0xc3, 0x28],
                &[0xe2, 0x82],
                &[0xed, 0xa0, 0x80],
            ][rng.below(4)];
            bytes.splice(at..at, bad.iter().copied());
            log.push(format!("invalid UTF-8 at byte {at}"));
        }
        2 if !bytes.is_empty() => {
            for _ in 0..1 + rng.below(4) {
                let at = rng.below(bytes.len());
                bytes[at] = (rng.next() & 0xff) as u8;
            }
            log.push("random bytes".into());
        }
        _ => {}
    }
    (bytes, log)
}
