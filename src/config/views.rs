//! `[[views]]`: named views listed by the dashboard's palette as "view: NAME".
//! A view is of the cadences table (filter, state filter, sort, time range,
//! columns shown; the default), of the people search (the query, the id
//! column) or of one cadence's detail (the cadence, the time range, the chart
//! box). The bad entries are reported together in one warning and skipped; the
//! rest of the config still loads. Saving a view rewrites only its own entry
//! of config.toml (`toml_edit` keeps every other line and comment as it was).
//!
//! ```toml
//! [[views]]
//! name = "EMEA replies"
//! filter = "is:team owner:kathleen"
//! state = "active"          # all, active, draft, archived
//! sort = "reply"            # name, state, team, people, sent, open, click, reply, bounce
//! descending = true         # default: names ascending, numbers largest first
//! range_days = 30           # 0: all time
//! columns = ["id", "name", "sent", "reply"]   # default: all but id
//!
//! [[views]]
//! name = "CFOs"
//! table = "people"
//! query = "cfo"
//! ids = true                # the id column (default: hidden)
//!
//! [[views]]
//! name = "Q3 weekly"
//! table = "detail"
//! cadence = 25623
//! range_days = 90           # left out: the range stays as it is
//! chart = "weekly"          # live, daily, weekly; left out: stays as it is
//! ```

use std::path::Path;

use serde::{Deserialize, Deserializer};

/// The cadences table's columns, by the names `[[views]]` uses, in the table's order.
pub const VIEW_COLUMNS: [&str; 10] = [
    "name", "state", "team", "people", "sent", "open", "click", "reply", "bounce", "id",
];
/// The columns a view can sort by (all but the id), in the sort key's order.
pub const VIEW_SORTS: [&str; 9] = [
    "name", "state", "team", "people", "sent", "open", "click", "reply", "bounce",
];
/// The state filters, in the state key's order.
pub const VIEW_STATES: [&str; 4] = ["all", "active", "draft", "archived"];
/// The tables a view can be of, in [`ViewTable`]'s order.
pub const VIEW_TABLES: [&str; 3] = ["cadences", "people", "detail"];
/// The detail's chart box modes.
pub const VIEW_CHARTS: [&str; 3] = ["live", "daily", "weekly"];

/// What a view shows.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum ViewTable {
    /// The cadences table (1).
    #[default]
    Cadences,
    /// The people search (2).
    People,
    /// One cadence's detail.
    Detail,
}

impl ViewTable {
    pub fn as_str(self) -> &'static str {
        VIEW_TABLES[self as usize]
    }
}

/// One saved view.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SavedView {
    pub name: String,
    pub table: ViewTable,
    /// Cadences: the name filter as typed (`is:team owner:NAME` words included).
    pub filter: String,
    /// Cadences: one of [`VIEW_STATES`].
    pub state: String,
    /// Cadences: one of [`VIEW_SORTS`] and whether largest (or Z) first; `None`: by name.
    pub sort: Option<(String, Option<bool>)>,
    /// Cadences and detail: `None`: the range stays as it is; `Some(0)`: all time.
    pub range_days: Option<u32>,
    /// Cadences: columns shown (of [`VIEW_COLUMNS`]); `None`: every column but the id.
    pub columns: Option<Vec<String>>,
    /// People: the search as typed.
    pub query: String,
    /// People: the id column is shown.
    pub ids: bool,
    /// Detail: the cadence's id.
    pub cadence: Option<u64>,
    /// Detail: the chart box (one of [`VIEW_CHARTS`]); `None`: stays as it is.
    pub chart: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawView {
    name: String,
    table: Option<String>,
    filter: Option<String>,
    state: Option<String>,
    sort: Option<String>,
    descending: Option<bool>,
    range_days: Option<u32>,
    columns: Option<Vec<String>>,
    query: Option<String>,
    ids: Option<bool>,
    cadence: Option<u64>,
    chart: Option<String>,
}

impl RawView {
    /// The fields given that `table` has no use for, as "`query`, `ids`".
    fn stray(&self, table: ViewTable) -> Vec<&'static str> {
        let given = [
            ("filter", self.filter.is_some(), ViewTable::Cadences),
            ("state", self.state.is_some(), ViewTable::Cadences),
            ("sort", self.sort.is_some(), ViewTable::Cadences),
            ("descending", self.descending.is_some(), ViewTable::Cadences),
            ("columns", self.columns.is_some(), ViewTable::Cadences),
            ("query", self.query.is_some(), ViewTable::People),
            ("ids", self.ids.is_some(), ViewTable::People),
            ("cadence", self.cadence.is_some(), ViewTable::Detail),
            ("chart", self.chart.is_some(), ViewTable::Detail),
        ];
        let mut out: Vec<&'static str> = given
            .into_iter()
            .filter(|&(_, set, of)| set && of != table)
            .map(|(name, _, _)| name)
            .collect();
        if self.range_days.is_some() && table == ViewTable::People {
            out.push("range_days");
        }
        out
    }
}

