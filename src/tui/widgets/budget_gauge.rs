//! The rate-limit budget as a one-line gauge: `▕██████░░▏ 598/600 ▁▃▁▇`.
//!
//! The bar and the numbers are coloured by threshold (plenty / getting low / under
//! the reserve); without colour the level is still readable from the numbers and a
//! `!` after them when under the reserve. The sparkline shows our spend per 5 s
//! over the last minute, newest on the right.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Widget;

use crate::api::BudgetSnapshot;

use super::super::style::Styles;

/// How full the budget is, relative to the reserve kept for the user's own actions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BudgetLevel {
    Plenty,
    Low,
    Reserve,
    Unknown,
}

impl BudgetLevel {
    /// Plenty above half, low above the reserve fraction, else in the reserve.
    pub fn of(remaining: Option<u32>, limit: u32, reserve: f64) -> BudgetLevel {
        let Some(r) = remaining else {
            return BudgetLevel::Unknown;
        };
        let frac = if limit == 0 {
            0.0
        } else {
            f64::from(r) / f64::from(limit)
        };
        if frac > 0.5_f64.max(reserve) {
            BudgetLevel::Plenty
        } else if frac > reserve {
            BudgetLevel::Low
        } else {
            BudgetLevel::Reserve
        }
    }
}

const SPARK: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];

/// Sparkline characters for a series of spends, scaled to the largest one (at least
/// 5, so an interval of one or two cheap requests stays low and a burst stands out).
pub fn spark_chars(values: &[u32]) -> String {
    let max = values.iter().copied().max().unwrap_or(0).max(5);
    values
        .iter()
        .map(|&v| {
            if v == 0 {
                ' '
            } else {
                let i = (u64::from(v) * 7 / u64::from(max)) as usize;
                SPARK[i.min(7)]
            }
        })
        .collect()
}

pub struct BudgetGauge<'a> {
    snapshot: Option<&'a BudgetSnapshot>,
    reserve: f64,
    styles: &'a Styles,
    bar_width: u16,
    spark_width: u16,
}

impl<'a> BudgetGauge<'a> {
    pub fn new(snapshot: Option<&'a BudgetSnapshot>, reserve: f64, styles: &'a Styles) -> Self {
        BudgetGauge {
            snapshot,
            reserve,
            styles,
            bar_width: 10,
            spark_width: 12,
        }
    }

    pub fn bar_width(mut self, w: u16) -> Self {
        self.bar_width = w;
        self
    }

    pub fn spark_width(mut self, w: u16) -> Self {
        self.spark_width = w;
        self
    }

    /// `"598/600"`, or `"?/600"` before the first response.
    pub fn label(&self) -> String {
        match self.snapshot {
            Some(s) => match s.remaining {
                Some(_) => format!("{}/{}", s.estimated, s.limit),
                None => format!("?/{}", s.limit),
            },
            None => "?".to_string(),
        }
    }

    pub fn level(&self) -> BudgetLevel {
        match self.snapshot {
            Some(s) => BudgetLevel::of(s.remaining.map(|_| s.estimated), s.limit, self.reserve),
            None => BudgetLevel::Unknown,
        }
    }

    fn level_style(&self) -> Style {
        match self.level() {
            BudgetLevel::Plenty => self.styles.good,
            BudgetLevel::Low => self.styles.warn,
            BudgetLevel::Reserve => self.styles.bad,
            BudgetLevel::Unknown => self.styles.dim,
        }
    }

