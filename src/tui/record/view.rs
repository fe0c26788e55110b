//! The desk's patient screens, drawn over the pane: the finder, the patients to call and a
//! patient's record. Draws only from their state and the keymap.

use chrono::NaiveDate;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Position, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph};

use super::state::{Calls, DETAIL_ROWS, Desk, Edit, Finder, RecordScreen, Row};
use crate::db::patient_record::RecordVisit;
use crate::domain::age_on;
use crate::domain::messages::{Channel, ReminderState};
use crate::domain::patient_record::{AuthField, PatientDetail};
use crate::domain::unscheduled::Reason;
use crate::sanitize::clean_line;
use crate::text::{fit, width};
use crate::tui::keymap::{Action, Keymap};
use crate::tui::theme::Theme;
use crate::tui::widgets::dialog::bordered;
use crate::tui::widgets::form::cursor_cols;

/// Draws whichever of the desk's screens is in front over `area`.
pub fn draw(
    frame: &mut Frame,
    area: Rect,
    desk: &Desk,
    keymap: &Keymap,
    today: NaiveDate,
    theme: &Theme,
) {
    if let Some(r) = &desk.record {
        draw_record(frame, area, r, keymap, today, theme);
    } else if let Some(c) = &desk.calls {
        draw_calls(frame, area, c, keymap, theme);
    } else if let Some(f) = &desk.finder {
        draw_finder(frame, area, f, keymap, theme);
    }
}

/// Whole hints only, as many as fit in `cols`.
fn hints(parts: &[String], cols: usize) -> String {
    let mut shown = String::new();
    for hint in parts {
        let joined = if shown.is_empty() {
            hint.clone()
        } else {
            format!("{shown}  {hint}")
        };
        if width(&joined) > cols {
            break;
        }
        shown = joined;
    }
    shown
}

fn frame_box(frame: &mut Frame, area: Rect, title: String, theme: &Theme) -> Rect {
    frame.render_widget(Clear, area);
    let block = bordered(theme).title(title);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    inner
}

/// The first row shown so that `pick` stays in a window of `rows`.
fn top_for(pick: usize, rows: usize) -> usize {
    (pick + 1).saturating_sub(rows.max(1))
}

fn dash(s: Option<&str>) -> String {
    s.map(clean_line)
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "—".into())
}

fn marker(selected: bool, theme: &Theme) -> String {
    if selected {
        theme.symbols.marker.to_string()
    } else {
        " ".repeat(width(theme.symbols.marker))
    }
}

fn draw_finder(frame: &mut Frame, area: Rect, f: &Finder, keymap: &Keymap, theme: &Theme) {
    let title = if f.loading {
        " Find a patient: reading the patients… ".to_string()
    } else {
        format!(" Find a patient: {} of {} ", f.hits.len(), f.entries.len())
    };
    let inner = frame_box(frame, area, title, theme);
    let [search, head, list, foot] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Min(1),
        Constraint::Length(1),
    ])
    .areas(inner);
    let label = " Name, MRN, phone or birth date: ";
    frame.render_widget(
        Paragraph::new(Line::from(vec![
            Span::styled(label, theme.field_label),
            Span::styled(f.input.text().to_string(), theme.field_focus),
        ])),
        search,
    );
    let x = search.x + width(label) as u16 + cursor_cols(&f.input);
    frame.set_cursor_position(Position::new(
        x.min(search.right().saturating_sub(1)),
        search.y,
    ));
    let cols = usize::from(inner.width);
    let mark = width(theme.symbols.marker);
    let short = cols < 78;
    let next_w = if short { 12 } else { 16 };
    let fixed = mark + 8 + 10 + 15 + next_w + 4 * 2;
    let name_w = cols.saturating_sub(fixed).max(8);
    let row = |name: &str, mrn: &str, born: &str, phone: &str, next: &str| {
        format!(
            "{}  {}  {}  {}  {}",
            fit(name, name_w),
            fit(mrn, 8),
            fit(born, 10),
            fit(phone, 15),
            fit(next, next_w)
        )
    };
    frame.render_widget(
        Paragraph::new(Line::styled(
            format!(
                "{}{}",
                " ".repeat(mark),
                row("Patient", "MRN", "Born", "Phone", "Next visit")
            ),
            theme.column_header,
        )),
        head,
    );
    let rows = usize::from(list.height);
    let top = top_for(f.pick, rows);
    let mut lines = Vec::new();
    for (at, i) in f.hits.iter().enumerate().skip(top).take(rows) {
        let p = &f.entries[*i];
        let name = clean_line(&p.full_name()) + if p.active { "" } else { " (inactive)" };
        let next = p
            .next_visit
            .map(|t| {
                t.format(if short {
                    "%-d %b %H:%M"
                } else {
                    "%Y-%m-%d %H:%M"
                })
                .to_string()
            })
            .unwrap_or_else(|| "—".into());
        let text = row(
            &name,
            &clean_line(&p.mrn),
            &p.date_of_birth.format("%Y-%m-%d").to_string(),
            &dash(p.phone.as_deref()),
            &next,
        );
        let selected = at == f.pick;
        let style = if selected {
            theme.selected
        } else {
            Style::default()
        };
        lines.push(Line::styled(
            format!("{}{text}", marker(selected, theme)),
            style,
        ));
    }
    if lines.is_empty() && !f.loading {
        lines.push(Line::styled(
            if f.entries.is_empty() {
                " No patients yet."
            } else {
                " No patient matches."
            },
            theme.muted,
        ));
    }
    frame.render_widget(Paragraph::new(lines), list);
    let key = |a| keymap.label(a);
    let parts = [
        format!(
            "{}/{} choose",
            key(Action::FinderUp),
            key(Action::FinderDown)
        ),
        format!("{} opens the record", key(Action::FinderOpen)),
        format!("{} closes", key(Action::FinderClose)),
    ];
    frame.render_widget(
        Paragraph::new(Line::styled(
            format!(" {}", hints(&parts, cols.saturating_sub(1))),
            theme.muted,
        )),
        foot,
    );
}

