//! `y`: copies the selected row's id, then (again on the same row within a
//! few seconds) its next field.

use super::super::msg::Effect;
use super::super::state::{AppState, Level};
use super::super::yank::{AGAIN, LastYank, row};

/// Copies the selected row's id (then, pressed again, its next field).
pub fn yank(state: &mut AppState, fx: &mut Vec<Effect>) {
    let Some((key, fields)) = row(state) else {
        state.say(Level::Info, "nothing selected to copy");
        return;
    };
    let now = state.clock.now;
    let field = match &state.screen.yank {
        Some(last) if last.row == key && now.duration_since(last.at) < AGAIN => {
            (last.field + 1) % fields.len()
        }
        _ => 0,
    };
    let (what, value) = fields[field].clone();
    state.screen.yank = Some(LastYank {
        row: key,
        field,
        at: now,
    });
    let next = (fields.len() > 1)
        .then(|| fields[(field + 1) % fields.len()].0)
        .map(|n| format!(" · again: the {n}"))
        .unwrap_or_default();
    state.say(Level::Info, format!("copied the {what}: {value}{next}"));
    fx.push(Effect::Copy(value));
}
