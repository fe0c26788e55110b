//! The frame around the panes: header, tabs, the shown pane, the message and status lines, the
//! help, the quit question and the lock. Draws from the state and never touches the database;
//! what the layout decides goes back to `update` as `Learned`.

use chrono::NaiveDate;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph, Wrap};

use super::event::Learned;
use super::keymap::Action;
use super::state::{AppState, Level, Modal, Pane};
use super::theme::Theme;
use super::widgets::dialog::{bordered, centered};
use super::widgets::form;
use crate::domain::pin::PinNeed;
use crate::domain::roles::Acting;
use crate::sanitize::clean_line;
use crate::text::{fit, width};

/// Below this the layout cannot show a usable day.
pub const MIN_WIDTH: u16 = 70;
pub const MIN_HEIGHT: u16 = 20;

/// Draws the whole frame from the state, and returns what the layout decided.
pub fn draw(frame: &mut Frame, state: &AppState, theme: &Theme) -> Learned {
    let learned = draw_all(frame, state, theme);
    if theme.ascii {
        super::widgets::ascii::fold(frame.buffer_mut());
    }
    learned
}

fn draw_all(frame: &mut Frame, state: &AppState, theme: &Theme) -> Learned {
    let mut learned = Learned::default();
    let area = frame.area();
    if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
        let text = format!("terminal too small (need {MIN_WIDTH}x{MIN_HEIGHT})");
        frame.render_widget(Paragraph::new(text).wrap(Wrap { trim: true }), area);
        return learned;
    }
    if state.locked {
        draw_locked(frame, area, state, theme);
        return learned;
    }
    let banner_rows = u16::from(state.offline_since.is_some());
    let [header, banner, tabs, body, message, status] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(banner_rows),
        Constraint::Length(1),
        Constraint::Min(1),
        Constraint::Length(message_rows(state, area.width)),
        Constraint::Length(1),
    ])
    .areas(area);
    let unsaid_who = draw_header(frame, header, state, theme);
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
    draw_tabs(frame, tabs, state, unsaid_who, theme);
    match state.pane {
        Pane::Schedule => {
            learned =
                super::schedule::view::draw(frame, body, &state.schedule, &state.keymap, theme)
        }
        Pane::Progress => {
            super::progress::view::draw(frame, body, &state.progress, &state.context(), theme)
        }
        Pane::Program => {
            super::program::view::draw(frame, body, &state.program, &state.context(), theme)
        }
        Pane::Clinic => {
            super::clinic::view::draw(frame, body, &state.clinic, &state.context(), theme)
        }
    }
    if state.desk.is_open() {
        super::record::view::draw(frame, body, &state.desk, &state.keymap, state.today, theme);
    }
    draw_message(frame, message, state, theme);
    draw_status(frame, status, state, theme);
    match &state.modal {
        Some(Modal::Help { scroll }) => {
            let scope = state.pane.scope();
            learned.help = Some(super::help::draw(
                frame,
                area,
                &state.keymap,
                scope,
                *scroll,
                theme,
            ));
        }
        Some(Modal::Cancel {
            visit_id,
            confirmed,
            ..
        }) => super::schedule::view::draw_cancel(
            frame,
            area,
            &state.schedule,
            *visit_id,
            *confirmed,
            &state.keymap,
            theme,
        ),
        Some(Modal::Booking(form)) => super::schedule::view::draw_booking(
            frame,
            area,
            &state.schedule,
            &state.context(),
            form,
            theme,
        ),
        Some(Modal::NewPatient(form)) => {
            super::schedule::view::draw_new_patient(frame, area, form, &state.keymap, theme)
        }
        Some(Modal::Waitlist { cursor }) => super::schedule::waitlist::draw(
            frame,
            area,
            &state.schedule,
            *cursor,
            &state.keymap,
            theme,
        ),
        Some(Modal::Series(dialog)) => {
            super::schedule::series_view::draw_series(frame, area, dialog, &state.context(), theme)
        }
        Some(Modal::CancelSeries {
            visit_id,
            following,
            ..
        }) => super::schedule::series_view::draw_cancel_series(
            frame,
            area,
            &state.schedule,
            *visit_id,
            *following,
            &state.keymap,
            theme,
        ),
        Some(Modal::GoToDate(prompt)) => super::schedule::go_to_date::draw(
            frame,
            area,
            prompt,
            state.today,
            &state.keymap,
            theme,
        ),
        None => {}
    }
    if state.asking_quit {
        draw_quit_question(frame, area, state, theme);
    }
    learned
}

