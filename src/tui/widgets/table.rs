//! Table helpers shared by the views: columns that drop by priority on narrow
//! terminals, a cursor that remembers its scroll offset, and the placeholder shown
//! instead of rows while loading, when empty, or after an error.

use std::cell::Cell;

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Text};
use ratatui::widgets::{Block, Paragraph, Widget, Wrap};

/// One column of a data table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Column {
    pub title: &'static str,
    /// Width the column needs; a `grow` column gets at least this and any spare room.
    pub width: u16,
    pub grow: bool,
    /// Columns with a lower priority are dropped first when the terminal is narrow.
    pub priority: u8,
    pub right: bool,
}

impl Column {
    pub const fn new(title: &'static str, width: u16, priority: u8) -> Column {
        Column {
            title,
            width,
            grow: false,
            priority,
            right: false,
        }
    }
    pub const fn grow(self) -> Column {
        Column { grow: true, ..self }
    }
    pub const fn right(self) -> Column {
        Column {
            right: true,
            ..self
        }
    }
}

/// Width of the selection marker column drawn before every row.
pub const MARKER_WIDTH: u16 = 2;

/// Indices of the columns that fit in `width` (with one space between columns and
/// the marker column), in their original order. The lowest priority goes first.
pub fn fit_columns(columns: &[Column], width: u16) -> Vec<usize> {
    let mut keep: Vec<usize> = (0..columns.len()).collect();
    let need = |keep: &[usize]| -> u32 {
        let cols: u32 = keep.iter().map(|&i| u32::from(columns[i].width)).sum();
        // One space after the marker column and between columns: a gap per column.
        cols + u32::from(MARKER_WIDTH) + keep.len() as u32
    };
    while need(&keep) > u32::from(width) && keep.len() > 1 {
        let drop = keep
            .iter()
            .enumerate()
            .min_by_key(|(pos, i)| (columns[**i].priority, usize::MAX - pos))
            .map(|(pos, _)| pos)
            .expect("at least one column");
        keep.remove(drop);
    }
    keep
}

/// Layout constraints for the kept columns (the marker column first).
pub fn constraints(columns: &[Column], keep: &[usize]) -> Vec<Constraint> {
    std::iter::once(Constraint::Length(MARKER_WIDTH))
        .chain(keep.iter().map(|&i| {
            let c = columns[i];
            if c.grow {
                Constraint::Fill(1)
            } else {
                Constraint::Length(c.width)
            }
        }))
        .collect()
}

/// Width the growing column gets: what is left after the marker and the other kept
/// columns, each with its one-space gap.
pub fn grow_width(columns: &[Column], keep: &[usize], width: u16) -> usize {
    let fixed: u16 = keep
        .iter()
        .filter(|&&i| !columns[i].grow)
        .map(|&i| columns[i].width + 1)
        .sum();
    width.saturating_sub(fixed + MARKER_WIDTH + 1) as usize
}

/// Right-aligns `text` in a cell of the column's width (ratatui cells align left).
pub fn cell_text(column: &Column, text: String) -> String {
    if column.right {
        format!("{text:>width$}", width = usize::from(column.width))
    } else {
        text
    }
}

/// A selection in a list plus the scroll offset and page height of its last render.
/// The offset lives in a `Cell` so drawing (which only borrows the state) can keep
/// the selection in view the way a user expects: scroll only when it would leave.
#[derive(Debug, Default, Clone)]
pub struct Cursor {
    pub selected: usize,
    offset: Cell<usize>,
    page: Cell<usize>,
}

impl Cursor {
    pub fn offset(&self) -> usize {
        self.offset.get()
    }

    /// Rows that fit the last render (a guess before the first one).
    pub fn page(&self) -> usize {
        match self.page.get() {
            0 => 20,
            p => p,
        }
    }

    pub fn clamp(&mut self, len: usize) {
        self.selected = self.selected.min(len.saturating_sub(1));
    }

    pub fn down(&mut self, n: usize, len: usize) {
        self.selected = self.selected.saturating_add(n).min(len.saturating_sub(1));
    }

    pub fn up(&mut self, n: usize) {
        self.selected = self.selected.saturating_sub(n);
    }

