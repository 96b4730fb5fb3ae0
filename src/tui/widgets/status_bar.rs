//! The two status lines on every screen.
//!
//! Line 1: profile or DEMO badge, READ-ONLY, the budget gauge, live state
//! (AUTH FAILED / UNREACHABLE, retrying in N s / CONNECTING before any answer /
//! LIVE / FROZEN / PAUSED: reason / IDLE) with
//! "⚡ hooks" while the webhook receiver runs (when it fits),
//! "updated N s ago" (marked stale while unreachable).
//! Line 2: the running task with a spinner and the newest message, then key hints
//! for this view taken from the live keymap.

use std::time::Duration;

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Widget;

use crate::config::keymap::Action;

use super::super::hub::{HubView, Tone, ago};
use super::super::state::{AppState, Level, View};
use super::budget_gauge::BudgetGauge;

const SPINNER: [&str; 8] = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧"];

pub fn spinner(frame: usize) -> &'static str {
    SPINNER[frame % SPINNER.len()]
}

/// How long without contact before the data counts as stale while live.
pub fn stale_after(refresh_secs: u64) -> Duration {
    Duration::from_secs((refresh_secs * 3).max(30))
}

pub fn render(state: &AppState, area: Rect, buf: &mut Buffer) {
    if area.height == 0 {
        return;
    }
    let line1 = Rect { height: 1, ..area };
    first_line(state, area.width).render(line1, buf);
    if area.height > 1 {
        let line2 = Rect {
            y: area.y + 1,
            height: 1,
            ..area
        };
        second_line(state, line2, buf);
    }
}

fn sep(state: &AppState) -> Span<'static> {
    Span::styled(" │ ", state.styles.dim)
}

pub fn first_line(state: &AppState, width: u16) -> Line<'static> {
    let s = &state.styles;
    let mut spans = Vec::new();
    if state.session.demo {
        spans.push(Span::styled(" DEMO ", s.badge));
    } else {
        spans.push(Span::styled(
            format!(" {} ", state.session.profile_label),
            s.title,
        ));
    }
    if state.session.read_only {
        spans.push(Span::raw(" "));
        spans.push(Span::styled(" READ-ONLY ", s.badge));
    }
    spans.push(sep(state));
    if let Some(hub) = &state.conn.hub {
        // On the team database: the hub's figures, never this dashboard's own.
        spans.extend(hub_spans(state, hub, width));
    } else {
        budget_spans(state, width, &mut spans);
    }
    spans.push(sep(state));
    spans.push(live_span(state, width));
    let hooks = hooks_span(state);
    let firing = state.analytics.alerts.firing();
    if firing > 0 {
        spans.push(sep(state));
        let text = match firing {
            1 => "▲ 1 alert".to_string(),
            n => format!("▲ {n} alerts"),
        };
        spans.push(Span::styled(text, s.bad));
    }
    spans.push(sep(state));
    spans.push(updated_span(state, width));
    // The webhook mark is the first thing to go when the line is full: it
    // never pushes out the budget, the live state or the data's age.
    if let Some(hooks) = hooks {
        let used: usize = spans.iter().map(Span::width).sum();
        if used + hooks.width() <= usize::from(width) {
            let at = spans.len() - 2;
            spans.insert(at, hooks);
        }
    }
    Line::from(spans)
}

/// The budget gauge (and 429s seen) of a dashboard that talks to SalesLoft.
fn budget_spans(state: &AppState, width: u16, spans: &mut Vec<Span<'static>>) {
    let s = &state.styles;
    let (bar, spark) = if width >= 110 {
        (12, 16)
    } else if width >= 90 {
        (8, 8)
    } else {
        // 80 columns: the last 20 s of spend, so the live state and the data's
        // age keep their room.
        (6, 4)
    };
    let gauge = BudgetGauge::new(state.conn.budget.as_ref(), state.session.reserve, s)
        .bar_width(bar)
        .spark_width(spark);
    spans.extend(gauge.line().spans);
    if let Some(b) = &state.conn.budget
        && b.throttled > 0
        && width >= 100
    {
        spans.push(Span::styled(format!(" 429×{}", b.throttled), s.warn));
    }
}

/// The team hub in place of the gauge (a dashboard on `--db`): its name, the
/// age of its last sync and the team's budget as it last read it; stale marked.
fn hub_spans(state: &AppState, hub: &HubView, width: u16) -> Vec<Span<'static>> {
    let s = &state.styles;
    hub.parts(state.clock.now, width)
        .into_iter()
        .map(|(text, tone)| {
            let style = match tone {
                Tone::Plain => s.title,
                Tone::Dim => s.dim,
                Tone::Warn => s.warn,
                Tone::Bad => s.bad,
            };
            Span::styled(text, style)
        })
        .collect()
}

/// "⚡ hooks" (plain "+hooks" without colour) while the webhook receiver runs.
fn hooks_span(state: &AppState) -> Option<Span<'static>> {
    let s = &state.styles;
    state.conn.live.webhooks.then(|| {
        if s.color {
            Span::styled(" ⚡ hooks", s.good)
        } else {
            Span::styled(" +hooks", s.base)
        }
    })
}