fn reason_word(r: Reason) -> &'static str {
    match r {
        Reason::NoFutureVisit => "no visit booked",
        Reason::BelowFrequency => "below frequency",
        Reason::MissedTwice => "missed twice",
    }
}

fn draw_calls(frame: &mut Frame, area: Rect, c: &Calls, keymap: &Keymap, theme: &Theme) {
    let title = if c.loading {
        " Patients to call: reading… ".to_string()
    } else {
        format!(
            " Patients falling through the cracks: {} to call ",
            c.rows.len()
        )
    };
    let inner = frame_box(frame, area, title, theme);
    let [head, list, foot] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(1),
        Constraint::Length(1),
    ])
    .areas(inner);
    let cols = usize::from(inner.width);
    let mark = width(theme.symbols.marker);
    let fixed = mark + 15 + 15 + 10 + 10 + 4 + 5 * 2;
    let name_w = cols.saturating_sub(fixed).max(8);
    let row = |reason: &str, name: &str, phone: &str, last: &str, next: &str, left: &str| {
        format!(
            "{}  {}  {}  {}  {}  {}",
            fit(reason, 15),
            fit(name, name_w),
            fit(phone, 15),
            fit(last, 10),
            fit(next, 10),
            fit(left, 4)
        )
    };
    frame.render_widget(
        Paragraph::new(Line::styled(
            format!(
                "{}{}",
                " ".repeat(mark),
                row(
                    "Why",
                    "Patient",
                    "Phone",
                    "Last visit",
                    "Next visit",
                    "Left"
                )
            ),
            theme.column_header,
        )),
        head,
    );
    let rows = usize::from(list.height);
    let top = top_for(c.pick, rows);
    let day = |t: Option<chrono::NaiveDateTime>| {
        t.map(|t| t.format("%Y-%m-%d").to_string())
            .unwrap_or_else(|| "—".into())
    };
    let mut lines: Vec<Line> = c
        .rows
        .iter()
        .enumerate()
        .skip(top)
        .take(rows)
        .map(|(at, r)| {
            let text = row(
                reason_word(r.reason),
                &clean_line(&r.name),
                &dash(r.phone.as_deref()),
                &day(r.last_visit),
                &day(r.next_visit),
                &r.visits_left
                    .map(|n| n.to_string())
                    .unwrap_or_else(|| "—".into()),
            );
            let selected = at == c.pick;
            let style = if selected {
                theme.selected
            } else {
                Style::default()
            };
            Line::styled(format!("{}{text}", marker(selected, theme)), style)
        })
        .collect();
    if lines.is_empty() && !c.loading {
        lines.push(Line::styled(
            " Every patient in a plan of care is booked.",
            theme.muted,
        ));
    }
    frame.render_widget(Paragraph::new(lines), list);
    let key = |a| keymap.label(a);
    let parts = [
        format!("{}/{} choose", key(Action::CallsUp), key(Action::CallsDown)),
        format!("{} opens the record", key(Action::CallsOpen)),
        format!("{} books", key(Action::CallsBook)),
        format!("{} closes", key(Action::CallsClose)),
    ];
    frame.render_widget(
        Paragraph::new(Line::styled(
            format!(" {}", hints(&parts, cols.saturating_sub(1))),
            theme.muted,
        )),
        foot,
    );
}

