//! End-to-end: the real `sltui` dashboard in a pseudo-terminal (a private tmux
//! server), driven by keys and read from the screen. No fixed sleeps: every step
//! waits for text, with a generous deadline; a failure prints the screen.
//!
//! Requires tmux: without it these tests fail (they never skip silently).

mod e2e_support;

use std::collections::BTreeSet;

use e2e_support::{Api, TempHome, Tmux, data, selected_row};
use serde_json::Value;
use sltui::config::keymap::Keymap;
use sltui::sim::{SimConfig, SimHandle};

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a runtime")
}

fn start_sim(rt: &tokio::runtime::Runtime, api_key: &str) -> SimHandle {
    rt.block_on(sltui::sim::start(SimConfig {
        addr: ([127, 0, 0, 1], 0).into(),
        people: 300,
        cadences: 10,
        live: false,
        api_key: api_key.to_string(),
        ..SimConfig::default()
    }))
    .expect("start the simulator")
}

fn str_field<'a>(v: &'a Value, k: &str) -> &'a str {
    v.get(k).and_then(Value::as_str).unwrap_or_default()
}

fn id(v: &Value) -> u64 {
    v.get("id").and_then(Value::as_u64).expect("an id")
}

/// The name the dashboard shows for a person (as `Person::label`).
fn label(p: &Value) -> String {
    let display = str_field(p, "display_name");
    if !display.is_empty() {
        return display.to_string();
    }
    [str_field(p, "first_name"), str_field(p, "last_name")]
        .iter()
        .filter(|s| !s.is_empty())
        .copied()
        .collect::<Vec<_>>()
        .join(" ")
}

fn cadence_active(c: &Value) -> bool {
    match c.get("current_state").and_then(Value::as_str) {
        Some(s) => s == "active",
        None => c["draft"] != Value::Bool(true) && c["archived_at"].is_null(),
    }
}

/// The shortest run of leading words of `name` that matches no other cadence in
/// the picker (which keeps names containing every typed word), if any.
fn unique_filter(name: &str, all: &[String]) -> Option<String> {
    let words: Vec<&str> = name.split_whitespace().collect();
    (1..=words.len()).find_map(|n| {
        let typed = words[..n].join(" ").to_lowercase();
        let hits = all
            .iter()
            .filter(|other| {
                let other = other.to_lowercase();
                typed.split_whitespace().all(|w| other.contains(w))
            })
            .count();
        (hits == 1).then_some(typed)
    })
}

/// Part of the last name: all but its last letter when it is longer than four.
fn part_of(last: &str) -> String {
    let n = last.chars().count();
    let keep = if n > 4 { n - 1 } else { n };
    last.chars().take(keep).collect()
}

struct Plan {
    person_id: u64,
    name: String,
    typed: String,
    cadence_id: u64,
    cadence: String,
    filter: String,
    memberships_before: usize,
}

/// Picks, through the simulator's API, a person (the first one the API lists when
/// possible) with a name no one else has, and an active cadence the key's user may
/// add people to (a team cadence or their own) that the person has never been on.
fn plan(rt: &tokio::runtime::Runtime, api: &Api) -> Plan {
    let me = api.get(rt, "me.json");
    let me_id = id(&me["data"]);
    let first = api.get(rt, "people?per_page=1");
    let first = data(&first).first().expect("the team has people").clone();
    let people = api.all(rt, "people", "");
    let cadences = api.all(rt, "cadences", "");
    let names: Vec<String> = cadences
        .iter()
        .map(|c| str_field(c, "name").to_string())
        .collect();
    let eligible: Vec<(&Value, String)> = cadences
        .iter()
        .filter(|c| cadence_active(c))
        .filter(|c| {
            c["team_cadence"] == Value::Bool(true)
                || c.pointer("/owner/id").and_then(Value::as_u64) == Some(me_id)
        })
        .filter_map(|c| unique_filter(str_field(c, "name"), &names).map(|f| (c, f)))
        .collect();
    assert!(
        !eligible.is_empty(),
        "no active team cadence with a distinctive name in {names:?}"
    );
    let candidates = std::iter::once(&first).chain(people.iter());
    for p in candidates {
        let name = label(p);
        let last = str_field(p, "last_name");
        if last.chars().count() < 3 || people.iter().filter(|q| label(q) == name).count() != 1 {
            continue;
        }
        let pid = id(p);
        let ms = api.all(rt, "cadence_memberships", &format!("person_id={pid}"));
        let on: BTreeSet<u64> = ms
            .iter()
            .filter_map(|m| m.pointer("/cadence/id").and_then(Value::as_u64))
            .collect();
        if let Some((c, filter)) = eligible.iter().find(|(c, _)| !on.contains(&id(c))) {
            return Plan {
                person_id: pid,
                name,
                typed: part_of(last),
                cadence_id: id(c),
                cadence: str_field(c, "name").to_string(),
                filter: filter.clone(),
                memberships_before: ms.len(),
            };
        }
    }
    panic!("no person/cadence pair to enroll in the simulated team");
}

