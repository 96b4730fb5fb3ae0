//! The index's answers: examples, and a full nucleo rescore of everyone
//! ([`reference`]) that the randomized tests in `random` compare every answer with.

use std::cmp::Reverse;
use std::sync::Arc;

use nucleo_matcher::pattern::{AtomKind, CaseMatching, Normalization, Pattern};
use nucleo_matcher::{Config, Matcher, Utf32String};

use super::scorer::NAME_BONUS;
use super::*;

mod arena;
mod random;
mod records;

fn person(id: u64, name: &str, email: &str, company: &str, title: &str) -> PersonEntry {
    PersonEntry {
        id,
        name: name.into(),
        email: email.into(),
        company: company.into(),
        title: title.into(),
    }
}

fn index() -> PeopleIndex {
    let mut ix = PeopleIndex::default();
    ix.upsert(person(
        1,
        "Ada Lovelace",
        "ada@analytical.io",
        "Analytical Engines",
        "CTO",
    ));
    ix.upsert(person(
        2,
        "Grace Hopper",
        "grace@navy.mil",
        "US Navy",
        "Rear Admiral",
    ));
    ix.upsert(person(
        3,
        "Alan Turing",
        "alan@bletchley.uk",
        "Bletchley Park",
        "Cryptanalyst",
    ));
    ix.upsert(person(
        4,
        "Adam Smith",
        "adam@wealth.co",
        "Acme Corp",
        "Economist",
    ));
    ix
}

fn ids(ix: &PeopleIndex, hits: &SearchHits) -> Vec<u64> {
    hits.hits.iter().map(|&i| ix.get(i).unwrap().id).collect()
}

#[test]
fn finds_by_partial_name_company_email_and_title() {
    let mut ix = index();
    let h = ix.search("lovel", 10);
    assert_eq!(ids(&ix, &h), vec![1]);
    let h = ix.search("bletch", 10);
    assert_eq!(ids(&ix, &h), vec![3]);
    let h = ix.search("navy.mil", 10);
    assert_eq!(ids(&ix, &h), vec![2]);
    let h = ix.search("economist", 10);
    assert_eq!(ids(&ix, &h), vec![4]);
    // Words may come from different fields.
    let h = ix.search("adam acme", 10);
    assert_eq!(ids(&ix, &h), vec![4]);
}

#[test]
fn fuzzy_subsequence_matches_and_case_is_smart() {
    let mut ix = index();
    let h = ix.search("grhop", 10);
    assert_eq!(ids(&ix, &h), vec![2]);
    assert!(
        ix.search("GRACE", 10).hits.is_empty(),
        "uppercase makes the match case-sensitive"
    );
    assert_eq!(ix.search("zzzz", 10).total, 0);
}

#[test]
fn narrowing_gives_the_same_answer_as_a_fresh_search() {
    let mut ix = index();
    for q in ["a", "ad", "ada", "ada ", "ada l"] {
        let narrowed = ix.search(q, 10);
        let mut fresh = index();
        assert_eq!(narrowed, fresh.search(q, 10), "query {q:?}");
    }
    // Backspace (a shorter query) must widen again.
    assert_eq!(ix.search("ad", 10).total, index().search("ad", 10).total);
}

#[test]
fn narrowing_past_where_a_match_end_is_kept_still_finds_it() {
    // Matches ending past 32,766 bytes are remembered without where they ended: the
    // next keystroke checks those people from the start (person 9 has its "y" only
    // before "qx", person 10 after it).
    let before = format!("{}y{}qx", "z".repeat(10_000), "z".repeat(30_000));
    let after = format!("{}qxy", "z".repeat(40_000));
    let build = || {
        let mut ix = index();
        ix.upsert(person(9, "Long Before", "b@example.com", "Acme", &before));
        ix.upsert(person(10, "Long After", "a@example.com", "Acme", &after));
        ix
    };
    let mut ix = build();
    for q in ["q", "qx", "qxy", "qx y", "qx yz"] {
        let narrowed = ix.search(q, 10);
        assert_eq!(narrowed, build().search(q, 10), "query {q:?}");
    }
    let hits = ix.search("qxy", 10);
    assert_eq!(ids(&ix, &hits), vec![10]);
}

#[test]
fn people_added_after_a_search_are_found_by_the_next_keystroke() {
    let mut ix = index();
    assert_eq!(ix.search("johns", 10).total, 0);
    ix.upsert(person(
        9,
        "Katherine Johnson",
        "kj@nasa.gov",
        "NASA",
        "Mathematician",
    ));
    let h = ix.search("johnson", 10);
    assert_eq!(ids(&ix, &h), vec![9]);
}

