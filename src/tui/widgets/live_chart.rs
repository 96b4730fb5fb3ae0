//! The live chart: opens, clicks and replies per time bucket as three sparklines,
//! newest on the right, for one cadence or for all of them.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Sparkline, Widget};

use crate::metrics::ActivityKind;

use super::super::state::AppState;

/// Three sparklines (opens, clicks, replies) of live activity, newest on the right.
/// `cadence_id: None` charts every cadence together.
pub fn render(state: &AppState, cadence_id: Option<u64>, area: Rect, buf: &mut Buffer) {
    let s = &state.styles;
    let series = &state.metrics.series;
    let minutes = series.bucket().as_secs() * series.buckets() as u64 / 60;
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(s.border)
        .title(Line::from(vec![
            Span::styled(format!(" live · last {minutes} min "), s.title),
            // In the title, not over the newest bars.
            Span::styled(
                if state.conn.live.frozen {
                    "frozen "
                } else {
                    ""
                },
                s.warn,
            ),
        ]));
    let inner = block.inner(area);
    block.render(area, buf);
    if inner.height == 0 || inner.width < 12 {
        return;
    }
    let wall = state.clock.wall;
    let quiet = ActivityKind::ALL.into_iter().all(|k| match cadence_id {
        Some(id) => series.series(id, k, wall).iter().all(|&n| n == 0),
        None => series.total_series(k, wall).iter().all(|&n| n == 0),
    });
    if quiet {
        // Not three rows of zeros: one dim line that says what the window is.
        let note = format!("no activity in the last {minutes} min");
        let note = super::super::text::ellipsize(&note, inner.width as usize);
        Span::styled(note, s.dim).render(Rect { height: 1, ..inner }, buf);
    } else {
        sparklines(state, cadence_id, inner, buf);
    }
}

fn sparklines(state: &AppState, cadence_id: Option<u64>, inner: Rect, buf: &mut Buffer) {
    let s = &state.styles;
    let series = &state.metrics.series;
    let label_w = 12u16;
    let rows = inner.height.min(6);
    let per = (rows / 3).max(1);
    let wall = state.clock.wall;
    for (i, kind) in ActivityKind::ALL.into_iter().enumerate() {
        let y = inner.y + per * i as u16;
        if y >= inner.bottom() {
            break;
        }
        let data = match cadence_id {
            Some(id) => series.series(id, kind, wall),
            None => series.total_series(kind, wall),
        };
        let total: u64 = data.iter().sum();
        let row = Rect {
            y,
            height: per.min(inner.bottom() - y),
            ..inner
        };
        let label = Rect {
            width: label_w,
            ..row
        };
        Line::from(vec![
            Span::styled(format!("{:<8}", kind.label()), s.series[i]),
            Span::raw(format!("{total:>3}")),
        ])
        .render(label, buf);
        let spark_area = Rect {
            x: row.x + label_w,
            width: row.width.saturating_sub(label_w),
            ..row
        };
        let take = spark_area.width as usize;
        let tail = &data[data.len().saturating_sub(take)..];
        Sparkline::default()
            .data(tail)
            .style(s.series[i])
            .render(spark_area, buf);
    }
}
