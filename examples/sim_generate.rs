//! Times the simulator's dataset generator and prints what it made.
//! `cargo run --release --example sim_generate -- [people] [cadences]`

use std::collections::BTreeMap;
use std::time::Instant;

use sltui::sim::dataset::{GenOptions, generate};
use sltui::sim::truth::engagement_counts;

/// Peak resident set size in KiB (Linux), if known.
fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn main() {
    let mut args = std::env::args().skip(1);
    let people = args.next().and_then(|a| a.parse().ok()).unwrap_or(100_000);
    let cadences = args.next().and_then(|a| a.parse().ok()).unwrap_or(40);
    let opts = GenOptions {
        people,
        cadences,
        ..GenOptions::default()
    };
    let start = Instant::now();
    let ds = generate(&opts);
    let elapsed = start.elapsed();
    println!(
        "generated in {:.2} s: {} users, {} people, {} cadences, {} steps, {} memberships, {} emails, {} calls",
        elapsed.as_secs_f64(),
        ds.users.len(),
        ds.people.len(),
        ds.cadences.len(),
        ds.steps.len(),
        ds.memberships.len(),
        ds.emails.len(),
        ds.calls.len()
    );
    if let Some(kib) = peak_rss_kib() {
        println!("peak RSS {:.0} MiB", kib as f64 / 1024.0);
    }
    let mut states: BTreeMap<&str, usize> = BTreeMap::new();
    for m in ds.memberships.iter() {
        *states.entry(m.state.as_str()).or_default() += 1;
    }
    println!("membership states: {states:?}");
    let (mut sent, mut bounced, mut opened, mut clicked, mut replied) = (0, 0, 0, 0, 0);
    for g in engagement_counts(&ds, None).values() {
        sent += g.sent;
        bounced += g.bounced;
        opened += g.opened;
        clicked += g.clicked;
        replied += g.replied;
    }
    let delivered = (sent - bounced).max(1) as f64;
    println!(
        "cadence emails sent {sent}: bounce {:.2}%, open {:.1}%, click {:.2}%, reply {:.2}%",
        100.0 * bounced as f64 / sent.max(1) as f64,
        100.0 * opened as f64 / delivered,
        100.0 * clicked as f64 / delivered,
        100.0 * replied as f64 / delivered
    );
}
