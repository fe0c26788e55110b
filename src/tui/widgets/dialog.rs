//! Boxes drawn over the screen.

use ratatui::layout::Rect;
use ratatui::widgets::Block;

use crate::tui::theme::Theme;

/// A box of at most `w` x `h`, centred in `area`.
pub fn centered(area: Rect, w: u16, h: u16) -> Rect {
    let w = w.min(area.width);
    let h = h.min(area.height);
    Rect::new(
        area.x + (area.width - w) / 2,
        area.y + (area.height - h) / 2,
        w,
        h,
    )
}

/// The theme's border around a dialog.
pub fn bordered<'a>(theme: &Theme) -> Block<'a> {
    Block::bordered()
        .border_set(theme.symbols.border)
        .border_style(theme.border)
}
