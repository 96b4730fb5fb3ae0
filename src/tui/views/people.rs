//! People: search as you type over the local index, with index progress, marks for
//! bulk enrollment, and an exact email match from the API shown first.

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Cell, Row, Table, Widget};

use super::super::hits::List;
use super::super::pages::LAY_OUT_HERE;
use super::super::state::{AppState, IndexStatus};
use super::super::style::MARK;
pub use super::super::widgets::input_line::input_line;
use super::super::widgets::table::{MARKER_WIDTH, placeholder};
use super::{ellipsize, thousands};

/// The data columns after the mark column.
pub const TITLES: [&str; 4] = ["Name", "Email", "Company", "Title"];
/// Least width each column needs to stay readable; the last ones drop first.
/// (Title's 16 keeps it out at 80 columns, where name, email and company need
/// the room.)
const MIN: [u16; 4] = [18, 26, 14, 16];
/// Widths the spare room fills first, round robin...
const IDEAL: [u16; 4] = [24, 32, 20, 24];
/// ...then up to these; whatever is left goes to the last column kept.
const CAP: [u16; 4] = [26, 44, 32, 48];

/// Widths of Name, Email, Company and Title (0: dropped) in a table `width` wide
/// (the selection marker and the mark in one cell, and one space between
/// columns included). At 80 columns Title goes so name, email and company stay
/// readable.
pub fn column_widths(width: u16) -> [u16; 4] {
    let mut kept = 4;
    let avail = loop {
        // The marker's cell (the mark in its second place), then one gap
        // before each column.
        let avail = width.saturating_sub(MARKER_WIDTH + kept as u16);
        if MIN[..kept].iter().sum::<u16>() <= avail || kept == 1 {
            break avail;
        }
        kept -= 1;
    };
    let mut w = [0u16; 4];
    if kept == 1 {
        w[0] = avail;
        return w;
    }
    w[..kept].copy_from_slice(&MIN[..kept]);
    let mut spare = avail - MIN[..kept].iter().sum::<u16>();
    for goal in [IDEAL, CAP] {
        while spare > 0 {
            let mut grew = false;
            for i in 0..kept {
                if spare > 0 && w[i] < goal[i] {
                    w[i] += 1;
                    spare -= 1;
                    grew = true;
                }
            }
            if !grew {
                break;
            }
        }
    }
    w[kept - 1] += spare;
    w
}

/// "indexing 3,200 people…" / "5,000 people indexed".
pub fn index_progress(state: &AppState) -> (String, bool) {
    let n = thousands(state.people.search.index.len() as u64);
    match &state.people.search.status {
        IndexStatus::NotStarted => ("index not started".into(), false),
        IndexStatus::Running => (format!("indexing {n} people…"), false),
        IndexStatus::Done { .. } => (format!("{n} people indexed"), false),
        IndexStatus::Failed(e) => (format!("{n} people indexed; indexing stopped: {e}"), true),
    }
}

/// The results answer an earlier query: the index is being laid out off the
/// UI task (too many people to lay out here) and the search runs when it is.
pub fn search_waits(state: &AppState) -> bool {
    let p = &state.people.search;
    p.index.waits_for_layout(p.query.value(), LAY_OUT_HERE)
}

pub fn render(state: &AppState, area: Rect, buf: &mut Buffer) {
    let s = &state.styles;
    let p = &state.people.search;
    let (progress, failed) = index_progress(state);
    let mut title = vec![
        Span::styled(" People ", s.title),
        Span::styled(
            format!("· {progress} "),
            if failed { s.warn } else { s.dim },
        ),
    ];
    if search_waits(state) {
        title.push(Span::styled("· laying out for the search… ", s.dim));
    }
    if !p.marked.is_empty() {
        title.push(Span::styled(
            format!("· {} marked ", p.marked.len()),
            s.marked,
        ));
    }
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(s.border)
        .title(Line::from(title));
    let inner = block.inner(area);
    block.render(area, buf);
    state.screen.hits.pane(List::People, area);
    if inner.height < 2 {
        return;
    }
    let input_area = Rect { height: 1, ..inner };
    input_line(state, "search", &p.query, p.focused, input_area, buf);
    // The table lists the best SEARCH_LIMIT: said when more matched, so
    // the last row is not taken for the last match.
    let listed = p.hits.hits.len();
    let count = if p.query.is_empty() {
        (listed < p.index.len()).then(|| {
            format!(
                "{listed} of {} listed: type to search",
                thousands(p.index.len() as u64)
            )
        })
    } else if listed < p.hits.total {
        Some(format!(
            "best {listed} of {} matches",
            thousands(p.hits.total as u64)
        ))
    } else {
        Some(format!(
            "{} match{}",
            thousands(p.hits.total as u64),
            if p.hits.total == 1 { "" } else { "es" }
        ))
    };
    let count = count.unwrap_or_default();
    if !count.is_empty() && inner.width as usize > count.len() + 30 {
        let w = count.len() as u16;
        Line::styled(count, s.dim).render(
            Rect {
                x: inner.right() - w,
                width: w,
                ..input_area
            },
            buf,
        );
    }
    let table_area = Rect {
        y: inner.y + 1,
        height: inner.height - 1,
        ..inner
    };
    if p.hits.hits.is_empty() {
        if let Some(text) = super::super::auth_text::screen_text(state) {
            placeholder(
                table_area,
                buf,
                Block::default(),
                vec![Line::from(text)],
                s.bad,
            );
            return;
        }
        let lines = empty_lines(state);
        placeholder(table_area, buf, Block::default(), lines, s.base);
        return;
    }
    table(state, table_area, buf);
}

