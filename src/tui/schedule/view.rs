//! Pane 1 on screen: the day's visits, one row each, and the schedule's dialogs (cancel a
//! visit, book or move one, register a patient).

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, List, ListItem, ListState, Paragraph};

use super::state::Schedule;
use crate::domain::age_on;
use crate::domain::appointment::{Visit, visit_minutes_range};
use crate::sanitize::clean_line;
use crate::text::{fit, truncate, width};
use crate::tui::event::Learned;
use crate::tui::forms::{
    BookingField, BookingForm, BookingMode, PATIENT_FIELDS, PatientFormState, find_therapist,
};
use crate::tui::keymap::{Action, Keymap};
use crate::tui::pane::Context;
use crate::tui::theme::Theme;
use crate::tui::widgets::dialog::{bordered, centered};
use crate::tui::widgets::{form, marked_list};

/// Column widths of the schedule rows (after the 2-column selection marker).
struct Columns {
    patient: usize,
    /// 0 when there is no room for the MRN.
    mrn: usize,
    therapist: usize,
    flags: usize,
    /// From 100 columns: the arrival time and the room.
    arrival_room: bool,
}

impl Columns {
    fn for_width(total: u16) -> Self {
        let total = (total as usize).saturating_sub(2);
        let (therapist, flags) = if total >= 108 { (18, 24) } else { (4, 12) };
        let mrn = if total >= 90 { 8 } else { 0 };
        let arrival_room = total >= 98;
        // time 5, age 3, kind 10, status 9, "coming?", and the gaps between columns
        let coming = super::badges::COMING_COLS + 1;
        let fixed =
            5 + 3 + 10 + 9 + 6 + coming + therapist + flags + if mrn > 0 { mrn + 1 } else { 0 };
        // arrival 5 and room 4, each with its gap
        let fixed = fixed + if arrival_room { 11 } else { 0 };
        Self {
            patient: total.saturating_sub(fixed).max(10),
            mrn,
            therapist,
            flags,
            arrival_room,
        }
    }

    fn therapist_title(&self) -> &'static str {
        if self.therapist > 4 {
            "Therapist"
        } else {
            "PT"
        }
    }
}

/// The patient's name with the letters the filter matched picked out.
fn name_spans(
    schedule: &Schedule,
    v: &Visit,
    cols: usize,
    theme: &Theme,
    base: Style,
) -> Vec<Span<'static>> {
    let name = truncate(&clean_line(&v.patient_name), cols);
    let query = schedule
        .filter
        .as_ref()
        .map(|f| f.input.text().trim())
        .unwrap_or("");
    let positions = if query.is_empty() {
        Vec::new()
    } else {
        schedule
            .matcher
            .score(&name, query)
            .map(|(_, p)| p)
            .unwrap_or_default()
    };
    // One span per run of matched or unmatched letters.
    let style = |matched: bool| {
        if matched {
            base.patch(theme.matched)
        } else {
            base
        }
    };
    let mut spans: Vec<Span> = Vec::new();
    let mut run = String::new();
    let mut run_matched = false;
    for (i, c) in name.chars().enumerate() {
        let matched = positions.contains(&i);
        if matched != run_matched && !run.is_empty() {
            spans.push(Span::styled(std::mem::take(&mut run), style(run_matched)));
        }
        run_matched = matched;
        run.push(c);
    }
    if !run.is_empty() {
        spans.push(Span::styled(run, style(run_matched)));
    }
    spans.push(Span::styled(
        " ".repeat(cols.saturating_sub(width(&name))),
        base,
    ));
    spans
}

