//! Hostile config files (issue 4): wrong types, unknown keys, broken TOML, huge
//! files and values, binary garbage, bad key specs in `[keys]`, unknown profiles
//! and unreadable files. Each is an error naming the file, the line (where TOML
//! gives one) and what is wrong, never a panic; through the real binary, one line
//! on stderr and exit status 1.

#[path = "hostile_config/cli.rs"]
mod cli;
mod e2e_support;

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};

use e2e_support::TempHome;
use sltui::config::{self, ConfigError, DEFAULT_CONFIG, MAX_CONFIG_BYTES};

const PATH: &str = "/home/u/.config/sltui/config.toml";

fn parse(text: &str) -> Result<config::Config, ConfigError> {
    config::parse(Path::new(PATH), text)
}

/// The error for `text`, its line (if any) and its text; fails on success.
fn rejected(text: &str) -> (Option<usize>, String) {
    let e = parse(text).expect_err(&format!("{text:?} should be rejected"));
    let line = match &e {
        ConfigError::Syntax { line, .. } => Some(*line),
        _ => None,
    };
    let message = e.to_string();
    assert!(message.contains(PATH), "no path: {message}");
    assert!(message.len() < 600, "{} bytes: {message}", message.len());
    (line, message)
}

fn assert_rejected_at(text: &str, line: usize, needles: &[&str]) {
    let (at, message) = rejected(text);
    assert_eq!(at, Some(line), "{text:?}: {message}");
    for n in needles {
        assert!(
            message.contains(n),
            "{text:?}: `{n}` missing from {message}"
        );
    }
}

#[test]
fn wrong_types_are_named_at_their_line() {
    for (text, line, needles) in [
        (
            "default_profile = 5\n",
            1,
            &["default_profile", "string"][..],
        ),
        ("[ui]\nrefresh_secs = \"five\"\n", 2, &["whole number"]),
        ("[ui]\nrefresh_secs = -3\n", 2, &["refresh_secs"]),
        ("[ui]\nrefresh_secs = 1e9\n", 2, &["whole number"]),
        ("[ui]\ntime_range_days = true\n", 2, &["whole number"]),
        ("[ui]\ntheme = 7\n", 2, &["theme"]),
        ("ui = 3\n", 1, &["ui"]),
        ("profiles = [1, 2]\n", 1, &["profiles"]),
        ("[profiles]\nwork = \"x\"\n", 2, &["work"]),
        ("[profiles.w]\nread_only = \"yes\"\n", 2, &["true or false"]),
        (
            "[profiles.w]\nbudget_reserve = \"lots\"\n",
            2,
            &["budget_reserve"],
        ),
        (
            "[profiles.w]\nbudget_reserve = -0.5\n",
            2,
            &["between 0 and 1"],
        ),
        ("[profiles.w]\nbase_url = 443\n", 2, &["base_url"]),
        ("[profiles.w]\napi_key_env = [\"A\"]\n", 2, &["api_key_env"]),
        ("[keys]\nquit = 5\n", 2, &["quit"]),
        ("[keys]\nquit = [[\"q\"]]\n", 2, &["quit"]),
        ("[keys]\nquit = {}\n", 2, &["quit"]),
    ] {
        assert_rejected_at(text, line, needles);
    }
}

#[test]
fn sections_that_are_not_tables_are_refused_naming_the_section() {
    // serde would read an array positionally: `ui = []` as the defaults, `ui = [7]`
    // as `refresh_secs = 7`.
    for (text, line, needles) in [
        (
            "ui = []\n",
            1,
            &["ui: invalid type: array", "the [ui] table"][..],
        ),
        (
            "ui = [7]\n",
            1,
            &["ui: invalid type: array", "the [ui] table"],
        ),
        ("ui = [7, 0, \"mono\"]\n", 1, &["the [ui] table"]),
        (
            "[[ui]]\nrefresh_secs = 7\n",
            1,
            &["array", "the [ui] table"],
        ),
        ("webhooks = []\n", 1, &["webhooks:", "the [webhooks] table"]),
        (
            "webhooks = [\"127.0.0.1:9000\", \"TOKEN\"]\n",
            1,
            &["the [webhooks] table"],
        ),
        (
            "[profiles]\nwork = []\n",
            2,
            &["work:", "the [profiles.NAME] table"],
        ),
        (
            "[[profiles.work]]\napi_key_env = \"WORK_KEY\"\n",
            1,
            &["the [profiles.NAME] table"],
        ),
        (
            "[profiles.w]\noauth = []\n",
            2,
            &["oauth:", "the [profiles.NAME.oauth] table"],
        ),
        (
            "[profiles.w]\noauth = \"x\"\n",
            2,
            &["oauth:", "the [profiles.NAME.oauth] table"],
        ),
        (
            "keys = []\n",
            1,
            &["keys: invalid type: array, expected a table"],
        ),
    ] {
        assert_rejected_at(text, line, needles);
    }
    // An empty table is meaningful: the section's defaults.
    let empty = parse("ui = {}\nwebhooks = {}\n").expect("empty tables are the defaults");
    assert_eq!(empty, config::Config::default());
}

