//! The local people index behind search-as-you-type.
//!
//! The SalesLoft API has no free-text people search, so the worker walks every person
//! in the background (`Request::IndexPeople`) and the UI keeps them here. Matching is
//! fuzzy (nucleo) over one haystack per person made of name, email, company and title,
//! so "ada acme" finds Ada Lovelace at Acme. Each word of the query scores the larger of
//! nucleo's score on the whole haystack and its score on the name alone plus
//! `NAME_BONUS`, so "mar" ranks Aisha Martin before a Marketing Manager. Hits are ranked
//! by the sum over the words, then by name (then by position, so the order is total).
//!
//! Typing stays within a few milliseconds over 100k people without changing what is
//! found or its order:
//! - Which people match is decided without the scorer: a fuzzy atom matches exactly when
//!   its characters appear in order in the (case-folded, normalized) haystack, checked
//!   on bytes, and a query that extends the previous one only checks the previous
//!   matches, resuming from where the previous needle ended.
//! - Scores are only computed for the people who can still reach the top `limit`. Each
//!   match keeps an upper bound of its score: exact once scored, else the bound of the
//!   shorter query plus the most a longer needle can add (a character adds at most
//!   `SCORE_MATCH` + the largest bonus; a new word at most the first-character bonus
//!   on top), and also at most what the person's character masks (of the haystack and
//!   of the name) allow; that last bound is only computed for the matches a search
//!   reaches. Matches are scored in (bound, name) order, so scoring stops at the first
//!   one whose bound cannot beat the current `limit`-th hit. A match reached is first
//!   bounded by the masks alone (a name holding a word's characters counts as holding
//!   the word), and only one that stays in its place has its name read; a match also
//!   keeps the bound of its words but the last, so typing on (or starting a new word)
//!   bounds the last word alone.
//! - A query's best possible score is recognised without the scorer (every word occurs
//!   unbroken right after whitespace in the name), so common prefixes with thousands of
//!   perfect hits cost a scan.
//! - Short ASCII haystacks are scored by `scorer::fuzzy_ascii`, nucleo's algorithm evaluated
//!   only at the columns holding a needle character, which gives the haystack's and the
//!   name's score in one pass; short non-ASCII haystacks (accented names) by
//!   `scorer::fuzzy_chars`, the same over the characters as nucleo compares them with an
//!   ASCII word (with nucleo's own shortcut for a one-character word); long ones go to
//!   nucleo.
//! - One-character queries are scored from per-person bitmasks of which characters
//!   occur after which kind of boundary (the only thing nucleo's score depends on).
//! - The haystacks are laid out in name order in one block of bytes, so the scans
//!   read memory sequentially; [`PeopleIndex::prepare`] builds that layout.
//! - Recent queries are kept, so backspace answers from memory.
//! - Non-ASCII haystacks get character masks too (from nucleo's own character
//!   classes), so their bounds are tightened like the others' instead of sitting at
//!   the query's maximum; a name is not told apart from the rest of its haystack.
//! - A query with a non-ASCII character only looks at the people holding its rarest
//!   such character (in some form nucleo compares; an ASCII haystack never matches
//!   it), checks which match, ranks those at the maximum in the name without scoring,
//!   and has nucleo score the rest in bound order until none can enter the page.
//! - The character masks also record which pairs of characters stand side by side: a
//!   needle character that never follows the previous one in a haystack must end a
//!   gap there, so words whose letters are scattered bound lower ("acm" away from
//!   Acme).
//!
//! The tests compare every answer with a full nucleo rescore of everyone, and
//! `fuzzy_ascii` and `fuzzy_chars` with nucleo itself.
//!
//! Where each part lives: `index` (who is indexed), `scorer`
//! (nucleo's scoring for ASCII haystacks and the byte checks), `bounds` (character
//! masks and score bounds), `record` (one person's haystack in its forms), `layout`
//! (the name-ordered haystacks and scoring one of them), `prepare` (building the
//! layout and the per-person records), `query` (the search entry point and which
//! people match a query), `rank` (scoring them in bound order), `state` and `cache`
//! (recent queries), `charset` (which characters a non-ASCII haystack holds) and
//! `wide` (queries with a non-ASCII character). The files that add methods to
//! `PeopleIndex` (cache, prepare, query, rank, wide) take from `index` and the
//! leaves, and `index` calls none of their methods: `query`, the entry point,
//! calls the others (checked by tests/circles.rs).

mod bounds;
mod cache;
mod charset;
mod index;
mod layout;
mod prepare;
mod query;
mod rank;
mod record;
mod scorer;
mod slot;
mod state;
#[cfg(test)]
mod tests;
mod wide;

pub use index::{PeopleIndex, TakenLayout};

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
    /// The haystack's pieces, in order (what [`PersonEntry::haystack`] joins, and
    /// what the layout copies an ASCII one from).
    fn haystack_parts(&self) -> [&str; 7] {
        // Two spaces keep words of different fields apart for the scorer's bonuses.
        [
            &self.name,
            "  ",
            &self.email,
            "  ",
            &self.company,
            "  ",
            &self.title,
        ]
    }

    #[cfg(test)]
    fn haystack(&self) -> String {
        self.haystack_parts().concat()
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