/// Whole seconds until the worker's next try, while SalesLoft is unreachable.
fn retry_secs(state: &AppState) -> Option<u64> {
    let down = state.conn.unreachable.as_ref()?;
    let left = down.retry_at.saturating_duration_since(state.clock.now);
    Some(left.as_secs_f64().ceil() as u64)
}

/// "SalesLoft unreachable, retrying in 4 s" while the worker's circuit is open.
pub fn unreachable_text(state: &AppState) -> Option<String> {
    Some(match retry_secs(state)? {
        0 => "SalesLoft unreachable, retrying now".to_string(),
        secs => format!("SalesLoft unreachable, retrying in {secs} s"),
    })
}

fn live_span(state: &AppState, width: u16) -> Span<'static> {
    let s = &state.styles;
    // The key is refused: nothing is live, whatever else holds.
    if let Some(text) = super::super::auth_text::status_text(state, width) {
        return Span::styled(text, s.bad);
    }
    if super::super::stored::offline(state)
        && let Some(secs) = retry_secs(state)
    {
        // "offline, data as of …" follows and says the rest.
        let text = match (secs, width >= 100) {
            (0, _) => "retrying now".to_string(),
            (n, true) => format!("retrying in {n} s"),
            (n, false) => format!("retry {n}s"),
        };
        return Span::styled(format!("⚠ {text}"), s.bad);
    }
    if let Some(text) = unreachable_text(state) {
        // Narrow: the message line names SalesLoft already; keep room for "stale".
        let text = if width >= 100 {
            text
        } else {
            text.replacen("SalesLoft unreachable", "unreachable", 1)
        };
        Span::styled(format!("⚠ {text}"), s.bad)
    } else if state.conn.live.frozen {
        Span::styled("❄ FROZEN", s.warn)
    } else if let Some(why) = &state.conn.live.paused_reason {
        Span::styled(format!("⏸ PAUSED: {}", paused_text(state, why)), s.warn)
    } else if (state.conn.live.enabled || state.conn.live.requested == Some(true))
        && state.conn.heartbeat.is_none()
    {
        // Nothing has answered yet: not live until something does.
        Span::styled("○ CONNECTING", s.dim)
    } else if state.conn.live.enabled || state.conn.live.requested == Some(true) {
        Span::styled("● LIVE", s.good)
    } else {
        Span::styled("○ IDLE", s.dim)
    }
}

/// Why live updates are paused, with the budget figure the gauge shows (the
/// worker's reason was written when the pause began; the gauge moves on).
fn paused_text(state: &AppState, why: &str) -> String {
    match &state.conn.budget {
        Some(b) if b.remaining.is_some() => format!(
            "{}/{} under the {}% reserve",
            b.estimated,
            b.limit,
            (state.session.reserve * 100.0).round() as u32
        ),
        _ => why.to_string(),
    }
}

fn updated_span(state: &AppState, width: u16) -> Span<'static> {
    let s = &state.styles;
    // Stored data on screen: its age, until live answers replace it.
    if let Some(text) = super::super::stored::stale_text(state) {
        let text = if width >= 100 {
            text
        } else {
            text.replacen("stored data from", "stored", 1)
        };
        return Span::styled(text, s.warn);
    }
    match state.conn.heartbeat {
        None if state.conn.auth.is_some() => Span::styled("no data", s.warn),
        None => Span::styled("no data yet", s.dim),
        Some(at) => {
            let age = state.clock.now.saturating_duration_since(at);
            let unreachable = state.conn.unreachable.is_some() || state.conn.auth.is_some();
            if unreachable && width < 100 {
                return Span::styled(format!("stale {}", ago(age)), s.warn);
            }
            let stale = unreachable
                || (state.wants_live() && age > stale_after(state.session.refresh_secs));
            let text = format!("updated {} ago", ago(age));
            if stale {
                Span::styled(format!("{text} (stale)"), s.warn)
            } else {
                Span::styled(text, s.dim)
            }
        }
    }
}

/// What is in progress, for the spinner: an enrollment, a request the worker
/// reported, or the engagement still loading.
pub fn activity_text(state: &AppState) -> Option<String> {
    if let Some(t) = state.tasks.list.last()
        && t.finished.is_none()
    {
        return Some(t.summary());
    }
    let m = &state.metrics;
    if let Some(why) = &m.deferred
        && m.fetch.is_loading()
    {
        return Some(format!("engagement waits for budget: {why}"));
    }
    if m.fetch.is_loading() && !m.asked.is_empty() {
        let done = m.asked.iter().filter(|id| m.loaded.contains(id)).count();
        return Some(format!(
            "loading engagement {done}/{} cadences ({})",
            m.asked.len(),
            m.range.label()
        ));
    }
    if let Some(text) = super::super::stored::sync_text(state) {
        return Some(text);
    }
    state.running_label().map(str::to_string)
}

