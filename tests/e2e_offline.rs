//! End-to-end: the real binary in a tmux pane draws its first frame from the local
//! store and stays readable with the API unreachable. A store is filled by
//! `sltui sync` from a `sltui sim` child; the simulator is stopped; the dashboard
//! is started against the same (now closed) address.

mod e2e_support;

use std::time::{Duration, Instant};

use e2e_support::{SimChild, TempHome, Tmux, require_tmux, run};

const KEY: &str = "offline-key";

#[test]
fn an_unreachable_api_shows_the_stored_data_offline() {
    require_tmux();
    let home = TempHome::new("offline");
    let sim = SimChild::start(&home, KEY);
    let base_url = sim.base_url.clone();
    let out = run(home
        .sltui()
        .args(["sync", "--base-url", &base_url, "--api-key", KEY]));
    assert!(out.ok(), "sync fills the store\n{}", out.describe());
    drop(sim);

    let tmux = Tmux::start(&home, &["--base-url", &base_url, "--api-key", KEY], 120, 30);
    // Stored data at once (no "connecting…" wait for a network answer)...
    // (Waited for, not read off the first capture: tmux may show a frame still
    // being written.)
    let screen = tmux.wait_for("the stored data, marked as such", |s| {
        s.contains("Cadences") && (s.contains("stored") || s.contains("offline"))
    });
    assert!(screen.contains("Cadences (10)"), "{screen}");
    // ...then, with nobody answering, "offline" with the data kept.
    let screen = tmux.wait_text(&["offline, data as of"]);
    let rows = screen.lines().filter(|l| l.contains("active")).count();
    assert!(rows >= 3, "stored cadences stay on screen:\n{screen}");
    // Enrolling is refused in words. The refusal is a transient message, and a
    // newer one (a failed retry, the background sync) can replace it within its
    // few seconds on a busy machine, so the key is pressed again if it was missed.
    let refused = (0..5).any(|_| {
        tmux.keys(&["e"]);
        let until = Instant::now() + Duration::from_secs(5);
        while Instant::now() < until {
            if tmux.screen().contains("offline (data as of") {
                return true;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        false
    });
    assert!(refused, "enrolling is refused offline:\n{}", tmux.screen());
    tmux.keys(&["q"]);
    let (status, _, screen) = tmux.wait_for_exit();
    assert_eq!(status, "0", "{screen}");
}