fn visit_line(schedule: &Schedule, v: &Visit, cols: &Columns, theme: &Theme) -> Line<'static> {
    let base = theme.visit_status(v.status);
    let therapist = if cols.therapist > 4 {
        clean_line(&v.therapist_name)
    } else {
        clean_line(&v.therapist_initials)
    };
    let mut spans = vec![Span::styled(format!("{} ", v.start.format("%H:%M")), base)];
    spans.extend(name_spans(schedule, v, cols.patient, theme, base));
    if cols.mrn > 0 {
        spans.push(Span::styled(
            format!(" {}", fit(&clean_line(&v.mrn), cols.mrn)),
            base,
        ));
    }
    spans.push(Span::styled(
        format!(
            " {:>3} {} {} {} ",
            age_on(v.date_of_birth, schedule.day),
            fit(&therapist, cols.therapist),
            fit(v.kind.label(), 10),
            fit(v.status.label(), 9),
        ),
        base,
    ));
    // Are they coming: the reminder's fate or the patient's answer, as letters.
    let mut used = 0;
    let risky = v.risk.as_ref().is_some_and(|r| r.high);
    for (i, notice) in super::badges::coming(v, risky).into_iter().enumerate() {
        if i > 0 {
            spans.push(Span::styled(" ", base));
            used += 1;
        }
        spans.push(Span::styled(
            notice.badge(),
            base.patch(theme.notice(notice)),
        ));
        used += width(notice.badge());
    }
    spans.push(Span::styled(
        " ".repeat(super::badges::COMING_COLS.saturating_sub(used) + 1),
        base,
    ));
    if cols.arrival_room {
        // Arrived at: the check-in's time, kept once the visit is completed.
        let arrived = v
            .checked_in_at
            .as_deref()
            .and_then(|t| t.get(11..16))
            .unwrap_or("");
        let room = v.room.as_deref().map(clean_line).unwrap_or_default();
        spans.push(Span::styled(
            format!("{} {} ", fit(arrived, 5), fit(&room, 4)),
            base,
        ));
    }
    // Badges (PN, POC!, AUTH, …) for the words stored with the visit, the most severe first;
    // a limit already passed in the error colour. Pane 2 says what each means in full.
    for (i, badge) in super::badges::within(&v.flags, cols.flags)
        .into_iter()
        .enumerate()
    {
        if i > 0 {
            spans.push(Span::styled(" ", theme.flag));
        }
        // Over the flag style, so that a theme without colour still shows it as a badge.
        let style = if badge.breach {
            theme.flag.patch(theme.error)
        } else {
            theme.flag
        };
        spans.push(Span::styled(badge.text, style));
    }
    Line::from(spans)
}

/// The day's list; what the layout decided (rows per page, the first row shown) is returned.
pub fn draw(
    frame: &mut Frame,
    area: Rect,
    schedule: &Schedule,
    keymap: &Keymap,
    theme: &Theme,
) -> Learned {
    if let Some(week) = &schedule.week {
        return super::week_view::draw(frame, area, week, keymap, theme);
    }
    let [head, list] = Layout::vertical([Constraint::Length(1), Constraint::Min(1)]).areas(area);
    let cols = Columns::for_width(area.width);
    let mrn = if cols.mrn > 0 {
        format!(" {}", fit("MRN", cols.mrn))
    } else {
        String::new()
    };
    let arrival_room = if cols.arrival_room {
        format!("{} {} ", fit("In", 5), fit("Room", 4))
    } else {
        String::new()
    };
    let header = format!(
        "  {} {}{mrn} {:>3} {} {} {} {} {arrival_room}{}",
        fit("Time", 5),
        fit("Patient", cols.patient),
        "Age",
        fit(cols.therapist_title(), cols.therapist),
        fit("Kind", 10),
        fit("Status", 9),
        fit("Conf", super::badges::COMING_COLS),
        fit("Flags", cols.flags)
    );
    frame.render_widget(Paragraph::new(header).style(theme.column_header), head);
    let page_size = Some(list.height.saturating_sub(1).max(1) as usize);
    let learned = Learned {
        help: None,
        page_size,
        schedule_top: None,
    };
    if schedule.is_loading() {
        frame.render_widget(Paragraph::new("  Loading…").style(theme.muted), list);
        return learned;
    }
    if schedule.rows.is_empty() {
        let why = if schedule.filter.is_some() {
            format!(
                "  No patient on this day matches the filter ({} clears it).",
                keymap.label(Action::ClearFilter)
            )
        } else if schedule.mine_only {
            format!(
                "  No visits of yours on {} ({} shows everyone's).",
                schedule.day.format("%A %-d %B"),
                keymap.label(Action::ToggleMine)
            )
        } else {
            format!(
                "  No visits booked on {}.",
                schedule.day.format("%A %-d %B")
            )
        };
        frame.render_widget(Paragraph::new(why).style(theme.muted), list);
        return learned;
    }
    // Only the rows that fit are built: a 30-therapist day has hundreds.
    let height = usize::from(list.height).max(1);
    let selected = schedule.selected_index();
    let first = marked_list::list_top(schedule.top, selected, height, schedule.rows.len());
    let items: Vec<ListItem> = schedule
        .rows
        .iter()
        .skip(first)
        .take(height)
        .map(|&i| ListItem::new(visit_line(schedule, &schedule.visits[i], &cols, theme)))
        .collect();
    let widget = List::new(items)
        .highlight_symbol(theme.symbols.marker)
        .highlight_spacing(ratatui::widgets::HighlightSpacing::Always)
        .highlight_style(theme.selected);
    let mut list_state = ListState::default().with_selected(selected.map(|s| s - first));
    frame.render_stateful_widget(widget, list, &mut list_state);
    Learned {
        schedule_top: Some(first),
        ..learned
    }
}

