//! The people search's results: searched again after the query or the index
//! changed, with the selected person kept selected and the people removed while
//! the index is laid out again left out.

use super::super::pages::LAY_OUT_HERE;
use super::super::state::{AppState, IndexStatus, Popup, SEARCH_LIMIT};

/// Searches again (new query or new people), keeping the selected person
/// selected. When the index needs more than a few people laid out first, the
/// results stay as they are: the worker lays it out (asked at the end of the
/// update, [`super::relayout::lay_out_if_searched`]) and its answer searches again.
pub(crate) fn research(state: &mut AppState) {
    let people = &mut state.people.search;
    let keep = people.hits.hits.get(people.cursor.selected).copied();
    let Some(hits) = people
        .index
        .search_within(people.query.value(), SEARCH_LIMIT, LAY_OUT_HERE)
    else {
        return;
    };
    people.hits = hits;
    // People removed while the index is laid out again are not shown.
    if let Some(gone) = people.relayout.as_ref().map(|r| &r.gone)
        && !gone.is_empty()
    {
        let index = &people.index;
        let before = people.hits.hits.len();
        let shown = |&pos: &usize| index.get(pos).is_some_and(|e| !gone.contains(&e.id));
        people.hits.hits.retain(shown);
        let hidden = before - people.hits.hits.len();
        people.hits.total = people.hits.total.saturating_sub(hidden);
    }
    // An exact email match found by the API goes first.
    if let Some((email, Some(id))) = &people.lookup.answer
        && email.eq_ignore_ascii_case(people.query.value().trim())
        && let Some(pos) = people.index.position(*id)
    {
        people.hits.hits.retain(|&i| i != pos);
        people.hits.hits.insert(0, pos);
        people.hits.total = people.hits.total.max(people.hits.hits.len());
    }
    match keep.and_then(|k| people.hits.hits.iter().position(|&i| i == k)) {
        Some(pos) => people.cursor.selected = pos,
        None => people.cursor.clamp(people.hits.hits.len()),
    }
}

/// The results, the enrollment's list and the count after the index changed.
pub(crate) fn refreshed(state: &mut AppState) {
    let search = &mut state.people.search;
    if let IndexStatus::Done { total } = &mut search.status {
        let gone = search.relayout.as_ref().map_or(0, |r| r.gone.len());
        *total = search.index.len().saturating_sub(gone);
    }
    // Positions may differ from the old index's: search again.
    research(state);
    if let Some(Popup::Enroll(flow)) = &mut state.popup {
        flow.refilter(&mut state.people.search.index);
    }
}
