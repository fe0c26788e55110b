//! The waitlist: patients who want an earlier or another time, with what would suit them
//! (therapists, weekdays, a window of the day, a visit length), how urgent they are, and the
//! one order every terminal offers them in. When a visit is cancelled or missed, [`fits`]
//! says who could take the freed slot.
//!
//! [`fits`]: WaitlistEntry::fits

use std::cmp::Ordering;

use chrono::{Datelike, Duration, NaiveDateTime, NaiveTime, Weekday};

use super::appointment::{is_visit_length, visit_minutes_range};
use super::clinic_hours::{WEEKDAYS, parse_weekday, weekday_name};

/// 1 is the most urgent, 5 the least.
pub const PRIORITY_MOST_URGENT: u8 = 1;
pub const PRIORITY_LEAST_URGENT: u8 = 5;
/// What an entry gets when no priority is given: the middle.
pub const PRIORITY_DEFAULT: u8 = 3;
/// The visit length an entry asks for when none is given (the booking form's default).
pub const MINUTES_DEFAULT: i64 = 45;
/// A note longer than this is a paste gone wrong, not a note for the desk.
pub const NOTE_MAX_CHARS: usize = 500;

/// What a person types for a waitlist entry, field by field (the command's flags, the
/// record's form): read by [`read_typed`] and, for the therapists, by the store.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TypedEntry {
    /// Initials or names, comma-separated; empty: anyone.
    pub therapists: String,
    pub days: String,
    pub times: String,
    /// Empty: [`MINUTES_DEFAULT`].
    pub minutes: String,
    /// Empty: [`PRIORITY_DEFAULT`].
    pub priority: String,
    pub note: String,
}

/// The fields of a typed entry, named as the command's flags and as the record's form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TypedField {
    Therapists,
    Days,
    Times,
    Minutes,
    Priority,
    Note,
}

impl TypedField {
    pub const ALL: [TypedField; 6] = [
        TypedField::Therapists,
        TypedField::Days,
        TypedField::Times,
        TypedField::Minutes,
        TypedField::Priority,
        TypedField::Note,
    ];

    pub fn flag(self) -> &'static str {
        match self {
            TypedField::Therapists => "--therapist",
            TypedField::Days => "--days",
            TypedField::Times => "--times",
            TypedField::Minutes => "--minutes",
            TypedField::Priority => "--priority",
            TypedField::Note => "--note",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            TypedField::Therapists => "With",
            TypedField::Days => "Days",
            TypedField::Times => "Times",
            TypedField::Minutes => "Minutes",
            TypedField::Priority => "Priority",
            TypedField::Note => "Note",
        }
    }
}

/// A typed entry as read, all but the therapists (which the store finds on the staff).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadEntry {
    pub weekdays: Vec<Weekday>,
    pub window: TimeWindow,
    pub minutes: i64,
    pub priority: u8,
    pub note: Option<String>,
}

/// A typed entry's days, times, length, priority and note, or the field that is wrong and
/// why. Times without a meridiem are read within `open`–`close`, the clinic's day.
pub fn read_typed(
    t: &TypedEntry,
    open: NaiveTime,
    close: NaiveTime,
) -> Result<ReadEntry, (TypedField, String)> {
    let weekdays = parse_days(&t.days).map_err(|e| (TypedField::Days, e))?;
    let window = parse_times(&t.times, open, close).map_err(|e| (TypedField::Times, e))?;
    let minutes = match t.minutes.trim() {
        "" => MINUTES_DEFAULT,
        m => m.parse::<i64>().map_err(|_| {
            (
                TypedField::Minutes,
                format!(
                    "takes a whole number, not \"{}\"",
                    crate::sanitize::clean_echo(m)
                ),
            )
        })?,
    };
    let priority = match t.priority.trim() {
        "" => PRIORITY_DEFAULT,
        p => parse_priority(p).map_err(|e| (TypedField::Priority, e))?,
    };
    let note = Some(t.note.trim().to_string()).filter(|n| !n.is_empty());
    Ok(ReadEntry {
        weekdays,
        window,
        minutes,
        priority,
        note,
    })
}