pub fn draw_cancel(
    frame: &mut Frame,
    area: Rect,
    schedule: &Schedule,
    visit_id: i64,
    confirmed: bool,
    keymap: &Keymap,
    theme: &Theme,
) {
    let week = schedule.week.iter().flat_map(|w| w.visits.iter());
    let Some(v) = schedule
        .visits
        .iter()
        .chain(week)
        .find(|v| v.id == visit_id)
    else {
        return;
    };
    let what = format!(
        "{} {} with {}",
        v.start.format("%H:%M"),
        clean_line(&v.patient_name),
        clean_line(&v.therapist_initials)
    );
    let lines = if confirmed {
        vec![
            Line::from(format!("Cancel {}", truncate(&what, 50))),
            Line::from(""),
            Line::from(vec![
                Span::raw("Reason:  "),
                Span::styled(keymap.label(Action::CancelForPatient), theme.field_focus),
                Span::raw(" by the patient   "),
                Span::styled(keymap.label(Action::CancelByClinic), theme.field_focus),
                Span::raw(" by the clinic   "),
                Span::styled(keymap.label(Action::CancelLate), theme.field_focus),
                Span::raw(" late (under 24 h)"),
            ]),
            Line::styled(
                format!("{} keeps the visit", keymap.label(Action::CancelBack)),
                theme.muted,
            ),
        ]
    } else {
        vec![
            Line::from(format!("Cancel {}?", truncate(&what, 50))),
            Line::from(""),
            Line::from(vec![
                Span::styled(keymap.label(Action::CancelYes), theme.field_focus),
                Span::raw(" yes, cancel it    "),
                Span::styled(keymap.label(Action::CancelNo), theme.field_focus),
                Span::raw(" no, keep it"),
            ]),
        ]
    };
    // As wide as its longest line (with a space each side inside the border), so that the
    // reasons' keys are never cut; it fits from 70 columns, the app's narrowest.
    let widest = lines.iter().map(Line::width).max().unwrap_or(0) as u16;
    let rect = centered(area, widest + 4, lines.len() as u16 + 2);
    frame.render_widget(Clear, rect);
    let block = bordered(theme)
        .title(" Cancel visit ")
        .padding(ratatui::widgets::Padding::horizontal(1));
    frame.render_widget(Paragraph::new(lines).block(block), rect);
}

