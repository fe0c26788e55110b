//! The series dialog and "this visit or this and the following ones" on screen.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph};

use super::series::{SeriesDialog, SeriesField, occurrence_day};
use super::state::Schedule;
use crate::domain::series::{Checked, Outcome, Resolution};
use crate::sanitize::clean_line;
use crate::text::{fit, truncate};
use crate::tui::keymap::{Action, Keymap};
use crate::tui::pane::Context;
use crate::tui::theme::Theme;
use crate::tui::widgets::dialog::{bordered, centered};
use crate::tui::widgets::{form, marked_list};

/// What an occurrence comes to, in a few words.
fn outcome_text(c: &Checked, choice: Option<Resolution>) -> String {
    match &c.outcome {
        Outcome::Booked { reason: None } => "free".into(),
        Outcome::Booked { reason: Some(r) } => format!("book anyway: {r}"),
        Outcome::Skipped { reason } => format!("skip: {reason}"),
        Outcome::Moved { to, .. } => {
            if to.date() == c.start.date() {
                format!("move to {}", to.format("%H:%M"))
            } else {
                format!(
                    "move to {} {}",
                    occurrence_day(to.date()),
                    to.format("%H:%M")
                )
            }
        }
        Outcome::Clash { reason } if choice == Some(Resolution::Move) => {
            format!("cannot move: {reason}")
        }
        Outcome::Clash { reason } => format!("clash: {reason}"),
    }
}

pub fn draw_series(
    frame: &mut Frame,
    area: Rect,
    dialog: &SeriesDialog,
    ctx: &Context,
    theme: &Theme,
) {
    let keymap = ctx.keymap;
    let cols = area.width.saturating_sub(6).min(76).saturating_sub(4) as usize;
    let mut lines: Vec<Line> = Vec::new();
    let mut cursor_row = None;
    let first = &dialog.first;
    lines.push(Line::from(vec![
        Span::styled(format!("{} ", fit("Patient", 14)), theme.field_label),
        Span::raw(truncate(
            &format!(
                "{} · {} · {} min {}",
                clean_line(&dialog.patient_name),
                clean_line(&dialog.therapist_initials),
                first.minutes,
                first.kind.label()
            ),
            cols.saturating_sub(15),
        )),
    ]));
    lines.push(Line::from(vec![
        Span::styled(format!("{} ", fit("From", 14)), theme.field_label),
        Span::raw(first.start.format("%a %-d %b %Y, %H:%M").to_string()),
    ]));
    let focused = dialog.field();
    for (field, input, hint) in [
        (SeriesField::Weekdays, &dialog.weekdays, "mon,thu"),
        (SeriesField::Count, &dialog.count, "a number of visits, or"),
        (
            SeriesField::Until,
            &dialog.until,
            "an end date: 2027-01-15, 8 jan, +42",
        ),
    ] {
        if field == focused {
            cursor_row = Some((lines.len(), form::cursor_cols(input)));
        }
        lines.push(form::input_row(
            field.label(),
            input,
            hint,
            field == focused,
            theme,
        ));
    }
    for note in &dialog.filled_in {
        lines.push(Line::styled(
            truncate(&format!("  {note}"), cols),
            theme.muted,
        ));
    }
    if let Some(e) = &dialog.error {
        lines.push(Line::styled(truncate(&format!("! {e}"), cols), theme.error));
    }
    // The list takes the rows the screen has left under the fields: the box is its lines and
    // 4 rows of border and margin, and the list's header, the blank line and the footer take 3.
    let room = (area.height as usize)
        .saturating_sub(lines.len() + 4 + 3)
        .max(3);
    if dialog.facts.is_none() && dialog.error.is_none() {
        lines.push(Line::styled("checking the diary…", theme.muted));
    } else if !dialog.checked.is_empty() {
        let clashing = dialog
            .checked
            .iter()
            .filter(|c| !c.clashes.is_empty())
            .count();
        let header = format!(
            "{} visits, {} clash{}",
            dialog.checked.len(),
            clashing,
            if clashing == 1 { "" } else { "es" }
        );
        lines.push(Line::styled(header, theme.field_label));
        let in_list = focused == SeriesField::List;
        let top = marked_list::first_shown(dialog.selected, room);
        for (i, c) in dialog.checked.iter().enumerate().skip(top).take(room) {
            let here = in_list && i == dialog.selected;
            let marker = marked_list::marker(here, theme);
            let style = match c.outcome {
                Outcome::Clash { .. } => theme.warning,
                _ if here => theme.selected,
                _ => ratatui::style::Style::default(),
            };
            let choice = dialog.choices.get(i).copied().flatten();
            let text = format!(
                "{marker}{} {}  {}",
                occurrence_day(c.start.date()),
                c.start.format("%H:%M"),
                clean_line(&outcome_text(c, choice))
            );
            lines.push(Line::styled(truncate(&text, cols), style));
        }
    }
    lines.push(Line::from(""));
    let hint = if focused == SeriesField::List {
        format!(
            "{}/{}: skip, move, book anyway · {} books",
            keymap.label(Action::FormChoicePrev),
            keymap.label(Action::FormChoiceNext),
            keymap.label(Action::FormSave),
        )
    } else {
        format!(
            "{} checks · {} books · {} next · {} closes",
            keymap.label(Action::FormSave),
            keymap.label(Action::FormSaveNow),
            keymap.keys_for(Action::FormNext),
            keymap.label(Action::FormClose)
        )
    };
    let footer = form::footer(
        dialog.saving,
        dialog.discard_armed,
        &keymap.label(Action::FormClose),
        hint,
    );
    lines.push(Line::styled(truncate(&footer, cols), theme.muted));
    let cursor = cursor_row.filter(|_| focused != SeriesField::List);
    form::draw(frame, area, " Book a series ", lines, cursor, theme);
}

