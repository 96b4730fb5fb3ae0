//! Targeted damage, field by field: every field of every record deleted, nulled,
//! retyped, stringified, made 1 MB long or 10k deep; unknown fields; bodies cut
//! after every byte; invalid UTF-8; garbage.

use serde_json::Value;

use super::mutate;
use super::{Fixture, Kind, decode_guarded, fixtures, on_worker_stack};

/// The record a fixture is about: `data` or `data[0]`.
fn record_pointer(f: &Fixture) -> &'static str {
    if f.kind.is_list() { "/data/0" } else { "/data" }
}

fn with(f: &Fixture, pointer: &str, change: impl FnOnce(&mut Value)) -> Vec<u8> {
    let mut v = f.value.clone();
    change(v.pointer_mut(pointer).expect("the pointer exists"));
    serde_json::to_vec(&v).expect("serializes")
}

/// Like [`with`], but the value at `pointer` becomes `raw` JSON text: a
/// 10k-deep `Value` would overflow the stack when built, printed or dropped.
fn with_raw(f: &Fixture, pointer: &str, raw: &str) -> Vec<u8> {
    const SLOT: &str = "\"__hostile_raw__\"";
    let body = with(f, pointer, |v| *v = Value::from("__hostile_raw__"));
    String::from_utf8(body)
        .expect("serde_json writes UTF-8")
        .replacen(SLOT, raw, 1)
        .into_bytes()
}

/// `depth` nested arrays or objects as JSON text.
fn deep_text(depth: usize, arrays: bool) -> String {
    if arrays {
        format!("{}{}", "[".repeat(depth), "]".repeat(depth))
    } else {
        format!("{}null{}", "{\"id\":".repeat(depth), "}".repeat(depth))
    }
}

#[test]
fn every_field_survives_each_kind_of_damage() {
    on_worker_stack(every_field_survives_each_kind_of_damage_inner);
}

fn every_field_survives_each_kind_of_damage_inner() {
    let huge = Value::from("\u{e9}x".repeat(1 << 19));
    let long = Value::from("\u{e9}x".repeat(1 << 11));
    let damage: Vec<(&str, Value)> = vec![
        ("null", Value::Null),
        ("true", Value::Bool(true)),
        ("negative", Value::from(-1)),
        ("float", Value::from(1.5)),
        ("u64::MAX", Value::from(u64::MAX)),
        ("1e300", serde_json::json!(1e300)),
        ("numeric string", Value::from("12")),
        ("empty string", Value::from("")),
        ("text", Value::from("not a number \u{1F600}")),
        ("array", serde_json::json!([1, "two", null])),
        ("object", serde_json::json!({"id": "x"})),
    ];
    let mut cases = 0;
    for f in fixtures() {
        let at = record_pointer(f);
        let keys: Vec<String> = f
            .value
            .pointer(at)
            .unwrap()
            .as_object()
            .unwrap()
            .keys()
            .cloned()
            .collect();
        for key in &keys {
            let field = format!("{at}/{key}");
            let check = |what: &str, body: Vec<u8>| {
                if decode_guarded(f.kind, &body).is_err() {
                    panic!("{:?}: panicked with {field} {what}", f.kind);
                }
            };
            check(
                "deleted",
                with(f, at, |r| drop(r.as_object_mut().unwrap().remove(key))),
            );
            for (what, value) in &damage {
                check(what, with(f, &field, |v| *v = value.clone()));
                cases += 1;
            }
            // An id or count sent as a string is read; a 1 MB string is an error.
            if let Some(n) = f.value.pointer(&field).and_then(Value::as_u64) {
                let body = with(f, &field, |v| *v = Value::from(n.to_string()));
                check("as a string", body);
            }
            // 1 MB in the fields every record has (a debug build parses about
            // 30 MB/s), 4 KB in the others.
            if ["id", "updated_at", "name"].contains(&key.as_str()) {
                check("1 MB string", with(f, &field, |v| *v = huge.clone()));
            } else {
                check("4 KB string", with(f, &field, |v| *v = long.clone()));
            }
        }
        // Unknown fields are ignored, however odd their values...
        for value in [
            huge.clone(),
            mutate::nested(100, true),
            mutate::nested(100, false),
        ] {
            let body = with(f, at, |r| {
                r.as_object_mut()
                    .unwrap()
                    .insert("zz_unknown".into(), value);
            });
            assert_eq!(
                decode_guarded(f.kind, &body),
                Ok(Ok(())),
                "{:?}: an unknown field broke the record",
                f.kind
            );
        }
        // ...even 10k deep: serde_json skips them without recursing.
        for deep in [deep_text(10_000, true), deep_text(10_000, false)] {
            let slot = format!("{at}/id");
            let id = f.value.pointer(&slot).expect("an id").to_string();
            let body = with_raw(f, &slot, &format!("{id}, \"zz_unknown\": {deep}"));
            let result = decode_guarded(f.kind, &body);
            assert_eq!(result, Ok(Ok(())), "{:?}", f.kind);
        }
        let body = with(f, "", |r| {
            r.as_object_mut()
                .unwrap()
                .insert("zz_unknown".into(), Value::from(1));
        });
        assert_eq!(decode_guarded(f.kind, &body), Ok(Ok(())), "{:?}", f.kind);
    }
    assert!(cases > 500, "only {cases} cases");
}

