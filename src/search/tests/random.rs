//! Random people and random typing (accents, capitals, long titles, edits and
//! deletions while typing) checked against a full nucleo rescore; and the ASCII scorer
//! against nucleo itself.

use nucleo_matcher::chars::{normalize, to_lower_case};
use nucleo_matcher::pattern::{AtomKind, CaseMatching, Normalization, Pattern};
use nucleo_matcher::{Config, Matcher, Utf32Str, Utf32String};

use super::reference;
use crate::search::bounds::Masks;
use crate::search::scorer::{fuzzy_ascii, fuzzy_chars, needles, raw_byte};
use crate::search::{PeopleIndex, PersonEntry};

/// Test inputs from `fastrand`, seeded: a failing seed replays.
struct Rng(fastrand::Rng);

impl Rng {
    fn new(seed: u64) -> Rng {
        Rng(fastrand::Rng::with_seed(seed))
    }
    fn below(&mut self, n: usize) -> usize {
        self.0.usize(..n)
    }
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
}

const FIRST: &[&str] = &[
    "Maria",
    "Mario",
    "Mark",
    "Ada",
    "Grace",
    "José",
    "Zoë",
    "Łukasz",
    "DeShawn",
    "Ann",
    "anna",
    "MARIA",
    "Ma",
    "Jo",
    "Øyvind",
    "Ærø",
    "Ülkü",
    "ÉMILE",
    "田中",
    "김민준",
    "민",
    "",
];
const LAST: &[&str] = &[
    "Garcia",
    "McDonald",
    "O'Brien",
    "Müller",
    "Straße",
    "Smith-Jones",
    "van der Berg",
    "Lovelace",
    "Hopper",
    "Nakamura",
    "Ma",
    "Li",
    "garcia",
    "山田",
    "김",
    "Núñez",
    "",
];
const COMPANY: &[&str] = &[
    "Acme",
    "Hooli",
    "Pied Piper",
    "ACME Corp",
    "a/b|c;d",
    "Café Noir",
    "X",
    "",
    "Dunder-Mifflin",
    "3M",
    "Área 51",
];
const TITLE: &[&str] = &[
    "CEO",
    "VP Sales",
    "vp_sales",
    "Head of R&D",
    "Engineer II",
    "SDR (EMEA)",
    "",
    "Señor Developer",
    "CTO/Founder",
];

/// The fuzzy pattern of `word` as the search builds it, when it is one atom (not
/// empty, no space).
fn one_fuzzy_atom(word: &str) -> Option<Pattern> {
    let pattern = Pattern::new(
        word,
        CaseMatching::Smart,
        Normalization::Smart,
        AtomKind::Fuzzy,
    );
    (pattern.atoms.len() == 1).then_some(pattern)
}

fn random_person(rng: &mut Rng, id: u64) -> PersonEntry {
    let first = rng.pick(FIRST);
    let last = rng.pick(LAST);
    let company = rng.pick(COMPANY);
    let mut title = rng.pick(TITLE).to_string();
    if rng.below(40) == 0 {
        // Long enough that nucleo may fall back to its greedy matcher.
        title = "Regional Manager of Sales Operations ".repeat(15);
    }
    PersonEntry {
        id,
        name: format!("{first} {last}").trim().to_string(),
        email: format!(
            "{}.{}{}@{}.com",
            first.to_lowercase(),
            last.to_lowercase().replace(' ', ""),
            id % 7,
            company.to_lowercase().replace(' ', "")
        ),
        company: company.to_string(),
        title,
    }
}

/// A query typed and edited: pieces of names, emails and titles, random letters,
/// capitals, spaces, non-ASCII letters and backslashes.
fn random_edit(rng: &mut Rng, query: &mut String) {
    const PIECES: &[&str] = &[
        "mar", "gar", "ada", "mc", "obr", "@", ".com", "vp", "sales", "ceo", "acme", "jos", "josé",
        "mü", "strasse", "straße", "zoe", "e", "a", "m", "3", "/", "_", "\\ ", "Ma", "MA", "G",
        " ", "  ", "x", "q", "ii", "r&d", "(", "é", "ø", "김", "민준", "田", "山田", "Ü", "É", "ñ",
        "núñez", "Núñ",
    ];
    match rng.below(10) {
        0..=2 if !query.is_empty() => {
            query.pop();
        }
        3 if rng.below(4) == 0 => query.clear(),
        4 => query.push_str(rng.pick(PIECES)),
        _ => {
            let piece = rng.pick(PIECES);
            if let Some(c) = piece.chars().next() {
                query.push(c);
            }
        }
    }
}

