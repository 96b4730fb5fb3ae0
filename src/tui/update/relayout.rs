//! Every change to the people index goes through here. A new person joins the
//! index on this task (its layout is extended, which is cheap); a person removed
//! or changed, or many people at once, need the whole layout rebuilt (about
//! 140 ms at 100k people): that goes to the worker (`Request::LayOutPeople`),
//! and the search stays on the index shown until the laid-out one arrives
//! (`PeopleLaidOut`) and is swapped in as it is. Removed people are left out of
//! the results meanwhile; changes that arrive meanwhile go on top of the new
//! index when it comes.

use rustc_hash::FxHashSet;

use crate::search::PeopleIndex;
use crate::worker::protocol::{Priority, Request, RequestId};
use crate::worker::{LayoutBase, Parcel, PeopleChange, PeopleLayout};

use super::super::msg::Effect;
use super::super::pages::{LAY_OUT_HERE, Relayout};
use super::super::state::{AppState, Popup};
use super::results::refreshed;
use super::writes::free;

/// More new people than this at once are laid out by the worker.
pub const FEW_NEW: usize = LAY_OUT_HERE;

/// Whether `changes` only add a few people to `index` (or change nothing), so
/// extending its layout here is cheap.
fn light(index: &PeopleIndex, changes: &[PeopleChange]) -> bool {
    let mut new = 0;
    for c in changes {
        // Many people at once: laid out by the worker.
        let Some(id) = c.id() else { return false };
        match (c, index.by_id(id)) {
            (PeopleChange::Upsert(_) | PeopleChange::Fill(_), None) => new += 1,
            (PeopleChange::Fill(_), Some(_)) | (PeopleChange::Remove(_), None) => {}
            (PeopleChange::Upsert(e), Some(now)) if now == &**e => {}
            _ => return false,
        }
    }
    new <= FEW_NEW || index.is_empty()
}

/// Applies `changes` to the people index (see the module's text). Returns
/// whether the results may differ now (search again).
pub(crate) fn change(
    state: &mut AppState,
    changes: Vec<PeopleChange>,
    fx: &mut Vec<Effect>,
) -> bool {
    let search = &mut state.people.search;
    let new = |c: &PeopleChange| {
        !matches!(c, PeopleChange::Remove(_))
            && c.id().is_some_and(|id| search.index.by_id(id).is_none())
    };
    let many = !search.index.is_empty() && changes.iter().filter(|c| new(c)).count() > FEW_NEW;
    let mut heavy = Vec::new();
    let mut shown = false;
    for c in changes {
        let Some(id) = c.id() else {
            heavy.push(c); // a FillAll
            continue;
        };
        let r = search.relayout.as_ref();
        let waits = r.is_some_and(|r| r.touched.contains(&id));
        let filling = r.is_some_and(|r| r.filling)
            || heavy.iter().any(|c| matches!(c, PeopleChange::FillAll(_)));
        let now = search.index.by_id(id);
        match &c {
            _ if waits => heavy.push(c),
            PeopleChange::Remove(_) if now.is_none() && !filling => {}
            PeopleChange::Fill(_) if now.is_some() => {}
            PeopleChange::Upsert(e) if now == Some(&**e) => {}
            PeopleChange::Upsert(e) | PeopleChange::Fill(e) if now.is_none() && !many => {
                search.index.upsert(e.clone());
                shown = true;
                if let Some(r) = &mut search.relayout {
                    r.since.push(c);
                }
            }
            _ => heavy.push(c),
        }
    }
    if heavy.is_empty() {
        return shown;
    }
    let removed = heavy.iter().any(|c| matches!(c, PeopleChange::Remove(_)));
    match &mut search.relayout {
        Some(r) => {
            note(r, &heavy);
            r.since.extend(heavy);
        }
        None => {
            // The list is shared: one pointer is copied, not the people's.
            let base = LayoutBase::Entries(search.index.share());
            send(state, base, heavy, fx);
        }
    }
    shown || removed
}

/// A search waits for the index to be laid out (more people than the UI task
/// lays out, [`LAY_OUT_HERE`]): the worker lays out the people shown, unless it
/// is laying them out already. Called at the end of every update.
pub(crate) fn lay_out_if_searched(state: &mut AppState, fx: &mut Vec<Effect>) {
    let search = &state.people.search;
    if search.relayout.is_some() {
        return;
    }
    let waits = |query: &str| search.index.waits_for_layout(query, LAY_OUT_HERE);
    let picking = match &state.popup {
        Some(Popup::Enroll(flow)) => flow.picking_query().is_some_and(waits),
        _ => false,
    };
    if !waits(search.query.value()) && !picking {
        return;
    }
    let base = LayoutBase::Entries(search.index.share());
    send(state, base, Vec::new(), fx);
}