/// The part of the day a patient can come, `from` to `to` (a visit must end by `to`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimeWindow {
    pub from: NaiveTime,
    pub to: NaiveTime,
}

impl TimeWindow {
    pub fn new(from: NaiveTime, to: NaiveTime) -> Result<Self, String> {
        if to <= from {
            return Err(format!(
                "the window must end after it starts, not {} to {}",
                from.format("%H:%M"),
                to.format("%H:%M")
            ));
        }
        Ok(Self { from, to })
    }

    /// "09:00-12:00", as `--times` takes it.
    pub fn label(&self) -> String {
        format!("{}-{}", self.from.format("%H:%M"), self.to.format("%H:%M"))
    }

    fn minutes(&self) -> i64 {
        (self.to - self.from).num_minutes()
    }
}

/// `09:00-12:00`, `9am-12pm`, `930-1130`: two times of [`super::when::TIME_FORMS`] joined by a
/// dash. A time without a meridiem is read within `open`–`close` (the clinic's day).
pub fn parse_times(text: &str, open: NaiveTime, close: NaiveTime) -> Result<TimeWindow, String> {
    let t = text.trim();
    if t.is_empty() {
        return Err(
            "a waitlist entry needs the times the patient can come, like 09:00-12:00".into(),
        );
    }
    let Some((from, to)) = t.split_once(['-', '–']) else {
        return Err(format!(
            "\"{}\" is not a window of the day: type two times with a dash, like 09:00-12:00",
            crate::sanitize::clean_echo(t)
        ));
    };
    let from = super::when::parse_time(from, open, close)?;
    let to = super::when::parse_time(to, open, close)?;
    TimeWindow::new(from, to)
}

/// `mon,thu`, `Monday, Thursday`: the weekdays in week order, each once. Empty text is any day.
pub fn parse_days(text: &str) -> Result<Vec<Weekday>, String> {
    let mut days = Vec::new();
    if text.trim().is_empty() {
        return Ok(days);
    }
    for part in text.split(',') {
        if part.trim().is_empty() {
            return Err(format!(
                "\"{}\" has an empty weekday: type them like mon,thu",
                crate::sanitize::clean_echo(text.trim())
            ));
        }
        let day = parse_weekday(part)?;
        if !days.contains(&day) {
            days.push(day);
        }
    }
    days.sort_by_key(|d| d.num_days_from_monday());
    Ok(days)
}

/// "mon,thu": the weekdays as stored and as `--days` takes them.
pub fn days_text(days: &[Weekday]) -> String {
    let short: Vec<String> = days.iter().map(|d| short_day(*d)).collect();
    short.join(",")
}

fn short_day(d: Weekday) -> String {
    weekday_name(d)[..3].to_lowercase()
}

/// "Mon, Thu" or "any day".
pub fn days_label(days: &[Weekday]) -> String {
    if days.is_empty() || days.len() == WEEKDAYS.len() {
        return "any day".into();
    }
    let short: Vec<&str> = days.iter().map(|d| &weekday_name(*d)[..3]).collect();
    short.join(", ")
}

/// A priority as typed: a whole number from 1 (most urgent) to 5.
pub fn parse_priority(text: &str) -> Result<u8, String> {
    text.trim()
        .parse::<u8>()
        .ok()
        .filter(|p| (PRIORITY_MOST_URGENT..=PRIORITY_LEAST_URGENT).contains(p))
        .ok_or_else(|| {
            format!(
                "the priority is {PRIORITY_MOST_URGENT} (most urgent) to {PRIORITY_LEAST_URGENT}, not \"{}\"",
                crate::sanitize::clean_echo(text.trim())
            )
        })
}

/// An entry before it is stored, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewWaitlistEntry {
    pub patient_id: i64,
    /// The site they would come to (`sites.id`).
    pub site_id: i64,
    /// Empty: any therapist.
    pub therapist_ids: Vec<i64>,
    /// Empty: any day the clinic is open.
    pub weekdays: Vec<Weekday>,
    pub window: TimeWindow,
    pub minutes: i64,
    pub priority: u8,
    pub note: Option<String>,
}