#[test]
fn unknown_keys_are_named_at_their_line() {
    for (text, line, name) in [
        ("colour = \"red\"\n", 1, "colour"),
        ("[ui]\nrefresh = 5\n", 2, "refresh"),
        ("[ui]\n\n\nthemes = \"mono\"\n", 4, "themes"),
        ("[profiles.w]\nbase_uri = \"https://x\"\n", 2, "base_uri"),
        ("[nonsense]\nx = 1\n", 1, "nonsense"),
        ("[keys]\nfrobnicate = \"x\"\n", 2, "frobnicate"),
    ] {
        assert_rejected_at(text, line, &[name]);
    }
}

#[test]
fn broken_toml_gives_line_and_column() {
    for (text, line) in [
        ("default_profile = \"demo\n", 1),
        ("[ui\nrefresh_secs = 5\n", 1),
        ("[ui]\nrefresh_secs 5\n", 2),
        ("[ui]\nrefresh_secs = = 5\n", 2),
        ("[ui]\nrefresh_secs = 5\nrefresh_secs = 6\n", 3),
        ("[ui]\n[ui]\n", 2),
        ("a = 1\nb = [1, 2\n", 2),
        ("just some words\n", 1),
        ("[ui]\ntheme = 'mono\n", 2),
        ("x = \"\u{0}\"\n", 1),
        ("\u{feff}\u{feff}[ui]\n", 1),
        ("[profiles.w]\nread_only = truee\n", 2),
    ] {
        let (at, message) = rejected(text);
        assert_eq!(at, Some(line), "{text:?}: {message}");
        assert!(message.contains("column"), "{message}");
    }
}

#[test]
fn bad_key_specs_name_the_action_and_the_key() {
    for (text, needles) in [
        ("[keys]\nquit = \"\"\n", &["quit", "empty"][..]),
        ("[keys]\nquit = \"ctrl-\"\n", &["quit", "ctrl-"]),
        ("[keys]\nquit = \"hyper-q\"\n", &["quit", "hyper-q"]),
        ("[keys]\nquit = \"f99\"\n", &["quit", "f99"]),
        ("[keys]\nquit = \"qq\"\n", &["quit", "qq"]),
        ("[keys]\nquit = [\"q\", \"upp\"]\n", &["quit", "upp"]),
        // Two overrides claiming one key (an override may take a default's key).
        (
            "[keys]\nquit = \"x\"\nhelp = [\"h\", \"x\"]\n",
            &["`x`", "quit", "help"],
        ),
    ] {
        let (_, message) = rejected(text);
        for n in needles {
            assert!(
                message.contains(n),
                "{text:?}: `{n}` missing from {message}"
            );
        }
    }
}

#[test]
fn huge_values_are_cut_short_in_the_message() {
    let mb = "z".repeat(1 << 20);
    for text in [
        format!("[ui]\nrefresh_secs = \"{mb}\"\n"),
        format!("[keys]\n{mb} = \"x\"\n"),
        format!("[keys]\nquit = \"{mb}\"\n"),
        format!("[profiles.{mb}]\nbase_uri = 1\n"),
        format!("default_profile = \"demo\"\n{mb}\n"),
    ] {
        let (at, message) = rejected(&text);
        assert!(at.is_some(), "{message}");
        assert!(!message.contains(&"z".repeat(41)), "{message}");
    }
}

/// A file under `dir` holding `bytes`.
pub fn file(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, bytes).expect("write the config");
    path
}

fn load_err(path: &Path) -> ConfigError {
    config::load(path).expect_err("the config should be rejected")
}

