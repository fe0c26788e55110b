use ratatui::Frame;
use ratatui::layout::Rect;

use crate::tui::state::AppState;
use crate::tui::theme::Theme;

pub fn draw(frame: &mut Frame, area: Rect, state: &AppState, theme: &Theme) {
    crate::tui::view::draw_summary(frame, area, state, theme);
}
