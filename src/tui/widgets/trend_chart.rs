//! The trend chart: sent, reply rate and bounce rate per day or week as three
//! sparklines for one cadence or the team, as many buckets as fit with the
//! newest on the right; the title gives their dates and the numbers beside them
//! are over those buckets. The same box shows the live chart in
//! [`ChartMode::Live`].

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Sparkline, Widget};

use crate::config::keymap::Action;
use crate::metrics::{Engagement, format_rate};

use super::super::state::AppState;
use super::super::text::{ellipsize, thousands};
use super::super::trends::{ChartMode, partial_note, series};

/// The chart box of the detail (`Some(cadence)`) or of Activity (`None`).
pub fn render(state: &AppState, cadence: Option<u64>, area: Rect, buf: &mut Buffer) {
    if state.analytics.trends.mode == ChartMode::Live {
        super::live_chart::render(state, cadence, area, buf);
        return;
    }
    let s = &state.styles;
    let mode = state.analytics.trends.mode;
    let all = series(&state.analytics.trends, cadence);
    // As many buckets as there are columns for bars, the newest on the right;
    // the numbers beside them and the title are for what is drawn.
    let label_w = 14u16;
    let bars = usize::from(area.width.saturating_sub(2 + label_w)).max(1);
    let data = &all[all.len().saturating_sub(bars)..];
    let span = match (data.first(), data.last()) {
        (Some((a, _)), Some((b, _))) => {
            format!("{}→{} ", a.format("%m-%d"), b.format("%m-%d"))
        }
        _ => String::new(),
    };
    let key = state
        .keymap
        .hint(Action::Chart)
        .map(|k| format!(" {k}: next chart "))
        .unwrap_or_default();
    let mut block = Block::default()
        .borders(Borders::ALL)
        .border_style(s.border)
        .title(Line::from(vec![
            Span::styled(format!(" {} ", mode.label()), s.title),
            Span::styled(span, s.dim),
            Span::styled(
                if state.metrics.fetch.is_loading() {
                    "loading… "
                } else {
                    ""
                },
                s.dim,
            ),
        ]));
    if area.width >= 44 {
        block = block.title(Line::styled(key, s.dim).right_aligned());
    }
    let inner = block.inner(area);
    block.render(area, buf);
    if inner.height == 0 || inner.width < 16 {
        return;
    }
    let total = data.iter().fold(Engagement::default(), |mut t, (_, e)| {
        t += *e;
        t
    });
    let m = &state.metrics;
    if total.sent == 0 {
        let note = if m.local || m.parked.is_some() || m.agg.is_preset() {
            "the local store's totals are on screen; r loads the emails for trends".to_string()
        } else if m.fetch.is_loading() {
            "waiting for the emails to load…".to_string()
        } else {
            format!("no emails sent in {}", state.metrics.range)
        };
        let note = ellipsize(&note, inner.width as usize);
        Span::styled(note, s.dim).render(Rect { height: 1, ..inner }, buf);
        return;
    }
    // Rates as hundredths of a percent, so the sparkline has integers.
    let bp = |r: Option<f64>| r.map_or(0, |r| (r * 10_000.0).round() as u64);
    let rows: [(&str, String, Vec<u64>, usize); 3] = [
        (
            "sent",
            thousands(total.sent),
            data.iter().map(|(_, e)| e.sent).collect(),
            0,
        ),
        (
            "reply",
            format_rate(total.rates().reply),
            data.iter().map(|(_, e)| bp(e.rates().reply)).collect(),
            2,
        ),
        (
            "bounce",
            format_rate(total.rates().bounce),
            data.iter().map(|(_, e)| bp(e.rates().bounce)).collect(),
            1,
        ),
    ];
    let per = (inner.height.min(6) / 3).max(1);
    for (i, (label, value, points, style)) in rows.into_iter().enumerate() {
        let y = inner.y + per * i as u16;
        if y >= inner.bottom() {
            break;
        }
        let row = Rect {
            y,
            height: per.min(inner.bottom() - y),
            ..inner
        };
        let style = if style == 1 { s.bad } else { s.series[style] };
        Line::from(vec![
            Span::styled(format!("{label:<7}"), style),
            Span::raw(format!("{value:>7}")),
        ])
        .render(
            Rect {
                width: label_w,
                ..row
            },
            buf,
        );
        let room = row.width.saturating_sub(label_w);
        let n = (points.len() as u16).min(room);
        let spark = Rect {
            x: row.x + label_w + room - n,
            width: n,
            ..row
        };
        Sparkline::default()
            .data(&points)
            .style(style)
            .render(spark, buf);
    }
    // What the newest bar is, when a row is left for it.
    if inner.height > per * 3 {
        let note = format!("newest bar: {}", partial_note(mode));
        Span::styled(ellipsize(&note, inner.width as usize), s.dim).render(
            Rect {
                y: inner.bottom() - 1,
                height: 1,
                ..inner
            },
            buf,
        );
    }
}
