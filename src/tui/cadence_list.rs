//! The cadences table as data: the cadences, the name filter, the state filter and
//! the sort, turned into the ordered rows the view draws. Pure, so sorting and
//! filtering are tested without a terminal.

use std::cmp::Ordering;
use std::collections::HashSet;

use crate::api::models::{Cadence, CadenceState};
use crate::metrics::{Aggregator, Engagement};

use super::fetch::Fetch;
use super::text_input::TextInput;
use super::widgets::table::Cursor;

/// Which cadences the table shows, cycled with a key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum StateFilter {
    #[default]
    All,
    Active,
    Draft,
    Archived,
}

impl StateFilter {
    /// all → active → draft → archived → all.
    pub fn next(self) -> StateFilter {
        match self {
            StateFilter::All => StateFilter::Active,
            StateFilter::Active => StateFilter::Draft,
            StateFilter::Draft => StateFilter::Archived,
            StateFilter::Archived => StateFilter::All,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            StateFilter::All => "all",
            StateFilter::Active => "active",
            StateFilter::Draft => "draft",
            StateFilter::Archived => "archived",
        }
    }

    pub fn accepts(self, state: &CadenceState) -> bool {
        match self {
            StateFilter::All => true,
            StateFilter::Active => *state == CadenceState::Active,
            StateFilter::Draft => *state == CadenceState::Draft,
            StateFilter::Archived => {
                matches!(
                    state,
                    CadenceState::Archived | CadenceState::Expired | CadenceState::Deleted
                )
            }
        }
    }
}

/// The sortable columns, in the order the sort key cycles through them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SortColumn {
    #[default]
    Name,
    State,
    Team,
    People,
    Sent,
    Open,
    Click,
    Reply,
    Bounce,
}

impl SortColumn {
    pub const ALL: [SortColumn; 9] = [
        SortColumn::Name,
        SortColumn::State,
        SortColumn::Team,
        SortColumn::People,
        SortColumn::Sent,
        SortColumn::Open,
        SortColumn::Click,
        SortColumn::Reply,
        SortColumn::Bounce,
    ];

    pub fn next(self) -> SortColumn {
        let i = Self::ALL.iter().position(|c| *c == self).unwrap_or(0);
        Self::ALL[(i + 1) % Self::ALL.len()]
    }

    /// Text columns start ascending, numbers start with the largest first.
    pub fn default_descending(self) -> bool {
        !matches!(
            self,
            SortColumn::Name | SortColumn::State | SortColumn::Team
        )
    }

    pub fn label(self) -> &'static str {
        match self {
            SortColumn::Name => "name",
            SortColumn::State => "state",
            SortColumn::Team => "team",
            SortColumn::People => "people",
            SortColumn::Sent => "sent",
            SortColumn::Open => "open rate",
            SortColumn::Click => "click rate",
            SortColumn::Reply => "reply rate",
            SortColumn::Bounce => "bounce rate",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Sort {
    pub column: SortColumn,
    pub descending: bool,
}

#[derive(Debug, Default)]
pub struct CadenceList {
    pub cadences: Vec<Cadence>,
    /// Positions in `cadences`, filtered and sorted: what the table shows.
    pub rows: Vec<usize>,
    pub cursor: Cursor,
    pub filter: TextInput,
    pub filter_focused: bool,
    pub state_filter: StateFilter,
    pub sort: Sort,
    pub fetch: Fetch,
    /// The id column is shown (the ids key), so ids can be typed into the CLI.
    pub show_ids: bool,
    /// Columns left out by a saved view (indices of the table's columns; the
    /// name is always shown, the id follows `show_ids`).
    pub hidden: Vec<usize>,
    /// The cadence selected before [`CadenceList::replace`], kept by the next rebuild.
    keep: Option<u64>,
    /// People on a cadence counted from its memberships (currently on the
    /// cadence), once they were read: the one count every view shows, over the
    /// cadence record's `counts.cadence_people` (which may be older).
    on_cadence: std::collections::HashMap<u64, u64>,
    /// The team's users' names by id, for the filter's `owner:` word.
    pub owners: std::collections::HashMap<u64, String>,
}

/// "team" or "personal".
pub fn team_label(c: &Cadence) -> &'static str {
    if c.team_cadence { "team" } else { "personal" }
}

/// Whether the cadence passes the filter's words, all of them: `is:team` and
/// `is:personal` (or `is:shared`), `owner:WORD` (in the owner's name, or the
/// owner's id), and any other word in the cadence's name (case-insensitive).
fn matches_filter(
    c: &Cadence,
    owners: &std::collections::HashMap<u64, String>,
    filter: &str,
) -> bool {
    let name = c.name.to_lowercase();
    filter.to_lowercase().split_whitespace().all(|w| {
        if let Some(kind) = w.strip_prefix("is:") {
            return match kind {
                "team" | "shared" => c.team_cadence,
                "personal" => !c.team_cadence,
                // A word still being typed ("is:", "is:te") does not hide anything.
                _ => "team".starts_with(kind) || "personal".starts_with(kind),
            };
        }
        if let Some(who) = w.strip_prefix("owner:") {
            let id = c.owner.as_ref().and_then(|o| o.id_u64());
            return who.is_empty()
                || id.is_some_and(|id| {
                    id.to_string() == who
                        || owners
                            .get(&id)
                            .is_some_and(|n| n.to_lowercase().contains(who))
                });
        }
        name.contains(w)
    })
}

impl CadenceList {
    pub fn selected(&self) -> Option<&Cadence> {
        self.rows
            .get(self.cursor.selected)
            .map(|&i| &self.cadences[i])
    }