    pub fn top(&mut self) {
        self.selected = 0;
    }

    pub fn bottom(&mut self, len: usize) {
        self.selected = len.saturating_sub(1);
    }

    pub fn reset(&mut self) {
        self.selected = 0;
        self.offset.set(0);
    }

    /// Called while drawing `height` rows: moves the offset just enough to show the
    /// selection, and returns the range of rows to draw.
    pub fn viewport(&self, len: usize, height: usize) -> std::ops::Range<usize> {
        self.scroll_to(Some(self.selected), len, height)
    }

    /// Like [`Cursor::viewport`] for a selection kept elsewhere (`None`: keep the offset).
    pub fn scroll_to(
        &self,
        selected: Option<usize>,
        len: usize,
        height: usize,
    ) -> std::ops::Range<usize> {
        self.page.set(height);
        let mut offset = self.offset.get().min(len.saturating_sub(height.max(1)));
        let Some(selected) = selected else {
            self.offset.set(offset);
            return offset..(offset + height).min(len);
        };
        let selected = selected.min(len.saturating_sub(1));
        if selected < offset {
            offset = selected;
        } else if height > 0 && selected >= offset + height {
            offset = selected + 1 - height;
        }
        self.offset.set(offset);
        offset..(offset + height).min(len)
    }
}

/// The text shown in a table's place: loading, empty, or an error, centred.
pub fn placeholder(
    area: Rect,
    buf: &mut Buffer,
    block: Block<'_>,
    lines: Vec<Line<'_>>,
    style: Style,
) {
    let inner = block.inner(area);
    block.render(area, buf);
    let n = lines.len() as u16;
    let top = inner.y + inner.height.saturating_sub(n) / 2;
    let area = Rect {
        y: top,
        height: inner.height.saturating_sub(top - inner.y),
        ..inner
    };
    Paragraph::new(Text::from(lines))
        .style(style)
        .centered()
        .wrap(Wrap { trim: true })
        .render(area, buf);
}

#[cfg(test)]
mod tests {
    use super::*;

    const COLS: [Column; 4] = [
        Column::new("Name", 10, 9).grow(),
        Column::new("State", 8, 5),
        Column::new("Team", 8, 2),
        Column::new("Open", 6, 7).right(),
    ];

    #[test]
    fn columns_drop_by_priority_and_keep_order() {
        // marker 2 + 10+8+8+6 + 4 spaces (after the marker, between columns) = 38
        assert_eq!(fit_columns(&COLS, 38), vec![0, 1, 2, 3]);
        assert_eq!(fit_columns(&COLS, 37), vec![0, 1, 3], "Team goes first");
        // What is kept leaves the growing column at least its width.
        for w in 12..60 {
            let keep = fit_columns(&COLS, w);
            if keep.len() > 1 {
                assert!(grow_width(&COLS, &keep, w) >= 10, "{w}: {keep:?}");
            }
        }
        assert_eq!(fit_columns(&COLS, 20), vec![0, 3]);
        assert_eq!(fit_columns(&COLS, 3), vec![0], "the name always stays");
        assert_eq!(cell_text(&COLS[3], "5%".into()), "    5%");
        // 40 - marker 2 - gap 1 - (8+1) - (8+1) - (6+1) = 12
        assert_eq!(grow_width(&COLS, &[0, 1, 2, 3], 40), 12);
    }

    #[test]
    fn cursor_scrolls_only_when_the_selection_leaves_the_view() {
        let mut c = Cursor::default();
        assert_eq!(c.viewport(100, 10), 0..10);
        c.down(12, 100);
        assert_eq!(c.viewport(100, 10), 3..13);
        c.up(5);
        assert_eq!(
            c.viewport(100, 10),
            3..13,
            "moving up inside the view does not scroll"
        );
        c.up(5);
        assert_eq!(c.viewport(100, 10), 2..12);
        c.bottom(100);
        assert_eq!(c.viewport(100, 10), 90..100);
        assert_eq!(c.page(), 10);
        // The list shrank under the cursor.
        c.clamp(5);
        assert_eq!(c.selected, 4);
        assert_eq!(c.viewport(5, 10), 0..5);
    }
}
