//! People search latency per keystroke, typed incrementally as the TUI does
//! (each keystroke re-runs `PeopleIndex::search` with the whole query and the
//! TUI's `SEARCH_LIMIT`, so an extended query narrows the previous matches).
//!
//! The people have 100,000 distinct names (`distinct_names`): Latin names, a third
//! or so with accents or letters outside ASCII, and about one in eight in Han
//! characters or Hangul, so both the ASCII scorer and the Unicode path are timed.
//! The bench checks that the names are distinct and says how many of each kind.
//!
//! `cargo bench --bench search`; env: SLTUI_BENCH_PEOPLE (default 100000, at
//! most 117,634), SLTUI_BENCH_ROUNDS (how many times the query list is typed,
//! default 5), SLTUI_BENCH_QUERIES (comma-separated queries typed instead of the
//! list below, to time or profile one shape alone), SLTUI_BENCH_SLOWEST (how many
//! of the slowest keystrokes are listed, default 10).

mod common;

use std::collections::HashSet;
use std::time::Instant;

use common::*;
use sltui::search::{PeopleIndex, PersonEntry};
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
    "josé núñez",
    "müller",
    "søren",
    "田中",
    "김민",
];

/// How the names split: plain ASCII, Latin with accents or other letters, and
/// Han or Hangul.
struct NameMix {
    distinct: usize,
    ascii: usize,
    accented: usize,
    cjk: usize,
}

fn name_mix(names: &[String]) -> NameMix {
    let cjk = |c: char| {
        ('\u{1100}'..='\u{11FF}').contains(&c)
            || ('\u{3040}'..='\u{30FF}').contains(&c)
            || ('\u{4E00}'..='\u{9FFF}').contains(&c)
            || ('\u{AC00}'..='\u{D7AF}').contains(&c)
    };
    let ascii = names.iter().filter(|n| n.is_ascii()).count();
    let han = names.iter().filter(|n| n.chars().any(cjk)).count();
    NameMix {
        distinct: names.iter().collect::<HashSet<_>>().len(),
        ascii,
        accented: names.len() - ascii - han,
        cjk: han,
    }
}

/// The index of `names`, person `i + 1` named `names[i]`.
fn build(names: &[String]) -> PeopleIndex {
    let mut rng = Rng::new(0x5EED);
    let mut ix = PeopleIndex::default();
    for (id, name) in (1..).zip(names) {
        let company = rng.pick(COMPANY);
        let domain = company.to_lowercase().replace(' ', "");
        // The address from the name's ASCII letters, else from the id.
        let local: String = name
            .to_lowercase()
            .split_whitespace()
            .map(|w| {
                w.chars()
                    .filter(char::is_ascii_alphanumeric)
                    .collect::<String>()
            })
            .filter(|w| !w.is_empty())
            .collect::<Vec<_>>()
            .join(".");
        let local = if local.is_empty() {
            format!("person{id}")
        } else {
            local
        };
        ix.upsert(PersonEntry {
            id,
            name: name.clone(),
            email: format!("{local}{}@{domain}.com", id % 1000),
            company: company.to_string(),
            title: rng.pick(TITLE).to_string(),
        });
    }
    // What the app does once the index is complete (`PeopleIndexed`).
    ix.prepare();
    ix
}

