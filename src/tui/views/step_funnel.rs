//! The detail's steps as a funnel (people reached per step as bars, the drop-off
//! from the step before, each step's email rates; disabled steps marked, not
//! hidden) and the template A/B table of the step under the cursor. The counts
//! are `metrics::funnel`'s, as `sltui report --by step|template` prints them.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Cell, Row, Table, Widget};

use crate::api::models::Step;
use crate::config::keymap::Action;
use crate::metrics::breakdown::{TemplateStats, TemplateVerdict};
use crate::metrics::format_rate;
use crate::metrics::funnel::drop_off;

use super::super::fetch::LoadState;
use super::super::funnel::FunnelData;
use super::super::hits::List;
use super::super::state::{AppState, CadenceDetail};
use super::super::widgets::table::{
    Column, cell_text, constraints, fit_columns, grow_width, placeholder,
};
use super::{ellipsize, thousands};
use crate::tui::text::ellipsize_middle;

/// Width of the reached column: a bar and the count.
const REACHED_W: u16 = 14;

const STEP_COLUMNS: [Column; 10] = [
    // Its width is the longest id's, set when drawn.
    Column::new("ID", 2, 3),
    Column::new("Day", 3, 9).right(),
    Column::new("Type", 5, 6),
    Column::new("Name", 14, 10).grow(),
    Column::new("Reached", REACHED_W, 8),
    Column::new("Drop", 5, 7).right(),
    Column::new("Sent", 5, 5).right(),
    Column::new("Open", 6, 2).right(),
    Column::new("Click", 6, 1).right(),
    Column::new("Reply", 6, 4).right(),
];

const TEMPLATE_COLUMNS: [Column; 9] = [
    Column::new("Template", 12, 10).grow(),
    Column::new("Sent", 5, 3).right(),
    Column::new("Deliv", 5, 2).right(),
    Column::new("Repl", 5, 4).right(),
    Column::new("Reply", 6, 9).right(),
    Column::new("95% CI", 11, 7),
    Column::new("p", 6, 5).right(),
    Column::new("P(better)", 9, 6).right(),
    Column::new("Verdict", 16, 8),
];

/// The key that moves the focus between the steps and the people, for titles.
fn switch_key(state: &AppState) -> Option<String> {
    state.keymap.hint(Action::SwitchPane)
}