fn one_of(what: &str, value: &str, allowed: &[&str]) -> Result<String, String> {
    let v = value.trim().to_ascii_lowercase();
    if allowed.contains(&v.as_str()) {
        Ok(v)
    } else {
        Err(format!(
            "{what} \"{value}\" is not one of {}",
            allowed.join(", ")
        ))
    }
}

impl TryFrom<RawView> for SavedView {
    type Error = String;

    fn try_from(r: RawView) -> Result<SavedView, String> {
        if r.name.trim().is_empty() {
            return Err("name is empty".into());
        }
        let table = match &r.table {
            Some(t) => {
                let t = one_of("table", t, &VIEW_TABLES)?;
                [ViewTable::Cadences, ViewTable::People, ViewTable::Detail]
                    [VIEW_TABLES.iter().position(|v| *v == t).unwrap_or(0)]
            }
            None => ViewTable::Cadences,
        };
        let stray = r.stray(table);
        if !stray.is_empty() {
            return Err(format!(
                "{} not for a {} view (table = \"{}\")",
                stray.join(", "),
                table.as_str(),
                table.as_str()
            ));
        }
        if table == ViewTable::Detail && r.cadence.is_none() {
            return Err("a detail view needs `cadence = ID`".into());
        }
        let chart = match &r.chart {
            Some(c) => Some(one_of("chart", c, &VIEW_CHARTS)?),
            None => None,
        };
        let state = match &r.state {
            Some(s) => one_of("state", s, &VIEW_STATES)?,
            None => "all".to_string(),
        };
        let sort = match &r.sort {
            Some(s) => Some((one_of("sort", s, &VIEW_SORTS)?, r.descending)),
            None if r.descending.is_some() => {
                return Err("descending needs a sort column".into());
            }
            None => None,
        };
        if r.range_days.is_some_and(|d| d > 3650) {
            return Err("range_days must be 0 (all time) to 3650".into());
        }
        let columns = match r.columns {
            Some(cols) => {
                let mut v = Vec::new();
                for c in &cols {
                    let c = one_of("column", c, &VIEW_COLUMNS)?;
                    if !v.contains(&c) {
                        v.push(c);
                    }
                }
                if !v.iter().any(|c| c == "name") {
                    v.insert(0, "name".to_string());
                }
                Some(v)
            }
            None => None,
        };
        Ok(SavedView {
            name: r.name.trim().to_string(),
            table,
            filter: r.filter.unwrap_or_default(),
            state,
            sort,
            range_days: r.range_days,
            columns,
            query: r.query.unwrap_or_default(),
            ids: r.ids.unwrap_or(false),
            cadence: r.cadence,
            chart,
        })
    }
}

/// The `[[views]]` that parsed, and the entries that did not.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SavedViews {
    pub views: Vec<SavedView>,
    pub errors: Vec<SkippedView>,
}

/// A `[[views]]` entry that was skipped, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SkippedView {
    /// Its place among the `[[views]]` (1-based).
    pub entry: usize,
    pub name: Option<String>,
    /// "sort \"replies\" is not one of …".
    pub reason: String,
}

impl SkippedView {
    /// `entry 2 ("EMEA")`.
    pub fn label(&self) -> String {
        match &self.name {
            Some(n) => format!("entry {} (\"{n}\")", self.entry),
            None => format!("entry {}", self.entry),
        }
    }
}

impl std::fmt::Display for SkippedView {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.label(), self.reason)
    }
}

impl SavedViews {
    /// One short warning naming every bad entry (`None`: none), for a status
    /// line, where to read why first (a long list is cut at the end of the
    /// line, not the hint); the reasons are in [`SavedViews::details`] (and
    /// the palette): `config [[views]] skipped (":" then "view" says why): 2
    /// "typo", 4`.
    pub fn warning(&self) -> Option<String> {
        if self.errors.is_empty() {
            return None;
        }
        let names: Vec<String> = self
            .errors
            .iter()
            .map(|e| match &e.name {
                Some(n) => format!("{} \"{n}\"", e.entry),
                None => e.entry.to_string(),
            })
            .collect();
        Some(format!(
            "config [[views]] skipped (\":\" then \"view\" says why): {}",
            names.join(", ")
        ))
    }

    /// Every bad entry with its reason, on one line (`None`: none).
    pub fn details(&self) -> Option<String> {
        if self.errors.is_empty() {
            return None;
        }
        let all: Vec<String> = self.errors.iter().map(ToString::to_string).collect();
        Some(format!(
            "config [[views]] skipped (fix or remove them): {}",
            all.join("; ")
        ))
    }
}