fn main() {
    let people = env_usize("SLTUI_BENCH_PEOPLE", 100_000);
    let rounds = env_usize("SLTUI_BENCH_ROUNDS", 5).max(1);
    let own: Option<Vec<String>> = std::env::var("SLTUI_BENCH_QUERIES")
        .ok()
        .map(|v| v.split(',').map(str::to_string).collect());
    let queries: Vec<&str> = match &own {
        Some(list) => list.iter().map(String::as_str).collect(),
        None => QUERIES.to_vec(),
    };
    let names = distinct_names(people, 0x5EED);
    let mix = name_mix(&names);
    assert_eq!(mix.distinct, people, "every name is different");
    let t = Instant::now();
    let mut ix = build(&names);
    let setup = t.elapsed();
    println!(
        "{{\"bench\":\"search\",\"people\":{people},\"distinct_names\":{},\"ascii\":{},\"accented\":{},\"cjk\":{}}}",
        mix.distinct, mix.ascii, mix.accented, mix.cjk
    );

    let mut typing = Vec::new(); // keystrokes that add a character
    let mut erasing = Vec::new(); // backspaces
    let mut by_len: Vec<Vec<f64>> = Vec::new();
    let mut slowest: Vec<(f64, String, usize, usize)> = Vec::new(); // (ms, query, round, matches)
    for round in 0..rounds {
        for q in &queries {
            let chars: Vec<char> = q.chars().collect();
            for len in 1..=chars.len() {
                let typed: String = chars[..len].iter().collect();
                let t = Instant::now();
                let hits = ix.search(&typed, SEARCH_LIMIT);
                let d = ms(t.elapsed());
                std::hint::black_box(&hits);
                typing.push(d);
                slowest.push((d, typed.clone(), round, hits.total));
                if by_len.len() < len {
                    by_len.resize(len, Vec::new());
                }
                by_len[len - 1].push(d);
            }
            for len in (0..chars.len()).rev() {
                let typed: String = chars[..len].iter().collect();
                let t = Instant::now();
                let hits = ix.search(&typed, SEARCH_LIMIT);
                let d = ms(t.elapsed());
                erasing.push(d);
                std::hint::black_box(&hits);
                slowest.push((d, typed.clone(), round, hits.total));
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

    // People arriving while a query is shown (the index is still loading): one page of
    // 100 new people, then the same query again (rebuilds the name-ordered layout and
    // checks only the new people against the remembered matches).
    ix.search("maria", SEARCH_LIMIT);
    let mut rng = Rng::new(0xADD);
    let mut arrivals = Vec::new();
    for page in 0..5u64 {
        for k in 0..100u64 {
            let id = people as u64 + 1 + page * 100 + k;
            ix.upsert(PersonEntry {
                id,
                name: format!("{} {}", rng.pick(FIRST), rng.pick(LAST)),
                email: format!("new{id}@example.com"),
                company: rng.pick(COMPANY).to_string(),
                title: rng.pick(TITLE).to_string(),
            });
        }
        let t = Instant::now();
        let hits = ix.search("maria", SEARCH_LIMIT);
        arrivals.push(ms(t.elapsed()));
        std::hint::black_box(&hits);
    }
    let arrivals = summarize(&arrivals);
    println!(
        "{{\"bench\":\"search\",\"people\":{people},\"keys\":\"same query after a page of 100 new people\",\"n\":{},\"p50_ms\":{:.4},\"max_ms\":{:.4}}}",
        arrivals.n, arrivals.p50, arrivals.max
    );

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
        "people search over {people} people, {} distinct names ({} ASCII, {} accented, {} Han or Hangul; limit {SEARCH_LIMIT}, {rounds} rounds, index built in {:.2} s)",
        mix.distinct,
        mix.ascii,
        mix.accented,
        mix.cjk,
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
    slowest.sort_by(|a, b| b.0.total_cmp(&a.0));
    let rows: Vec<Vec<String>> = slowest
        .iter()
        .take(env_usize("SLTUI_BENCH_SLOWEST", 10))
        .map(|(d, q, round, total)| {
            vec![
                format!("{q:?}"),
                (round + 1).to_string(),
                total.to_string(),
                f3(*d),
            ]
        })
        .collect();
    table(&["slowest keystrokes", "round", "matches", "ms"], &rows);
    println!();
    let rows: Vec<Vec<String>> = example
        .iter()
        .map(|(q, total, d)| vec![format!("{q:?}"), total.to_string(), f3(*d)])
        .collect();
    table(&["typed", "matches", "ms"], &rows);
    println!();
    println!(
        "same query after a page of 100 new people: p50 {} ms, max {} ms ({} pages)",
        f3(arrivals.p50),
        f3(arrivals.max),
        arrivals.n
    );
    if let Some(mb) = peak_rss_mb() {
        println!();
        println!("{{\"bench\":\"search\",\"peak_rss_mb\":{mb:.1}}}");
        println!("peak RSS: {mb:.1} MB");
    }
}
