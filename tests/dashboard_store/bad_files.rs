//! Store files that cannot be used: damaged, missing, foreign or newer ones are
//! named or ignored, never overwritten.

use super::*;

#[test]
fn a_damaged_store_is_reported_and_ignored() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let path = dir.join("work.sqlite");
    std::fs::write(
        &path,
        b"this is not a database, just some bytes".repeat(200),
    )
    .expect("write");
    let load = load_first(&path, "http://x/v2");
    let StoreLoad::Failed(message) = &load else {
        panic!("a damaged store is refused: {load:?}");
    };
    assert!(message.contains(&path.display().to_string()), "{message}");
    assert!(message.contains("sltui sync"), "says what to do: {message}");

    let mut s = live_state();
    stored::apply_load(&mut s, load);
    assert!(!s.conn.store.stale);
    assert!(s.cadences.list.cadences.is_empty());
    let text = screen(&s, 160);
    assert!(text.contains("not a valid sltui database"), "{text}");
    // The dashboard goes on as without a store.
    let fx = init(&mut s);
    assert!(
        fx.iter()
            .any(|e| matches!(e.request(), Some(sltui::worker::Request::Cadences)))
    );
    // The file is left untouched.
    assert_eq!(
        std::fs::read(&path).expect("read").len(),
        b"this is not a database, just some bytes".len() * 200
    );
}

#[test]
fn a_missing_or_foreign_store_changes_nothing_or_is_named() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let path = dir.join("none.sqlite");
    assert!(matches!(load_first(&path, "s"), StoreLoad::Absent));
    assert!(!path.exists(), "loading never creates the file");

    // An empty store (created, never synced) is as good as none.
    drop(Store::open(&path).expect("create"));
    assert!(matches!(load_first(&path, "s"), StoreLoad::Absent));

    // Another server's data is not shown.
    let store = Store::open(&path).expect("open");
    store
        .set_meta(start::SERVER_KEY, "http://other/v2")
        .expect("meta");
    drop(store);
    match load_first(&path, "http://mine/v2") {
        StoreLoad::Failed(m) => assert!(m.contains("http://other/v2"), "{m}"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn newer_schema_store_is_reported() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let path = dir.join("work.sqlite");
    drop(Store::open(&path).expect("create"));
    {
        let conn = rusqlite::Connection::open(&path).expect("sqlite");
        conn.execute_batch(&format!(
            "PRAGMA user_version = {}",
            sltui::store::SCHEMA_VERSION + 5
        ))
        .expect("bump");
    }
    match load_first(&path, "s") {
        StoreLoad::Failed(m) => assert!(m.contains("newer sltui"), "{m}"),
        other => panic!("{other:?}"),
    }
}
