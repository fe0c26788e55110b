//! The week on screen: a grid of half-hour rows, one column a day of one therapist's week
//! (or, from 120 columns, one therapist each on the focused day). A visit fills its rows
//! with its patient, then its status; free time within the clinic's hours is dotted, time
//! outside them is blank and a closed day says so.

use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime, NaiveTime, Timelike, Weekday};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::week::{Week, WeekLayout};
use crate::domain::AppointmentStatus;
use crate::domain::appointment::Visit;
use crate::sanitize::clean_line;
use crate::text::{fit, truncate};
use crate::tui::event::Learned;
use crate::tui::keymap::{Action, Keymap};
use crate::tui::theme::Theme;

/// Minutes a row of the grid stands for.
pub const SLOT_MINUTES: i64 = 30;

/// The layout with the therapists side by side needs this many columns.
pub const WIDE_WEEK: u16 = 120;

/// Narrowest a therapist's column gets before fewer of them are shown.
const THERAPIST_COLUMN: usize = 16;

/// Left of the grid: the row's time and a space.
const TIME_COLUMN: usize = 6;

/// One column: a day of a therapist.
struct Col {
    title: String,
    day: NaiveDate,
    therapist: Option<i64>,
    focused: bool,
}

/// A visit's shortest status word, for a visit whose row below is not its own.
fn short_status(s: AppointmentStatus) -> &'static str {
    match s {
        AppointmentStatus::Scheduled => "sched",
        AppointmentStatus::CheckedIn => "in",
        AppointmentStatus::Completed => "done",
        AppointmentStatus::NoShow => "no-show",
        AppointmentStatus::Cancelled => "cancelled",
    }
}

/// The days the week shows: Monday to Saturday, and Sunday when the clinic opens then or has
/// a visit booked then.
fn days_shown(week: &Week) -> Vec<NaiveDate> {
    let monday = week.monday();
    let sunday = monday + Duration::days(6);
    let open_sunday = week.calendar.hours_on(Weekday::Sun).is_some()
        || week.shown().any(|v| v.start.date() == sunday);
    let days = if open_sunday { 7 } else { 6 };
    (0..days).map(|i| monday + Duration::days(i)).collect()
}

fn columns(week: &Week, wide: bool, room: usize) -> Vec<Col> {
    if wide {
        let fit_in = (room / THERAPIST_COLUMN).max(1);
        let at = week
            .therapists
            .iter()
            .position(|c| Some(c.therapist_id) == week.therapist)
            .unwrap_or(0);
        let first = at
            .saturating_sub(fit_in - 1)
            .min(week.therapists.len().saturating_sub(fit_in));
        return week
            .therapists
            .iter()
            .skip(first)
            .take(fit_in)
            .map(|c| Col {
                title: format!("{} {}", clean_line(&c.initials), clean_line(&c.name)),
                day: week.day,
                therapist: Some(c.therapist_id),
                focused: Some(c.therapist_id) == week.therapist,
            })
            .collect();
    }
    days_shown(week)
        .into_iter()
        .map(|day| Col {
            title: day.format("%a %-d").to_string(),
            day,
            therapist: week.therapist,
            focused: day == week.day,
        })
        .collect()
}

/// The clinic's hours on `day`, None when it is closed (a closed date or weekday).
fn hours(week: &Week, day: NaiveDate) -> Option<(NaiveTime, NaiveTime)> {
    if week.calendar.closed_on(day).is_some() {
        return None;
    }
    week.calendar
        .hours_on(day.weekday())
        .map(|h| (h.open, h.close))
}

fn minute_of(t: NaiveTime) -> i64 {
    i64::from(t.num_seconds_from_midnight() / 60)
}

/// The grid's rows, as minutes of the day: from the earliest opening (or visit) to the latest
/// closing (or visit's end), in whole slots.
fn row_range(week: &Week, cols: &[Col], cells: &[Vec<&Visit>]) -> (i64, i64) {
    let mut from = i64::MAX;
    let mut to = i64::MIN;
    for c in cols {
        if let Some((open, close)) = hours(week, c.day) {
            from = from.min(minute_of(open));
            to = to.max(minute_of(close));
        }
    }
    for v in cells.iter().flatten() {
        from = from.min(minute_of(v.start.time()));
        let end = v.end();
        let end_minute = if end.date() > v.start.date() {
            24 * 60
        } else {
            minute_of(end.time())
        };
        to = to.max(end_minute);
    }
    if from > to {
        let (open, close) = week.calendar.reading_window(week.day);
        (from, to) = (minute_of(open), minute_of(close));
    }
    let from = from - from.rem_euclid(SLOT_MINUTES);
    let to = to + (SLOT_MINUTES - to.rem_euclid(SLOT_MINUTES)) % SLOT_MINUTES;
    (from, to.max(from + SLOT_MINUTES))
}