impl NewWaitlistEntry {
    /// The one sentence that refuses an entry, or the entry with its note trimmed (an empty
    /// note is none).
    pub fn checked(mut self) -> Result<Self, String> {
        if !is_visit_length(self.minutes) {
            return Err(format!(
                "a waitlist visit lasts {} minutes, not {}",
                visit_minutes_range(),
                self.minutes
            ));
        }
        if !(PRIORITY_MOST_URGENT..=PRIORITY_LEAST_URGENT).contains(&self.priority) {
            return Err(format!(
                "the priority is {PRIORITY_MOST_URGENT} (most urgent) to {PRIORITY_LEAST_URGENT}, not {}",
                self.priority
            ));
        }
        if self.window.to <= self.window.from {
            return Err(TimeWindow::new(self.window.from, self.window.to).unwrap_err());
        }
        if self.window.minutes() < self.minutes {
            return Err(format!(
                "a {}-minute visit does not fit in {}",
                self.minutes,
                self.window.label()
            ));
        }
        self.note = match self.note.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(n) if n.chars().count() > NOTE_MAX_CHARS => {
                return Err(format!(
                    "a waitlist note is at most {NOTE_MAX_CHARS} characters"
                ));
            }
            Some(n) => Some(n.to_string()),
        };
        self.therapist_ids.sort_unstable();
        self.therapist_ids.dedup();
        Ok(self)
    }
}

/// A therapist an entry prefers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PreferredTherapist {
    pub id: i64,
    pub initials: String,
}

/// An open entry as the desk sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WaitlistEntry {
    pub id: i64,
    pub patient_id: i64,
    pub site_id: i64,
    pub patient_name: String,
    pub mrn: String,
    pub phone: Option<String>,
    /// Empty: any therapist.
    pub therapists: Vec<PreferredTherapist>,
    /// Empty: any day.
    pub weekdays: Vec<Weekday>,
    pub window: TimeWindow,
    pub minutes: i64,
    pub priority: u8,
    pub note: Option<String>,
    pub added_at: NaiveDateTime,
}

/// A visit's time given up (cancelled, missed) that someone on the waitlist could take.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FreedSlot {
    pub start: NaiveDateTime,
    pub minutes: i64,
    pub therapist_id: i64,
    /// The site the time is free at: only that site's waitlist fits it.
    pub site_id: i64,
}

impl FreedSlot {
    pub fn end(&self) -> NaiveDateTime {
        self.start + Duration::minutes(self.minutes)
    }
}

impl WaitlistEntry {
    /// "AM, DF" or "anyone".
    pub fn therapists_label(&self) -> String {
        if self.therapists.is_empty() {
            return "anyone".into();
        }
        let initials: Vec<&str> = self
            .therapists
            .iter()
            .map(|t| t.initials.as_str())
            .collect();
        initials.join(", ")
    }

    /// The best-first order of the list, the same on every terminal: the most urgent first,
    /// then who has waited longest, then the order they were added in.
    pub fn best_first(a: &Self, b: &Self) -> Ordering {
        a.priority
            .cmp(&b.priority)
            .then(a.added_at.cmp(&b.added_at))
            .then(a.id.cmp(&b.id))
    }

    /// When in `slot` this patient's visit would start: the slot's own start when the window is
    /// open by then, else the window's opening; None when the slot does not suit them (another
    /// therapist, another weekday, too short, or not `minutes` of it inside their window).
    pub fn start_in(&self, slot: &FreedSlot) -> Option<NaiveDateTime> {
        let therapist_ok =
            self.therapists.is_empty() || self.therapists.iter().any(|t| t.id == slot.therapist_id);
        let day_ok = self.weekdays.is_empty() || self.weekdays.contains(&slot.start.weekday());
        if !therapist_ok || !day_ok || slot.minutes < self.minutes {
            return None;
        }
        let day = slot.start.date();
        let start = slot.start.max(day.and_time(self.window.from));
        let end = start + Duration::minutes(self.minutes);
        (end <= slot.end() && end <= day.and_time(self.window.to)).then_some(start)
    }

    pub fn fits(&self, slot: &FreedSlot) -> bool {
        self.site_id == slot.site_id && self.start_in(slot).is_some()
    }
}

