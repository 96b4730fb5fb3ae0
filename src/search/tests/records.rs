//! The shapes a non-ASCII record takes (`record::Record`): a name that is not the
//! haystack's first characters, characters whose lowercase or normalized form is ASCII,
//! Han and Hangul names, an ASCII name beside a non-ASCII company, checked against a
//! full nucleo rescore.

use nucleo_matcher::Utf32String;

use super::{answers_as_reference, person};
use crate::search::PeopleIndex;
use crate::search::record::{Record, Scratch};

const PEOPLE: [(&str, &str, &str, &str); 10] = [
    // The Kelvin sign: its lowercase is ASCII, its normalized form is not.
    ("\u{212A}elvin Øster", "k@example.com", "Kraft", "CEO"),
    // A small capital K: normalized to an uppercase ASCII K, itself lowercase.
    ("\u{1D0B}ai Berg", "kai@example.com", "Acme", "Keeper"),
    (
        "Kelvin Ost",
        "kelvin@example.com",
        "Zürich Kredit",
        "Analyst",
    ),
    // An ASCII name beside a non-ASCII company and title.
    (
        "Mary Smith",
        "mary@example.com",
        "Zürich Bank",
        "Señor Manager",
    ),
    // A name nucleo reads as one character shorter inside the haystack ("\r\n" is
    // one grapheme there): not its first characters.
    ("Ann\r\nLee", "ann@example.com", "Café Noir", "CTO"),
    // No name at all.
    ("", "nobody@example.com", "Café Noir", "Kellner"),
    // Combining accents nucleo drops: the name's characters are ASCII, it is not.
    (
        "Jose\u{301} Nu\u{303}n\u{303}ez",
        "jose@example.com",
        "Acme",
        "Dev",
    ),
    ("王小明", "wang@example.com", "Acme", "Engineer"),
    ("이서준", "lee@example.com", "Zürich Bank", "팀장"),
    ("Марк Иванов", "mark@example.com", "Kremlin Tours", "Guide"),
];

/// A record gives back the haystack and the name as nucleo reads them.
#[test]
fn a_record_expands_to_what_nucleo_reads() {
    let mut scratch = Scratch::default();
    for (i, (name, email, company, title)) in PEOPLE.iter().enumerate() {
        let entry = person(i as u64, name, email, company, title);
        let record = Record::new(&entry);
        let mut folded = Vec::new();
        record.fold_into(&entry, &mut folded);
        let hay = Utf32String::from(entry.haystack());
        let alone = Utf32String::from(entry.name.as_str());
        assert_eq!(
            record.text(&folded, &mut scratch.text),
            hay.slice(..),
            "{name:?}"
        );
        assert_eq!(
            record.name_text(&folded, &mut scratch.name),
            alone.slice(..),
            "{name:?}"
        );
        assert_eq!(folded.len(), hay.len(), "{name:?}");
        assert_eq!(record.folded_len(), hay.len(), "{name:?}");
    }
}

#[test]
fn every_shape_of_non_ascii_record_answers_as_nucleo() {
    let people = PEOPLE;
    let mut ix = PeopleIndex::default();
    for (i, (name, email, company, title)) in people.iter().enumerate() {
        ix.upsert(person(i as u64 + 1, name, email, company, title));
    }
    let mut matched = 0;
    for query in [
        "k",
        "K",
        "ke",
        "kel",
        "Kel",
        "kelvin",
        "Kelvin",
        "\u{212A}",
        "\u{212A}el",
        "kai",
        "Kai",
        "ann",
        "Ann",
        "ann lee",
        "lee",
        "Lee",
        "café",
        "cafe",
        "zür",
        "zurich",
        "Zurich",
        "mary",
        "mary z",
        "señor",
        "senor",
        "jose",
        "josé",
        "nunez",
        "Nunez",
        "é",
        "王",
        "小明",
        "이",
        "서준",
        "팀",
        "марк",
        "Марк",
        "ма",
        "acme",
        "c",
        "C",
        "nobody",
        "kellner",
        "m",
        "st",
    ] {
        matched += answers_as_reference(&mut ix, query);
    }
    assert!(matched > 100, "only {matched} matches checked");
    // Typing each name back finds its person first.
    for (i, (name, ..)) in people.iter().enumerate().filter(|(_, p)| !p.0.is_empty()) {
        let query = name.replace("\r\n", " ");
        let hits = ix.search(&query, 1);
        assert_eq!(hits.hits, vec![i], "{query:?}");
    }
}