/// The focused button of the confirm dialog: the one right after the `▶` marker.
fn focused_button(screen: &str) -> Option<&'static str> {
    let line = screen.lines().find(|l| l.contains("[ Cancel ]"))?;
    let compact: String = line.chars().filter(|c| *c != ' ').collect();
    if compact.contains("▶[Cancel]") {
        Some("Cancel")
    } else if compact.contains("▶[Enroll]") {
        Some("Enroll")
    } else {
        None
    }
}

/// The inside of the help popup (between its top and bottom borders).
fn help_body(screen: &str) -> String {
    screen
        .lines()
        .skip_while(|l| !l.contains("╭ Help"))
        .skip(1)
        .take_while(|l| !l.contains('╰'))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Checks that the dashboard is gone and the terminal is back to normal.
fn assert_restored(tui: &Tmux) {
    let (status, tty, screen) = tui.wait_for_exit();
    assert_eq!(status, "0", "sltui should exit 0; the screen:\n{screen}");
    assert_eq!(
        tty, "icanon echo",
        "the tty must be back in canonical mode with echo (not raw); the screen:\n{screen}"
    );
    assert_eq!(
        tui.format("#{alternate_on}"),
        "0",
        "the alternate screen must be left; the screen:\n{screen}"
    );
    assert_eq!(
        tui.format("#{cursor_flag}"),
        "1",
        "the cursor must be visible again"
    );
    assert!(
        !screen.contains("1 Cadences") && !screen.contains("budget"),
        "the dashboard must not be left on the normal screen:\n{screen}"
    );
}

/// Issue 3: find a person by typing part of their name, enroll them into a cadence
/// with the keys, and check through the simulator's API that exactly one membership
/// was created.
#[test]
fn enroll_a_person_found_by_name_through_the_keys() {
    const KEY: &str = "e2e-tui-key-5f2c";
    e2e_support::require_tmux();
    let rt = runtime();
    let sim = start_sim(&rt, KEY);
    let api = Api::new(&sim.base_url(), KEY);
    let plan = plan(&rt, &api);
    let total_people = api.all(&rt, "people", "").len();
    eprintln!(
        "plan: type {:?} to find {} (person {}), filter {:?} to pick {:?} (cadence {})",
        plan.typed, plan.name, plan.person_id, plan.filter, plan.cadence, plan.cadence_id
    );

    let home = TempHome::new("tui");
    let base_url = sim.base_url();
    let tui = Tmux::start(&home, &["--base-url", &base_url, "--api-key", KEY], 120, 40);

    // The cadences table; the status bar names the server (this is not the demo).
    let screen = tui.wait_text(&["Cadences (10)", &plan.cadence]);
    let server = base_url
        .trim_start_matches("http://")
        .trim_end_matches("/v2");
    let status = screen
        .lines()
        .find(|l| l.contains("budget"))
        .unwrap_or_default();
    assert!(
        status.contains(server) && !status.to_lowercase().contains("demo"),
        "the status bar should name {server}, not the demo:\n{screen}"
    );

    // People: search by part of the last name once the index is complete.
    tui.keys(&["2"]);
    tui.wait_text(&[&format!("{total_people} people indexed")]);
    tui.keys(&["/"]);
    tui.wait_text(&["search: ▏"]);
    tui.type_text(&plan.typed);
    let cell = format!(" {} ", plan.name);
    let screen = tui.wait_for(&format!("{} in the results", plan.name), |s| {
        s.contains(&format!("search: {}▏", plan.typed)) && s.contains(&cell)
    });
    // Enter keeps the query and leaves the input; then move to the person.
    tui.keys(&["Enter"]);
    tui.wait_for("the search input to lose focus", |s| {
        s.contains(&format!("search: {} ", plan.typed)) && !s.contains('▏')
    });
    let target = screen
        .lines()
        .position(|l| l.contains(&cell))
        .expect("the person's row");
    let (sel, _) = selected_row(&screen)
        .unwrap_or_else(|| panic!("no selected row in the results:\n{screen}"));
    let key = if target > sel { "j" } else { "k" };
    for _ in 0..target.abs_diff(sel) {
        tui.keys(&[key]);
    }
    tui.wait_for(&format!("{} selected", plan.name), |s| {
        selected_row(s).is_some_and(|(_, l)| l.contains(&cell))
    });

    // Mark with space, enroll with e.
    tui.keys(&["Space"]);
    tui.wait_for(&format!("{} marked", plan.name), |s| {
        s.contains("1 marked") && s.lines().any(|l| l.contains(&cell) && l.contains('●'))
    });
    tui.keys(&["e"]);
    tui.wait_text(&[
        &format!("Enroll {}: pick a cadence", plan.name),
        "filter cadences: ▏",
    ]);
    tui.type_text(&plan.filter);
    tui.wait_for(&format!("the picker filtered to {}", plan.cadence), |s| {
        s.contains(&format!("filter cadences: {}▏", plan.filter))
            && s.contains(&format!("▶ {}", plan.cadence))
    });
    tui.keys(&["Enter"]);
    // The optional starting step: keep the first one once the steps are listed.
    tui.wait_text(&[
        "starting step",
        "where should they start?",
        "The first step (default)",
    ]);
    tui.keys(&["Enter"]);

    // Confirm: Cancel is focused; move to Enroll, then press enter.
    let screen = tui.wait_text(&["Confirm enrollment", &plan.cadence, "[ Enroll ]"]);
    eprintln!("the confirm dialog:\n{screen}");
    assert_eq!(
        focused_button(&screen),
        Some("Cancel"),
        "Cancel must be focused first:\n{screen}"
    );
    assert!(
        screen.contains(&format!("• {}", plan.name)),
        "the dialog names the person:\n{screen}"
    );
    tui.keys(&["Tab"]);
    tui.wait_for("Enroll focused", |s| focused_button(s) == Some("Enroll"));
    tui.keys(&["Enter"]);
    let screen = tui.wait_for(&format!("✓ {} enrolled", plan.name), |s| {
        s.contains(&format!("✓ {} enrolled", plan.name)) || s.contains("✗ ")
    });
    eprintln!("after confirming:\n{screen}");
    assert!(
        screen.contains(&format!("✓ {} enrolled", plan.name)) && !screen.contains("✗ "),
        "the enrollment should succeed:\n{screen}"
    );
    assert!(
        screen.contains(&format!("\"{}\": 1 enrolled", plan.cadence)),
        "the task line tallies it:\n{screen}"
    );

    // The simulator has exactly one membership for the pair, and one more in all.
    let pair = api.get(
        &rt,
        &format!(
            "cadence_memberships?person_id={}&cadence_id={}",
            plan.person_id, plan.cadence_id
        ),
    );
    let found = data(&pair);
    assert_eq!(found.len(), 1, "exactly one membership: {pair}");
    assert_eq!(
        found[0].pointer("/person/id").and_then(Value::as_u64),
        Some(plan.person_id)
    );
    assert_eq!(
        found[0].pointer("/cadence/id").and_then(Value::as_u64),
        Some(plan.cadence_id)
    );
    let after = api.all(
        &rt,
        "cadence_memberships",
        &format!("person_id={}", plan.person_id),
    );
    assert_eq!(
        after.len(),
        plan.memberships_before + 1,
        "one membership was created, no more"
    );

    // q quits and the terminal is restored.
    tui.keys(&["q"]);
    assert_restored(&tui);

    // Nothing sltui wrote under its home holds the key.
    for f in home.files() {
        if f.ends_with("run.sh") {
            continue; // the test's own script passes it on the command line
        }
        let text = String::from_utf8_lossy(&std::fs::read(&f).unwrap_or_default()).into_owned();
        assert!(!text.contains(KEY), "{} contains the API key", f.display());
    }
}

/// No credentials and a fresh home: demo mode with the DEMO badge at 80x24, and
/// `?` lists every key of the live keymap.
#[test]
fn demo_mode_without_credentials_shows_the_badge_and_the_help() {
    e2e_support::require_tmux();
    let home = TempHome::new("demo");
    let tui = Tmux::start(&home, &[], 80, 24);
    let screen = tui.wait_for("the DEMO badge and the loaded cadences", |s| {
        s.contains(" DEMO ") && s.contains("Cadences (") && !s.contains("Cadences (0)")
    });
    eprintln!("demo mode at 80x24:\n{screen}");
    let status = screen
        .lines()
        .find(|l| l.contains(" DEMO "))
        .unwrap_or_default();
    assert!(
        status.contains("budget"),
        "the badge sits in the status bar next to the budget:\n{screen}"
    );
    // The first run wrote the default config in the temporary home.
    assert!(
        home.path()
            .join("config")
            .join("sltui")
            .join("config.toml")
            .is_file(),
        "the default config goes to XDG_CONFIG_HOME"
    );

    // The demo team's first engagement load is big: it asks first, Cancel
    // focused, and says what it costs of the team's minute.
    let asked = tui.wait_text(&["This load is big", "points in", "600-point", "[ Cancel ]"]);
    let buttons = asked
        .lines()
        .find(|l| l.contains("[ Load ]"))
        .unwrap_or_default();
    assert!(
        buttons.contains("▶ [ Cancel ]"),
        "Cancel is focused:\n{asked}"
    );
    tui.keys(&["Right", "Enter"]);
    tui.wait_for("the loaded rates", |s| {
        !s.contains("This load is big") && s.contains('%')
    });

    // Help: every binding of the default keymap, with its description, seen while
    // scrolling from the top to the bottom.
    tui.keys(&["?"]);
    const END: &str = "\"—\" means there is nothing to divide by yet.";
    let mut seen = tui.wait_text(&["Help", "Keys (from your keymap"]);
    let mut screen = seen.clone();
    while !screen.contains(END) {
        tui.keys(&["j"]);
        let before = screen;
        screen = tui.wait_for("the help to scroll down", |s| {
            help_body(s) != help_body(&before)
        });
        seen.push_str(&screen);
    }
    eprintln!("the help, scrolled to the end:\n{screen}");
    let help_lines: Vec<String> = seen
        .lines()
        .map(|l| l.trim_matches(|c: char| " │┌┐└┘".contains(c)).to_string())
        .collect();
    for (action, keys) in Keymap::default().bindings() {
        let keys = keys.join(", ");
        let desc = action.description();
        assert!(
            help_lines
                .iter()
                .any(|l| l.starts_with(&keys) && l.ends_with(desc)),
            "help should list `{keys}  {desc}` in full at 80x24; seen:\n{seen}"
        );
    }

    // Scrolling back up works from the bottom (G, then k).
    tui.keys(&["G"]);
    let bottom = help_body(&tui.wait_text(&[END]));
    tui.keys(&["k"]);
    tui.wait_for("the help to scroll up after G", |s| {
        !help_body(s).is_empty() && help_body(s) != bottom
    });

    // ? closes the help; q quits and restores the terminal.
    tui.keys(&["?"]);
    tui.wait_for("the help to close", |s| {
        !s.contains("Keys (from your keymap") && s.contains(" DEMO ")
    });
    tui.keys(&["q"]);
    assert_restored(&tui);
}
