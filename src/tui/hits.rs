//! Where the last frame drew what a click can reach: the tabs and the rows of
//! each table. Drawing only borrows the state, so the map fills through a
//! `RefCell` (as a table's scroll offset does through its cursor's cells);
//! `update` reads it to turn a click into a selection.

use std::cell::RefCell;

use ratatui::layout::{Position, Rect};

/// A table whose rows a click selects.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum List {
    Cadences,
    People,
    /// The detail's steps.
    Steps,
    /// The detail's people.
    Members,
    /// A person's cadences.
    Person,
    /// The Activity ranking.
    Activity,
    Alerts,
}

/// What is drawn in one region.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// A tab of the tab bar (1-based, as the number keys).
    Tab(usize),
    /// Rows of a table: the region's first line shows row `first`, and `len`
    /// rows are drawn.
    Rows {
        list: List,
        first: usize,
        len: usize,
    },
}

/// What a click landed on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Hit {
    Tab(usize),
    /// The row's index in its list.
    Row(List, usize),
}

#[derive(Debug, Default)]
pub struct HitMap {
    regions: RefCell<Vec<(Rect, Target)>>,
    /// The whole pane (border, header and empty lines too) each table was
    /// drawn in: the wheel scrolls the pane under the pointer, a click on it
    /// focuses it.
    panes: RefCell<Vec<(Rect, List)>>,
}

impl HitMap {
    /// A new frame: forget the last one's regions.
    pub fn clear(&self) {
        self.regions.borrow_mut().clear();
        self.panes.borrow_mut().clear();
    }

    /// The pane that shows `list`, drawn in `area` (its border included).
    pub fn pane(&self, list: List, area: Rect) {
        if area.width > 0 && area.height > 0 {
            self.panes.borrow_mut().push((area, list));
        }
    }

    /// The pane drawn at column `x`, line `y` (the last drawn wins).
    pub fn pane_at(&self, x: u16, y: u16) -> Option<List> {
        self.panes
            .borrow()
            .iter()
            .rev()
            .find(|(area, _)| area.contains(Position { x, y }))
            .map(|&(_, list)| list)
    }

    pub fn add(&self, area: Rect, target: Target) {
        if area.width > 0 && area.height > 0 {
            self.regions.borrow_mut().push((area, target));
        }
    }

    /// The rows of a table drawn in `body` (the lines under its header),
    /// starting with row `first`, `len` of them.
    pub fn rows(&self, list: List, body: Rect, first: usize, len: usize) {
        let height = body.height.min(u16::try_from(len).unwrap_or(u16::MAX));
        self.add(Rect { height, ..body }, Target::Rows { list, first, len });
    }

    /// The rows `range` of a table drawn in `area`, its header on the first line.
    pub fn table(&self, list: List, area: Rect, range: &std::ops::Range<usize>) {
        let body = Rect {
            y: area.y.saturating_add(1),
            height: area.height.saturating_sub(1),
            ..area
        };
        self.rows(list, body, range.start, range.len());
    }

    /// What was drawn at column `x`, line `y` (the region added last wins, as
    /// it was drawn over the others).
    pub fn at(&self, x: u16, y: u16) -> Option<Hit> {
        let regions = self.regions.borrow();
        let (area, target) = regions
            .iter()
            .rev()
            .find(|(area, _)| area.contains(Position { x, y }))?;
        Some(match *target {
            Target::Tab(n) => Hit::Tab(n),
            Target::Rows { list, first, len } => {
                let i = usize::from(y - area.y);
                if i >= len {
                    return None;
                }
                Hit::Row(list, first + i)
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_click_finds_the_row_under_it_and_nothing_past_the_rows() {
        let map = HitMap::default();
        map.add(Rect::new(0, 0, 10, 1), Target::Tab(1));
        map.add(Rect::new(10, 0, 10, 1), Target::Tab(2));
        map.rows(List::Cadences, Rect::new(1, 3, 40, 10), 20, 4);
        assert_eq!(map.at(12, 0), Some(Hit::Tab(2)));
        assert_eq!(map.at(5, 3), Some(Hit::Row(List::Cadences, 20)));
        assert_eq!(map.at(5, 6), Some(Hit::Row(List::Cadences, 23)));
        // Below the last row drawn, and outside every region.
        assert_eq!(map.at(5, 7), None);
        assert_eq!(map.at(0, 3), None);
        map.pane(List::Steps, Rect::new(0, 2, 40, 12));
        map.pane(List::Members, Rect::new(40, 2, 40, 12));
        assert_eq!(map.pane_at(39, 2), Some(List::Steps));
        assert_eq!(map.pane_at(40, 13), Some(List::Members));
        assert_eq!(map.pane_at(40, 14), None);
        assert_eq!(map.at(45, 5), None, "a pane is not a row");
        map.clear();
        assert_eq!(map.at(12, 0), None);
        assert_eq!(map.pane_at(39, 2), None);
    }
}
