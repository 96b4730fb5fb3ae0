//! People search latency per keystroke, typed incrementally as the TUI does
//! (each keystroke re-runs `PeopleIndex::search` with the whole query and the
//! TUI's `SEARCH_LIMIT`, so an extended query narrows the previous matches).
//!
//! `cargo bench --bench search`; env: SLTUI_BENCH_PEOPLE (default 100000),
//! SLTUI_BENCH_ROUNDS (how many times the query list is typed, default 5).

mod common;

use std::time::Instant;

use common::*;
use sltui::tui::search::{PeopleIndex, PersonEntry};
use sltui::tui::state::SEARCH_LIMIT;

/// What a user types, then erases (backspace) back to empty.
const QUERIES: &[&str] = &[
    "maria garcia",
    "mark acme",
    "john smith",
    "sarah@hooli",
    "vp sales",
    "zzqx",
    "ada lovelace",
    "nakamura cto",
];

fn build(n: usize) -> PeopleIndex {
    let mut rng = Rng::new(0x5EED);
    let mut ix = PeopleIndex::default();
    for id in 1..=n as u64 {
        let first = rng.pick(FIRST);
        let last = rng.pick(LAST);
        let company = rng.pick(COMPANY);
        let domain = company.to_lowercase().replace(' ', "");
        ix.upsert(PersonEntry {
            id,
            name: format!("{first} {last}"),
            email: format!(
                "{}.{}{}@{domain}.com",
                first.to_lowercase(),
                last.to_lowercase(),
                id % 1000
            ),
            company: company.to_string(),
            title: rng.pick(TITLE).to_string(),
        });
    }
    ix
}

fn main() {
    let people = env_usize("SLTUI_BENCH_PEOPLE", 100_000);
    let rounds = env_usize("SLTUI_BENCH_ROUNDS", 5).max(1);
    let t = Instant::now();
    let mut ix = build(people);
    let setup = t.elapsed();

    let mut typing = Vec::new(); // keystrokes that add a character
    let mut erasing = Vec::new(); // backspaces
    let mut by_len: Vec<Vec<f64>> = Vec::new();
    for _ in 0..rounds {
        for q in QUERIES {
            let chars: Vec<char> = q.chars().collect();
            for len in 1..=chars.len() {
                let typed: String = chars[..len].iter().collect();
                let t = Instant::now();
                let hits = ix.search(&typed, SEARCH_LIMIT);
                let d = ms(t.elapsed());
                std::hint::black_box(&hits);
                typing.push(d);
                if by_len.len() < len {
                    by_len.resize(len, Vec::new());
                }
                by_len[len - 1].push(d);
            }
            for len in (0..chars.len()).rev() {
                let typed: String = chars[..len].iter().collect();
                let t = Instant::now();
                let hits = ix.search(&typed, SEARCH_LIMIT);
                erasing.push(ms(t.elapsed()));
                std::hint::black_box(&hits);
            }
        }
    }
    // One example of the incremental path, with hit counts.
    let example: Vec<(String, usize, f64)> =
        ["m", "ma", "mar", "mari", "maria", "maria ", "maria g"]
            .iter()
            .map(|q| {
                let t = Instant::now();
                let hits = ix.search(q, SEARCH_LIMIT);
                (q.to_string(), hits.total, ms(t.elapsed()))
            })
            .collect();

    let all: Vec<f64> = typing.iter().chain(&erasing).copied().collect();
    let groups = [
        ("typing", summarize(&typing)),
        ("backspace", summarize(&erasing)),
        ("all keystrokes", summarize(&all)),
    ];
    for (name, s) in &groups {
        println!(
            "{{\"bench\":\"search\",\"people\":{people},\"rounds\":{rounds},\"limit\":{SEARCH_LIMIT},\"keys\":\"{name}\",\"n\":{},\"p50_ms\":{:.4},\"p99_ms\":{:.4},\"max_ms\":{:.4},\"mean_ms\":{:.4},\"setup_s\":{:.2}}}",
            s.n,
            s.p50,
            s.p99,
            s.max,
            s.mean,
            setup.as_secs_f64()
        );
    }
    for (q, total, d) in &example {
        println!(
            "{{\"bench\":\"search\",\"people\":{people},\"query\":{},\"matches\":{total},\"ms\":{d:.4}}}",
            serde_json::Value::String(q.clone())
        );
    }
    println!();
    println!(
        "people search over {people} people (limit {SEARCH_LIMIT}, {rounds} rounds, index built in {:.2} s)",
        setup.as_secs_f64()
    );
    let rows: Vec<Vec<String>> = groups
        .iter()
        .map(|(name, s)| {
            vec![
                name.to_string(),
                s.n.to_string(),
                f3(s.p50),
                f3(s.p99),
                f3(s.max),
            ]
        })
        .collect();
    table(&["keystrokes", "n", "p50 ms", "p99 ms", "max ms"], &rows);
    println!();
    let rows: Vec<Vec<String>> = by_len
        .iter()
        .enumerate()
        .map(|(i, v)| {
            let s = summarize(v);
            vec![(i + 1).to_string(), s.n.to_string(), f3(s.p50), f3(s.p99)]
        })
        .collect();
    table(&["query length", "n", "p50 ms", "p99 ms"], &rows);
    println!();
    let rows: Vec<Vec<String>> = example
        .iter()
        .map(|(q, total, d)| vec![format!("{q:?}"), total.to_string(), f3(*d)])
        .collect();
    table(&["typed", "matches", "ms"], &rows);
}
