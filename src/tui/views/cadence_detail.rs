//! One cadence: facts, engagement as numbers and bars, a live chart of opens, clicks
//! and replies, the steps with their own rates, and the people on the cadence.

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Cell, Paragraph, Row, Table, Widget};

use crate::api::models::{Cadence, Step};
use crate::metrics::{Engagement, format_rate};

use super::super::cadence_list::team_label;
use super::super::enroll::ordered_steps;
use super::super::fetch::LoadState;
use super::super::state::{AppState, CadenceDetail};
use super::super::widgets::rate_bar::RateBar;
use super::super::widgets::table::{
    Column, cell_text, constraints, fit_columns, grow_width, placeholder,
};
use super::cadences::state_style;
use super::person::membership_state;
use super::{ellipsize, load_suffix, thousands};

const STEP_COLUMNS: [Column; 7] = [
    Column::new("Day", 3, 9).right(),
    Column::new("Type", 7, 6),
    Column::new("Name", 8, 10).grow(),
    Column::new("Sent", 5, 8).right(),
    Column::new("Open", 6, 7).right(),
    Column::new("Click", 6, 4).right(),
    Column::new("Reply", 6, 5).right(),
];

const PEOPLE_COLUMNS: [Column; 4] = [
    Column::new("Name", 12, 10).grow(),
    Column::new("State", 19, 8),
    Column::new("Email", 22, 3),
    Column::new("Sent", 4, 5).right(),
];

pub fn render(state: &AppState, area: Rect, buf: &mut Buffer) {
    let s = &state.styles;
    let (Some(d), Some(c)) = (&state.detail, state.detail_cadence()) else {
        placeholder(
            area,
            buf,
            Block::bordered(),
            vec![Line::from(
                "No cadence open: pick one in Cadences (1) and press enter.",
            )],
            s.base,
        );
        return;
    };
    let top_h = if area.height >= 20 { 8 } else { 7 };
    let [top, bottom] =
        Layout::vertical([Constraint::Length(top_h), Constraint::Min(4)]).areas(area);
    let wide = area.width >= 100;
    let [facts, chart] = Layout::horizontal([
        Constraint::Percentage(if wide { 50 } else { 55 }),
        Constraint::Fill(1),
    ])
    .areas(top);
    summary(state, c, d, facts, buf);
    live_chart(state, c.id, chart, buf);
    let steps: Vec<&Step> = state
        .steps
        .get(&c.id)
        .map(|v| ordered_steps(v))
        .unwrap_or_default();
    let (steps_area, people_area) = if wide {
        let [a, b] =
            Layout::horizontal([Constraint::Percentage(55), Constraint::Fill(1)]).areas(bottom);
        (a, b)
    } else {
        let want = steps.len().max(1) as u16 + 3;
        let h = want.min(bottom.height / 2).max(4.min(bottom.height));
        let [a, b] = Layout::vertical([Constraint::Length(h), Constraint::Fill(1)]).areas(bottom);
        (a, b)
    };
    steps_table(state, d, &steps, steps_area, buf);
    people_table(state, d, steps.len(), people_area, buf);
}

