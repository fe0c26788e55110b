//! Drawing: a pure function of the state (the list's scroll offset aside). Never touches the
//! database.

use chrono::NaiveDate;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Position, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, List, ListItem, ListState, Paragraph, Wrap};

use super::forms::{
    BookingField, BookingForm, BookingMode, PATIENT_FIELDS, PatientFormState, find_therapist,
};
use super::input::LineInput;
use super::keymap::{Action, Scope};
use super::state::{AppState, Level, Modal, Pane};
use super::theme::Theme;
use crate::domain::appointment::Visit;
use crate::domain::pin::PinNeed;
use crate::domain::{AppointmentStatus, age_on};
use crate::sanitize::clean_line;
use crate::text::{fit, truncate, width};

/// Below this the layout cannot show a usable day.
pub const MIN_WIDTH: u16 = 70;
pub const MIN_HEIGHT: u16 = 20;

pub fn draw(frame: &mut Frame, state: &mut AppState, theme: &Theme) {
    let area = frame.area();
    if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
        let text = format!("terminal too small (need {MIN_WIDTH}x{MIN_HEIGHT})");
        frame.render_widget(Paragraph::new(text).wrap(Wrap { trim: true }), area);
        return;
    }
    if state.locked {
        draw_locked(frame, area, state, theme);
        return;
    }
    let banner_rows = u16::from(state.offline_since.is_some());
    let [header, banner, tabs, body, message, status] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(banner_rows),
        Constraint::Length(1),
        Constraint::Min(1),
        Constraint::Length(1),
        Constraint::Length(1),
    ])
    .areas(area);
    draw_header(frame, header, state, theme);
    if let Some(since) = &state.offline_since {
        let text = format!(
            " clinic database unreachable since {}: retrying; the day below is read-only",
            since.get(11..16).unwrap_or(since)
        );
        frame.render_widget(
            Paragraph::new(fit(&text, banner.width as usize))
                .style(theme.error.patch(theme.status_bar)),
            banner,
        );
    }
    draw_tabs(frame, tabs, state, theme);
    match state.pane {
        Pane::Schedule => draw_schedule(frame, body, state, theme),
        Pane::Progress => super::progress::view::draw(frame, body, state, theme),
        Pane::Program => super::program::view::draw(frame, body, state, theme),
    }
    draw_message(frame, message, state, theme);
    draw_status(frame, status, state, theme);
    match &state.modal {
        Some(Modal::Help) => draw_help(frame, area, &state.keymap, state.pane.scope(), theme),
        Some(Modal::ConfirmQuit) => {
            let lines = vec![
                Line::from("There is unsaved work. Quit and drop it?"),
                Line::from(""),
                Line::from(vec![
                    Span::styled("y", theme.field_focus),
                    Span::raw(" quit    any other key: stay"),
                ]),
            ];
            let rect = centered(area, 50, 5);
            frame.render_widget(Clear, rect);
            let block = Block::bordered()
                .border_set(theme.symbols.border)
                .title(" Quit ")
                .border_style(theme.border);
            frame.render_widget(Paragraph::new(lines).block(block), rect);
        }
        Some(Modal::Cancel {
            visit_id,
            confirmed,
            ..
        }) => draw_cancel(frame, area, state, *visit_id, *confirmed, theme),
        Some(Modal::Booking(form)) => draw_booking(frame, area, state, form, theme),
        Some(Modal::NewPatient(form)) => draw_new_patient(frame, area, form, theme),
        None => {}
    }
}

fn day_label(day: NaiveDate, today: NaiveDate) -> String {
    let rel = match (day - today).num_days() {
        0 => " (today)",
        1 => " (tomorrow)",
        -1 => " (yesterday)",
        _ => "",
    };
    format!("{}{rel}", day.format("%a %-d %b %Y"))
}

