//! One person: title, company, email, counts, and the cadences they are on.

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Cell, Paragraph, Row, Table, Widget, Wrap};

use crate::api::models::Membership;

use super::super::fetch::LoadState;
use super::super::hits::List;
use super::super::state::AppState;
use super::super::widgets::table::{Column, constraints, fit_columns, grow_width, placeholder};
use super::{ellipsize, load_suffix, thousands};

const COLUMNS: [Column; 6] = [
    Column::new("Cadence", 14, 20).grow(),
    Column::new("State", 19, 10),
    Column::new("Added", 10, 4),
    Column::new("Sent", 5, 8).right(),
    Column::new("Opens", 5, 6).right(),
    Column::new("Replies", 7, 7).right(),
];

pub fn render(state: &AppState, area: Rect, buf: &mut Buffer) {
    let s = &state.styles;
    let Some(page) = &state.people.person else {
        placeholder(
            area,
            buf,
            Block::bordered(),
            vec![Line::from("No person open.")],
            s.base,
        );
        return;
    };
    let entry = state.people.search.index.by_id(page.person_id);
    let name = page
        .person
        .as_ref()
        .map(|p| p.label())
        .or_else(|| entry.map(|e| e.name.clone()));
    let name = name.unwrap_or_else(|| format!("person {}", page.person_id));
    let mut title = vec![
        Span::styled(format!(" {name} "), s.title),
        Span::styled(format!("· id {}", page.person_id), s.dim),
    ];
    match load_suffix(&page.fetch.state()) {
        Some((text, warn)) => title.push(Span::styled(
            format!("{text} "),
            if warn { s.warn } else { s.dim },
        )),
        None => title.push(Span::raw(" ")),
    }
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(s.border)
        .title(Line::from(title));
    let Some(person) = &page.person else {
        let lines = match page.fetch.state() {
            LoadState::Failed(e) => vec![
                Line::from(format!("Could not load this person: {e}")),
                Line::styled("Press r to try again.", s.dim),
            ],
            _ => vec![Line::from("Loading…")],
        };
        placeholder(area, buf, block, lines, s.base);
        return;
    };
    let inner = block.inner(area);
    block.render(area, buf);
    let dash = |o: &Option<String>| {
        o.clone()
            .filter(|v| !v.is_empty())
            .unwrap_or_else(|| "—".into())
    };
    let c = &person.counts;
    let facts = vec![
        Line::from(vec![
            Span::styled(dash(&person.title), s.bold),
            Span::styled(" at ", s.dim),
            Span::styled(dash(&person.person_company_name), s.bold),
        ]),
        Line::from(vec![
            Span::styled("email ", s.dim),
            Span::raw(dash(&person.email_address)),
            Span::styled("  phone ", s.dim),
            Span::raw(dash(&person.phone)),
        ]),
        Line::from(vec![
            Span::styled("emails ", s.dim),
            Span::raw(format!(
                "{} sent · {} viewed · {} clicked · {} replied · {} bounced",
                thousands(c.emails_sent),
                thousands(c.emails_viewed),
                thousands(c.emails_clicked),
                thousands(c.emails_replied_to),
                thousands(c.emails_bounced)
            )),
            Span::styled(format!("  calls {}", thousands(c.calls)), s.dim),
        ]),
        Line::from(vec![
            Span::styled("flags ", s.dim),
            Span::raw(flags(person)),
        ]),
    ];
    let [top, bottom] = Layout::vertical([
        Constraint::Length(facts.len() as u16 + 1),
        Constraint::Min(2),
    ])
    .areas(inner);
    Paragraph::new(facts)
        .wrap(Wrap { trim: true })
        .render(top, buf);
    memberships(state, &page.memberships, page.cursor.selected, bottom, buf);
}

fn flags(p: &crate::api::models::Person) -> String {
    let mut v = Vec::new();
    if p.do_not_contact {
        v.push("do not contact");
    }
    if p.bouncing {
        v.push("bouncing");
    }
    if p.eu_resident {
        v.push("EU resident");
    }
    if v.is_empty() {
        "none".into()
    } else {
        v.join(", ")
    }
}

fn memberships(
    state: &AppState,
    list: &[Membership],
    selected: usize,
    area: Rect,
    buf: &mut Buffer,
) {
    let s = &state.styles;
    let on = list.iter().filter(|m| m.currently_on_cadence).count();
    let block = Block::default()
        .borders(Borders::TOP)
        .border_style(s.border)
        .title(Span::styled(
            format!(" Cadences: on {on}, {} in all ", list.len()),
            s.title,
        ));
    state.screen.hits.pane(List::Person, area);
    if list.is_empty() {
        placeholder(
            area,
            buf,
            block,
            vec![Line::from("Not on any cadence.")],
            s.dim,
        );
        return;
    }
    let inner = block.inner(area);
    block.render(area, buf);
    let keep = fit_columns(&COLUMNS, inner.width);
    let name_w = grow_width(&COLUMNS, &keep, inner.width);
    let header = Row::new(
        std::iter::once(Cell::from("")).chain(
            keep.iter()
                .map(|&i| Cell::from(Span::styled(COLUMNS[i].title, s.header))),
        ),
    );
    let cursor = &state.people.person.as_ref().expect("person page").cursor;
    let range = cursor.viewport(list.len(), inner.height.saturating_sub(1) as usize);
    state.screen.hits.table(List::Person, inner, &range);
    let rows = range.map(|pos| {
        let m = &list[pos];
        let cadence = m
            .cadence_id()
            .map(|id| {
                state
                    .cadences
                    .list
                    .by_id(id)
                    .map_or_else(|| format!("cadence {id}"), |c| c.name.clone())
            })
            .unwrap_or_else(|| "—".into());
        let st = if m.currently_on_cadence {
            s.good
        } else {
            s.dim
        };
        let cells = keep.iter().map(|&i| match i {
            0 => Cell::from(ellipsize(&cadence, name_w)),
            1 => Cell::from(Span::styled(membership_state(m), st)),
            2 => Cell::from(
                m.added_at
                    .map_or("—".into(), |t| t.format("%Y-%m-%d").to_string()),
            ),
            3 => Cell::from(format!("{:>5}", m.counts.sent_emails)),
            4 => Cell::from(format!("{:>5}", m.counts.views)),
            _ => Cell::from(format!("{:>7}", m.counts.replies)),
        });
        let sel = pos == selected;
        let row =
            Row::new(std::iter::once(Cell::from(if sel { s.marker } else { "  " })).chain(cells));
        if sel { row.style(s.selected) } else { row }
    });
    Table::new(rows, constraints(&COLUMNS, &keep))
        .header(header)
        .column_spacing(1)
        .render(inner, buf);
}

/// "● active" while on the cadence, "○ removed no action" after: readable without
/// colour.
pub fn membership_state(m: &Membership) -> String {
    let state = if m.current_state.is_empty() {
        "unknown"
    } else {
        m.current_state.as_str()
    };
    let dot = if m.currently_on_cadence { "●" } else { "○" };
    format!("{dot} {}", state.replace('_', " "))
}
