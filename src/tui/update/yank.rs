//! `y`: copies the selected row's id, then (again on the same row within a
//! few seconds) its next field.

use super::super::msg::Effect;
use super::super::state::View;
use super::super::state::{AppState, Level};
use super::super::yank::{AGAIN, LastYank};

/// What can be copied of a row, in order: (what, value).
type Fields = Vec<(&'static str, String)>;

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

/// The selected row of the view on screen (view and id) and its fields.
fn row(state: &AppState) -> Option<((View, u64), Fields)> {
    let cadence = |id: u64| {
        let name = state.cadences.list.by_id(id).map(|c| c.name.clone());
        let mut v = vec![("cadence id", id.to_string())];
        v.extend(name.map(|n| ("cadence name", n)));
        v
    };
    let person = |id: u64, name: Option<String>, email: Option<String>| {
        let entry = state.people.search.index.by_id(id);
        let name = name.or_else(|| entry.map(|e| e.name.clone()));
        let email = email.or_else(|| entry.map(|e| e.email.clone()));
        let mut v = vec![("person id", id.to_string())];
        v.extend(name.filter(|n| !n.is_empty()).map(|n| ("name", n)));
        v.extend(email.filter(|e| !e.is_empty()).map(|e| ("email", e)));
        v
    };
    let view = state.view;
    match view {
        View::Cadences => {
            let id = state.cadences.list.selected()?.id;
            Some(((view, id), cadence(id)))
        }
        View::Activity => {
            let (id, _) = *state
                .ranked_cadences()
                .get(state.activity.cursor.selected)?;
            Some(((view, id), cadence(id)))
        }
        View::CadenceDetail => {
            let d = state.cadences.detail.as_ref()?;
            if let Some(st) = state.selected_step() {
                let mut v = vec![("step id", st.id.to_string())];
                v.extend(st.name.clone().map(|n| ("step name", n)));
                return Some(((view, st.id), v));
            }
            let i = d.cursor.selected.checked_sub(state.detail_step_count())?;
            let (m, p) = d.members.get(i)?;
            let id = m.person_id()?;
            let name = p.as_ref().map(|p| p.label());
            let email = p.as_ref().and_then(|p| p.email_address.clone());
            Some(((view, id), person(id, name, email)))
        }
        View::People => {
            let &hit = state
                .people
                .search
                .hits
                .hits
                .get(state.people.search.cursor.selected)?;
            let e = state.people.search.index.get(hit)?;
            Some((
                (view, e.id),
                person(e.id, Some(e.name.clone()), Some(e.email.clone())),
            ))
        }
        View::Person => {
            let p = state.people.person.as_ref()?;
            let id = p.memberships.get(p.cursor.selected)?.cadence_id()?;
            Some(((view, id), cadence(id)))
        }
        View::Alerts => {
            let a = &state.analytics.alerts;
            let rule = a.rules.get(a.cursor.selected)?;
            let mut v = Vec::new();
            v.extend(rule.cadence.map(|c| ("cadence id", c.to_string())));
            v.push(("rule name", rule.name.clone()));
            Some(((view, a.cursor.selected as u64), v))
        }
    }
}