/// Moving a visit of a series: which keys move it alone, and with the later ones.
pub fn moving_a_series_visit(
    form: &crate::tui::forms::BookingForm,
    keymap: &Keymap,
    theme: &Theme,
) -> Option<Line<'static>> {
    let moving = matches!(form.mode, crate::tui::forms::BookingMode::Move { .. });
    (moving && form.series.is_some()).then(|| {
        Line::styled(
            format!(
                "One of a series: {} moves this visit, {} this and the later ones",
                keymap.label(Action::FormSave),
                keymap.label(Action::BookSeries)
            ),
            theme.warning,
        )
    })
}

pub fn draw_cancel_series(
    frame: &mut Frame,
    area: Rect,
    schedule: &Schedule,
    visit_id: i64,
    following: bool,
    keymap: &Keymap,
    theme: &Theme,
) {
    let Some(v) = schedule.visits.iter().find(|v| v.id == visit_id) else {
        return;
    };
    let what = format!(
        "{} {} with {}",
        v.start.format("%H:%M"),
        clean_line(&v.patient_name),
        clean_line(&v.therapist_initials)
    );
    let key = |a: Action| Span::styled(keymap.label(a), theme.field_focus);
    let lines = if following {
        vec![
            Line::from(format!("Cancel {}", truncate(&what, 50))),
            Line::from("and the later visits of its series"),
            Line::from(""),
            Line::from(vec![
                Span::raw("Reason:  "),
                key(Action::CancelForPatient),
                Span::raw(" by the patient   "),
                key(Action::CancelByClinic),
                Span::raw(" by the clinic   "),
                key(Action::CancelLate),
                Span::raw(" late (under 24 h)"),
            ]),
            Line::styled(
                format!("{} keeps the visits", keymap.label(Action::CancelBack)),
                theme.muted,
            ),
        ]
    } else {
        vec![
            Line::from(format!(
                "Cancel {}? It is one of a series.",
                truncate(&what, 40)
            )),
            Line::from(""),
            Line::from(vec![
                key(Action::CancelYes),
                Span::raw(" this visit   "),
                key(Action::CancelFollowing),
                Span::raw(" this and the following ones   "),
                key(Action::CancelNo),
                Span::raw(" keep"),
            ]),
        ]
    };
    let widest = lines.iter().map(Line::width).max().unwrap_or(0) as u16;
    let rect = centered(area, widest + 4, lines.len() as u16 + 2);
    frame.render_widget(Clear, rect);
    let block = bordered(theme)
        .title(" Cancel visit ")
        .padding(ratatui::widgets::Padding::horizontal(1));
    frame.render_widget(Paragraph::new(lines).block(block), rect);
}