fn summary(state: &AppState, c: &Cadence, d: &CadenceDetail, area: Rect, buf: &mut Buffer) {
    let s = &state.styles;
    let mut title = vec![Span::styled(format!(" {} ", c.name), s.title)];
    if let Some((text, warn)) = load_suffix(&d.fetch.state()) {
        title.push(Span::styled(
            format!("{text} "),
            if warn { s.warn } else { s.dim },
        ));
    }
    // The owner, by name once the users are loaded, top right when it fits.
    let owner = c.owner.as_ref().map(|r| {
        let name = r
            .id_u64()
            .map_or_else(|| r.id.to_string(), |id| state.user_name(id));
        format!(" owner {name} ")
    });
    let title_w: usize = title.iter().map(Span::width).sum();
    let mut block = Block::default()
        .borders(Borders::ALL)
        .border_style(s.border)
        .title(Line::from(title));
    if let Some(o) = owner.filter(|o| title_w + o.chars().count() + 4 <= area.width as usize) {
        block = block.title(Line::styled(o, s.dim).right_aligned());
    }
    let inner = block.inner(area);
    block.render(area, buf);
    // Enabled steps, as the steps table and the step picker list them; disabled
    // ones are said apart.
    let steps = state
        .steps
        .get(&c.id)
        .map(|v| (crate::tui::enroll::ordered_steps(v).len(), v.len()));
    let state_ = c.state();
    let width = inner.width as usize;
    let mut facts = vec![
        Span::styled(state_.as_str().to_string(), state_style(s, &state_)),
        Span::styled(format!(" · {}", team_label(c)), s.dim),
    ];
    let people = c.counts.cadence_people.map_or("—".into(), thousands);
    let make_tail = |on: &str| {
        [
            Span::styled(" · ", s.dim),
            Span::raw(match steps {
                None => "… steps".to_string(),
                Some((n, all)) if all > n => format!("{n} steps (+{} disabled)", all - n),
                Some((n, _)) => format!("{n} steps"),
            }),
            Span::styled(" · ", s.dim),
            Span::raw(format!("{people} {on}")),
        ]
    };
    let width_of = |spans: &[Span]| spans.iter().map(Span::width).sum::<usize>();
    let used = width_of(&facts);
    // Narrow screens (80 columns): say it shorter, then drop team/personal, rather
    // than cut the line.
    let mut tail = make_tail("on cadence");
    if used + width_of(&tail) > width {
        tail = make_tail("people");
        if used + width_of(&tail) > width {
            facts.truncate(1);
        }
    }
    facts.extend(tail);
    let mut lines = vec![Line::from(facts)];
    let e = state.metrics.agg.by_cadence(c.id);
    let pending = if state.engagement_pending(c.id) {
        " · loading…"
    } else {
        ""
    };
    let long = format!(
        "sent {} · delivered {} · bounced {} · {}{pending}",
        thousands(e.sent),
        thousands(e.delivered),
        thousands(e.bounced),
        state.metrics.range
    );
    let text = if long.chars().count() <= width {
        long
    } else {
        format!(
            "sent {} · delivered {} · {}{pending}",
            thousands(e.sent),
            thousands(e.delivered),
            state.metrics.range.label()
        )
    };
    lines.push(Line::styled(text, s.base));
    let width = inner.width;
    for line in rate_lines(state, &e, width) {
        lines.push(line);
    }
    Paragraph::new(lines).render(inner, buf);
}

/// The four rate bars of an engagement.
pub fn rate_lines(state: &AppState, e: &Engagement, width: u16) -> Vec<Line<'static>> {
    let s = &state.styles;
    let r = e.rates();
    let bar = |label, rate, count, of, style| {
        RateBar {
            label,
            rate,
            count,
            of,
            style,
            dim: s.dim,
        }
        .line(width)
    };
    vec![
        bar("open", r.open, e.opened, e.delivered, s.series[0]),
        bar("click", r.click, e.clicked, e.delivered, s.series[1]),
        bar("reply", r.reply, e.replied, e.delivered, s.series[2]),
        bar("bounce", r.bounce, e.bounced, e.sent, s.bad),
    ]
}

fn live_chart(state: &AppState, cadence_id: u64, area: Rect, buf: &mut Buffer) {
    super::super::widgets::live_chart::render(state, Some(cadence_id), area, buf);
}

/// "Steps (7)", or "Steps (7; 1 disabled, not shown)": disabled steps are
/// counted apart, as in the cadence's facts.
fn steps_title(state: &AppState, d: &CadenceDetail, shown: usize) -> String {
    let all = state.steps.get(&d.cadence_id).map_or(shown, Vec::len);
    match all.saturating_sub(shown) {
        0 => format!(" Steps ({shown}) "),
        n => format!(" Steps ({shown}; {n} disabled, not shown) "),
    }
}

