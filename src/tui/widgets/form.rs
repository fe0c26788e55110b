//! Forms in a dialog: a label column, the typed text, and the terminal's cursor in the focused
//! field.

use ratatui::Frame;
use ratatui::layout::{Position, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph};

use super::dialog::centered;
use crate::text::{fit, width};
use crate::tui::input::LineInput;
use crate::tui::theme::Theme;

pub fn cursor_cols(input: &LineInput) -> u16 {
    let before: String = input.text().chars().take(input.cursor()).collect();
    width(&before) as u16
}

/// A form row: label, the typed text (or a hint when empty), and the cursor when focused.
pub fn input_row(
    label: &str,
    input: &LineInput,
    hint: &str,
    focused: bool,
    theme: &Theme,
) -> Line<'static> {
    let mut spans = vec![Span::styled(
        format!("{} ", fit(label, 14)),
        theme.field_label,
    )];
    if input.is_empty() && !hint.is_empty() {
        spans.push(Span::styled(hint.to_string(), theme.muted));
    } else {
        spans.push(Span::styled(
            input.text().to_string(),
            if focused {
                theme.field_focus
            } else {
                Style::default()
            },
        ));
    }
    Line::from(spans)
}

/// A field's problem, under it.
/// A form's footer: "saving…" while the store works, the warning once a close would drop what
/// was typed, else the form's own keys (`ready`).
pub fn footer(saving: bool, discard_armed: bool, close_key: &str, ready: String) -> String {
    if saving {
        "saving…".to_string()
    } else if discard_armed {
        format!("{close_key} again discards what you typed")
    } else {
        ready
    }
}

pub fn error_row(message: &str, theme: &Theme) -> Line<'static> {
    Line::from(vec![
        Span::raw(" ".repeat(15)),
        Span::styled(format!("! {message}"), theme.error),
    ])
}

/// The form's rows in a centred box; `cursor_row` is the focused field's row and column.
pub fn draw(
    frame: &mut Frame,
    area: Rect,
    title: &str,
    lines: Vec<Line<'static>>,
    cursor_row: Option<(usize, u16)>,
    theme: &Theme,
) {
    let w = area.width.saturating_sub(6).min(76);
    let rect = centered(area, w, lines.len() as u16 + 4);
    frame.render_widget(Clear, rect);
    let block = Block::bordered()
        .border_set(theme.symbols.border)
        .title(title.to_string())
        .border_style(theme.border);
    let inner = block.inner(rect).inner(ratatui::layout::Margin::new(1, 1));
    frame.render_widget(block, rect);
    frame.render_widget(Paragraph::new(lines), inner);
    if let Some((row, col)) = cursor_row {
        let x = (inner.x + 15 + col).min(inner.right().saturating_sub(1));
        let y = inner.y + row as u16;
        if y < inner.bottom() {
            frame.set_cursor_position(Position::new(x, y));
        }
    }
}