pub fn draw_booking(
    frame: &mut Frame,
    area: Rect,
    schedule: &Schedule,
    ctx: &Context,
    form: &BookingForm,
    theme: &Theme,
) {
    let mut lines: Vec<Line> = Vec::new();
    let mut cursor_row: Option<(usize, u16)> = None;
    let focused = form.field();
    for f in BookingField::ALL {
        let is_focus = f == focused;
        match f {
            BookingField::Patient => {
                if let BookingMode::Move { patient_name, .. } = &form.mode {
                    lines.push(Line::from(vec![
                        Span::styled(format!("{} ", fit("Patient", 14)), theme.field_label),
                        Span::raw(clean_line(patient_name)),
                    ]));
                    continue;
                }
                if is_focus {
                    cursor_row = Some((lines.len(), form::cursor_cols(&form.patient)));
                }
                lines.push(form::input_row(
                    "Patient",
                    &form.patient,
                    "name or MRN",
                    is_focus,
                    theme,
                ));
                let hits: Vec<_> = form
                    .patient_hits
                    .iter()
                    .filter_map(|id| schedule.directory.iter().find(|p| p.id == *id))
                    .collect();
                let first = form.patient_pick.saturating_sub(3);
                for (i, p) in hits.iter().enumerate().skip(first).take(4) {
                    let marker = marked_list::marker(i == form.patient_pick, theme);
                    let style = if i == form.patient_pick {
                        theme.selected
                    } else {
                        Style::default()
                    };
                    lines.push(Line::from(vec![
                        Span::raw(" ".repeat(15)),
                        Span::styled(
                            format!(
                                "{marker}{} · {} · MRN {}",
                                truncate(&clean_line(&p.name), 28),
                                age_on(p.date_of_birth, ctx.today),
                                clean_line(&p.mrn)
                            ),
                            style,
                        ),
                    ]));
                }
                if !form.patient.is_empty() && hits.is_empty() {
                    let note = if schedule.directory.is_empty() {
                        "loading patients…".to_string()
                    } else {
                        // Registering is the day's key: the form closes first.
                        format!(
                            "no patient matches: {}, then {} registers one",
                            ctx.keymap.label(Action::FormClose),
                            ctx.keymap.label(Action::NewPatient)
                        )
                    };
                    lines.push(Line::from(vec![
                        Span::raw(" ".repeat(17)),
                        Span::styled(note, theme.muted),
                    ]));
                }
            }
            BookingField::Kind => {
                let style = if is_focus {
                    theme.field_focus
                } else {
                    Style::default()
                };
                lines.push(Line::from(vec![
                    Span::styled(format!("{} ", fit("Kind", 14)), theme.field_label),
                    Span::styled(
                        format!(
                            "{} {} {}",
                            theme.symbols.left,
                            form.kind.label(),
                            theme.symbols.right
                        ),
                        style,
                    ),
                    Span::styled(
                        if is_focus {
                            format!(
                                "  {}/{} changes",
                                ctx.keymap.label(Action::FormChoicePrev),
                                ctx.keymap.label(Action::FormChoiceNext)
                            )
                        } else {
                            String::new()
                        },
                        theme.muted,
                    ),
                ]));
            }
            _ => {
                let minutes_hint = visit_minutes_range();
                let (input, hint) = match f {
                    BookingField::Therapist => (&form.therapist, "initials or name"),
                    BookingField::Date => (&form.date, "2026-12-08, 12/8, 8 dec, +7, mon"),
                    BookingField::Time => (&form.time, "9:30am, 2pm, 14:30, 230"),
                    _ => (&form.minutes, minutes_hint.as_str()),
                };
                if is_focus {
                    cursor_row = Some((lines.len(), form::cursor_cols(input)));
                }
                let mut line = form::input_row(f.label(), input, hint, is_focus, theme);
                let extra = match f {
                    BookingField::Therapist => find_therapist(ctx.staff, input.text())
                        .ok()
                        .map(|s| format!("  {}", clean_line(&s.name))),
                    // What a short form stands for, as it is typed: "mon" is "Monday 30 Nov".
                    BookingField::Date => crate::domain::when::parse_date(input.text(), ctx.today)
                        .ok()
                        .map(|d| {
                            let iso = d.format("%Y-%m-%d").to_string();
                            if input.text().trim() == iso {
                                format!("  {}", d.format("%A"))
                            } else {
                                format!("  {}", d.format("%A %-d %b %Y"))
                            }
                        }),
                    _ => None,
                };
                if let Some(extra) = extra {
                    line.spans.push(Span::styled(extra, theme.muted));
                }
                lines.push(line);
            }
        }
        if let Some((_, msg)) = form.error.as_ref().filter(|(ef, _)| *ef == f) {
            lines.push(form::error_row(msg, theme));
        }
    }
    lines.push(Line::from(""));
    if let Some(line) = super::series_view::moving_a_series_visit(form, ctx.keymap, theme) {
        lines.push(line);
    }
    if let Some((_, warning)) = &form.warning {
        let cols = area.width.saturating_sub(6).min(76).saturating_sub(4) as usize;
        lines.push(Line::styled(
            truncate(&clean_line(warning), cols),
            theme.warning,
        ));
        lines.push(Line::styled(
            format!(
                "{} again books anyway · change a field to pick another time",
                ctx.keymap.label(Action::FormSave)
            ),
            theme.warning,
        ));
    }
    let footer = form::footer(
        form.saving,
        form.discard_armed,
        &ctx.keymap.label(Action::FormClose),
        format!(
            "{} saves · {} next field · {} cancels",
            ctx.keymap.label(Action::FormSave),
            ctx.keymap.keys_for(Action::FormNext),
            ctx.keymap.label(Action::FormClose)
        ),
    );
    lines.push(Line::styled(footer, theme.muted));
    let title = match form.mode {
        BookingMode::New if form.from_waitlist.is_some() => " Book from the waitlist ",
        BookingMode::New => " Book a visit ",
        BookingMode::Move { .. } => " Reschedule visit ",
    };
    form::draw(frame, area, title, lines, cursor_row, theme);
}