#[test]
fn a_query_searched_again_as_people_arrive_is_remembered_once() {
    let mut ix = PeopleIndex::default();
    // Pages of new people, the query searched after each (a walk with a
    // search typed): each answer is a fresh search's, and only the latest run
    // of the query is kept (each holds every match).
    for page in 0..30u64 {
        for id in page * 10..page * 10 + 10 {
            let name = format!("Ada Byron{id}");
            ix.upsert(person(id, &name, "", "Acme", ""));
        }
        assert_eq!(ix.search("ada b", 20), reference(&ix, "ada b", 20));
    }
    assert_eq!(ix.states.len(), 1);
    // Another query is remembered beside it, and typing on still answers.
    assert_eq!(ix.search("acm", 20), reference(&ix, "acm", 20));
    assert_eq!(ix.states.len(), 2);
    assert_eq!(ix.search("ada by", 20), reference(&ix, "ada by", 20));
}

#[test]
fn updating_a_person_replaces_them_and_limit_caps_hits() {
    let mut ix = index();
    assert!(!ix.upsert(person(2, "Grace Brewster", "grace@navy.mil", "US Navy", "")));
    assert_eq!(ix.len(), 4);
    let h = ix.search("brewster", 10);
    assert_eq!(ids(&ix, &h), vec![2]);
    let h = ix.search("a", 2);
    assert_eq!(h.hits.len(), 2);
    assert!(h.total >= 3);
    assert_eq!(ix.search("", 3).hits.len(), 3);
    assert_eq!(ix.search("", 3).total, 4);
}

/// What a search must answer: every person whose haystack nucleo matches, ranked by
/// the sum over the query's words of the larger of nucleo's score on the haystack and
/// its score on the name alone plus `NAME_BONUS`; best first, then by name, then by
/// position.
fn reference(ix: &PeopleIndex, query: &str, limit: usize) -> SearchHits {
    let query = query.trim();
    if query.is_empty() {
        return SearchHits {
            hits: (0..ix.len().min(limit)).collect(),
            total: ix.len(),
        };
    }
    let pattern = Pattern::new(
        query,
        CaseMatching::Smart,
        Normalization::Smart,
        AtomKind::Fuzzy,
    );
    let mut matcher = Matcher::new(Config::DEFAULT);
    let mut scored: Vec<(Reverse<u32>, &str, usize)> = ix
        .entries
        .iter()
        .enumerate()
        .filter_map(|(i, e)| {
            let hay = Utf32String::from(e.haystack());
            let name = Utf32String::from(e.name.as_str());
            let mut score = 0;
            for atom in &pattern.atoms {
                let full = u32::from(atom.score(hay.slice(..), &mut matcher)?);
                let in_name = atom.score(name.slice(..), &mut matcher);
                score += match in_name {
                    Some(n) => full.max(u32::from(n) + NAME_BONUS),
                    None => full,
                };
            }
            Some((Reverse(score), e.name.as_str(), i))
        })
        .collect();
    let total = scored.len();
    scored.sort();
    scored.truncate(limit);
    SearchHits {
        hits: scored.into_iter().map(|(_, _, i)| i).collect(),
        total,
    }
}

/// Checks the index's answer to `query` with a page of 20 and of 2 against
/// [`reference`]; how many people match.
fn answers_as_reference(ix: &mut PeopleIndex, query: &str) -> usize {
    let mut total = 0;
    for limit in [20, 2] {
        let want = reference(ix, query, limit);
        assert_eq!(ix.search(query, limit), want, "{query:?} limit {limit}");
        total = want.total;
    }
    total
}

/// Queries outside ASCII (accents, Han, Hangul, capitals) only reach the people who
/// hold their characters, and answer what nucleo answers for everyone.
#[test]
fn non_ascii_queries_match_a_full_rescore() {
    let names = [
        "José Núñez",
        "JOSÉ NUÑEZ",
        "Jose Nunez",
        "Müller Anna",
        "Anna MÜLLER",
        "Søren Kierkegaard",
        "田中 太郎",
        "山田 花子",
        "김민준",
        "김 서연",
        "Minjun Kim",
        "Ülkü Öztürk",
        "Zoë Ærø",
    ];
    let mut ix = PeopleIndex::default();
    for (i, name) in names.iter().enumerate() {
        let title = ["Señor Developer", "CEO", "営業部長", "팀장"][i % 4];
        ix.upsert(person(
            i as u64 + 1,
            name,
            "x@example.com",
            "Café Noir",
            title,
        ));
    }
    for query in [
        "é",
        "jos",
        "josé",
        "JOSÉ",
        "josé ñ",
        "Núñ",
        "nuñ",
        "ü",
        "Ü",
        "mü",
        "MÜ",
        "müller a",
        "ø",
        "søren",
        "田",
        "田中",
        "山田 花",
        "김",
        "김민",
        "김 서",
        "민준",
        "営業",
        "팀",
        "ülkü ö",
        "zoë",
        "ærø",
        "café",
        "señor",
        "x 김",
    ] {
        answers_as_reference(&mut ix, query);
    }
    // Every person whose name holds the character, and no one else.
    assert_eq!(ix.search("김", 20).total, 2);
    assert_eq!(ix.search("田", 20).total, 2);
}

