//! Alerts (4): every `[[alerts]]` rule of the config with what it says now over
//! the emails the dashboard holds (firing, quiet, too few emails, or not
//! evaluated and why), as `sltui alerts` evaluates them.

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Cell, Paragraph, Row, Table, Widget};

use crate::config::AlertRule;
use crate::metrics::alerts::Check;
use crate::metrics::format_rate;

use super::super::alerts::{RuleState, span_days};
use super::super::hits::List;
use super::super::state::AppState;
use super::super::widgets::table::{Column, constraints, fit_columns, grow_width, placeholder};
use super::{ellipsize, thousands};

const COLUMNS: [Column; 5] = [
    Column::new("State", 8, 10),
    Column::new("Rule", 16, 9),
    Column::new("Watches", 44, 6),
    Column::new("Now", 24, 8).grow(),
    Column::new("Scope", 16, 4),
];

/// "reply rate below 2.0% over 7 days (min 200 sent)", with the drift baseline.
pub fn condition(rule: &AlertRule) -> String {
    let t = &rule.threshold;
    let base = match rule.drop_vs_days {
        Some(n) => format!(
            "{} drop {} {:.1} pts, {}d vs {n}d before",
            rule.metric.words(),
            t.direction(),
            t.value() * 100.0,
            rule.days
        ),
        None => format!(
            "{} {} {} over {}d",
            rule.metric.words(),
            t.direction(),
            format_rate(Some(t.value())),
            rule.days
        ),
    };
    format!("{base}, min {} sent", rule.min_sent)
}

fn now_text(state: &RuleState) -> String {
    match state {
        RuleState::NotEvaluated(why) => why.clone(),
        RuleState::Evaluated(Check::TooFew { sent }) => {
            format!("{} sent: too few to judge", thousands(*sent))
        }
        RuleState::Evaluated(Check::Quiet { sent, value }) => {
            format!("{} over {} sent", format_rate(*value), thousands(*sent))
        }
        RuleState::Evaluated(Check::Fires(f)) => match f.baseline_rate {
            Some(b) => format!(
                "{} → {} (−{:.1} pts) over {} sent",
                format_rate(Some(b)),
                format_rate(Some(f.rate)),
                f.value * 100.0,
                thousands(f.sent)
            ),
            None => format!(
                "{} over {} sent",
                format_rate(Some(f.rate)),
                thousands(f.sent)
            ),
        },
    }
}

pub fn scope_text(state: &AppState, rule: &AlertRule) -> String {
    match rule.cadence {
        Some(id) => state
            .cadences
            .list
            .by_id(id)
            .map_or_else(|| format!("cadence {id}"), |c| c.name.clone()),
        None => "every cadence".to_string(),
    }
}

pub fn render(state: &AppState, area: Rect, buf: &mut Buffer) {
    let s = &state.styles;
    let a = &state.analytics.alerts;
    let when = a
        .evaluated_at
        .map(|t| format!("· evaluated {} UTC ", t.format("%H:%M:%S")))
        .unwrap_or_default();
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(s.border_focus)
        .title(Line::from(vec![
            Span::styled(
                format!(" Alerts ({} rules, {} firing) ", a.rules.len(), a.firing()),
                s.title,
            ),
            Span::styled(when, s.dim),
        ]));
    state.screen.hits.pane(List::Alerts, area);
    if a.rules.is_empty() {
        let lines = vec![
            Line::from("No [[alerts]] rules in the config file."),
            Line::from(""),
            Line::from("Add rules (name, metric, above or below, days, min_sent; optional"),
            Line::from("drop_vs_days and cadence) as the README's Alerts section shows;"),
            Line::from("`sltui alerts` evaluates the same rules for cron."),
        ];
        placeholder(area, buf, block, lines, s.dim);
        return;
    }
    let inner = block.inner(area);
    block.render(area, buf);
    // The selected rule in full under the table.
    let [inner, detail] =
        Layout::vertical([Constraint::Fill(1), Constraint::Length(3)]).areas(inner);
    if let Some(rule) = a.rules.get(a.cursor.selected) {
        let scope = scope_text(state, rule);
        let now = a.states.get(a.cursor.selected).map_or_else(
            || {
                format!(
                    "not evaluated yet (needs {} days of emails)",
                    span_days(rule)
                )
            },
            now_text,
        );
        let lines = vec![
            Line::styled("─".repeat(usize::from(detail.width)), s.border),
            Line::from(vec![
                Span::styled(format!("{}: ", rule.name), s.bold),
                Span::raw(format!("{} · {scope}", condition(rule))),
            ]),
            Line::from(vec![Span::styled("now: ", s.dim), Span::raw(now)]),
        ];
        Paragraph::new(lines).render(detail, buf);
    }
    let keep = fit_columns(&COLUMNS, inner.width);
    let grow = grow_width(&COLUMNS, &keep, inner.width);
    let header = Row::new(
        std::iter::once(Cell::from("")).chain(
            keep.iter()
                .map(|&i| Cell::from(Span::styled(COLUMNS[i].title, s.header))),
        ),
    );
    let sel = a.cursor.selected;
    let range = a.cursor.scroll_to(
        Some(sel),
        a.rules.len(),
        inner.height.saturating_sub(1) as usize,
    );
    state.screen.hits.table(List::Alerts, inner, &range);
    let rows = range.map(|pos| {
        let rule = &a.rules[pos];
        let st = a.states.get(pos);
        let (label, style) = match st {
            Some(RuleState::Evaluated(Check::Fires(_))) => ("▲ FIRING", s.bad),
            Some(RuleState::Evaluated(Check::Quiet { .. })) => ("ok", s.good),
            Some(RuleState::Evaluated(Check::TooFew { .. })) => ("quiet", s.dim),
            Some(RuleState::NotEvaluated(_)) | None => ("—", s.dim),
        };
        let now = st.map_or_else(
            || {
                format!(
                    "not evaluated yet (needs {} days of emails)",
                    span_days(rule)
                )
            },
            now_text,
        );
        let scope = scope_text(state, rule);
        let cells = keep.iter().map(|&i| match i {
            0 => Cell::from(Span::styled(label, style)),
            1 => Cell::from(ellipsize(&rule.name, usize::from(COLUMNS[1].width))),
            2 => Cell::from(ellipsize(&condition(rule), usize::from(COLUMNS[2].width))),
            3 => Cell::from(ellipsize(&now, grow)),
            _ => Cell::from(ellipsize(&scope, usize::from(COLUMNS[4].width))),
        });
        let selected = pos == sel;
        let row = Row::new(
            std::iter::once(Cell::from(if selected { s.marker } else { "  " })).chain(cells),
        );
        if selected { row.style(s.selected) } else { row }
    });
    Table::new(rows, constraints(&COLUMNS, &keep))
        .header(header)
        .column_spacing(1)
        .render(inner, buf);
}
