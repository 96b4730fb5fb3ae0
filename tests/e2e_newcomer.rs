//! End-to-end: #14's screen items as a newcomer meets them, the real binary in a
//! tmux pseudo-terminal at 80x24. The demo in read-only mode (the hints offer
//! no enrollment in the detail or the people search, the detail's counts agree with its tables, `w` moves the focus
//! and says so, the help leaves the status lines alone), and a key revoked while
//! the dashboard runs (`sltui sim --revoke-key-after`): AUTH FAILED naming the
//! key's source, never LIVE, never the key, at most 3 requests in 20 s.

mod e2e_support;

use std::time::{Duration, Instant};

use e2e_support::{SimChild, TempHome, Tmux};

/// The number just before `label` in `line`, e.g. `63` of `63 on cadence`.
fn number_before(line: &str, label: &str) -> Option<u64> {
    let head = &line[..line.find(label)?];
    let digits: String = head
        .trim_end()
        .chars()
        .rev()
        .take_while(|c| c.is_ascii_digit() || *c == ',')
        .filter(char::is_ascii_digit)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    digits.parse().ok()
}

/// The last line of the screen: the hints (or a message).
fn hint_line(screen: &str) -> &str {
    screen.lines().last().unwrap_or_default()
}

#[test]
fn the_read_only_demo_detail_agrees_with_itself_and_offers_no_enrollment() {
    let home = TempHome::new("newcomer");
    let tui = Tmux::start(&home, &["--demo", "--read-only"], 80, 24);
    tui.wait_text(&["This load is big"]);
    tui.keys(&["Right", "Enter"]);
    tui.wait_for("the loaded rates", |s| {
        !s.contains("This load is big") && s.contains('%')
    });
    tui.keys(&["Enter"]);
    // The loads' messages (what they cost, what they spent) share the hint line
    // for a while, the hints that fit right of them: wait for the hints alone.
    let detail = tui.wait_for("the detail with its steps and its hints", |s| {
        s.contains("on cadence")
            && s.contains("Steps (")
            && s.contains("w: people")
            && hint_line(s).trim_start().starts_with("esc back")
    });
    eprintln!("the detail at 80x24, read-only:\n{detail}");
    // Item 4: the facts line counts the steps the table lists, disabled apart.
    let facts = detail
        .lines()
        .find(|l| l.contains("on cadence"))
        .expect("the facts line");
    let steps = number_before(facts, " steps").expect("a step count");
    let title = detail
        .lines()
        .find(|l| l.contains("Steps ("))
        .expect("the steps title");
    assert!(
        title.contains(&format!("Steps ({steps})")) || title.contains(&format!("Steps ({steps} +")),
        "the facts say {steps} steps, the table's title: {title}"
    );
    let on_cadence = number_before(facts, " on cadence").expect("people on the cadence");
    // Item 2: the hint names the focus key and, read-only (item 5), no enrollment.
    let hints = hint_line(&detail);
    assert!(
        hints.contains("w panes"),
        "the focus key is in the hints: {hints}"
    );
    for offer in ["enroll", "add people"] {
        assert!(
            !hints.contains(offer),
            "read-only offers no {offer}: {hints}"
        );
    }
    // w moves the focus to the people; their count is the same one, explained.
    tui.keys(&["w"]);
    let people = tui.wait_text(&["People ("]);
    let title = people
        .lines()
        .find(|l| l.contains("People ("))
        .expect("the people title");
    assert!(
        title.contains(&format!("People ({on_cadence} on · ")) && title.contains("ever added"),
        "{on_cadence} on cadence in the facts; the people table: {title}"
    );
    assert!(!title.contains("listed"), "no unexplained count: {title}");
    // Item 5: the help covers no status line and holds no stray character.
    tui.keys(&["?"]);
    let help = tui.wait_text(&["Keys (from your keymap"]);
    let lines: Vec<&str> = help.lines().collect();
    let status = lines[lines.len() - 2];
    assert!(
        status.contains("DEMO") && status.contains("READ-ONLY") && status.contains("budget"),
        "the status line stays whole under the help: {status}\n{help}"
    );
    for l in &lines[1..lines.len() - 2] {
        let inner = l.trim_start_matches(['│', '┌', '└']);
        if inner.starts_with('│') {
            let body = inner
                .trim_start_matches('│')
                .trim_end_matches(['│', '┐', '┘']);
            assert!(
                body.chars().all(|c| !c.is_control()),
                "a stray character in the help: {l:?}"
            );
        }
    }
    tui.keys(&["?"]);
    tui.wait_for("the help to close", |s| {
        !s.contains("Keys (from your keymap")
    });
    // The people search, where enrolling starts, offers none either.
    tui.keys(&["2"]);
    let search = tui.wait_for("the people view's hints", |s| {
        hint_line(s).contains("search")
    });
    let hints = hint_line(&search);
    assert!(
        !hints.contains("enroll") && !hints.contains("mark"),
        "read-only offers no enroll and no marking for it: {hints}"
    );
    tui.keys(&["q"]);
    tui.wait_for_exit();
}

#[test]
fn a_key_revoked_while_the_dashboard_runs_shows_auth_failed_and_stops() {
    const KEY: &str = "sk-live-E2E-REVOKED-7f3a";
    let home = TempHome::new("revoked");
    // The key stops working 12 s after the simulator starts.
    let sim = SimChild::start_with(&home, KEY, &["--revoke-key-after", "12", "--live"]);
    let started = Instant::now();
    let tui = Tmux::start(
        &home,
        &["--base-url", &sim.base_url, "--api-key", KEY],
        80,
        24,
    );
    let live = tui.wait_for("the dashboard live on the key", |s| {
        s.contains("● LIVE") && s.contains("Cadences (")
    });
    assert!(
        started.elapsed() < Duration::from_secs(12),
        "LIVE only after the revocation; the test needs it before:\n{live}"
    );
    let failed = tui.wait_for("the auth-failed state", |s| s.contains("AUTH FAILED"));
    eprintln!("after the revocation, 80x24:\n{failed}");
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let root = sim.base_url.trim_end_matches("/v2").to_string();
    let key_state = |rt: &tokio::runtime::Runtime| -> serde_json::Value {
        rt.block_on(async {
            reqwest::get(format!("{root}/_sim/key"))
                .await
                .expect("sim reachable")
                .json()
                .await
                .expect("json")
        })
    };
    // 20 s after the revocation, pressing r now and then: never LIVE, never the key.
    let revoked_at = started + Duration::from_secs(12);
    let mut named = false;
    while revoked_at.elapsed() < Duration::from_secs(20) {
        let screen = tui.screen();
        let status = screen.lines().rev().nth(1).unwrap_or_default();
        assert!(!status.contains("LIVE"), "LIVE while refused:\n{screen}");
        assert!(!screen.contains(KEY), "the key is on screen:\n{screen}");
        named |= screen.contains("the key from --api-key");
        tui.keys(&["r"]);
        std::thread::sleep(Duration::from_millis(700));
    }
    let state = key_state(&rt);
    let after = state["requests_after_revocation"].as_u64().unwrap();
    eprintln!("the simulator 20 s after the revocation: {state}");
    assert!(
        (1..=3).contains(&after),
        "at most 3 requests in the 20 s after the revocation: {state}"
    );
    assert!(named, "the screen named where the key came from");
    tui.keys(&["q"]);
    tui.wait_for_exit();
}