#[test]
fn incremental_search_matches_a_full_rescore() {
    for seed in 1..=6u64 {
        let mut rng = Rng::new(seed);
        let mut ix = PeopleIndex::default();
        let people = 150 + rng.below(500);
        for id in 0..people as u64 {
            ix.upsert(random_person(&mut rng, id));
        }
        let mut query = String::new();
        for step in 0..400 {
            random_edit(&mut rng, &mut query);
            if rng.below(25) == 0 {
                // People arrive or change while typing.
                let id = rng.below(people + 50) as u64;
                ix.upsert(random_person(&mut rng, id));
            }
            if rng.below(40) == 0 {
                // Or are deleted.
                let id = rng.below(people + 50) as u64;
                let indexed = ix.by_id(id).is_some();
                assert_eq!(ix.remove(id), indexed);
            }
            let limit = [200, 20, 5, 1, 0][rng.below(5)];
            let got = ix.search(&query, limit);
            let want = reference(&ix, &query, limit);
            assert_eq!(
                got, want,
                "seed {seed} step {step} query {query:?} limit {limit}"
            );
        }
    }
}

#[test]
fn long_queries_with_many_matches_run_their_prefixes_first() {
    let mut rng = Rng::new(77);
    let mut ix = PeopleIndex::default();
    for id in 0..3_000 {
        ix.upsert(random_person(&mut rng, id));
    }
    // Pasted (no remembered prefix), then again after a change drops what was kept.
    for query in ["ma ga", "mar", "a e", "garcia acme", "Ma gar", "m a"] {
        let want = reference(&ix, query, 20);
        assert_eq!(ix.search(query, 20), want, "{query:?}");
        ix.upsert(random_person(&mut rng, 5));
        let want = reference(&ix, query, 20);
        assert_eq!(ix.search(query, 20), want, "{query:?} after a change");
    }
}

/// Typing word by word over enough people that the top `limit` is contested: the
/// bounds, the at-maximum check, the mask tightening and the own scorer all decide
/// who is scored.
#[test]
fn typing_over_many_people_matches_a_full_rescore() {
    let mut rng = Rng::new(0x7E57);
    let mut ix = PeopleIndex::default();
    for id in 0..2_500 {
        ix.upsert(random_person(&mut rng, id));
    }
    for (query, limit) in [
        ("ma ga", 20),
        ("mar acme", 200),
        ("ada lo", 20),
        ("jo sm c", 5),
        ("garcia ceo", 200),
        ("vp sa", 20),
    ] {
        let chars: Vec<char> = query.chars().collect();
        for len in 1..=chars.len() {
            let typed: String = chars[..len].iter().collect();
            let want = reference(&ix, &typed, limit);
            assert_eq!(ix.search(&typed, limit), want, "{typed:?} limit {limit}");
        }
    }
}

/// `fuzzy_ascii` against nucleo itself, on the haystack and on the name alone.
#[test]
fn ascii_scorer_matches_nucleo() {
    const CHARS: &[u8] = b"aaabbcdeeoolmrsAABDLMO0129  --__..@/,:;|'&()";
    let mut rng = Rng::new(0xA5C1);
    let mut matcher = Matcher::new(Config::DEFAULT);
    let mut checked = 0;
    let mut long = 0;
    for _ in 0..20_000 {
        let len = 1 + rng.below(90);
        let hay: Vec<u8> = (0..len).map(|_| CHARS[rng.below(CHARS.len())]).collect();
        let name_len = rng.below(len + 1);
        // Mostly short words, and some past the scorer's short-needle rows.
        let needle_len = if rng.below(10) == 0 {
            17 + rng.below(8)
        } else {
            1 + rng.below(7)
        };
        let word: String = if rng.below(2) == 0 {
            // A subsequence of the haystack, so most of them match.
            let mut w: Vec<u8> = hay.iter().copied().filter(|_| rng.below(3) == 0).collect();
            w.truncate(needle_len);
            String::from_utf8(w).unwrap()
        } else {
            (0..needle_len)
                .map(|_| CHARS[rng.below(CHARS.len())] as char)
                .collect()
        };
        let word = word.replace([' ', '\\'], "");
        let Some(pattern) = one_fuzzy_atom(&word) else {
            continue;
        };
        let atom = &pattern.atoms[0];
        let needle = needles(&pattern).unwrap().pop().unwrap();
        let full = atom.score(Utf32Str::Ascii(&hay), &mut matcher);
        let name = atom.score(Utf32Str::Ascii(&hay[..name_len]), &mut matcher);
        let want = full.map(|f| (u32::from(f), name.map(u32::from)));
        let got = fuzzy_ascii(&hay, name_len, &needle);
        assert_eq!(
            got,
            want,
            "haystack {:?} name_len {name_len} needle {word:?}",
            String::from_utf8_lossy(&hay)
        );
        // The character masks bound both scores (pairs that never occur side by side
        // end a gap).
        if let Some((full, name)) = want {
            assert!(
                Masks::ascii(&hay).bound(&needle) >= full,
                "full bound, haystack {:?} needle {word:?}",
                String::from_utf8_lossy(&hay)
            );
            if let Some(name) = name {
                assert!(
                    Masks::ascii(&hay[..name_len]).bound(&needle) >= name,
                    "name bound, haystack {:?} name_len {name_len} needle {word:?}",
                    String::from_utf8_lossy(&hay)
                );
            }
            long += usize::from(needle.bytes.len() > 16);
        }
        checked += usize::from(want.is_some());
    }
    assert!(checked > 5_000, "only {checked} matches checked");
    assert!(long > 50, "only {long} long words checked");
}