#[test]
fn huge_files_non_text_and_unreadable_files_are_errors() {
    let home = TempHome::new("cfg-load");
    let dir = home.path();

    // Too big to be a config: refused without parsing.
    let big = vec![b'#'; MAX_CONFIG_BYTES as usize + 10];
    let e = load_err(&file(dir, "big.toml", &big));
    assert!(matches!(e, ConfigError::Invalid { .. }), "{e:?}");
    assert!(e.to_string().contains("larger than 1024 KiB"), "{e}");
    // Just under the limit, 50k lines: the error is on the last one.
    let mut long = "# comment\n".repeat(50_000);
    long.push_str("[ui]\nrefresh_secs = \"x\"\n");
    let e = load_err(&file(dir, "long.toml", long.as_bytes()));
    assert!(
        matches!(e, ConfigError::Syntax { line: 50_002, .. }),
        "{e:?}"
    );

    // Not UTF-8: the first bad byte's line and column.
    let e = load_err(&file(dir, "latin1.toml", b"[ui]\ntheme = \"caf\xe9\"\n"));
    assert!(
        matches!(
            e,
            ConfigError::Syntax {
                line: 2,
                column: 13,
                ..
            }
        ),
        "{e:?}"
    );
    assert!(e.to_string().contains("not UTF-8 text (byte 0xe9)"), "{e}");
    let utf16: Vec<u8> = "[ui]\n".encode_utf16().flat_map(u16::to_le_bytes).collect();
    let e = load_err(&file(
        dir,
        "utf16.toml",
        &[&[0xff, 0xfe][..], &utf16].concat(),
    ));
    assert!(
        matches!(
            e,
            ConfigError::Syntax {
                line: 1,
                column: 1,
                ..
            }
        ),
        "{e:?}"
    );
    // Binary garbage, valid UTF-8 or not: an error, never a panic.
    let mut rng = fastrand::Rng::with_seed(0x00C0_FFEE);
    for n in 0..50 {
        let bytes: Vec<u8> = (0..2000).map(|_| rng.u8(..)).collect();
        let path = file(dir, "garbage.toml", &bytes);
        let e = load_err(&path);
        assert!(e.to_string().contains("garbage.toml"), "{n}: {e}");
        let text: String = String::from_utf8_lossy(&bytes).into_owned();
        let e = parse(&text).expect_err("garbage text is rejected");
        assert!(e.to_string().len() < 600, "{e}");
    }

    // Unreadable: a directory, and (unless root reads everything) a mode-000 file.
    let e = load_err(dir);
    assert!(matches!(e, ConfigError::Read { .. }), "{e:?}");
    let text = e.to_string();
    assert!(
        text.contains(&dir.display().to_string()) && text.contains("--config"),
        "{text}"
    );
    // A named pipe would block a plain read forever.
    let fifo = dir.join("pipe.toml");
    let made = std::process::Command::new("mkfifo").arg(&fifo).status();
    assert!(made.is_ok_and(|s| s.success()), "mkfifo");
    let e = load_err(&fifo);
    assert!(e.to_string().contains("named pipe"), "{e}");
    let locked = file(dir, "locked.toml", b"[ui]\n");
    set_mode(&locked, 0o000);
    if std::fs::read(&locked).is_err() {
        let e = load_err(&locked);
        assert!(e.to_string().contains("ermission denied"), "{e}");
    }
    set_mode(&locked, 0o600);
}

fn set_mode(path: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).expect("chmod");
}

#[test]
fn an_unknown_profile_lists_the_known_ones() {
    let config = parse("[profiles.work]\napi_key_env = \"K\"\n").unwrap();
    let e = config.profile(Some("wrok")).expect_err("no such profile");
    assert!(matches!(e, ConfigError::UnknownProfile { .. }), "{e:?}");
    assert_eq!(
        e.to_string(),
        "unknown profile `wrok`; known profiles: demo, work"
    );
    let config = parse("default_profile = \"gone\"\n").unwrap();
    let e = config
        .profile(None)
        .expect_err("the default names no profile");
    assert!(e.to_string().contains("`gone`"), "{e}");
}

/// The shipped file with every example line uncommented: every section in use.
fn full_config() -> String {
    DEFAULT_CONFIG
        .lines()
        .map(|l| match l.strip_prefix('#') {
            Some(rest) if !rest.is_empty() && !rest.starts_with([' ', '#']) => rest,
            _ => l,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn mutated_configs_never_panic_and_point_inside_the_file() {
    let base = full_config();
    parse(&base).expect("the uncommented example parses");
    let lines: Vec<&str> = base.lines().collect();
    const SPICE: &[&str] = &[
        "=", "[", "]", "\"", "'", "{", "}", ",", "#", "\n", ".", "-", "1e999", "\u{0}", "é",
        "true", "\"\"\"", "[[x]]", "0x", "ctrl-",
    ];
    let mut rng = fastrand::Rng::with_seed(0x5EED_C0F1);
    let mut next = |n: usize| rng.usize(..n.max(1));
    let (mut ok, mut err) = (0, 0);
    for _ in 0..1500 {
        let mut l: Vec<String> = lines.iter().map(|s| s.to_string()).collect();
        for _ in 0..1 + next(3) {
            let i = next(l.len());
            match next(6) {
                // Everything was cut: only more cutting applies.
                _ if l.is_empty() => {}
                0 => drop(l.remove(i)),
                1 => l.insert(i, l[i].clone()),
                2 => {
                    let j = next(l.len());
                    l.swap(i, j)
                }
                3 => l.truncate(i),
                _ => {
                    let s = &mut l[i];
                    let mut at = next(s.len() + 1);
                    while !s.is_char_boundary(at) {
                        at -= 1;
                    }
                    s.insert_str(at, SPICE[next(SPICE.len())]);
                }
            }
        }
        let text = l.join("\n");
        match catch_unwind(AssertUnwindSafe(|| parse(&text))) {
            Err(_) => panic!("parse panicked on:\n{text}"),
            Ok(Ok(_)) => ok += 1,
            Ok(Err(e)) => {
                err += 1;
                let message = e.to_string();
                assert!(message.len() < 600, "{message}");
                if let ConfigError::Syntax { line, column, .. } = e {
                    let count = text.split('\n').count();
                    assert!(
                        line >= 1 && line <= count,
                        "line {line} of {count}: {message}"
                    );
                    assert!(column >= 1, "{message}");
                }
            }
        }
    }
    assert!(ok > 100 && err > 500, "{ok} parsed, {err} rejected");
}