/// Queries with a non-ASCII character where more people reach the maximum than the
/// page holds (they are ranked without scoring), and where the rest are scored in
/// bound order: names, companies and titles holding the word in every shape.
#[test]
fn non_ascii_queries_with_contested_pages_match_a_full_rescore() {
    let first = [
        "Jürgen",
        "Jürg",
        "Ajür",
        "Sören",
        "Søren",
        "Björn",
        "김민준",
        "Zoë",
    ];
    let last = [
        "Müller", "Mü", "Amüller", "Ørsted", "Kim", "김", "Jürgens", "Nuñez",
    ];
    let company = ["Müller AG", "Café Jürg", "Acme", "Søstrene", "김밥"];
    let title = ["Señor", "Mü-Lead", "CTO", "팀장 김"];
    let mut ix = PeopleIndex::default();
    let mut id = 0;
    for f in first {
        for l in last {
            for (k, c) in company.iter().enumerate() {
                id += 1;
                let t = title[(id as usize + k) % title.len()];
                ix.upsert(person(id, &format!("{f} {l}"), "a@b.co", c, t));
            }
        }
    }
    for query in [
        "jü",
        "Jü",
        "jür",
        "ü",
        "Ü",
        "mü",
        "Mü",
        "mül",
        "müller",
        "ø",
        "sø",
        "ör",
        "김",
        "김민",
        "jürg mü",
        "mü jü",
        "jü acme",
        "Jürgen Mü",
        "zoë",
        "ñ",
        "señor",
        "björn 김",
    ] {
        for limit in [0, 1, 7, 40, 400] {
            let want = reference(&ix, query, limit);
            assert_eq!(ix.search(query, limit), want, "{query:?} limit {limit}");
        }
    }
}

#[test]
fn name_matches_rank_before_matches_in_other_fields() {
    let mut ix = PeopleIndex::default();
    ix.upsert(person(
        1,
        "Adam Okafor",
        "adam@okafor.io",
        "Globex",
        "Marketing Manager",
    ));
    ix.upsert(person(
        2,
        "Aisha Martin",
        "aisha@initech.com",
        "Initech",
        "Engineer",
    ));
    ix.upsert(person(3, "Bo Chen", "bo@marvel.com", "Marvel", "CEO"));
    // All three match "mar" unbroken at a word start; only Aisha in her name.
    let h = ix.search("mar", 10);
    assert_eq!(ids(&ix, &h)[0], 2, "{:?}", ids(&ix, &h));
    let h = ix.search("mar", 1);
    assert_eq!(ids(&ix, &h), vec![2]);
    // Per word: "adam" is in Adam's name, "mar" in Aisha's.
    let h = ix.search("a mart", 10);
    assert_eq!(ids(&ix, &h)[0], 2);
    assert_eq!(ix.search("okafor", 10).total, 1);
    assert_eq!(ix.search("mar", 10), reference(&ix, "mar", 10));
}

#[test]
fn removed_people_are_no_longer_found() {
    fn find(ix: &mut PeopleIndex, query: &str) -> Vec<u64> {
        let hits = ix.search(query, 10);
        ids(ix, &hits)
    }
    let mut ix = index();
    assert_eq!(find(&mut ix, "lovelace"), vec![1]);
    assert_eq!(find(&mut ix, "ada"), vec![1, 4, 2]);
    assert!(ix.remove(1));
    assert!(!ix.remove(1), "already removed");
    assert!(!ix.remove(42), "never indexed");
    assert_eq!(ix.len(), 3);
    assert!(ix.by_id(1).is_none());
    // The remembered answers are not reused, and positions moved up.
    assert_eq!(find(&mut ix, "ada"), vec![4, 2]);
    assert_eq!(find(&mut ix, "lovelace"), Vec::<u64>::new());
    for id in [2, 3, 4] {
        let pos = ix.position(id).unwrap();
        assert_eq!(ix.get(pos).unwrap().id, id);
    }
    assert_eq!(find(&mut ix, ""), vec![2, 3, 4]);
    // Added again, they are found again.
    ix.upsert(person(1, "Ada Lovelace", "ada@analytical.io", "", ""));
    assert_eq!(find(&mut ix, "lovelace"), vec![1]);
    assert_eq!(ix.search("a", 10), reference(&ix, "a", 10));
}

