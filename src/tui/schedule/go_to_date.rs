//! "Go to date": a one-line prompt over the schedule that takes a date as people type it
//! (`2026-12-08`, `12/8`, `8 dec`, `tomorrow`, `+7`, `mon`: the forms of `domain::when`) and
//! shows that day, in the day view or the week. What cannot be read stays typed, with one
//! sentence under it.

use chrono::NaiveDate;
use crossterm::event::KeyEvent;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

use super::Parts;
use crate::domain::when::parse_date;
use crate::sanitize::clean_line;
use crate::tui::event::Effect;
use crate::tui::input::types_text;
use crate::tui::keymap::{Action, Keymap, Scope};
use crate::tui::modal::Modal;
use crate::tui::pane::Context;
use crate::tui::theme::Theme;
use crate::tui::widgets::form;

pub use super::dialogs::Prompt;

/// The forms the prompt's hint offers.
pub const HINT: &str = "2026-12-08, 12/8, 8 dec, tomorrow, +7, mon";

pub fn open(p: &mut Parts) -> Vec<Effect> {
    *p.modal = Some(Modal::GoToDate(Prompt::default()));
    Vec::new()
}

/// A key in the prompt: characters are typed (a space too: `8 dec`); the form's save key goes
/// to the date, its close key closes.
pub fn on_key(p: &mut Parts, ctx: &Context, key: &KeyEvent) -> Vec<Effect> {
    let Some(Modal::GoToDate(prompt)) = p.modal.as_mut() else {
        return Vec::new();
    };
    let action = if types_text(key) {
        None
    } else {
        ctx.keymap.resolve(key, Scope::Form)
    };
    match action {
        Some(Action::FormSave | Action::FormSaveNow) => {
            match parse_date(prompt.input.text(), ctx.today) {
                Ok(day) => {
                    *p.modal = None;
                    go_to(p, ctx, day)
                }
                Err(why) => {
                    prompt.error = Some(why);
                    Vec::new()
                }
            }
        }
        Some(Action::FormClose) => {
            *p.modal = None;
            Vec::new()
        }
        _ => {
            if prompt.input.handle(key).changed() {
                prompt.error = None;
            }
            Vec::new()
        }
    }
}

pub fn on_paste(prompt: &mut Prompt, text: &str) {
    if prompt.input.insert_text(text) {
        prompt.error = None;
    }
}

fn go_to(p: &mut Parts, ctx: &Context, day: NaiveDate) -> Vec<Effect> {
    if p.schedule.week.is_some() {
        return super::week::go_to_day(p, ctx, day);
    }
    p.schedule.day = day;
    vec![Effect::Db(crate::db::worker::Request::LoadDay(day))]
}

pub fn draw(
    frame: &mut Frame,
    area: Rect,
    prompt: &Prompt,
    today: NaiveDate,
    keymap: &Keymap,
    theme: &Theme,
) {
    let mut line = form::input_row("Date", &prompt.input, HINT, true, theme);
    // What the typed date stands for, as it is typed: "mon" is "Monday 30 Nov 2026".
    if let Ok(day) = parse_date(prompt.input.text(), today) {
        line.spans.push(Span::styled(
            format!("  {}", day.format("%A %-d %b %Y")),
            theme.muted,
        ));
    }
    let mut lines = vec![line];
    if let Some(why) = &prompt.error {
        // Under the field, on as many lines as it takes: its end says what to type.
        let cols = usize::from(area.width.saturating_sub(6).min(76)).saturating_sub(4 + 17);
        for (i, part) in crate::text::fit_message(&clean_line(why), cols.max(10), 3)
            .into_iter()
            .enumerate()
        {
            if i == 0 {
                lines.push(form::error_row(&part, theme));
            } else {
                lines.push(Line::styled(
                    format!("{}{part}", " ".repeat(17)),
                    theme.error,
                ));
            }
        }
    }
    lines.push(Line::from(""));
    lines.push(Line::styled(
        format!(
            "{} shows the day · {} cancels",
            keymap.label(Action::FormSave),
            keymap.label(Action::FormClose)
        ),
        theme.muted,
    ));
    let cursor = Some((0, form::cursor_cols(&prompt.input)));
    form::draw(frame, area, " Go to date ", lines, cursor, theme);
}
