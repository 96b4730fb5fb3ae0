//! One engagement rate as a labelled bar: `open  ███████░░░░░ 42.1%  420/1,000`.
//! A rate with a zero denominator shows "—" and an empty bar, never NaN.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Widget;

use crate::metrics::format_rate;

use super::super::text::thousands;

pub struct RateBar<'a> {
    pub label: &'a str,
    pub rate: Option<f64>,
    pub count: u64,
    pub of: u64,
    pub style: Style,
    pub dim: Style,
}

impl RateBar<'_> {
    pub fn line(&self, width: u16) -> Line<'static> {
        let label = format!("{:<7}", self.label);
        let pct = format!("{:>6}", format_rate(self.rate));
        // The count is padded to the width of its total, so bars over the same total
        // (open, click, reply: delivered) get the same length and compare by eye.
        let of = thousands(self.of);
        let counts = format!(
            "  {:>w$}/{of}",
            thousands(self.count),
            w = of.chars().count()
        );
        let fixed = label.chars().count() + pct.len() + 1;
        let show_counts = usize::from(width) >= fixed + counts.len() + 8;
        let bar_w = usize::from(width)
            .saturating_sub(fixed + if show_counts { counts.len() } else { 0 })
            .min(30);
        let filled = self
            .rate
            .map_or(0, |r| (r.clamp(0.0, 1.0) * bar_w as f64).round() as usize);
        let mut spans = vec![
            Span::styled(label, self.dim),
            Span::styled("█".repeat(filled), self.style),
            Span::styled("░".repeat(bar_w - filled), self.dim),
            Span::raw(" "),
            Span::styled(pct, self.style),
        ];
        if show_counts {
            spans.push(Span::styled(counts, self.dim));
        }
        Line::from(spans)
    }
}

impl Widget for RateBar<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        self.line(area.width).render(area, buf);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(bar: RateBar<'_>, width: u16) -> String {
        let area = Rect::new(0, 0, width, 1);
        let mut buf = Buffer::empty(area);
        bar.render(area, &mut buf);
        buf.content()
            .iter()
            .map(|c| c.symbol())
            .collect::<String>()
            .trim_end()
            .to_string()
    }

    #[test]
    fn shows_rate_bar_and_counts_or_a_dash() {
        let s = Style::new();
        let t = text(
            RateBar {
                label: "open",
                rate: Some(0.5),
                count: 500,
                of: 1000,
                style: s,
                dim: s,
            },
            50,
        );
        assert!(t.starts_with("open   █"), "{t}");
        assert!(t.contains(" 50.0%"), "{t}");
        assert!(t.contains("500/1,000"), "{t}");
        let t = text(
            RateBar {
                label: "reply",
                rate: None,
                count: 0,
                of: 0,
                style: s,
                dim: s,
            },
            50,
        );
        assert!(t.contains("—"), "{t}");
        assert!(!t.contains('█'), "an unknown rate has an empty bar: {t}");
        assert!(!t.contains("NaN"));
        // Narrow: the counts go, the rate stays.
        let t = text(
            RateBar {
                label: "open",
                rate: Some(0.25),
                count: 1,
                of: 4,
                style: s,
                dim: s,
            },
            22,
        );
        assert!(t.contains("25.0%") && !t.contains("1/4"), "{t}");
    }

    #[test]
    fn bars_over_one_total_have_one_length() {
        let s = Style::new();
        let bar = |count| {
            text(
                RateBar {
                    label: "open",
                    rate: Some(0.0),
                    count,
                    of: 11_534,
                    style: s,
                    dim: s,
                },
                60,
            )
        };
        let (few, many) = (bar(3), bar(3_285));
        assert_eq!(few.matches('░').count(), many.matches('░').count());
        assert!(few.ends_with("      3/11,534"), "{few}");
    }
}