/// A visit: when, with whom, its status, then its kind (cut first when the column is narrow).
fn visit_line(v: &RecordVisit, cols: usize) -> String {
    fit(
        &format!(
            "{} {} {} · {}",
            v.start.format("%Y-%m-%d %H:%M"),
            clean_line(&v.therapist_initials),
            v.status.label(),
            v.kind.label()
        ),
        cols,
    )
}

/// "reminder sent · confirmed to the desk": a visit's reminder (once there is one) and the
/// patient's answer, or None when there is neither.
fn notice_words(v: &RecordVisit) -> Option<String> {
    let reminder = (v.reminder != ReminderState::None).then(|| v.reminder.words().to_string());
    let answer = v.answer.as_ref().map(|a| a.words().to_string());
    let risk = v.risk.as_ref().map(risk_words);
    let parts: Vec<String> = reminder.into_iter().chain(answer).chain(risk).collect();
    (!parts.is_empty()).then(|| parts.join(" · "))
}

/// "high no-show risk (41%): 2 no-shows in the last 12 months, booked 40 days ahead"
pub fn risk_words(r: &crate::domain::no_show::VisitRisk) -> String {
    let mut words = format!("high no-show risk ({:.0}%)", r.probability * 100.0);
    if !r.reasons.is_empty() {
        words.push_str(": ");
        words.push_str(&r.reasons.join(", "));
    }
    words
}

/// An inline message, wrapped at words onto as many as three lines under what it is about.
fn error_lines(
    lines: &mut Vec<Line<'static>>,
    indent: &str,
    message: &str,
    cols: usize,
    theme: &Theme,
) {
    let room = cols.saturating_sub(width(indent) + 2).max(10);
    for (i, l) in crate::text::fit_message(&clean_line(message), room, 3)
        .into_iter()
        .enumerate()
    {
        let lead = if i == 0 { "! " } else { "  " };
        lines.push(Line::styled(format!("{indent}{lead}{l}"), theme.error));
    }
}

const LABEL_COLS: usize = 11;

/// The characters of `s` that fill `cols`, and the rest.
fn split_at_width(s: &str, cols: usize) -> (String, String) {
    let mut first = String::new();
    let mut used = 0;
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.peek() {
        let w = width(&c.to_string());
        if used + w > cols {
            break;
        }
        used += w;
        first.push(*c);
        chars.next();
    }
    (first, chars.collect())
}

