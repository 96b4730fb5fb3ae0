//! The local people index behind search-as-you-type.
//!
//! The SalesLoft API has no free-text people search, so the worker walks every person
//! in the background (`Request::IndexPeople`) and the UI keeps them here. Matching is
//! fuzzy (nucleo) over one haystack per person made of name, email, company and title,
//! so "ada acme" finds Ada Lovelace at Acme. Typing stays instant: the haystacks are
//! converted once (`Utf32String`), one `Matcher` is reused, and a query that extends the
//! previous one only re-scores the previous matches.

use std::collections::HashMap;

use nucleo_matcher::pattern::{AtomKind, CaseMatching, Normalization, Pattern};
use nucleo_matcher::{Config, Matcher, Utf32String};

/// What the search shows and matches about one person.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PersonEntry {
    pub id: u64,
    pub name: String,
    pub email: String,
    pub company: String,
    pub title: String,
}

impl PersonEntry {
    fn haystack(&self) -> Utf32String {
        // Two spaces keep words of different fields apart for the scorer's bonuses.
        Utf32String::from(format!(
            "{}  {}  {}  {}",
            self.name, self.email, self.company, self.title
        ))
    }
}

/// The result of one search: positions in the index, best first.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SearchHits {
    /// At most the requested limit, best first.
    pub hits: Vec<usize>,
    /// How many people matched in all (may exceed `hits.len()`).
    pub total: usize,
}

/// Everything the previous search matched, to narrow the next one.
#[derive(Debug, Clone)]
struct LastSearch {
    query: String,
    /// Index length when the search ran: entries after it were not scored.
    scanned: usize,
    matches: Vec<usize>,
}

pub struct PeopleIndex {
    entries: Vec<PersonEntry>,
    haystacks: Vec<Utf32String>,
    by_id: HashMap<u64, usize>,
    matcher: Matcher,
    last: Option<LastSearch>,
}

impl Default for PeopleIndex {
    fn default() -> Self {
        PeopleIndex {
            entries: Vec::new(),
            haystacks: Vec::new(),
            by_id: HashMap::new(),
            matcher: Matcher::new(Config::DEFAULT),
            last: None,
        }
    }
}

impl std::fmt::Debug for PeopleIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PeopleIndex")
            .field("len", &self.entries.len())
            .finish()
    }
}

impl PeopleIndex {
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    pub fn get(&self, pos: usize) -> Option<&PersonEntry> {
        self.entries.get(pos)
    }

    /// Where a person sits in the index (what [`SearchHits`] hold).
    pub fn position(&self, id: u64) -> Option<usize> {
        self.by_id.get(&id).copied()
    }

    pub fn by_id(&self, id: u64) -> Option<&PersonEntry> {
        self.by_id.get(&id).map(|&i| &self.entries[i])
    }

    /// Adds a person, or replaces the one with the same id. Returns true when the
    /// person is new.
    pub fn upsert(&mut self, entry: PersonEntry) -> bool {
        match self.by_id.get(&entry.id) {
            Some(&i) => {
                if self.entries[i] != entry {
                    self.haystacks[i] = entry.haystack();
                    self.entries[i] = entry;
                    // A changed person may now match or stop matching.
                    self.last = None;
                }
                false
            }
            None => {
                self.by_id.insert(entry.id, self.entries.len());
                self.haystacks.push(entry.haystack());
                self.entries.push(entry);
                true
            }
        }
    }

    /// Drops everything (the `R` key rebuilds the index).
    pub fn clear(&mut self) {
        self.entries.clear();
        self.haystacks.clear();
        self.by_id.clear();
        self.last = None;
    }

    /// Fuzzy search; an empty query lists people in the order they arrived.
    pub fn search(&mut self, query: &str, limit: usize) -> SearchHits {
        let query = query.trim();
        if query.is_empty() {
            return SearchHits {
                hits: (0..self.entries.len().min(limit)).collect(),
                total: self.entries.len(),
            };
        }
        let pattern = Pattern::new(
            query,
            CaseMatching::Smart,
            Normalization::Smart,
            AtomKind::Fuzzy,
        );
        // Candidates: the previous matches when this query only adds to the previous
        // one (every fuzzy atom then matches a subset), plus people indexed since.
        let narrowed = self.last.as_ref().filter(|l| {
            query.starts_with(l.query.as_str())
                && !query.contains('\\')
                && l.scanned <= self.entries.len()
        });
        let candidates: Vec<usize> = match narrowed {
            Some(l) => l
                .matches
                .iter()
                .copied()
                .chain(l.scanned..self.entries.len())
                .collect(),
            None => (0..self.entries.len()).collect(),
        };
        let mut scored: Vec<(u32, usize)> = candidates
            .into_iter()
            .filter_map(|i| {
                pattern
                    .score(self.haystacks[i].slice(..), &mut self.matcher)
                    .map(|s| (s, i))
            })
            .collect();
        self.last = Some(LastSearch {
            query: query.to_string(),
            scanned: self.entries.len(),
            matches: scored.iter().map(|&(_, i)| i).collect(),
        });
        let total = scored.len();
        let entries = &self.entries;
        let order = |a: &(u32, usize), b: &(u32, usize)| {
            b.0.cmp(&a.0)
                .then_with(|| entries[a.1].name.cmp(&entries[b.1].name))
        };
        if scored.len() > limit && limit > 0 {
            scored.select_nth_unstable_by(limit - 1, order);
            scored.truncate(limit);
        }
        scored.sort_by(order);
        scored.truncate(limit);
        SearchHits {
            hits: scored.into_iter().map(|(_, i)| i).collect(),
            total,
        }
    }
}

/// True when the input looks like one complete email address (worth an exact lookup).
pub fn looks_like_email(input: &str) -> bool {
    let input = input.trim();
    let Some((local, domain)) = input.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && !input.contains(char::is_whitespace)
        && !domain.contains('@')
        && domain
            .rsplit_once('.')
            .is_some_and(|(host, tld)| !host.is_empty() && tld.len() >= 2)
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