fn at_minute(day: NaiveDate, minute: i64) -> NaiveDateTime {
    day.and_time(NaiveTime::MIN) + Duration::minutes(minute)
}

/// The text and style of one column's cell in the row starting at `minute`.
fn cell_text(
    week: &Week,
    col: &Col,
    cell: &[&Visit],
    minute: i64,
    first_minute: i64,
    width: usize,
    theme: &Theme,
) -> (String, Style) {
    let start = at_minute(col.day, minute);
    let end = start + Duration::minutes(SLOT_MINUTES);
    let covering: Vec<&Visit> = cell
        .iter()
        .copied()
        .filter(|v| v.start < end && v.end() > start)
        .collect();
    // A visit starting in the row is shown over one running on from the row before; one
    // running into another (a double booking) is counted as "+1".
    let shown = covering
        .iter()
        .find(|v| v.start >= start)
        .or_else(|| covering.last())
        .copied();
    let Some(v) = shown else {
        return match hours(week, col.day) {
            None if minute == first_minute => (pad(" closed", width), theme.muted),
            None if minute == first_minute + SLOT_MINUTES => {
                let why = week
                    .calendar
                    .closed_on(col.day)
                    .and_then(|c| c.reason.as_deref())
                    .map(clean_line)
                    .unwrap_or_default();
                (pad(&format!(" {why}"), width), theme.muted)
            }
            Some((open, close))
                if minute >= minute_of(open) && minute + SLOT_MINUTES <= minute_of(close) =>
            {
                (pad(" ·", width), theme.muted)
            }
            _ => (" ".repeat(width), Style::default()),
        };
    };
    let selected = Some(v.id) == week.selected;
    let marker = if selected { "▶" } else { " " };
    let clashing = covering
        .iter()
        .filter(|o| o.id != v.id && o.overlaps(v.start, v.minutes))
        .count();
    let more = if clashing > 0 {
        format!(" +{clashing}")
    } else {
        String::new()
    };
    // The marker, the text, then a space before the next column.
    let room = width.saturating_sub(2 + more.chars().count());
    let body = if v.start >= start {
        // Past the row's half hour: its minutes (the row says the hour).
        let time = if v.start > start {
            format!("{} ", v.start.format(":%M"))
        } else {
            String::new()
        };
        let name = clean_line(&v.patient_name);
        // The status goes with the name when the row below is not the visit's own.
        let next = end + Duration::minutes(SLOT_MINUTES);
        let row_below_taken = v.end() <= end
            || cell
                .iter()
                .any(|o| o.id != v.id && o.start >= end && o.start < next);
        let tag = short_status(v.status);
        let name_room_with = |tag: &str| room.saturating_sub(time.chars().count() + tag.len());
        // The patient comes first: a status that would leave the name unreadable is left to
        // the colour (and to the day view).
        let tag = match format!(" {tag}") {
            tag if row_below_taken && name_room_with(&tag) >= NAME_MIN_COLS => tag,
            _ => String::new(),
        };
        let name_room = name_room_with(&tag);
        format!("{time}{}{tag}", short_name(&name, name_room))
    } else if v.start >= start - Duration::minutes(SLOT_MINUTES) {
        v.status.label().to_string()
    } else {
        "│".to_string()
    };
    let style = if selected {
        theme.selected
    } else {
        theme.visit_status(v.status)
    };
    (format!("{marker}{}{more} ", fit(&body, room)), style)
}

/// The fewest columns a patient's name is given before the status beside it is dropped.
const NAME_MIN_COLS: usize = 6;

/// A column's text cut to leave the space before the next column.
fn pad(text: &str, width: usize) -> String {
    fit(text, width.saturating_sub(1)) + " "
}

/// The name in `room` columns: whole, else the first name and the last one's initial
/// ("Maria L."), else cut.
fn short_name(name: &str, room: usize) -> String {
    if crate::text::width(name) <= room {
        return name.to_string();
    }
    let mut words = name.split_whitespace();
    if let (Some(first), Some(last)) = (words.next(), words.next_back()) {
        let initial: String = last.chars().take(1).collect();
        let short = format!("{first} {initial}.");
        if crate::text::width(&short) <= room {
            return short;
        }
    }
    truncate(name, room)
}