pub fn draw_new_patient(
    frame: &mut Frame,
    area: Rect,
    form: &PatientFormState,
    keymap: &Keymap,
    theme: &Theme,
) {
    let key = |a: Action| keymap.label(a);
    let mut lines = Vec::new();
    let mut cursor_row = None;
    for (i, (field, label, hint)) in PATIENT_FIELDS.iter().enumerate() {
        let focused = i == form.focus;
        if focused {
            cursor_row = Some((lines.len(), form::cursor_cols(&form.inputs[i])));
        }
        lines.push(form::input_row(
            label,
            &form.inputs[i],
            hint,
            focused,
            theme,
        ));
        if let Some((_, msg)) = form.error.as_ref().filter(|(f, _)| f == field) {
            lines.push(form::error_row(msg, theme));
        }
    }
    // A patient the clinic already has: shown, with what registering anyway takes.
    if let Some((_, matches)) = &form.lookalike {
        for p in matches.iter().take(2) {
            lines.push(Line::styled(
                format!(
                    "! already registered: {} · MRN {} · born {}{}",
                    clean_line(&p.full_name()),
                    clean_line(&p.mrn),
                    p.date_of_birth.format("%Y-%m-%d"),
                    if p.active { "" } else { " (inactive)" }
                ),
                theme.warning,
            ));
        }
        lines.push(Line::styled(
            format!(
                "{} again registers anyway · {} opens their record",
                key(Action::FormSaveNow),
                key(Action::FormOpenMatch)
            ),
            theme.warning,
        ));
    }
    lines.push(Line::from(""));
    let footer = form::footer(
        form.saving,
        form.discard_armed,
        &key(Action::FormClose),
        format!(
            "{} next field, saves on the last · {} saves · {} cancels",
            key(Action::FormSave),
            key(Action::FormSaveNow),
            key(Action::FormClose)
        ),
    );
    lines.push(Line::styled(footer, theme.muted));
    form::draw(frame, area, " New patient ", lines, cursor_row, theme);
}