fn steps_table(state: &AppState, d: &CadenceDetail, steps: &[&Step], area: Rect, buf: &mut Buffer) {
    let s = &state.styles;
    let focused = d.cursor.selected < steps.len();
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(if focused { s.border_focus } else { s.border })
        .title(Span::styled(steps_title(state, d, steps.len()), s.title));
    if steps.is_empty() {
        let text = match d.fetch.state() {
            LoadState::Loading | LoadState::Idle => "Loading steps…".to_string(),
            LoadState::Failed(e) => format!("Could not load steps: {e}"),
            _ => "This cadence has no steps.".to_string(),
        };
        placeholder(area, buf, block, vec![Line::from(text)], s.dim);
        return;
    }
    let inner = block.inner(area);
    block.render(area, buf);
    let keep = fit_columns(&STEP_COLUMNS, inner.width);
    let name_w = grow_width(&STEP_COLUMNS, &keep, inner.width);
    let header = Row::new(std::iter::once(Cell::from("")).chain(keep.iter().map(|&i| {
        Cell::from(Span::styled(
            cell_text(&STEP_COLUMNS[i], STEP_COLUMNS[i].title.to_string()),
            s.header,
        ))
    })));
    let sel = focused.then_some(d.cursor.selected);
    let range = d
        .steps_scroll
        .scroll_to(sel, steps.len(), inner.height.saturating_sub(1) as usize);
    let rows = range.map(|pos| {
        let st = steps[pos];
        let e = state.metrics.agg.by_step(st.id);
        let r = e.rates();
        let is_email = st.step_type == "email";
        let rate = |v| {
            if is_email {
                format_rate(v)
            } else {
                String::new()
            }
        };
        let name = st
            .name
            .clone()
            .or_else(|| st.display_name.clone())
            .unwrap_or_default();
        let cells = keep.iter().map(|&i| {
            let c = &STEP_COLUMNS[i];
            let text = match i {
                0 => st.day.map_or("—".into(), |d| d.to_string()),
                1 => st.step_type.clone(),
                2 => ellipsize(&name, name_w),
                3 => {
                    if is_email {
                        thousands(e.sent)
                    } else {
                        String::new()
                    }
                }
                4 => rate(r.open),
                5 => rate(r.click),
                _ => rate(r.reply),
            };
            Cell::from(cell_text(c, text))
        });
        let selected = sel == Some(pos);
        let row = Row::new(
            std::iter::once(Cell::from(if selected { s.marker } else { "  " })).chain(cells),
        );
        if selected { row.style(s.selected) } else { row }
    });
    Table::new(rows, constraints(&STEP_COLUMNS, &keep))
        .header(header)
        .column_spacing(1)
        .render(inner, buf);
}

fn people_table(state: &AppState, d: &CadenceDetail, steps: usize, area: Rect, buf: &mut Buffer) {
    let s = &state.styles;
    let focused = d.cursor.selected >= steps && !d.members.is_empty();
    let on = d
        .members
        .iter()
        .filter(|(m, _)| m.currently_on_cadence)
        .count();
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(if focused { s.border_focus } else { s.border })
        .title(Span::styled(
            format!(
                " People ({on} on cadence of {} ever added) ",
                d.members.len()
            ),
            s.title,
        ));
    if d.members.is_empty() {
        let text = match d.fetch.state() {
            LoadState::Loading | LoadState::Idle => "Loading people…".to_string(),
            LoadState::Failed(e) => format!("Could not load the people: {e}"),
            _ => "Nobody is on this cadence.".to_string(),
        };
        placeholder(area, buf, block, vec![Line::from(text)], s.dim);
        return;
    }
    let inner = block.inner(area);
    block.render(area, buf);
    let keep = fit_columns(&PEOPLE_COLUMNS, inner.width);
    let name_w = grow_width(&PEOPLE_COLUMNS, &keep, inner.width);
    let header = Row::new(
        std::iter::once(Cell::from("")).chain(
            keep.iter()
                .map(|&i| Cell::from(Span::styled(PEOPLE_COLUMNS[i].title, s.header))),
        ),
    );
    let sel = focused.then(|| d.cursor.selected - steps);
    let range = d.members_scroll.scroll_to(
        sel,
        d.members.len(),
        inner.height.saturating_sub(1) as usize,
    );
    let rows = range.map(|pos| {
        let (m, p) = &d.members[pos];
        let entry = m.person_id().and_then(|id| state.people.index.by_id(id));
        let name = p
            .as_ref()
            .map(|p| p.label())
            .or_else(|| entry.map(|e| e.name.clone()));
        let name = name.unwrap_or_else(|| {
            m.person_id()
                .map_or("—".into(), |id| format!("person {id}"))
        });
        let email = p
            .as_ref()
            .and_then(|p| p.email_address.clone())
            .or_else(|| entry.map(|e| e.email.clone()));
        let st = if m.currently_on_cadence {
            s.good
        } else {
            s.dim
        };
        let cells = keep.iter().map(|&i| match i {
            0 => Cell::from(ellipsize(&name, name_w)),
            1 => Cell::from(Span::styled(membership_state(m), st)),
            2 => Cell::from(ellipsize(
                email.as_deref().unwrap_or_default(),
                PEOPLE_COLUMNS[2].width as usize,
            )),
            _ => Cell::from(format!("{:>4}", m.counts.sent_emails)),
        });
        let selected = sel == Some(pos);
        let row = Row::new(
            std::iter::once(Cell::from(if selected { s.marker } else { "  " })).chain(cells),
        );
        if selected { row.style(s.selected) } else { row }
    });
    Table::new(rows, constraints(&PEOPLE_COLUMNS, &keep))
        .header(header)
        .column_spacing(1)
        .render(inner, buf);
}