/// `deserialize_with` for `views`: each entry on its own, so one bad entry
/// does not stop the others (nor the rest of the file).
pub(super) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<SavedViews, D::Error> {
    let entries = Vec::<toml::Value>::deserialize(d)?;
    let mut out = SavedViews::default();
    for (i, entry) in entries.into_iter().enumerate() {
        let name = entry
            .get("name")
            .and_then(|n| n.as_str())
            .map(str::to_string);
        let parsed = RawView::deserialize(entry)
            .map_err(|e| e.message().to_string())
            .and_then(SavedView::try_from);
        match parsed {
            Ok(v) => {
                out.views.retain(|old| old.name != v.name);
                out.views.push(v);
            }
            Err(reason) => out.errors.push(SkippedView {
                entry: i + 1,
                name,
                reason,
            }),
        }
    }
    Ok(out)
}

/// The view as a `[[views]]` table.
fn table(view: &SavedView) -> toml_edit::Table {
    let mut t = toml_edit::Table::new();
    t["name"] = toml_edit::value(view.name.as_str());
    if view.table != ViewTable::Cadences {
        t["table"] = toml_edit::value(view.table.as_str());
    }
    match view.table {
        ViewTable::Cadences => {}
        ViewTable::People => {
            t["query"] = toml_edit::value(view.query.as_str());
            if view.ids {
                t["ids"] = toml_edit::value(true);
            }
            return t;
        }
        ViewTable::Detail => {
            if let Some(id) = view.cadence {
                t["cadence"] = toml_edit::value(i64::try_from(id).unwrap_or(i64::MAX));
            }
            if let Some(days) = view.range_days {
                t["range_days"] = toml_edit::value(i64::from(days));
            }
            if let Some(chart) = &view.chart {
                t["chart"] = toml_edit::value(chart.as_str());
            }
            return t;
        }
    }
    t["filter"] = toml_edit::value(view.filter.as_str());
    t["state"] = toml_edit::value(view.state.as_str());
    if let Some((sort, descending)) = &view.sort {
        t["sort"] = toml_edit::value(sort.as_str());
        if let Some(d) = descending {
            t["descending"] = toml_edit::value(*d);
        }
    }
    if let Some(days) = view.range_days {
        t["range_days"] = toml_edit::value(i64::from(days));
    }
    if let Some(cols) = &view.columns {
        let mut a = toml_edit::Array::new();
        for c in cols {
            a.push(c.as_str());
        }
        t["columns"] = toml_edit::value(a);
    }
    t
}

/// `text` (a config file) with `view` saved: its entry of the same name
/// replaced in place, or a new entry appended at the end of the file (so
/// nothing lands among another section's comments, such as the commented
/// defaults under `[keys]`). Everything else, comments included, stays as it
/// was.
pub fn with_view(text: &str, view: &SavedView) -> Result<String, String> {
    let mut doc: toml_edit::DocumentMut = text
        .parse()
        .map_err(|e: toml_edit::TomlError| format!("it is not valid TOML ({})", e.message()))?;
    if let Some(item) = doc.get_mut("views") {
        let Some(views) = item.as_array_of_tables_mut() else {
            return Err("its `views` is not a list of [[views]] tables".into());
        };
        let same = views
            .iter_mut()
            .find(|t| t.get("name").and_then(|n| n.as_str()) == Some(view.name.as_str()));
        if let Some(old) = same {
            let mut new = table(view);
            if let Some(pos) = old.position() {
                new.set_position(pos);
            }
            *new.decor_mut() = old.decor().clone();
            *old = new;
            return Ok(doc.to_string());
        }
    }
    let mut one = toml_edit::DocumentMut::new();
    let mut entry = toml_edit::ArrayOfTables::new();
    entry.push(table(view));
    one.insert("views", toml_edit::Item::ArrayOfTables(entry));
    let mut out = text.to_string();
    if !out.is_empty() {
        if !out.ends_with('\n') {
            out.push('\n');
        }
        out.push('\n');
    }
    out.push_str(&one.to_string());
    Ok(out)
}

/// Saves `view` into the config file at `path` (created, mode 0600, when
/// missing), through a temporary file renamed over it.
pub fn save(path: &Path, view: &SavedView) -> Result<(), String> {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(e) => return Err(format!("cannot read {} ({e})", path.display())),
    };
    let new = with_view(&text, view).map_err(|e| format!("{} {e}", path.display()))?;
    let tmp = path.with_extension("toml.tmp");
    let write = || -> std::io::Result<()> {
        use std::io::Write;
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create(true).truncate(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let mut f = options.open(&tmp)?;
        f.write_all(new.as_bytes())?;
        f.sync_all()?;
        // Keep the file's own permissions (a private file stays private).
        if let Ok(meta) = std::fs::metadata(path) {
            std::fs::set_permissions(&tmp, meta.permissions())?;
        }
        std::fs::rename(&tmp, path)
    };
    write().map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        format!("cannot write {} ({e})", path.display())
    })
}

#[cfg(test)]
#[path = "views_tests.rs"]
mod tests;
