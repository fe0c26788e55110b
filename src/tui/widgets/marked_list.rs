//! Lists whose selected row carries the theme's marker: the selection stays visible without
//! colour (NO_COLOR, monochrome terminals), so every list marks it the same way.

use ratatui::style::Style;
use ratatui::text::{Line, Span};

use crate::text::{truncate, width};
use crate::tui::theme::Theme;

/// The marker column of a row: the marker on the selected row, as many blanks elsewhere.
pub fn marker(selected: bool, theme: &Theme) -> String {
    if selected {
        theme.symbols.marker.to_string()
    } else {
        " ".repeat(width(theme.symbols.marker))
    }
}

/// The first row shown of a list `rows` high that scrolls only once the cursor passes its
/// bottom.
pub fn first_shown(cursor: usize, rows: usize) -> usize {
    cursor.saturating_sub(rows.saturating_sub(1))
}

/// The first row shown of a list of `len` rows, `height` at a time: `top` as it was, moved
/// just enough to show the selection, and never leaving empty lines a longer window would fill.
pub fn list_top(top: usize, selected: Option<usize>, height: usize, len: usize) -> usize {
    let top = top.min(len.saturating_sub(height));
    match selected {
        Some(s) if s < top => s,
        Some(s) if s >= top + height => s + 1 - height,
        _ => top,
    }
}

/// Rows of text, `rows` of them around the cursor, each cut to `cols` after the marker.
pub fn text_rows(
    entries: &[String],
    cursor: usize,
    rows: usize,
    cols: usize,
    theme: &Theme,
) -> Vec<Line<'static>> {
    entries
        .iter()
        .enumerate()
        .skip(first_shown(cursor, rows))
        .take(rows)
        .map(|(i, text)| {
            let selected = i == cursor;
            Line::from(vec![
                Span::raw(marker(selected, theme)),
                Span::styled(
                    truncate(text, cols),
                    if selected {
                        theme.selected
                    } else {
                        Style::default()
                    },
                ),
            ])
        })
        .collect()
}
