//! One cadence: facts, engagement as numbers and bars, a live chart of opens, clicks
//! and replies, the steps with their own rates, and the people on the cadence.

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Cell, Paragraph, Row, Table, Widget};

use crate::api::models::{Cadence, Step};
use crate::metrics::Engagement;

use super::super::cadence_list::team_label;
use super::super::fetch::LoadState;
use super::super::funnel::detail_steps;
use super::super::hits::List;
use super::super::state::{AppState, CadenceDetail};
use super::super::widgets::rate_bar::RateBar;
use super::super::widgets::table::{Column, constraints, fit_columns, grow_width, placeholder};
use super::cadences::state_style;
use super::person::membership_state;
use super::step_funnel;
use super::{ellipsize, load_suffix, thousands};

const PEOPLE_COLUMNS: [Column; 4] = [
    Column::new("Name", 12, 10).grow(),
    Column::new("State", 19, 8),
    Column::new("Email", 22, 3),
    Column::new("Sent", 4, 5).right(),
];

pub fn render(state: &AppState, area: Rect, buf: &mut Buffer) {
    let s = &state.styles;
    let (Some(d), Some(c)) = (&state.cadences.detail, state.detail_cadence()) else {
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
        .cadences
        .steps
        .get(&c.id)
        .map(|v| detail_steps(v))
        .unwrap_or_default();
    let on_steps = d.cursor.selected < steps.len() || d.members.is_empty();
    if wide {
        // The steps and the people side by side, the templates of the step
        // under the cursor across the whole width below them.
        let rows = state
            .selected_step()
            .and_then(|st| d.funnel.data.as_ref()?.templates.get(&st.id))
            .map_or(1, Vec::len) as u16;
        let t_h = (rows + 3).clamp(5, 9).min(bottom.height / 2);
        let [upper, templates] =
            Layout::vertical([Constraint::Fill(1), Constraint::Length(t_h)]).areas(bottom);
        let [steps_area, people] =
            Layout::horizontal([Constraint::Percentage(60), Constraint::Fill(1)]).areas(upper);
        step_funnel::steps_table(state, d, &steps, steps_area, buf);
        step_funnel::templates_table(state, d, false, templates, buf);
        people_table(state, d, steps.len(), people, buf);
    } else {
        // Narrow: the pane under the steps follows the focus: the templates of
        // the step under the cursor, or the people.
        let want = steps.len().max(1) as u16 + 3;
        let h = want.min(bottom.height / 2).max(4.min(bottom.height));
        let [a, b] = Layout::vertical([Constraint::Length(h), Constraint::Fill(1)]).areas(bottom);
        step_funnel::steps_table(state, d, &steps, a, buf);
        if on_steps && !steps.is_empty() {
            step_funnel::templates_table(state, d, true, b, buf);
        } else {
            people_table(state, d, steps.len(), b, buf);
        }
    }
}

fn summary(state: &AppState, c: &Cadence, d: &CadenceDetail, area: Rect, buf: &mut Buffer) {
    let s = &state.styles;
    let mut title = vec![
        Span::styled(format!(" {} ", c.name), s.title),
        Span::styled(format!("· id {}", c.id), s.dim),
    ];
    match load_suffix(&d.fetch.state()) {
        Some((text, warn)) => title.push(Span::styled(
            format!("{text} "),
            if warn { s.warn } else { s.dim },
        )),
        None => title.push(Span::raw(" ")),
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
    if let Some(o) =
        owner.filter(|o| title_w + crate::tui::text::columns(o) + 4 <= area.width as usize)
    {
        block = block.title(Line::styled(o, s.dim).right_aligned());
    }
    let inner = block.inner(area);
    block.render(area, buf);
    // Enabled steps, as the steps table and the step picker list them; disabled
    // ones are said apart.
    let steps = state
        .cadences
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
    // On the team database before the hub's first sync: the memberships have
    // not arrived, so a count would read 0.
    let unsynced = state
        .conn
        .hub
        .as_ref()
        .is_some_and(crate::tui::hub::HubView::never_synced);
    let make_tail = |on: &str| {
        [
            Span::styled(" · ", s.dim),
            Span::raw(match steps {
                None => "… steps".to_string(),
                Some((n, all)) if all > n => format!("{n} steps (+{} disabled)", all - n),
                Some((n, _)) => format!("{n} steps"),
            }),
            Span::styled(" · ", s.dim),
            if unsynced {
                Span::styled("people not synced yet", s.dim)
            } else {
                Span::raw(format!("{people} {on}"))
            },
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
    let pending = state.engagement_pending(c.id);
    // Its range not read: the live minutes alone would pass for the range.
    let unread = !pending && !state.engagement_known(c.id);
    let n = |v: u64| {
        if unread {
            "?".to_string()
        } else {
            thousands(v)
        }
    };
    let pending = if pending { " · loading…" } else { "" };
    let long = format!(
        "sent {} · delivered {} · bounced {} · {}{pending}",
        n(e.sent),
        n(e.delivered),
        n(e.bounced),
        state.metrics.range
    );
    let text = if long.chars().count() <= width {
        long
    } else {
        format!(
            "sent {} · delivered {} · {}{pending}",
            n(e.sent),
            n(e.delivered),
            state.metrics.range.label()
        )
    };
    lines.push(Line::styled(text, s.base));
    if unread {
        lines.push(Line::styled(super::cadences::not_read(state), s.warn));
    } else {
        lines.extend(rate_lines(state, &e, inner.width));
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
    super::super::widgets::trend_chart::render(state, Some(cadence_id), area, buf);
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
            format!(" People ({on} on · {} ever added) ", d.members.len()),
            s.title,
        ));
    let block = step_funnel::focus_hint(state, block, focused || d.members.is_empty());
    state.screen.hits.pane(List::Members, area);
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
    state.screen.hits.table(List::Members, inner, &range);
    let rows = range.map(|pos| {
        let (m, p) = &d.members[pos];
        let entry = m
            .person_id()
            .and_then(|id| state.people.search.index.by_id(id));
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
