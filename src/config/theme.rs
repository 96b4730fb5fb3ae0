//! Colours and text styles, with a monochrome theme for `NO_COLOR` terminals.

use std::fmt;
use std::str::FromStr;

use ratatui::style::{Color, Modifier, Style};
use serde::{Deserialize, Serialize};

/// A theme's name as written in the config (`theme = "default"` or `"mono"`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ThemeName {
    #[default]
    Default,
    Mono,
}

impl ThemeName {
    pub fn as_str(self) -> &'static str {
        match self {
            ThemeName::Default => "default",
            ThemeName::Mono => "mono",
        }
    }
}

impl fmt::Display for ThemeName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for ThemeName {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s.to_ascii_lowercase().as_str() {
            "default" => Ok(ThemeName::Default),
            "mono" => Ok(ThemeName::Mono),
            _ => Err(format!("unknown theme `{s}`; themes: default, mono")),
        }
    }
}

/// The styles every view draws with. Selection also shows [`Theme::marker`], so it stays
/// visible without colour.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Theme {
    pub name: ThemeName,
    /// Plain text.
    pub text: Style,
    /// Table headers and the top bar.
    pub header: Style,
    /// Block titles.
    pub title: Style,
    pub border: Style,
    pub border_focused: Style,
    /// The selected row.
    pub selected: Style,
    /// Drawn before the selected row.
    pub marker: &'static str,
    /// Marked rows (for a bulk action).
    pub marked: Style,
    /// Good news: high reply rate, budget healthy, ✓.
    pub good: Style,
    /// Worth a look: budget near the reserve, stale data.
    pub warn: Style,
    /// Bad news: errors, bounces, ✗.
    pub bad: Style,
    /// Secondary text: timestamps, ids, hints.
    pub dim: Style,
    /// Small labels such as `LIVE`, `FROZEN`, `READ-ONLY`, `DEMO`.
    pub badge: Style,
    /// Key names in hints and help.
    pub key: Style,
    /// Series in the live chart.
    pub opens: Style,
    pub clicks: Style,
    pub replies: Style,
}

impl Default for Theme {
    fn default() -> Self {
        let bold = Modifier::BOLD;
        Theme {
            name: ThemeName::Default,
            text: Style::new(),
            header: Style::new().fg(Color::Cyan).add_modifier(bold),
            title: Style::new().fg(Color::White).add_modifier(bold),
            border: Style::new().fg(Color::DarkGray),
            border_focused: Style::new().fg(Color::Cyan),
            selected: Style::new()
                .bg(Color::Blue)
                .fg(Color::White)
                .add_modifier(bold),
            marker: "▶ ",
            marked: Style::new().fg(Color::Yellow).add_modifier(bold),
            good: Style::new().fg(Color::Green),
            warn: Style::new().fg(Color::Yellow),
            bad: Style::new().fg(Color::Red).add_modifier(bold),
            dim: Style::new().fg(Color::DarkGray),
            badge: Style::new()
                .fg(Color::Black)
                .bg(Color::Cyan)
                .add_modifier(bold),
            key: Style::new().fg(Color::Yellow).add_modifier(bold),
            opens: Style::new().fg(Color::Cyan),
            clicks: Style::new().fg(Color::Magenta),
            replies: Style::new().fg(Color::Green),
        }
    }
}

impl Theme {
    /// Only modifiers, no colours: what `NO_COLOR` gets.
    pub fn mono() -> Theme {
        let m = |m: Modifier| Style::new().add_modifier(m);
        Theme {
            name: ThemeName::Mono,
            text: Style::new(),
            header: m(Modifier::BOLD | Modifier::UNDERLINED),
            title: m(Modifier::BOLD),
            border: Style::new(),
            border_focused: m(Modifier::BOLD),
            selected: m(Modifier::REVERSED | Modifier::BOLD),
            marker: "▶ ",
            marked: m(Modifier::BOLD | Modifier::UNDERLINED),
            good: Style::new(),
            warn: m(Modifier::BOLD),
            bad: m(Modifier::BOLD | Modifier::UNDERLINED),
            dim: m(Modifier::DIM),
            badge: m(Modifier::REVERSED),
            key: m(Modifier::BOLD),
            opens: Style::new(),
            clicks: m(Modifier::BOLD),
            replies: m(Modifier::UNDERLINED),
        }
    }

    /// The theme to draw with; `no_color` (see [`no_color_requested`]) wins over the name.
    pub fn resolve(name: ThemeName, no_color: bool) -> Theme {
        match (name, no_color) {
            (_, true) | (ThemeName::Mono, _) => Theme::mono(),
            (ThemeName::Default, false) => Theme::default(),
        }
    }

    /// Every style with its field name (for tests and a theme preview).
    pub fn styles(&self) -> Vec<(&'static str, Style)> {
        vec![
            ("text", self.text),
            ("header", self.header),
            ("title", self.title),
            ("border", self.border),
            ("border_focused", self.border_focused),
            ("selected", self.selected),
            ("marked", self.marked),
            ("good", self.good),
            ("warn", self.warn),
            ("bad", self.bad),
            ("dim", self.dim),
            ("badge", self.badge),
            ("key", self.key),
            ("opens", self.opens),
            ("clicks", self.clicks),
            ("replies", self.replies),
        ]
    }
}

/// True when the `NO_COLOR` environment variable is set and not empty (no-color.org).
pub fn no_color_requested() -> bool {
    std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn has_colour(s: &Style) -> bool {
        s.fg.is_some() || s.bg.is_some() || s.underline_color.is_some()
    }

    #[test]
    fn no_color_theme_uses_only_modifiers() {
        for name in [ThemeName::Default, ThemeName::Mono] {
            let t = Theme::resolve(name, true);
            for (field, style) in t.styles() {
                assert!(
                    !has_colour(&style),
                    "{name}: {field} has a colour: {style:?}"
                );
            }
            assert!(t.selected.add_modifier.contains(Modifier::REVERSED));
            assert!(!t.marker.trim().is_empty());
        }
    }

    #[test]
    fn default_theme_has_colours_and_styles_differ() {
        let t = Theme::resolve(ThemeName::Default, false);
        assert_eq!(t.name, ThemeName::Default);
        assert!(has_colour(&t.selected) && has_colour(&t.bad));
        assert_ne!(t.good, t.bad);
        let mono = Theme::resolve(ThemeName::Mono, false);
        assert_ne!(mono.selected, mono.text, "selection is visible in mono");
        assert_ne!(mono.bad, mono.good);
    }

    #[test]
    fn theme_names_parse() {
        assert_eq!("Mono".parse::<ThemeName>(), Ok(ThemeName::Mono));
        assert!(
            "solarized"
                .parse::<ThemeName>()
                .unwrap_err()
                .contains("default, mono")
        );
    }
}