/// Over whatever is open (a form, an editor), so that staying keeps it as it was.
fn draw_quit_question(frame: &mut Frame, area: Rect, state: &AppState, theme: &Theme) {
    let lines = vec![
        Line::from("There is unsaved work. Quit and drop it?"),
        Line::from(""),
        Line::from(vec![
            Span::styled(state.keymap.label(Action::QuitYes), theme.field_focus),
            Span::raw(" quit    any other key: stay"),
        ]),
    ];
    let rect = centered(area, 50, 5);
    frame.render_widget(Clear, rect);
    let block = bordered(theme).title(" Quit ");
    frame.render_widget(Paragraph::new(lines).block(block), rect);
}

fn day_label(day: NaiveDate, today: NaiveDate, with_year: bool) -> String {
    let rel = match (day - today).num_days() {
        0 => " (today)",
        1 => " (tomorrow)",
        -1 => " (yesterday)",
        _ => "",
    };
    let shape = if with_year {
        "%a %-d %b %Y"
    } else {
        "%a %-d %b"
    };
    format!("{}{rel}", day.format(shape))
}

/// The header; returns whose visits are shown when the line had no room to say so.
fn draw_header(frame: &mut Frame, area: Rect, state: &AppState, theme: &Theme) -> Option<String> {
    let crate::domain::appointment::DayCounts {
        booked,
        arrived,
        no_show,
        cancelled,
    } = state.counts();
    let who = if state.schedule.mine_only {
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
    // In a clinic group the schedule always says whose site it shows.
    let sites = &state.schedule.sites;
    let who = if sites.several() {
        format!(
            "{who} · {}",
            crate::sanitize::clean_line(&sites.label(state.schedule.site_view))
        )
    } else {
        who
    };
    let clock = format!(" {} ", state.now.format("%H:%M"));
    let title = if area.width >= 100 {
        " ptclinic  "
    } else {
        " "
    };
    // The counts are never cut: at narrow widths the day drops its year and the counts take
    // their short words.
    let counts = format!(
        "  booked {booked} · arrived {arrived} · no-show {no_show} · cancelled {cancelled}"
    );
    let short =
        format!("  {booked} booked · {arrived} in · {no_show} no-show · {cancelled} cancelled");
    let with_who = format!("{counts} · {who}");
    let full_day = day_label(state.schedule.day, state.today, true);
    let brief_day = day_label(state.schedule.day, state.today, false);
    let room_for =
        |day: &str| (area.width as usize).saturating_sub(width(title) + width(day) + width(&clock));
    let (day, counts) = [
        (&full_day, &with_who),
        (&full_day, &counts),
        (&brief_day, &counts),
        (&brief_day, &short),
    ]
    .into_iter()
    .find(|(day, counts)| width(counts) <= room_for(day))
    .unwrap_or((&brief_day, &short));
    let unsaid_who = (!std::ptr::eq(counts, &with_who)).then(|| who.clone());
    let counts = fit(counts, room_for(day));
    let day = day.clone();
    let spans = vec![
        Span::styled(title, theme.title),
        Span::styled(day, theme.header),
        Span::raw(counts),
        Span::styled(clock, theme.muted),
    ];
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
    unsaid_who
}

/// The panes' tabs; on the schedule, whose visits it shows at the right when the header had no
/// room for it ("my visits / everyone's" is said at every width).
fn draw_tabs(frame: &mut Frame, area: Rect, state: &AppState, who: Option<String>, theme: &Theme) {
    let keys = [
        Action::ShowSchedule,
        Action::ShowProgress,
        Action::ShowProgram,
        Action::ShowClinic,
    ];
    // Short titles when the full ones would leave no room for whose visits are shown.
    let full: usize = Pane::ALL
        .iter()
        .zip(keys)
        .map(|(p, a)| width(&state.keymap.keys_for(a)) + width(p.title()) + 4)
        .sum();
    let short = who
        .as_ref()
        .filter(|_| state.pane == Pane::Schedule)
        .is_some_and(|w| full + width(w) + 1 > usize::from(area.width));
    let mut spans = Vec::new();
    for (pane, action) in Pane::ALL.iter().zip(keys) {
        let title = if short {
            pane.short_title()
        } else {
            pane.title()
        };
        let style = if *pane == state.pane {
            theme.tab_active
        } else {
            theme.tab
        };
        spans.push(Span::styled(
            format!(" {} {} ", state.keymap.keys_for(action), title),
            style,
        ));
        spans.push(Span::raw(" "));
    }
    if let Some(who) = who.filter(|_| state.pane == Pane::Schedule) {
        let used: usize = spans.iter().map(|s| width(&s.content)).sum();
        let room = usize::from(area.width).saturating_sub(used + 1);
        // In a clinic group the site shown matters most: it is said when both do not fit.
        let who = match who.rsplit_once(" · ") {
            Some((_, site)) if width(&who) > room => site.to_string(),
            _ => who,
        };
        if width(&who) <= room {
            spans.push(Span::raw(" ".repeat(room - width(&who))));
            spans.push(Span::styled(who, theme.muted));
        }
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}

/// A message longer than the line takes a second one rather than losing its end, where the
/// instruction usually is ("… (Ctrl-S again saves yours over it)").
fn message_rows(state: &AppState, cols: u16) -> u16 {
    let typing = state.schedule.filter.as_ref().is_some_and(|f| f.typing);
    match &state.message {
        Some((_, text)) if !typing && width(&clean_line(text)) + 1 > usize::from(cols) => 2,
        _ => 1,
    }
}

fn draw_message(frame: &mut Frame, area: Rect, state: &AppState, theme: &Theme) {
    if let Some(filter) = state
        .schedule
        .filter
        .as_ref()
        .filter(|f| f.typing || state.message.is_none())
    {
        let label = " Find: ";
        let key = |a| state.keymap.label(a);
        let hint = if filter.typing {
            format!(
                "{} keeps the match · {} clears",
                key(Action::FilterKeep),
                key(Action::ClearFilter)
            )
        } else {
            format!(
                "{} clears the filter · {} edits it",
                key(Action::ClearFilter),
                key(Action::Filter)
            )
        };
        let count = format!("  {} shown  ", state.schedule.rows.len());
        let line = Line::from(vec![
            Span::styled(label, theme.field_label),
            Span::styled(filter.input.text().to_string(), theme.field_focus),
            Span::styled(count, theme.muted),
            Span::styled(hint, theme.muted),
        ]);
        frame.render_widget(Paragraph::new(line), area);
        if filter.typing && state.modal.is_none() {
            let x = area.x + width(label) as u16 + form::cursor_cols(&filter.input);
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
            // Two lines at most (see `message_rows`), wrapped at words; what still does not fit
            // gives up the beginning of its longest word (a path, a name), not its end, where
            // the instruction is.
            let cols = usize::from(area.width.saturating_sub(1));
            let lines: Vec<Line> =
                crate::text::fit_message(&clean_line(text), cols, usize::from(area.height))
                    .into_iter()
                    .map(|l| Line::styled(format!(" {l}"), style))
                    .collect();
            frame.render_widget(Paragraph::new(lines), area);
            return;
        }
        // The finder, the call list and the record name their own keys.
        None if state.desk.is_open() => Line::from(""),
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
                (Action::Confirm, "confirmed"),
                (Action::CantCome, "can't come"),
            ]
            .iter()
            .map(|(a, what)| format!("{} {what}", state.keymap.keys_for(*a)))
            .collect();
            // Whole hints only: those that do not fit are in `?`.
            let room = usize::from(area.width.saturating_sub(1));
            let mut shown = String::new();
            for hint in hints {
                let joined = if shown.is_empty() {
                    hint
                } else {
                    format!("{shown}  {hint}")
                };
                if width(&joined) > room {
                    break;
                }
                shown = joined;
            }
            Line::styled(format!(" {shown}"), theme.muted)
        }
        None if state.pane == Pane::Progress => Line::styled(
            format!(
                " {}/{} measure  {} chart  {} record  {} note  {} expect  {} schedule",
                state.keymap.label(Action::Up),
                state.keymap.label(Action::Down),
                state.keymap.keys_for(Action::OpenChart),
                state.keymap.keys_for(Action::RecordMeasure),
                state.keymap.keys_for(Action::EditNote),
                state.keymap.keys_for(Action::ShowExpected),
                state.keymap.keys_for(Action::ShowSchedule)
            ),
            theme.muted,
        ),
        None if state.pane == Pane::Clinic => Line::styled(
            format!(
                " {}",
                super::clinic::view::hints(&state.keymap, state.clinic.drill.is_some())
            ),
            theme.muted,
        ),
        None => Line::styled(
            format!(
                " {}/{} exercise  {} search  {} all keys  {} schedule",
                state.keymap.label(Action::Up),
                state.keymap.label(Action::Down),
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
    if let Some(at) = &state.schedule.loaded_at {
        right.push_str(&format!("refreshed {}  ", at.get(11..16).unwrap_or(at)));
    }
    right.push_str(&format!("{} help ", state.keymap.label(Action::Help)));
    let user = clean_line(&state.info.user);
    let mut left = vec![Span::raw(format!(" {user} "))];
    let today_badge = state
        .info
        .fixed_today
        .then(|| format!(" TODAY={} ", state.today));
    // Whom the record takes the user for, in the longest form that leaves the help key room.
    let badges: Vec<String> = match (&state.info.acting, state.info.demo) {
        (Acting::DemoStand(s), _) => {
            let role = s.role.label().to_lowercase();
            vec![
                format!(" demo: acting as {role} ({}) ", clean_line(&s.name)),
                format!(" demo: acting as {role} "),
                " DEMO ".into(),
            ]
        }
        (_, true) => vec![" DEMO ".into()],
        (Acting::NotStaff, false) => vec![
            format!(" read-only: {user} is not on the staff "),
            " read-only ".into(),
        ],
        (Acting::Staff(_), false) => Vec::new(),
    };
    let taken =
        width(&left[0].content) + width(&right) + today_badge.as_deref().map_or(0, width) + 2;
    let room = (area.width as usize).saturating_sub(taken);
    if let Some(badge) = badges.iter().find(|b| width(b) <= room).or(badges.last()) {
        left.push(Span::styled(badge.clone(), theme.badge));
    }
    if let Some(badge) = today_badge {
        left.push(Span::styled(badge, theme.badge));
    }
    let used: usize = left.iter().map(|s| width(&s.content)).sum::<usize>() + width(&right) + 2;
    let room = (area.width as usize).saturating_sub(used);
    left.push(Span::raw(format!(
        " {}",
        fit(&crate::text::truncate_left(&state.info.db_path, room), room)
    )));
    left.push(Span::raw(right));
    frame.render_widget(
        Paragraph::new(Line::from(left)).style(theme.status_bar),
        area,
    );
}

/// The idle lock: nothing about any patient, only how to come back. The PIN is drawn as
/// one symbol per digit, never the digits.
fn draw_locked(frame: &mut Frame, area: Rect, state: &AppState, theme: &Theme) {
    let user = clean_line(&state.info.user);
    let lock = &state.lock;
    let unlock = state.keymap.label(Action::LockUnlock);
    let (title, ask) = match lock.need {
        PinNeed::Pin => (
            format!("Locked — type your PIN, then {unlock}"),
            Line::styled(
                format!("PIN: {}", theme.symbols.secret.repeat(lock.pin.len())),
                theme.field_focus,
            ),
        ),
        PinNeed::NoPin => (
            format!("Locked — press {unlock}"),
            Line::styled(
                format!("no PIN set for {user}: ptclinic staff set-pin"),
                theme.warning,
            ),
        ),
        PinNeed::NotStaff => (
            format!("Locked — press {unlock}"),
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
    let block = bordered(theme);
    frame.render_widget(
        Paragraph::new(lines)
            .alignment(ratatui::layout::Alignment::Center)
            .wrap(Wrap { trim: true })
            .block(block),
        rect,
    );
}
