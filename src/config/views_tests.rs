//! Tests of `[[views]]`: parsing, the warning, saving.

use super::*;

fn view(name: &str) -> SavedView {
    SavedView {
        name: name.into(),
        filter: "is:team q3".into(),
        state: "active".into(),
        sort: Some(("reply".into(), Some(true))),
        range_days: Some(7),
        columns: Some(vec!["id".into(), "name".into(), "reply".into()]),
        ..SavedView::default()
    }
}

#[test]
fn saving_keeps_the_files_comments_and_other_content() {
    let text = "# my settings\ndefault_profile = \"work\" # the team\n\n[ui]\n# faster\nrefresh_secs = 2\n\n[keys]\n# the defaults:\n#quit = \"q\"\n\n[[alerts]]\nname = \"r\"\nmetric = \"reply_rate\"\nbelow = 0.02\ndays = 7\n";
    let out = with_view(text, &view("EMEA")).unwrap();
    assert!(
        out.starts_with(text),
        "the old text stays as it was:\n{out}"
    );
    let config = crate::config::parse(Path::new("c.toml"), &out).unwrap();
    assert_eq!(config.views.views, [view("EMEA")]);
    assert_eq!(config.alerts.len(), 1);
    assert_eq!(config.ui.refresh_secs, 2);
    // Saved again under the same name: replaced in place, not added.
    let mut changed = view("EMEA");
    changed.filter = "webinar".into();
    changed.sort = None;
    let again = with_view(&out, &changed).unwrap();
    assert_eq!(again.matches("[[views]]").count(), 1, "{again}");
    assert!(again.starts_with(text));
    let config = crate::config::parse(Path::new("c.toml"), &again).unwrap();
    assert_eq!(config.views.views, [changed]);
    // The shipped config: its commented defaults stay where they are, the
    // view goes after everything.
    let shipped = crate::config::DEFAULT_CONFIG;
    let saved = with_view(shipped, &view("EMEA")).unwrap();
    assert!(saved.starts_with(shipped));
    let config = crate::config::parse(Path::new("c.toml"), &saved).unwrap();
    assert_eq!(config.views.views, [view("EMEA")]);
    // A second name is a second entry.
    let two = with_view(&again, &view("US")).unwrap();
    let config = crate::config::parse(Path::new("c.toml"), &two).unwrap();
    let names: Vec<&str> = config.views.views.iter().map(|v| v.name.as_str()).collect();
    assert_eq!(names, ["EMEA", "US"]);
}

#[test]
fn a_bad_entry_is_named_and_skipped_and_the_rest_loads() {
    let text = "[ui]\nrefresh_secs = 3\n\n[[views]]\nname = \"good\"\nsort = \"sent\"\n\n\
                [[views]]\nname = \"typo\"\nsort = \"replies\"\n\n\
                [[views]]\nname = \"extra\"\ncolour = \"red\"\n\n\
                [[views]]\nfilter = \"no name\"\n";
    let config = crate::config::parse(Path::new("c.toml"), text).unwrap();
    assert_eq!(config.ui.refresh_secs, 3);
    let names: Vec<&str> = config.views.views.iter().map(|v| v.name.as_str()).collect();
    assert_eq!(names, ["good"]);
    let e: Vec<String> = config
        .views
        .errors
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(e.len(), 3, "{e:?}");
    assert!(
        e[0].starts_with("entry 2 (\"typo\"): sort \"replies\" is not one of"),
        "{}",
        e[0]
    );
    assert!(
        e[1].starts_with("entry 3 (\"extra\"): ") && e[1].contains("colour"),
        "{}",
        e[1]
    );
    assert!(
        e[2].starts_with("entry 4: ") && e[2].contains("name"),
        "{}",
        e[2]
    );
    // One warning names them all; the details give every reason.
    assert_eq!(
        config.views.warning().unwrap(),
        "config [[views]] skipped (\":\" then \"view\" says why): 2 \"typo\", 3 \"extra\", 4"
    );
    let d = config.views.details().unwrap();
    assert!(
        d.starts_with("config [[views]] skipped (fix or remove them): entry 2 (\"typo\"): sort"),
        "{d}"
    );
    assert!(
        d.contains("; entry 3 (\"extra\"): ") && d.contains("; entry 4: "),
        "{d}"
    );
    let none = crate::config::parse(Path::new("c.toml"), "").unwrap();
    assert_eq!((none.views.warning(), none.views.details()), (None, None));
}

#[test]
fn people_and_detail_views_round_trip_and_refuse_the_other_tables_fields() {
    let people = SavedView {
        name: "CFOs".into(),
        table: ViewTable::People,
        query: "cfo acme".into(),
        ids: true,
        state: "all".into(),
        ..SavedView::default()
    };
    let detail = SavedView {
        name: "Q3 weekly".into(),
        table: ViewTable::Detail,
        cadence: Some(25623),
        range_days: Some(90),
        chart: Some("weekly".into()),
        state: "all".into(),
        ..SavedView::default()
    };
    let text = with_view(&with_view("", &people).unwrap(), &detail).unwrap();
    assert!(
        text.contains("table = \"people\"") && text.contains("query = \"cfo acme\""),
        "{text}"
    );
    assert!(
        !text.contains("filter"),
        "a people view writes no cadences fields: {text}"
    );
    let config = crate::config::parse(Path::new("c.toml"), &text).unwrap();
    assert_eq!(config.views.views, [people, detail]);
    assert!(config.views.errors.is_empty());
    let bad = "[[views]]\nname = \"p\"\ntable = \"people\"\nsort = \"sent\"\nrange_days = 7\n\n\
               [[views]]\nname = \"d\"\ntable = \"detail\"\n\n\
               [[views]]\nname = \"c\"\nquery = \"x\"\n\n\
               [[views]]\nname = \"t\"\ntable = \"person\"\n";
    let config = crate::config::parse(Path::new("c.toml"), bad).unwrap();
    let e: Vec<String> = config
        .views
        .errors
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(e.len(), 4, "{e:?}");
    assert!(
        e[0].contains("sort, range_days not for a people view"),
        "{}",
        e[0]
    );
    assert!(e[1].contains("needs `cadence = ID`"), "{}", e[1]);
    assert!(e[2].contains("query not for a cadences view"), "{}", e[2]);
    assert!(
        e[3].contains("table \"person\" is not one of cadences, people, detail"),
        "{}",
        e[3]
    );
}

#[test]
fn save_writes_through_a_temporary_file_and_keeps_the_mode() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("config.toml");
    std::fs::write(&path, "# mine\n[ui]\nrefresh_secs = 4\n").unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
    save(&path, &view("EMEA")).unwrap();
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(
        text.starts_with("# mine\n[ui]\nrefresh_secs = 4\n"),
        "{text}"
    );
    assert!(text.contains("name = \"EMEA\""));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
    }
    assert!(!dir.path().join("config.toml.tmp").exists());
    // A file that is not TOML is not overwritten.
    std::fs::write(&path, "this is = = not toml").unwrap();
    let e = save(&path, &view("EMEA")).unwrap_err();
    assert!(e.contains("not valid TOML"), "{e}");
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        "this is = = not toml"
    );
}