    /// The spans, so the status bar can measure and place them.
    pub fn line(&self) -> Line<'static> {
        let style = self.level_style();
        let mut spans = vec![Span::styled("budget ", self.styles.dim)];
        if self.bar_width > 0 {
            let (remaining, limit) = match self.snapshot {
                Some(s) => (s.estimated, s.limit.max(1)),
                None => (0, 1),
            };
            let w = u32::from(self.bar_width);
            let filled = (remaining.min(limit) * w).div_ceil(limit) as usize;
            let filled = if self.level() == BudgetLevel::Unknown {
                0
            } else {
                filled
            };
            spans.push(Span::styled("█".repeat(filled), style));
            spans.push(Span::styled(
                "░".repeat(w as usize - filled),
                self.styles.dim,
            ));
            spans.push(Span::raw(" "));
        }
        spans.push(Span::styled(self.label(), style.patch(self.styles.bold)));
        if self.level() == BudgetLevel::Reserve {
            spans.push(Span::styled("!", style.patch(self.styles.bold)));
        }
        if self.spark_width > 0
            && let Some(s) = self.snapshot
        {
            let spend = &s.per_interval;
            let start = spend.len().saturating_sub(usize::from(self.spark_width));
            let spark = spark_chars(&spend[start..]);
            if !spark.trim().is_empty() {
                spans.push(Span::raw(" "));
                spans.push(Span::styled(spark, self.styles.accent));
            }
        }
        Line::from(spans)
    }
}

impl Widget for BudgetGauge<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        self.line().render(area, buf);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::SpendSample;
    use std::time::Instant;

    fn snap(remaining: Option<u32>, costs: &[u32]) -> BudgetSnapshot {
        let now = Instant::now();
        BudgetSnapshot {
            limit: 600,
            remaining,
            estimated: remaining.unwrap_or(600),
            last_cost: costs.last().copied(),
            observed_at: Some(now),
            spent_last_minute: costs.iter().sum(),
            history: costs
                .iter()
                .map(|&cost| SpendSample {
                    at: now,
                    cost,
                    remaining,
                })
                .collect(),
            per_interval: costs.to_vec(),
            throttled: 0,
            requests: costs.len() as u64,
            spent: costs.iter().map(|&c| u64::from(c)).sum(),
        }
    }

    fn render(g: BudgetGauge<'_>, width: u16) -> String {
        let area = Rect::new(0, 0, width, 1);
        let mut buf = Buffer::empty(area);
        g.render(area, &mut buf);
        buf.content().iter().map(|c| c.symbol()).collect()
    }

    #[test]
    fn shows_remaining_of_limit_and_levels() {
        let styles = Styles::plain();
        let s = snap(Some(598), &[1, 1]);
        let g = BudgetGauge::new(Some(&s), 0.2, &styles);
        assert_eq!(g.level(), BudgetLevel::Plenty);
        let text = render(g, 40);
        assert!(text.contains("598/600"), "{text}");
        assert!(text.contains("██████████"), "full bar: {text}");

        let s = snap(Some(200), &[]);
        assert_eq!(
            BudgetGauge::new(Some(&s), 0.2, &styles).level(),
            BudgetLevel::Low
        );
        let s = snap(Some(100), &[]);
        let g = BudgetGauge::new(Some(&s), 0.2, &styles);
        assert_eq!(g.level(), BudgetLevel::Reserve);
        assert!(
            render(g, 40).contains("100/600!"),
            "reserve is visible without colour"
        );
        let s = snap(None, &[]);
        assert_eq!(BudgetGauge::new(Some(&s), 0.2, &styles).label(), "?/600");
    }

    #[test]
    fn colours_follow_the_threshold() {
        let styles = Styles::colored();
        let low = snap(Some(90), &[]);
        let g = BudgetGauge::new(Some(&low), 0.2, &styles)
            .bar_width(0)
            .spark_width(0);
        let area = Rect::new(0, 0, 20, 1);
        let mut buf = Buffer::empty(area);
        g.render(area, &mut buf);
        // "budget " is 7 cells; the number starts after it.
        assert_eq!(buf[(7, 0)].fg, styles.bad.fg.unwrap());
        assert_ne!(styles.bad.fg, styles.good.fg);
    }

    #[test]
    fn sparkline_scales_to_the_largest_cost() {
        assert_eq!(spark_chars(&[0, 1, 10]), " ▁█");
        assert_eq!(spark_chars(&[4, 8]), "▄█");
        assert_eq!(spark_chars(&[1, 1]), "▂▂", "cheap requests stay low");
        assert_eq!(spark_chars(&[]), "");
        let styles = Styles::plain();
        let s = snap(Some(500), &[1, 1, 30]);
        let text = render(BudgetGauge::new(Some(&s), 0.2, &styles), 60);
        assert!(text.contains("▁▁█"), "{text}");
    }
}
