//! The layout's arena as the only home of the haystacks' folded bytes: what a record
//! writes there, what it keeps itself, and layouts made after people changed, were
//! removed or added, or for an index never searched, checked byte by byte and
//! against a full nucleo rescore.

use std::sync::Arc;

use nucleo_matcher::Utf32String;
use nucleo_matcher::chars::{normalize, to_lower_case};

use super::{answers_as_reference, person};
use crate::search::record::Record;
use crate::search::{PeopleIndex, PersonEntry};

/// ASCII people and people with characters outside ASCII, names out of order.
const PEOPLE: [(&str, &str, &str, &str); 8] = [
    ("Mark Otto", "mark@acme.io", "Acme", "CTO"),
    (
        "José Núñez",
        "jose@example.com",
        "Café Noir",
        "Señor Developer",
    ),
    (
        "Ada Lovelace",
        "ada@analytical.io",
        "Analytical Engines",
        "CTO",
    ),
    ("김민준", "kim@example.com", "Acme", "팀장"),
    ("Maria Ek", "maria@ek.se", "Zürich Bank", "Analyst"),
    ("Zoë Ærø", "zoe@example.com", "Acme", "Manager"),
    ("Grace Hopper", "grace@navy.mil", "US Navy", "Rear Admiral"),
    ("田中 太郎", "tanaka@example.jp", "営業", "部長"),
];

const QUERIES: [&str; 14] = [
    "a", "ma", "mar", "Mar", "acme", "cto", "jos", "josé", "nunez", "김", "zo", "ærø", "田中", "e",
];

fn people() -> Vec<PersonEntry> {
    PEOPLE
        .iter()
        .enumerate()
        .map(|(i, (name, email, company, title))| person(i as u64 + 1, name, email, company, title))
        .collect()
}

/// The folded bytes nucleo's characters of a haystack make: each character normalized
/// and lowercased, 0x80 when that is not ASCII.
fn folded(entry: &PersonEntry) -> Vec<u8> {
    match Utf32String::from(entry.haystack()) {
        Utf32String::Ascii(text) => text.as_bytes().to_vec(),
        Utf32String::Unicode(chars) => chars
            .iter()
            .map(|&c| {
                let f = to_lower_case(normalize(c));
                if f.is_ascii() { f as u8 } else { 0x80 }
            })
            .collect(),
    }
}

/// Every slot's bytes in the arena are its person's folded bytes, the slots in name
/// order cover everyone once, and the search answers as a full rescore.
fn check(ix: &mut PeopleIndex) {
    let mut matched = 0;
    for query in QUERIES {
        matched += answers_as_reference(ix, query);
    }
    assert!(matched > 0, "no query matched");
    let layout = &ix.layout;
    assert_eq!(layout.slots.len(), ix.entries.len());
    let mut seen = vec![false; ix.entries.len()];
    for (slot, s) in layout.slots.iter().enumerate() {
        let entry = &ix.entries[s.pos as usize];
        assert_eq!(layout.bytes(s), &folded(entry)[..], "{:?}", entry.name);
        assert_eq!(layout.rank[s.pos as usize], slot as u32);
        assert!(!std::mem::replace(&mut seen[s.pos as usize], true));
    }
}

#[test]
fn a_record_keeps_no_folded_bytes_and_writes_them_from_its_entry() {
    for entry in people() {
        let record = Record::new(&entry);
        let mut out = b"before".to_vec();
        record.fold_into(&entry, &mut out);
        assert_eq!(&out[..6], b"before", "appended, not overwritten");
        assert_eq!(&out[6..], &folded(&entry)[..], "{:?}", entry.name);
        assert_eq!(record.folded_len(), out.len() - 6);
        let Utf32String::Unicode(chars) = Utf32String::from(entry.haystack()) else {
            assert_eq!(record.held_bytes(), 0, "{:?} is ASCII", entry.name);
            continue;
        };
        // The normalized bytes, the characters' bytes and their UTF-8 outside ASCII
        // (every name here is its haystack's first characters).
        let wide: usize = chars
            .iter()
            .filter(|c| !c.is_ascii())
            .map(|c| c.len_utf8())
            .sum();
        assert_eq!(
            record.held_bytes(),
            2 * chars.len() + wide,
            "{:?}",
            entry.name
        );
    }
}

#[test]
fn an_index_never_searched_lays_everyone_out_on_its_first_search() {
    let list: Vec<Arc<PersonEntry>> = people().into_iter().map(Arc::new).collect();
    let mut ix = PeopleIndex::from_list(Arc::new(list));
    assert!(ix.records.is_empty() && ix.layout.arena.is_empty());
    check(&mut ix);
    // Its layout taken out, the next search lays everyone out again.
    drop(ix.take_layout());
    assert!(ix.layout.arena.is_empty());
    check(&mut ix);
}

#[test]
fn layouts_made_after_people_changed_or_left_hold_their_new_bytes() {
    let mut ix = PeopleIndex::default();
    for entry in people() {
        ix.upsert(entry);
    }
    check(&mut ix);
    // ASCII to not, not to ASCII, and a name that moves in the name order.
    ix.upsert(person(1, "Märk Ötto", "mark@acme.io", "Acme", "CTO"));
    ix.upsert(person(
        2,
        "Jose Nunez",
        "jose@example.com",
        "Cafe",
        "Developer",
    ));
    ix.upsert(person(
        7,
        "Aaron Hopper",
        "grace@navy.mil",
        "US Navy",
        "Admiral",
    ));
    check(&mut ix);
    assert!(ix.remove(3));
    assert!(ix.remove(4));
    check(&mut ix);
    // A removal and a change before the next search: one new layout for both.
    assert!(ix.remove(5));
    ix.upsert(person(6, "Zoe Aero", "zoe@example.com", "Acme", "Manager"));
    check(&mut ix);
}

#[test]
fn layouts_extended_or_laid_out_again_for_people_added_hold_their_bytes() {
    let mut ix = PeopleIndex::default();
    let names = ["Mara", "Ömer", "Ada", "Zoë", "Ben", "김", "Marc", "Éva"];
    let mut id = 0;
    let mut add = |ix: &mut PeopleIndex, count: usize| {
        for _ in 0..count {
            id += 1;
            let name = format!("{} {id}", names[id as usize % names.len()]);
            ix.upsert(person(id, &name, "a@acme.io", "Acme", "Señor"));
        }
    };
    add(&mut ix, 40);
    check(&mut ix);
    // A few: inserted into the name order, their bytes at the arena's end.
    add(&mut ix, 3);
    check(&mut ix);
    assert_eq!(ix.layout.scattered, 3, "extended, not laid out again");
    // Many: everyone laid out again in name order.
    add(&mut ix, 30);
    check(&mut ix);
    assert_eq!(ix.layout.scattered, 0, "laid out again");
}