#[test]
fn truncated_deeply_nested_and_non_utf8_bodies_are_errors() {
    on_worker_stack(truncated_deeply_nested_and_non_utf8_bodies_are_errors_inner);
}

fn truncated_deeply_nested_and_non_utf8_bodies_are_errors_inner() {
    for f in fixtures() {
        // Cut after every byte: never a panic, and every cut is an error
        // (a JSON object is only complete with its last brace).
        let stride = if f.kind == Kind::Person { 1 } else { 11 };
        for at in (0..f.body.trim_ascii_end().len()).step_by(stride) {
            let result = decode_guarded(f.kind, &f.body[..at]);
            assert!(
                matches!(result, Ok(Err(_))),
                "{:?}: cut at byte {at} gave {result:?}",
                f.kind
            );
        }
        let at = record_pointer(f);
        let keys: Vec<String> = f
            .value
            .pointer(at)
            .unwrap()
            .as_object()
            .unwrap()
            .keys()
            .cloned()
            .collect();
        // 10k-deep values in every field: no panic, no stack overflow; in a
        // field the record has (`id`), an error.
        for key in &keys {
            let field = format!("{at}/{key}");
            for deep in [deep_text(10_000, true), deep_text(10_000, false)] {
                let result = decode_guarded(f.kind, &with_raw(f, &field, &deep));
                assert!(result.is_ok(), "{:?} {field} panicked", f.kind);
                if key == "id" {
                    assert!(matches!(result, Ok(Err(_))), "{:?} {field}", f.kind);
                }
            }
        }
        // Invalid UTF-8 anywhere: no panic (inside an ignored field's string
        // serde_json may skip it); inside a string the record reads, an error.
        for at in (0..f.body.len()).step_by(97) {
            let mut bad = f.body.clone();
            bad.splice(at..at, [0xed, 0xa0, 0x80]);
            assert!(decode_guarded(f.kind, &bad).is_ok(), "{:?} at {at}", f.kind);
        }
        let body = with(f, &format!("{at}/updated_at"), |v| *v = Value::from("@@"));
        let at = body
            .windows(2)
            .position(|w| w == b"@@")
            .expect("the marker");
        let mut bad = body.clone();
        bad.splice(at..at + 2, [0xed, 0xa0, 0x80]);
        let result = decode_guarded(f.kind, &bad);
        assert!(matches!(result, Ok(Err(_))), "{:?}: {result:?}", f.kind);
        for garbage in [
            &b""[..],
            b"null",
            b"[]",
            b"\"data\"",
            b"{\"data\":null}",
            b"\x00\xff\xfe",
        ] {
            assert!(
                matches!(decode_guarded(f.kind, garbage), Ok(Err(_))),
                "{:?} accepted {garbage:?}",
                f.kind
            );
        }
    }
}