#[test]
fn an_index_of_a_shared_list_keeps_it_until_it_changes() {
    let list: Arc<Vec<Arc<PersonEntry>>> = Arc::new(index().entries().to_vec());
    let mut ix = PeopleIndex::from_list(Arc::clone(&list));
    assert!(
        Arc::ptr_eq(&ix.share(), &list),
        "not copied while unchanged"
    );
    assert_eq!(ix.len(), 4);
    assert_eq!(ix.position(3), Some(2));
    assert_eq!(ix.search("ada", 10), reference(&ix, "ada", 10));
    let hits = ix.search("lovelace", 10);
    assert_eq!(ids(&ix, &hits), vec![1]);
    // A change copies the list: whoever shares it still sees the old one.
    assert!(ix.remove(1));
    assert!(!Arc::ptr_eq(&ix.share(), &list));
    assert_eq!(list.len(), 4);
    let hits = ix.search("lovelace", 10);
    assert!(hits.hits.is_empty());
    // Someone listed twice is kept once, where first listed.
    let mut twice = list.to_vec();
    twice.push(Arc::new(person(2, "Grace Again", "", "", "")));
    let ix = PeopleIndex::from_list(Arc::new(twice));
    assert_eq!(ix.len(), 4);
    assert_eq!(ix.by_id(2).unwrap().name, "Grace Hopper");
}

#[test]
fn email_detection() {
    assert!(looks_like_email("ada@analytical.io"));
    assert!(looks_like_email(" ada@x.co "));
    assert!(!looks_like_email("ada@"));
    assert!(!looks_like_email("ada@io"));
    assert!(!looks_like_email("@x.com"));
    assert!(!looks_like_email("ada lovelace@x.com"));
    assert!(!looks_like_email("ada"));
}

/// nucleo scores a one-letter word on accented text by a shortcut that can score a
/// letter below what it scores as the start of a longer word ("l" in "Ölaf Lund": 26,
/// as "lu" its "L" after the space counts): the bound kept for the next keystroke
/// must still hold, or "lu" would stop at A-lux Ray (72) before Ölaf Lund (78).
#[test]
fn a_one_letter_word_on_accented_text_still_bounds_the_next_keystroke() {
    let mut ix = PeopleIndex::default();
    ix.upsert(person(1, "Ölaf Lund", "o@x.io", "", ""));
    ix.upsert(person(2, "A-lux Ray", "a@x.io", "", ""));
    for query in ["l", "lu"] {
        let hits = ix.search(query, 1);
        assert_eq!(hits, reference(&ix, query, 1), "{query:?}");
    }
    let hits = ix.search("lu", 1);
    assert_eq!(ids(&ix, &hits), vec![1]);
}

#[test]
fn remembered_non_ascii_answers_follow_changes_and_limits() {
    let mut ix = index();
    ix.upsert(person(5, "Jürgen Müller", "jm@bund.de", "Bund", "CFO"));
    ix.upsert(person(6, "Anna Müller", "am@post.de", "Post", "CEO"));
    let first = ix.search("müller", 10);
    assert_eq!(first, reference(&ix, "müller", 10));
    assert_eq!(first.total, 2);
    // Backspace, then the same query again: the same answer, from memory.
    ix.search("müll", 10);
    assert_eq!(ix.search("müller", 10), first);
    // Another limit is its own answer.
    assert_eq!(ix.search("müller", 1).hits.len(), 1);
    // A new person is found by the same query asked again.
    ix.upsert(person(7, "Müller Grün", "mg@x.de", "X", "CTO"));
    let after = ix.search("müller", 10);
    assert_eq!(after, reference(&ix, "müller", 10));
    assert_eq!(after.total, 3);
    // A changed person stops matching.
    ix.upsert(person(6, "Anna Schmidt", "as@post.de", "Post", "CEO"));
    let changed = ix.search("müller", 10);
    assert_eq!(changed, reference(&ix, "müller", 10));
    assert_eq!(changed.total, 2);
}