fn draw_header(frame: &mut Frame, area: Rect, state: &AppState, theme: &Theme) {
    let [booked, arrived, no_show, cancelled] = state.counts();
    let who = if state.mine_only {
        format!(
            "{}'s visits",
            state
                .info
                .me
                .as_ref()
                .map(|s| s.initials.as_str())
                .unwrap_or("my")
        )
    } else {
        "all therapists".to_string()
    };
    let clock = format!(" {} ", state.now.format("%H:%M"));
    let title = if area.width >= 100 {
        " ptclinic  "
    } else {
        " "
    };
    let day = day_label(state.day, state.today);
    let room = (area.width as usize).saturating_sub(width(title) + width(&day) + width(&clock));
    let counts = format!(
        "  booked {booked} · arrived {arrived} · no-show {no_show} · cancelled {cancelled}"
    );
    let with_who = format!("{counts} · {who}");
    let counts = fit(
        if width(&with_who) <= room {
            &with_who
        } else {
            &counts
        },
        room,
    );
    let spans = vec![
        Span::styled(title, theme.title),
        Span::styled(day, theme.header),
        Span::raw(counts),
        Span::styled(clock, theme.muted),
    ];
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}

fn draw_tabs(frame: &mut Frame, area: Rect, state: &AppState, theme: &Theme) {
    let keys = [
        Action::ShowSchedule,
        Action::ShowProgress,
        Action::ShowProgram,
    ];
    let mut spans = Vec::new();
    for (pane, action) in Pane::ALL.iter().zip(keys) {
        let style = if *pane == state.pane {
            theme.tab_active
        } else {
            theme.tab
        };
        spans.push(Span::styled(
            format!(" {} {} ", state.keymap.keys_for(action), pane.title()),
            style,
        ));
        spans.push(Span::raw(" "));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}

/// Column widths of the schedule rows (after the 2-column selection marker).
struct Columns {
    patient: usize,
    /// 0 when there is no room for the MRN.
    mrn: usize,
    therapist: usize,
    flags: usize,
}

impl Columns {
    fn for_width(total: u16) -> Self {
        let total = (total as usize).saturating_sub(2);
        let (therapist, flags) = if total >= 108 { (18, 24) } else { (4, 12) };
        let mrn = if total >= 90 { 8 } else { 0 };
        // time 5, age 3, kind 10, status 9, and the gaps between columns
        let fixed = 5 + 3 + 10 + 9 + 6 + therapist + flags + if mrn > 0 { mrn + 1 } else { 0 };
        Self {
            patient: total.saturating_sub(fixed).max(10),
            mrn,
            therapist,
            flags,
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

fn status_style(theme: &Theme, s: AppointmentStatus) -> Style {
    match s {
        AppointmentStatus::Scheduled => theme.scheduled,
        AppointmentStatus::CheckedIn => theme.arrived,
        AppointmentStatus::Completed => theme.completed,
        AppointmentStatus::NoShow => theme.no_show,
        AppointmentStatus::Cancelled => theme.cancelled,
    }
}

/// The patient's name with the letters the filter matched picked out.
fn name_spans(
    state: &AppState,
    v: &Visit,
    cols: usize,
    theme: &Theme,
    base: Style,
) -> Vec<Span<'static>> {
    let name = truncate(&clean_line(&v.patient_name), cols);
    let query = state
        .filter
        .as_ref()
        .map(|f| f.input.text().trim())
        .unwrap_or("");
    let positions = if query.is_empty() {
        Vec::new()
    } else {
        state
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

fn visit_line(state: &AppState, v: &Visit, cols: &Columns, theme: &Theme) -> Line<'static> {
    let base = status_style(theme, v.status);
    let therapist = if cols.therapist > 4 {
        clean_line(&v.therapist_name)
    } else {
        clean_line(&v.therapist_initials)
    };
    let mut spans = vec![Span::styled(format!("{} ", v.start.format("%H:%M")), base)];
    spans.extend(name_spans(state, v, cols.patient, theme, base));
    if cols.mrn > 0 {
        spans.push(Span::styled(
            format!(" {}", fit(&clean_line(&v.mrn), cols.mrn)),
            base,
        ));
    }
    spans.push(Span::styled(
        format!(
            " {:>3} {} {} {} ",
            age_on(v.date_of_birth, state.day),
            fit(&therapist, cols.therapist),
            fit(v.kind.label(), 10),
            fit(v.status.label(), 9),
        ),
        base,
    ));
    // Badges (PN, POC!, AUTH, …) for the words stored with the visit; pane 2 says what each
    // means in full.
    let badges: Vec<&str> = v
        .flags
        .iter()
        .map(|f| crate::domain::flags::Flag::parse(f).map_or(f.as_str(), |f| f.badge()))
        .collect();
    spans.push(Span::styled(fit(&badges.join(" "), cols.flags), theme.flag));
    Line::from(spans)
}

/// The first row shown of a list of `len` rows, `height` at a time: `top` as it was, moved
/// just enough to show the selection, and never leaving empty lines a longer window would fill.
pub(super) fn list_top(top: usize, selected: Option<usize>, height: usize, len: usize) -> usize {
    let top = top.min(len.saturating_sub(height));
    match selected {
        Some(s) if s < top => s,
        Some(s) if s >= top + height => s + 1 - height,
        _ => top,
    }
}

fn draw_schedule(frame: &mut Frame, area: Rect, state: &mut AppState, theme: &Theme) {
    let [head, list] = Layout::vertical([Constraint::Length(1), Constraint::Min(1)]).areas(area);
    let cols = Columns::for_width(area.width);
    let mrn = if cols.mrn > 0 {
        format!(" {}", fit("MRN", cols.mrn))
    } else {
        String::new()
    };
    let header = format!(
        "  {} {}{mrn} {:>3} {} {} {} {}",
        fit("Time", 5),
        fit("Patient", cols.patient),
        "Age",
        fit(cols.therapist_title(), cols.therapist),
        fit("Kind", 10),
        fit("Status", 9),
        fit("Flags", cols.flags)
    );
    frame.render_widget(Paragraph::new(header).style(theme.column_header), head);
    state.page_size = list.height.saturating_sub(1).max(1) as usize;
    if state.is_loading() {
        frame.render_widget(Paragraph::new("  Loading…").style(theme.muted), list);
        return;
    }
    if state.rows.is_empty() {
        let why = if state.filter.is_some() {
            "  No patient on this day matches the filter (Esc clears it).".to_string()
        } else if state.mine_only {
            format!(
                "  No visits of yours on {} (m shows everyone's).",
                state.day.format("%A %-d %B")
            )
        } else {
            format!("  No visits booked on {}.", state.day.format("%A %-d %B"))
        };
        frame.render_widget(Paragraph::new(why).style(theme.muted), list);
        return;
    }
    // Only the rows that fit are built: a 30-therapist day has hundreds.
    let height = usize::from(list.height).max(1);
    let selected = state.selected_index();
    let first = list_top(state.schedule_top, selected, height, state.rows.len());
    state.schedule_top = first;
    let items: Vec<ListItem> = state
        .rows
        .iter()
        .skip(first)
        .take(height)
        .map(|&i| ListItem::new(visit_line(state, &state.visits[i], &cols, theme)))
        .collect();
    let widget = List::new(items)
        .highlight_symbol(theme.symbols.marker)
        .highlight_spacing(ratatui::widgets::HighlightSpacing::Always)
        .highlight_style(theme.selected);
    let mut list_state = ListState::default().with_selected(selected.map(|s| s - first));
    frame.render_stateful_widget(widget, list, &mut list_state);
}

pub(super) fn field(label: &str, value: String, theme: &Theme) -> Line<'static> {
    Line::from(vec![
        Span::styled(format!("  {}", fit(label, 20)), theme.field_label),
        Span::raw(value),
    ])
}

/// The selected visit's patient: who they are, payer, diagnosis, authorisation, plan of care.
pub(super) fn draw_summary(frame: &mut Frame, area: Rect, state: &AppState, theme: &Theme) {
    let Some(v) = state.selected_visit() else {
        frame.render_widget(
            Paragraph::new("  Select a visit in the schedule (1) to see its patient.")
                .style(theme.muted),
            area,
        );
        return;
    };
    let title = format!(" {}: {} ", state.pane.title(), clean_line(&v.patient_name));
    let mut lines = vec![Line::from("")];
    match state.patient.as_ref().filter(|p| p.id == v.patient_id) {
        None => lines.push(Line::styled("  Loading…", theme.muted)),
        Some(p) => {
            let opt =
                |s: &Option<String>| s.as_deref().map(clean_line).unwrap_or_else(|| "—".into());
            let day = |d: Option<NaiveDate>| {
                d.map(|d| d.format("%-d %b %Y").to_string())
                    .unwrap_or_else(|| "—".into())
            };
            lines.push(field(
                "Patient",
                format!(
                    "{} ({} years, born {})",
                    clean_line(&p.full_name()),
                    age_on(p.date_of_birth, state.today),
                    p.date_of_birth.format("%-d %b %Y")
                ),
                theme,
            ));
            lines.push(field("MRN", clean_line(&p.mrn), theme));
            lines.push(field("Phone", opt(&p.phone), theme));
            lines.push(field("Payer", opt(&p.payer), theme));
            let diagnosis = match (&p.diagnosis_code, &p.diagnosis) {
                (Some(c), Some(d)) => format!("{} {}", clean_line(c), clean_line(d)),
                (c, d) => opt(if c.is_some() { c } else { d }),
            };
            lines.push(field("Diagnosis", diagnosis, theme));
            lines.push(field(
                "Body region",
                p.body_region
                    .as_deref()
                    .and_then(crate::domain::measures::BodyRegion::parse)
                    .map(|r| r.label().to_string())
                    .unwrap_or_else(|| "—".into()),
                theme,
            ));
            lines.push(field(
                "Authorised visits",
                match p.authorized_visits {
                    Some(n) => format!("{n}, until {}", day(p.auth_end)),
                    None => "—".into(),
                },
                theme,
            ));
            lines.push(field(
                "Plan of care",
                format!("{} to {}", day(p.poc_start), day(p.poc_end)),
                theme,
            ));
            lines.push(field(
                "Episode",
                if p.active {
                    "active".into()
                } else {
                    "discharged".into()
                },
                theme,
            ));
        }
    }
    lines.push(Line::from(""));
    lines.push(field(
        "This visit",
        format!(
            "{} {}, {} min, {} with {}: {}",
            v.start.format("%a %-d %b"),
            v.start.format("%H:%M"),
            v.minutes,
            v.kind.label(),
            clean_line(&v.therapist_name),
            v.status.label()
        ),
        theme,
    ));
    let block = Block::bordered()
        .border_set(theme.symbols.border)
        .title(title)
        .border_style(theme.border);
    frame.render_widget(
        Paragraph::new(lines)
            .block(block)
            .wrap(Wrap { trim: false }),
        area,
    );
}

fn draw_message(frame: &mut Frame, area: Rect, state: &AppState, theme: &Theme) {
    if let Some(filter) = state
        .filter
        .as_ref()
        .filter(|f| f.typing || state.message.is_none())
    {
        let label = " Find: ";
        let hint = if filter.typing {
            "Enter keeps the match · Esc clears"
        } else {
            "Esc clears the filter · / edits it"
        };
        let count = format!("  {} shown  ", state.rows.len());
        let line = Line::from(vec![
            Span::styled(label, theme.field_label),
            Span::styled(filter.input.text().to_string(), theme.field_focus),
            Span::styled(count, theme.muted),
            Span::styled(hint, theme.muted),
        ]);
        frame.render_widget(Paragraph::new(line), area);
        if filter.typing && state.modal.is_none() {
            let x = area.x + width(label) as u16 + cursor_cols(&filter.input);
            frame.set_cursor_position(Position::new(x.min(area.right().saturating_sub(1)), area.y));
        }
        return;
    }
    let line = match &state.message {
        Some((level, text)) => {
            let style = match level {
                Level::Info => theme.info,
                Level::Warning => theme.warning,
                Level::Error => theme.error,
            };
            Line::styled(
                format!(
                    " {}",
                    truncate(&clean_line(text), area.width.saturating_sub(1) as usize)
                ),
                style,
            )
        }
        None if state.pane == Pane::Schedule => {
            let hints: Vec<String> = [
                (Action::Filter, "find"),
                (Action::CheckIn, "check in"),
                (Action::NoShow, "no-show"),
                (Action::Cancel, "cancel"),
                (Action::Undo, "undo"),
                (Action::Book, "book"),
                (Action::Reschedule, "move"),
                (Action::NewPatient, "new patient"),
            ]
            .iter()
            .map(|(a, what)| format!("{} {what}", state.keymap.keys_for(*a)))
            .collect();
            Line::styled(
                format!(
                    " {}",
                    truncate(&hints.join("  "), area.width.saturating_sub(1) as usize)
                ),
                theme.muted,
            )
        }
        None if state.pane == Pane::Progress => Line::styled(
            format!(
                " ↑/↓ measure  {} chart  {} record  {} note  {} schedule",
                state.keymap.keys_for(Action::OpenChart),
                state.keymap.keys_for(Action::RecordMeasure),
                state.keymap.keys_for(Action::EditNote),
                state.keymap.keys_for(Action::ShowSchedule)
            ),
            theme.muted,
        ),
        None => Line::styled(
            format!(
                " ↑/↓ exercise  {} search  {} all keys  {} schedule",
                state.keymap.keys_for(Action::HepSearch),
                state.keymap.keys_for(Action::Help),
                state.keymap.keys_for(Action::ShowSchedule)
            ),
            theme.muted,
        ),
    };
    frame.render_widget(Paragraph::new(line), area);
}

fn draw_status(frame: &mut Frame, area: Rect, state: &AppState, theme: &Theme) {
    let mut right = String::from("  ");
    if state.is_waiting() {
        right.push_str("waiting for the clinic database…  ");
    } else if state.pending_writes > 0 {
        right.push_str("saving…  ");
    }
    if let Some(at) = &state.loaded_at {
        right.push_str(&format!("refreshed {}  ", at.get(11..16).unwrap_or(at)));
    }
    right.push_str("? help ");
    let mut left = vec![Span::raw(format!(" {} ", clean_line(&state.info.user)))];
    if state.info.demo {
        left.push(Span::styled(" DEMO ", theme.badge));
    }
    if state.info.fixed_today {
        left.push(Span::styled(
            format!(" TODAY={} ", state.today),
            theme.badge,
        ));
    }
    let used: usize = left.iter().map(|s| width(&s.content)).sum::<usize>() + width(&right) + 2;
    let room = (area.width as usize).saturating_sub(used);
    left.push(Span::raw(format!(
        " {}",
        fit(&shorten_path(&state.info.db_path, room), room)
    )));
    left.push(Span::raw(right));
    frame.render_widget(
        Paragraph::new(Line::from(left)).style(theme.status_bar),
        area,
    );
}

/// A path cut from the left so that its file name stays readable.
fn shorten_path(path: &str, cols: usize) -> String {
    if width(path) <= cols {
        return path.to_string();
    }
    let tail: String = path
        .chars()
        .rev()
        .take(cols.saturating_sub(1))
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    format!("…{tail}")
}

/// A box of at most `w` x `h`, centred in `area`.
pub(super) fn centered(area: Rect, w: u16, h: u16) -> Rect {
    let w = w.min(area.width);
    let h = h.min(area.height);
    Rect::new(
        area.x + (area.width - w) / 2,
        area.y + (area.height - h) / 2,
        w,
        h,
    )
}

fn draw_help(
    frame: &mut Frame,
    area: Rect,
    keymap: &super::keymap::Keymap,
    pane: Scope,
    theme: &Theme,
) {
    let column = |scope: Scope| -> Vec<Line> {
        let mut lines = vec![Line::styled(scope.title(), theme.header)];
        for b in keymap.bindings().iter().filter(|b| b.scope == scope) {
            let keys = b
                .keys
                .iter()
                .map(|k| k.label())
                .collect::<Vec<_>>()
                .join("/");
            lines.push(Line::from(vec![
                Span::styled(fit(&keys, 11), theme.field_label),
                Span::raw(b.help.to_string()),
            ]));
        }
        lines
    };
    let left = column(Scope::Everywhere);
    let right = column(pane);
    let h = left.len().max(right.len()) as u16 + 4;
    let rect = centered(area, area.width.saturating_sub(4), h);
    frame.render_widget(Clear, rect);
    let block = Block::bordered()
        .border_set(theme.symbols.border)
        .title(" Keys (Esc closes) ")
        .border_style(theme.border);
    let inner = block.inner(rect);
    frame.render_widget(block, rect);
    let [l, r] = Layout::horizontal([Constraint::Percentage(50), Constraint::Percentage(50)])
        .areas(inner.inner(ratatui::layout::Margin::new(1, 1)));
    frame.render_widget(Paragraph::new(left), l);
    frame.render_widget(Paragraph::new(right), r);
}

fn draw_cancel(
    frame: &mut Frame,
    area: Rect,
    state: &AppState,
    visit_id: i64,
    confirmed: bool,
    theme: &Theme,
) {
    let Some(v) = state.visits.iter().find(|v| v.id == visit_id) else {
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
                Span::styled("p", theme.field_focus),
                Span::raw(" by the patient   "),
                Span::styled("c", theme.field_focus),
                Span::raw(" by the clinic   "),
                Span::styled("l", theme.field_focus),
                Span::raw(" late (under 24 h)"),
            ]),
            Line::styled("Esc keeps the visit", theme.muted),
        ]
    } else {
        vec![
            Line::from(format!("Cancel {}?", truncate(&what, 50))),
            Line::from(""),
            Line::from(vec![
                Span::styled("y", theme.field_focus),
                Span::raw(" yes, cancel it    "),
                Span::styled("n", theme.field_focus),
                Span::raw(" no, keep it"),
            ]),
        ]
    };
    let rect = centered(area, 66, lines.len() as u16 + 2);
    frame.render_widget(Clear, rect);
    let block = Block::bordered()
        .border_set(theme.symbols.border)
        .title(" Cancel visit ")
        .border_style(theme.border);
    frame.render_widget(Paragraph::new(lines).block(block), rect);
}