fn empty_lines(state: &AppState) -> Vec<Line<'static>> {
    let s = &state.styles;
    let p = &state.people.search;
    let lookup = p.lookup.waiting.as_ref().map(|(_, e)| e.clone());
    match (&p.status, p.query.is_empty()) {
        (_, false) if search_waits(state) => vec![Line::from(format!(
            "Laying out {} people for the search…",
            thousands(p.index.len() as u64)
        ))],
        (_, false) if lookup.is_some() => vec![Line::from(format!(
            "Looking up {} …",
            lookup.unwrap_or_default()
        ))],
        (IndexStatus::Running | IndexStatus::NotStarted, true) => {
            vec![Line::from("Indexing people…")]
        }
        (IndexStatus::Failed(e), true) => vec![
            Line::from(format!("Could not index people: {e}")),
            Line::styled("Press r to try again.", s.dim),
        ],
        (IndexStatus::Done { .. }, true) => vec![Line::from("This team has no people yet.")],
        (status, false) => {
            let mut v = vec![Line::from(format!(
                "Nobody matches \"{}\".",
                p.query.value()
            ))];
            if matches!(status, IndexStatus::Running) {
                v.push(Line::styled(
                    "The index is still filling; more people may match soon.",
                    s.dim,
                ));
            }
            v.push(Line::styled(
                "Type a full email address to look it up in SalesLoft.",
                s.dim,
            ));
            v
        }
    }
}

fn table(state: &AppState, area: Rect, buf: &mut Buffer) {
    let s = &state.styles;
    let p = &state.people.search;
    // The id goes first, where the eye starts, as in the cadences table, as
    // wide as the longest id found (never cut: it is typed into the CLI) and
    // no wider, left-aligned as the cadences' and the steps' ids.
    let id_len = p
        .hits
        .hits
        .iter()
        .filter_map(|&i| p.index.get(i))
        .map(|e| e.id.to_string().len())
        .max()
        .unwrap_or(2)
        .max(2);
    let id_w = if p.show_ids && area.width >= 40 {
        id_len as u16 + 1
    } else {
        0
    };
    let widths = column_widths(area.width - id_w);
    let kept = widths.iter().take_while(|&&w| w > 0).count();
    let id_title = (id_w > 0).then(|| Cell::from(Span::styled("ID", s.header)));
    let header = Row::new(
        std::iter::once(Cell::from("")).chain(id_title).chain(
            TITLES[..kept]
                .iter()
                .map(|&t| Cell::from(Span::styled(t, s.header))),
        ),
    );
    let height = area.height.saturating_sub(1) as usize;
    let range = p.cursor.viewport(p.hits.hits.len(), height);
    state.screen.hits.table(List::People, area, &range);
    let exact =
        p.lookup.answer.as_ref().and_then(|(email, id)| {
            id.filter(|_| email.eq_ignore_ascii_case(p.query.value().trim()))
        });
    let rows = range.map(|pos| {
        let Some(e) = p.index.get(p.hits.hits[pos]) else {
            return Row::new(Vec::<Cell>::new());
        };
        let selected = pos == p.cursor.selected;
        let marked = p.marked.contains(&e.id);
        let name = if exact == Some(e.id) {
            format!("{} (exact email)", e.name)
        } else {
            e.name.clone()
        };
        let texts = [&name, &e.email, &e.company, &e.title];
        let id = (id_w > 0).then(|| Cell::from(e.id.to_string()));
        let cells = (0..kept).map(|i| Cell::from(ellipsize(texts[i], widths[i] as usize)));
        // The marker's first place, then the mark in its second (the
        // marker's own space): "▶●", "▶ ", " ●".
        let marker = s.marker.chars().next().filter(|_| selected).unwrap_or(' ');
        let lead = Line::from(vec![
            Span::raw(marker.to_string()),
            Span::styled(if marked { MARK } else { " " }, s.marked),
        ]);
        let row = Row::new(std::iter::once(Cell::from(lead)).chain(id).chain(cells));
        match (selected, marked) {
            (true, _) => row.style(s.selected),
            (false, true) => row.style(s.marked),
            _ => row,
        }
    });
    let id_col = (id_w > 0).then(|| id_w - 1);
    let constraints = std::iter::once(MARKER_WIDTH)
        .chain(id_col)
        .chain(widths[..kept].iter().copied())
        .map(Constraint::Length);
    Table::new(rows, constraints)
        .header(header)
        .column_spacing(1)
        .render(area, buf);
}

#[cfg(test)]
mod tests {
    use super::column_widths;

    #[test]
    fn widths_share_the_room_and_drop_title_first() {
        // 80x24: the table is 78 wide; title goes, email gets the most room.
        let w = column_widths(78);
        assert_eq!(w[3], 0, "{w:?}");
        assert!(w[0] >= 20 && w[1] >= 28 && w[2] >= 16, "{w:?}");
        assert_eq!(2 + 3 + w.iter().sum::<u16>(), 78);
        // 120 columns: every column, name about 24, email wider than name.
        let w = column_widths(118);
        assert!(w.iter().all(|&x| x > 0), "{w:?}");
        assert!((22..=26).contains(&w[0]) && w[1] > w[0] + 6, "{w:?}");
        assert_eq!(2 + 4 + w.iter().sum::<u16>(), 118);
        // Very narrow: the name alone.
        assert_eq!(column_widths(30), [27, 0, 0, 0]);
    }
}