/// Records whom `changes` name, and who is gone.
fn note(r: &mut Relayout, changes: &[PeopleChange]) {
    for c in changes {
        match c {
            PeopleChange::Remove(id) => {
                r.touched.insert(*id);
                r.gone.insert(*id);
            }
            PeopleChange::Upsert(e) | PeopleChange::Fill(e) => {
                r.touched.insert(e.id);
                r.gone.remove(&e.id);
            }
            PeopleChange::FillAll(_) => r.filling = true,
        }
    }
}

/// Asks the worker to lay out `base` with `changes` on top; the index shown
/// stays until the answer (an earlier request's answer is ignored), without its
/// layout when that is too stale to search anyway.
pub(crate) fn send(
    state: &mut AppState,
    base: LayoutBase,
    changes: Vec<PeopleChange>,
    fx: &mut Vec<Effect>,
) {
    // The index shown waits for this layout to search at all: what its own
    // searches built is freed (off this task) rather than held beside the new one.
    let shown = &mut state.people.search.index;
    if shown.layout_work() > LAY_OUT_HERE {
        free(shown.take_layout(), fx);
    }
    let mut r = Relayout {
        sent: changes.clone(),
        ..Relayout::default()
    };
    note(&mut r, &changes);
    let layout = Parcel::new(PeopleLayout { base, changes });
    let (id, effect) = state.request(Priority::Visible, Request::LayOutPeople { layout });
    r.id = id;
    state.people.search.relayout = Some(r);
    fx.push(effect);
}

/// The changes still waiting for a laid-out index (sent and since), in order;
/// the request's answer will be ignored.
pub(crate) fn withdraw(state: &mut AppState) -> Vec<PeopleChange> {
    match state.people.search.relayout.take() {
        Some(r) => r.sent.into_iter().chain(r.since).collect(),
        None => Vec::new(),
    }
}

/// Who is removed but still in the index shown.
pub(crate) fn gone(state: &AppState) -> Option<&FxHashSet<u64>> {
    let r = state.people.search.relayout.as_ref()?;
    (!r.gone.is_empty()).then_some(&r.gone)
}

/// `index` takes the place of the one shown, with `changes` on top when that
/// is cheap here and it is laid out (about, [`LAY_OUT_HERE`]); otherwise the
/// worker lays it out with them and the index shown stays until then.
pub(crate) fn install(
    state: &mut AppState,
    mut index: PeopleIndex,
    changes: Vec<PeopleChange>,
    fx: &mut Vec<Effect>,
) {
    if !light(&index, &changes) || index.layout_work() > LAY_OUT_HERE {
        return send(state, LayoutBase::Index(Box::new(index)), changes, fx);
    }
    // `light` let through only removals of people the index does not hold.
    for c in changes {
        c.apply_to(&mut index);
    }
    swap(state, index, fx);
}

/// Puts `index` in place of the one shown (the old one is freed off this task)
/// and searches again.
pub(crate) fn swap(state: &mut AppState, index: PeopleIndex, fx: &mut Vec<Effect>) {
    let old = std::mem::replace(&mut state.people.search.index, index);
    free(old, fx);
    refreshed(state);
}

/// The laid-out index for request `id` arrived: swapped in, with the changes
/// since on top; an answer nobody waits for any more is dropped.
pub(crate) fn on_laid_out(
    state: &mut AppState,
    id: RequestId,
    index: Box<PeopleIndex>,
    fx: &mut Vec<Effect>,
) {
    if state.people.search.relayout.as_ref().map(|r| r.id) != Some(id) {
        free(index, fx);
        return;
    }
    let since = state
        .people
        .search
        .relayout
        .take()
        .map(|r| r.since)
        .unwrap_or_default();
    let old = std::mem::replace(&mut state.people.search.index, *index);
    free(old, fx);
    change(state, since, fx);
    refreshed(state);
}

/// The worker could not lay the index out (`error`): the index shown stays,
/// without the waiting changes.
pub(crate) fn on_failed(state: &mut AppState, id: RequestId, error: &Option<String>) -> bool {
    if error.is_none() || state.people.search.relayout.as_ref().map(|r| r.id) != Some(id) {
        return false;
    }
    state.people.search.relayout = None;
    // Laid out here instead, once, so the search answers (asking the worker
    // again could fail again).
    state.people.search.index.prepare();
    refreshed(state);
    true
}
