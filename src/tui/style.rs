//! The styles the views use, by meaning, taken from the configured [`Theme`]. Under
//! `NO_COLOR` the theme is monochrome (modifiers only), and selection stays visible
//! through reverse/bold plus the `▶` marker every list draws.

use ratatui::style::{Modifier, Style};

use crate::config::Theme;

#[derive(Debug, Clone, PartialEq)]
pub struct Styles {
    pub base: Style,
    pub dim: Style,
    pub bold: Style,
    pub accent: Style,
    pub good: Style,
    pub warn: Style,
    pub bad: Style,
    pub header: Style,
    pub title: Style,
    pub selected: Style,
    pub marker: &'static str,
    pub marked: Style,
    pub badge: Style,
    pub key: Style,
    pub border: Style,
    pub border_focus: Style,
    pub tab: Style,
    pub tab_active: Style,
    pub disabled: Style,
    pub input: Style,
    /// Series colours for the live chart: opens, clicks, replies.
    pub series: [Style; 3],
    pub color: bool,
}

/// Drawn in front of a row marked with space.
pub const MARK: &str = "●";

impl Styles {
    pub fn from_theme(t: &Theme) -> Styles {
        let color = t
            .styles()
            .iter()
            .any(|(_, s)| s.fg.is_some() || s.bg.is_some());
        let bold = Style::new().add_modifier(Modifier::BOLD);
        Styles {
            base: t.text,
            dim: t.dim,
            bold,
            accent: t.opens,
            good: t.good,
            warn: t.warn,
            bad: t.bad,
            header: t.header,
            title: t.title,
            selected: t.selected,
            marker: t.marker,
            marked: t.marked,
            badge: t.badge,
            key: t.key,
            border: t.border,
            border_focus: t.border_focused,
            tab: t.dim,
            tab_active: t.selected,
            disabled: t.dim.add_modifier(Modifier::CROSSED_OUT),
            input: t.text.add_modifier(Modifier::UNDERLINED),
            series: [t.opens, t.clicks, t.replies],
            color,
        }
    }

    /// No colours at all: what `NO_COLOR` asks for.
    pub fn plain() -> Styles {
        Styles::from_theme(&Theme::mono())
    }

    /// The default colour theme.
    pub fn colored() -> Styles {
        Styles::from_theme(&Theme::default())
    }
}