/// The entries that fit `slot`, best first.
pub fn fitting(entries: &[WaitlistEntry], slot: &FreedSlot) -> Vec<WaitlistEntry> {
    let mut fit: Vec<WaitlistEntry> = entries.iter().filter(|e| e.fits(slot)).cloned().collect();
    fit.sort_by(WaitlistEntry::best_first);
    fit
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn t(h: u32, m: u32) -> NaiveTime {
        NaiveTime::from_hms_opt(h, m, 0).unwrap()
    }

    fn at(day: &str, h: u32, m: u32) -> NaiveDateTime {
        NaiveDate::parse_from_str(day, "%Y-%m-%d")
            .unwrap()
            .and_time(t(h, m))
    }

    fn entry(id: i64, priority: u8, added: NaiveDateTime) -> WaitlistEntry {
        WaitlistEntry {
            id,
            site_id: 1,
            patient_id: id,
            patient_name: format!("Patient {id}"),
            mrn: format!("10000{id}"),
            phone: None,
            therapists: Vec::new(),
            weekdays: Vec::new(),
            window: TimeWindow::new(t(9, 0), t(12, 0)).unwrap(),
            minutes: 45,
            priority,
            note: None,
            added_at: added,
        }
    }

    fn new(minutes: i64, priority: u8) -> NewWaitlistEntry {
        NewWaitlistEntry {
            site_id: 1,
            patient_id: 1,
            therapist_ids: vec![3, 2, 3],
            weekdays: vec![],
            window: TimeWindow::new(t(9, 0), t(12, 0)).unwrap(),
            minutes,
            priority,
            note: Some("  ".into()),
        }
    }

    // 2026-11-27 is a Friday.
    const FRI: &str = "2026-11-27";

    fn slot(h: u32, m: u32, minutes: i64, therapist_id: i64) -> FreedSlot {
        FreedSlot {
            site_id: 1,
            start: at(FRI, h, m),
            minutes,
            therapist_id,
        }
    }

    #[test]
    fn times_are_two_clock_times_with_a_dash() {
        let (open, close) = (t(7, 0), t(19, 0));
        let w = parse_times("09:00-12:00", open, close).unwrap();
        assert_eq!((w.from, w.to), (t(9, 0), t(12, 0)));
        let w = parse_times("9am - 2pm", open, close).unwrap();
        assert_eq!((w.from, w.to), (t(9, 0), t(14, 0)));
        // Without a meridiem, read within the clinic's day: 1-4 is the afternoon.
        let w = parse_times("1-4", open, close).unwrap();
        assert_eq!((w.from, w.to), (t(13, 0), t(16, 0)));
        assert_eq!(w.label(), "13:00-16:00");
    }

    #[test]
    fn bad_times_are_refused_in_one_sentence() {
        let (open, close) = (t(7, 0), t(19, 0));
        let err = |s: &str| parse_times(s, open, close).unwrap_err();
        assert!(err("").contains("needs the times"), "{}", err(""));
        assert!(err("9am").contains("two times with a dash"));
        assert!(err("25:00-26:00").contains("\"25:00\" is not a time"));
        assert_eq!(
            err("12:00-09:00"),
            "the window must end after it starts, not 12:00 to 09:00"
        );
        for e in [err(""), err("9am"), err("12:00-09:00")] {
            assert!(!e.contains(". "), "one sentence: {e}");
        }
    }

    #[test]
    fn days_are_read_in_week_order_each_once() {
        assert_eq!(
            parse_days("thu, mon,Thursday").unwrap(),
            vec![Weekday::Mon, Weekday::Thu]
        );
        assert_eq!(parse_days("").unwrap(), vec![]);
        assert!(
            parse_days("mon,,thu")
                .unwrap_err()
                .contains("empty weekday")
        );
        assert!(
            parse_days("mon,xyz")
                .unwrap_err()
                .contains("\"xyz\" is not a weekday")
        );
        assert_eq!(days_text(&[Weekday::Mon, Weekday::Thu]), "mon,thu");
        assert_eq!(days_label(&[Weekday::Mon, Weekday::Thu]), "Mon, Thu");
        assert_eq!(days_label(&[]), "any day");
    }

    #[test]
    fn a_priority_is_one_to_five() {
        assert_eq!(parse_priority("1"), Ok(1));
        assert_eq!(parse_priority(" 5 "), Ok(5));
        for bad in ["0", "6", "-1", "high", ""] {
            assert!(
                parse_priority(bad)
                    .unwrap_err()
                    .contains("1 (most urgent) to 5")
            );
        }
    }

    #[test]
    fn an_entry_is_checked_against_the_visit_limits() {
        let ok = new(45, 3).checked().unwrap();
        assert_eq!(ok.note, None, "a blank note is none");
        assert_eq!(ok.therapist_ids, vec![2, 3]);
        assert!(
            new(4, 3)
                .checked()
                .unwrap_err()
                .contains("5 to 480 minutes")
        );
        assert!(
            new(481, 3)
                .checked()
                .unwrap_err()
                .contains("5 to 480 minutes")
        );
        assert!(new(45, 0).checked().unwrap_err().contains("priority"));
        assert!(new(45, 6).checked().unwrap_err().contains("priority"));
        assert_eq!(
            new(240, 3).checked().unwrap_err(),
            "a 240-minute visit does not fit in 09:00-12:00"
        );
        let mut long = new(45, 3);
        long.note = Some("x".repeat(NOTE_MAX_CHARS + 1));
        assert!(long.checked().is_err());
    }

    #[test]
    fn the_order_is_priority_then_time_waiting_then_id() {
        let early = at("2026-11-01", 9, 0);
        let late = at("2026-11-20", 9, 0);
        let mut list = [
            entry(4, 3, early),
            entry(3, 1, late),
            entry(2, 3, late),
            entry(1, 3, late),
            entry(5, 1, early),
        ];
        list.sort_by(WaitlistEntry::best_first);
        let ids: Vec<i64> = list.iter().map(|e| e.id).collect();
        assert_eq!(ids, vec![5, 3, 4, 1, 2]);
    }

    #[test]
    fn a_slot_fits_inside_the_window_for_the_visit_length() {
        let e = entry(1, 3, at(FRI, 8, 0));
        assert!(e.fits(&slot(9, 0, 45, 7)));
        assert!(e.fits(&slot(11, 15, 45, 7)), "ends at 12:00 exactly");
        assert!(!e.fits(&slot(11, 30, 45, 7)), "would end past the window");
        assert!(!e.fits(&slot(9, 0, 30, 7)), "shorter than the visit");
        // A slot that starts before the window: the visit starts when the window opens.
        assert_eq!(e.start_in(&slot(8, 30, 90, 7)), Some(at(FRI, 9, 0)));
        assert!(
            !e.fits(&slot(8, 0, 60, 7)),
            "only 0 minutes inside the window"
        );
        assert!(!e.fits(&slot(13, 0, 60, 7)));
    }

    #[test]
    fn a_slot_fits_only_a_preferred_therapist_and_weekday() {
        let mut e = entry(1, 3, at(FRI, 8, 0));
        e.therapists = vec![PreferredTherapist {
            id: 2,
            initials: "AM".into(),
        }];
        assert!(e.fits(&slot(10, 0, 45, 2)));
        assert!(!e.fits(&slot(10, 0, 45, 3)));
        e.weekdays = vec![Weekday::Mon, Weekday::Thu];
        assert!(!e.fits(&slot(10, 0, 45, 2)), "a Friday");
        e.weekdays.push(Weekday::Fri);
        assert!(e.fits(&slot(10, 0, 45, 2)));
        assert_eq!(e.therapists_label(), "AM");
    }

    #[test]
    fn the_fitting_entries_come_best_first() {
        let mut far = entry(1, 2, at(FRI, 8, 0));
        far.window = TimeWindow::new(t(14, 0), t(17, 0)).unwrap();
        let list = vec![entry(2, 4, at(FRI, 8, 0)), far, entry(3, 1, at(FRI, 8, 0))];
        let ids: Vec<i64> = fitting(&list, &slot(10, 0, 45, 7))
            .iter()
            .map(|e| e.id)
            .collect();
        assert_eq!(ids, vec![3, 2]);
    }
}