/// `fuzzy_chars` against nucleo itself, on haystacks with characters outside ASCII
/// (accented letters of every class, Han), on the haystack and on the name alone.
#[test]
fn non_ascii_scorer_matches_nucleo() {
    const CHARS: &[char] = &[
        'a', 'a', 'e', 'o', 'l', 'm', 'r', 's', 'A', 'E', 'L', 'M', 'á', 'é', 'É', 'ö', 'Ö', 'ñ',
        'ß', 'ø', 'Ø', 'ł', 'Ł', '田', '김', '1', '²', ' ', ' ', '-', '.', '@', '/', ':', '|',
        '\u{a0}', '’',
    ];
    const NEEDLE: &[u8] = b"aaeeolmrsnocALMEO1";
    let mut rng = Rng::new(0x0C4A);
    let mut matcher = Matcher::new(Config::DEFAULT);
    let mut checked = 0;
    for _ in 0..20_000 {
        let len = 1 + rng.below(60);
        let mut text: String = (0..len).map(|_| CHARS[rng.below(CHARS.len())]).collect();
        if text.is_ascii() {
            text.push('é');
        }
        let name_end = rng.below(text.chars().count() + 1);
        let name: String = text.chars().take(name_end).collect();
        let hay = Utf32String::from(text.as_str());
        let name32 = Utf32String::from(name.as_str());
        let Utf32Str::Unicode(chars) = hay.slice(..) else {
            continue;
        };
        // What the index compares (see `record::Record`).
        let fold = |c: char| {
            let f = if c.is_ascii() {
                c.to_ascii_lowercase()
            } else {
                to_lower_case(normalize(c))
            };
            if f.is_ascii() { f as u8 } else { 0x80 }
        };
        let exact = |c: char| {
            let n = if c.is_ascii() { c } else { normalize(c) };
            if n.is_ascii() { n as u8 } else { 0x80 }
        };
        let needle_len = 1 + rng.below(5);
        let word: String = if rng.below(2) == 0 {
            let mut w: Vec<u8> = chars
                .iter()
                .map(|&c| exact(c))
                .filter(|&b| b.is_ascii_alphanumeric() && rng.below(3) == 0)
                .collect();
            w.truncate(needle_len);
            String::from_utf8(w).unwrap()
        } else {
            (0..needle_len)
                .map(|_| NEEDLE[rng.below(NEEDLE.len())] as char)
                .collect()
        };
        let Some(pattern) = one_fuzzy_atom(&word) else {
            continue;
        };
        let atom = &pattern.atoms[0];
        let needle = needles(&pattern).unwrap().pop().unwrap();
        let bytes: Vec<u8> = if needle.ignore_case {
            chars.iter().map(|&c| fold(c)).collect()
        } else {
            chars.iter().map(|&c| exact(c)).collect()
        };
        let full = atom.score(hay.slice(..), &mut matcher);
        let alone = atom.score(name32.slice(..), &mut matcher);
        let want = full.map(|f| (u32::from(f), alone.map(u32::from)));
        let raw: Vec<u8> = chars.iter().map(|&c| raw_byte(c)).collect();
        let got = fuzzy_chars(&bytes, &raw, name32.len(), &needle);
        assert_eq!(got, want, "haystack {text:?} name {name:?} needle {word:?}");
        checked += usize::from(want.is_some());
    }
    assert!(checked > 5_000, "only {checked} matches checked");
}