/// The line above the grid: whose week or which day, and the week's keys.
fn title_line(week: &Week, wide: bool, area_width: u16, keymap: &Keymap) -> String {
    let key = |a| keymap.label(a);
    let what = if wide {
        let who = if week.therapists.len() == 1 {
            week.therapists
                .first()
                .map(|c| format!("{}'s visits", clean_line(&c.initials)))
                .unwrap_or_default()
        } else {
            "all therapists".to_string()
        };
        format!(
            " {} · {who} · {} next therapist · {} one therapist's week",
            week.day.format("%a %-d %b %Y"),
            key(Action::WeekTherapist),
            key(Action::WeekLayout)
        )
    } else {
        let who = week
            .therapist_column()
            .map(|c| format!("{} {}", clean_line(&c.initials), clean_line(&c.name)))
            .unwrap_or_else(|| "no therapist".to_string());
        let last = if week.layout == WeekLayout::Therapists {
            format!(" (by therapist from {WIDE_WEEK} columns)")
        } else if area_width >= WIDE_WEEK {
            format!(
                " · {} the day · {} by therapist",
                key(Action::WeekToggle),
                key(Action::WeekLayout)
            )
        } else {
            format!(" · {} the day", key(Action::WeekToggle))
        };
        format!(
            " {who} · week of {} · {} next therapist{last}",
            week.monday().format("%-d %b %Y"),
            key(Action::WeekTherapist),
        )
    };
    fit(&what, usize::from(area_width))
}

/// The week; the rows of a page are what PgUp/PgDn would move by in the day view.
pub fn draw(frame: &mut Frame, area: Rect, week: &Week, keymap: &Keymap, theme: &Theme) -> Learned {
    let lines = lines(week, area.width, area.height, keymap, theme);
    frame.render_widget(Paragraph::new(lines), area);
    Learned {
        help: None,
        page_size: Some(usize::from(area.height.saturating_sub(3)).max(1)),
        schedule_top: None,
    }
}

/// The week's lines for an area of `width` x `height` (kept apart from drawing, for the bench).
pub fn lines(
    week: &Week,
    width: u16,
    height: u16,
    keymap: &Keymap,
    theme: &Theme,
) -> Vec<Line<'static>> {
    let wide = width >= WIDE_WEEK && week.layout == WeekLayout::Therapists;
    let mut lines = vec![Line::styled(
        title_line(week, wide, width, keymap),
        theme.header,
    )];
    if week.is_loading() {
        lines.push(Line::styled("  Loading the week…", theme.muted));
        return lines;
    }
    if week.therapists.is_empty() {
        let why = match &week.site {
            Some(site) => format!(
                "  No therapist works at {} yet: ptclinic site staff {:?} --add NAME puts one there.",
                clean_line(&site.name),
                clean_line(&site.name)
            ),
            None => "  No therapist is on the staff list yet.".to_string(),
        };
        lines.push(Line::styled(why, theme.muted));
        return lines;
    }
    let room = usize::from(width).saturating_sub(TIME_COLUMN);
    let cols = columns(week, wide, room);
    let col_width = (room / cols.len().max(1)).max(4);
    let cells: Vec<Vec<&Visit>> = cols.iter().map(|c| week.cell(c.day, c.therapist)).collect();
    let mut head = vec![Span::styled(" ".repeat(TIME_COLUMN), theme.column_header)];
    for c in &cols {
        let marker = if c.focused { "▶" } else { " " };
        let style = if c.focused {
            theme.column_header.patch(theme.header)
        } else {
            theme.column_header
        };
        head.push(Span::styled(
            fit(&format!("{marker}{}", c.title), col_width.saturating_sub(1)) + " ",
            style,
        ));
    }
    lines.push(Line::from(head));
    let (from, to) = row_range(week, &cols, &cells);
    let total = ((to - from) / SLOT_MINUTES) as usize;
    let visible = usize::from(height).saturating_sub(2).max(1);
    let top = first_row(week, from, total, visible);
    for row in top..(top + visible).min(total) {
        let minute = from + row as i64 * SLOT_MINUTES;
        let mut spans = vec![Span::styled(
            format!("{:02}:{:02} ", minute / 60, minute % 60),
            theme.muted,
        )];
        for (c, cell) in cols.iter().zip(&cells) {
            let first = from + top as i64 * SLOT_MINUTES;
            let (text, style) = cell_text(week, c, cell, minute, first, col_width, theme);
            spans.push(Span::styled(text, style));
        }
        lines.push(Line::from(spans));
    }
    lines
}

/// The first row shown: the top of the day, unless the selected visit would be below the
/// page; then the page that shows it a third of the way down.
fn first_row(week: &Week, from: i64, total: usize, visible: usize) -> usize {
    let Some(v) = week.selected_visit() else {
        return 0;
    };
    let start = ((minute_of(v.start.time()) - from) / SLOT_MINUTES).max(0) as usize;
    let end = start + (v.minutes.max(1) as usize).div_ceil(SLOT_MINUTES as usize);
    if end <= visible || total <= visible {
        return 0;
    }
    start
        .saturating_sub(visible / 3)
        .min(total.saturating_sub(visible))
}