fn hints(state: &AppState) -> Vec<(String, &'static str)> {
    if state.popup.is_some() {
        // Popups show their own keys.
        return Vec::new();
    }
    if state.typing() {
        return vec![
            ("enter".into(), "keep"),
            ("esc".into(), "clear"),
            ("↑↓".into(), "move"),
        ];
    }
    let actions: &[(Action, &'static str)] = match state.view {
        View::Cadences => &[
            (Action::Enter, "open"),
            (Action::Filter, "filter"),
            (Action::SortNext, "sort"),
            (Action::CycleState, "state"),
            (Action::CycleRange, "range"),
            (Action::Enroll, "add people"),
        ],
        View::CadenceDetail => &[
            (Action::Back, "back"),
            (Action::SwitchPane, "panes"),
            (Action::Enter, "person"),
            (Action::Enroll, "add people"),
            (Action::Chart, "chart"),
            (Action::Freeze, "freeze"),
        ],
        View::People => &[
            (Action::Filter, "search"),
            (Action::Enter, "open"),
            (Action::Mark, "mark"),
            (Action::Enroll, "enroll"),
        ],
        View::Person => &[
            (Action::Back, "back"),
            (Action::Enter, "cadence"),
            (Action::Enroll, "enroll"),
        ],
        View::Activity => &[
            (Action::Enter, "open"),
            (Action::Chart, "chart"),
            (Action::Freeze, "freeze"),
            (Action::CycleRange, "range"),
        ],
        View::Alerts => &[
            (Action::Enter, "cadence"),
            (Action::Refresh, "evaluate"),
            (Action::CycleRange, "range"),
        ],
    };
    // The key is refused: trying it again comes first.
    let retry = state
        .conn
        .auth
        .as_ref()
        .and_then(|_| state.keymap.hint(Action::Refresh))
        .map(|k| (k, "retry key"));
    let mut v: Vec<(String, &'static str)> = retry
        .into_iter()
        .chain(
            actions
                .iter()
                // Read-only: enrolling is off, so it is not offered, nor marking
                // people for it.
                .filter(|(a, _)| {
                    !(state.session.read_only && matches!(a, Action::Enroll | Action::Mark))
                })
                .filter(|(a, _)| offered(state, *a))
                .filter_map(|(a, what)| state.keymap.hint(*a).map(|k| (k, *what))),
        )
        .collect();
    if let Some(k) = state.keymap.hint(Action::Help) {
        v.push((k, "help"));
    }
    v
}

/// Whether a hinted key would do something on this screen now: enter needs a
/// row to open, the detail's pane switch needs people to switch to.
fn offered(state: &AppState, action: Action) -> bool {
    let detail_people = || {
        state
            .cadences
            .detail
            .as_ref()
            .is_some_and(|d| !d.members.is_empty())
    };
    match (action, state.view) {
        (Action::Enter, View::Cadences) => !state.cadences.list.rows.is_empty(),
        (Action::Enter, View::Activity) => !state.cadences.list.cadences.is_empty(),
        (Action::Enter, View::Alerts) => !state.analytics.alerts.rules.is_empty(),
        (Action::Enter, View::People) => !state.people.search.hits.hits.is_empty(),
        (Action::Enter, View::Person) => state
            .people
            .person
            .as_ref()
            .is_some_and(|p| !p.memberships.is_empty()),
        (Action::Enter | Action::SwitchPane, View::CadenceDetail) => detail_people(),
        _ => true,
    }
}

fn second_line(state: &AppState, area: Rect, buf: &mut Buffer) {
    let s = &state.styles;
    let mut spans: Vec<Span> = Vec::new();
    if let Some(text) = activity_text(state) {
        spans.push(Span::styled(
            format!("{} ", spinner(state.screen.spinner)),
            s.title,
        ));
        spans.push(Span::raw(text));
        spans.push(Span::raw("  "));
    }
    if let Some(m) = state.message() {
        let style = match m.level {
            Level::Info => s.base,
            Level::Warn => s.warn,
            Level::Error => s.bad,
        };
        let mark = if m.level == Level::Error { "✗ " } else { "" };
        // Too long for the line (a long cadence name, an export's path): the
        // middle goes, so the start and what happened at the end stay.
        let used: usize = spans.iter().map(Span::width).sum();
        let room = (area.width as usize).saturating_sub(used);
        let text = crate::tui::text::ellipsize_middle_words(&format!("{mark}{}", m.text), room);
        spans.push(Span::styled(text, style));
    } else if let Some(text) = super::super::auth_text::message_text(state) {
        spans.push(Span::styled(format!("✗ {text}"), s.bad));
    }
    let used: usize = spans.iter().map(Span::width).sum();
    Line::from(spans).render(area, buf);
    // Hints go right, as many as fit after the task and message.
    let mut hint_spans: Vec<Span> = Vec::new();
    let mut width = 0usize;
    let room = (area.width as usize).saturating_sub(used + 2);
    for (key, what) in hints(state) {
        let w = key.chars().count() + what.len() + 3;
        if width + w > room {
            break;
        }
        width += w;
        hint_spans.push(Span::styled(key, s.key));
        hint_spans.push(Span::styled(format!(" {what}  "), s.dim));
    }
    if width > 0 {
        let r = Rect {
            x: area.right().saturating_sub(width as u16),
            width: width as u16,
            ..area
        };
        Line::from(hint_spans).render(r, buf);
    }
}
