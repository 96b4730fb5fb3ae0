//! `y`: copies the selected row's id to the system clipboard with the OSC 52
//! terminal sequence (works over ssh and in tmux with `set-clipboard on`); `y`
//! again on the same row within a few seconds copies its name, then its email,
//! so what the screen shows can be typed into the CLI.

use std::time::{Duration, Instant};

use super::state::{AppState, View};

/// A second `y` within this long copies the row's next field.
pub(crate) const AGAIN: Duration = Duration::from_secs(4);

/// The last copy: which row (view and id), which field, when.
#[derive(Debug, Clone, PartialEq)]
pub struct LastYank {
    pub(crate) row: (View, u64),
    pub(crate) field: usize,
    pub(crate) at: Instant,
}

/// What can be copied of a row, in order: (what, value).
type Fields = Vec<(&'static str, String)>;

/// The selected row of the view on screen (view and id) and its fields.
pub(crate) fn row(state: &AppState) -> Option<((View, u64), Fields)> {
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
            if let Some(st) = super::funnel::selected_step(state) {
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

/// The OSC 52 sequence that sets the clipboard to `text`.
pub fn osc52(text: &str) -> String {
    format!("\x1b]52;c;{}\x07", base64(text.as_bytes()))
}

/// Standard base64 with padding (RFC 4648).
fn base64(bytes: &[u8]) -> String {
    const ABC: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ABC[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_matches_rfc_4648_vectors() {
        for (plain, coded) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(base64(plain.as_bytes()), coded, "{plain}");
        }
        assert_eq!(osc52("ada@x.io"), "\x1b]52;c;YWRhQHguaW8=\x07");
    }
}