fn draw_record(
    frame: &mut Frame,
    area: Rect,
    r: &RecordScreen,
    keymap: &Keymap,
    today: NaiveDate,
    theme: &Theme,
) {
    let Some(record) = &r.record else {
        let inner = frame_box(frame, area, " Patient record ".into(), theme);
        frame.render_widget(
            Paragraph::new(Line::styled(" reading the record…", theme.muted)),
            inner,
        );
        return;
    };
    let p = &record.patient;
    let title = format!(
        " {} · MRN {} · {} years{} ",
        clean_line(&p.full_name()),
        clean_line(&p.mrn),
        age_on(p.date_of_birth, today),
        if p.active { "" } else { " · inactive" }
    );
    let inner = frame_box(frame, area, title, theme);
    let [body, foot] = Layout::vertical([Constraint::Min(1), Constraint::Length(1)]).areas(inner);
    let left_w = (body.width * 47 / 100).clamp(36, 48);
    let [left, _, right] = Layout::horizontal([
        Constraint::Length(left_w),
        Constraint::Length(1),
        Constraint::Min(20),
    ])
    .areas(body);
    let lw = usize::from(left.width);
    let rw = usize::from(right.width);
    let mut lines = vec![Line::styled("Details", theme.column_header)];
    let mut cursor = None;
    for (i, row) in DETAIL_ROWS.iter().enumerate() {
        let selected = r.row == i;
        let name = match row {
            Row::Detail(d) => d.label(),
            Row::Consent(Channel::Email) => "Emails",
            Row::Consent(Channel::Sms) => "Texts",
            Row::Authorization(_) => continue,
        };
        let label = format!("{}{}", marker(selected, theme), fit(name, LABEL_COLS));
        let value_w = lw.saturating_sub(width(&label));
        match (&r.edit, row) {
            (
                Some(Edit::Consent {
                    channel,
                    step,
                    state,
                }),
                Row::Consent(c),
            ) if channel == c => {
                let choice = format!(
                    "{} {} {}",
                    theme.symbols.left,
                    step.label(),
                    theme.symbols.right
                );
                lines.push(Line::from(vec![
                    Span::styled(label, theme.field_label),
                    Span::styled(fit(&choice, value_w), theme.field_focus),
                ]));
                if let Some(e) = &state.error {
                    error_lines(&mut lines, "", e, lw, theme);
                }
            }
            (
                Some(Edit::Detail {
                    detail,
                    input,
                    state,
                }),
                Row::Detail(d),
            ) if detail == d => {
                cursor = Some((lines.len(), width(&label) as u16 + cursor_cols(input)));
                lines.push(Line::from(vec![
                    Span::styled(label, theme.field_label),
                    Span::styled(fit(input.text(), value_w), theme.field_focus),
                ]));
                if let Some(e) = &state.error {
                    error_lines(&mut lines, "", e, lw, theme);
                }
            }
            _ => {
                let value = match row {
                    Row::Detail(PatientDetail::ContactPreference) => p
                        .contact_preference
                        .map(|c| c.label().to_string())
                        .unwrap_or_else(|| "not said".into()),
                    Row::Detail(d) => dash(Some(&d.text_of(p))),
                    Row::Consent(c) => p.consent.standing(*c).words(),
                    Row::Authorization(_) => String::new(),
                };
                let style = if selected {
                    theme.selected
                } else {
                    Style::default()
                };
                // A long email or payer takes a second line rather than losing its end.
                let (first, rest) = split_at_width(&value, value_w);
                let pad = " ".repeat(width(&label));
                lines.push(Line::from(vec![
                    Span::styled(label, theme.field_label),
                    Span::styled(fit(&first, value_w), style),
                ]));
                if !rest.is_empty() {
                    lines.push(Line::from(vec![
                        Span::raw(pad),
                        Span::styled(fit(&rest, value_w), style),
                    ]));
                }
            }
        }
    }
    if let Some(dx) = p.diagnosis.as_deref().or(p.diagnosis_code.as_deref()) {
        let code = p
            .diagnosis_code
            .as_deref()
            .filter(|_| p.diagnosis.is_some());
        let text = match code {
            Some(c) => format!("{c} {dx}"),
            None => dx.to_string(),
        };
        lines.push(Line::from(vec![
            Span::styled(
                format!("{}{}", marker(false, theme), fit("Diagnosis", LABEL_COLS)),
                theme.field_label,
            ),
            Span::raw(fit(&clean_line(&text), lw.saturating_sub(LABEL_COLS + 2))),
        ]));
    }
    lines.push(Line::from(""));
    lines.push(Line::styled("Waitlist", theme.column_header));
    let waitlist = &record.waitlist;
    if matches!(r.edit, Some(Edit::Waitlist { .. })) {
        waitlist_form(&mut lines, &mut cursor, r, lw, theme);
    } else if waitlist.is_empty() {
        lines.push(Line::styled(
            format!(
                "  not on the waitlist ({} adds)",
                keymap.label(Action::RecordAddWaitlist)
            ),
            theme.muted,
        ));
    } else {
        for w in waitlist {
            let days = crate::domain::waitlist::days_label(&w.weekdays);
            // Priority, when, with whom, how long: what the desk needs to offer a slot.
            let text = format!(
                "P{} {} {} {} {}m",
                w.priority,
                days,
                w.window.label(),
                w.therapists_label(),
                w.minutes,
            );
            lines.push(Line::raw(format!(
                "  {}",
                fit(&clean_line(&text), lw.saturating_sub(2))
            )));
        }
    }
    frame.render_widget(Paragraph::new(lines), left);
    if let Some((row, col)) = cursor {
        let y = left.y + row as u16;
        if y < left.bottom() {
            frame.set_cursor_position(Position::new(
                (left.x + col).min(left.right().saturating_sub(1)),
                y,
            ));
        }
    }

    let mut lines = vec![Line::styled("Authorisations", theme.column_header)];
    let mut cursor = None;
    let editing_auth = match &r.edit {
        Some(Edit::Authorization { editing, .. }) => Some(editing.as_ref().map(|e| e.0)),
        _ => None,
    };
    for (i, u) in record.authorizations.iter().enumerate() {
        let a = &u.authorization;
        if editing_auth == Some(Some(a.id)) {
            auth_form(&mut lines, &mut cursor, r, rw, theme);
            continue;
        }
        let selected = r.row() == Row::Authorization(i);
        let text = format!(
            "{}: {} of {} used{}",
            clean_line(&a.payer),
            u.used,
            a.visits,
            if a.holds(today) { "" } else { " (not current)" }
        );
        let style = if selected {
            theme.selected
        } else {
            Style::default()
        };
        let pad = width(theme.symbols.marker);
        lines.push(Line::styled(
            format!(
                "{}{}",
                marker(selected, theme),
                fit(&text, rw.saturating_sub(pad))
            ),
            style,
        ));
        lines.push(Line::styled(
            format!(
                "{}{} to {}",
                " ".repeat(pad),
                a.starts_on.format("%Y-%m-%d"),
                a.ends_on.format("%Y-%m-%d")
            ),
            theme.muted,
        ));
    }
    if record.authorizations.is_empty() && editing_auth.is_none() {
        lines.push(Line::styled(
            format!("  none ({} adds one)", keymap.label(Action::RecordAddAuth)),
            theme.muted,
        ));
    }
    if editing_auth == Some(None) {
        auth_form(&mut lines, &mut cursor, r, rw, theme);
    }
    let now = today.and_hms_opt(0, 0, 0).unwrap_or_default();
    let (past, upcoming): (Vec<&RecordVisit>, Vec<&RecordVisit>) =
        record.visits.iter().partition(|v| v.start < now);
    let room = usize::from(right.height).saturating_sub(lines.len() + 5);
    let mut up_room = room.div_ceil(2).max(1);
    lines.push(Line::from(""));
    lines.push(Line::styled(
        format!("Upcoming visits · {}", upcoming.len()),
        theme.column_header,
    ));
    if upcoming.is_empty() {
        lines.push(Line::styled("  none booked", theme.muted));
    }
    for v in &upcoming {
        let notice = notice_words(v);
        let needs = 1 + usize::from(notice.is_some());
        if up_room == 0 {
            break;
        }
        lines.push(Line::raw(format!(
            "  {}",
            visit_line(v, rw.saturating_sub(2))
        )));
        // Its reminder and the patient's answer, in words under it when there is room.
        if let Some(words) = notice.filter(|_| up_room >= needs) {
            lines.push(Line::styled(
                format!("    {}", fit(&words, rw.saturating_sub(4))),
                theme.muted,
            ));
        }
        up_room = up_room.saturating_sub(needs);
    }
    lines.push(Line::from(""));
    lines.push(Line::styled(
        format!("Past visits · {}", past.len()),
        theme.column_header,
    ));
    if past.is_empty() {
        lines.push(Line::styled("  none yet", theme.muted));
    }
    let past_rows = usize::from(right.height).saturating_sub(lines.len());
    for v in past.iter().rev().take(past_rows) {
        lines.push(Line::raw(format!(
            "  {}",
            visit_line(v, rw.saturating_sub(2))
        )));
    }
    frame.render_widget(Paragraph::new(lines), right);
    if let Some((row, col)) = cursor {
        let y = right.y + row as u16;
        if y < right.bottom() {
            frame.set_cursor_position(Position::new(
                (right.x + col).min(right.right().saturating_sub(1)),
                y,
            ));
        }
    }

    let key = |a| keymap.label(a);
    let cols = usize::from(foot.width).saturating_sub(1);
    let text = match &r.edit {
        Some(e) if e.state().saving => "saving…".to_string(),
        Some(e) if e.state().discard_armed => {
            format!("{} again discards what you typed", key(Action::FormClose))
        }
        Some(Edit::Authorization { .. }) => hints(
            &[
                format!("{} next field, saves on the last", key(Action::FormSave)),
                format!("{} saves", key(Action::FormSaveNow)),
                format!("{} cancels", key(Action::FormClose)),
            ],
            cols,
        ),
        Some(_) => hints(
            &[
                format!("{} saves", key(Action::FormSave)),
                format!("{} cancels", key(Action::FormClose)),
            ],
            cols,
        ),
        None => hints(
            &[
                format!(
                    "{}/{} field",
                    key(Action::RecordUp),
                    key(Action::RecordDown)
                ),
                format!("{} edits", key(Action::RecordEdit)),
                format!("{} books", key(Action::RecordBook)),
                format!("{} new authorisation", key(Action::RecordAddAuth)),
                format!("{} waitlist", key(Action::RecordAddWaitlist)),
                format!("{} closes", key(Action::RecordClose)),
            ],
            cols,
        ),
    };
    frame.render_widget(
        Paragraph::new(Line::styled(format!(" {text}"), theme.muted)),
        foot,
    );
}

