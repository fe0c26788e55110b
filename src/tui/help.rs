//! The `?` screen: every key in force, generated from the keymap. Two columns (the global keys,
//! the pane's with its dialogs) where both fit side by side, one otherwise; scrolled when the
//! lines outnumber the rows, so nothing is dropped at any size.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Margin, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph};

use super::event::HelpFit;
use super::keymap::{Action, Keymap, Scope};
use super::theme::Theme;
use super::widgets::dialog::{bordered, centered};
use crate::text::{fit, width};

/// A scope's title and its keys, each aligned on its own so one long rebound key does not
/// squeeze the whole column.
fn column(keymap: &Keymap, scopes: &[Scope], theme: &Theme) -> Vec<Line<'static>> {
    let mut lines = Vec::new();
    for scope in scopes {
        let in_scope = || keymap.bindings().iter().filter(|b| b.scope == *scope);
        let room = in_scope()
            .map(|b| width(&keymap.keys_for(b.action)) + 1)
            .max()
            .unwrap_or(0)
            .max(11);
        lines.push(Line::styled(scope.title(), theme.header));
        for b in in_scope() {
            lines.push(Line::from(vec![
                Span::styled(fit(&keymap.keys_for(b.action), room), theme.field_label),
                Span::raw(b.help.to_string()),
            ]));
        }
    }
    lines
}

fn scopes_of(scope: Scope) -> Vec<Scope> {
    [&[scope], scope.dialogs()].concat()
}

/// Draws the help over `area` from line `scroll` on, and returns how it fitted.
pub fn draw(
    frame: &mut Frame,
    area: Rect,
    keymap: &Keymap,
    pane: Scope,
    scroll: usize,
    theme: &Theme,
) -> HelpFit {
    let left = column(keymap, &scopes_of(Scope::Everywhere), theme);
    let right = column(keymap, &scopes_of(pane), theme);
    let rect = centered(area, area.width.saturating_sub(4), area.height);
    let inner = bordered(theme).inner(rect).inner(Margin::new(1, 0));
    let widest = |lines: &[Line]| lines.iter().map(Line::width).max().unwrap_or(0);
    let (lw, rw) = (widest(&left), widest(&right));
    const GAP: usize = 2;
    let side_by_side = lw + GAP + rw <= usize::from(inner.width);
    let (columns, widths) = if side_by_side {
        let widths = vec![Constraint::Length((lw + GAP) as u16), Constraint::Fill(1)];
        (vec![left, right], widths)
    } else {
        let all = left.into_iter().chain(right).collect();
        (vec![all], vec![Constraint::Fill(1)])
    };
    let lines = columns.iter().map(Vec::len).max().unwrap_or(0);
    let rows = usize::from(inner.height);
    let last_top = lines.saturating_sub(rows);
    let top = scroll.min(last_top);
    // The box is as tall as its lines need, up to the screen.
    let rect = centered(area, rect.width, (lines as u16).saturating_add(2));
    let inner = bordered(theme).inner(rect).inner(Margin::new(1, 0));
    let shown = usize::from(inner.height);
    let mut block = bordered(theme).title(format!(
        " Keys ({} closes) ",
        keymap.label(Action::HelpClose)
    ));
    if last_top > 0 {
        let (up, down) = (keymap.label(Action::HelpUp), keymap.label(Action::HelpDown));
        block = block.title_bottom(format!(
            " {}-{} of {lines} ({up} {down} scroll) ",
            top + 1,
            (top + shown).min(lines)
        ));
    }
    frame.render_widget(Clear, rect);
    frame.render_widget(block, rect);
    let areas = Layout::horizontal(widths).split(inner);
    for (column, at) in columns.into_iter().zip(areas.iter()) {
        let page: Vec<Line> = column.into_iter().skip(top).take(shown).collect();
        frame.render_widget(Paragraph::new(page), *at);
    }
    HelpFit {
        page: shown,
        last_top,
    }
}