fn cursor_cols(input: &LineInput) -> u16 {
    let before: String = input.text().chars().take(input.cursor()).collect();
    width(&before) as u16
}

/// A form row: label, the typed text (or a hint when empty), and the cursor when focused.
fn input_row(
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

fn draw_booking(
    frame: &mut Frame,
    area: Rect,
    state: &AppState,
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
                    cursor_row = Some((lines.len(), cursor_cols(&form.patient)));
                }
                lines.push(input_row(
                    "Patient",
                    &form.patient,
                    "name or MRN",
                    is_focus,
                    theme,
                ));
                let hits: Vec<_> = form
                    .patient_hits
                    .iter()
                    .filter_map(|id| state.directory.iter().find(|p| p.id == *id))
                    .collect();
                let first = form.patient_pick.saturating_sub(3);
                for (i, p) in hits.iter().enumerate().skip(first).take(4) {
                    let marker = if i == form.patient_pick {
                        theme.symbols.marker
                    } else {
                        "  "
                    };
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
                                age_on(p.date_of_birth, state.today),
                                clean_line(&p.mrn)
                            ),
                            style,
                        ),
                    ]));
                }
                if !form.patient.is_empty() && hits.is_empty() {
                    let note = if state.directory.is_empty() {
                        "loading patients…"
                    } else {
                        "no patient matches (N registers a new one)"
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
                    Span::styled(if is_focus { "  ←/→ changes" } else { "" }, theme.muted),
                ]));
            }
            _ => {
                let (input, hint) = match f {
                    BookingField::Therapist => (&form.therapist, "initials or name"),
                    BookingField::Date => (&form.date, "YYYY-MM-DD"),
                    BookingField::Time => (&form.time, "HH:MM"),
                    _ => (&form.minutes, "5 to 480"),
                };
                if is_focus {
                    cursor_row = Some((lines.len(), cursor_cols(input)));
                }
                let mut line = input_row(f.label(), input, hint, is_focus, theme);
                let extra = match f {
                    BookingField::Therapist => find_therapist(&state.staff, input.text())
                        .ok()
                        .map(|s| format!("  {}", clean_line(&s.name))),
                    BookingField::Date => {
                        NaiveDate::parse_from_str(input.text().trim(), "%Y-%m-%d")
                            .ok()
                            .map(|d| format!("  {}", d.format("%A")))
                    }
                    _ => None,
                };
                if let Some(extra) = extra {
                    line.spans.push(Span::styled(extra, theme.muted));
                }
                lines.push(line);
            }
        }
        if let Some((_, msg)) = form.error.as_ref().filter(|(ef, _)| *ef == f) {
            lines.push(Line::from(vec![
                Span::raw(" ".repeat(15)),
                Span::styled(format!("! {msg}"), theme.error),
            ]));
        }
    }
    lines.push(Line::from(""));
    if let Some((_, warning)) = &form.warning {
        let cols = area.width.saturating_sub(6).min(76).saturating_sub(4) as usize;
        lines.push(Line::styled(
            truncate(&clean_line(warning), cols),
            theme.warning,
        ));
        lines.push(Line::styled(
            "Enter again books anyway · change a field to pick another time",
            theme.warning,
        ));
    }
    let footer = if form.saving {
        "saving…".to_string()
    } else if form.discard_armed {
        "Esc again discards what you typed".to_string()
    } else {
        "Enter saves · Tab/↓ next field · Esc cancels".to_string()
    };
    lines.push(Line::styled(footer, theme.muted));
    let title = match form.mode {
        BookingMode::New => " Book a visit ",
        BookingMode::Move { .. } => " Reschedule visit ",
    };
    draw_form(frame, area, title, lines, cursor_row, theme);
}