/// A new waitlist entry, as form rows under the record's Waitlist heading.
fn waitlist_form(
    lines: &mut Vec<Line<'static>>,
    cursor: &mut Option<(usize, u16)>,
    r: &RecordScreen,
    cols: usize,
    theme: &Theme,
) {
    use crate::domain::waitlist::TypedField;
    let Some(Edit::Waitlist {
        fields,
        focus,
        state,
    }) = &r.edit
    else {
        return;
    };
    for (i, f) in TypedField::ALL.iter().enumerate() {
        let label = format!("  {}", fit(f.label(), 9));
        if i == *focus {
            *cursor = Some((lines.len(), width(&label) as u16 + cursor_cols(&fields[i])));
        }
        let hint = match f {
            TypedField::Therapists => "AM, BO; empty: anyone",
            TypedField::Days => "mon,thu; empty: any day",
            TypedField::Times => "9am-12pm, 14:00-17:00",
            TypedField::Priority => "1 most urgent to 5",
            _ => "",
        };
        let value = if fields[i].is_empty() && i != *focus {
            Span::styled(hint.to_string(), theme.muted)
        } else {
            Span::styled(
                fit(fields[i].text(), cols.saturating_sub(width(&label))),
                if i == *focus {
                    theme.field_focus
                } else {
                    Style::default()
                },
            )
        };
        lines.push(Line::from(vec![
            Span::styled(label, theme.field_label),
            value,
        ]));
    }
    if let Some(e) = &state.error {
        error_lines(lines, "  ", e, cols, theme);
    }
}