    /// Takes a new list (the live one in place of the stored one, a refresh) in
    /// place of the old: the next [`CadenceList::rebuild`] keeps the cursor on the
    /// cadence that was selected, wherever it now sorts. (The rows pointed into the
    /// old list: read through them now, a shorter list would be indexed past its end.)
    pub fn replace(&mut self, cadences: Vec<Cadence>) {
        if let Some(id) = self.selected().map(|c| c.id) {
            self.keep = Some(id);
        }
        self.rows.clear();
        self.cadences = cadences;
        for c in &mut self.cadences {
            if let Some(&n) = self.on_cadence.get(&c.id) {
                c.counts.cadence_people = Some(n);
            }
        }
    }

    /// The memberships of cadence `id` were read: `on` of them are currently on
    /// it. The list, the detail and its people table show this number from now.
    pub fn set_on_cadence(&mut self, id: u64, on: u64) {
        self.on_cadence.insert(id, on);
        if let Some(c) = self.cadences.iter_mut().find(|c| c.id == id) {
            c.counts.cadence_people = Some(on);
        }
    }

    pub fn by_id(&self, id: u64) -> Option<&Cadence> {
        self.cadences.iter().find(|c| c.id == id)
    }

    /// Ids of the rows on screen (from the last draw), then all the others.
    pub fn ids_visible_first(&self) -> Vec<u64> {
        let start = self.cursor.offset().min(self.rows.len());
        let end = (start + self.cursor.page()).min(self.rows.len());
        let visible = self.rows[start..end].iter();
        let rest = self.rows[..start].iter().chain(&self.rows[end..]);
        let hidden = (0..self.cadences.len()).filter(|i| !self.rows.contains(i));
        visible
            .chain(rest)
            .copied()
            .chain(hidden)
            .map(|i| self.cadences[i].id)
            .collect()
    }

    /// Cycles the sort column (the sort key), or reverses it (`reverse`).
    pub fn cycle_sort(&mut self, reverse: bool) {
        if reverse {
            self.sort.descending = !self.sort.descending;
        } else {
            self.sort.column = self.sort.column.next();
            self.sort.descending = self.sort.column.default_descending();
        }
    }

    /// Re-applies the filters and the sort, keeping the selection on the same cadence.
    pub fn rebuild(&mut self, agg: &Aggregator, loaded: &HashSet<u64>) {
        let keep = self.keep.take().or_else(|| self.selected().map(|c| c.id));
        let filter = self.filter.value().trim().to_string();
        let mut rows: Vec<usize> = (0..self.cadences.len())
            .filter(|&i| {
                let c = &self.cadences[i];
                self.state_filter.accepts(&c.state()) && matches_filter(c, &self.owners, &filter)
            })
            .collect();
        let sort = self.sort;
        let key = |c: &Cadence| -> SortKey {
            let e = agg.by_cadence(c.id);
            let known = loaded.contains(&c.id) || !e.is_empty();
            SortKey::of(sort.column, c, known.then_some(e))
        };
        let keys: Vec<SortKey> = self.cadences.iter().map(key).collect();
        rows.sort_by(|&a, &b| {
            let (ca, cb) = (&self.cadences[a], &self.cadences[b]);
            let primary = keys[a].compare(&keys[b], sort.descending);
            primary
                .then_with(|| name_order(&ca.name, &cb.name))
                .then(ca.id.cmp(&cb.id))
        });
        self.rows = rows;
        match keep.and_then(|id| self.rows.iter().position(|&i| self.cadences[i].id == id)) {
            Some(pos) => self.cursor.selected = pos,
            None => self.cursor.clamp(self.rows.len()),
        }
    }
}

/// A row's value in the sort column; unknown numbers always sort last.
#[derive(Debug, Clone, PartialEq)]
enum SortKey {
    Text(String),
    Number(Option<f64>),
}

impl SortKey {
    fn of(column: SortColumn, c: &Cadence, e: Option<Engagement>) -> SortKey {
        let rate = |f: fn(&Engagement) -> Option<f64>| SortKey::Number(e.as_ref().and_then(f));
        match column {
            SortColumn::Name => SortKey::Text(c.name.to_lowercase()),
            SortColumn::State => SortKey::Text(c.state().as_str().to_string()),
            SortColumn::Team => SortKey::Text(team_label(c).to_string()),
            SortColumn::People => SortKey::Number(c.counts.cadence_people.map(|n| n as f64)),
            SortColumn::Sent => SortKey::Number(e.map(|e| e.sent as f64)),
            SortColumn::Open => rate(|e| e.rates().open),
            SortColumn::Click => rate(|e| e.rates().click),
            SortColumn::Reply => rate(|e| e.rates().reply),
            SortColumn::Bounce => rate(|e| e.rates().bounce),
        }
    }

    fn compare(&self, other: &SortKey, descending: bool) -> Ordering {
        let flip = |o: Ordering| if descending { o.reverse() } else { o };
        match (self, other) {
            (SortKey::Text(a), SortKey::Text(b)) => flip(a.cmp(b)),
            (SortKey::Number(Some(a)), SortKey::Number(Some(b))) => flip(a.total_cmp(b)),
            (SortKey::Number(Some(_)), SortKey::Number(None)) => Ordering::Less,
            (SortKey::Number(None), SortKey::Number(Some(_))) => Ordering::Greater,
            _ => Ordering::Equal,
        }
    }
}

/// The one order of names in every table: case-insensitive ("acme" next to
/// "Acme", before "Beta"), exact case only to break a tie.
pub fn name_order(a: &str, b: &str) -> std::cmp::Ordering {
    a.to_lowercase()
        .cmp(&b.to_lowercase())
        .then_with(|| a.cmp(b))
}