fn draw_new_patient(frame: &mut Frame, area: Rect, form: &PatientFormState, theme: &Theme) {
    let mut lines = Vec::new();
    let mut cursor_row = None;
    for (i, (field, label, hint)) in PATIENT_FIELDS.iter().enumerate() {
        let focused = i == form.focus;
        if focused {
            cursor_row = Some((lines.len(), cursor_cols(&form.inputs[i])));
        }
        lines.push(input_row(label, &form.inputs[i], hint, focused, theme));
        if let Some((_, msg)) = form.error.as_ref().filter(|(f, _)| f == field) {
            lines.push(Line::from(vec![
                Span::raw(" ".repeat(15)),
                Span::styled(format!("! {msg}"), theme.error),
            ]));
        }
    }
    lines.push(Line::from(""));
    let footer = if form.saving {
        "saving…"
    } else if form.discard_armed {
        "Esc again discards what you typed"
    } else {
        "Enter next field, saves on the last · Ctrl-S saves · Esc cancels"
    };
    lines.push(Line::styled(footer, theme.muted));
    draw_form(frame, area, " New patient ", lines, cursor_row, theme);
}

fn draw_form(
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

/// The idle lock: nothing about any patient, only how to come back. The PIN is drawn as
/// one symbol per digit, never the digits.
fn draw_locked(frame: &mut Frame, area: Rect, state: &AppState, theme: &Theme) {
    let user = clean_line(&state.info.user);
    let lock = &state.lock;
    let (title, ask) = match lock.need {
        PinNeed::Pin => (
            "Locked — type your PIN, then Enter",
            Line::styled(
                format!("PIN: {}", theme.symbols.secret.repeat(lock.pin.len())),
                theme.field_focus,
            ),
        ),
        PinNeed::NoPin => (
            "Locked — press Enter",
            Line::styled(
                format!("no PIN set for {user}: ptclinic staff set-pin"),
                theme.warning,
            ),
        ),
        PinNeed::NotStaff => (
            "Locked — press Enter",
            Line::styled(
                format!("{user} is not on the staff list, so has no PIN"),
                theme.warning,
            ),
        ),
    };
    let answer = if lock.checking {
        Line::styled("checking…", theme.muted)
    } else {
        Line::styled(
            lock.message.as_deref().map(clean_line).unwrap_or_default(),
            theme.error,
        )
    };
    let lines = vec![
        Line::styled(title, theme.title),
        Line::from(""),
        ask,
        answer,
        Line::from(""),
        Line::styled(
            format!("{user} · {}", state.now.format("%H:%M")),
            theme.muted,
        ),
    ];
    let rect = centered(area, 60, lines.len() as u16 + 2);
    let block = Block::bordered()
        .border_set(theme.symbols.border)
        .border_style(theme.border);
    frame.render_widget(
        Paragraph::new(lines)
            .alignment(ratatui::layout::Alignment::Center)
            .wrap(Wrap { trim: true })
            .block(block),
        rect,
    );
}