/// The authorisation being added or edited, as form rows in the record's right column.
fn auth_form(
    lines: &mut Vec<Line<'static>>,
    cursor: &mut Option<(usize, u16)>,
    r: &RecordScreen,
    cols: usize,
    theme: &Theme,
) {
    let Some(Edit::Authorization {
        editing,
        fields,
        focus,
        error_field,
        state,
    }) = &r.edit
    else {
        return;
    };
    lines.push(Line::styled(
        if editing.is_some() {
            "  Editing this authorisation"
        } else {
            "  New authorisation"
        },
        theme.field_label,
    ));
    for (i, f) in AuthField::ALL.iter().enumerate() {
        let label = format!("  {}", fit(f.label(), 8));
        if i == *focus {
            *cursor = Some((lines.len(), width(&label) as u16 + cursor_cols(&fields[i])));
        }
        let style = if i == *focus {
            theme.field_focus
        } else {
            Style::default()
        };
        let hint = match f {
            AuthField::Start | AuthField::End if fields[i].is_empty() => "a date: 12/8, +90…",
            _ => "",
        };
        let value = if fields[i].is_empty() {
            Span::styled(hint.to_string(), theme.muted)
        } else {
            Span::styled(
                fit(fields[i].text(), cols.saturating_sub(width(&label))),
                style,
            )
        };
        lines.push(Line::from(vec![
            Span::styled(label, theme.field_label),
            value,
        ]));
        if let (Some(e), true) = (&state.error, *error_field == Some(*f)) {
            error_lines(lines, "  ", e, cols, theme);
        }
    }
    if let (Some(e), None) = (&state.error, error_field) {
        error_lines(lines, "  ", e, cols, theme);
    }
}