/// A right-aligned hint in an unfocused pane's border: which key focuses it.
pub fn focus_hint(state: &AppState, block: Block<'static>, focused: bool) -> Block<'static> {
    match switch_key(state).filter(|_| !focused) {
        Some(k) => {
            block.title(Line::styled(format!(" {k}: focus "), state.styles.dim).right_aligned())
        }
        None => block,
    }
}

/// `"█████▍   412"`: a bar of `n / max` in eighths, then the count right-aligned
/// to the width of `max`'s, so every row's bar has the same scale.
pub fn reached_bar(n: usize, max: usize, width: usize) -> String {
    let count_w = thousands(max.max(n) as u64).chars().count();
    let count = format!("{:>count_w$}", thousands(n as u64));
    let bar_w = width.saturating_sub(count_w + 1);
    let eighths = (n.min(max) * bar_w * 8 + max / 2)
        .checked_div(max)
        .unwrap_or(0);
    let mut bar = "█".repeat(eighths / 8);
    const PARTS: [&str; 8] = ["", "▏", "▎", "▍", "▌", "▋", "▊", "▉"];
    bar.push_str(PARTS[eighths % 8]);
    let pad = bar_w.saturating_sub(bar.chars().count());
    format!("{bar}{} {count}", " ".repeat(pad))
}

/// `"↓12%"` for a loss from the previous step, `"↑3%"` for a gain.
pub fn drop_text(previous: usize, next: usize) -> String {
    match drop_off(previous, next) {
        Some(d) if d >= 0.0 => format!("↓{:.0}%", d * 100.0),
        Some(d) => format!("↑{:.0}%", -d * 100.0),
        None => "—".to_string(),
    }
}

fn step_name(st: &Step) -> String {
    st.name
        .clone()
        .or_else(|| st.display_name.clone())
        .unwrap_or_default()
}

pub fn steps_table(
    state: &AppState,
    d: &CadenceDetail,
    steps: &[&Step],
    area: Rect,
    buf: &mut Buffer,
) {
    let s = &state.styles;
    let focused = d.cursor.selected < steps.len();
    let load = d.funnel.fetch.state();
    // As the cadence's facts count them: the enabled steps, the disabled apart
    // (listed here too, marked [off]).
    let off = steps.iter().filter(|st| st.disabled).count();
    let count = match off {
        0 => format!(" Steps ({}) ", steps.len()),
        n => format!(" Steps ({} + {n} disabled) ", steps.len() - n),
    };
    let mut title = vec![Span::styled(count, s.title)];
    match &load {
        LoadState::Loading | LoadState::Ready { refreshing: true } => {
            title.push(Span::styled("· funnel loading… ", s.dim))
        }
        LoadState::Failed(_) | LoadState::Stale(_) => {
            title.push(Span::styled("· funnel failed ", s.warn))
        }
        _ => {}
    }
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(if focused { s.border_focus } else { s.border })
        .title(Line::from(title));
    let block = focus_hint(state, block, focused || steps.is_empty());
    state.screen.hits.pane(List::Steps, area);
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
    // The id column as wide as the longest id (never cut: it is typed into the CLI).
    let mut columns = STEP_COLUMNS;
    let id_w = steps
        .iter()
        .map(|st| st.id.to_string().len())
        .max()
        .unwrap_or(2);
    columns[0].width = id_w.max(2) as u16;
    let keep = fit_columns(&columns, inner.width);
    let name_w = grow_width(&columns, &keep, inner.width);
    let header = Row::new(std::iter::once(Cell::from("")).chain(keep.iter().map(|&i| {
        Cell::from(Span::styled(
            cell_text(&columns[i], columns[i].title.to_string()),
            s.header,
        ))
    })));
    let funnel: Option<&FunnelData> = d
        .funnel
        .data
        .as_ref()
        .filter(|f| f.range == state.metrics.range);
    let reached = |st: &Step| funnel.and_then(|f| f.row(st.id)).map(|r| r.people_reached);
    let max = steps.iter().filter_map(|st| reached(st)).max().unwrap_or(0);
    let sel = focused.then_some(d.cursor.selected);
    let range = d
        .steps_scroll
        .scroll_to(sel, steps.len(), inner.height.saturating_sub(1) as usize);
    state.screen.hits.table(List::Steps, inner, &range);
    // The email numbers over the range: `?` when it was not read (the live
    // minutes alone would pass for it), as the cadences table.
    let unread = !state.engagement_pending(d.cadence_id) && !state.engagement_known(d.cadence_id);
    let rows = range.map(|pos| {
        let st = steps[pos];
        let e = state.metrics.agg.by_step(st.id);
        let r = e.rates();
        let is_email = st.step_type == "email";
        let number = |text: String| match (is_email, unread) {
            (false, _) => String::new(),
            (true, true) => "?".to_string(),
            (true, false) => text,
        };
        let rate = |v| number(format_rate(v));
        let name = if st.disabled {
            format!("[off] {}", step_name(st))
        } else {
            step_name(st)
        };
        // Steps that neither email nor call (tasks, integrations) reach nobody
        // countable: they say so and the drop-off skips them.
        let counted = |st: &Step| matches!(st.step_type.as_str(), "email" | "phone");
        let here = reached(st).filter(|&n| n > 0 || counted(st));
        let before = steps[..pos]
            .iter()
            .rev()
            .filter_map(|p| reached(p))
            .find(|&n| n > 0);
        let cells = keep.iter().map(|&i| {
            let c = &columns[i];
            let text = match i {
                0 => st.id.to_string(),
                1 => st.day.map_or("—".into(), |d| d.to_string()),
                2 => ellipsize(&st.step_type, usize::from(c.width)),
                3 => ellipsize(&name, name_w),
                4 => match (here, &load) {
                    (Some(n), _) => reached_bar(n, max, usize::from(REACHED_W)),
                    (None, _) if funnel.is_some() => {
                        format!("{:>w$}", "—", w = usize::from(REACHED_W))
                    }
                    (None, LoadState::Failed(_)) => "—".into(),
                    (None, _) => "…".into(),
                },
                5 => match (before, here) {
                    (Some(b), Some(h)) => drop_text(b, h),
                    _ => String::new(),
                },
                6 => number(thousands(e.sent)),
                7 => rate(r.open),
                8 => rate(r.click),
                _ => rate(r.reply),
            };
            let style = if i == 4 {
                s.series[2]
            } else {
                Style::default()
            };
            Cell::from(Span::styled(cell_text(c, text), style))
        });
        let selected = sel == Some(pos);
        let row = Row::new(
            std::iter::once(Cell::from(if selected { s.marker } else { "  " })).chain(cells),
        );
        match (selected, st.disabled) {
            (true, _) => row.style(s.selected),
            (false, true) => row.style(s.disabled),
            (false, false) => row,
        }
    });
    Table::new(rows, constraints(&columns, &keep))
        .header(header)
        .column_spacing(1)
        .render(inner, buf);
}

/// `"4.1–9.8%"`.
pub fn interval_text(ci: Option<(f64, f64)>) -> String {
    match ci {
        Some((lo, hi)) => format!("{:.1}–{:.1}%", lo * 100.0, hi * 100.0),
        None => "—".to_string(),
    }
}

/// A p-value to three places, `<0.001` below.
pub fn p_text(p: Option<f64>) -> String {
    match p {
        Some(p) if p < 0.001 => "<0.001".to_string(),
        Some(p) => format!("{p:.3}"),
        None => "—".to_string(),
    }
}

/// A probability as a whole percentage, `<1%` and `>99%` at the ends.
pub fn prob_text(p: Option<f64>) -> String {
    match p {
        Some(p) if p < 0.01 => "<1%".to_string(),
        Some(p) if p > 0.99 => ">99%".to_string(),
        Some(p) => format!("{:.0}%", p * 100.0),
        None => "—".to_string(),
    }
}

/// The template A/B table of the step under the cursor (or a line saying why
/// there is none). `instead_of_people`: drawn where the people would be (narrow
/// terminals), so its border names the key that shows them.
pub fn templates_table(
    state: &AppState,
    d: &CadenceDetail,
    instead_of_people: bool,
    area: Rect,
    buf: &mut Buffer,
) {
    let s = &state.styles;
    let step = state.selected_step();
    let mut title = vec![Span::styled(" Templates ", s.title)];
    if let Some(st) = step {
        let label = format!("· step {}: {} ", st.id, step_name(st));
        title.push(Span::styled(label, s.dim));
    }
    let mut block = Block::default()
        .borders(Borders::ALL)
        .border_style(s.border)
        .title(Line::from(title));
    let hint = match switch_key(state).filter(|_| instead_of_people) {
        Some(k) => format!(" {k}: people "),
        None => " * leader ".to_string(),
    };
    if area.width > 60 {
        block = block.title(Line::styled(hint, s.dim).right_aligned());
    }
    let funnel = d
        .funnel
        .data
        .as_ref()
        .filter(|f| f.range == state.metrics.range);
    let range = state.metrics.range;
    let message = match (step, funnel, d.funnel.fetch.state()) {
        (None, _, _) => Some("Move the cursor to a step to compare its email templates.".into()),
        (Some(_), None, LoadState::Failed(e)) => Some(format!("Could not load the templates: {e}")),
        (Some(_), None, _) => Some("Loading the funnel and templates…".to_string()),
        (Some(st), Some(f), _) => match f.templates.get(&st.id) {
            Some(rows) if !rows.is_empty() => None,
            _ if st.step_type != "email" => Some(format!(
                "This {} step sends no emails: no templates to compare.",
                st.step_type
            )),
            _ => Some(format!("No emails sent from this step in {range}.")),
        },
    };
    if let Some(text) = message {
        placeholder(area, buf, block, vec![Line::from(text)], s.dim);
        return;
    }
    let (Some(st), Some(f)) = (step, funnel) else {
        return;
    };
    let rows: &[TemplateStats] = f.templates.get(&st.id).map_or(&[], Vec::as_slice);
    let inner = block.inner(area);
    block.render(area, buf);
    let keep = fit_columns(&TEMPLATE_COLUMNS, inner.width);
    let name_w = grow_width(&TEMPLATE_COLUMNS, &keep, inner.width);
    let header = Row::new(std::iter::once(Cell::from("")).chain(keep.iter().map(|&i| {
        Cell::from(Span::styled(
            cell_text(&TEMPLATE_COLUMNS[i], TEMPLATE_COLUMNS[i].title.to_string()),
            s.header,
        ))
    })));
    let table_rows = rows.iter().map(|t| {
        let e = &t.engagement;
        let cells = keep.iter().map(|&i| {
            let c = &TEMPLATE_COLUMNS[i];
            let text = match i {
                0 => ellipsize_middle(&f.title(t.template_id), name_w),
                1 => thousands(e.sent),
                2 => thousands(e.delivered),
                3 => thousands(e.replied),
                4 => format_rate(t.reply_rate),
                5 => interval_text(t.reply_rate_ci),
                6 => p_text(t.p_value),
                7 => prob_text(t.p_better),
                _ => t.verdict.as_str().to_string(),
            };
            let style = match (i, t.verdict) {
                (8, TemplateVerdict::Winner) => s.good,
                (8, TemplateVerdict::LeaderBetter) => s.warn,
                (8, _) => s.dim,
                _ => Style::default(),
            };
            Cell::from(Span::styled(cell_text(c, text), style))
        });
        // The leader is marked in words as well as bold, for NO_COLOR.
        let marker = if t.leader { "* " } else { "  " };
        let row = Row::new(std::iter::once(Cell::from(marker)).chain(cells));
        if t.leader { row.style(s.bold) } else { row }
    });
    Table::new(table_rows, constraints(&TEMPLATE_COLUMNS, &keep))
        .header(header)
        .column_spacing(1)
        .render(inner, buf);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_scale_to_the_widest_step_and_keep_their_width() {
        assert_eq!(reached_bar(8, 8, 14), "████████████ 8");
        assert_eq!(reached_bar(4, 8, 14), "██████       4");
        assert_eq!(reached_bar(0, 8, 14), "             0");
        assert_eq!(reached_bar(0, 0, 14), "             0");
        // The same scale on every row: 95 of 194 is half the bar of 194.
        assert_eq!(reached_bar(194, 194, 14), "██████████ 194");
        assert_eq!(reached_bar(95, 194, 14), "████▉       95");
        // One eighth of a cell is drawn as a sliver, not rounded away.
        assert_eq!(reached_bar(1, 80, 14), "▏            1");
        for n in [0, 1, 7, 999, 1_000, 12_345] {
            assert_eq!(reached_bar(n, 12_345, 14).chars().count(), 14, "{n}");
        }
    }

    #[test]
    fn long_template_names_keep_their_ends() {
        assert_eq!(
            ellipsize_middle("Customer Story (A)", 15),
            "Custome…ory (A)"
        );
        assert_eq!(
            ellipsize_middle("Customer Story (A)", 18),
            "Customer Story (A)"
        );
        assert_eq!(
            ellipsize_middle("Customer Story (A)", 15).chars().count(),
            15
        );
        assert_eq!(ellipsize_middle("abcdef", 3), "ab…");
    }

    #[test]
    fn drop_off_says_loss_or_gain() {
        assert_eq!(drop_text(100, 88), "↓12%");
        assert_eq!(drop_text(100, 103), "↑3%");
        assert_eq!(drop_text(0, 5), "—");
        assert_eq!(drop_text(50, 50), "↓0%");
    }

    #[test]
    fn statistics_read_at_a_glance() {
        assert_eq!(interval_text(Some((0.041, 0.098))), "4.1–9.8%");
        assert_eq!(interval_text(None), "—");
        assert_eq!(p_text(Some(0.0321)), "0.032");
        assert_eq!(p_text(Some(0.0004)), "<0.001");
        assert_eq!(prob_text(Some(0.123)), "12%");
        assert_eq!(prob_text(Some(0.995)), ">99%");
        assert_eq!(prob_text(Some(0.001)), "<1%");
        assert_eq!(prob_text(None), "—");
    }
}
